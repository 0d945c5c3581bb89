"""Keywords as written: how another tool (or a hierarchy typed in Curator) spelled a
photo's keyword, kept beside the catalog tag it became (`photo_keyword`, migration 10).

`record_keywords` is the one writer (`tagging.edits`, `interop.external`);
`interop.xmp_sync.keywords_for` reads them. One row per (photo, text, path);
a blank keyword is not recorded; writes join the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from curator.catalog.models import PhotoKeyword
from curator.tags import normalise_tag


@dataclass(frozen=True)
class SourceKeyword:
    """A keyword as another tool wrote it; `private`: Lightroom's "Include on Export" off."""

    text: str
    path: str = ""
    private: bool = False


def record_keywords(photo_id: int, keywords: Iterable[SourceKeyword], source: str) -> None:
    """Remember how another tool wrote the photo's keywords (existing rows updated;
    one statement per photo: an import of thousands of photos writes these)."""
    rows = {
        (kw.text.strip(), kw.path.strip()): {
            "photo": photo_id,
            "text": kw.text.strip(),
            "path": kw.path.strip(),
            "tag": normalise_tag(kw.text.strip()),
            "private": kw.private,
            "source": source,
        }
        for kw in keywords
        if kw.text.strip()
    }
    if not rows:
        return
    (
        PhotoKeyword.insert_many(list(rows.values()))
        .on_conflict(
            conflict_target=[PhotoKeyword.photo, PhotoKeyword.text, PhotoKeyword.path],
            preserve=[PhotoKeyword.tag, PhotoKeyword.private, PhotoKeyword.source],
        )
        .execute()
    )
