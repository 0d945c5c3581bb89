"""`curator search QUERY [--semantic] [--like PATH] [--limit N] [--json]`.

Text search by default (curator.search.text, with the tokens of
`search.tokens.SEARCH_TOKENS`); `--semantic` ranks by CLIP's text embedding;
`--like PATH` finds the photos most like a catalogued one. Read-only.

Output: one line per hit, best first; `--json`: objects with "path", "score",
"why", "rating", "cull", "picked", "subject", "tags", "missing", "photo_id".
`--limit` caps the hits (default 50; 0 for all). Exit codes: 0 ran; 2 bad
usage; 3 the search cannot be served here (the sentence says what to do).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from curator.commands.base import (
    EXIT_CATALOG,
    EXIT_OK,
    CommandContext,
    UsageError,
    decision_words,
    printable,
)
from curator.search.tokens import TokenKind, tokens_help

if TYPE_CHECKING:
    from curator.search.rows import HitRow
    from curator.search.types import SearchHit

NAMES: tuple[str, ...] = ("search",)

DEFAULT_LIMIT = 50


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "search",
        parents=[common],
        help=f"find photos by words and filters ({', '.join(TokenKind)}; "
        "or --semantic, --like PATH)",
        description='Find photos by words, "phrases" and filters (below), by meaning\n'
        "(--semantic), or like a catalogued photo (--like PATH).",
        epilog=tokens_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", nargs="*", metavar="QUERY", help="words, phrases and filters")
    p.add_argument(
        "--semantic", action="store_true", help="rank by meaning (CLIP) instead of words"
    )
    p.add_argument("--like", metavar="PATH", help="photos most like this catalogued photo")
    p.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"at most N hits (default {DEFAULT_LIMIT}; 0 for all)",
    )
    p.add_argument("--json", action="store_true", help="print the hits as JSON")
    p.set_defaults(handler=cmd_search, read_only=True)


def cmd_search(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.search.rows import hit_rows
    from curator.search.types import SearchUnavailable

    query = " ".join(args.query).strip()
    if args.limit < 0:
        raise UsageError("--limit must be 0 (all) or a positive number of hits")
    limit = args.limit or None
    if args.like is not None and (query or args.semantic):
        raise UsageError("give either a QUERY or --like PATH, not both")
    if args.like is None and not query:
        raise UsageError('give something to search for, e.g. curator search "harbour at dusk"')
    if args.like is None and not args.semantic:
        from curator.catalog.people.naming import person_exists
        from curator.search.tokens import parse_query, unknown_sentence

        parsed = parse_query(query)
        if (sentence := unknown_sentence(parsed)) is not None:
            raise UsageError(sentence)
        for word in parsed.values(TokenKind.PERSON):
            if not person_exists(word):
                raise UsageError(
                    f"Nobody is named {word!r} in this catalog: `curator people` lists the"
                    " people and their names (name one with `curator people name ID NAME`)."
                )
    hits: list[SearchHit]
    try:
        if args.like is not None:
            hits = _like(args.like, ctx, limit)
        elif args.semantic:
            from curator.search.semantic import semantic_search

            hits = semantic_search(query, ctx.settings, limit=_top(limit))
        else:
            from curator.search.text import text_search

            hits = text_search(query, limit=limit)
    except SearchUnavailable as exc:
        print(f"curator: {exc}", file=ctx.err)
        return EXIT_CATALOG
    rows = hit_rows(h.photo_id for h in hits)
    items = [_item(h, rows[h.photo_id]) for h in hits if h.photo_id in rows]
    if args.json:
        print(json.dumps(items, indent=2, ensure_ascii=False), file=ctx.out)
    elif not items:
        print("No photo matches.", file=ctx.out)
    for item in [] if args.json else items:
        print(_line(item), file=ctx.out)
    return EXIT_OK


def _top(limit: int | None) -> int:
    """The ranking's top-k for `--limit` (None, i.e. --limit 0: every photo)."""
    return sys.maxsize if limit is None else limit


def _like(raw: str, ctx: CommandContext, limit: int | None) -> list[SearchHit]:
    from curator.catalog.paths_codec import photo_ids_for_paths

    found = photo_ids_for_paths([os.path.abspath(os.path.expanduser(raw))])
    if not found:
        raise UsageError(f"{raw} is not in the catalog (import its folder first)")
    from curator.search.semantic import more_like_this

    return more_like_this(found[0], ctx.settings, limit=_top(limit))


def _item(hit: SearchHit, row: HitRow) -> dict[str, Any]:
    return {
        "path": row.path,
        "score": round(float(hit.score), 6),
        "why": hit.why,
        "rating": row.rating,
        "cull": row.cull,
        "picked": row.picked,
        "subject": row.subject,
        "tags": list(row.tags),
        "missing": row.missing,
        "photo_id": row.photo_id,
    }


def _line(item: dict[str, Any]) -> str:
    state = decision_words(item["cull"], item["picked"], item["rating"])
    why = f"  ({item['why']})" if item["why"] else ""
    return f"{printable(item['path'])}  {state}{why}"
