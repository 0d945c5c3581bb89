"""A photo's decisions in XMP terms: what a sidecar says and what the catalog says, comparable.

`XmpState` is the part of a packet that Curator decides (the rating with its
reject, the pick, the label, the keywords in the catalog's tag form).
`state_of(fields)` reads it from a packet, the catalog builds it from a photo
(`interop.xmp_fields`), and `interop.xmp_sync` stores a sidecar's as Curator
last saw it: comparing the three is how `xmp write` tells a decision made in
Curator from another tool's value (`xmp.edit`). Pure; the JSON form is
canonical, so equal states serialise to equal text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from curator.interop.xmp.fields import XmpFields
from curator.records import ColorLabel
from curator.tags import normalise_tags


@dataclass(frozen=True)
class XmpState:
    """What a packet (or the catalog) says about the fields Curator decides."""

    rating: int = 0  # as xmp:Rating: -1 rejected, 0 unrated, 1..5
    picked: bool = False
    label: str | None = None  # a ColorLabel value ("red"), None: no label
    keywords: frozenset[str] = field(default_factory=frozenset)  # catalog tag form
    # The person keywords Curator put into the file ("People|Ann", "Ann"):
    # what it may take out again (xmp.people_keywords). Never read from a file.
    people: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "rating": self.rating,
            "picked": self.picked,
            "label": self.label,
            "keywords": sorted(self.keywords),
        }
        if self.people:  # absent when none, so older records read the same
            data["people"] = sorted(self.people)
        return json.dumps(
            data,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> XmpState | None:
        """The state a stored text holds; None when it can't be read (then it is unknown)."""
        try:
            data: dict[str, Any] = json.loads(text)
            rating = int(data.get("rating") or 0)
            label = data.get("label")
            return cls(
                rating=rating if -1 <= rating <= 5 else 0,
                picked=bool(data.get("picked")),
                label=label if isinstance(label, str) and ColorLabel.parse(label) else None,
                keywords=frozenset(str(k) for k in data.get("keywords") or ()),
                people=frozenset(str(k) for k in data.get("people") or ()),
            )
        except (ValueError, TypeError, AttributeError):
            return None


def state_of(fields: XmpFields) -> XmpState:
    """The decided fields of a parsed packet, as Curator reads them."""
    if fields.rejected:
        rating = -1
    elif fields.rating is not None and 0 <= fields.rating <= 5:
        rating = fields.rating
    else:
        rating = 0
    label = ColorLabel.parse(fields.label)
    return XmpState(
        rating=rating,
        picked=bool(fields.picked),
        label=label.value if label is not None else None,
        keywords=frozenset(normalise_tags(fields.keywords)),
    )
