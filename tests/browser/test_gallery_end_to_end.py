"""The client's choice end to end, in a real Chromium: a gallery made by
`curator proof make` from real photos, (1) served by a real `curator proof
serve` — the code, hearts and comments stored as they are given, the
maximum refused with the server's sentence, another phone's hearts seen,
confirming locks — and (2) opened from its folder, whose signed selection
comes back with `curator proof import`. Each time the picks are in the catalog."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import PageWatch
from tests.browser.proof_gallery import expect
from tests.integration.cli_helpers import curator_subprocess, import_json, run_cli
from tests.proof_helpers import gallery_data

if TYPE_CHECKING:
    from playwright.sync_api import Page

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "jpeg"
NewPage = Callable[..., PageWatch]


@dataclass
class Made:
    catalog: Path
    folder: Path
    code: str
    tokens: list[str]


@pytest.fixture
def made(tmp_path: Path) -> Made:
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    for path in sorted(FIXTURES.glob("*.jpg"))[:6]:
        shutil.copy(path, shoot / path.name)
    catalog = tmp_path / "catalog.sqlite"
    import_json(shoot, "--stages", "technical", "--catalog", str(catalog))
    code, out, err = run_cli(
        "proof", "make", "--catalog", str(catalog), "Anna & Ben", "--photo",
        *map(str, sorted(shoot.iterdir())), "--min", "2", "--max", "4", "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    folder = Path(result["folder"])
    tokens = [p["id"] for p in gallery_data(folder)["photos"]]
    return Made(catalog, folder, result["code"], tokens)


def _stored(catalog: Path) -> tuple[list[tuple[str, int, str]], Any]:
    with sqlite3.connect(catalog) as db:
        rows = db.execute(
            "SELECT token, hearted, comment FROM proof_photo"
            " WHERE hearted <> 0 OR comment <> '' ORDER BY position"
        ).fetchall()
        (confirmed,) = db.execute("SELECT confirmed_at FROM proof_gallery").fetchone()
    return rows, confirmed


@pytest.fixture
def url(made: Made) -> Iterator[str]:
    proc: subprocess.Popen[str] = curator_subprocess(
        "proof", "serve", "--catalog", str(made.catalog), "Anna & Ben", "--port", "0", "--json"
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "the server did not start"
        yield str(json.loads(line)["url"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _sign_in(new_page: NewPage, url: str, code: str) -> Page:
    watch = new_page()
    watch.allowed = (url,)
    page = watch.page
    page.goto(url)
    page.get_by_label("Access code").fill(code)
    page.get_by_role("button", name="Open the gallery").click()
    expect(page.locator("#grid .tile")).to_have_count(6)
    return page


def _heart(page: Page, n: int) -> None:
    page.locator(f"#grid .tile-heart[aria-label='Heart photo {n}']").click()


def test_the_served_gallery_stores_each_heart_and_holds_its_rules(
    new_page: NewPage, url: str, made: Made
) -> None:
    watch = new_page()
    watch.allowed = (url,)
    watch.page.goto(url)
    watch.page.get_by_label("Access code").fill("AAAAA-AAAAA")
    watch.page.get_by_role("button", name="Open the gallery").click()
    expect(watch.page.get_by_role("alert")).to_have_text(
        "That code does not open this gallery. Check it and try again."
    )
    page = _sign_in(new_page, url, made.code.lower().replace("-", " "))  # as a client types it
    phone = _sign_in(new_page, url, made.code)
    for n in (1, 2):
        _heart(page, n)
    expect(page.locator("#counter")).to_have_text("2 of 2–4")
    assert _stored(made.catalog)[0] == [(made.tokens[0], 1, ""), (made.tokens[1], 1, "")]
    # The other phone sees them within its poll, and adds its own.
    expect(phone.locator("#counter")).to_have_text("2 of 2–4", timeout=6000)
    for n in (4, 5):
        _heart(phone, n)
    expect(page.locator("#counter")).to_have_text("4 of 2–4", timeout=6000)
    _heart(page, 6)  # past the maximum
    expect(page.get_by_role("alert")).to_have_text(
        "You've hearted 4 photos, the most this gallery allows — remove a heart to choose another."
    )
    page.locator("#grid .tile-open[aria-label='Open photo 4']").click()
    page.wait_for_function("() => window.pswp && window.pswp.opener.isOpen")
    page.locator(".pswp-comment textarea").fill("Black & white, please")
    page.locator(".pswp-comment textarea").press("Enter")
    expect(page.locator(".pswp-comment-saved")).to_have_text("Saved.")
    page.keyboard.press("Escape")  # out of the comment box
    page.keyboard.press("Escape")  # out of the lightbox
    page.wait_for_function("() => !(window.pswp && window.pswp.opener.isOpen)")
    page.locator("#confirm").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Confirm").click()
    expect(page.locator("#status")).to_contain_text("Your selection is confirmed")
    rows, confirmed = _stored(made.catalog)
    assert confirmed is not None
    assert rows == [
        (made.tokens[0], 1, ""),
        (made.tokens[1], 1, ""),
        (made.tokens[3], 1, "Black & white, please"),
        (made.tokens[4], 1, ""),
    ]
    _heart(phone, 1)  # the other phone, after the confirmation
    expect(phone.get_by_role("alert")).to_contain_text("Your selection is confirmed")
    assert _stored(made.catalog)[0] == rows
    code, out, err = run_cli(
        "proof", "status", "--catalog", str(made.catalog), "Anna & Ben", "--json"
    )
    assert code == 0, err
    status = json.loads(out)
    assert status["hearted"] == 4 and status["comments"] == 1 and status["confirmed_at"]


def test_the_folder_gallerys_selection_comes_back_into_the_catalog(
    new_page: NewPage, made: Made
) -> None:
    page = new_page().page
    page.goto((made.folder / "index.html").as_uri())
    expect(page.locator("#grid .tile")).to_have_count(6)
    for n in (2, 3, 6):
        _heart(page, n)
    expect(page.locator("#counter")).to_have_text("3 of 2–4")
    page.locator("#confirm").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Confirm").click()
    page.locator("#send-name").fill("Anna")
    with page.expect_download() as info:
        page.locator("#send-download").click()
    selection = Path(info.value.path())
    code, out, err = run_cli("proof", "import", "--catalog", str(made.catalog), str(selection))
    assert code == 0, err
    assert "from Anna" in out
    rows, confirmed = _stored(made.catalog)
    assert [r[0] for r in rows] == [made.tokens[1], made.tokens[2], made.tokens[5]]
    assert confirmed is not None
    # The text to paste into an e-mail carries the same selection.
    pasted = made.folder.parent / "mail.txt"
    pasted.write_text("Here you go!\n" + page.locator("#send-text").input_value())
    assert run_cli("proof", "import", "--catalog", str(made.catalog), str(pasted))[0] == 0
