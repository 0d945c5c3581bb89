"""The gallery's news of a step touches the rows it caches, not every photo the
step changed (ui/gallery/listing.cached_among; issue 51 §2: an undone Accept
the Rest tells the gallery 60,000 ids while it caches a few hundred rows)."""

from __future__ import annotations

from curator.ui.gallery.listing import cached_among


class CountingCache(dict[int, object]):
    """A row cache that counts the look-ups made in it."""

    lookups = 0

    def __contains__(self, key: object) -> bool:
        self.lookups += 1
        return super().__contains__(key)


def test_a_step_of_many_photos_walks_the_cache_not_the_step() -> None:
    cache = CountingCache({pid: object() for pid in range(0, 1_000, 5)})  # 200 rows cached
    step = set(range(0, 60_000, 2))  # an undone accept's photos
    dropped = cached_among(cache, step)
    assert sorted(dropped) == [pid for pid in range(0, 1_000, 10)]
    assert cache.lookups == 0  # the 200 cached ids were looked up in the step, never the reverse


def test_a_few_photos_are_looked_up_in_the_cache() -> None:
    cache = CountingCache({pid: object() for pid in range(200)})
    assert cached_among(cache, [3, 500, 7]) == [3, 7]
    assert cache.lookups == 3
    assert sorted(cached_among(cache, list(range(150, 1_000)))) == list(range(150, 200))
