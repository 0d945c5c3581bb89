"""The phases of a pipeline run, the transitions between them, and the pools
they run on.

`PipelineService` moves a run only through `PhaseMachine.enter`, which refuses
a transition not in `TRANSITIONS`, so a stale result never drags a run back.
All on the thread that owns the service.

    IDLE       → PREPARE | FACES | JUDGE (a back-fill)
    PREPARE    → QUICK_LOOK | TECHNICAL | IDLE
    QUICK_LOOK → TECHNICAL | IDLE
    TECHNICAL  → XMP | IDLE
    XMP        → FACES | JUDGE | IDLE
    FACES      → JUDGE | IDLE
    JUDGE      → SCORE | IDLE
    SCORE      → IDLE

Pools: PREPARE and XMP on the prepare pool; QUICK_LOOK and TECHNICAL on the
decode pool; FACES planned on the writer pool, judged in the decoder children;
JUDGE on the ML and LLM pools; SCORE on the ML pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QThreadPool


class Phase(StrEnum):
    IDLE = "idle"
    PREPARE = "prepare"
    QUICK_LOOK = "quick look"
    TECHNICAL = "technical"
    XMP = "xmp"
    FACES = "faces"
    JUDGE = "judge"
    SCORE = "score"


TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.IDLE: frozenset({Phase.PREPARE, Phase.FACES, Phase.JUDGE}),
    Phase.PREPARE: frozenset({Phase.QUICK_LOOK, Phase.TECHNICAL, Phase.IDLE}),
    Phase.QUICK_LOOK: frozenset({Phase.TECHNICAL, Phase.IDLE}),
    Phase.TECHNICAL: frozenset({Phase.XMP, Phase.IDLE}),
    Phase.XMP: frozenset({Phase.FACES, Phase.JUDGE, Phase.IDLE}),
    Phase.FACES: frozenset({Phase.JUDGE, Phase.IDLE}),
    Phase.JUDGE: frozenset({Phase.SCORE, Phase.IDLE}),
    Phase.SCORE: frozenset({Phase.IDLE}),
}


class PhaseError(RuntimeError):
    """A transition that `TRANSITIONS` does not allow: a bug, never user input."""


class PhaseMachine:
    """The current phase; `enter` checks every move against `TRANSITIONS`."""

    def __init__(self) -> None:
        self.phase = Phase.IDLE
        self.history: list[Phase] = [Phase.IDLE]  # this run's phases (tests, logs)

    def enter(self, target: Phase) -> None:
        if target not in TRANSITIONS[self.phase]:
            raise PhaseError(f"a pipeline run cannot go from {self.phase} to {target}")
        if self.phase is Phase.IDLE:
            self.history = [Phase.IDLE]
        self.phase = target
        self.history.append(target)


@dataclass(frozen=True)
class PipelinePools:
    """One pool per resource. The service does not own them: the composition
    root (app.py, or the CLI's pipeline/importer.py) makes them with its own
    `make_pool` and drains them at exit.

    prepare: scanning, planning, XMP (one thread); ml: CLIP embedding and the
    score step (one); llm: describe (`llm_concurrency`); decode: the threads
    that wait on the decoding child processes (quick look, then technical;
    sized per run to the number of children); write: the writer thread that
    applies the quick look's and the technical stage's batches, one at a time
    in order, so no catalog write of theirs runs on the UI thread (one);
    ingest: a card's copies (`curator.ingest`), planned and run off the UI
    thread while the pipeline imports what landed (one: the disks are the
    resource)."""

    prepare: QThreadPool
    ml: QThreadPool
    llm: QThreadPool
    decode: QThreadPool
    write: QThreadPool
    ingest: QThreadPool

    @classmethod
    def create(cls, make_pool: Callable[[int], QThreadPool], llm_threads: int = 2) -> PipelinePools:
        return cls(
            make_pool(1),
            make_pool(1),
            make_pool(llm_threads),
            make_pool(1),
            make_pool(1),
            make_pool(1),
        )

    def all(self) -> tuple[QThreadPool, ...]:
        return (self.prepare, self.ml, self.llm, self.decode, self.write, self.ingest)
