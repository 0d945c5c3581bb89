"""Tag names: the catalog's one rule for what a tag is, whoever typed it.

The vision LLM's tags (`curator.llm.schema`), tags the photographer types in the
loupe, and keywords read from other tools (XMP, Lightroom) all become catalog
tags through `normalise_tag`, so search finds "golden hour" however it was
written. The normalised form is for Curator's own search and grouping only:
another tool's keyword keeps its exact text when it goes back out.

Pure: no curator imports, no Qt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

TAG_MIN_CHARS = 2
TAG_MAX_CHARS = 50

# Words that say nothing about one photo as opposed to another.
GENERIC_TAGS = frozenset(
    {
        "photo",
        "photos",
        "photograph",
        "photographs",
        "photography",
        "image",
        "images",
        "picture",
        "pictures",
    }
)


# Characters that separate words inside a tag ("black&white", "golden_hour").
_SEPARATORS = frozenset("_/&+,;:|\\·•")


def _keep_char(ch: str) -> bool:
    category = unicodedata.category(ch)
    # Letters of any script, their combining marks (Devanagari, Thai…), decimal digits.
    return category[0] in "LM" or category == "Nd" or ch == "-"


def normalise_tag(raw: str) -> str | None:
    """The catalog form of one tag, or None when nothing usable is left:
    lowercase, inner whitespace collapsed; only letters (any script), digits,
    spaces and hyphens ("#Sunset" → "sunset"), separators such as "_", "/" and
    "&" become spaces; 2–50 characters; generic words are dropped."""
    chars: list[str] = []
    for ch in unicodedata.normalize("NFC", raw).lower():
        if ch.isspace() or ch in _SEPARATORS:
            chars.append(" ")
        elif _keep_char(ch):
            chars.append(ch)
    words: list[str] = []
    for word in "".join(chars).split():
        word = re.sub(r"-{2,}", "-", word).strip("-")
        if word:
            words.append(word)
    tag = " ".join(words)
    if not (TAG_MIN_CHARS <= len(tag) <= TAG_MAX_CHARS) or tag in GENERIC_TAGS:
        return None
    return tag


def normalise_tags(raw: Iterable[str]) -> list[str]:
    """`normalise_tag` over a list: unusable tags dropped, duplicates removed, order kept."""
    seen: set[str] = set()
    tags: list[str] = []
    for item in raw:
        tag = normalise_tag(item)
        if tag is not None and tag not in seen:
            seen.add(tag)
            tags.append(tag)
    return tags
