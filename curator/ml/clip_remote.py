"""The embed stage on a Ray cluster: one CLIP model per actor (per GPU), batches in, vectors out.

`embed_on_cluster` yields what `ml.clip_batches.embed_files` yields, computed
by `EmbedWorker` actors:
- one actor per GPU (or per node without GPUs), loading its node's weights
  (`EmbedWorker.ready`: a node that cannot skips the stage with its sentence)
  and batching with `clip_batches.BatchLoader`; actors not started within
  `ACTOR_START_S` are left out;
- the seat reads the files and ships their bytes (the CLIP rendition when
  `smaller`, else the preview);
- at most `IN_FLIGHT` batches per actor; a dead actor's batch goes to another;
  with none left, `EmbeddingFailed`;
- `cancel` and `wait` are checked before each batch; the actors are always
  killed at the end.

Invariants: `ray` is imported only when the generator runs; no Qt, no catalog.
"""

from __future__ import annotations

import socket
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import replace
from pathlib import Path
from threading import Event
from typing import TYPE_CHECKING, Any

from curator.engine.cluster import RayCluster
from curator.ml.clip_batches import (
    BatchLoader,
    EmbedBatchResult,
    EmbedFailure,
    SmallerSource,
    human_message,
    input_side,
    run_batch,
    with_smaller_sources,
)
from curator.ml.clip_loading import auto_batch_size
from curator.ml.config import ClipConfig, EmbeddingFailed, ModelUnavailable

if TYPE_CHECKING:
    from curator.ml.embedder import ClipEmbedder

IN_FLIGHT = 2  # batches sent ahead per actor: one computing, one on its way
ACTOR_START_S = 300.0  # a node loads the model (and imports torch) within this
ACTOR_GRACE_S = 30.0  # ... and the other actors within this of the first (or as long again)


class EmbedWorker:
    """A Ray actor's body: one CLIP model on its node (see the module docstring)."""

    def __init__(self, config: ClipConfig):
        from curator.ml.embedder import ClipEmbedder

        self.embedder: ClipEmbedder = ClipEmbedder(config)
        self.host = socket.gethostname()
        self.loader: BatchLoader[int] | None = None

    def ready(self) -> tuple[str, str] | None:
        """Load the model; None, or (sentence, detail) when this node cannot."""
        from curator.ml.clip_fetch import download_probe, weights_present

        config = self.embedder.config
        try:
            if config.allow_download and not weights_present(config):
                offline = download_probe(config)
                if offline is not None:
                    raise ModelUnavailable(offline)
            self.embedder.load()
        except ModelUnavailable as exc:
            return f"On the Ray node {self.host}: {exc.message}", exc.detail
        self.loader = BatchLoader(self.embedder, self.embedder.loader_plan(), Event())
        return None

    def input_side(self) -> int:
        """The short side this node's model takes (`clip_batches.input_side`)."""
        return input_side(self.embedder.load())

    def embed(self, index: int, items: Sequence[tuple[int, str, bytes]]) -> EmbedBatchResult[int]:
        """One batch: (key, the seat's path, the preview's bytes) each."""
        if self.loader is None:  # `ready` first; a bare call still works
            self.ready()
        assert self.loader is not None
        tasks = self.loader.submit(items)
        return run_batch(self.embedder, index, [self.loader.result(task) for task in tasks])


def actor_count(nodes: list[dict[str, Any]]) -> tuple[int, bool]:
    """How many actors on these nodes (`ray.nodes()`, the live ones now: a node
    may have left since the cluster was joined), and whether each holds a GPU."""
    resources = [n.get("Resources") or {} for n in nodes if n.get("Alive")]
    gpus = sum(r.get("GPU", 0.0) for r in resources)
    if gpus >= 1:
        return int(gpus), True
    return max(1, sum(1 for r in resources if r.get("CPU", 0.0) >= 1)), False


def _has_gpus(nodes: list[dict[str, Any]]) -> bool:
    return actor_count(nodes)[1]


def _read(item: tuple[int, str]) -> tuple[int, str, bytes] | EmbedFailure[int]:
    key, path = item
    try:
        return key, path, Path(path).read_bytes()
    except OSError as err:
        return EmbedFailure(key, path, human_message(path, err), type(err).__name__, str(err))


def _ready(actors: list[Any], address: str) -> list[Any]:
    """The actors that loaded their model within `ACTOR_START_S` (the others
    are left: their GPU or CPU is someone else's now). Raises ModelUnavailable
    when a node cannot load it, EmbeddingFailed when none could start."""
    import ray
    from ray.exceptions import RayError

    checks = {actor.ready.remote(): actor for actor in actors}
    started = time.monotonic()
    done, waiting = ray.wait(list(checks), num_returns=1, timeout=ACTOR_START_S)
    if waiting and done:  # the others get as long again as the first took, 30 s at least
        grace = max(ACTOR_GRACE_S, time.monotonic() - started)
        more, _ = ray.wait(waiting, num_returns=len(waiting), timeout=grace)
        done += more
    live = []
    for ref in done:
        try:
            problem = ray.get(ref)
        except RayError:
            continue  # its node left while it started
        if problem is not None:
            raise ModelUnavailable(*problem)
        live.append(checks[ref])
    if not live:
        raise EmbeddingFailed(
            f"No embedding worker could start on the Ray cluster at {address} within "
            f"{ACTOR_START_S:.0f} s "
            "(its GPUs or CPUs are all taken); the photos are embedded by the next import."
        )
    return live


def embed_on_cluster(
    cluster: RayCluster,
    config: ClipConfig,
    items: Sequence[tuple[int, str]],
    cancel: Event,
    *,
    wait: Callable[[], bool] = lambda: True,
    smaller: SmallerSource | None = None,
) -> Generator[EmbedBatchResult[int], None, None]:
    """Embed the photos (key, preview path) on the cluster (module docstring), each
    from its `smaller` picture where the actors' model loses nothing by it.
    Raises ModelUnavailable (no node can load the model) and EmbeddingFailed."""
    import ray
    from ray.exceptions import RayError, RayTaskError

    if not items:
        return
    size = config.batch_size or auto_batch_size("cuda" if _has_gpus(ray.nodes()) else "cpu")
    count, on_gpus = actor_count(ray.nodes())
    options: dict[str, Any] = {"num_gpus": 1, "num_cpus": 1} if on_gpus else {"num_cpus": 1}
    worker_class: Any = ray.remote(EmbedWorker).options(
        max_restarts=0, scheduling_strategy="SPREAD", **options
    )
    actors: list[Any] = [worker_class.remote(config) for _ in range(count)]
    try:
        live = _ready(actors, cluster.address)
        if smaller is not None:  # the seat reads what the nodes' model will use
            side = int(ray.get(live[0].input_side.remote()))
            items = with_smaller_sources(items, side, smaller)
        batches = [list(items[start : start + size]) for start in range(0, len(items), size)]
        sent: deque[tuple[int, Any, Any, list[EmbedFailure[int]]]] = deque()
        turn = 0

        def send(index: int) -> None:
            nonlocal turn
            read = [_read(item) for item in batches[index]]
            payload = [r for r in read if not isinstance(r, EmbedFailure)]
            failed = [r for r in read if isinstance(r, EmbedFailure)]
            actor = live[turn % len(live)]
            turn += 1
            sent.append((index, actor, actor.embed.remote(index, payload), failed))

        following = 0
        while following < len(batches) or sent:
            while following < len(batches) and len(sent) < IN_FLIGHT * len(live):
                if cancel.is_set() or not wait():
                    return
                send(following)
                following += 1
            index, actor, ref, failed = sent.popleft()
            try:
                result: EmbedBatchResult[int] = ray.get(ref)
            except RayTaskError as exc:  # the model itself failed there (out of memory…)
                raise EmbeddingFailed(
                    f"The embedding model failed on the Ray cluster: {exc.cause}", str(exc)
                ) from exc
            except RayError:  # the actor died (its node left): a live actor takes the batch
                if actor in live:
                    live.remove(actor)
                if not live:
                    raise EmbeddingFailed(
                        f"The Ray cluster at {cluster.address} lost every worker that embedded "
                        "photos; the photos not embedded yet are embedded by the next import."
                    ) from None
                send(index)
                sent.rotate(1)  # ... and is taken first, in order
                continue
            if cancel.is_set():
                return
            yield replace(result, failures=result.failures + tuple(failed)) if failed else result
    finally:
        for actor in actors:
            ray.kill(actor)
