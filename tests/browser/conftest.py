"""Browser tests: the client gallery's page in a real Chromium, driven by Playwright.

Debian's `chromium` (`make chromium`) through `executable_path`; Playwright's own browser
download is never used. Without chromium or the playwright package the tests skip with the
reason, except under CI (`CI` set), where a missing browser is a failure.

One browser per test session (`browser`); each test gets a fresh context — its own
localStorage, downloads accepted — through `new_page`, which also records every request and
every script error: at the end of the test the page must have stayed inside its own folder
(or server) and thrown nothing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: pip install -e '.[dev]' (it is in the dev extra)")
    executable = shutil.which("chromium")
    if executable is None:
        _missing("chromium is not installed: run `make chromium` (Debian's chromium package)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class PageWatch:
    """What a page did: the URLs it requested and the script errors it raised."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    allowed: tuple[str, ...] = ("file://", "data:", "blob:")

    def on_console(self, message: Any) -> None:
        # An API refusal (4xx) is part of the contract; a missing file is caught by on_response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def on_response(self, response: Any) -> None:
        if response.status >= 400 and "/api/" not in response.url:
            self.errors.append(f"{response.status} {response.url}")

    def assert_clean(self) -> None:
        outside = [u for u in self.requests if not u.startswith(self.allowed)]
        assert outside == [], f"the page reached outside its folder: {outside}"
        assert self.errors == [], f"the page threw: {self.errors}"


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., PageWatch]]:
    """`new_page(**context_options)` -> a PageWatch on a page in a fresh context."""
    contexts: list[Any] = []
    watches: list[PageWatch] = []

    def make(**options: Any) -> PageWatch:
        options.setdefault("accept_downloads", True)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page)
        page.on("request", lambda r: watch.requests.append(r.url))
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        page.on("console", watch.on_console)
        page.on("response", watch.on_response)
        watches.append(watch)
        return watch

    yield make
    for context in contexts:
        context.close()
    for watch in watches:
        watch.assert_clean()
