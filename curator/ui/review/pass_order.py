"""`PassOrder`: the review session's order function (`order(pass_)`, asked when
a pass starts): `score.review_order`, or with `uncertain_first` the rating
pass's unrated kept photos least sure first (`curator list --order
uncertain`), or with `least_sure_first` this seat's proposals lowest
confidence first (`proposals.store.least_sure_first`). No Qt.

The switched orders (150-470 ms at 100,000 proposals) are read on a worker
(`read`, by `ui.review.review_orders`) and held (`hold`) for every later start
until switched off or read again; the usual order (~0.1 s) is read on the
worker at a catalog's open (`read_usual`) and taken once (`fresh`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


class PassOrder:
    """Callable `(pass_) -> photo ids`; `uncertain_first` switches the rating pass,
    `least_sure_first` the cull pass; `members(pass_, ids)` says which of a few
    photos a pass holds (a live import's batch) by reading only those rows."""

    def __init__(self, embedding_model: Callable[[], str]):
        self._embedding_model = embedding_model
        self.uncertain_first = False
        self.least_sure_first = False
        self.held: dict[str, list[int]] = {}  # pass -> its switched order, as last read
        self.fresh: dict[str, list[int]] = {}  # pass -> its usual order, read just now: once

    def switched(self, pass_: str) -> bool:
        """Is `pass_`'s order switched (least sure first, most uncertain first)?"""
        return self.least_sure_first if pass_ == "cull" else self.uncertain_first

    def read(self, pass_: str) -> list[int]:
        """The switched order of `pass_`, read now (on a worker: any thread)."""
        from curator.pipeline.stages.score import review_order  # the catalog: after the paint

        if pass_ == "cull":
            return self._proposed()
        return review_order(pass_, self._embedding_model(), uncertain_first=True)

    def read_usual(self, pass_: str) -> list[int]:
        """The usual (unswitched) order of `pass_`, read now (any thread)."""
        from curator.pipeline.stages.score import review_order  # the catalog: after the paint

        return review_order(pass_, "")

    def hold(self, pass_: str, ids: list[int]) -> None:
        """The switched order read for `pass_` (main thread): later starts walk it."""
        self.held[pass_] = list(ids)

    def __call__(self, pass_: str) -> list[int]:
        from curator.pipeline.stages.score import review_order  # the catalog: after the paint

        if pass_ in ("cull", "rating") and self.switched(pass_):
            if pass_ not in self.held:  # no read held yet: read here (the fallback)
                self.held[pass_] = self.read(pass_)
            return list(self.held[pass_])
        fresh = self.fresh.pop(pass_, None)
        return fresh if fresh is not None else review_order(pass_, "")

    @staticmethod
    def followers(photo_ids: Sequence[int]) -> dict[int, list[int]]:
        """Each of `photo_ids` that leads a RAW+JPEG pair -> its JPEGs (none unpaired)."""
        from curator.catalog.paths_codec import followers_of, pairing_on

        return followers_of(photo_ids) if pairing_on() else {}

    @staticmethod
    def _proposed() -> list[int]:
        from curator.catalog.backends.seat import current_seat
        from curator.catalog.proposals.store import least_sure_first

        return least_sure_first(current_seat().user)

    def members(self, pass_: str, photo_ids: Sequence[int]) -> set[int]:
        from curator.pipeline.stages.score import review_members

        if pass_ == "cull" and self.least_sure_first:  # a new photo has no proposal yet
            held = self.held.get(pass_)
            return set(self._proposed() if held is None else held).intersection(photo_ids)

        uncertain = pass_ == "rating" and self.uncertain_first
        return review_members(pass_, photo_ids, uncertain_first=uncertain)
