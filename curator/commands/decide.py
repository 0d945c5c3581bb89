"""`curator keep|reject|pick [--clear] PATH…`, `curator rate --stars N PATH…`,
`curator label --color COLOR PATH…`, `curator rotate --left|--right PATH…`:
decisions from the command line; `curator undo|redo [--json]`: the terminal's
undo.

The loupe's decision code (`catalog.decisions`): all paths in ONE write
transaction; a change retrains the taste model once (not for a label or a
rotation). A rotation is a stored quarter-turn (`decisions.rotate`), never
written into the file. Exit codes: 0 done; 2 bad usage or a PATH not in the
catalog (the others are still decided). A star rating keeps an unreviewed
photo, as everywhere (`decisions.rating_keeps`).

Undo and redo are the window's Ctrl+Z and Ctrl+Shift+Z over the same
decision log (catalog.undo.history): a step is one command's decisions (a
`keep` of ten photos, a `cull --accept`), or a people edit. The terminal is
a desk of its own (catalog.backends.seat): `undo` undoes the terminal's
newest step, never a window's; when a window or another seat decided the
same photo since, the line says so (the undo still applies: the later
decision wins). Exit codes: 0 a step undone (redone); 1 nothing to.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING, Any, TextIO

from curator.commands.base import (
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    CommandContext,
    JsonField,
    UsageError,
    shaped,
)

if TYPE_CHECKING:
    from curator.settings import Settings

NAMES: tuple[str, ...] = ("keep", "reject", "pick", "rate", "label", "rotate", "undo", "redo")
UNTAUGHT = ("label", "rotate")  # decisions the taste model learns nothing from


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    for name, what in (
        ("keep", "keep photos (cull pass)"),
        ("reject", "reject photos (a soft state: no file is touched)"),
        ("pick", "flag photos as picks (a pick is also kept)"),
        ("rate", "rate photos 1-5 stars (0 clears)"),
        ("label", "set a color label (red, yellow, green, blue, purple; none clears)"),
        ("rotate", "turn photos 90° left or right (stored in the catalog; the file is untouched)"),
    ):
        p = sub.add_parser(name, parents=[common], help=what)
        if name == "rate":
            p.add_argument(
                "--stars", type=int, required=True, metavar="N", help="1-5, or 0 to clear"
            )
        elif name == "label":
            colours = "red, yellow, green, blue, purple, or none to clear"
            p.add_argument("--color", required=True, metavar="COLOR", help=colours)
        elif name == "rotate":
            way = p.add_mutually_exclusive_group(required=True)
            way.add_argument("--left", action="store_true", help="a quarter-turn counter-clockwise")
            way.add_argument("--right", action="store_true", help="a quarter-turn clockwise")
        else:
            p.add_argument("--clear", action="store_true", help="undo this state for the photos")
        p.add_argument(
            "paths", nargs="+", metavar="PATH", help="photo files already in the catalog"
        )
        p.set_defaults(handler=cmd_decide)
    register_undo(sub, common)


def cmd_decide(args: argparse.Namespace, ctx: CommandContext) -> int:
    """keep / reject / pick / rate / label / rotate (see the module docstring)."""
    from curator.catalog.decisions import (
        DecisionError,
        apply_many,
        photo_id_for_path,
        rotate,
        set_cull,
        set_label,
        set_picked,
        set_rating,
    )
    from curator.catalog.models import CullState
    from curator.records import ColorLabel

    out, err = ctx.out, ctx.err
    if args.command == "rate" and not 0 <= args.stars <= 5:
        raise UsageError(f"--stars must be 1 to 5, or 0 to clear the rating (not {args.stars})")
    label: ColorLabel | None = None
    if args.command == "label" and args.color.strip().lower() not in ("none", ""):
        label = ColorLabel.parse(args.color)
        if label is None:
            names = ", ".join(c.value for c in ColorLabel)
            raise UsageError(f"--color must be one of {names}, or none (not {args.color!r})")
    paths = [(raw, os.path.abspath(os.path.expanduser(raw))) for raw in args.paths]

    def decide() -> tuple[int, list[str]]:
        unknown: list[str] = []
        changed = 0
        for raw, path in paths:
            photo_id = photo_id_for_path(path)
            if photo_id is None:
                unknown.append(raw)
                continue
            if args.command == "keep":
                records = set_cull(photo_id, CullState.UNREVIEWED if args.clear else CullState.KEPT)
            elif args.command == "reject":
                records = set_cull(
                    photo_id, CullState.UNREVIEWED if args.clear else CullState.REJECTED
                )
            elif args.command == "pick":
                records = set_picked(photo_id, not args.clear)
            elif args.command == "label":
                records = set_label(photo_id, label)
            elif args.command == "rotate":
                records = rotate(photo_id, -1 if args.left else 1)
            else:
                records = set_rating(photo_id, args.stars)
            changed += bool(records)
        return changed, unknown

    try:
        changed, unknown = apply_many(decide, one_undo_step=True)
    except DecisionError as exc:
        raise UsageError(str(exc)) from exc
    if changed and args.command not in UNTAUGHT:
        retrain(ctx.settings, err)
    print(
        f"{changed} photo(s) changed, {len(args.paths) - changed - len(unknown)} already so.",
        file=out,
    )
    if unknown:
        for raw in unknown:
            print(f"curator: not in the catalog (import its folder first): {raw}", file=err)
        return EXIT_USAGE
    return EXIT_OK


def retrain(settings: Settings, err: TextIO, whose: str = "your") -> None:
    """One retrain per decision command (the CLI's debounce; `import-lightroom`
    too): a busy catalog leaves it for the next decision (`whose` are saved)."""
    from curator.catalog.tx import is_busy
    from curator.pipeline.stages.judgments import embedding_model_id
    from curator.pipeline.stages.score import clip_weights_missing, retrain_and_rescore

    try:
        report = retrain_and_rescore(
            embedding_model_id(settings), weights_missing=clip_weights_missing(settings)
        )
    except Exception as exc:
        if not is_busy(exc):
            raise
        # The decisions are committed; only the retrain met a busy catalog.
        print(
            f"curator: {whose} decisions are saved; the catalog was busy, so the taste "
            "model will be retrained with your next decision.",
            file=err,
        )
        return
    print(report.message, file=err)


STEP_FIELDS = (
    JsonField("photo", "the photo's catalog id"),
    JsonField("file", "its file name"),
    JsonField("kind", "what the decision was about: cull, rating, pick, label, rotation, tag"),
    JsonField("from", "the value before this undo (redo)"),
    JsonField("to", "the value after it"),
    JsonField("changed_by", "who decided the same photo since (a window, another seat), or null"),
)
JSON_FIELDS = (
    JsonField(
        "undone", "the decisions reversed (undo; empty for a people edit)", STEP_FIELDS, True
    ),
    JsonField("redone", "the decisions made again (redo)", STEP_FIELDS, True),
    JsonField("people", "the people edit reversed, in words, or null"),
)


def register_undo(sub: Any, common: argparse.ArgumentParser) -> None:
    for name, what in (
        ("undo", "undo the terminal's newest step (never a window's)"),
        ("redo", "redo the terminal's newest undone step"),
    ):
        p = sub.add_parser(name, parents=[common], help=what)
        p.add_argument("--json", action="store_true", help="print what changed as JSON")
        p.set_defaults(handler=cmd_undo, read_only=False)


def cmd_undo(args: argparse.Namespace, ctx: CommandContext) -> int:
    """undo / redo (see the module docstring)."""
    from curator.catalog.models import Photo
    from curator.catalog.paths_codec import display_path
    from curator.catalog.undo.history import PeopleStepped, redo_newest, undo_newest

    undo = args.command == "undo"
    stepped = undo_newest() if undo else redo_newest()
    verb = "Undone" if undo else "Redone"
    if stepped is None:
        what = "undo" if undo else "redo"
        sentence = (
            f"Nothing to {what}: the terminal has no step left to {what}"
            " (a window's decisions are undone in that window, with Ctrl+Z)."
        )
        if args.json:
            print(json.dumps({"undone": [], "redone": [], "people": None}), file=ctx.out)
        print(sentence, file=ctx.err)
        return EXIT_INTERNAL
    if isinstance(stepped, PeopleStepped):
        if args.json:
            people = {"undone": [], "redone": [], "people": stepped.phrase}
            print(json.dumps(shaped(people, JSON_FIELDS)), file=ctx.out)
        else:
            print(f"{verb}: {stepped.phrase}.", file=ctx.out)
        return EXIT_OK
    names = {
        int(p.id): display_path(p.path).rsplit("/", 1)[-1]
        for p in Photo.select(Photo.id, Photo.path).where(
            Photo.id.in_(sorted({r.photo_id for r in stepped}))
        )
    }
    steps = [
        {
            "photo": r.photo_id,
            "file": names.get(r.photo_id, ""),
            "kind": r.kind.value,
            "from": r.old_value,
            "to": r.new_value,
            "changed_by": r.changed_by,
        }
        for r in stepped
    ]
    if args.json:
        record: dict[str, Any] = {
            "undone": steps if undo else [],
            "redone": [] if undo else steps,
            "people": None,
        }
        print(json.dumps(shaped(record, JSON_FIELDS)), file=ctx.out)
        return EXIT_OK
    for step in steps:
        was, now = step["from"] or "—", step["to"] or "—"
        line = f"{verb}: {step['kind']} of {step['file']} ({was} → {now})"
        if step["changed_by"]:
            line += f"; {step['changed_by']} decided this photo since, and is overruled"
        print(line, file=ctx.out)
    return EXIT_OK
