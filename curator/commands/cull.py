"""`curator cull --propose [FOLDER | --project NAME] [--keep N | --keep-percent P]
[--genre KIND] [--show] [--json]` and `curator cull --accept [--keeps | --rejects] [--json]`:
a first cull Curator proposes, and accepting it.

--propose reads the measures (`catalog.proposals.plan`), applies the rules
(`cull.rules.propose`) and replaces this photographer's proposals
(`catalog.proposals.store.write_proposals`) for every undecided photo in scope;
never a decision. Output: the counts, the rejects' reasons, a target not met,
the people left with no keep (`--json`: `no_keep`, `beyond_target`), and the
photos left out because Curator could not read them (`failed`: they stay in
the Failed lane, never proposed, counted or accepted). `--show` also lists
each proposed reject with its reasons.

--accept turns the proposals (or one kind) into decisions: one transaction,
one undo step; a photo judged meanwhile is left as it is.

The photographer is the seat's user (catalog.backends.seat,
`CURATOR_SEAT_USER`). Exit codes: 0 done; 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from curator.commands.base import EXIT_OK, CommandContext, UsageError, printable

if TYPE_CHECKING:
    from curator.records import Proposal

NAMES = ("cull",)


class _ChecksListed(argparse.HelpFormatter):
    """The description wrapped as usual; the epilog (the checks, one per line) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    from curator.cull.check_types import Genre
    from curator.cull.reference import checks_help

    p = sub.add_parser(
        "cull",
        parents=[common],
        help="propose a first cull (keeps, rejects, highlights, with reasons), or accept it",
        description="--propose writes a proposal for every undecided photo (never a "
        "decision); --accept turns your proposals into decisions in one undoable step.",
        epilog=checks_help(),  # from cull.table
        formatter_class=_ChecksListed,
    )
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--propose", action="store_true", help="propose a first cull")
    action.add_argument("--accept", action="store_true", help="accept your proposals")
    p.add_argument(
        "folder",
        nargs="?",
        metavar="FOLDER",
        help="with --propose: only the photos under this folder (default: the whole catalog)",
    )
    p.add_argument("--project", metavar="NAME", help="with --propose: only this project's photos")
    target = p.add_mutually_exclusive_group()
    target.add_argument(
        "--keep", type=int, metavar="N", help="with --propose: keep the best N frames"
    )
    target.add_argument(
        "--keep-percent",
        type=float,
        metavar="P",
        help="with --propose: keep the best P %% of the undecided frames",
    )
    p.add_argument(
        "--genre",
        choices=[g.value for g in Genre],
        help="with --propose: the kind of shoot (which checks weigh: sports forgives "
        "motion and blinks, landscape has no eyes to check, portrait judges focus harder; "
        "people, portrait and event weigh smiles and looks at the camera); default: the "
        "shoot_kind setting",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--keeps", action="store_true", help="with --accept: only the keeps")
    which.add_argument("--rejects", action="store_true", help="with --accept: only the rejects")
    p.add_argument(
        "--show",
        action="store_true",
        help="with --propose: also list each proposed reject with its reasons",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_cull, read_only=False)


def cmd_cull(args: argparse.Namespace, ctx: CommandContext) -> int:
    if args.accept:
        if args.folder or args.project or args.keep is not None or args.keep_percent is not None:
            raise UsageError(
                "--accept takes no FOLDER, --project or target: it accepts "
                "your proposals as they are (make new ones with --propose)"
            )
        return _accept(args, ctx)
    if args.keeps or args.rejects:
        raise UsageError("--keeps and --rejects go with --accept")
    return _propose(args, ctx)


def _scope(args: argparse.Namespace) -> Any:
    from curator.catalog.projects import find_project
    from curator.catalog.proposals.plan import Scope

    if args.folder and args.project:
        raise UsageError("give a FOLDER or --project NAME, not both")
    if args.folder:
        folder = os.path.abspath(os.path.expanduser(args.folder))
        if not os.path.isdir(folder):
            raise UsageError(f"not a folder: {args.folder}")
        return Scope(folder=folder)
    if args.project:
        if find_project(args.project) is None:
            raise UsageError(f"there is no project named “{args.project}”")
        return Scope(project=args.project)
    return Scope()


def _propose(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.backends.seat import current_seat
    from curator.cull.check_types import Genre
    from curator.cull.checks import checks_for, genre_of
    from curator.cull.propose import propose_for
    from curator.cull.summary import (
        counts_text,
        failed_text,
        keep_reasons,
        keeps_text,
        people_text,
        reasons_text,
        reject_reasons,
        short_text,
    )

    if args.keep is not None and args.keep < 0:
        raise UsageError(f"--keep must be 0 or more (not {args.keep})")
    if args.keep_percent is not None and not 0 <= args.keep_percent <= 100:
        raise UsageError(f"--keep-percent must be 0 to 100 (not {args.keep_percent:g})")
    scope = _scope(args)
    started = time.perf_counter()
    genre = Genre(args.genre) if args.genre else genre_of(ctx.settings.shoot_kind)
    owner = current_seat().user
    run = propose_for(
        owner, checks_for(genre), scope, keep=args.keep, keep_percent=args.keep_percent
    )
    seconds = time.perf_counter() - started
    s = run.summary
    reasons = reject_reasons(run.proposals)
    kept_for = keep_reasons(run.proposals)
    if args.json:
        report = {
            "owner": owner,
            "photos": s.photos,
            "keep": s.keep,
            "reject": s.reject,
            "highlights": s.highlights,
            "acceptable": s.acceptable,
            "target": s.target,
            "short": s.short,
            "genre": None if genre is None else genre.value,
            "reasons": dict(sorted(reasons.items())),
            "no_keep": [{"id": p.id, "name": p.name} for p in s.no_keep],
            "beyond_target": s.beyond_target,
            "failed": s.failed,
            "ranked_by": s.ranked_by or None,
            "kept_for": dict(sorted(kept_for.items())),
            "seconds": round(seconds, 3),
        }
        json.dump(report, ctx.out)
        ctx.out.write("\n")
        return EXIT_OK
    out = ctx.out
    if not s.photos:
        print("Nothing to propose: every photo here is already decided.", file=out)
        if s.failed:
            print(f"  {failed_text(s)}.", file=out)
        return EXIT_OK
    print(f"Proposed a first cull of {s.photos:,} photo(s): {counts_text(s)}.", file=out)
    if reasons:
        print(f"  rejects: {reasons_text(reasons)}", file=out)
    if kept_for:
        print(f"  keeps chosen for their people: {keeps_text(kept_for)}", file=out)
    if s.ranked_by:
        print(f"  ranked by {s.ranked_by}", file=out)
    if s.short:
        print(f"  {short_text(s)}", file=out)
    if s.no_keep:
        print(f"  {printable(people_text(s))}", file=out)
    if s.failed:
        print(f"  {failed_text(s)}.", file=out)
    if args.show:
        _show_rejects(run.proposals, out)
    print(
        "Nothing is decided yet: review them (`curator list --json`), then "
        "`curator cull --accept`.",
        file=out,
    )
    return EXIT_OK


def _show_rejects(proposals: Sequence[Proposal], out: TextIO) -> None:
    """`--show`: each proposed reject, by file name, with its reasons in words."""
    from curator.catalog.paths_codec import display_path
    from curator.catalog.queries import gallery_rows
    from curator.commands.listing import proposal_words
    from curator.records import ProposalVerdict

    rejects = [p for p in proposals if p.verdict is ProposalVerdict.REJECT]
    rows = gallery_rows(p.photo_id for p in rejects)
    for p in rejects:
        row = rows.get(p.photo_id)
        name = display_path(row.path) if row is not None else f"photo {p.photo_id}"
        said = proposal_words(
            {
                "verdict": p.verdict.value,
                "reasons": [r.value for r in p.reasons],
                "confidence": p.confidence,
                "highlight": p.highlight,
            }
        )
        print(f"  {printable(name)}: {said}", file=out)


def _accept(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.backends.seat import current_seat
    from curator.catalog.proposals.store import accept

    owner = current_seat().user
    report = accept(owner, keeps=not args.rejects, rejects=not args.keeps)
    if args.json:
        json.dump(
            {
                "owner": owner,
                "kept": report.kept,
                "rejected": report.rejected,
                "untouched": report.untouched,
            },
            ctx.out,
        )
        ctx.out.write("\n")
        return EXIT_OK
    if not (report.kept or report.rejected or report.untouched):
        print(
            f"No proposals of {owner} to accept (make them with `curator cull --propose`).",
            file=ctx.out,
        )
        return EXIT_OK
    print(
        f"Accepted {report.kept:,} keep(s) and {report.rejected:,} reject(s) as one step.",
        file=ctx.out,
    )
    if report.untouched:
        print(
            f"  {report.untouched:,} photo(s) judged since the proposal were left as they are.",
            file=ctx.out,
        )
    return EXIT_OK
