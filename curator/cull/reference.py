"""The cull checks in words, written from `cull.table` and nothing else: the
docs' table of checks (`checks_markdown`, rendered where a page says
`<!-- generated: cull-checks -->`) and the list `curator cull --help` ends
with (`checks_help`). Pure: text only, no Qt, no catalog.

Lines are said at their default (no kind of shoot); a kind of shoot's own
line and each sensitivity's are said beside it, as the rules compute them
(`Line.value`), so what is printed is what is applied.
"""

from __future__ import annotations

import textwrap

from curator.cull import table
from curator.cull.check_types import ON_OFF, CullCheck, Genre, Line, Sensitivity

MARKER = "<!-- generated: cull-checks -->"  # where a docs page shows `checks_markdown`


def _fails(check: CullCheck) -> str:
    """ "`sharpness_score` below 30"; a flag: "the faces stage says `closed_eyes`"."""
    if check.flag:
        return f"the faces stage says `{check.flag}`"
    if not check.lines:
        return "never: it weighs a moment's best frame"
    said = (f"`{ln.measure}` {ln.direction.value} {ln.shown(ln.at)}" for ln in check.lines)
    return " or ".join(said)


def _at(lines: tuple[Line, ...], genre: Genre | None, level: Sensitivity) -> str:
    return ", ".join(line.shown(line.value(genre, level)) for line in lines)


def _levels(check: CullCheck) -> str:
    """ "Off · Lenient 20 · Normal 30 · Strict 40"; on or off: "Off · On"."""
    if check.levels == ON_OFF or not check.lines:
        return " · ".join(
            "On" if lv is Sensitivity.NORMAL else lv.value.title() for lv in check.levels
        )
    words = []
    for level in check.levels:
        text = level.value.title()
        words.append(
            text if level is Sensitivity.OFF else f"{text} {_at(check.lines, None, level)}"
        )
    return " · ".join(words)


def _kinds(check: CullCheck) -> str:
    """ "portrait 40; sports 25", "off for landscape, sports", or "" (the same for all)."""
    parts = [
        f"{genre.value}: {_at(check.lines, genre, Sensitivity.NORMAL)}"
        for genre in Genre
        if genre not in check.off_for and any(genre in line.genres for line in check.lines)
    ]
    if check.off_for:
        parts.append("off for " + ", ".join(g.value for g in Genre if g in check.off_for))
    return "; ".join(parts)


def _reasons(check: CullCheck) -> str:
    return ", ".join(f"{r.words} ({r.pill})" for r in check.reasons) or "—"


def checks_markdown() -> str:
    """The docs' table of checks, what each catches and why its lines are where
    they are, and every reason's words (Markdown)."""
    out = [
        "| Check | Fails a frame when | Reasons (tile pill) | Sensitivities | Kinds of shoot"
        " | Badge |",
        "|---|---|---|---|---|---|",
    ]
    for check in table.CHECKS:
        badge = check.badge.text if check.badge is not None else "—"
        out.append(
            f"| {check.label} (`{check.name}`) | {_fails(check)} | {_reasons(check)}"
            f" | {_levels(check)} | {_kinds(check) or 'the same for all'} | {badge} |"
        )
    out.append("")
    for check in table.CHECKS:
        out.append(f"- **{check.label}**: {check.docs}")
        out.extend(f"  Its line {line.shown(line.at)}: {line.why}." for line in check.lines)
    out += ["", "| Reason | Tile pill | What it says of the frame |", "|---|---|---|"]
    for words in table.all_reason_words():
        out.append(f"| {words.words} | {words.pill} | {words.means} |")
    return "\n".join(out) + "\n"


def checks_help(width: int = 78) -> str:
    """`curator cull --help`'s list of the checks, one line or a few each."""
    out = textwrap.wrap(
        "checks (--propose applies each at Normal, on the lines of the kind of shoot; "
        "the window's Cull ▸ Propose… offers the sensitivities):",
        width,
    )
    for check in table.CHECKS:
        label = check.label.lower()
        name = check.name if label == check.name.replace("_", " ") else f"{check.name} ({label})"
        said = [
            f"{name}: fails when {_fails(check)}" if check.reasons else f"{name}: never rejects"
        ]
        said.append(f"sensitivities: {_levels(check)}")
        if kinds := _kinds(check):
            said.append(f"kinds of shoot: {kinds}")
        if check.reasons:
            said.append("reasons: " + ", ".join(r.words for r in check.reasons))
        for i, text in enumerate(said):
            indent = "  " if i == 0 else "    "
            out += textwrap.wrap(
                text.replace("`", ""), width, initial_indent=indent, subsequent_indent="      "
            )
    return "\n".join(out) + "\n"
