"""`curator backup [--to FOLDER]` and `curator restore FILE`: catalog backups by hand.

`backup` makes a verified copy now (`catalog.backup.make_backup`) into `--to
FOLDER` or the backup folder (`backup_folder`, else `backups/` beside the
catalog), keeping the newest `backup_keep`; it only reads, so it runs beside
an import or the app. A PostgreSQL catalog is copied into a SQLite file in the
seat's `studio/<server>/backups`, with progress on stderr unless
`--no-progress`.

`restore FILE` refuses while the catalog is in use
(`engine.lock.catalog_to_itself`) or for a file that is not a whole Curator
catalog of a known schema (exit 3); otherwise it backs the current catalog up,
restores, and opens it once to migrate. It never opens the catalog before
(`no_catalog_handler`): restoring is the way out of a damaged one.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from curator.commands.base import EXIT_OK, CommandContext

if TYPE_CHECKING:
    from curator.catalog.backends.pg_backup import BackupProgress
    from curator.paths import AppPaths
    from curator.settings import Settings

NAMES: tuple[str, ...] = ("backup", "restore")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "backup",
        parents=[common],
        help="make a verified copy of the catalog now (kept beside it, or in --to FOLDER)",
    )
    p.add_argument(
        "--to", metavar="FOLDER", help="folder for the copy (default: the settings' folder)"
    )
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="do not say how far a PostgreSQL catalog's copy is",
    )
    p.set_defaults(handler=cmd_backup, read_only=True)
    r = sub.add_parser(
        "restore",
        parents=[common],
        help="put a backup back as the catalog (the current one is backed up first)",
    )
    r.add_argument("file", metavar="FILE", help="a backup made by `curator backup` or on quit")
    r.set_defaults(handler=None, no_catalog_handler=cmd_restore)


def cmd_backup(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.backup import backup_folder, make_backup

    folder = Path(args.to).expanduser() if args.to else None
    folder = folder or backup_folder(ctx.catalog.path, ctx.settings.backup_folder)
    url = ctx.catalog.url
    tenths = None if url is None or args.no_progress else _Tenths(ctx.err)
    result = make_backup(
        ctx.catalog.path, folder, keep=ctx.settings.backup_keep, source_url=url, progress=tenths
    )
    print(result.sentence(), file=ctx.out)
    return EXIT_OK


class _Tenths:
    """A PostgreSQL backup's progress: a line on `err` each tenth of the way."""

    def __init__(self, err: TextIO) -> None:
        self.err, self.said = err, -1

    def __call__(self, progress: BackupProgress) -> None:
        from curator.ingest.types import human_bytes

        tenth = progress.percent // 10
        if tenth <= self.said or (progress.total == 0 and self.said >= 0):
            return
        self.said = tenth
        size = f" ({human_bytes(progress.size)})" if progress.size > 0 else ""
        print(f"Backing up the catalog{size}: {tenth * 10} %", file=self.err, flush=True)


def cmd_restore(
    args: argparse.Namespace, paths: AppPaths, settings: Settings, out: TextIO, err: TextIO
) -> int:
    from curator.catalog.backup import BackupError, backup_folder, check_backup, restore_backup
    from curator.catalog.db import Catalog
    from curator.engine.lock import catalog_to_itself

    source = Path(args.file).expanduser().resolve()
    check_backup(source)  # before anything else: a bad file changes nothing
    with catalog_to_itself(paths.catalog) as busy:
        if busy is not None:
            raise BackupError(
                f"Can't restore now: {busy} ({paths.catalog}). "
                "Let it finish or quit it, then run the restore again."
            )
        folder = backup_folder(paths.catalog, settings.backup_folder)
        result = restore_backup(paths.catalog, source, folder, keep=settings.backup_keep)
        Catalog.open(paths.catalog).close()  # an older schema is migrated now
    print(result.sentence(), file=out)
    return EXIT_OK


__all__ = ["NAMES", "cmd_backup", "cmd_restore", "register"]
