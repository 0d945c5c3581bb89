"""`curator describe [--redo] [--json]`: back-fill descriptions.

Describes the photos that have none yet (skipped while Ollama was away, or
never described) — or, with `--redo`, those described by another model or
prompt version — then runs the score step, so the new AI tags get their CLIP
confidences as on import (`pipeline.importer.run_headless`, progress on
stderr). Output: the describe stage's counts and its reason, or with
`--json` the counts as one object. Exit codes as an import's
(`base.run_exit_code`).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from curator.commands.base import CommandContext, run_exit_code

NAMES: tuple[str, ...] = ("describe",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p_describe = sub.add_parser(
        "describe",
        parents=[common],
        help="describe photos that have no description yet (back-fill)",
    )
    p_describe.add_argument("--json", action="store_true", help="print the summary as JSON")
    p_describe.add_argument(
        "--redo",
        action="store_true",
        help="describe again the photos described by another model or prompt version",
    )
    p_describe.set_defaults(handler=cmd_describe)


def cmd_describe(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Back-fill descriptions, then the score step (see the module docstring)."""
    from curator.pipeline.importer import run_headless
    from curator.pipeline.service import RunRequest

    report = run_headless(
        RunRequest(stages=("describe", "score"), redo_descriptions=args.redo),
        catalog_path=ctx.paths.catalog,
        cache_dir=ctx.paths.cache_dir,
        settings=ctx.settings,
        progress_stream=ctx.err,
    )
    counts = report.stages.get("describe", {})
    if args.json:
        print(json.dumps(counts), file=ctx.out)
    else:
        parts = ", ".join(f"{v} {k}" for k, v in counts.items() if k != "reason")
        print(f"describe: {parts or 'nothing to describe'}", file=ctx.out)
        if counts.get("reason"):
            print(f"  {counts['reason']}", file=ctx.out)
    return run_exit_code(report, ctx.err)
