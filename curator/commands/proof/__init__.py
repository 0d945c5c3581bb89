"""`curator proof …`: client galleries (issue 81) from the terminal.

- `proof make NAME (--project P | --approved | --photo PATH…)`: render the
  copies and the page (`proof.make`); a second make of NAME renders only what
  changed, keeps the client's hearts and, without a source, the same photos.
  A new gallery's access code is printed once.
- `proof serve NAME [--network] [--port N]`: serve it (`proof.server`) until
  Ctrl+C; `--json` prints one line `{"url", "port", "host"}` once it listens.
- `proof import FILE` (or `-`: pasted text on stdin): a client's selection
  file, checked against its gallery's signature; refused with a sentence and
  nothing changed when it is not one of this catalog's galleries, edited,
  truncated or over the maximum.
- `proof status NAME [--json]`, `proof list [--json]`.
- `proof reopen NAME`, `proof close NAME`, `proof code NAME` (a new code).
- `proof accept NAME (--label COLOR | --rating N | --pick) [--teach]`: the
  client's hearts become the photographer's decision, as ONE undo step; they
  teach the taste model only with `--teach` (a client's taste is not theirs).
  `--project P` puts them in a project instead (a set, not a decision).
Exit codes: 0 done, 1 some copies failed, 2 bad usage or a refused file.
"""

from __future__ import annotations

import argparse
from typing import Any

from curator.commands.proof.making import cmd_make, cmd_serve
from curator.commands.proof.picks import (
    cmd_accept,
    cmd_close,
    cmd_code,
    cmd_import,
    cmd_list,
    cmd_reopen,
    cmd_status,
)

NAMES = ("proof",)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "proof",
        parents=[common],
        help="client galleries: make, serve, and bring the client's picks back",
        description="A proofing gallery for a client: screen-sized copies and a page the "
        "client opens in a browser (from a folder, or served by Curator) to heart "
        "photos, comment and confirm a selection that comes back into the catalog.",
    )
    actions = p.add_subparsers(dest="proof_action", required=True, metavar="ACTION")
    _register_make(actions, common)
    serve = actions.add_parser(
        "serve", parents=[common], help="serve a gallery to the client's browser (Ctrl+C stops)"
    )
    serve.add_argument("name", metavar="GALLERY")
    serve.add_argument(
        "--network",
        action="store_true",
        help="answer other devices on your network (a tablet, the studio's Wi-Fi); "
        "without it only this computer can open it",
    )
    serve.add_argument("--port", type=int, default=8765, help="the port (default 8765; 0: any)")
    serve.add_argument("--json", action="store_true", help="print the address as one JSON line")
    serve.set_defaults(handler=cmd_serve, read_only=False)
    imp = actions.add_parser(
        "import", parents=[common], help="bring back a client's selection file (or pasted text)"
    )
    imp.add_argument("file", metavar="FILE", help="the file the client sent; - reads stdin")
    imp.add_argument("--json", action="store_true", help="print the gallery's status as JSON")
    imp.set_defaults(handler=cmd_import, read_only=False)
    status = actions.add_parser(
        "status", parents=[common], help="what the client hearted, commented and confirmed"
    )
    status.add_argument("name", metavar="GALLERY")
    status.add_argument("--json", action="store_true", help="print it as JSON")
    status.set_defaults(handler=cmd_status, read_only=True)
    listing = actions.add_parser("list", parents=[common], help="the catalog's client galleries")
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    listing.set_defaults(handler=cmd_list, read_only=True)
    for action, what, fn in (
        ("reopen", "let the client change a confirmed selection", cmd_reopen),
        ("close", "close a gallery to the client (make it again to reopen)", cmd_close),
        ("code", "a new access code (the old one stops working)", cmd_code),
    ):
        q = actions.add_parser(action, parents=[common], help=what)
        q.add_argument("name", metavar="GALLERY")
        q.set_defaults(handler=fn, read_only=False)
    accept = actions.add_parser(
        "accept",
        parents=[common],
        help="make the client's hearts your decision (one undo step)",
    )
    accept.add_argument("name", metavar="GALLERY")
    what = accept.add_mutually_exclusive_group(required=True)
    what.add_argument("--label", metavar="COLOR", help="give each hearted photo this color label")
    what.add_argument("--rating", type=int, choices=range(1, 6), help="rate each hearted photo")
    what.add_argument("--pick", action="store_true", help="pick each hearted photo")
    what.add_argument(
        "--project",
        metavar="NAME",
        help="put the hearted photos in this project (made when it is new): the client's "
        "picks as a set to export, share or make another gallery of",
    )
    accept.add_argument(
        "--teach",
        action="store_true",
        help="let these decisions teach your taste model (by default a client's "
        "choice does not: their taste is not yours)",
    )
    accept.set_defaults(handler=cmd_accept, read_only=False)


def _register_make(actions: Any, common: argparse.ArgumentParser) -> None:
    make = actions.add_parser(
        "make",
        parents=[common],
        help="make (or update) a client gallery: copies and the page",
        description="Render screen-sized copies (2,000 px, sRGB, no GPS or serial numbers "
        "unless --keep-location) and the gallery's page into its folder. Made again, "
        "it renders only what changed and keeps the client's hearts.",
    )
    make.add_argument("name", metavar="GALLERY", help="your name for the gallery")
    which = make.add_mutually_exclusive_group()
    which.add_argument("--project", metavar="NAME", help="the members of this project")
    which.add_argument("--approved", action="store_true", help="the approved photos")
    which.add_argument("--photo", nargs="+", metavar="PATH", help="these photos")
    make.add_argument("--title", help="the title the client sees (default: the name)")
    make.add_argument("--min", type=int, dest="min_picks", help="the fewest picks to confirm")
    make.add_argument("--max", type=int, dest="max_picks", help="the most picks allowed")
    make.add_argument(
        "--comments",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="let the client comment on photos (default: yes)",
    )
    make.add_argument("--watermark", metavar="TEXT", help="a line drawn into every copy")
    make.add_argument("--expires", metavar="YYYY-MM-DD", help="the last day the gallery opens")
    make.add_argument(
        "--keep-location",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep GPS and serial numbers in the copies (default: removed)",
    )
    make.add_argument("--folder", metavar="DIR", help="where the page and copies go")
    make.add_argument("--json", action="store_true", help="print the result as JSON")
    make.add_argument("--no-progress", action="store_true", help="no progress bar")
    make.set_defaults(handler=cmd_make, read_only=False)
