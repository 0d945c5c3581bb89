"""A burst's star and the proposal on laughing faces (issue 74 §2): a frame whose
only not-open eyes are narrowed in a laugh beats one where nobody smiles; of two
laughing frames the wider eyes win; a shut eye loses to any frame without one;
eyes Curator can't tell, and a person not found, never count against a frame;
smiles are compared person by person (ml.faces.moment, ml.bursts.best_frame,
cull.rules.propose and the words of cull.looks)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import permutations

from curator.cull.checks import checks_for
from curator.cull.looks import ready_reason
from curator.cull.rules import propose
from curator.ml.bursts import best_frame
from curator.ml.faces.moment import people_of
from curator.ml.faces.verdicts import summarize
from curator.records import (
    EyeState,
    Face,
    FacesSummary,
    Frame,
    KeyEyes,
    Looking,
    ProposalFrame,
    ProposalReason,
    ProposalVerdict,
)

OPEN, N, C, U = EyeState.OPEN, EyeState.NARROWED, EyeState.CLOSED, EyeState.UNKNOWN
PLACES = ((0.10, 0.3), (0.40, 0.3), (0.70, 0.3))  # three people side by side


UNTOLD = "untold"  # a gaze Curator cannot tell, on open eyes


def person(
    at: int,
    eyes: EyeState,
    smile: float,
    openness: float | None = None,
    look: Looking | str | None = None,
) -> Face:
    """Person `at`'s key face: its eyes, smile, openness (by its eyes when not
    given) and look (at the camera when its eyes are open, unless `UNTOLD`)."""
    x, y = PLACES[at]
    wide = {OPEN: 0.28, N: 0.07, C: 0.03, U: None}[eyes] if openness is None else openness
    gaze = look if isinstance(look, Looking) else None
    if look is None and eyes is OPEN:
        gaze = Looking.CAMERA
    return Face((x, y, 0.1, 0.15), 150, True, eyes, None, wide, 70.0, True, 0.9, smile, gaze)


def shot(pid: int, *faces: Face, sharpness: float = 80.0) -> Frame:
    """A frame of one burst, as the catalog's reader gives it: the faces'
    summary and its key faces."""
    s = summarize(list(faces), sharpness)
    return Frame(
        pid,
        "cam",
        datetime(2024, 6, 1) + timedelta(seconds=pid),
        None,
        sharpness,
        90.0,
        None,
        eyes_open=s.eyes_open,
        closed_eyes=s.closed_eyes,
        key_face_sharpness=s.key_sharpness,
        faces_ready=s.ready,
        all_at_camera=s.all_at_camera,
        smiling=s.smiling,
        smile=min(f.smile for f in faces if f.smile is not None),
        key_eyes=tuple(KeyEyes.of(f) for f in faces),
        laughing=s.laughing,
    )


def star(*frames: Frame) -> set[int]:
    """The star in every order of the frames (capture order is the photo id's)."""
    return {
        best_frame(sorted(order, key=lambda f: f.photo_id)) for order in permutations(frames)
    } | {best_frame(list(frames))}


def test_a_laugh_beats_a_frame_where_nobody_smiles() -> None:
    laugh = shot(1, person(0, N, 0.95), person(1, OPEN, 0.85))
    glum = shot(2, person(0, OPEN, 0.02), person(1, OPEN, 0.03))
    assert star(laugh, glum) == {1}
    # the same laugh read shut (before issue 74) lost the star to the glum frame
    blink = shot(3, person(0, C, 0.95), person(1, OPEN, 0.85))
    assert star(blink, glum) == {2}


def test_of_two_laughing_frames_the_wider_eyes_win() -> None:
    """Narrowed eyes a little wider (not the half blink `OPEN_SHARE` tells):
    the frame first in capture order would win the tie."""
    narrow = shot(1, person(0, N, 0.95, openness=0.08), person(1, OPEN, 0.9))
    wider = shot(2, person(0, N, 0.95, openness=0.09), person(1, OPEN, 0.9))
    assert star(narrow, wider) == {2}


def test_a_shut_eye_loses_to_any_frame_without_one() -> None:
    shut = shot(1, person(0, C, 0.95), person(1, N, 0.95), sharpness=95.0)
    for other in (
        shot(2, person(0, OPEN, 0.01), person(1, OPEN, 0.0)),  # nobody smiles
        shot(2, person(0, U, 0.01), person(1, OPEN, 0.0)),  # a face Curator can't tell
        shot(2, person(1, OPEN, 0.01)),  # a person not found
    ):
        assert star(shut, other) == {2}


def test_open_eyes_beat_narrowed_ones_when_the_smiles_tie() -> None:
    """Alike but for one person's eyes, open in one and narrowed in the other
    (measured as wide, so that no later step tells them), neither gaze told:
    open wins, though later."""
    laugh = shot(1, person(0, N, 0.9, openness=0.3), person(1, OPEN, 0.92, look=UNTOLD))
    smiles = shot(2, person(0, OPEN, 0.9, look=UNTOLD), person(1, OPEN, 0.92, look=UNTOLD))
    assert star(laugh, smiles) == {2}


def test_eyes_curator_can_t_tell_never_count_against_a_frame() -> None:
    hidden = shot(1, person(0, OPEN, 0.9), person(1, U, 0.93))  # sunglasses, smiling
    glum = shot(2, person(0, OPEN, 0.02), person(1, OPEN, 0.01))
    assert star(hidden, glum) == {1}


def test_a_person_not_found_is_not_held_against_the_frame() -> None:
    """The frame where all found smile wins over one where a third person is
    found too but nobody smiles: a face missed is unknown, not unready."""
    found_two = shot(1, person(0, OPEN, 0.9), person(1, OPEN, 0.92))
    glum_three = shot(2, person(0, OPEN, 0.01), person(1, OPEN, 0.02), person(2, OPEN, 0.0))
    assert star(found_two, glum_three) == {1}


def test_one_seen_looking_away_still_costs_the_frame() -> None:
    away = shot(1, person(0, OPEN, 0.9), person(1, OPEN, 0.92, look=Looking.AWAY))
    ready = shot(2, person(0, OPEN, 0.4), person(1, OPEN, 0.3))
    assert star(away, ready) == {2}


def test_smiles_are_compared_person_by_person() -> None:
    """Both frames have everyone smiling and the same least smile; the one
    whose people smile broader, person by person, wins."""
    weaker = shot(1, person(0, OPEN, 0.66), person(1, OPEN, 0.65), person(2, OPEN, 0.91))
    broad = shot(2, person(0, OPEN, 0.65), person(1, OPEN, 0.97), person(2, OPEN, 0.91))
    assert star(weaker, broad) == {2}


def test_people_are_matched_by_place_across_frames() -> None:
    a = shot(1, person(0, OPEN, 0.9), person(1, OPEN, 0.9))
    b = shot(2, person(1, OPEN, 0.9), person(2, OPEN, 0.9))
    people = people_of([a, b])
    assert sorted(sorted(p) for p in people) == [[0], [0, 1], [1]]


def test_without_the_key_faces_the_star_counts_the_faces_ready() -> None:
    """A reader that gives only the summary (no key faces) keeps the rule
    the summary can say: the most faces ready."""
    two = shot(1, person(0, OPEN, 0.9), person(1, OPEN, 0.92))
    three = shot(2, person(0, OPEN, 0.01), person(1, OPEN, 0.02), person(2, OPEN, 0.0))
    bare = [Frame(**{**vars_of(f), "key_eyes": ()}) for f in (two, three)]
    assert best_frame(bare) == 2


def vars_of(frame: Frame) -> dict[str, object]:
    return {k: getattr(frame, k) for k in Frame.__dataclass_fields__}


# -- the proposal and its words ---------------------------------------------------


def proposed(pid: int, *faces: Face) -> ProposalFrame:
    s = summarize(list(faces), 80.0)
    return ProposalFrame(
        photo_id=pid,
        sharpness_score=80.0,
        exposure_score=95.0,
        exposure_ev=0.0,
        highlight_clip=0.01,
        burst=1,
        faces=s,
        key_boxes=tuple(f.box for f in faces),
        key_faces=faces,
    )


def test_the_proposal_keeps_the_laugh_and_says_so() -> None:
    glum = proposed(1, person(0, OPEN, 0.02), person(1, OPEN, 0.03))
    laugh = proposed(2, person(0, N, 0.95), person(1, OPEN, 0.9))
    run = propose([glum, laugh], checks_for(None))
    verdicts = {p.photo_id: p for p in run.proposals}
    assert verdicts[2].verdict is ProposalVerdict.KEEP
    assert verdicts[2].why == "both smiling, 1 laughing"
    assert verdicts[1].reasons == (ProposalReason.DUPLICATE,)  # not "closed eyes"


def test_a_laugh_is_never_a_closed_eye_reject() -> None:
    alone = proposed(1, person(0, N, 0.95))
    (only,) = propose([alone], checks_for(None)).proposals
    assert only.verdict is ProposalVerdict.KEEP
    shut = proposed(2, person(0, C, 0.95))
    (rejected,) = propose([shut], checks_for(None)).proposals
    assert rejected.reasons == (ProposalReason.CLOSED_EYES,)


def test_the_words_say_laughing_where_a_laugh_is() -> None:
    assert ready_reason([person(0, N, 0.95)]) == "laughing"
    assert ready_reason([person(0, N, 0.95), person(1, N, 0.9)]) == "both laughing"
    three = [person(0, N, 0.95), person(1, OPEN, 0.9), person(2, OPEN, 0.8)]
    assert ready_reason(three) == "all smiling, 1 laughing"
    opened = [person(0, OPEN, 0.95), person(1, OPEN, 0.9)]
    assert ready_reason(opened) == "everyone's eyes open · both smiling, looking at the camera"


def test_the_summary_s_laugh_flag_reads_as_the_stage_wrote_it() -> None:
    assert FacesSummary().laughing is False
