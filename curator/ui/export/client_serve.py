"""`ClientServeWindow`: one client gallery served to the client's browser, in
a small window of its own (non-modal), beside the catalog's work.

The server is `curator proof serve GALLERY --port 0 --json [--network]`, a
child process started with `QProcess`: the window only reads its one JSON
line (`{"url", "port", "host"}`) and its stderr, so a slow or stuck server
never stalls the window. Shown: the address (a link and Copy), its QR code
(segno's PNG in a QPixmap), "Let other devices on my network open it"
(restarts the server with --network), the client's live say ("7 of 30–40
hearted · 2 comments · not confirmed"), Reopen selection (when confirmed)
and Stop/Start.

Protocol:
- The live say is read every `REFRESH_MS` by a `Job` on `reads` (never two
  at once: a tick while one is in flight is skipped); it comes back through
  the window's `Delivery` with the server's generation, a stale one dropped.
  Reopen is one write, a `Job` on the same pool, then a read.
- `stop()` (Stop, closing the window): terminate, then kill after
  `KILL_AFTER_MS` if it is still there. `shutdown()` (the app quits): the
  same, waited for here, and the Delivery closed.
- A server that exits by itself (a port refused, a closed gallery, a crash)
  is shown as a sentence with its stderr's last line.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QProcess, Qt, QThreadPool, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from curator.engine.delivery import Delivery, Job, delivery_to
from curator.ui.common.guard import ErrorReporter, guarded_slot
from curator.ui.common.job_dialog import show_sentence
from curator.ui.export.client_text import picks_text
from curator.ui.export.controller import error_sentence

log = logging.getLogger("curator.ui")

REFRESH_MS = 2_000  # the client's say, read again: a heart shows within two seconds
KILL_AFTER_MS = 3_000  # a server that ignores SIGTERM this long is killed
QR_SCALE = 6  # pixels per QR module: ~200 px for an address, readable across a desk
MIN_WIDTH = 380  # the address, its Copy button and the live say on one line each
STDERR_KEPT = 4_000  # characters of the server's stderr kept for its last line


class ServerState(StrEnum):
    STARTING = "starting"
    SERVING = "serving"
    STOPPING = "stopping"
    STOPPED = "stopped"


@dataclass(frozen=True)
class PicksRead:
    """The client's say in the served gallery, read on a worker."""

    generation: int
    text: str
    confirmed: bool
    error: str | None = None


def serve_command(location: str, token: str, *, network: bool) -> tuple[str, list[str]]:
    """The program and arguments of `curator proof serve` for this Python (a
    frozen app is its own `curator`)."""
    args = ["proof", "serve", "--catalog", location, token, "--port", "0", "--json"]
    if network:
        args.append("--network")
    if getattr(sys, "frozen", False):
        return sys.executable, args
    return sys.executable, ["-m", "curator", *args]


def qr_png(url: str) -> bytes:
    """The QR code of `url` as a PNG."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=QR_SCALE, border=2)
    return out.getvalue()


def read_picks(generation: int, token: str) -> PicksRead:
    """The served gallery's hearts, comments and confirmation (on a worker)."""
    from curator.catalog.proofing.galleries import gallery_by_token, gallery_photos
    from curator.catalog.proofing.picks import picks_state

    gallery = gallery_by_token(token)
    if gallery is None:
        return PicksRead(generation, "This gallery is no longer in the catalog.", False)
    state = picks_state(gallery.id)
    s = gallery.settings
    text = picks_text(
        len(state.hearts),
        len(state.comments),
        s.min_picks,
        s.max_picks,
        state.confirmed_at,
        closed=state.closed,
    )
    text += f" · {len(gallery_photos(gallery.id))} photos in it"
    return PicksRead(generation, text, state.confirmed_at is not None)


def reopen_picks(generation: int, token: str) -> PicksRead:
    """Reopen the confirmed selection (one write), then read the say again."""
    from curator.catalog.proofing.galleries import gallery_by_token
    from curator.catalog.proofing.picks import reopen

    gallery = gallery_by_token(token)
    if gallery is not None:
        reopen(gallery.id)
    return read_picks(generation, token)


def failed_read(generation: int) -> Callable[[Exception], PicksRead]:
    """A read's `on_error`: logged, and its sentence shown in place of the say."""

    def failed(exc: Exception) -> PicksRead:
        log.error("reading a served gallery's picks failed", exc_info=exc)
        return PicksRead(generation, "", False, error_sentence(exc))

    return failed


def last_line(text: str) -> str:
    """The last line a process wrote, without the CLI's "curator: " in front."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1].removeprefix("curator: ") if lines else ""


class ClientServeWindow(QWidget):
    def __init__(
        self,
        name: str,
        token: str,
        *,
        location: str,
        reads: QThreadPool,
        errors: ErrorReporter,
        parent: QWidget | None = None,
    ):
        super().__init__(parent, Qt.WindowType.Window)
        self.name, self.token, self.location = name, token, location
        self.reads, self.errors = reads, errors
        self.url = ""
        self.state = ServerState.STOPPED
        self._stdout, self._stderr = b"", ""
        self._generation = 0
        self._reading = False
        self._restart = False
        self._shut_down = False
        self._delivery: Delivery[object] = delivery_to(self, self._on_posted)
        self.setWindowTitle(f"Serving “{name}”")
        self.setMinimumWidth(MIN_WIDTH)
        self._build()
        self.process = QProcess(self)
        self.process.readyReadStandardOutput.connect(self._on_stdout)
        self.process.readyReadStandardError.connect(self._on_stderr)
        self.process.finished.connect(self._on_finished)
        self.process.errorOccurred.connect(self._on_error)
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(REFRESH_MS)
        self.refresh_timer.timeout.connect(self.refresh)
        self.kill_timer = QTimer(self)
        self.kill_timer.setSingleShot(True)
        self.kill_timer.setInterval(KILL_AFTER_MS)
        self.kill_timer.timeout.connect(self.process.kill)

    def _build(self) -> None:
        self.state_label = QLabel("", self)
        self.state_label.setWordWrap(True)
        self.address_label = QLabel("", self)
        self.address_label.setOpenExternalLinks(True)
        self.address_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.clicked.connect(self.copy_address)
        address = QHBoxLayout()
        address.addWidget(self.address_label, 1)
        address.addWidget(self.copy_button)
        self.qr_label = QLabel(self)
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setMinimumSize(200, 200)
        self.network_check = QCheckBox("Let other devices on my network open it", self)
        self.network_check.toggled.connect(self._on_network_toggled)
        self.picks_label = QLabel("", self)
        self.picks_label.setWordWrap(True)
        self.reopen_button = QPushButton("Reopen selection", self)
        self.reopen_button.setToolTip("Let the client change a confirmed selection.")
        self.reopen_button.setEnabled(False)
        self.reopen_button.clicked.connect(self.reopen)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        buttons.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addLayout(address)
        layout.addWidget(self.qr_label)
        layout.addWidget(self.network_check)
        layout.addWidget(self.picks_label)
        layout.addLayout(buttons)

    # --- the server ---------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def start(self) -> None:
        """Start the server (a second start while one runs does nothing)."""
        if self._shut_down or self.running:
            return
        self._generation += 1
        self._stdout, self._stderr, self.url = b"", "", ""
        program, args = serve_command(
            self.location, self.token, network=self.network_check.isChecked()
        )
        self._set_state(ServerState.STARTING, "Starting the server…")
        self.address_label.clear()
        self.qr_label.clear()
        self.process.start(program, args)
        self.refresh()
        self.refresh_timer.start()

    def stop(self) -> None:
        """Terminate the server; killed if it is still there after KILL_AFTER_MS."""
        self.refresh_timer.stop()
        if not self.running:
            return
        self._set_state(ServerState.STOPPING, "Stopping the server…")
        self.process.terminate()
        self.kill_timer.start()

    def shutdown(self) -> None:
        """The app quits: the server stopped and waited for; nothing posted after."""
        if self._shut_down:
            return
        self._shut_down = True
        self._delivery.close()
        self.refresh_timer.stop()
        if self.running:
            self.state = ServerState.STOPPING
            self.process.terminate()
            if not self.process.waitForFinished(KILL_AFTER_MS):
                self.process.kill()
                self.process.waitForFinished(KILL_AFTER_MS)

    def _set_state(self, state: ServerState, sentence: str, *, error: bool = False) -> None:
        self.state = state
        show_sentence(self.state_label, sentence, error=error)
        if not error:
            self.state_label.setStyleSheet("")
        serving = state in (ServerState.STARTING, ServerState.SERVING)
        self.stop_button.setText("Stop" if serving or state is ServerState.STOPPING else "Start")
        self.stop_button.setEnabled(state is not ServerState.STOPPING)
        self.copy_button.setEnabled(state is ServerState.SERVING)

    def _show_address(self, url: str) -> None:
        self.url = url
        self.address_label.setText(f'<a href="{url}">{url}</a>')
        pixmap = QPixmap()
        pixmap.loadFromData(qr_png(url), "PNG")
        self.qr_label.setPixmap(pixmap)
        who = (
            "Devices on your network can open it"
            if self.network_check.isChecked()
            else "Only this computer can open it"
        )
        self._set_state(
            ServerState.SERVING,
            f"Serving “{self.name}”. {who}; the client needs the gallery's access code.",
        )

    # --- slots --------------------------------------------------------------

    @Slot()
    @guarded_slot
    def copy_address(self) -> None:
        if self.url:
            QGuiApplication.clipboard().setText(self.url)

    @Slot()
    @guarded_slot
    def _on_stop_clicked(self) -> None:
        if self.running:
            self.stop()
        else:
            self.start()

    @Slot(bool)
    @guarded_slot
    def _on_network_toggled(self, _checked: bool) -> None:
        if not self.running:
            return
        self._restart = True  # started again with the other address once this one ends
        self.stop()

    @Slot()
    @guarded_slot
    def refresh(self) -> None:
        """Read the client's say on the pool, unless a read is under way."""
        if self._reading or self._shut_down:
            return
        self._reading = True
        generation, token = self._generation, self.token
        job = Job(lambda: read_picks(generation, token), self._delivery, failed_read(generation))
        self.reads.start(job)

    @Slot()
    @guarded_slot
    def reopen(self) -> None:
        """The photographer reopens the client's confirmed selection."""
        if self._shut_down:
            return
        self.reopen_button.setEnabled(False)
        self._reading = True
        generation, token = self._generation, self.token
        job = Job(lambda: reopen_picks(generation, token), self._delivery, failed_read(generation))
        self.reads.start(job)

    @Slot(object)
    @guarded_slot
    def _on_posted(self, read: object) -> None:
        if not isinstance(read, PicksRead):
            return
        self._reading = False
        if read.generation != self._generation:
            return  # read for a server since restarted: the next tick reads again
        if read.error is not None:
            self.picks_label.setText(read.error)
            return
        self.picks_label.setText(read.text)
        self.reopen_button.setEnabled(read.confirmed)

    @Slot()
    @guarded_slot
    def _on_stdout(self) -> None:
        self._stdout += bytes(self.process.readAllStandardOutput().data())
        if self.url or b"\n" not in self._stdout:
            return
        first = self._stdout.split(b"\n", 1)[0]
        try:
            url = str(json.loads(first.decode("utf-8"))["url"])
        except (ValueError, KeyError, TypeError):
            log.warning("the gallery server said %r, not its address", first[:200])
            return
        self._show_address(url)

    @Slot()
    @guarded_slot
    def _on_stderr(self) -> None:
        text = bytes(self.process.readAllStandardError().data()).decode("utf-8", "replace")
        self._stderr = (self._stderr + text)[-STDERR_KEPT:]

    @Slot(int, QProcess.ExitStatus)
    @guarded_slot
    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self.kill_timer.stop()
        self.refresh_timer.stop()
        self.url = ""
        self.address_label.clear()
        self.qr_label.clear()
        if self.state is ServerState.STOPPING:
            self._set_state(ServerState.STOPPED, "Stopped: the client can no longer open it.")
            if self._restart:
                self._restart = False
                self.start()
            return
        why = last_line(self._stderr) or f"it ended with code {code}"
        why = why if why.endswith((".", "!", "?", ")")) else why + "."
        self._set_state(ServerState.STOPPED, f"The server stopped by itself: {why}", error=True)

    @Slot(QProcess.ProcessError)
    @guarded_slot
    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error is QProcess.ProcessError.FailedToStart:
            self.refresh_timer.stop()
            self._set_state(
                ServerState.STOPPED,
                f"The server could not start: {self.process.errorString()}.",
                error=True,
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window stops the server."""
        self.stop()
        super().closeEvent(event)
