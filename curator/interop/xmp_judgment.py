"""Curator's reading of an XMP packet: what it means as decisions (`ExternalJudgment`).

−1 or a reject flag rejects; 1–5 stars rate, except darktable's import
default: it writes `xmp:Rating="1"` into every sidecar it creates
(docs/decisions/interop.md), so in a packet darktable wrote 1 star reads as
not rated unless the `xmp_darktable_one_star_is_rating` setting says
otherwise. Keywords become tags and are kept as written, with their
hierarchy; a label text no label set knows becomes a keyword; the caption
and the turn are carried. Pure.
"""

from __future__ import annotations

from curator.catalog.tagging.keywords import SourceKeyword
from curator.interop.external import ExternalJudgment
from curator.interop.xmp.fields import XmpFields
from curator.tags import normalise_tags


def is_darktable_default(fields: XmpFields) -> bool:
    """darktable's "not rated yet": the 1 star it writes into every sidecar at import."""
    return fields.darktable and fields.rating == 1 and not fields.rejected


def judgment_from_xmp(
    fields: XmpFields, *, darktable_one_star_is_rating: bool = False
) -> ExternalJudgment:
    """Curator's reading of an XMP packet (see the module docstring)."""
    rating = fields.rating if fields.rating is not None and 1 <= fields.rating <= 5 else None
    if not darktable_one_star_is_rating and is_darktable_default(fields):
        rating = None
    leaves = {h.rsplit("|", 1)[-1].strip(): h for h in fields.hierarchical}
    texts = [SourceKeyword(leaf, path) for leaf, path in leaves.items() if leaf]
    texts += [
        SourceKeyword(k) for k in (*fields.keywords, *fields.label_keywords) if k not in leaves
    ]
    return ExternalJudgment(
        rating=rating,
        rejected=bool(fields.rejected) or fields.rating == -1,
        picked=bool(fields.picked),
        label=fields.label,
        keywords=tuple(normalise_tags([*fields.keywords, *fields.label_keywords])),
        keyword_texts=tuple(texts),
        caption=fields.description,
        orientation=fields.orientation,  # another tool's turn (external checks 1..8)
    )
