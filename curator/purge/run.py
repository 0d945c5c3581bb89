"""Purge rejected photos to the OS trash: plan → run → apply, for the CLI and GUI.

`purge(plan)` chains the run (`curator.purge.trash.move_to_trash`) and the
apply (`curator.catalog.purge.apply_purge`) photo by photo: each photo is
tombstoned as soon as its files went, and the purge journal covers the moment
between. Both front ends use it (`curator purge-rejected`, Edit ▸ Move
Rejected to Trash…); it never unlinks anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from curator.catalog.purge import (
    PurgePlan,
    apply_purge,
    finish_interrupted,
    plan_purge,
    purge_journal,
)
from curator.purge.trash import ProgressFn, TrashOutcome, move_to_trash


def human_size(n: int) -> str:
    """Bytes for people: 0 B, 12 KB, 3.4 MB, 1.20 GB (powers of 1024)."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    if n < 1024**3:
        return f"{n / 1024**2:.1f} MB"
    return f"{n / 1024**3:.2f} GB"


@dataclass(frozen=True)
class PurgeReport:
    outcomes: tuple[TrashOutcome, ...]
    deleted: tuple[int, ...]  # photos now tombstones (gone from Curator)
    kept: tuple[int, ...]  # photos with a file left on disk: not tombstoned
    skipped_missing: int  # catalogued paths already gone from disk

    @property
    def trashed(self) -> int:
        return sum(1 for o in self.outcomes if o.trashed)

    @property
    def failed(self) -> list[TrashOutcome]:
        return [o for o in self.outcomes if not o.trashed]

    @property
    def freed_bytes(self) -> int:
        return sum(o.size for o in self.outcomes if o.trashed)

    def as_json(self) -> dict[str, Any]:
        return {
            "trashed": self.trashed,
            "failed": len(self.failed),
            "freed_bytes": self.freed_bytes,
            "freed": human_size(self.freed_bytes),
            "skipped_missing": self.skipped_missing,
            "photos_deleted": len(self.deleted),
            "photos_kept": len(self.kept),
            "files": [
                {"path": o.path, "size": o.size, "trashed": o.trashed, "reason": o.reason}
                for o in self.outcomes
            ],
        }

    def sentence(self) -> str:
        """One sentence for the status bar and the CLI's summary."""
        photos = len(self.deleted)
        text = (
            f"Moved {self.trashed} file{'s' * (self.trashed != 1)} of {photos} rejected "
            f"photo{'s' * (photos != 1)} to the trash, freeing {human_size(self.freed_bytes)}."
        )
        failed = self.failed
        if failed:
            kept = len(self.kept)
            text += (
                f" {len(failed)} file{'s' * (len(failed) != 1)} could not be moved"
                f" ({kept} photo{'s' * (kept != 1)} kept): {failed[0].reason}"
            )
        return text


def plan_sentence(plan: PurgePlan) -> str:
    """What a purge of `plan` would do, for the confirmation and --dry-run."""
    n, files = len(plan.photos), len(plan.files)
    text = (
        f"{n} rejected photo{'s' * (n != 1)} ({files} file{'s' * (files != 1)}, "
        f"{human_size(plan.total_bytes)})"
    )
    if plan.skipped_missing:
        text += f"; {plan.skipped_missing} catalogued file(s) are already gone from disk"
    return text


def purge(
    plan: PurgePlan,
    progress: ProgressFn | None = None,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> PurgeReport:
    """Move the plan's files to the trash photo by photo, tombstoning each photo
    as soon as its files went (one whose files were not all tried stays).
    Killed at any moment, nothing is lost: the photo being moved is in the
    purge journal before its first file goes (`catalog.purge`)."""
    finish_interrupted()
    total = len(plan.files)
    done = 0
    outcomes: list[TrashOutcome] = []
    deleted: list[int] = []
    kept: list[int] = []

    def step(files_done: int, _all: int) -> None:
        if progress is not None:
            progress(done + files_done, total)

    with purge_journal() as journal:
        for photo in plan.photos:
            if should_stop is not None and should_stop():
                break
            journal.add(photo.photo_id)
            mine = move_to_trash(
                [(f.path, f.size) for f in photo.files], step, should_stop=should_stop
            )
            done += len(photo.files)
            outcomes += mine
            one = PurgePlan((photo,))
            applied = apply_purge(one, [o.path for o in mine if o.trashed])
            deleted += applied.deleted
            kept += applied.kept
    return PurgeReport(tuple(outcomes), tuple(deleted), tuple(kept), plan.skipped_missing)


__all__ = ["PurgeReport", "human_size", "plan_purge", "plan_sentence", "purge"]
