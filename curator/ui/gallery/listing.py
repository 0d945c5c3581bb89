"""Pure helpers of the gallery's list (no Qt model): where new photos go in a
sorted list (`insertion_rows`), which cached rows a change made stale
(`cached_among`), and the image keys of a row's thumbnail and preview. Split
from `ui.gallery.model`, which re-exports them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from curator.catalog.types import GalleryRow
from curator.ui.common.image_loader import ImageKey


def insertion_rows(
    listed: Sequence[int], fresh: Sequence[int], ranks: Callable[[list[int]], dict[int, int]]
) -> list[int]:
    """The rows of `listed` before which each of `fresh` goes (both in order): one
    binary search per photo, all a step at a time, each step ONE `ranks` call
    over its probes; a probe `ranks` does not know (deleted) counts as before."""
    low, high = [0] * len(fresh), [len(listed)] * len(fresh)
    while True:
        open_ = [i for i in range(len(fresh)) if low[i] < high[i]]
        if not open_:
            return low
        probes = {listed[(low[i] + high[i]) // 2] for i in open_}
        rank = ranks([*fresh, *probes])
        for i in open_:
            mid = (low[i] + high[i]) // 2
            if rank.get(listed[mid], -1) < rank.get(fresh[i], 0):
                low[i] = mid + 1
            else:
                high[i] = mid


def cached_among(cache: Mapping[int, object], changed: Collection[int]) -> list[int]:
    """The ids of `changed` that `cache` holds, walking the smaller of the two
    (60,000 look-ups were 7-24 ms of the UI thread). Give a large `changed` as a
    set: any other collection is made one first."""
    if len(changed) > len(cache):
        wanted = changed if isinstance(changed, set | frozenset) else set(changed)
        return [pid for pid in cache if pid in wanted]
    return [pid for pid in changed if pid in cache]


def thumbnail_key(row: GalleryRow) -> ImageKey | None:
    """The row's thumbnail, with its file to make it again from when missing."""
    if row.thumbnail_key is None:
        return None
    return ImageKey(row.id, row.thumbnail_key, row.rotation, source=row.path)


def preview_key(row: GalleryRow) -> ImageKey | None:
    if row.preview_key is None:
        return None
    return ImageKey(row.id, row.preview_key, row.rotation, source=row.path)
