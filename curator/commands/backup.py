"""`curator backup [--to FOLDER]` and `curator restore FILE`: catalog backups by hand.

`backup` makes a verified copy now (the same `catalog.backup.make_backup` the
app runs on quit), into `--to FOLDER` or the configured backup folder
(settings: `backup_folder`, else `backups/` beside the catalog), and keeps the
newest `backup_keep` there. It only reads the catalog, so it runs beside an
import or the app (WAL: the copy is a snapshot, nobody waits). A PostgreSQL
catalog is copied into a SQLite file (every table, counts and hashes
verified; the backups folder is the seat's own, `studio/<server>/backups`
under the user data folder), and the sentence says how to put it back and
that the server's own backups stay the administrator's job. That copy takes
a minute or more at 100,000 photos, so it says how far it is on stderr, a
line each tenth ("Backing up the catalog (386 MB): 40 %"), unless
`--no-progress`.

`restore FILE` puts a backup back. It refuses while an import runs or the app
has the catalog open (`engine.lock.catalog_to_itself`), and refuses a file
that is not a whole Curator catalog of a schema this Curator knows, each with
its sentence and exit 3; otherwise it backs the current catalog up first (into
the backup folder: a restore can itself be undone), restores, then opens the
catalog once so an older schema is migrated. The catalog is NOT opened before
(`no_catalog_handler`): restoring is how a user gets out of a damaged one.
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
