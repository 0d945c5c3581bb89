"""Command groups of the `curator` CLI beyond the core ones in `curator.cli`.

Each module named in `GROUPS` is imported when the parser is built, so it must
be light (no Qt, torch or numpy at module level: import them in the handler).
A group module exposes:

- `NAMES: tuple[str, ...]` — the command words it adds (routing in
  `curator.__main__` tells them from a folder to open);
- `register(sub, common) -> None` — adds its sub-parsers; each sets
  `handler=<fn(args, ctx) -> int>` with `set_defaults`, and
  `read_only=True` for a command that never writes the catalog.

A handler gets a `CommandContext` with the open catalog and returns an exit
code (`curator.commands.base`); it raises `UsageError` for bad input (exit 2)
and lets `CatalogError`/storage faults through (exit 3, one sentence).
"""

from __future__ import annotations

GROUPS: tuple[str, ...] = (
    "curator.commands.demo",
    "curator.commands.export",
    "curator.commands.lightroom",
    "curator.commands.project",
    "curator.commands.purge",
    "curator.commands.search",
    "curator.commands.xmp",
)
