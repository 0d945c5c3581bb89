"""The describe and embed stages: plan, run on their own pools, apply.

- describe (LLM pool, `llm_concurrency` threads): a health check first;
  without Ollama or the model every planned photo is `skipped` with what to do
  (the next run back-fills). One `StageRunner` job per photo runs
  `llm.client.run_describe`; `catalog.judgments.store_description` stores it.
- embed (ML pool): one `engine.delivery.Job` runs `embed_all`
  (`ml.clip_batches.embed_files`), delivering each batch, then `EmbedEnded`;
  the main thread stores them (`catalog.judgments.store_embeddings`). Missing
  weights mark the photos `skipped`.
With a Ray cluster (`ray_address`) describe goes to `llm.remote.describe_on_cluster`
and embed to `ml.clip_remote.embed_on_cluster` (an `EmbedSource`).
Plans come from `judgments.photos_needing(stage, version)`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from curator.catalog import judgments
from curator.catalog.models import Stage, StageStatus
from curator.catalog.writer import Attempted, record_error
from curator.engine.delivery import Delivery, Job, delivery_to
from curator.engine.stage_runner import RunSummary, StageGate, StageRunner
from curator.llm.client import (
    COMPATIBLE_PROVIDER,
    DescribeFailure,
    DescribeOutcome,
    Describer,
    DescribeRequest,
    LLMConfig,
    check_llm,
    provider_for,
    run_describe,
)
from curator.ml.config import ClipConfig, EmbeddingFailed, ModelUnavailable
from curator.settings import Settings, clip_config, embedding_model_id

if TYPE_CHECKING:
    # numpy, Pillow (the batch loader) and the embedder load when an embed
    # stage has photos to embed: an import with nothing to embed, and the
    # callers of the light helpers below, never pay for them (issue 21 §1).
    import numpy as np
    from numpy.typing import NDArray

    from curator.ml.clip_batches import EmbedBatchResult, SmallerSource
    from curator.ml.embedder import ClipEmbedder

# Re-exported: callers that already import this module get the light helpers here.
__all__ = [
    "DescribePlan",
    "DescribeRunner",
    "EmbedEnded",
    "EmbedRunner",
    "EmbedWritten",
    "apply_describe",
    "clip_config",
    "clip_renditions",
    "clip_sources",
    "embed_all",
    "embed_here",
    "embedding_model_id",
    "from_previews_where_renditions_failed",
    "gated_embedder",
    "llm_config",
    "mark_skipped",
    "plan_describe",
    "weights_host_reachable",
    "write_embed_message",
]


def llm_config(settings: Settings) -> LLMConfig:
    """The describe stage's LLM: an OpenAI-compatible server when `llm_base_url` is
    set (the model setting is then that server's model name), else Ollama."""
    compatible = settings.llm_base_url.strip()
    if compatible:
        model = settings.llm_model.strip().removeprefix("ollama/")
        return LLMConfig(
            provider=f"{COMPATIBLE_PROVIDER}/{model}",
            base_url=compatible,
            json_mode=settings.llm_json_mode,
        )
    return LLMConfig(
        provider=provider_for(settings.llm_model.strip()),
        base_url=settings.ollama_url,
        json_mode=settings.llm_json_mode,
    )


def weights_host_reachable(host: str = "huggingface.co", timeout_s: float = 3.0) -> bool:
    """A quick 'are we online?' probe before a download that would otherwise retry
    for a minute when offline."""
    try:
        with socket.create_connection((host, 443), timeout=timeout_s):
            return True
    except OSError:
        return False


# -- describe ---------------------------------------------------------------------


@dataclass(frozen=True)
class DescribePlan:
    requests: list[DescribeRequest]
    skip_reason: str | None  # set when the LLM is not there: nothing will run


def plan_describe(
    settings: Settings, cache_dir: str, *, health_check: bool = True, redo: bool = False
) -> DescribePlan:
    """The photos to describe: those with no description yet (a photo that failed
    with another model or prompt is tried again). A new model or prompt does not
    re-describe what is described; `redo` does (`curator describe --redo`)."""
    config = llm_config(settings)
    todo = judgments.photos_needing(
        Stage.DESCRIBE, config.stage_version, done_at_any_version=not redo
    )
    requests = [DescribeRequest(pid, os.path.join(cache_dir, key), config) for pid, key in todo]
    if not requests or not health_check:
        return DescribePlan(requests, None)
    health = check_llm(config)
    if not health.ok:
        return DescribePlan(requests, health.message)
    return DescribePlan(requests, None)


def mark_skipped(stage: Stage, photo_ids: list[int], version: str, reason: str) -> None:
    judgments.set_stage(photo_ids, stage, StageStatus.SKIPPED, version, reason)


def apply_describe(batch: list[Attempted[DescribeOutcome]], version: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for item in batch:
        o = item.outcome
        if isinstance(o, DescribeFailure):
            status = StageStatus.SKIPPED if o.skip else StageStatus.FAILED
            judgments.set_stage([o.photo_id], Stage.DESCRIBE, status, version, o.message)
            if not o.skip:
                record_error(
                    stage=Stage.DESCRIBE,
                    photo_id=o.photo_id,
                    attempt=item.attempts,
                    max_attempts=item.max_attempts,
                    error_type=o.error_type,
                    message=o.message,
                    detail=o.detail,
                )
            counts[status.value] += 1
        else:
            judgments.store_description(
                o.photo_id,
                subject=o.subject,
                content_type=o.content_type,
                lighting_critique=o.lighting_critique,
                artistic_mood=o.artistic_mood,
                tags=o.tags,
                model=o.model,
                prompt_version=o.prompt_version,
            )
            counts[StageStatus.DONE.value] += 1
    return counts


def _describe_crash(request: DescribeRequest, exc: BaseException) -> DescribeOutcome:
    return DescribeFailure(
        request.photo_id,
        f"Curator hit an internal error while describing this photo ({type(exc).__name__}).",
        repr(exc),
        type(exc).__name__,
    )


class DescribeRunner(StageRunner[DescribeRequest, DescribeOutcome]):
    """Describes on the LLM pool (`work`: `run_describe` with `describer`, or
    the request sent to a Ray cluster, `llm.remote.describe_on_cluster`);
    given `writes` (the pipeline's writer thread), each batch's descriptions
    are stored there, never on the UI thread."""

    def __init__(
        self,
        describer: Describer,
        threads: QThreadPool,
        parent: QObject | None = None,
        *,
        writes: QThreadPool | None = None,
        work: Callable[[DescribeRequest], DescribeOutcome] | None = None,
    ):
        version = describer.config.stage_version
        super().__init__(
            "describe",
            threads,
            work or (lambda request: run_describe(request, describer)),
            lambda batch: apply_describe(batch, version),
            on_error=_describe_crash,
            max_attempts=1,  # the describer already retries transport faults with backoff
            batch_size=4,
            writes=writes,
            parent=parent,
        )


# -- embed ------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbedEnded:
    """The embed job's last message: `failure` is (sentence, detail) when the
    model could not run (the photos still pending are then skipped)."""

    failure: tuple[str, str] | None = None


EmbedMessage: TypeAlias = "EmbedBatchResult[int] | EmbedEnded"


# Where the batches come from: (items, cancel) -> batch results in order, as
# `ml.clip_batches.embed_files` (this computer's model) or
# `ml.clip_remote.embed_on_cluster` (a Ray cluster's actors) yields them.
EmbedSource: TypeAlias = (
    "Callable[[list[tuple[int, str]], threading.Event], Iterator[EmbedBatchResult[int]]]"
)


def embed_here(
    embedder: ClipEmbedder, items: list[tuple[int, str]], cancel: threading.Event
) -> Iterator[EmbedBatchResult[int]]:
    """The batches of this computer's model (`embed_files`), from each preview's CLIP
    rendition where the cache has one and the model takes no more pixels than it
    holds (`imaging.cache.clip_rendition`: a tenth of the decoding), else from the
    preview itself."""
    from curator.ml.clip_batches import embed_files

    return embed_files(embedder, clip_sources(embedder, items), cancel=cancel)


def clip_sources(embedder: ClipEmbedder, items: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """`items` with each preview replaced by its CLIP rendition where that serves."""
    from curator.ml.clip_batches import input_side, with_smaller_sources

    embedder.load()  # its input size; a missing model raises here, as embed_files would
    return with_smaller_sources(items, input_side(embedder), clip_renditions())


def clip_renditions() -> SmallerSource:
    """The cache's CLIP renditions, as the embed stage (here or on a cluster) reads them."""
    from curator.imaging.cache import CLIP_SHORT_SIDE, clip_rendition_of
    from curator.ml.clip_batches import SmallerSource

    def find(preview: str) -> str | None:
        rendition = clip_rendition_of(preview)
        return None if rendition is None else str(rendition)

    return SmallerSource(CLIP_SHORT_SIDE, find)


def embed_all(
    source: EmbedSource,
    items: list[tuple[int, str]],
    delivery: Delivery[EmbedMessage],
    cancel: threading.Event,
) -> EmbedEnded:
    """Embed every planned photo (the ML pool's thread drives `source`),
    delivering each batch as it is done."""
    previews = dict(items)
    try:
        for result in source(items, cancel):
            result = from_previews_where_renditions_failed(source, result, previews, cancel)
            if not delivery.deliver(result):
                break  # the receiver is gone (shutdown): stop embedding
    except (ModelUnavailable, EmbeddingFailed) as exc:
        return EmbedEnded((exc.message, exc.detail))
    return EmbedEnded()


def from_previews_where_renditions_failed(
    source: EmbedSource,
    result: EmbedBatchResult[int],
    previews: dict[int, str],
    cancel: threading.Event,
) -> EmbedBatchResult[int]:
    """A CLIP rendition that could not be read is the cache's fault, never the
    photo's (the cache is never the truth): it is dropped, and its photos are
    embedded again from their previews, in this batch's result."""
    from curator.imaging.cache import clip_rendition_of

    again: list[int] = []
    for failure in result.failures:
        rendition = clip_rendition_of(previews[failure.key])
        if rendition is not None:
            with contextlib.suppress(OSError):
                rendition.unlink()  # the next preview made for it makes it again
            again.append(failure.key)
    if not again:
        return result
    import numpy as np

    from curator.ml.clip_batches import EmbedBatchResult

    redone = list(source([(key, previews[key]) for key in again], cancel))
    vectors = np.concatenate([result.vectors, *(r.vectors for r in redone)])
    vectors.setflags(write=False)
    kept = tuple(f for f in result.failures if f.key not in again)
    return EmbedBatchResult(
        index=result.index,
        keys=result.keys + tuple(key for r in redone for key in r.keys),
        vectors=vectors,
        failures=kept + tuple(f for r in redone for f in r.failures),
    )


def _embed_crashed(exc: Exception) -> EmbedEnded:
    return EmbedEnded((f"The embedding model failed: {exc}", repr(exc)))


def gated_embedder(config: ClipConfig, gate: StageGate, auto_download: bool) -> ClipEmbedder:
    """A ClipEmbedder that waits at `gate` before each batch and may download
    its weights on first use. The download decision (a reachability probe)
    runs in `load()`, i.e. on the ML thread, never on the caller's."""
    from curator.ml.embedder import ClipEmbedder, model_unavailable_message, weights_present

    class GatedClipEmbedder(ClipEmbedder):
        def load(self) -> ClipEmbedder:
            missing = not self.loaded and not self.config.allow_download
            if missing and not weights_present(self.config):
                if not (auto_download and weights_host_reachable()):
                    # Offline or not allowed: say how to get them; try nothing.
                    raise ModelUnavailable(model_unavailable_message(self.config))
                self.config = replace(self.config, allow_download=True)
            return super().load()

        def embed_tensors(self, batch: Any) -> Any:
            gate.wait_until_open()  # paused: hold the next batch (cancel opens the gate)
            return super().embed_tensors(batch)

        def launch_pixels(self, pixels: Any) -> Any:  # the pixel path (embed_pixels too)
            gate.wait_until_open()
            return super().launch_pixels(pixels)

    return GatedClipEmbedder(config)


@dataclass(frozen=True)
class EmbedWritten:
    """What the writer thread did with one message of the embed job: a batch's
    vectors stored (`stored`, for the in-memory cache) and its failures noted,
    or, at the end, the photos still pending skipped with `reason`."""

    stored: tuple[tuple[int, NDArray[np.float32]], ...] = ()
    failed: int = 0
    write_failed: int = 0
    skipped: int = 0
    reason: str = ""
    ended: bool = False


def write_embed_message(model_id: str, message: EmbedMessage, pending: list[int]) -> EmbedWritten:
    """Persist one message of `embed_all` (on the writer thread, in order)."""
    if isinstance(message, EmbedEnded):
        if message.failure is None or not pending:
            return EmbedWritten(ended=True, reason=message.failure[0] if message.failure else "")
        reason, detail = message.failure
        mark_skipped(Stage.EMBED, pending, model_id, reason)
        record_error(
            stage=Stage.EMBED, error_type="ModelUnavailable", message=reason, detail=detail
        )
        return EmbedWritten(skipped=len(pending), reason=reason, ended=True)
    items = list(zip(message.keys, message.vectors, strict=True))
    try:
        judgments.store_embeddings(model_id, items)
    except Exception as exc:
        return _not_written(message, exc)
    for failure in message.failures:
        judgments.set_stage(
            [failure.key], Stage.EMBED, StageStatus.FAILED, model_id, failure.message
        )
        record_error(
            stage=Stage.EMBED,
            photo_id=failure.key,
            path=failure.path,
            error_type=failure.error_type,
            message=failure.message,
            detail=failure.detail,
        )
    return EmbedWritten(stored=tuple(items), failed=len(message.failures))


def _not_written(message: EmbedMessage, exc: Exception) -> EmbedWritten:
    """Not stored: the photos stay pending and the next run embeds them."""
    if isinstance(message, EmbedEnded):
        text = f"Curator could not note that embedding was skipped: {exc}"
        record_error(stage=Stage.EMBED, error_type=type(exc).__name__, message=text)
        return EmbedWritten(ended=True, reason=message.failure[0] if message.failure else "")
    count = len(message.keys)
    text = f"Curator could not save {count} embedding(s): {exc}"
    record_error(stage=Stage.EMBED, error_type=type(exc).__name__, message=text, detail=repr(exc))
    return EmbedWritten(write_failed=count + len(message.failures))


class EmbedRunner(QObject):
    """Embeds the planned photos on `threads` (the ML pool); each batch is
    stored by a Job on `writes` (the pipeline's writer thread: one at a time,
    in the order the batches came), never on the UI thread; `finished(RunSummary)`
    once the last write is back."""

    progressed = Signal(int, int)
    finished = Signal(object)

    def __init__(
        self,
        embedder: ClipEmbedder,
        threads: QThreadPool,
        parent: QObject | None = None,
        *,
        writes: QThreadPool,
        on_stored: Callable[[list[tuple[int, NDArray[np.float32]]]], None] | None = None,
        source: EmbedSource | None = None,
    ):
        super().__init__(parent)
        self.embedder, self.threads, self.writes = embedder, threads, writes
        self.source: EmbedSource = source or partial(embed_here, embedder)
        self.on_stored = on_stored  # e.g. the app's in-memory embedding cache
        self.skip_reason = ""
        self.model_id = embedder.model_id
        self._delivery: Delivery[EmbedMessage] = delivery_to(self, self._on_delivered)
        self._written: Delivery[EmbedWritten] = delivery_to(self, self._on_written)
        self._cancel = threading.Event()
        self._pending: set[int] = set()  # not yet handed to the writer
        self._summary = RunSummary()
        self._total = self._settled = 0
        self._started_at = time.monotonic()
        self.running = False

    def start(self, items: list[tuple[int, str]]) -> None:
        self._cancel.clear()
        self._pending = {pid for pid, _ in items}
        self._total, self._settled = len(items), 0
        self._summary = RunSummary(found=len(items))
        self._started_at = time.monotonic()
        self.running = True
        run = partial(embed_all, self.source, items, self._delivery, self._cancel)
        self.threads.start(Job(run, self._delivery, _embed_crashed))

    def cancel(self) -> None:
        self._cancel.set()

    @Slot(object)
    def _on_delivered(self, message: EmbedMessage) -> None:
        """Hand the message to the writer thread (after the batches before it)."""
        if isinstance(message, EmbedEnded):
            pending = sorted(self._pending) if message.failure is not None else []
            self._pending.clear()
        else:
            pending = []
            self._pending.difference_update(message.keys)
            self._pending.difference_update(f.key for f in message.failures)
        job = partial(write_embed_message, self.model_id, message, pending)
        self.writes.start(Job(job, self._written, partial(_not_written, message)))

    @Slot(object)
    def _on_written(self, written: EmbedWritten) -> None:
        counts = self._summary.counts
        if written.ended:
            self.skip_reason = written.reason if written.skipped else ""
            counts[StageStatus.SKIPPED.value] += written.skipped
            self._finish()
            return
        if written.stored and self.on_stored is not None:
            self.on_stored(list(written.stored))
        counts[StageStatus.DONE.value] += len(written.stored)
        counts[StageStatus.FAILED.value] += written.failed
        counts["write_failed"] += written.write_failed
        self._settled += len(written.stored) + written.failed + written.write_failed
        self.progressed.emit(self._settled, self._total)

    def _finish(self) -> None:
        self.running = False
        self._summary.cancelled = self._cancel.is_set()
        self._summary.elapsed_s = time.monotonic() - self._started_at
        self.finished.emit(self._summary)
