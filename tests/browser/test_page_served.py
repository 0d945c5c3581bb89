"""The client gallery's page served over HTTP (a stand-in server under a sub-path, with the
real server's CSP), in Chromium: the access-code login, hearts and comments through the JSON
API with the CSRF header, the server's refusal sentence, another phone's hearts seen by
polling, confirming, and a lost session sending the client back to the login.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import PageWatch
from tests.browser.fake_proof_server import CODE, CSRF, SESSION, FakeGallery, serve
from tests.browser.proof_gallery import expect, make_gallery, token

if TYPE_CHECKING:
    from playwright.sync_api import Page

NewPage = Callable[..., PageWatch]


@pytest.fixture
def gallery(tmp_path: Path) -> FakeGallery:
    return FakeGallery(tmp_path, make_gallery(tmp_path))


@pytest.fixture
def url(gallery: FakeGallery) -> Iterator[str]:
    with serve(gallery) as address:
        yield address


def open_served(new_page: NewPage, url: str, *, signed_in: bool = True) -> Page:
    watch = new_page()
    watch.allowed = (url,)
    if signed_in:
        watch.page.context.add_cookies([{"name": "sid", "value": SESSION, "url": url}])
    watch.page.goto(url)
    return watch.page


def test_login_with_the_access_code(new_page: NewPage, url: str) -> None:
    page = open_served(new_page, url, signed_in=False)
    page.get_by_label("Access code").fill("WRONG")
    page.get_by_role("button", name="Open the gallery").click()
    expect(page.get_by_role("alert")).to_have_text("That code isn't right. Check it and try again.")
    page.get_by_label("Access code").fill(CODE)
    page.get_by_role("button", name="Open the gallery").click()
    expect(page.locator("#grid .tile")).to_have_count(12)
    expect(page.locator("#send")).to_be_hidden()  # served mode: the server has the selection


def test_hearts_and_comments_go_through_the_api(
    new_page: NewPage, url: str, gallery: FakeGallery
) -> None:
    page = open_served(new_page, url)
    page.locator("#grid .tile-heart[aria-label='Heart photo 2']").click()
    expect(page.locator("#counter")).to_have_text("1 of 2–4")
    method, _, headers, body = gallery.api_calls("api/heart")[0]
    assert method == "POST"
    assert headers["X-CSRF-Token"] == CSRF
    assert headers["Content-Type"] == "application/json"
    assert body == {"photo": token(1), "hearted": True}
    assert gallery.hearts == {token(1)}

    page.locator("#grid .tile-open[aria-label='Open photo 4']").click()
    page.wait_for_function("() => window.pswp && window.pswp.opener.isOpen")
    page.locator(".pswp-comment textarea").fill("Brighter?")
    page.locator(".pswp-comment textarea").press("Enter")
    expect(page.locator(".pswp-comment-saved")).to_have_text("Saved.")
    assert gallery.comments == {token(3): "Brighter?"}


def test_a_refusal_shows_the_servers_sentence(
    new_page: NewPage, url: str, gallery: FakeGallery
) -> None:
    page = open_served(new_page, url)
    gallery.refuse_with = "The photographer has paused this gallery for a moment."
    heart = page.locator("#grid .tile-heart[aria-label='Heart photo 1']")
    heart.click()
    expect(page.get_by_role("alert")).to_have_text(
        "The photographer has paused this gallery for a moment."
    )
    expect(heart).to_have_attribute("aria-pressed", "false")  # the state read again
    expect(page.locator("#counter")).to_have_text("0 of 2–4")


def test_another_phones_hearts_show_up(new_page: NewPage, url: str, gallery: FakeGallery) -> None:
    page = open_served(new_page, url)
    expect(page.locator("#counter")).to_have_text("0 of 2–4")
    with gallery.lock:
        gallery.hearts.update({token(6), token(7)})
    expect(page.locator("#counter")).to_have_text("2 of 2–4", timeout=6000)
    expect(page.locator("#grid .tile-heart[aria-label='Heart photo 7']")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_confirm_then_the_selection_is_locked(
    new_page: NewPage, url: str, gallery: FakeGallery
) -> None:
    gallery.hearts.update({token(0), token(1)})
    page = open_served(new_page, url)
    expect(page.locator("#confirm")).to_be_enabled()
    page.locator("#confirm").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Confirm").click()
    expect(page.locator("#status")).to_have_text(
        "Your selection is confirmed. Anna Photo can see it now."
    )
    assert gallery.api_calls("api/confirm")[0][3] == {}
    expect(page.locator("#send-dialog")).to_be_hidden()
    page.locator("#grid .tile-heart[aria-label='Heart photo 5']").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Your selection is confirmed — ask Anna Photo to reopen it to change it."
    )
    assert gallery.api_calls("api/heart") == []


def test_a_lost_session_goes_back_to_the_login(
    new_page: NewPage, url: str, gallery: FakeGallery
) -> None:
    page = open_served(new_page, url)
    expect(page.locator("#grid .tile")).to_have_count(12)
    gallery.session_valid = False
    expect(page.get_by_label("Access code")).to_be_visible(timeout=6000)
