"""The pipeline's phases as a state machine (pipeline/phase.py): the transitions
are written down once, checked on every move, and never lead backwards."""

from __future__ import annotations

import pytest

from curator.pipeline.phase import TRANSITIONS, Phase, PhaseError, PhaseMachine

ORDER = list(Phase)  # IDLE, PREPARE, QUICK_LOOK, TECHNICAL, XMP, JUDGE, SCORE


def test_every_phase_can_end_the_run_and_none_goes_back() -> None:
    assert set(TRANSITIONS) == set(Phase)
    for source, targets in TRANSITIONS.items():
        if source is not Phase.IDLE:
            assert Phase.IDLE in targets, source
        for target in targets - {Phase.IDLE}:
            assert ORDER.index(target) > ORDER.index(source), (source, target)


def test_an_import_and_a_backfill_walk_their_phases() -> None:
    machine = PhaseMachine()
    for phase in (*ORDER[1:], Phase.IDLE):  # an import with new files, to its end
        machine.enter(phase)
    assert machine.history == [*ORDER, Phase.IDLE]
    machine.enter(Phase.JUDGE)  # the next run: a back-fill starts at JUDGE
    assert machine.history == [Phase.IDLE, Phase.JUDGE]


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ((), Phase.SCORE),  # nothing starts at SCORE
        ((Phase.PREPARE,), Phase.XMP),  # XMP waits for the technical rows
        ((Phase.PREPARE, Phase.TECHNICAL), Phase.QUICK_LOOK),  # never back
        ((Phase.JUDGE, Phase.SCORE), Phase.JUDGE),
        ((Phase.JUDGE, Phase.IDLE), Phase.IDLE),  # a run ends once
    ],
)
def test_a_transition_not_written_down_is_refused(path: tuple[Phase, ...], bad: Phase) -> None:
    machine = PhaseMachine()
    for phase in path:
        machine.enter(phase)
    before = machine.phase
    with pytest.raises(PhaseError, match=f"from {before} to {bad}"):
        machine.enter(bad)
    assert machine.phase is before
