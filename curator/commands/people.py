"""`curator people [--json]`, `curator people name ID NAME`, `curator people merge A B`,
`curator people remove FACE`, `curator people forget`: who is in the catalog.

- `people` updates the people first (`pipeline.stages.people.update_people`),
  then prints a line per person, most-photographed first: id, name (or "-"),
  photos, kept, faces; `--json`: `{"id", "name", "photos", "kept", "faces",
  "face_ids"}`.
- `people name ID NAME` names a person (an empty NAME clears it).
- `people merge A B` moves B's faces into A; two different names are refused.
- `people remove FACE` takes a face out of its person for good.
- `people forget` deletes every descriptor and person, names included, from
  the catalog and its backups (`catalog.people.scrub`); eyes and focus stay.
  With `people_recognition` off, `people` does the same.
Naming, merging and removing are logged (catalog.people.edits), so the
window's Ctrl+Z undoes them.

Exit codes: 0 done; 2 no such person, a merge refused, a name too long;
3 the catalog could not be written. Descriptors are never printed.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from curator.catalog.people import edits
from curator.catalog.people.naming import PeopleError, faces_of_people, people_list
from curator.commands.base import EXIT_OK, CommandContext, UsageError, printable

NAMES: tuple[str, ...] = ("people",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("people", parents=[common], help="the people in the photos, by face")
    p.add_argument("--json", action="store_true", help="print JSON (one array)")
    p.set_defaults(handler=cmd_people, read_only=False)
    actions = p.add_subparsers(dest="people_action", metavar="{name,merge,remove,forget}")
    p_name = actions.add_parser("name", parents=[common], help="name a person: ID NAME")
    p_name.add_argument("person", type=int, metavar="ID")
    p_name.add_argument("name", metavar="NAME")
    p_name.set_defaults(handler=cmd_name, read_only=False)
    p_merge = actions.add_parser(
        "merge", parents=[common], help="merge person B into person A: A B"
    )
    p_merge.add_argument("into", type=int, metavar="A")
    p_merge.add_argument("other", type=int, metavar="B")
    p_merge.set_defaults(handler=cmd_merge, read_only=False)
    p_remove = actions.add_parser(
        "remove",
        parents=[common],
        help="take a wrongly grouped face out of its person, for good: FACE "
        "(the ids are in `people --json`)",
    )
    p_remove.add_argument("face", type=int, metavar="FACE")
    p_remove.set_defaults(handler=cmd_remove, read_only=False)
    p_forget = actions.add_parser(
        "forget",
        parents=[common],
        help="delete every face descriptor and every person, names included "
        "(faces keep their eyes and focus); to stop recognising people, switch off "
        "the setting people_recognition",
    )
    p_forget.set_defaults(handler=cmd_forget, read_only=False)


def cmd_people(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.backup import backup_folder
    from curator.pipeline.stages.people import update_people

    recognise = ctx.settings.people_recognition
    backups = (ctx.catalog.path, backup_folder(ctx.catalog.path, ctx.settings.backup_folder))
    forgot = update_people(ctx.catalog.db, recognise=recognise, backups=backups).erased
    rows = people_list()
    if args.json:
        faces = faces_of_people()
        listed = [{**r._asdict(), "face_ids": faces.get(r.id, [])} for r in rows]
        json.dump(listed, ctx.out, ensure_ascii=True)
        ctx.out.write("\n")
        return EXIT_OK
    for r in rows:
        name = printable(r.name) if r.name else "-"
        print(
            f"{r.id:>6}  {name:<30} {r.photos:>5} photos, {r.kept:>5} kept, {r.faces:>5} faces",
            file=ctx.out,
        )
    print(f"{len(rows)} people", file=ctx.out)
    if not recognise:
        print("Recognising people is switched off in the settings.", file=ctx.out)
    if forgot is not None:
        for said in (*(why for _, why in forgot.backups.left), *forgot.sentences()):
            print(said, file=ctx.out)
    return EXIT_OK


def cmd_name(args: argparse.Namespace, ctx: CommandContext) -> int:
    try:
        edits.name(ctx.catalog.db, args.person, args.name)
    except PeopleError as exc:
        raise UsageError(str(exc)) from exc
    shown = " ".join(args.name.split())
    said = f"is now {printable(shown)}" if shown else "has no name now"
    print(f"person {args.person} {said}", file=ctx.out)
    return EXIT_OK


def cmd_merge(args: argparse.Namespace, ctx: CommandContext) -> int:
    try:
        edits.merge(ctx.catalog.db, args.into, args.other)
    except PeopleError as exc:
        raise UsageError(str(exc)) from exc
    print(f"person {args.other} merged into person {args.into}", file=ctx.out)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, ctx: CommandContext) -> int:
    try:
        person = edits.take_out(ctx.catalog.db, args.face)
    except PeopleError as exc:
        raise UsageError(str(exc)) from exc
    said = f"face {args.face} taken out of person {person} (it will not join them again)"
    print(said, file=ctx.out)
    return EXIT_OK


def cmd_forget(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.backup import backup_folder
    from curator.catalog.people.scrub import forget_everywhere

    folder = backup_folder(ctx.catalog.path, ctx.settings.backup_folder)
    erased = forget_everywhere(
        ctx.catalog.db, ctx.catalog.path, folder, lambda said: print(said, file=ctx.out)
    )
    for sentence in erased.sentences():
        print(sentence, file=ctx.out)
    if ctx.settings.people_recognition:
        print(
            "Faces judged from now on are described again; switch off the setting "
            "people_recognition to stop that.",
            file=ctx.out,
        )
    return EXIT_OK
