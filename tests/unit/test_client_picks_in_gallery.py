"""A client's hearts in the window: the tile's heart (gallery rows, flags,
pills, tooltip), the Client picks filter with its choices, and the loupe's
line of what the client said — on SQLite and PostgreSQL."""

from __future__ import annotations

from curator.catalog.db import Catalog
from curator.catalog.gallery_filters import MetadataFilter, metadata_choices
from curator.catalog.models import Photo
from curator.catalog.proofing import galleries, picks
from curator.catalog.proofing.galleries import GallerySettings, StoredPhoto
from curator.catalog.queries import GalleryQuery, gallery_query_ids, gallery_rows, photo_details
from curator.ui.gallery.flags import photo_flags, tooltip
from curator.ui.gallery.view import CLIENT_HEART, flag_pills
from curator.ui.loupe.info_panel import client_text


def _photos(n: int) -> list[int]:
    return [
        int(Photo.create(path=f"/lib/c{i}.jpg".encode(), content_hash=f"c{i}").id) for i in range(n)
    ]


def _gallery(name: str, token: str, ids: list[int]) -> tuple[int, list[str]]:
    made = galleries.create_gallery(
        name,
        GallerySettings(title=name),
        token=token,
        code_hash="h",
        secret="00",
        folder="/tmp/g",
    )
    tokens = [f"{token[-4:]}{i:016x}" for i in range(len(ids))]
    galleries.store_photos(
        made.id,
        [StoredPhoto(pid, t, i, "k") for i, (pid, t) in enumerate(zip(ids, tokens, strict=True))],
    )
    return made.id, tokens


def test_a_hearted_photo_wears_the_clients_heart_and_the_filter_finds_it(catalog: Catalog) -> None:
    ids = _photos(5)
    wedding, w_tokens = _gallery("Wedding", "g-00000000000000aa", ids[:4])
    family, f_tokens = _gallery("Family", "g-00000000000000bb", ids[2:])
    picks.set_heart(wedding, w_tokens[1], True)
    picks.set_heart(wedding, w_tokens[3], True)
    picks.set_comment(wedding, w_tokens[3], "our favourite")
    picks.set_heart(family, f_tokens[2], True)
    rows = gallery_rows(ids)
    assert [rows[i].client_heart for i in ids] == [False, True, False, True, True]
    flags = photo_flags(rows[ids[1]], 70.0)
    assert flags.client_heart
    top, _bottom = flag_pills(flags)
    assert CLIENT_HEART in [text for text, _colour in top]
    assert "A client hearted it" in tooltip(rows[ids[1]], flags)
    assert not photo_flags(rows[ids[0]], 70.0).client_heart
    only = GalleryQuery(
        metadata=MetadataFilter(client_picks="g-00000000000000aa", client_picks_label="Wedding")
    )
    assert sorted(gallery_query_ids(only)) == [ids[1], ids[3]]
    assert only.metadata.describe() == "client picks: Wedding"
    other = GalleryQuery(metadata=MetadataFilter(client_picks="g-00000000000000bb"))
    assert gallery_query_ids(other) == [ids[4]]
    choices = {c.value: (c.label, c.count) for c in metadata_choices().client_galleries}
    assert choices == {"g-00000000000000aa": ("Wedding", 2), "g-00000000000000bb": ("Family", 1)}
    details = photo_details(ids[3])
    assert details is not None
    assert details.client == (("Wedding", True, "our favourite"),)  # Family: nothing said
    assert client_text(details.client) == "♥ hearted in “Wedding”: “our favourite”"
    picks.set_heart(wedding, w_tokens[1], False)
    assert not gallery_rows([ids[1]])[ids[1]].client_heart
