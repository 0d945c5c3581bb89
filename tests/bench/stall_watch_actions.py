"""The stall watch's second half (issue 51 §2): a tag cloud click, a project
switch, an XMP write and an export of `FILES` photos, and a catalog backup,
each driven through the window's own controllers.

`prepare(cat, folder)` (before the window opens) gives the bench catalog
`FILES` real files: tiny JPEGs, one per photo (each its own bytes: the
export checks the content hash), photos 1..FILES pointed at them, kept,
and members of the project `PROJECT`. `second_half(...)` lists the steps,
each with what "shown" means for it:
- tag cloud click: the Tags panel opened and its counts shown first (not
  measured), then a click on one tag ("only"): shown when the grid lists
  that tag's photos;
- project switch: Show Project ▸ `PROJECT` (the filter bar's combo), shown
  when the grid lists its photos; back to All Photos after;
- XMP write: the window has no action of its own for it (the CLI's `curator
  xmp write`); what writes the decisions' XMP from the window is File ▸
  Export… of originals ("decisions in their XMP"), so that is what runs, on
  the export controller the dialog drives; shown when it has finished;
- export: the same project as 256-pixel JPEG renditions;
- backup: File ▸ Back Up Catalog Now (`BackupController.back_up_now`);
  shown when its sentence is in the status line; on PostgreSQL its progress
  ("Backing up the catalog (…): 40 %") counts as the file actions' does,
  and the outcome says how many sentences came and the last one.
The file actions also report when their first progress came (`progress_s`).

`CatalogChanges` (issue 51 §1's last two) drives the window's catalog host
(ui/maintenance/catalog_switch.py) once the second half is done: File ▸ Open
Catalog… to a small SQLite catalog (shown when its empty grid is up), back
to the bench catalog (shown when its first rows are), and, on SQLite, File ▸
Restore Catalog from Backup… of the backup the second half made (shown when
the reopened window says "Restored").

Measured (STALL_WATCH_N=20000, STALL_WATCH_FILES=200, 2 cores shared with
other engineers' benches): longest stall / its own part, ms; shown, s.

  action                SQLite, two runs (load 4.6, 5.8)   PostgreSQL (load 8.5)
  open another catalog    84/33  145/56   0.25-0.38        155/32   0.35
  open it again          189/70  270/50   0.51             227/109  0.68
  restore the backup     128/47  175/40   2.7-3.5          (refused: `curator catalog copy`)

The whole stalls are mostly the UI thread queued for a CPU; what is the
app's own is the new window's construction, its first show and paint, and
the reads the window makes at every open on the UI thread
(`MainWindow.refresh_filter_choices`: the tags and kinds, 50-140 ms here;
the projects' list). Before the new window's first reads and its show got
turns of their own, the same switch stalled 249-368 ms (97-120 of its own,
load 6.0).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FILES = int(os.environ.get("STALL_WATCH_FILES", "2000"))
PROJECT = "stall watch"
TAG = "tag 007"  # one of tests.bench.gallery_catalog's 300 tags: ~660 photos at 100,000


def prepare(cat: Any, folder: Path, n: int = FILES) -> None:
    """`n` tiny JPEGs under `folder`; photos 1..n point at them, kept, in PROJECT."""
    import blake3
    import cv2
    import numpy as np

    from curator.catalog import projects
    from curator.catalog.models import Photo

    ok, encoded = cv2.imencode(".jpg", np.full((48, 64, 3), 128, np.uint8))
    assert ok
    data = encoded.tobytes()
    folder.mkdir(parents=True, exist_ok=True)
    with cat.db.atomic():
        for pid in range(1, n + 1):
            path = folder / f"SW_{pid:06d}.jpg"
            own = data + pid.to_bytes(4, "big")  # after the JPEG's end: a hash of its own
            path.write_bytes(own)
            Photo.update(
                path=os.fsencode(path), content_hash=blake3.blake3(own).hexdigest(), cull="kept"
            ).where(Photo.id == pid).execute()
    projects.create_project(PROJECT)
    projects.add_photos(PROJECT, range(1, n + 1))


@dataclass
class Heard:
    """When a signal first came and how often (progress, finished)."""

    first: float | None = None
    count: int = 0
    last: Any = None
    times: list[float] = field(default_factory=list)

    def __call__(self, value: object = None) -> None:
        now = time.perf_counter()
        self.first = now if self.first is None else self.first
        self.count += 1
        self.last = value
        self.times.append(now)


@dataclass
class Step:
    key: str
    label: str
    act: Callable[[], object]
    shown: Callable[[], bool]
    progress: Heard | None = None  # when its first progress came
    outcome: Callable[[], str] | None = None  # what it did, for the report


def second_half(app: Any, window: Any, out: Path, qtbot: Any) -> list[Step]:
    """The steps, in order (module docstring)."""
    from curator.export.types import ExportRequest

    model = app.model
    slot = window.tag_cloud
    project_id = next(p.id for p in window.projects.projects if p.name == PROJECT)

    def open_cloud() -> None:
        slot.dock.show()
        panel = slot.panel()
        counted = Heard()
        panel.counts_shown.connect(counted)
        qtbot.waitUntil(lambda: counted.count > 0, timeout=600_000)

    def click_tag() -> None:
        slot.panel().tag_clicked.emit(TAG, "only")

    def tag_shown() -> bool:
        return model.query.tags_all == (TAG,) and model.rowCount() > 0

    def switch_project() -> None:
        window.filter_bar.clear_cloud_tags()
        window.project_actions.show_project(project_id)

    def project_shown() -> bool:
        return (
            model.query.project_id == project_id and model.query.tags_all == ()
        ) and model.rowCount() > 0

    export = window.export()
    finished, progress = Heard(), Heard()
    export.finished.connect(finished)
    export.progress.connect(progress)

    def exported(before: list[int]) -> Callable[[], bool]:
        return lambda: finished.count > before[0] and not export.running

    xmp_before, export_before = [0], [0]

    def write_xmp() -> None:
        xmp_before[0] = finished.count
        progress.first = None
        export.start(ExportRequest(out / "xmp", project=PROJECT))

    def export_jpegs() -> None:
        export_before[0] = finished.count
        progress.first = None
        export.start(ExportRequest(out / "jpeg", project=PROJECT, renditions_long_edge=256))

    backup = window.backup
    backed, backup_progress = Heard(), Heard()
    backup.finished.connect(backed)
    backup.progressed.connect(backup_progress)

    def export_outcome() -> str:
        done = finished.last
        if done is None or done.result is None:
            return f"failed: {getattr(done, 'error', None)}"
        got = done.result.to_json()
        why = next((f.message for f in done.result.files if f.message), "")
        return f"{got['exported']} exported, {got['failed']} failed {why}".strip()

    def backup_outcome() -> str:
        done = backed.last
        said = f"{backup_progress.count} progress sentences, the last {backup_progress.last!r}; "
        return said + ("" if done is None else (done.error or done.result.sentence()))

    open_cloud()
    return [
        Step("tag cloud click", f"tag cloud click ({TAG})", click_tag, tag_shown),
        Step("project switch", "project switch", switch_project, project_shown),
        Step(
            f"xmp write {FILES}",
            f"XMP write ({FILES}, export of originals)",
            write_xmp,
            exported(xmp_before),
            progress,
            export_outcome,
        ),
        Step(
            f"export {FILES}",
            f"export ({FILES}, 256 px JPEGs)",
            export_jpegs,
            exported(export_before),
            progress,
            export_outcome,
        ),
        Step(
            "backup",
            "catalog backup",
            backup.back_up_now,
            lambda: backed.count > 0,
            backup_progress,
            outcome=backup_outcome,
        ),
    ]


class CatalogChanges:
    """A `CatalogHost` adopting the bench's app (module docstring); `close()`
    shuts down whichever app is the window's at the end."""

    def __init__(self, app: Any, catalog: Any, location: Any, tmp: Path) -> None:
        from curator.app import open_app
        from curator.catalog.db import Catalog
        from curator.paths import RecentCatalogs, resolve_paths
        from curator.ui.maintenance.catalog_switch import CatalogHost
        from tests.pools import make_pool

        self.other = tmp / "other" / "small.sqlite"
        self.other.parent.mkdir(parents=True, exist_ok=True)
        Catalog.open(self.other, bind=False).close()  # a catalog of its own, empty
        self.location = location
        self.pool = make_pool(1)
        recent = RecentCatalogs(resolve_paths().config_dir)
        self.host = CatalogHost(self.pool, open_app, recent, lambda: None)
        self.host.adopt(app, catalog, location)

    def _shown(self, rows: bool, sentence: str = "") -> Callable[[], bool]:
        def shown() -> bool:
            app = self.host.app
            if self.host.busy is not None or app is None or not app.window.catalog_open:
                return False
            if sentence and not app.window.statusBar().currentMessage().startswith(sentence):
                return False
            return (app.model.rowCount() > 0) == rows and not app.model.rest_pending

        return shown

    def steps(self) -> list[Step]:
        from curator.catalog.backup import backup_folder, list_backups

        host = self.host
        away, back = (lambda: host.switch(self.other)), (lambda: host.switch(self.location))
        found = [
            Step("switch", "open another catalog", away, self._shown(False)),
            Step("switch back", "open the catalog again", back, self._shown(True)),
        ]
        if host.catalog is None or host.catalog.is_postgres:
            return found  # a studio's catalog is restored with `curator catalog copy`

        def restore() -> None:
            assert host.catalog is not None and host.app is not None
            settings = host.app.window.settings
            folder = backup_folder(host.catalog.path, settings.backup_folder)
            newest = list_backups(folder, host.catalog.path)[0]
            host.restore(newest.path, folder, settings.backup_keep)

        found.append(Step("restore", "restore the backup", restore, self._shown(True, "Restored")))
        return found

    def close(self) -> None:
        from tests.ui.conftest import close_catalog_host

        close_catalog_host(self.host, self.pool)
