"""`InfoPanel`: the loupe's side panel — EXIF, the technical scores, the people,
the description, tags, preference and MATCH, this seat's proposal, burst
membership — with the three judgments (technical, descriptive, personal)
visibly apart. The MATCH threshold comes in (`set_match_threshold`), never
from a global.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from curator.catalog.approval import quality_text
from curator.catalog.queries import GalleryRow, PhotoDetails
from curator.ui.common import format as fmt
from curator.ui.common.guard import ErrorReporter
from curator.ui.loupe.capture_checks import clock_warning, measured_text
from curator.ui.loupe.face_labels import people_sentence, ready_reason
from curator.ui.loupe.proposal_mark import proposal_line, proposed_reject
from curator.ui.loupe.tag_editor import TagEditor

PANEL_WIDTH = 300
AMBER = QColor(255, 179, 71)  # the panel's warnings (#ffb347)
CONTENT_TYPES = {"still_life": "still life"}


class InfoPanel(QScrollArea):
    """File, capture, camera/lens/exposure, scores, description, tags, burst."""

    SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("Photo", ("File", "Captured", "Camera", "Lens", "Exposure", "Size")),
        ("Technical", ("Sharpness", "Exposure score", "Measured on")),
        ("People", ("Faces",)),
        (
            "Your taste",
            ("Preference", "Taste model", "State", "Proposal", "Rating", "Label", "Burst"),
        ),
        ("Client", ("Client",)),
        ("Description", ("Caption", "Subject", "Content", "Mood", "Lighting")),
    )

    def __init__(
        self, errors: ErrorReporter, *, match_threshold: float, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.errors = errors
        self.match_threshold = match_threshold
        self.now: Callable[[], datetime] = datetime.now  # what "in the future" is measured from
        self.setFixedWidth(PANEL_WIDTH)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(10, 8, 10, 10)
        column.setSpacing(4)
        self.values: dict[str, QLabel] = {}
        self.match_badge = QLabel("MATCH", body)
        self.match_badge.setStyleSheet(
            "background: #2e7d4f; color: white; font-weight: bold; border-radius: 4px;"
            " padding: 0px 5px;"
        )
        self.match_badge.hide()
        for title, names in self.SECTIONS:
            column.addWidget(_heading(title, body))
            form = QFormLayout()
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            form.setHorizontalSpacing(8)
            form.setVerticalSpacing(3)
            for name in names:
                value = QLabel("—", body)
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
                self.values[name] = value
                if name == "Preference":
                    line = QHBoxLayout()
                    line.setContentsMargins(0, 0, 0, 0)
                    line.setSpacing(8)
                    line.addWidget(value)
                    line.addWidget(self.match_badge)
                    line.addStretch(1)
                    form.addRow(f"{name}:", line)
                else:
                    form.addRow(f"{name}:", value)
            column.addLayout(form)
        column.addWidget(_heading("Tags", body))
        self.tags = TagEditor(errors, body)
        column.addWidget(self.tags)
        column.addStretch(1)
        self.setWidget(body)

    def _fit_rows(self) -> None:
        """Give every row the height its wrapped text needs at its width (the
        text's own, `wrapped_height`: the form's measure lags one text behind);
        a hidden panel fits them when shown; an unchanged row is left alone."""
        if not self.isVisible():
            return
        for label in self.values.values():
            height = wrapped_height(label)
            if height != label.minimumHeight():
                label.setMinimumHeight(height)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self._fit_rows)

    def set_match_threshold(self, threshold: float) -> None:
        self.match_threshold = threshold

    def show_photo(self, row: GalleryRow | None, details: PhotoDetails | None) -> None:
        if row is None:
            for label in self.values.values():
                label.setText("—")
            self._fit_rows()
            self.match_badge.hide()
            self.tags.show_tags(None, ())
            return
        size = f"{row.width} × {row.height}" if row.width and row.height else "—"
        pref = row.preference_score
        texts = {
            "File": f"{row.file_name} + {row.paired_with}" if row.paired_with else row.file_name,
            "Captured": fmt.when_text(row.captured_at),
            "Camera": row.camera or "—",
            "Lens": row.lens or "—",
            "Exposure": fmt.exposure_text(row),
            "Size": size,
            "Sharpness": fmt.sharpness_text(row),
            "Exposure score": fmt.exposure_score_text(row),
            "Preference": "no model yet" if pref is None else fmt.score_text(pref),
            "State": fmt.state_text(row) + (" · Failed" if row.failed else ""),
            "Proposal": proposal_line(row.proposal),
            "Rating": fmt.rating_text(row.rating),
            "Label": (row.label or "none").capitalize(),
            "Measured on": "—",
            "Faces": "—",
            "Taste model": "none yet (10 decisions)",
            "Burst": "—",
            "Caption": "—",
            "Client": "—",
            "Subject": "not described yet",
            "Content": "—",
            "Mood": "—",
            "Lighting": "—",
        }
        warning = clock_warning(row.captured_at, self.now())
        if warning is not None:
            texts["Captured"] += f"\n⚠ {warning}"
        if details is not None:
            texts["Measured on"] = measured_text(details.metrics_source)
            people = details.people
            if people is not None:
                judged = any(f.judged for f in people.faces)
                # Each verdict once, counted; the catalog's note says why none was judged.
                texts["Faces"] = people_sentence(people.faces) if judged else people.note
            if details.noise_level is not None and row.sharpness_score is not None:
                texts["Sharpness"] += f" · noise {details.noise_level:.1f}"
            if details.taste is not None:
                t = details.taste
                quality = quality_text(t.samples, t.spearman, t.spearman_low, t.spearman_high)
                texts["Taste model"] = f"v{t.version}, {quality}"
            if details.burst_size:
                texts["Burst"] = f"{details.burst_size} frames" + (
                    " · suggested best" if details.burst_best else ""
                )
                why = ready_reason(people.faces) if details.burst_best and people else ""
                texts["Burst"] += f": {why}" if why else ""
                if people:  # a keep of a moment says how its people look, as the star does
                    texts["Proposal"] = proposal_line(row.proposal, ready_reason(people.faces))
            if details.caption:
                texts["Caption"] = details.caption
            if details.client:
                texts["Client"] = client_text(details.client)
            if details.subject or details.content_type:
                texts["Subject"] = details.subject or "—"
                kind = details.content_type or "—"
                texts["Content"] = CONTENT_TYPES.get(kind, kind)
                texts["Mood"] = details.mood or "—"
                texts["Lighting"] = details.lighting or "—"
        for name, text in texts.items():
            self.values[name].setText(breakable(text))
        self._fit_rows()
        self.values["Captured"].setStyleSheet("color: #ffb347;" if warning else "")
        flagged = row.faces is not None and (row.faces.closed_eyes or row.faces.soft_face)
        self.values["Faces"].setStyleSheet("color: #ffb347;" if flagged else "")
        _amber(self.values["Proposal"], proposed_reject(row))
        small = details is not None and details.metrics_source == "raw_preview"
        self.values["Measured on"].setStyleSheet("color: #ffb347;" if small else "")
        self.values["File"].setToolTip(row.path)
        self.values["Caption"].setToolTip(
            "The caption written in another tool (Lightroom, darktable, digiKam) or by you: "
            "searchable, and never overwritten by Curator."
        )
        self.values["Client"].setToolTip(
            "What clients said in your client galleries (File ▸ Client Gallery…): a heart, "
            "a comment. Their say, never your decision: `curator proof accept` makes it one."
        )
        self.values["Burst"].setToolTip(
            "The frames shot within a few seconds that look alike (or one burst or bracket "
            "by the camera's word); the suggested best is never clearly less sharp than "
            "another frame, then the best exposed (in a bracket: nearest the metered "
            "exposure), then the most to your taste."
        )
        self.values["Exposure score"].setToolTip(
            "≈ EV: how far this frame is from a well-exposed rendering (negative: darker), "
            "estimated from its brightest content, its overall brightness and its clipping."
        )
        self.values["Faces"].setToolTip(
            "Key faces are the photo's subjects: the largest, those near their size, and "
            "sharp ones not much smaller. Only key faces make the CLOSED EYES and SOFT FACE "
            "badges; O shows every face's box and verdict (point at a face for the whole of it), "
            "Shift+Z zooms to each face. A face "
            "verdict never rejects or stars a photo."
        )
        self.values["Proposal"].setToolTip(
            "What Curator proposes for this photo (cull for me), with its reasons and how"
            " sure it is: never a decision. A accepts it and moves on; P, X or a rating"
            " decides otherwise (the taste model learns from that). A decision ends it."
        )
        self.values["Taste model"].setToolTip(
            "How well the model ranks your own decisions when it has not seen them (held-out "
            "Spearman, look-alikes kept apart), with its 95 % range. An early model (under 20 "
            "decisions) and one under the setting “MATCH approves at model quality” never "
            "approve an unrated photo for export."
        )
        self.values["Sharpness"].setToolTip(
            "Detail in the sharpest part of the frame, with the "
            "noise (grey levels) taken off: noise is not sharpness. When the subject "
            "in the middle is clearly softer than a sharp scene around it, the score "
            "is the subject's: focus missed the subject."
        )
        self.match_badge.setVisible(pref is not None and pref >= self.match_threshold)
        self.match_badge.setToolTip(
            f"Preference at or above the MATCH threshold ({self.match_threshold:g})."
        )
        self.tags.show_tags(row.id, () if details is None else details.tags)


ZERO_WIDTH_SPACE = "\u200b"
LONGEST_UNBROKEN = 16  # characters: a longer run gets a break opportunity


def breakable(text: str) -> str:
    """`text` with invisible break opportunities in words over `LONGEST_UNBROKEN`
    characters: after each `_ - . / \\ :`, and every `LONGEST_UNBROKEN` characters."""
    return "".join(_breakable_word(w) for w in re.split(r"(\s+)", text))


def _breakable_word(word: str) -> str:
    if len(word) <= LONGEST_UNBROKEN:
        return word
    out: list[str] = []
    run = 0
    for char in word:
        out.append(char)
        run += 1
        if char in "_-./\\:" or run >= LONGEST_UNBROKEN:
            out.append(ZERO_WIDTH_SPACE)
            run = 0
    return "".join(out)


def _amber(label: QLabel, on: bool) -> None:
    """`label`'s text amber (a warning) or the panel's own colour, by palette (a
    style sheet set back to "" left black text on the dark panel)."""
    parent = label.parentWidget()
    palette = QPalette((parent or label).palette())
    if on:
        palette.setColor(QPalette.ColorRole.WindowText, AMBER)
    label.setPalette(palette)


def wrapped_height(label: QLabel) -> int:
    """The height `label`'s plain text takes wrapped at the label's width, as
    QLabel lays it out (its font, alignment, margins), whatever its minimum."""
    margins = label.contentsMargins()
    inner = label.width() - margins.left() - margins.right() - 2 * label.margin()
    flags = int(label.alignment().value) | int(Qt.TextFlag.TextWordWrap)
    text = label.fontMetrics().boundingRect(0, 0, max(1, inner), 1_000_000, flags, label.text())
    return text.height() + margins.top() + margins.bottom() + 2 * label.margin()


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text.upper(), parent)
    label.setStyleSheet("color: #f0be3c; font-weight: bold; padding-top: 6px;")
    return label


def client_text(said: tuple[tuple[str, bool, str], ...]) -> str:
    """What clients said of a photo, a line per gallery: ♥ and the comment."""
    lines = []
    for title, hearted, comment in said:
        heart = "♥ hearted" if hearted else "not hearted"
        lines.append(f"{heart} in “{title}”" + (f": “{comment}”" if comment else ""))
    return "\n".join(lines)
