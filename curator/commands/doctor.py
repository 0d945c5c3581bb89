"""`curator doctor [--json]` and `curator models pull`: the models and the machine.

`doctor` checks Ollama (reachable, version, the vision model pulled), the
CLIP weights, the GPU and the cache folder of previews (where, and whether it
can be written), and says what to do about each
(`install.doctor.run_doctor`). `models pull` downloads the CLIP weights now:
already here, it says so at once; offline, one line within a few seconds
(`ClipEmbedder.pull` probes the hub before anything that retries); exit 3
when they can't be had. Both are read-only on the catalog.
"""

from __future__ import annotations

import argparse
from typing import Any

from curator.commands.base import EXIT_CATALOG, EXIT_OK, CommandContext

NAMES: tuple[str, ...] = ("doctor", "models")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p_doctor = sub.add_parser(
        "doctor", parents=[common], help="check Ollama, the LLM, CLIP weights, GPU"
    )
    p_doctor.add_argument("--json", action="store_true", help="print JSON")
    p_doctor.set_defaults(handler=cmd_doctor, read_only=True)
    p_models = sub.add_parser("models", parents=[common], help="manage model weights")
    p_models.add_argument("action", choices=["pull"], help="pull: download the CLIP weights now")
    p_models.set_defaults(handler=cmd_models_pull, read_only=True)


def cmd_doctor(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.install.doctor import run_doctor

    return run_doctor(
        ctx.settings, json_output=args.json, out=ctx.out, cache_dir=ctx.paths.cache_dir
    )


def cmd_models_pull(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Download the CLIP weights (see the module docstring)."""
    from curator.ml.config import ModelUnavailable
    from curator.ml.embedder import ClipEmbedder
    from curator.pipeline.stages.judgments import clip_config

    embedder = ClipEmbedder(clip_config(ctx.settings))
    try:
        where = embedder.pull(progress=True)
    except ModelUnavailable as exc:
        print(f"curator: {exc.message}", file=ctx.err)
        return EXIT_CATALOG
    print(f"CLIP weights {embedder.model_id} are ready: {where}", file=ctx.out)
    return EXIT_OK
