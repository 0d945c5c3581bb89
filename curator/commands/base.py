"""What every CLI command shares: exit codes, the usage error, the context, the
exit code of a pipeline run (import, describe), and the tables that name a JSON
output's fields once (`JsonField`: the command prints what its table lists, and
the docs site's reference reads the same table)."""

from __future__ import annotations

import signal
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from curator.catalog.db import Catalog
    from curator.paths import AppPaths
    from curator.settings import Settings

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_CATALOG, EXIT_CANCELLED = 0, 1, 2, 3, 130


class UsageError(Exception):
    """Bad input from the user; the message says what to do."""


@dataclass(frozen=True)
class CommandContext:
    """The open catalog, where things live, the settings and the two streams."""

    catalog: Catalog
    paths: AppPaths
    settings: Settings
    out: TextIO
    err: TextIO


@dataclass(frozen=True)
class JsonField:
    """One field of a command's JSON output and what it means. A field holding an
    object, a list of objects (`many`) or an object of objects keyed by a name
    (`keyed_by`, e.g. "stage") lists their own `fields`."""

    name: str
    meaning: str
    fields: tuple[JsonField, ...] = ()
    many: bool = False
    keyed_by: str = ""


def shaped(record: Any, fields: tuple[JsonField, ...]) -> Any:
    """`record` (or each record of a list) as the JSON output prints it: the fields
    of `fields` it holds, in their order, nested records shaped by their own. A
    field the table lacks is a ValueError, never silently dropped or undocumented."""
    if isinstance(record, list):
        return [shaped(r, fields) for r in record]
    unknown = set(record) - {f.name for f in fields}
    if unknown:
        raise ValueError(f"JSON fields missing from the output's table: {sorted(unknown)}")
    out = {}
    for f in fields:
        if f.name not in record:
            continue  # an optional field (`faces` before the faces stage looked)
        value = record[f.name]
        if f.fields and value is not None:
            keyed = {k: shaped(v, f.fields) for k, v in value.items()} if f.keyed_by else None
            value = keyed if keyed is not None else shaped(value, f.fields)
        out[f.name] = value
    return out


def fields_markdown(fields: tuple[JsonField, ...], prefix: str = "") -> list[str]:
    """The rows of a Markdown table of `fields` (nested ones as `faces[].box`)."""
    rows = [] if prefix else ["| field | meaning |", "|---|---|"]
    for f in fields:
        name = prefix + f.name
        meaning = f.meaning.replace("|", "\\|")
        rows.append(f"| `{name}` | {meaning} |")
        inner = f"{name}[]." if f.many else f"{name}.<{f.keyed_by}>." if f.keyed_by else name + "."
        rows += fields_markdown(f.fields, inner) if f.fields else []
    return rows


def printable(text: object) -> str:
    """`text` safe to print on a terminal: control characters (ESC, BEL, CR,
    newline… in a file name) are shown as ``\\x1b`` instead of being obeyed.
    Surrogate escapes (undecodable bytes of a name) are left for the printer."""
    return "".join(
        f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch for ch in str(text)
    )


def decision_words(cull: str, picked: bool, rating: int | None, label: str | None = None) -> str:
    """A photo's decisions as the text outputs say them: "[kept picked ★★★ red]"."""
    state = [cull]
    if picked:
        state.append("picked")
    if rating:
        state.append("★" * int(rating))
    if label:
        state.append(label)
    return f"[{' '.join(state)}]"


def run_exit_code(report: Any, err: TextIO) -> int:
    """A pipeline run's exit code (its `RunReport`): 130 cancelled; 3 a storage
    fault stopped the run; 1 results not saved; else 0 (failed photos included)."""
    if report.error:
        print(f"curator: {report.error}", file=err)
        return EXIT_CATALOG
    if report.cancelled:
        return EXIT_CANCELLED
    if report.counts.get("write_failed") or any(
        counts.get("write_failed") for counts in report.stages.values()
    ):
        print(
            "curator: some results could not be saved in the catalog "
            "(see `curator status`); run the import again.",
            file=err,
        )
        return EXIT_INTERNAL
    return EXIT_OK


@contextmanager
def first_ctrl_c_cancels(cancel: threading.Event) -> Iterator[None]:
    """A long command's Ctrl+C: the first sets `cancel` (the run stops cleanly at
    its next check), a second interrupts. Off the main thread (a test driving
    the command) no handler can be set, so Ctrl+C leaves `cancel` alone. The
    previous handler is put back on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(_signum: int, _frame: object) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous or signal.default_int_handler)
