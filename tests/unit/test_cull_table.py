"""The cull checks' one table (cull.table, issue 73 §1): every reason has its
words and its pill, every check that rejects has its badge, every measure a
check reads is one the records carry; and each consumer reads the table —
a row changed here moves the rules, the sensitivities, the kinds of shoot,
the tiles' badges, pills and tooltips, the loupe's words, the command's help
and the docs' reference together."""

from __future__ import annotations

import argparse
import dataclasses
from fractions import Fraction

import pytest

from curator.catalog.models import Photo
from curator.catalog.types import GalleryRow
from curator.cull import table
from curator.cull.check_types import LEVELS, ON_OFF, Genre, Sensitivity
from curator.cull.checks import checks_for, judge
from curator.cull.reference import checks_help, checks_markdown
from curator.cull.tuning import CullTuning, default_levels, tuned_checks
from curator.figures import figure_named
from curator.records import FacesSummary, Proposal, ProposalFrame, ProposalReason, ProposalVerdict
from curator.ui.gallery.flags import badge_pills, photo_flags, tooltip
from curator.ui.loupe.proposal_mark import proposal_line

S = Sensitivity


def _frame(**kw: object) -> ProposalFrame:
    base = ProposalFrame(1, sharpness_score=80.0, exposure_score=95.0, exposure_ev=0.0,
                         highlight_clip=0.01, exposure_time=1 / 500)  # fmt: skip
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def _row(**kw: object) -> GalleryRow:
    base = GalleryRow(
        id=1, file_name="IMG_0001.jpg", path="/shoot/IMG_0001.jpg", captured_at=None,
        camera=None, lens=None, iso=None, exposure_time=None, f_number=None,
        focal_length=None, width=None, height=None, thumbnail_key=None, preview_key=None,
        sharpness_score=80.0, exposure_score=95.0, preference_score=None, cull="unreviewed",
        rating=None, picked=False, failed_reason=None, highlight_clip=0.01,
    )  # fmt: skip
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def _patch(monkeypatch: pytest.MonkeyPatch, name: str, **changes: object) -> None:
    """The table with the check `name` changed (its other rows as they are)."""
    rows = tuple(
        dataclasses.replace(c, **changes) if c.name == name else c  # type: ignore[arg-type]
        for c in table.CHECKS
    )
    monkeypatch.setattr(table, "CHECKS", rows)


def _with_line(monkeypatch: pytest.MonkeyPatch, check: str, line: str, **changes: object) -> None:
    row = table.check(check)
    lines = tuple(
        dataclasses.replace(ln, **changes) if ln.name == line else ln  # type: ignore[arg-type]
        for ln in row.lines
    )
    _patch(monkeypatch, check, lines=lines)


# --- the table is whole ------------------------------------------------------------


@pytest.mark.parametrize("reason", list(ProposalReason))
def test_every_reason_has_its_words_and_its_pill(reason: ProposalReason) -> None:
    words = table.reason_words(reason)
    assert words.reason is reason
    assert words.pill and words.pill == words.pill.upper() and " " not in words.pill
    assert words.words and words.means
    said = [w for w in table.all_reason_words() if w.reason is reason]
    assert said == [words]  # one row per reason, never two to drift apart


def test_every_check_that_rejects_has_a_badge_and_every_row_its_words() -> None:
    names = [c.name for c in table.CHECKS]
    assert len(set(names)) == len(names)
    line_names = [ln.name for c in table.CHECKS for ln in c.lines]
    assert len(set(line_names)) == len(line_names)
    for check in table.CHECKS:
        assert check.label and check.docs, check.name
        assert check.levels in (LEVELS, ON_OFF), check.name
        if check.reasons:
            assert check.badge is not None and check.badge.text, check.name
            assert check.lines or check.flag or check.judge, check.name
        for line in check.lines:
            assert line.why, line.name
            assert line.at == line.value(None, S.NORMAL)


def test_every_measure_a_check_reads_is_carried_by_both_records() -> None:
    frame_fields = {f.name for f in dataclasses.fields(ProposalFrame)}
    row_fields = {f.name for f in dataclasses.fields(GalleryRow)}
    columns = set(Photo._meta.columns)
    for check in table.CHECKS:
        for line in check.lines:
            m = line.measure
            assert m in columns, f"{check.name}: {m} is no stored measure"
            # a field of both records, or a declared figure they carry by name
            assert figure_named(m) is not None or (m in frame_fields and m in row_fields), m
        if check.flag:
            assert check.flag in {f.name for f in dataclasses.fields(FacesSummary)}


# --- each consumer reads it ---------------------------------------------------------


def test_a_moved_line_moves_the_rule_the_badge_and_the_words_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frame, row = _frame(sharpness_score=40.0), _row(sharpness_score=40.0)
    assert judge(frame, checks_for(None)).acceptable
    assert not photo_flags(row, 70.0).shows("sharpness")
    _with_line(monkeypatch, "sharpness", "blur_below", at=50.0)
    assert judge(frame, checks_for(None)).reasons == (ProposalReason.BLUR,)
    flags = photo_flags(row, 70.0)
    assert flags.shows("sharpness") and badge_pills(flags) == ["BLUR"]
    assert "Probably blurred (sharpness 40 / 100)" in tooltip(row, flags)
    assert "`sharpness_score` below 50" in checks_markdown()
    assert "sharpness_score below 50" in checks_help()


def test_the_sensitivities_and_the_kinds_of_shoot_are_the_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _with_line(monkeypatch, "sharpness", "blur_below", scale={S.STRICT: Fraction(2)},
               genres={Genre.EVENT: 45.0})  # fmt: skip
    assert tuned_checks(CullTuning(levels={"sharpness": S.STRICT})).line("blur_below") == 60.0
    assert checks_for(Genre.EVENT).line("blur_below") == 45.0
    assert checks_for(Genre.PORTRAIT).line("blur_below") == 30.0  # its own line is gone
    _patch(monkeypatch, "soft_face", off_for=frozenset({Genre.EVENT}))
    assert not checks_for(Genre.EVENT).applies("soft_face")
    assert checks_for(Genre.LANDSCAPE).applies("soft_face")
    assert default_levels(Genre.EVENT)["soft_face"] is S.OFF
    assert "Strict 60" in checks_help() and "event: 45" in checks_markdown()


def test_a_badge_and_a_pill_are_their_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    blink = FacesSummary(count=1, judged=1, key=1, closed_eyes=True, eyes_open=False)
    row = _row(
        faces=blink,
        proposal=Proposal(1, ProposalVerdict.REJECT, (ProposalReason.CLOSED_EYES,), 0.8),
    )
    words = dataclasses.replace(table.reason_words(ProposalReason.CLOSED_EYES),
                                pill="BLINK", words="a blink")  # fmt: skip
    badge = dataclasses.replace(table.check("closed_eyes").badge, text="EYES SHUT", says="Shut")  # type: ignore[arg-type]
    _patch(monkeypatch, "closed_eyes", reasons=(words,), badge=badge)
    flags = photo_flags(row, 70.0)
    assert flags.proposed_why == "BLINK" and badge_pills(flags) == ["EYES SHUT"]
    said = tooltip(row, flags)
    assert "Shut" in said and "Proposed reject: a blink (sure: 80%" in said
    assert proposal_line(row.proposal).startswith("Reject? a blink (sure: 80%)")


def test_the_help_lists_every_check_as_the_command_prints_it() -> None:
    from curator.cli import build_parser

    help_text = checks_help()
    for check in table.CHECKS:
        assert f"  {check.name}" in help_text
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert sub.choices["cull"].format_help().endswith(help_text)


def test_the_reference_says_every_check_and_reason() -> None:
    text = checks_markdown()
    for check in table.CHECKS:
        assert f"| {check.label} (`{check.name}`) |" in text
    for words in table.all_reason_words():
        assert f"| {words.words} | {words.pill} | {words.means} |" in text


def test_the_docs_site_renders_the_reference_from_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """scripts/docs_hooks.py's `cull-checks` is `checks_markdown`, and the guide's
    page about the proposal holds its marker (the site's strict build, in
    tests/integration/test_docs_site.py, fails on a table no page uses)."""
    import importlib.util
    from pathlib import Path

    from curator.cull.reference import MARKER

    repo = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("docs_hooks", repo / "scripts/docs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    page = (repo / "docs/guide/cull-for-me.md").read_text(encoding="utf-8")
    assert MARKER in page.splitlines()
    _with_line(monkeypatch, "sharpness", "blur_below", at=33.0)
    rendered = hooks.on_page_markdown(page, page=None)
    assert MARKER not in rendered and checks_markdown().rstrip("\n") in rendered
    assert "`sharpness_score` below 33" in rendered
