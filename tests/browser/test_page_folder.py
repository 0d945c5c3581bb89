"""The client gallery's page opened from a folder (file://), in Chromium: the grid, hearts and
the counter, the maximum and the lock, the lightbox's keys and comment box, localStorage,
the signed selection file and its paste-able text (verified here in Python), the closed page,
a phone's viewport, and a 1,000-photo gallery's first paint.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from tests.browser.conftest import PageWatch
from tests.browser.proof_gallery import SIGN_KEY, expect, make_gallery, signature_of, token

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

MAX_REFUSED = (
    "You've hearted 4 photos, the most this gallery allows — remove a heart to choose another."
)
LOCKED = "Your selection is confirmed — ask Anna Photo to reopen it to change it."
COMMENT = 'Crop "tighter" — é, 日本, 🎉\nand\tbrighter, please'

NewPage = Callable[..., PageWatch]


def open_gallery(new_page: NewPage, folder: Path, **context: object) -> PageWatch:
    watch = new_page(**context)
    watch.page.goto((folder / "index.html").as_uri())
    return watch


def tile_heart(page: Page, n: int) -> Locator:
    return page.locator(f"#grid .tile-heart[aria-label='Heart photo {n}']")


def heart(page: Page, *numbers: int) -> None:
    for n in numbers:
        tile_heart(page, n).click()


def open_photo(page: Page, n: int) -> None:
    page.locator(f"#grid .tile-open[aria-label='Open photo {n}']").click()
    expect(page.locator(".pswp__photo-number")).to_have_text(f"Photo {n}")
    # PhotoSwipe listens to keys once its opening animation has ended.
    page.wait_for_function("() => window.pswp && window.pswp.opener.isOpen")


def test_grid_shows_numbered_lazy_tiles(tmp_path: Path, new_page: NewPage) -> None:
    data = make_gallery(tmp_path)
    page = open_gallery(new_page, tmp_path).page
    tiles = page.locator("#grid .tile")
    expect(tiles).to_have_count(12)
    expect(page.locator("#grid .tile-n")).to_have_text([str(n) for n in range(1, 13)])
    expect(page.locator("h1")).to_have_text("Anna & Ben — wedding")
    expect(page).to_have_title("Anna & Ben — wedding")
    expect(page.locator("#counter")).to_have_text("0 of 2–4")
    img = page.locator("#grid .tile img").first
    assert img.get_attribute("loading") == "lazy"
    assert img.get_attribute("decoding") == "async"
    assert (img.get_attribute("width"), img.get_attribute("height")) == ("120", "80")
    # Photos are numbers to the client, never file names.
    photos = data["photos"]
    assert isinstance(photos, list)
    assert photos[0]["id"] not in page.locator("body").inner_text()
    expect(page.locator("#send")).to_be_visible()


def test_hearts_count_and_the_maximum_is_refused(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path)
    page = open_gallery(new_page, tmp_path).page
    heart(page, 1, 2, 3)
    expect(page.locator("#counter")).to_have_text("3 of 2–4")
    expect(tile_heart(page, 2)).to_have_attribute("aria-pressed", "true")
    heart(page, 4)
    expect(page.locator("#counter")).to_have_text("4 of 2–4")
    heart(page, 5)
    expect(page.get_by_role("alert")).to_have_text(MAX_REFUSED)
    expect(page.locator("#counter")).to_have_text("4 of 2–4")
    expect(tile_heart(page, 5)).to_have_attribute("aria-pressed", "false")
    # Taking one back makes room again.
    heart(page, 1, 5)
    expect(page.locator("#counter")).to_have_text("4 of 2–4")
    expect(tile_heart(page, 5)).to_have_attribute("aria-pressed", "true")
    expect(tile_heart(page, 1)).to_have_attribute("aria-pressed", "false")


@pytest.mark.parametrize(
    ("min_picks", "max_picks", "shown"),
    [
        (30, 40, "0 of 30–40"),
        (0, 40, "0 of up to 40"),
        (30, None, "0 (at least 30)"),
        (0, None, "0 hearted"),
        (5, 5, "0 of 5"),
    ],
)
def test_counter_wording(
    tmp_path: Path, new_page: NewPage, min_picks: int, max_picks: int | None, shown: str
) -> None:
    make_gallery(tmp_path, count=2, min_picks=min_picks, max_picks=max_picks)
    page = open_gallery(new_page, tmp_path).page
    expect(page.locator("#counter")).to_have_text(shown)


def test_hearted_only_filter(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path)
    page = open_gallery(new_page, tmp_path).page
    heart(page, 3)
    page.locator("#grid .tile-open[aria-label='Open photo 7']").focus()
    page.keyboard.press("h")  # H hearts the focused tile in the grid too
    page.get_by_role("button", name="Hearted only").click()
    expect(page.locator("#grid .tile:visible .tile-n")).to_have_text(["3", "7"])
    page.get_by_role("button", name="Hearted only").click()
    expect(page.locator("#grid .tile:visible")).to_have_count(12)


def test_lightbox_keys_move_and_heart(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path)
    watch = open_gallery(new_page, tmp_path)
    page = watch.page
    open_photo(page, 1)
    page.keyboard.press("ArrowRight")
    expect(page.locator(".pswp__photo-number")).to_have_text("Photo 2")
    page.keyboard.press("h")
    expect(page.locator(".pswp__button--heart")).to_have_attribute("aria-pressed", "true")
    expect(tile_heart(page, 2)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#counter")).to_have_text("1 of 2–4")
    # The lightbox's heart button and the grid stay in step both ways.
    page.locator(".pswp__button--heart").click()
    expect(tile_heart(page, 2)).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Escape")
    expect(page.locator(".pswp")).to_have_count(0)
    # The neighbours' copies were asked for ahead (preload), not only the ones shown.
    assert any(u.endswith(f"photos/{token(3)}.jpg") for u in watch.requests)


def test_keys_pressed_while_the_photo_opens_still_count(tmp_path: Path, new_page: NewPage) -> None:
    # A quick client presses H or → as soon as the photo starts to open (seen in a real
    # window: PhotoSwipe lets its opening animation swallow the keys).
    make_gallery(tmp_path)
    page = open_gallery(new_page, tmp_path).page
    page.locator("#grid .tile-open[aria-label='Open photo 1']").click()
    page.keyboard.press("h")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".pswp__photo-number")).to_have_text("Photo 3")
    expect(tile_heart(page, 1)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#counter")).to_have_text("1 of 2–4")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".pswp__photo-number")).to_have_text("Photo 2")


def test_comment_saved_in_the_lightbox_survives_a_reload(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path)
    page = open_gallery(new_page, tmp_path).page
    open_photo(page, 3)
    box = page.locator(".pswp-comment textarea")
    box.fill("Can we crop this one?")
    box.press("h")  # typing, not hearting
    box.press("Enter")
    expect(page.locator(".pswp-comment-saved")).to_have_text("Saved.")
    expect(tile_heart(page, 3)).to_have_attribute("aria-pressed", "false")
    box.press("Escape")  # leaves the box, not the lightbox
    expect(page.locator(".pswp")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator(".pswp")).to_have_count(0)
    marker = page.locator("#grid .tile").nth(2).locator(".tile-comment")
    expect(marker).to_be_visible()

    page.reload()
    expect(marker).to_be_visible()
    open_photo(page, 3)
    expect(page.locator(".pswp-comment textarea")).to_have_value("Can we crop this one?h")


def test_no_comment_box_when_comments_are_off(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path, comments=False)
    page = open_gallery(new_page, tmp_path).page
    open_photo(page, 1)
    expect(page.locator(".pswp__button--heart")).to_be_visible()
    expect(page.locator(".pswp-comment")).to_have_count(0)


def test_confirm_locks_the_selection(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path)
    page = open_gallery(new_page, tmp_path).page
    confirm = page.locator("#confirm")
    heart(page, 1)
    expect(confirm).to_be_disabled()  # below the minimum of 2
    heart(page, 2)
    expect(confirm).to_be_enabled()
    confirm.click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog.locator("p")).to_have_text(
        "Confirm these 2 photos? You can't change them afterwards unless the photographer "
        "reopens the gallery."
    )
    dialog.get_by_role("button", name="Confirm").click()
    # In folder mode confirming goes straight on to sending.
    send = page.locator("#send-dialog")
    expect(send).to_be_visible()
    send.get_by_role("button", name="Close").click()
    expect(confirm).to_be_disabled()

    heart(page, 5)
    expect(page.get_by_role("alert")).to_have_text(LOCKED)
    expect(page.locator("#counter")).to_have_text("2 of 2–4")
    open_photo(page, 1)
    page.keyboard.press("h")
    expect(page.get_by_role("alert")).to_have_text(LOCKED)
    expect(tile_heart(page, 1)).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")

    page.reload()  # the lock is kept with the selection
    heart(page, 2)
    expect(page.get_by_role("alert")).to_have_text(LOCKED)
    expect(page.locator("#counter")).to_have_text("2 of 2–4")


def test_sent_selection_verifies_in_python(tmp_path: Path, new_page: NewPage) -> None:
    data = make_gallery(tmp_path)
    page = open_gallery(new_page, tmp_path).page
    heart(page, 2, 5, 9)
    open_photo(page, 5)
    box = page.locator(".pswp-comment textarea")
    box.fill(COMMENT)
    box.press("Enter")
    expect(page.locator(".pswp-comment-saved")).to_have_text("Saved.")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(page.locator(".pswp")).to_have_count(0)

    page.locator("#confirm").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Confirm").click()
    page.locator("#send-name").fill("Zoë O'Brien")
    with page.expect_download() as info:
        page.locator("#send-download").click()
    download = info.value
    assert download.suggested_filename == "selection-anna-ben-wedding.curator-selection.json"
    raw = Path(download.path()).read_bytes()

    selection = json.loads(raw.decode("utf-8"))
    assert selection["signature"] == signature_of(selection, SIGN_KEY)
    assert selection["format"] == "curator-client-selection"
    assert selection["version"] == 1
    assert selection["gallery"] == data["gallery"]
    assert selection["title"] == "Anna & Ben — wedding"
    assert selection["hearts"] == sorted([token(1), token(4), token(8)])
    assert selection["comments"] == {token(4): COMMENT}
    assert selection["client"] == "Zoë O'Brien"
    assert datetime.fromisoformat(selection["confirmed_at"]).year >= 2024
    # Any edit breaks the signature.
    assert signature_of(dict(selection, client="Someone else")) != selection["signature"]

    text = page.locator("#send-text").input_value()
    lines = text.split("\n")
    assert lines[0] == "----- BEGIN CURATOR SELECTION -----"
    assert lines[-1] == "----- END CURATOR SELECTION -----"
    body = lines[1:-1]
    assert all(len(line) == 76 for line in body[:-1]) and 0 < len(body[-1]) <= 76
    assert base64.b64decode("".join(body), validate=True) == raw


def test_send_works_before_confirming(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path, min_picks=0, max_picks=None)
    page = open_gallery(new_page, tmp_path).page
    heart(page, 12)
    page.locator("#send").click()
    expect(page.locator("#send-draft")).to_be_visible()
    with page.expect_download() as info:
        page.locator("#send-download").click()
    selection = json.loads(Path(info.value.path()).read_bytes())
    assert selection["signature"] == signature_of(selection)
    assert selection["confirmed_at"] is None
    assert selection["hearts"] == [token(11)]
    assert selection["comments"] == {}
    assert selection["client"] == ""


def test_expired_gallery_shows_only_the_closed_sentence(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path, expires="2020-01-31")
    page = open_gallery(new_page, tmp_path).page
    expect(page.locator("body")).to_have_text(
        "This gallery closed on 31 January 2020. Ask the photographer if you need more time."
    )
    expect(page.locator(".tile")).to_have_count(0)


def test_open_until_a_future_date(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path, expires="2999-12-31")
    page = open_gallery(new_page, tmp_path).page
    expect(page.locator("#grid .tile")).to_have_count(12)
    expect(page.locator("#hint")).to_contain_text("open until 31 December 2999")


def test_without_local_storage_the_page_still_works_and_says_so(
    tmp_path: Path, new_page: NewPage
) -> None:
    make_gallery(tmp_path)
    watch = new_page()
    watch.page.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get() {"
        " throw new DOMException('denied', 'SecurityError'); }});"
    )
    page = watch.page
    page.goto((tmp_path / "index.html").as_uri())
    expect(page.get_by_role("alert")).to_contain_text("won't keep your selection")
    heart(page, 1, 2)
    expect(page.locator("#counter")).to_have_text("2 of 2–4")


def test_phone_viewport_has_no_horizontal_scroll(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path, title="A rather long gallery title that has to wrap on a phone")
    page = open_gallery(
        new_page,
        tmp_path,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    ).page
    expect(page.locator("#grid .tile")).to_have_count(12)
    tile_heart(page, 1).tap()
    expect(page.locator("#counter")).to_have_text("1 of 2–4")
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    # Two columns: the first two tiles side by side, the third below them.
    tops = page.evaluate(
        "[...document.querySelectorAll('#grid .tile')].slice(0, 3).map(t => t.offsetTop)"
    )
    assert tops[0] == tops[1] < tops[2], tops
    page.locator("#grid .tile-open").nth(1).tap()
    expect(page.locator(".pswp__photo-number")).to_have_text("Photo 2")
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths


def test_a_thousand_photos_paint_fast_and_load_lazily(tmp_path: Path, new_page: NewPage) -> None:
    make_gallery(tmp_path, count=1000, same_files=True, min_picks=0, max_picks=None)
    watch = open_gallery(new_page, tmp_path, viewport={"width": 1280, "height": 800})
    page = watch.page
    expect(page.locator("#grid .tile")).to_have_count(1000)
    page.wait_for_load_state("load")
    paint = page.evaluate(
        "performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)"
    )
    assert paint and paint[0] < 1000, paint
    # Only the thumbnails near the first screen are fetched; the page itself is light.
    thumbs = [u for u in watch.requests if "/thumbs/" in u]
    assert 0 < len(thumbs) < 200, f"{len(thumbs)} thumbnails fetched at start"
    assert not any("/photos/" in u for u in watch.requests)
    page_bytes = sum(
        Path(url2pathname(urlparse(u).path)).stat().st_size
        for u in watch.requests
        if "/thumbs/" not in u
    )
    assert page_bytes < 500_000, page_bytes
