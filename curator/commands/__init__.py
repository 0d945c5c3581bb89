"""The commands of the `curator` CLI, one module per group of command words.

`curator.cli` builds its parser from the modules in `GROUPS`, in order (that of
`curator --help` and `curator.cli.COMMANDS`). Each is imported when the parser
is built, so it must be light (no Qt, torch or numpy at module level). A group
module exposes:
- `NAMES: tuple[str, ...]` — its command words (`curator.__main__` tells them
  from a folder to open);
- `register(sub, common) -> None` — adds its sub-parsers; each sets
  `handler=<fn(args, ctx) -> int>` and `read_only=True` for a command that
  never writes; one that runs without the catalog (restore) sets
  `no_catalog_handler=<fn(args, paths, settings, out, err) -> int>` instead.
A handler gets a `CommandContext` and returns an exit code
(`curator.commands.base`); it raises `UsageError` for bad input (exit 2) and
lets `CatalogError`/storage faults through (exit 3, one sentence).

To add a command: write `curator/commands/<name>.py` with `NAMES`, `register`
and a handler (its docstring says usage, output and exit codes), add it to
`GROUPS`, describe it on its docs page (docs/reference/commands.md), and test
it through `tests/integration/cli_helpers.run_cli`. A `--json` output prints by
a `JsonField` table (`base.shaped`), which the docs read too.
"""

from __future__ import annotations

GROUPS: tuple[str, ...] = (
    "curator.commands.import_folder",
    "curator.commands.watch",
    "curator.commands.ingest",
    "curator.commands.listing",
    "curator.commands.decide",
    "curator.commands.tags",
    "curator.commands.cull",
    "curator.commands.doctor",
    "curator.commands.backup",
    "curator.commands.catalog_copy",
    "curator.commands.demo",
    "curator.commands.export",
    "curator.commands.lightroom",
    "curator.commands.project",
    "curator.commands.proof",
    "curator.commands.people",
    "curator.commands.purge",
    "curator.commands.duplicates",
    "curator.commands.previews",
    "curator.commands.search",
    "curator.commands.xmp",
)
