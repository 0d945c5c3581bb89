"""The guides point at the generated tables instead of repeating their numbers
(issue 82 §3); where a guide's prose still gives a check's line as an example
("BLUR: sharpness under 30"), the number is one of that line's values in the
checks' table (cull.table), so a retuned line can't leave a guide saying an
old one. Generated regions are the table itself and are left out."""

from __future__ import annotations

import re
from pathlib import Path

from curator.cull import table
from curator.cull.check_types import Genre, Sensitivity

REPO = Path(__file__).resolve().parents[2]
GENERATED = re.compile(r"<!-- generated: [\w.:-]+ -->.*?<!-- end generated -->", re.S)
# The guides and how-tos (the decision records are history: they keep the numbers of
# their day on purpose).
PAGES = [
    REPO / "README.md",
    *sorted((REPO / "docs" / "guide").glob("*.md")),
    *sorted((REPO / "docs").glob("how-to-*.md")),
]
COMPARISON = r"[^.\n|;()]{0,60}?\b(?:under|below|above|over|from)\s+(\d+(?:\.\d+)?)\s*(%?)"


def _values(line: table.Line) -> set[float]:
    """Every value the line takes: each sensitivity, each kind of shoot."""
    found = set()
    for genre in (None, *Genre):
        for level in Sensitivity:
            if level is not Sensitivity.OFF:
                value = line.value(genre, level)
                found.add(round(value * (100 if line.percent else 1), 3))
    return found


def _prose(page: Path) -> str:
    return GENERATED.sub("", page.read_text(encoding="utf-8"))


def test_a_guides_example_of_a_line_is_one_of_its_values() -> None:
    said: list[tuple[str, str, float]] = []
    for check in table.CHECKS:
        for line in check.lines:
            values = _values(line)
            names = [line.measure]
            if check.badge is not None and len(check.lines) == 1:
                names.append(check.badge.text)
            for page in PAGES:
                text = _prose(page)
                for name in names:
                    for m in re.finditer(rf"\b{re.escape(name)}\b" + COMPARISON, text):
                        number = float(m.group(1))
                        said.append((page.name, name, number))
                        assert number in values, (
                            f"{page.relative_to(REPO)} says {name} at {m.group(1)}{m.group(2)}:"
                            f" the table's {line.name} is one of {sorted(values)}"
                        )
    # The guides name the lines' measures without their numbers (only the table does).
    assert not [s for s in said if s[0] in ("app.md", "cull-for-me.md")], said


def test_the_check_finds_a_stale_number() -> None:
    blur = next(c for c in table.CHECKS if c.name == "sharpness")
    stale = "- **BLUR**: sharpness under 33 (about a 2 px blur)"
    line = blur.lines[0]
    m = re.search(rf"\b{re.escape(blur.badge.text)}\b" + COMPARISON, stale)  # type: ignore[union-attr]
    assert m is not None and float(m.group(1)) not in _values(line)
