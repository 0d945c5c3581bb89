"""The guide's command lines are true (issue 80 §6): every `curator …` the
documentation writes in backticks names a command that exists, with options
and values its parser takes. A synopsis (`[--json]`, `a|b`, `PATH…`) is left
to the generated reference; a placeholder in capitals (FOLDER, N) stands for
a value; `curator FOLDER` (the window) is not a command line of the CLI."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

from curator.cli import build_parser

DOCS = Path(__file__).resolve().parents[2] / "docs"
SYNOPSIS = set("[]|…<>{}")
WRONG = re.compile(r"unrecognized arguments|invalid (choice|int value|float value)")


def _examples() -> list[tuple[str, list[str]]]:
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        for m in re.finditer(r"`curator ([^`]+)`", page.read_text(encoding="utf-8")):
            text = m.group(1)
            if SYNOPSIS & set(text) or "..." in text:
                continue
            words = shlex.split(text)
            if words and not words[0].startswith("-") and not words[0].islower():
                continue  # `curator FOLDER`, `curator COMMAND --help`: not a command word
            if words and (words[0].startswith(("~", "/", ".")) or "/" in words[0]):
                continue  # `curator ~/Pictures/2024`: the window on a folder
            found.append((page.relative_to(DOCS).as_posix(), words))
    return found


def _refusal(words: list[str]) -> str | None:
    """What the parser says against `words` (placeholders filled with "x", then
    "1"), or None when it takes them or only misses a required argument (a
    command named in a sentence, not a whole command line)."""
    said = ""
    for value in ("x", "1"):
        filled = [value if re.fullmatch(r"[A-Z][A-Z0-9_]*", w) else w for w in words]
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                build_parser().parse_args(filled)
                return None
            except SystemExit as exc:
                if exc.code == 0:
                    return None
        said = err.getvalue().strip().splitlines()[-1]
        if not WRONG.search(said):
            return None
    return said


def test_the_guides_command_lines_are_ones_the_program_takes() -> None:
    examples = _examples()
    assert len(examples) > 100  # the guide is full of them: the scan found them
    wrong = [(page, " ".join(words), said) for page, words in examples if (said := _refusal(words))]
    assert not wrong, wrong


def test_a_wrong_option_or_value_is_caught() -> None:
    assert _refusal(["list", "--order", "newest"]) is not None
    assert _refusal(["cull", "--propose", "--keep", "ten"]) is not None
    assert _refusal(["list", "--nonsense"]) is not None
    assert _refusal(["undo", "--json"]) is None
