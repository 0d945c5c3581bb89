"""An import: scan a folder, then run the stages, and report.

Order: technical first (it makes the previews every later stage reads), then
embed and describe side by side on their own pools (each independent: a
photo with no description still gets an embedding), then score (rescore with
the newest taste model, or train the first one once there are enough
decisions) and bursts. `prepare_import` and the runners are what the GUI
drives; `run_import_headless` wraps them in a QCoreApplication event loop
for the CLI, with progress bars and Ctrl+C handling: the first Ctrl+C
cancels cooperatively (in-flight work finishes and is written), a second one
writes what is buffered and stops at once.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Protocol, TextIO

from PySide6.QtCore import QCoreApplication, QThreadPool, QTimer

from curator.catalog.models import Stage, StageStatus
from curator.catalog.writer import CatalogWriter
from curator.pipeline.isolation import ChildProcessPool
from curator.pipeline.runner import TechnicalRunner
from curator.pipeline.scan import Candidate, ScanProblem, ScanReport, scan_folder
from curator.pipeline.stage_runner import RunSummary
from curator.pipeline.technical import TechnicalPlan, init_decoder_process, plan_technical
from curator.settings import Settings


@dataclass(frozen=True)
class ImportJob:
    folder: str
    cache_dir: str
    settings: Settings
    stages: tuple[str, ...] = ("technical",)
    retry_failed: bool = False


@dataclass
class ImportResult:
    summary: RunSummary
    scan_problems: list[ScanProblem] = field(default_factory=list)
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    cancelled: bool = False


class _Runner(Protocol):
    @property
    def running(self) -> bool: ...

    def cancel(self) -> None: ...


def prepare_import(job: ImportJob) -> tuple[TechnicalPlan, list[ScanProblem]]:
    """Scan the folder and plan the technical stage (reads the catalog, writes nothing)."""
    report = ScanReport()
    candidates = scan_folder(job.folder, exclude=[job.cache_dir], report=report)
    plan = plan_technical(candidates, job.settings, job.cache_dir, retry_failed=job.retry_failed)
    return plan, report.problems


def plan_paths(paths: Iterable[str], settings: Settings, cache_dir: str) -> TechnicalPlan:
    """Plan the technical stage for these files only (a retry from the Failed lane).

    Each file is read again even if it failed before with the same size and
    mtime (`retry_failed`); a file that can't be stat'ed any more is planned
    too, so it fails again with an honest, current reason.
    """
    candidates = []
    for path in dict.fromkeys(paths):
        try:
            st = os.stat(path)
            candidates.append(Candidate(path, st.st_size, st.st_mtime_ns))
        except OSError:
            candidates.append(Candidate(path, None, None))
    return plan_technical(candidates, settings, cache_dir, retry_failed=True)


def make_process_pool(settings: Settings, plan: TechnicalPlan) -> ChildProcessPool:
    """Child processes for decoding, primed with the hashes already measured."""
    size = max(1, min(settings.decode_workers, len(plan.requests) or 1))
    return ChildProcessPool(size, initializer=init_decoder_process, initargs=(plan.known_hashes,))


class _Progress:
    """One tqdm bar per phase, on the given stream (or nothing)."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.bar: Any = None

    def begin(self, desc: str, total: int) -> None:
        self.end()
        if self.stream is None or total == 0:
            return
        from tqdm import tqdm

        self.bar = tqdm(
            total=total,
            unit="photo",
            desc=desc,
            file=self.stream,
            mininterval=0.2 if self.stream.isatty() else 5.0,
            dynamic_ncols=True,
        )

    def update(self, done: int, _total: int) -> None:
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def note(self, text: str) -> None:
        if self.stream is not None:
            print(text, file=self.stream)

    def end(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextmanager
def _event_loop(
    runners: list[_Runner], flushers: list[Callable[[], None]]
) -> Iterator[QCoreApplication]:
    """A Qt loop that Python can interrupt: Ctrl+C cancels, a second Ctrl+C exits."""
    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    interrupts = 0

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        nonlocal interrupts
        interrupts += 1
        for runner in runners:
            runner.cancel()
        if interrupts > 1:
            for flush in flushers:
                flush()
            raise SystemExit(130)

    previous = signal.signal(signal.SIGINT, on_sigint)
    # Qt's loop does not return to Python on its own; a short timer lets Python
    # run its signal handlers (Ctrl+C) promptly.
    ticker = QTimer()
    ticker.timeout.connect(lambda: None)
    ticker.start(100)
    try:
        yield app
    finally:
        ticker.stop()
        signal.signal(signal.SIGINT, previous)


def _wait_for(app: QCoreApplication, runners: list[Any]) -> None:
    def check(*_: object) -> None:
        if not any(r.running for r in runners):
            app.quit()

    for r in runners:
        r.finished.connect(check)
    if any(r.running for r in runners):
        app.exec()


def run_import_headless(
    job: ImportJob, writer: CatalogWriter, *, progress_stream: TextIO | None = None
) -> ImportResult:
    plan, problems = prepare_import(job)
    progress = _Progress(progress_stream)
    result = ImportResult(RunSummary(found=plan.found), problems)
    processes = make_process_pool(job.settings, plan)
    runner = TechnicalRunner(
        writer,
        processes,
        max_attempts=job.settings.max_attempts,
        timeout_s=job.settings.decode_timeout_s,
    )
    active: list[_Runner] = [runner]
    with _event_loop(active, [runner.flush_now]) as app:
        try:
            if "technical" in job.stages:
                progress.begin("Measuring", len(plan.requests))
                runner.progressed.connect(progress.update)
                runner.finished.connect(lambda s: setattr(result, "summary", s))
                runner.start_plan(plan)
                _wait_for(app, [runner])
                progress.end()
        finally:
            processes.close()
        result.cancelled = result.summary.cancelled
        if not result.cancelled:
            _run_judgment_stages(job, app, result, progress, active)
    runner.deleteLater()
    return result


def _run_judgment_stages(
    job: ImportJob,
    app: QCoreApplication,
    result: ImportResult,
    progress: _Progress,
    active: list[_Runner],
) -> None:
    from curator.llm.client import Describer
    from curator.ml.embedder import ClipEmbedder
    from curator.pipeline import judgment_stages as js

    settings = job.settings
    runners: list[Any] = []
    if "embed" in job.stages:
        from curator.ml.embedder import model_unavailable_message, weights_present

        config = js.clip_config(settings)
        model_id = js.embedding_model_id(settings)
        items = [
            (pid, f"{job.cache_dir}/{key}") for pid, key in _photos_needing(Stage.EMBED, model_id)
        ]
        missing = bool(items) and not weights_present(config)
        if missing and settings.clip_auto_download and js.weights_host_reachable():
            # First use, online: the embedder downloads the weights (progress on stderr).
            config = js.clip_config(settings, allow_download=True)
            missing = False
            progress.note(f"Downloading the CLIP weights {model_id} into your cache…")
        if missing:
            reason = model_unavailable_message(config)
            js.mark_skipped(Stage.EMBED, [pid for pid, _ in items], model_id, reason)
            result.stages["embed"] = {StageStatus.SKIPPED.value: len(items), "reason": reason}
            progress.note(f"Embeddings skipped: {reason}")
        elif items:
            ml_pool = QThreadPool()
            ml_pool.setMaxThreadCount(1)
            embedder = ClipEmbedder(config)
            embed = js.EmbedRunner(embedder, ml_pool)
            embed.finished.connect(lambda s: _record(result, "embed", s))
            progress.note(f"Embedding {len(items)} photos with CLIP {embedder.model_id}…")
            embed.start(items)
            runners.append(embed)
    if "describe" in job.stages:
        dplan = js.plan_describe(settings, job.cache_dir)
        if dplan.skip_reason:
            js.mark_skipped(
                Stage.DESCRIBE,
                [r.photo_id for r in dplan.requests],
                js.llm_config(settings).stage_version,
                dplan.skip_reason,
            )
            result.stages["describe"] = {
                StageStatus.SKIPPED.value: len(dplan.requests),
                "reason": dplan.skip_reason,
            }
            progress.note(f"Descriptions skipped: {dplan.skip_reason}")
        elif dplan.requests:
            llm_pool = QThreadPool()
            llm_pool.setMaxThreadCount(settings.llm_concurrency)
            describe = js.DescribeRunner(Describer(js.llm_config(settings)), llm_pool)
            describe.finished.connect(
                lambda s: result.stages.__setitem__("describe", dict(s.counts))
            )
            progress.note(
                f"Describing {len(dplan.requests)} photos with {js.llm_config(settings).provider}…"
            )
            describe.start(dplan.requests)
            runners.append(describe)
    active.extend(runners)
    _wait_for(app, runners)
    if result.cancelled:
        return
    if "score" in job.stages:
        result.stages["score"] = _score(settings)


def _record(result: ImportResult, stage: str, summary: RunSummary) -> None:
    result.stages[stage] = {k: v for k, v in summary.counts.items() if v}
    result.cancelled = result.cancelled or summary.cancelled


def _photos_needing(stage: Stage, version: str) -> list[tuple[int, str]]:
    from curator.catalog.judgments import photos_needing

    return photos_needing(stage, version)


def _score(settings: Settings) -> dict[str, Any]:
    from curator.catalog.judgments import latest_taste
    from curator.pipeline.judgment_stages import embedding_model_id
    from curator.pipeline.score import regroup_bursts, rescore, retrain_and_rescore

    model = embedding_model_id(settings)
    if latest_taste(model) is None:
        report = retrain_and_rescore(model)
        scored, version = report.scored, report.version
    else:
        scored, version = rescore(model), None
    tagged = _score_tags(settings, model)
    bursts = regroup_bursts(model, settings)
    return {"scored": scored, "new_model_version": version, "bursts": bursts, "tags_scored": tagged}


def _score_tags(settings: Settings, model: str) -> int:
    """CLIP's confidence for new AI tags (needs the CLIP weights; else left empty)."""
    from curator.catalog.judgments import (
        load_embeddings,
        tags_needing_confidence,
        write_tag_confidences,
    )
    from curator.ml.embedder import ClipEmbedder, ModelUnavailable, weights_present
    from curator.ml.tag_confidence import tag_confidences
    from curator.pipeline.judgment_stages import clip_config

    rows = tags_needing_confidence(model)
    config = clip_config(settings)
    if not rows or not weights_present(config):
        return 0
    ids, x = load_embeddings(model, sorted({pid for _, pid, _ in rows}))
    try:
        embedder = ClipEmbedder(config).load()
        values = tag_confidences(rows, dict(zip(ids, x, strict=True)), embedder.embed_texts)
    except ModelUnavailable:
        return 0
    write_tag_confidences(values)
    return len(values)


def run_stages_headless(job: ImportJob, *, progress_stream: TextIO | None = None) -> ImportResult:
    """Run the later stages (no scan, no technical) over the whole catalog: back-fill."""
    progress = _Progress(progress_stream)
    result = ImportResult(RunSummary())
    active: list[_Runner] = []
    with _event_loop(active, []) as app:
        _run_judgment_stages(job, app, result, progress, active)
    return result
