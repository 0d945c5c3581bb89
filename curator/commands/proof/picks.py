"""`curator proof status|list|import|reopen|close|code|accept` (the package
docstring says what they do): the client's say, read and brought back."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator.commands.base import EXIT_OK, CommandContext, JsonField, UsageError, shaped
from curator.commands.proof.making import gallery_named_or_usage

if TYPE_CHECKING:
    import argparse

    from curator.catalog.proofing.galleries import Gallery

STATUS_FIELDS = (
    JsonField("name", "the gallery's name (what `curator proof` commands take)"),
    JsonField("title", "the title the client sees"),
    JsonField("photos", "photos in the gallery"),
    JsonField("hearted", "photos the client hearted"),
    JsonField("comments", "photos the client commented on"),
    JsonField("min_picks", "the fewest hearts the client may confirm"),
    JsonField("max_picks", "the most hearts the client may give (null: no maximum)"),
    JsonField("confirmed_at", "when the client confirmed (ISO 8601, UTC; null: not yet)"),
    JsonField("closed", "true when the client can no longer open it (closed or expired)"),
    JsonField("expires_on", "the last day it opens (null: no end)"),
    JsonField("folder", "the folder of its page and copies"),
    JsonField(
        "picks",
        "the photos hearted or commented on, in the gallery's order",
        many=True,
        fields=(
            JsonField("path", "the original's path"),
            JsonField("number", "the photo's number on the client's page"),
            JsonField("hearted", "true when the client hearted it"),
            JsonField("comment", "the client's comment ('' for none)"),
        ),
    ),
)


def _status(gallery: Gallery) -> dict[str, Any]:
    from curator.catalog.missing import last_known_path
    from curator.catalog.models import Photo
    from curator.catalog.paths_codec import decode_path
    from curator.catalog.proofing.galleries import gallery_by_id, gallery_photos

    fresh = gallery_by_id(gallery.id) or gallery
    photos = gallery_photos(fresh.id)
    said = [(n, p) for n, p in enumerate(photos, start=1) if p.hearted or p.comment]
    paths = {
        int(pid): decode_path(last_known_path(raw))
        for pid, raw in Photo.select(Photo.id, Photo.path)
        .where(Photo.id.in_([p.photo_id for _n, p in said] or [0]))
        .tuples()
    }
    s = fresh.settings
    return {
        "name": fresh.name,
        "title": s.title,
        "photos": len(photos),
        "hearted": sum(1 for p in photos if p.hearted),
        "comments": sum(1 for p in photos if p.comment),
        "min_picks": s.min_picks,
        "max_picks": s.max_picks,
        "confirmed_at": None
        if fresh.confirmed_at is None
        else fresh.confirmed_at.isoformat(timespec="seconds") + "Z",
        "closed": fresh.closed_sentence(date.today()) is not None,
        "expires_on": None if s.expires_on is None else s.expires_on.isoformat(),
        "folder": fresh.folder,
        "picks": [
            {
                "path": paths.get(p.photo_id, ""),
                "number": n,
                "hearted": p.hearted,
                "comment": p.comment,
            }
            for n, p in said
        ],
    }


def _print_status(status: dict[str, Any], ctx: CommandContext, as_json: bool) -> None:
    if as_json:
        print(json.dumps(shaped(status, STATUS_FIELDS), ensure_ascii=False, indent=2), file=ctx.out)
        return
    limits = _limits(status["min_picks"], status["max_picks"])
    when = status["confirmed_at"]
    state = f"confirmed {when}" if when else "not confirmed yet"
    if status["closed"]:
        state += "; closed to the client"
    print(
        f"'{status['name']}' ({status['title']}): {status['hearted']} of {status['photos']} "
        f"photo(s) hearted{limits}, {status['comments']} comment(s); {state}.",
        file=ctx.out,
    )
    for pick in status["picks"]:
        heart = "♥" if pick["hearted"] else " "
        comment = f"  “{pick['comment']}”" if pick["comment"] else ""
        print(f"  {heart} {pick['number']:>4}  {pick['path']}{comment}", file=ctx.out)


def _limits(minimum: int, maximum: int | None) -> str:
    if maximum is not None:
        return f" (asked for {minimum}–{maximum})" if minimum else f" (up to {maximum})"
    return f" (at least {minimum})" if minimum else ""


def cmd_status(args: argparse.Namespace, ctx: CommandContext) -> int:
    _print_status(_status(gallery_named_or_usage(args.name)), ctx, args.json)
    return EXIT_OK


def cmd_list(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.proofing.galleries import all_galleries

    rows = [_status(g) for g in all_galleries()]
    if args.json:
        print(json.dumps(shaped(rows, STATUS_FIELDS), ensure_ascii=False, indent=2), file=ctx.out)
        return EXIT_OK
    if not rows:
        print("No client galleries yet (make one with `curator proof make`).", file=ctx.out)
    for r in rows:
        state = "confirmed" if r["confirmed_at"] else "closed" if r["closed"] else "open"
        print(
            f"{r['name']}  {r['hearted']}/{r['photos']} hearted  {state}  {r['folder']}",
            file=ctx.out,
        )
    return EXIT_OK


def cmd_import(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.proofing.picks import PicksRefused
    from curator.proof.importing import import_selection
    from curator.proof.selection import SelectionRefused

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"{args.file} can't be read: {exc.strerror or exc}.") from exc
    try:
        gallery, _state, selection = import_selection(data)
    except (SelectionRefused, PicksRefused) as exc:
        raise UsageError(f"{args.file}: {exc} Nothing changed.") from exc
    status = _status(gallery)
    if not args.json:
        who = f" from {selection.client}" if selection.client else ""
        print(f"Imported the client's selection{who}:", file=ctx.out)
    _print_status(status, ctx, args.json)
    return EXIT_OK


def cmd_reopen(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.proofing.picks import reopen

    gallery = gallery_named_or_usage(args.name)
    if reopen(gallery.id):
        print(f"Reopened '{gallery.name}': the client can change the selection.", file=ctx.out)
    else:
        print(f"'{gallery.name}' was not confirmed: nothing to reopen.", file=ctx.out)
    return EXIT_OK


def cmd_close(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.proofing.galleries import set_closed

    gallery = gallery_named_or_usage(args.name)
    set_closed(gallery.id, True)
    print(
        f"Closed '{gallery.name}': the client's page now says so "
        "(`curator proof make` opens it again).",
        file=ctx.out,
    )
    return EXIT_OK


def cmd_code(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.proofing.galleries import set_code_hash
    from curator.proof.access import hash_code, new_code

    gallery = gallery_named_or_usage(args.name)
    code = new_code()
    set_code_hash(gallery.id, hash_code(code))
    print(
        f"New access code for '{gallery.name}': {code} (the old one no longer opens it; "
        "a running server asks clients for the new one at their next visit).",
        file=ctx.out,
    )
    return EXIT_OK


def cmd_accept(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog import decisions
    from curator.catalog.proofing.picks import CLIENT_PASS, hearted_photo_ids

    gallery = gallery_named_or_usage(args.name)
    ids = hearted_photo_ids(gallery.id)
    if not ids:
        print(f"The client has hearted nothing in '{gallery.name}' yet.", file=ctx.out)
        return EXIT_OK
    if args.project is not None:
        return _into_project(args.project, ids, gallery.name, ctx)
    pass_ = "cli" if args.teach else CLIENT_PASS

    def one(pid: int) -> list[Any]:
        if args.label is not None:
            return decisions.set_label(pid, args.label, pass_=pass_)
        if args.rating is not None:
            return decisions.set_rating(pid, args.rating, pass_=pass_)
        return decisions.set_picked(pid, True, pass_=pass_)

    try:
        changed = decisions.apply_many(
            lambda: sum(len(one(pid)) for pid in ids), one_undo_step=True
        )
    except decisions.DecisionError as exc:
        raise UsageError(str(exc)) from exc
    what = (
        f"the {args.label} label"
        if args.label
        else f"{args.rating} star(s)"
        if args.rating
        else "a pick"
    )
    teach = "" if args.teach else " They do not teach your taste model (--teach to let them)."
    print(
        f"Gave {what} to the {len(ids)} photo(s) the client hearted in '{gallery.name}' "
        f"({changed} decision(s); `curator undo` takes them back).{teach}",
        file=ctx.out,
    )
    return EXIT_OK


def _into_project(name: str, ids: list[int], gallery: str, ctx: CommandContext) -> int:
    """The client's picks as a project (made when new): a set, not a decision."""
    from curator.catalog.projects import ProjectError, add_photos, create_project, find_project

    try:
        if find_project(name) is None:
            create_project(name)
        change = add_photos(name, ids)
    except ProjectError as exc:
        raise UsageError(str(exc)) from exc
    print(
        f"Put the {len(ids)} photo(s) the client hearted in '{gallery}' in project "
        f"“{change.project}” ({change.changed} added, {change.unchanged} already in it).",
        file=ctx.out,
    )
    return EXIT_OK
