"""`curator catalog copy SOURCE DEST [--replace]`: a whole catalog from one
place to another, SQLite ⇄ PostgreSQL.

SOURCE and DEST are catalog files or `postgresql://` URLs, opened as any
command opens a catalog (an older one migrated first). Every table is copied
and verified before the destination commits (catalog.backends.copy). A
non-empty destination is refused unless `--replace` (PostgreSQL: emptied in
the copy's transaction; SQLite: the old file kept as
`<name>.before-copy-<stamp>.sqlite`).

Exit codes: 0 copied and verified; 2 SOURCE and DEST the same, or SOURCE
missing; 3 a catalog cannot be opened, DEST is not empty, or the copy did not
verify (nothing copied).
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from curator.commands.base import EXIT_OK, UsageError

if TYPE_CHECKING:
    from curator.catalog.backends.copy import CopyReport
    from curator.paths import AppPaths
    from curator.settings import Settings

NAMES: tuple[str, ...] = ("catalog",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("catalog", parents=[common], help="whole catalogs: copy one elsewhere")
    actions = p.add_subparsers(dest="catalog_action", required=True, metavar="ACTION")
    copy = actions.add_parser(
        "copy",
        parents=[common],
        help="copy a whole catalog, SQLite file ⇄ postgresql:// URL, verified",
    )
    copy.add_argument("source", metavar="SOURCE", help="a catalog file or a postgresql:// URL")
    copy.add_argument("dest", metavar="DEST", help="a catalog file or a postgresql:// URL")
    copy.add_argument(
        "--replace",
        action="store_true",
        help="overwrite a destination that is not empty (a file's old copy is kept beside it)",
    )
    copy.set_defaults(handler=None, no_catalog_handler=cmd_copy)


def cmd_copy(
    args: argparse.Namespace, paths: AppPaths, settings: Settings, out: TextIO, err: TextIO
) -> int:
    from curator.paths import describe, is_postgres_url

    source, dest = _location(args.source), _location(args.dest)
    if str(source) == str(dest):
        raise UsageError(f"SOURCE and DEST are the same catalog ({describe(source)}).")
    if not is_postgres_url(source) and not Path(source).is_file():
        raise UsageError(f"There is no catalog file at {source}.")
    report, kept = copy_between(source, dest, replace=args.replace)
    print(copied_sentence(describe(source), describe(dest), report, kept), file=out)
    return EXIT_OK


def _location(text: str) -> str | Path:
    from curator.paths import is_postgres_url

    return text if is_postgres_url(text) else Path(text).expanduser().resolve()


def copy_between(
    source: str | Path, dest: str | Path, *, replace: bool
) -> tuple[CopyReport, Path | None]:
    """Open both, copy, verify; (the report, the old destination file kept aside)."""
    from curator.catalog.backends.copy import CopyError, copy_catalog, is_empty
    from curator.catalog.db import Catalog
    from curator.paths import is_postgres_url

    into_file = not is_postgres_url(dest)
    target = Path(dest) if into_file else None
    if target is not None and replace and target.exists() and target.stat().st_size > 0:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        fresh = target.with_name(f"{target.stem}.copy-{stamp}{target.suffix}")
        kept = target.with_name(f"{target.stem}.before-copy-{stamp}{target.suffix}")
    else:
        fresh, kept = None, None
    with (
        Catalog.open(source, read_only_ok=True, bind=False) as src,
        Catalog.open(fresh or dest, bind=False) as dst,
    ):
        if into_file and fresh is None and not is_empty(dst.db):
            raise CopyError(
                f"The destination catalog {dest} is not empty; nothing was copied. Copy "
                "into a new file, or pass --replace (the old file is kept beside it)."
            )
        report = copy_catalog(src.db, dst.db, replace=replace)
    if fresh is not None and target is not None and kept is not None:
        for suffix in ("-wal", "-shm", ""):  # the old file with its WAL, whole
            if Path(f"{target}{suffix}").exists():
                os.replace(f"{target}{suffix}", f"{kept}{suffix}")
        os.replace(fresh, target)
        return report, kept
    return report, None


def copied_sentence(source: str, dest: str, report: CopyReport, kept: Path | None) -> str:
    counts = ", ".join(
        f"{report.rows(t)} {label}"
        for t, label in (
            ("photo", "photos"),
            ("decision", "decisions"),
            ("embedding", "embeddings"),
            ("taste_model", "taste models"),
            ("project", "projects"),
            ("tag", "tags"),
        )
    )
    aside = f" The destination's old file is kept as {kept}." if kept is not None else ""
    return (
        f"Copied the catalog {source} to {dest}: {counts}; {len(report.tables)} tables, "
        f"{report.total_rows} rows, each table's count and BLAKE3 hash verified.{aside}"
    )


__all__ = ["NAMES", "cmd_copy", "copied_sentence", "copy_between", "register"]
