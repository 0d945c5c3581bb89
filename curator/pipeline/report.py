"""What a pipeline run is asked to do and what it did.

`RunRequest` (frozen) says what to run; `RunReport` is filled in by the
service as the phases end (on the service's thread only) and handed out in
`PipelineService.finished`: the CLI prints it (`curator import --json` reads
`counts` and `stages`), the GUI says it in one sentence (`summary_sentence`).
`PipelineBusy` carries the sentence for a run that cannot start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from curator.catalog.models import Stage
from curator.catalog.writer import ApplyKind
from curator.engine.progress import duration_text
from curator.engine.stage_runner import RunSummary
from curator.pipeline.stages.scan import ScanProblem
from curator.pipeline.stages.technical_runner import import_counts
from curator.pipeline.stages.xmp import XmpApplied

ALL_STAGES: tuple[str, ...] = tuple(s.value for s in Stage)
# A technical outcome that is a photo in the catalog now (counted as done).
MEASURED = (ApplyKind.NEW, ApplyKind.CHANGED, ApplyKind.REMEASURED, ApplyKind.MOVED)

# One later stage's part of the report: status counts ("done", "failed",
# "skipped", "write_failed", the score step's "scored", "bursts"…), and the
# sentences "reason" (why it was skipped) and "error" (what failed). JSON as is.
StageCounts = dict[str, int | str | None]


class PipelineBusy(Exception):
    """A run can't start now; str() is the sentence to show."""


@dataclass(frozen=True)
class RunRequest:
    """What to run. `folder`: import it; `paths`: re-read just these files
    (Retry); neither: back-fill the later stages over the whole catalog."""

    folder: str | None = None
    paths: tuple[str, ...] = ()
    stages: tuple[str, ...] = ALL_STAGES
    retry_failed: bool = False
    redo_descriptions: bool = False  # describe again photos described by another model/prompt
    # One step of a longer job (an ingest's landed copies, imported while the
    # card is still copied): its sentence names the job, never "Import finished".
    part_of: str | None = None
    # A watched folder's run: it stays open, fed the files that land
    # (`PipelineService.feed`), until `end_feed` (pipeline.live).
    live: bool = False
    watching: str = ""  # the watched folder of a live run (what the import lock's note says)

    @property
    def reads_files(self) -> bool:
        reads = self.folder is not None or bool(self.paths) or self.live
        return reads and "technical" in self.stages


@dataclass
class RunReport:
    """What a run did, for the CLI's summary/--json and the GUI's sentence."""

    request: RunRequest
    technical: RunSummary = field(default_factory=RunSummary)
    missing: int = 0
    restored_unchanged: int = 0  # missing photos whose unchanged file came back
    scan_problems: list[ScanProblem] = field(default_factory=list)
    stages: dict[str, StageCounts] = field(default_factory=dict)
    elapsed_s: float = 0.0
    cancelled: bool = False
    error: str = ""  # a storage fault or a failed prepare: the run stopped
    cluster: str = ""  # the Ray cluster the heavy stages ran on ("" on this computer)
    xmp_applied: int = 0  # photos that took decisions from their XMP
    xmp_problems: int = 0  # sidecars/packets that could not be read
    xmp_default_stars: int = 0  # darktable's import-default 1 star, read as not rated
    xmp_extra_labels: int = 0  # darktable sidecars with more than one label
    xmp_faces_named: int = 0  # faces named from another tool's regions
    # (photo path, sentence) of each sidecar or packet that could not be read
    xmp_unread: list[tuple[str, str]] = field(default_factory=list)
    # per stage that ran: how long it ran ("ran_s") and when it ended, counted from
    # the run's start ("finished_at_s"): which stage the run waited for
    stage_times: dict[str, dict[str, float]] = field(default_factory=dict)
    started_at: float = field(default_factory=time.monotonic, repr=False, compare=False)

    @property
    def technical_done(self) -> int:
        """Files the technical stage made photos of (or found one for: a duplicate)."""
        kinds = (*MEASURED, ApplyKind.DUPLICATE)
        return sum(self.technical.counts.get(k.value, 0) for k in kinds)

    def technical_note(self) -> str:
        """The technical stage's note in the status bar: failures, what was not saved."""
        c = self.counts
        notes = []
        if c["failed"]:
            notes.append(f"{c['failed']} failed — see View ▸ Problems")
        if c["write_failed"]:
            notes.append(f"{c['write_failed']} not saved")
        return "; ".join(notes)

    def took_xmp(self, applied: XmpApplied) -> None:
        """What writing the XMP's readings as decisions did."""
        self.xmp_applied = applied.applied
        self.xmp_problems = applied.problems
        self.xmp_default_stars = applied.default_stars
        self.xmp_extra_labels = applied.extra_labels
        self.xmp_faces_named = applied.faces_named
        self.xmp_unread = list(applied.unread)

    def stage_finished(self, stage: str, ran_s: float) -> None:
        """Note that `stage` has ended now, after running `ran_s` seconds (added to
        its earlier part's when it ran twice in the run: the faces back-fill,
        then its look again)."""
        ended = time.monotonic() - self.started_at
        before = self.stage_times.get(stage, {}).get("ran_s", 0.0)
        ran = round(before + ran_s, 3)
        self.stage_times[stage] = {"ran_s": ran, "finished_at_s": round(ended, 3)}

    @property
    def counts(self) -> dict[str, int]:
        """The import summary keys of `curator import --json`."""
        c = import_counts(self.technical)
        c["restored"] += self.restored_unchanged
        c["missing"] = self.missing
        c["write_failed"] = int(self.technical.counts.get("write_failed", 0))
        c["xmp_applied"] = self.xmp_applied
        c["xmp_default_stars_skipped"] = self.xmp_default_stars
        c["xmp_extra_labels"] = self.xmp_extra_labels
        c["xmp_faces_named"] = self.xmp_faces_named
        return c


def summary_sentence(report: RunReport) -> str:
    """One sentence for the status bar: the import's counts and the later stages."""
    parts: list[str] = []
    if report.request.reads_files:
        parts.extend(_import_parts(report))
    for stage, verb in (("embed", "embedded"), ("describe", "described")):
        counts = report.stages.get(stage, {})
        if counts.get("done"):
            parts.append(f"{counts['done']} {verb}")
        if counts.get("skipped"):
            parts.append(f"{stage} skipped")
    score = report.stages.get("score", {})
    if score.get("scored"):
        parts.append(f"{score['scored']} scored")
    people = report.stages.get("people", {})
    if "forgotten" in people:  # recognising people switched off: forgotten everywhere
        erased = (
            f", also in {people['backups_erased']} backups" if people.get("backups_erased") else ""
        )
        parts.append(f"{people['forgotten']} face descriptors and every person forgotten{erased}")
    if report.error:
        head = "Import stopped" if report.request.reads_files else "Pipeline stopped"
        return f"{head}: {report.error}"
    if report.request.reads_files and report.request.part_of and not report.cancelled:
        head = f"{report.request.part_of}, the copies landed so far"
    elif report.request.reads_files:
        head = "Import cancelled" if report.cancelled else "Import finished"
    else:
        head = "Pipeline cancelled" if report.cancelled else "Pipeline finished"
    where = f" on the Ray cluster at {report.cluster}" if report.cluster else ""
    text = (
        f"{head}: {', '.join(parts) or 'nothing to do'} in {duration_text(report.elapsed_s)}"
        f"{where}."
    )
    if report.request.reads_files and report.counts["failed"]:
        text += " View ▸ Problems lists them with the reason."
    if people.get("reason"):  # a backup forgetting could not rewrite: how to delete it
        text += f" {people['reason']}"
    return text


def _import_parts(report: RunReport) -> list[str]:
    c = report.counts
    parts = [f"{c['found']} files", f"{c['new']} new"]
    for key in ("changed", "moved", "restored", "duplicates", "missing", "failed"):
        if c[key]:
            parts.append(f"{c[key]} {key}")
    if c["skipped_deleted"]:
        parts.append(f"{c['skipped_deleted']} skipped (moved to the trash before)")
    if c["xmp_applied"]:
        parts.append(f"{c['xmp_applied']} rated from XMP")
    if c["write_failed"]:
        parts.append(f"{c['write_failed']} could not be saved")
    if report.scan_problems:
        parts.append(f"{len(report.scan_problems)} could not be scanned")
    return parts
