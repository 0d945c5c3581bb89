"""`curator backup [--to FOLDER]` and `curator restore FILE`: catalog backups by hand.

`backup` makes a verified copy now (the same `catalog.backup.make_backup` the
app runs on quit), into `--to FOLDER` or the configured backup folder
(settings: `backup_folder`, else `backups/` beside the catalog), and keeps the
newest `backup_keep` there. It only reads the catalog, so it runs beside an
import or the app (WAL: the copy is a snapshot, nobody waits). A PostgreSQL
catalog is copied into a SQLite file (every table, counts and hashes
verified; the backups folder is the seat's own, `studio/<server>/backups`
under the user data folder), and the sentence says how to put it back and
that the server's own backups stay the administrator's job.

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
    result = make_backup(
        ctx.catalog.path, folder, keep=ctx.settings.backup_keep, source_url=ctx.catalog.url
    )
    print(result.sentence(), file=ctx.out)
    return EXIT_OK


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
