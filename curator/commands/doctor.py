"""`curator doctor [--json]`, `curator models pull` and `curator models bench`:
the models and the machine.

`doctor` checks Ollama, the CLIP weights, the GPU and the preview cache folder
and says what to do (`install.doctor.run_doctor`). `models pull` downloads the
CLIP weights (offline: one line within seconds; exit 3 when they cannot be
had). `models bench [--precision P] [--photos N] [--json]` times the configured
weights (`ml.clip_bench`) without opening a catalog; missing weights exit 3.
All are read-only on the catalog.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from curator.commands.base import EXIT_CATALOG, EXIT_OK, CommandContext
from curator.ml.precision import PRECISIONS

if TYPE_CHECKING:
    from curator.paths import AppPaths
    from curator.settings import Settings

NAMES: tuple[str, ...] = ("doctor", "models")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p_doctor = sub.add_parser(
        "doctor", parents=[common], help="check Ollama, the LLM, CLIP weights, GPU"
    )
    p_doctor.add_argument("--json", action="store_true", help="print JSON")
    p_doctor.set_defaults(handler=cmd_doctor, read_only=True)
    p_models = sub.add_parser("models", parents=[common], help="manage and measure model weights")
    actions = p_models.add_subparsers(dest="action", required=True)
    p_pull = actions.add_parser("pull", parents=[common], help="download the CLIP weights now")
    p_pull.set_defaults(handler=cmd_models_pull, read_only=True)
    p_bench = actions.add_parser(
        "bench",
        parents=[common],
        help="measure CLIP on this machine: bare and end-to-end photos/s, agreement with fp32",
    )
    p_bench.add_argument(
        "--precision",
        choices=list(PRECISIONS),
        help="the precision to measure (default: the CLIP precision setting)",
    )
    p_bench.add_argument(
        "--photos",
        type=_positive,
        help="generated 1440 px previews to embed (default: 1024 on a GPU, 32 on a CPU)",
    )
    p_bench.add_argument("--json", action="store_true", help="print JSON")
    p_bench.set_defaults(handler=None, no_catalog_handler=cmd_models_bench)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of photos") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the number of photos must be at least 1")
    return value


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


def cmd_models_bench(
    args: argparse.Namespace, paths: AppPaths, settings: Settings, out: TextIO, err: TextIO
) -> int:
    """Measure the configured CLIP here (see the module docstring)."""
    import contextlib
    import json
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from curator.ml.clip_bench import run_bench, synthetic_previews
    from curator.ml.config import EmbeddingFailed, ModelUnavailable
    from curator.ml.embedder import ClipEmbedder
    from curator.settings import clip_config

    config = clip_config(settings)
    if args.precision:
        config = replace(config, precision=args.precision)
    embedder = ClipEmbedder(config)
    # --json: stdout is the report alone (a library that prints while loading says it on stderr)
    quiet = contextlib.redirect_stdout(err) if args.json else contextlib.nullcontext()
    with quiet:
        try:
            embedder.load()
            count = args.photos or (32 if embedder.device == "cpu" else 1024)
            if not args.json:
                print(f"{embedder.describe()} Measuring on {count} generated previews…", file=err)
            with tempfile.TemporaryDirectory(prefix="curator-bench-") as folder:
                previews = synthetic_previews(Path(folder), count)
                report = run_bench(
                    embedder,
                    lambda: ClipEmbedder(replace(config, precision="fp32")).load(),
                    previews,
                )
        except (ModelUnavailable, EmbeddingFailed) as exc:
            print(f"curator: {exc.message}", file=err)
            return EXIT_CATALOG
    if args.json:
        json.dump(report.as_json(), out)
        out.write("\n")
    else:
        print("\n".join(report.lines()), file=out)
    return EXIT_OK
