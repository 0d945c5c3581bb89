"""The window's cull controls as checks (cull.tuning): Normal is exactly the
kind of shoot's lines (what `curator cull --propose --genre` applies), the
other sensitivities move the lines as the table says, Off turns a check off
in the rules themselves; and the summary's words (cull.summary) shared by
the command line and the dialog."""

from __future__ import annotations

from collections import Counter

import pytest

from curator.cull.check_types import Genre, Sensitivity
from curator.cull.checks import CullChecks, checks_for, judge
from curator.cull.rules import ProposalSummary
from curator.cull.summary import counts_text, reasons_text, short_text
from curator.cull.tuning import CullTuning, default_levels, tuned_checks
from curator.records import FacesSummary, ProposalFrame, ProposalReason

S = Sensitivity


def _frame(**kw: object) -> ProposalFrame:
    fields: dict[str, object] = {
        "photo_id": 1, "sharpness_score": 80.0, "exposure_score": 95.0, "exposure_ev": 0.0,
        "highlight_clip": 0.01,
        "exposure_time": 1 / 500, "focal_length": 50.0, "burst": None, "burst_best": False,
        "faces": None, "key_boxes": (), "taste": None, "decided": None,
    }  # fmt: skip
    fields.update(kw)
    return ProposalFrame(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("genre", [None, *Genre])
def test_normal_is_the_kind_of_shoots_own_checks(genre: Genre | None) -> None:
    assert tuned_checks(CullTuning(genre=genre)) == checks_for(genre)


def test_the_sensitivities_move_the_lines() -> None:
    lenient = tuned_checks(CullTuning(levels={"sharpness": S.LENIENT, "exposure": S.LENIENT}))
    strict = tuned_checks(CullTuning(levels={"sharpness": S.STRICT, "exposure": S.STRICT}))
    assert lenient.line("blur_below") == pytest.approx(20.0)
    assert strict.line("blur_below") == pytest.approx(40.0)
    assert lenient.line("exposure_below") == pytest.approx(40.0)
    assert strict.line("exposure_below") == pytest.approx(75.0)
    assert (lenient.line("clip_above"), strict.line("clip_above")) == (0.25, 0.10)
    portrait = tuned_checks(CullTuning(Genre.PORTRAIT, {"sharpness": S.STRICT}))
    assert portrait.line("blur_below") == pytest.approx(40.0 * 4 / 3)  # the genre's own line
    soft = _frame(sharpness_score=35.0)
    assert judge(soft, tuned_checks(CullTuning())).acceptable
    assert judge(soft, strict).reasons == (ProposalReason.BLUR,)


def test_off_turns_a_check_off_in_the_rules() -> None:
    blurred = _frame(sharpness_score=5.0)
    burnt = _frame(exposure_score=10.0, exposure_ev=2.5, highlight_clip=0.6)
    off = tuned_checks(CullTuning(levels={"sharpness": S.OFF, "exposure": S.OFF}))
    assert not off.applies("sharpness") and not off.applies("exposure")
    assert judge(blurred, off).acceptable and judge(burnt, off).acceptable
    assert judge(blurred, CullChecks()).reasons == (ProposalReason.BLUR,)
    assert judge(burnt, CullChecks()).reasons == (ProposalReason.OVER_EXPOSED,)


def test_face_checks_follow_the_kind_of_shoot_unless_set() -> None:
    blink = FacesSummary(
        count=1, judged=1, key=1, closed_eyes=True, soft_face=False, eyes_open=False,
        key_sharpness=60.0,
    )  # fmt: skip
    frame = _frame(faces=blink)
    faces = ("closed_eyes", "soft_face")
    assert [default_levels(Genre.LANDSCAPE)[c] for c in faces] == [S.OFF, S.OFF]
    assert [default_levels(Genre.PEOPLE)[c] for c in faces] == [S.NORMAL, S.NORMAL]
    assert judge(frame, tuned_checks(CullTuning(genre=Genre.PEOPLE))).reasons == (
        ProposalReason.CLOSED_EYES,
    )
    assert judge(frame, tuned_checks(CullTuning(levels={"closed_eyes": S.OFF}))).acceptable
    on_for_sports = tuned_checks(CullTuning(Genre.SPORTS, {"closed_eyes": S.NORMAL}))
    assert on_for_sports.applies("closed_eyes") and not on_for_sports.applies("soft_face")


def test_the_summary_in_words() -> None:
    s = ProposalSummary(photos=2000, keep=300, reject=1700, highlights=45, acceptable=300,
                        target=412, short=True)  # fmt: skip
    assert counts_text(s) == "keep 300 · reject 1,700 · highlights 45"
    assert reasons_text(Counter({"blur": 3, "duplicate": 1200})) == "duplicate 1,200, blur 3"
    assert short_text(s) == "Only 300 frame(s) passed every check: 300 kept, not the 412 asked for."
    assert short_text(ProposalSummary(10, 5, 5, 1, 9, None, False)) == ""
