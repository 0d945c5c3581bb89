"""What Curator remembers of other tools' metadata, per photo (migration 10's tables).

- `xmp_sync`: the state of the photo's XMP (`xmp.state.XmpState`) as Curator
  last read or wrote it, with the file and its mtime: the `base` of
  `xmp.edit.plan_edit`. A photo with no row falls back to what the last
  import took from its XMP (`external_import`).
- `photo_keyword`: keywords as another tool wrote them, beside the catalog
  tag they became, so they go out as written (`keywords_for`).
- `photo.caption`: the caption another tool wrote; Curator never edits it.
Writes join the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from curator.catalog.backends.dialect import chunks, replace_into
from curator.catalog.models import ExternalImport, Photo, PhotoKeyword, XmpSync, utcnow
from curator.catalog.paths_codec import decode_path, encode_path
from curator.catalog.tagging.keywords import SourceKeyword
from curator.interop.xmp.edit import Keyword
from curator.interop.xmp.state import XmpState
from curator.tags import normalise_tag


@dataclass(frozen=True)
class SyncRecord:
    """The recorded state of a photo's XMP, with the file and its mtime."""

    state: XmpState
    sidecar: str | None
    mtime_ns: int | None


# -- xmp_sync ------------------------------------------------------------------------


def record_state(
    photo_id: int,
    state: XmpState,
    sidecar: str | None,
    mtime_ns: int | None,
    *,
    carry_people: bool = False,
) -> None:
    """Remember `state` as what the photo's XMP says now (insert or replace); with
    `carry_people` (a state read from the file), the person keywords Curator
    wrote stay Curator's where the file still has them."""
    if carry_people and not state.people:
        state = replace(state, people=_still_ours(photo_id, state))
    query = XmpSync.insert(
        photo=photo_id,
        state=state.to_json(),
        sidecar=encode_path(sidecar) if sidecar else None,
        mtime_ns=mtime_ns,
        recorded_at=utcnow(),
    )
    replace_into(
        query,
        (XmpSync.photo,),
        (XmpSync.state, XmpSync.sidecar, XmpSync.mtime_ns, XmpSync.recorded_at),
    ).execute()


def _still_ours(photo_id: int, state: XmpState) -> frozenset[str]:
    row = XmpSync.select(XmpSync.state).where(XmpSync.photo == photo_id).tuples().first()
    before = XmpState.from_json(row[0]) if row is not None else None
    if before is None:
        return frozenset()
    return frozenset(
        k for k in before.people if normalise_tag(k.rsplit("|", 1)[-1]) in state.keywords
    )


def recorded_states(photo_ids: Sequence[int]) -> dict[int, SyncRecord]:
    """photo id → the recorded state; from the last XMP import where no row exists."""
    out: dict[int, SyncRecord] = {}
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    for chunk in chunks(ids):
        for pid, text, sidecar, mtime in (
            XmpSync.select(XmpSync.photo, XmpSync.state, XmpSync.sidecar, XmpSync.mtime_ns)
            .where(XmpSync.photo.in_(chunk))
            .tuples()
        ):
            state = XmpState.from_json(text)
            if state is not None:
                path = decode_path(bytes(sidecar)) if sidecar else None
                out[int(pid)] = SyncRecord(state, path, mtime)
        missing = [i for i in chunk if i not in out]
        if missing:
            out.update(_from_imports(missing))
    return out


def _from_imports(ids: list[int]) -> dict[int, SyncRecord]:
    """The state the last XMP import took (`external.ExternalJudgment`'s
    fingerprint: a JSON object of rating, rejected, picked, label, keywords), for
    photos recorded before `xmp_sync` existed."""
    out: dict[int, SyncRecord] = {}
    rows = ExternalImport.select(
        ExternalImport.photo, ExternalImport.fingerprint, ExternalImport.file_mtime_ns
    ).where(ExternalImport.photo.in_(ids), ExternalImport.source == "xmp")
    for pid, fingerprint, mtime in rows.tuples():
        try:
            data = json.loads(fingerprint)
            rating = data.get("rating")
            state = XmpState(
                rating=-1 if data.get("rejected") else (rating if isinstance(rating, int) else 0),
                picked=bool(data.get("picked")),
                label=data.get("label") if isinstance(data.get("label"), str) else None,
                keywords=frozenset(str(k) for k in data.get("keywords") or ()),
            )
        except (ValueError, TypeError, AttributeError):
            continue
        out[int(pid)] = SyncRecord(state, None, mtime)
    return out


# -- keywords as written -------------------------------------------------------------


@dataclass(frozen=True)
class PhotoKeywords:
    """A photo's keywords as written: by catalog tag, and those the tag rule dropped."""

    by_tag: dict[str, list[SourceKeyword]]
    untagged: list[SourceKeyword]  # "Photography": no catalog tag, still the user's keyword

    def outgoing(self, tag: str) -> Keyword:
        """How catalog tag `tag` goes out: the other tool's text and hierarchy, else the tag."""
        for kw in self.by_tag.get(tag, ()):
            return Keyword(kw.text, kw.path)
        return Keyword(tag)

    def private(self, tag: str) -> bool:
        """A tag whose every written form is private stays out of exports."""
        forms = self.by_tag.get(tag, ())
        return bool(forms) and all(kw.private for kw in forms)


def keywords_for(photo_ids: Sequence[int]) -> dict[int, PhotoKeywords]:
    """photo id → its keywords as other tools wrote them (photos without any left out)."""
    raw: dict[int, tuple[dict[str, list[SourceKeyword]], list[SourceKeyword]]] = {}
    ids = list(dict.fromkeys(int(i) for i in photo_ids))
    for chunk in chunks(ids):
        rows = (
            PhotoKeyword.select(
                PhotoKeyword.photo,
                PhotoKeyword.text,
                PhotoKeyword.path,
                PhotoKeyword.tag,
                PhotoKeyword.private,
            )
            .where(PhotoKeyword.photo.in_(chunk))
            .order_by(PhotoKeyword.photo, PhotoKeyword.path.desc(), PhotoKeyword.id)
            .namedtuples()
        )
        for r in rows:
            by_tag, untagged = raw.setdefault(int(r.photo), ({}, []))
            kw = SourceKeyword(str(r.text), str(r.path or ""), bool(r.private))
            if r.tag:
                by_tag.setdefault(str(r.tag), []).append(kw)
            else:
                untagged.append(kw)
    return {pid: PhotoKeywords(by_tag, untagged) for pid, (by_tag, untagged) in raw.items()}


# -- captions ------------------------------------------------------------------------


def set_caption(photo_id: int, caption: str) -> None:
    """The caption another tool wrote (the text index follows by trigger)."""
    Photo.update(caption=caption).where(Photo.id == photo_id).execute()
