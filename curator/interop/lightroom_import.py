"""Taking a Lightroom Classic catalog's decisions into Curator (`curator import-lightroom`).

`import_lightroom(path, maps)` reads the catalog (`interop.lightroom`) and
applies each image's values through `external.apply_external_many` (source
"lightroom"):
- values: the master image's, or a virtual copy's when only it was judged
  (reported); keywords of both; the caption; the label via `interop.labels`;
- photo: the path with `maps` (`--map OLD=NEW`) applied, else the one photo
  with the same path under the root, capture second and pixel size; a
  Lightroom RAW+JPEG pair's JPEG gets the RAW's;
- conflicts: the later change wins (`touchTime` against the decision), listed.
Images Curator does not have are counted with their folders.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from curator.catalog.models import Photo
from curator.catalog.paths_codec import decode_path
from curator.catalog.tagging.keywords import SourceKeyword
from curator.interop.external import (
    Conflict,
    ExternalJudgment,
    apply_external_many,
    batches,
    photo_ids_by_path,
)
from curator.interop.labels import color_of
from curator.interop.lightroom import LrCatalog, LrImage, read_lrcat, touch_ns
from curator.tags import normalise_tags

SOURCE = "lightroom"


@dataclass
class LightroomReport:
    """What `import_lightroom` did (the CLI's summary and --json)."""

    catalog: str
    images: int = 0
    matched: int = 0
    applied: int = 0  # photos that took at least one decision
    unchanged: int = 0  # matched photos whose Lightroom values were already taken
    kept_curator: int = 0  # photos where a later Curator change kept a field
    not_in_catalog: int = 0
    missing_folders: list[tuple[str, int]] = field(default_factory=list)  # most first
    found_elsewhere: list[tuple[str, str, int]] = field(default_factory=list)  # old, new, n
    from_copies: list[tuple[str, str]] = field(default_factory=list)  # path, copy name
    labels_as_keywords: list[tuple[str, str]] = field(default_factory=list)  # path, text
    conflicts: list[tuple[str, Conflict]] = field(default_factory=list)  # path, conflict
    invalid: list[tuple[str, str]] = field(default_factory=list)  # path, what was not valid

    def as_json(self) -> dict[str, object]:
        return {
            "catalog": self.catalog,
            "images": self.images,
            "matched": self.matched,
            "applied": self.applied,
            "unchanged": self.unchanged,
            "kept_curator": self.kept_curator,
            "not_in_catalog": self.not_in_catalog,
            "missing_folders": [{"folder": f, "images": n} for f, n in self.missing_folders],
            "found_elsewhere": [
                {"lightroom": old, "curator": new, "images": n}
                for old, new, n in self.found_elsewhere
            ],
            "from_virtual_copies": [{"path": p, "copy": c} for p, c in self.from_copies],
            "labels_as_keywords": [{"path": p, "label": t} for p, t in self.labels_as_keywords],
            "conflicts": [{"path": p, **c.as_json()} for p, c in self.conflicts],
            "invalid_values": [{"path": p, "values": v} for p, v in self.invalid],
        }


def judgment_of(image: LrImage, keywords: Iterable[SourceKeyword]) -> tuple[ExternalJudgment, str]:
    """(Curator's reading of an image, a label text no label set knows or '')."""
    color = color_of(image.label)
    texts = list(keywords)
    odd = image.label if image.label and color is None else ""
    if odd:
        texts.append(SourceKeyword(odd))
    judgment = ExternalJudgment(
        rating=image.rating if image.rating is not None and 1 <= image.rating <= 5 else None,
        rejected=image.pick < 0,
        picked=image.pick > 0,
        label=color.value if color is not None else None,
        keywords=tuple(normalise_tags(k.text for k in texts)),
        keyword_texts=tuple(dict.fromkeys(texts)),
        caption=image.caption,
    )
    return judgment, odd


def _chosen(images: list[LrImage]) -> dict[int, tuple[LrImage, LrImage]]:
    """master id → (the master, the image whose decisions count)."""
    masters = {im.image_id: im for im in images if im.master is None}
    copies: dict[int, list[LrImage]] = {}
    for im in images:
        if im.master is not None and im.master in masters:
            copies.setdefault(im.master, []).append(im)
    out: dict[int, tuple[LrImage, LrImage]] = {}
    for mid, master in masters.items():
        rated = [c for c in copies.get(mid, ()) if c.decided]
        source = master
        if not master.decided and rated:
            source = max(rated, key=lambda c: (c.touched_at or datetime.min, c.image_id))
        out[mid] = (master, source)
    return out


def _norm(path: str) -> str:
    return path.replace("\\", "/").casefold()


def _mapped(path: str, maps: list[tuple[str, str]]) -> str:
    norm = path.replace("\\", "/")
    for old, new in maps:
        prefix = old.replace("\\", "/").rstrip("/") + "/"
        if norm.casefold().startswith(prefix.casefold()):
            return os.path.normpath(new.rstrip("/\\") + "/" + norm[len(prefix) :])
    return path


@dataclass(frozen=True)
class _Known:
    photo_id: int
    path: str
    captured_at: datetime | None
    size: tuple[int, int] | None


def _by_name(names: set[str]) -> dict[str, list[_Known]]:
    """Curator's live photos whose file name is in `names` (casefold), by name."""
    out: dict[str, list[_Known]] = {}
    rows = Photo.select(Photo.id, Photo.path, Photo.captured_at, Photo.width, Photo.height).where(
        Photo.deleted_at.is_null()
    )
    for r in rows.namedtuples():
        path = decode_path(r.path)
        name = os.path.basename(path).casefold()
        if name in names:
            size = (int(r.width), int(r.height)) if r.width and r.height else None
            out.setdefault(name, []).append(_Known(int(r.id), path, r.captured_at, size))
    return out


def _same_size(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is None or b is None or a == b or a == (b[1], b[0])


def _elsewhere(image: LrImage, under_root: str, candidates: list[_Known]) -> _Known | None:
    """The one photo Curator has under another root: same path below the root,
    same capture second, same pixel size (either orientation)."""
    tail = "/" + _norm(under_root)
    found = [
        k
        for k in candidates
        if _norm(k.path).endswith(tail)
        and (
            image.captured_at is None
            or k.captured_at is None
            or image.captured_at == k.captured_at.replace(microsecond=0)
        )
        and _same_size(image.size, k.size)
    ]
    return found[0] if len(found) == 1 else None


def import_lightroom(path: str, maps: list[tuple[str, str]] | None = None) -> LightroomReport:
    """Read the .lrcat and apply its values to Curator's open catalog."""
    lrcat = read_lrcat(path)
    maps = list(maps or [])
    report = LightroomReport(catalog=os.path.abspath(path), invalid=list(lrcat.invalid))
    chosen = _chosen(lrcat.images)
    report.images = len(chosen)
    wanted = {mid: _mapped(m.path, maps) for mid, (m, _) in chosen.items()}
    ids = photo_ids_by_path(list(wanted.values()))
    unmatched = {mid for mid, p in wanted.items() if p not in ids}
    known = _by_name({os.path.basename(wanted[m]).casefold() for m in unmatched})
    roots = _roots(lrcat)
    moved: Counter[tuple[str, str]] = Counter()
    missing: Counter[str] = Counter()
    items: list[tuple[int, ExternalJudgment, int | None]] = []
    where: dict[int, str] = {}
    seen: set[int] = set()
    for mid, (master, source) in chosen.items():
        pid = ids.get(wanted[mid])
        if pid is None:
            root = roots.get(mid, "")
            under = master.path[len(root) :] if root and master.path.startswith(root) else ""
            match = (
                _elsewhere(master, under, known.get(os.path.basename(wanted[mid]).casefold(), []))
                if under
                else None
            )
            if match is None:
                missing[os.path.dirname(wanted[mid])] += 1
                continue
            pid = match.photo_id
            moved[(root, match.path[: len(match.path) - len(under)])] += 1
        if pid in seen:
            continue  # two Lightroom entries for one Curator photo: the first
        seen.add(pid)
        keywords = (*master.keywords, *(source.keywords if source is not master else ()))
        judgment, odd = judgment_of(source, keywords)
        if source is not master:
            report.from_copies.append((wanted[mid], source.copy_name or f"copy {source.image_id}"))
        if odd:
            report.labels_as_keywords.append((wanted[mid], odd))
        stamp = touch_ns(source.touched_at)
        items.append((pid, judgment, stamp))
        where[pid] = wanted[mid]
        for paired in master.paired:  # Lightroom's RAW+JPEG: the JPEG is the same photo
            jpeg = ids_for(_mapped(paired, maps))
            if jpeg is not None and jpeg not in seen:
                seen.add(jpeg)
                items.append((jpeg, judgment, stamp))
                where[jpeg] = _mapped(paired, maps)
    report.matched = len(items)
    report.not_in_catalog = sum(missing.values())
    report.missing_folders = missing.most_common(10)
    report.found_elsewhere = [(old, new, n) for (old, new), n in moved.most_common()]
    for batch in batches(items):  # short BULK transactions: decisions go between them
        for result in apply_external_many(batch, SOURCE):
            report.applied += int(result.applied)
            report.unchanged += int(result.unchanged)
            report.kept_curator += int(bool(result.kept_curator))
            report.conflicts += [(where[result.photo_id], c) for c in result.conflicts]
    return report


def ids_for(path: str) -> int | None:
    return photo_ids_by_path([path]).get(path)


def _roots(lrcat: LrCatalog) -> dict[int, str]:
    """image id → the root folder its path starts with (the longest)."""
    out: dict[int, str] = {}
    roots = sorted(lrcat.roots, key=len, reverse=True)
    for im in lrcat.images:
        norm = im.path.replace("\\", "/")
        for root in roots:
            r = os.path.normpath(root).replace("\\", "/").rstrip("/") + "/"
            if norm.startswith(r):
                out[im.image_id] = im.path[: len(r)]
                break
    return out
