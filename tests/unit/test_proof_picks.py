"""A client gallery's hearts, comments and confirmation: the rules hold where
they are stored (catalog.proofing.picks), on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from threading import Barrier, Thread

import pytest

from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.proofing import galleries, picks
from curator.catalog.proofing.galleries import GalleryError, GallerySettings, StoredPhoto
from curator.catalog.proofing.picks import PicksRefused


def _gallery(n: int = 6, **settings: object) -> tuple[int, list[str]]:
    ids = [
        int(Photo.create(path=f"/lib/{i}.jpg".encode(), content_hash=f"h{i}").id) for i in range(n)
    ]
    made = galleries.create_gallery(
        "Anna & Ben",
        GallerySettings(title="Anna & Ben", **settings),  # type: ignore[arg-type]
        token="g-0123456789abcdef",
        code_hash="scrypt$1$1$1$00$00",
        secret="ab" * 32,
        folder="/tmp/nowhere",
    )
    tokens = [f"{i:020x}" for i in range(n)]
    galleries.store_photos(
        made.id,
        [
            StoredPhoto(pid, tok, i, "k")
            for i, (pid, tok) in enumerate(zip(ids, tokens, strict=True))
        ],
    )
    return made.id, tokens


def test_the_maximum_holds_and_a_heart_can_be_taken_back(catalog: Catalog) -> None:
    gid, tokens = _gallery(max_picks=2)
    picks.set_heart(gid, tokens[0], True)
    state = picks.set_heart(gid, tokens[1], True)
    assert state.hearts == (tokens[0], tokens[1])
    with pytest.raises(PicksRefused, match="You've hearted 2 photos, the most this gallery allows"):
        picks.set_heart(gid, tokens[2], True)
    assert picks.picks_state(gid).hearts == (tokens[0], tokens[1])  # nothing written
    picks.set_heart(gid, tokens[0], False)
    assert picks.set_heart(gid, tokens[2], True).hearts == (tokens[1], tokens[2])


def test_two_phones_at_once_never_pass_the_maximum(catalog: Catalog) -> None:
    gid, tokens = _gallery(n=8, max_picks=3)
    start = Barrier(8)
    refused: list[str] = []

    def heart(token: str) -> None:
        start.wait()
        try:
            picks.set_heart(gid, token, True)
        except PicksRefused as exc:
            refused.append(exc.message)

    threads = [Thread(target=heart, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(picks.picks_state(gid).hearts) == 3
    assert len(refused) == 5


def test_confirm_needs_the_minimum_and_locks_until_reopened(catalog: Catalog) -> None:
    gid, tokens = _gallery(min_picks=2, max_picks=4)
    picks.set_heart(gid, tokens[0], True)
    with pytest.raises(PicksRefused, match="Heart at least 2 photos before you confirm — 1 more"):
        picks.confirm(gid)
    picks.set_heart(gid, tokens[1], True)
    assert picks.confirm(gid).confirmed_at is not None
    for write in (
        lambda: picks.set_heart(gid, tokens[2], True),
        lambda: picks.set_heart(gid, tokens[0], False),
        lambda: picks.set_comment(gid, tokens[0], "warmer please"),
    ):
        with pytest.raises(PicksRefused, match="Your selection is confirmed"):
            write()
    assert picks.picks_state(gid).hearts == (tokens[0], tokens[1])
    assert picks.reopen(gid) is True
    assert picks.reopen(gid) is False  # not confirmed any more
    assert picks.set_heart(gid, tokens[2], True).confirmed_at is None


def test_comments_are_cleaned_bounded_and_only_where_allowed(catalog: Catalog) -> None:
    gid, tokens = _gallery()
    state = picks.set_comment(gid, tokens[3], "  crop tighter\x00\x07 please\n ")
    assert state.comments == {tokens[3]: "crop tighter please"}
    with pytest.raises(PicksRefused, match="at most 2,000 characters"):
        picks.set_comment(gid, tokens[3], "x" * 2_001)
    assert picks.set_comment(gid, tokens[3], "").comments == {}
    gid2, tokens2 = _other_gallery_without_comments()
    with pytest.raises(PicksRefused, match="takes no comments"):
        picks.set_comment(gid2, tokens2[0], "hello")


def _other_gallery_without_comments() -> tuple[int, list[str]]:
    pid = int(Photo.create(path=b"/lib/other.jpg", content_hash="other").id)
    made = galleries.create_gallery(
        "Quiet",
        GallerySettings(title="Quiet", comments=False),
        token="g-fedcba9876543210",
        code_hash="x",
        secret="cd" * 32,
        folder="/tmp/else",
    )
    galleries.store_photos(made.id, [StoredPhoto(pid, "f" * 20, 0, "k")])
    return made.id, ["f" * 20]


def test_an_unknown_photo_a_closed_or_expired_gallery_take_nothing(catalog: Catalog) -> None:
    gid, tokens = _gallery(expires_on=date(2026, 12, 31))
    with pytest.raises(PicksRefused, match="not in this gallery") as unknown:
        picks.set_heart(gid, "9" * 20, True)
    assert unknown.value.status == 404
    after = date(2027, 1, 1)
    with pytest.raises(PicksRefused, match="This gallery closed on 31 December 2026") as late:
        picks.set_heart(gid, tokens[0], True, today=after)
    assert late.value.status == 410
    picks.set_heart(gid, tokens[0], True, today=date(2026, 12, 31))  # the last day still opens
    galleries.set_closed(gid, True)
    with pytest.raises(PicksRefused, match="This gallery is closed"):
        picks.set_heart(gid, tokens[1], True)
    assert picks.picks_state(gid).hearts == (tokens[0],)


def test_a_selection_replaces_the_say_as_a_whole_under_the_maximum(catalog: Catalog) -> None:
    gid, tokens = _gallery(max_picks=3)
    picks.set_heart(gid, tokens[5], True)
    when = picks.confirm(gid).confirmed_at
    assert when is not None
    state = picks.apply_selection(gid, {tokens[0], tokens[2]}, {tokens[2]: "this one"}, when)
    assert state.hearts == (tokens[0], tokens[2]) and state.comments == {tokens[2]: "this one"}
    with pytest.raises(PicksRefused, match="hearts 4 photos; this gallery allows at most 3"):
        picks.apply_selection(gid, set(tokens[:4]), {}, None)
    with pytest.raises(PicksRefused, match="1 photo"):
        picks.apply_selection(gid, {"e" * 20}, {}, None)
    assert picks.picks_state(gid).hearts == (tokens[0], tokens[2])  # the refused left it


def test_a_make_keeps_the_hearts_of_photos_that_stay(catalog: Catalog) -> None:
    gid, tokens = _gallery(n=3)
    picks.set_heart(gid, tokens[0], True)
    picks.set_heart(gid, tokens[2], True)
    rows = galleries.gallery_photos(gid)
    kept = [
        StoredPhoto(rows[2].photo_id, tokens[2], 0, "new"),
        StoredPhoto(rows[0].photo_id, tokens[0], 1, "k"),
    ]
    assert galleries.store_photos(gid, kept) == 1  # the middle photo left
    again = galleries.gallery_photos(gid)
    assert [(p.token, p.hearted, p.rendered) for p in again] == [
        (tokens[2], True, "new"),
        (tokens[0], True, "k"),
    ]


def test_settings_that_could_never_confirm_are_refused(catalog: Catalog) -> None:
    with pytest.raises(GalleryError, match="minimum \\(5\\) is above the maximum \\(3\\)"):
        galleries.create_gallery(
            "x",
            GallerySettings(title="x", min_picks=5, max_picks=3),
            token="g-1",
            code_hash="h",
            secret="00",
            folder="/f",
        )
    gid, _tokens = _gallery()
    with pytest.raises(GalleryError, match="already exists"):
        galleries.create_gallery(
            "Anna & Ben",
            GallerySettings(title="again"),
            token="g-2",
            code_hash="h",
            secret="00",
            folder="/f",
        )
    assert galleries.gallery_named("Anna & Ben").id == gid
    assert galleries.gallery_named("g-0123456789abcdef").id == gid  # its token names it too
    with pytest.raises(
        GalleryError, match=r"No client gallery is named .Nope.\. Its galleries: .Anna & Ben."
    ):
        galleries.gallery_named("Nope")
