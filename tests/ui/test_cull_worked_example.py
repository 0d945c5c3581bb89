"""The worked example of docs/how-to-add-a-cull-check.md (issue 73 §6): a
throw-away "crushed shadows" check, added to the checks' table inside the
test — one row; its stored figure (`shadow_clip`, declared in
curator.figures, which the proposal's frame reads by name) — shows in the
rules, the Propose dialog's rows and counts (read from a real catalog), a
tile's badge, REJECT? pill and tooltip, the docs' reference and `curator
cull --help`, and nothing else is written for it.

`ProposalReason` is a closed enum (adding a real check adds its member
there); the test's check gives a reason of its own kind, which a proposal
and a tile carry as they carry a `ProposalReason`. Its proposals are never
written: the catalog reads a stored reason back as a `ProposalReason`."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel
from pytestqt.qtbot import QtBot

from curator.app import App
from curator.catalog.models import Photo
from curator.cull import table
from curator.cull.check_types import (
    Badge,
    CullCheck,
    Direction,
    Genre,
    Line,
    ReasonWords,
    Sensitivity,
)
from curator.cull.checks import checks_for, judge
from curator.cull.reference import checks_help, checks_markdown
from curator.cull.rules import propose
from curator.cull.tuning import CullTuning, tuned_checks
from curator.records import FigureValues, Proposal, ProposalFrame, ProposalVerdict
from curator.ui.cull.dialog import ProposeDialog
from curator.ui.gallery.flags import photo_flags, tooltip
from curator.ui.gallery.view import flag_pills

S = Sensitivity


class Reason(StrEnum):
    CRUSHED = "crushed shadows"


CRUSHED = CullCheck(
    name="shadows",
    label="Crushed shadows",
    docs="Much of the frame is black.",
    reasons=(ReasonWords(Reason.CRUSHED, "CRUSHED", "crushed shadows", "much of it black"),),  # type: ignore[arg-type]
    lines=(
        Line(
            "shadows_above",
            "shadow_clip",
            Direction.ABOVE,
            0.4,
            why="a throw-away line for the test",
            genres={Genre.SPORTS: 0.6},
            scale={S.LENIENT: Fraction(3, 2), S.STRICT: Fraction(3, 4)},
            percent=True,
        ),
    ),
    tooltip="Strict rejects less black; lenient lets more through.",
    badge=Badge("CRUSHED", "Crushed shadows ({shadow_clip:.0%} black)"),
)


@pytest.fixture
def crushed(monkeypatch: pytest.MonkeyPatch) -> Iterator[CullCheck]:
    """The table with the check last, and its stored measure read."""
    monkeypatch.setattr(table, "CHECKS", (*table.CHECKS, CRUSHED))
    yield CRUSHED


def _black(value: float | None) -> FigureValues:
    """A frame's `figures` with `shadow_clip` at `value`."""
    return FigureValues((("shadow_clip", value),))


def test_the_rules_reject_a_frame_for_its_reason(crushed: CullCheck) -> None:
    clean = ProposalFrame(1, sharpness_score=80.0, exposure_score=95.0, exposure_ev=0.0,
                          highlight_clip=0.01, figures=_black(0.1))  # fmt: skip
    black = replace(clean, photo_id=2, figures=_black(0.5))
    unmeasured = replace(clean, photo_id=3, figures=_black(None))
    run = propose([clean, black, unmeasured], checks_for(None))
    got = {p.photo_id: (p.verdict, p.reasons) for p in run.proposals}
    assert got[2] == (ProposalVerdict.REJECT, (Reason.CRUSHED,))
    assert got[1] == got[3] == (ProposalVerdict.KEEP, ())  # not measured: not checked
    assert judge(black, checks_for(Genre.SPORTS)).acceptable  # sports' own line, 60 %
    assert judge(black, tuned_checks(CullTuning(levels={"shadows": S.LENIENT}))).acceptable
    assert judge(black, tuned_checks(CullTuning(levels={"shadows": S.OFF}))).acceptable
    strict = tuned_checks(CullTuning(levels={"shadows": S.STRICT}))
    assert judge(replace(clean, figures=_black(0.35)), strict).reasons == (Reason.CRUSHED,)


def test_the_reference_and_the_help_say_it(crushed: CullCheck) -> None:
    from curator.cli import build_parser

    row = (
        "| Crushed shadows (`shadows`) | `shadow_clip` above 40 % | crushed shadows (CRUSHED)"
        " | Off · Lenient 60 % · Normal 40 % · Strict 30 % | sports: 60 % | CRUSHED |"
    )
    assert row in checks_markdown()
    assert "| crushed shadows | CRUSHED | much of it black |" in checks_markdown()
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    said = sub.choices["cull"].format_help()
    assert "  shadows (crushed shadows): fails when shadow_clip above 40 %" in said
    assert "sensitivities: Off · Lenient 60 % · Normal 40 % · Strict 30 %" in said
    assert said.endswith(checks_help())


T0 = datetime(2025, 6, 1, 12, 0, 0)


def _photo(i: int, black: float) -> int:
    return int(
        Photo.create(
            path=f"/noisy-shoot/IMG_{i:04d}.jpg".encode(),
            content_hash=f"noisy{i}",
            captured_at=T0 + timedelta(seconds=30 * i),
            sharpness_score=80.0,
            exposure_score=95.0,
            exposure_ev=0.0,
            highlight_clip=0.01,
            exposure_time=1 / 500,
            focal_length=50.0,
            shadow_clip=black,
        ).id
    )


def _row_label(dialog: ProposeDialog, combo: QComboBox) -> str:
    form = dialog.findChild(QGroupBox).layout()  # the checks' group
    assert isinstance(form, QFormLayout)
    label = form.labelForField(combo)
    assert isinstance(label, QLabel)
    return label.text()


def test_the_window_shows_it_in_the_dialog_and_on_the_tiles(
    crushed: CullCheck, app: App, qtbot: QtBot
) -> None:
    clean = [_photo(i, 0.05) for i in range(4)]
    black = _photo(9, 0.55)
    model = app.window.model
    model.refresh()
    dialog = app.window.cull.open_dialog()
    assert dialog is not None
    # The dialog: a row per check, in the table's order, the new one last.
    assert list(dialog.level_combos) == [c.name for c in table.CHECKS]
    combo = dialog.level_combos["shadows"]
    assert _row_label(dialog, combo) == "Crushed shadows:"
    assert combo.toolTip() == CRUSHED.tooltip
    assert [combo.itemData(i) for i in range(combo.count())] == [s.value for s in S]
    qtbot.waitUntil(lambda: dialog.counts_current, timeout=20_000)
    assert dialog.counts_label.text().startswith("keep 4 · reject 1")
    assert "crushed shadows 1" in dialog.reasons_label.text()
    assert dialog.tuning().level("shadows") is S.NORMAL
    combo.setCurrentIndex(combo.findData(S.OFF.value))
    qtbot.waitUntil(lambda: dialog.counts_current, timeout=20_000)
    assert dialog.counts_label.text().startswith("keep 5 · reject 0")
    dialog.close()

    # The tiles: the badge and its sentence, read from the catalog's own rows.
    def row(pid: int) -> Any:
        at = model.row_for(pid)
        return None if at is None else model.photo_row(at)

    qtbot.waitUntil(lambda: row(black) is not None and row(clean[0]) is not None)
    flags = photo_flags(row(black), 70.0)
    assert flags.shows("shadows") and not photo_flags(row(clean[0]), 70.0).shows("shadows")
    assert "CRUSHED" in [text for text, _ in flag_pills(flags)[1]]
    assert "Crushed shadows (55% black)" in tooltip(row(black), flags)
    # A proposed reject for it: the REJECT? pill's word and the sentence.
    proposal = Proposal(black, ProposalVerdict.REJECT, (Reason.CRUSHED,), 0.9)  # type: ignore[arg-type]
    rejected = replace(row(black), proposal=proposal)
    flags = photo_flags(rejected, 70.0)
    assert "REJECT? CRUSHED" in [text for text, _ in flag_pills(flags)[0]]
    said = tooltip(rejected, flags)
    assert "Proposed reject: crushed shadows (sure: 90%; not decided yet)" in said
