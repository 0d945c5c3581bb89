"""A served client gallery treats every request as hostile (issue 81 §4): a real
`curator proof serve` process on 127.0.0.1, spoken to with raw HTTP (paths
sent exactly as written). Each refusal is a 4xx with a sentence, never a
traceback, never a file outside the gallery, never a change to the catalog;
a server killed with SIGKILL loses no heart it answered."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.cli_helpers import curator_subprocess, import_json, run_cli
from tests.proof_helpers import gallery_data, page_data_of

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "jpeg"


@dataclass
class Served:
    port: int
    code: str
    folder: Path
    catalog: Path
    tokens: list[str]
    process: Any

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return (
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            conn.close()

    def login(self) -> tuple[str, str]:
        """A session: (the cookie header, the CSRF token)."""
        status, headers, _body = self.post("/api/login", {"code": self.code})
        assert status == 200
        cookie = headers["set-cookie"].split(";")[0]
        _s, _h, script = self.request("GET", "/gallery.js", headers={"Cookie": cookie})
        data = page_data_of(script)
        return cookie, str(data["csrf"])

    def post(
        self, path: str, obj: object, cookie: str = "", csrf: str = "", **extra: str
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Content-Type": "application/json", **extra}
        if cookie:
            headers["Cookie"] = cookie
        if csrf:
            headers["X-CSRF-Token"] = csrf
        return self.request("POST", path, json.dumps(obj).encode(), headers)


def _start(catalog: Path, name: str) -> tuple[Any, int]:
    proc = curator_subprocess(
        "proof", "serve", "--catalog", str(catalog), name, "--port", "0", "--json"
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise AssertionError(proc.stderr.read() if proc.stderr else "the server did not start")
    return proc, int(json.loads(line)["port"])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    for name in sorted(os.listdir(FIXTURES))[:6]:
        if name.endswith(".jpg"):
            shutil.copy(FIXTURES / name, shoot / name)
    catalog = tmp_path / "catalog.sqlite"
    import_json(shoot, "--stages", "technical", "--catalog", str(catalog))
    photos = [str(p) for p in sorted(shoot.iterdir())]
    for gallery, chosen in (("Anna & Ben", photos[:4]), ("Other", photos[4:])):
        code, out, err = run_cli(
            "proof",
            "make",
            "--catalog",
            str(catalog),
            gallery,
            "--photo",
            *chosen,
            "--max",
            "3",
            "--json",
        )
        assert code == 0, err
        if gallery == "Anna & Ben":
            made = json.loads(out)
    folder = Path(made["folder"])
    data = gallery_data(folder)
    proc, port = _start(catalog, "Anna & Ben")
    server = Served(port, made["code"], folder, catalog, [p["id"] for p in data["photos"]], proc)
    try:
        yield server
    finally:
        server.process.kill()  # the server the test left running (it may restart one)
        server.process.wait(timeout=10)
        if proc is not server.process:
            proc.kill()
            proc.wait(timeout=10)


def _catalog_rows(catalog: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(catalog) as db:
        return (
            db.execute(
                "SELECT gallery_id, token, hearted, comment FROM proof_photo ORDER BY 1, 2"
            ).fetchall()
            + db.execute("SELECT id, confirmed_at, closed FROM proof_gallery").fetchall()
        )


def _refused(status: int, body: bytes) -> str:
    assert 400 <= status < 500, (status, body)
    text = body.decode("utf-8", "replace")
    assert "Traceback" not in text and 'File "' not in text
    message: str = json.loads(text)["error"]
    assert message.endswith(".") and len(message) > 15
    return message


def test_nothing_outside_the_gallery_is_served(served: Served) -> None:
    cookie, _csrf = served.login()
    other = gallery_data(served.folder.parent / "Other")["photos"][0]["id"]
    # A photo of this gallery whose file was swapped for a link to the catalog.
    linked = served.folder / "photos" / f"{served.tokens[3]}.jpg"
    linked.unlink()
    linked.symlink_to(served.catalog)
    before = _catalog_rows(served.catalog)
    hostile = [
        "/photos/../catalog.sqlite",
        "/photos/..%2f..%2fcatalog.sqlite",
        "/photos/%2e%2e%2f%2e%2e%2fcatalog.sqlite",
        "/thumbs/%2e%2e/%2e%2e/catalog.sqlite",
        "/assets/../../../catalog.sqlite",
        "/assets/%2e%2e/%2e%2e/index.html",
        "/assets/..%5c..%5cindex.html",
        "//etc/passwd",
        "/assets//etc/passwd",
        "/assets/" + str(served.catalog),
        f"/photos/{other}.jpg",  # another gallery's photo
        f"/thumbs/{other}.jpg",
        f"/photos/{served.tokens[3]}.jpg",  # the link
        f"/photos/{served.tokens[0]}.jpg/..",
        f"/photos/{served.tokens[0].upper()}.jpg",
        "/photos/" + "0" * 20 + ".jpg",
        "/gallery.js/../catalog.sqlite",
        "/catalog.sqlite",
        "/index.html",
    ]
    catalog_bytes = served.catalog.read_bytes()[:16]
    for path in hostile:
        status, _headers, body = served.request("GET", path, headers={"Cookie": cookie})
        assert status in (404, 400), (path, status)
        assert catalog_bytes not in body and b"root:" not in body, path
        _refused(status, body)
    assert _catalog_rows(served.catalog) == before
    status, headers, body = served.request(
        "GET", f"/photos/{served.tokens[0]}.jpg", headers={"Cookie": cookie}
    )
    assert status == 200 and headers["content-type"] == "image/jpeg" and body[:2] == b"\xff\xd8"


def test_without_the_code_nothing_but_the_code_page(served: Served) -> None:
    status, headers, body = served.request("GET", "/")
    assert status == 200 and b"login.js" in body and b"gallery.js" not in body
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    for path in ("/gallery.js", f"/photos/{served.tokens[0]}.jpg", "/api/state"):
        status, _h, body = served.request("GET", path)
        assert status == 401, path
        _refused(status, body)
    status, _h, body = served.post("/api/heart", {"photo": served.tokens[0], "hearted": True})
    assert status == 401
    status, headers, _body = served.post("/api/login", {"code": served.code.lower()})
    assert status == 200
    cookie = headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


def test_wrong_codes_are_slowed_after_a_few_tries(served: Served) -> None:
    for _ in range(5):
        status, _h, body = served.post("/api/login", {"code": "AAAAA-AAAAA"})
        assert "does not open this gallery" in _refused(status, body)
    status, _h, body = served.post("/api/login", {"code": served.code})
    assert status == 429  # even the right code waits its turn now
    assert "Too many wrong codes. Try again in" in _refused(status, body)


def test_behind_a_reverse_proxy_on_this_computer_its_clients_are_told_apart(
    served: Served,
) -> None:
    # A proxy on 127.0.0.1 (the guide's way to put the gallery on the web) says who
    # asked and over what (X-Forwarded-For, X-Forwarded-Proto).
    def via_proxy(client: str, code: str) -> tuple[int, dict[str, str], bytes]:
        forwarded = {"X-Forwarded-For": client, "X-Forwarded-Proto": "https"}
        return served.post("/api/login", {"code": code}, **forwarded)

    status, headers, _body = via_proxy("203.0.113.5", served.code)
    assert status == 200
    assert "secure" in headers["set-cookie"].lower()  # the client's browser saw https
    for _ in range(5):
        status, _h, body = via_proxy("203.0.113.9", "AAAAA-AAAAA")
        assert "does not open this gallery" in _refused(status, body)
    assert via_proxy("203.0.113.9", served.code)[0] == 429  # that client waits…
    status, headers, _body = via_proxy("203.0.113.5", served.code)  # …not the others
    assert status == 200
    status, headers, _body = served.post("/api/login", {"code": served.code})
    assert status == 200 and "secure" not in headers["set-cookie"].lower()  # plain http


def test_every_write_needs_its_session_token_and_json(served: Served) -> None:
    cookie, csrf = served.login()
    heart = {"photo": served.tokens[0], "hearted": True}
    before = _catalog_rows(served.catalog)
    refusals = [
        (served.post("/api/heart", heart, cookie), 403),  # no CSRF token
        (served.post("/api/heart", heart, cookie, "x" * 32), 403),  # a wrong one
        (served.post("/api/heart", heart, cookie, csrf, Origin="http://evil.example"), 403),
        (
            served.request(
                "POST", "/api/heart", b"photo=x", {"Cookie": cookie, "X-CSRF-Token": csrf}
            ),
            415,
        ),
        (
            served.request(
                "POST",
                "/api/heart",
                b"{not json",
                {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"},
            ),
            400,
        ),
        (
            served.request(
                "POST",
                "/api/comment",
                json.dumps({"photo": served.tokens[0], "text": "x" * 20_000}).encode(),
                {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"},
            ),
            413,
        ),
        (
            served.post("/api/heart", {"photo": served.tokens[0], "hearted": "yes"}, cookie, csrf),
            400,
        ),
        (served.post("/api/heart", {"photo": "../../etc", "hearted": True}, cookie, csrf), 404),
        (served.request("DELETE", "/api/state", headers={"Cookie": cookie}), 405),
        (served.request("PUT", "/photos/x.jpg", b"x", {"Cookie": cookie}), 405),
    ]
    for (status, _h, body), want in refusals:
        assert status == want, (status, body)
        _refused(status, body)
    assert _catalog_rows(served.catalog) == before


def test_the_rules_hold_two_phones_agree_and_sigkill_loses_nothing(served: Served) -> None:
    phone1, csrf1 = served.login()
    phone2, csrf2 = served.login()
    for token in served.tokens[:2]:
        status, _h, body = served.post(
            "/api/heart", {"photo": token, "hearted": True}, phone1, csrf1
        )
        assert status == 200, body
    _s, _h, body = served.request("GET", "/api/state", headers={"Cookie": phone2})
    assert json.loads(body)["hearts"] == served.tokens[:2]  # the other phone sees them
    status, _h, body = served.post(
        "/api/heart", {"photo": served.tokens[2], "hearted": True}, phone2, csrf2
    )
    assert status == 200
    status, _h, body = served.post(
        "/api/heart", {"photo": served.tokens[3], "hearted": True}, phone1, csrf1
    )
    assert "the most this gallery allows" in _refused(status, body)
    status, _h, body = served.post(
        "/api/comment",
        {"photo": served.tokens[2], "text": "Can this be black & white?"},
        phone2,
        csrf2,
    )
    assert status == 200
    served.process.send_signal(signal.SIGKILL)
    served.process.wait(timeout=10)
    with sqlite3.connect(served.catalog) as db:
        rows = db.execute(
            "SELECT token, hearted, comment FROM proof_photo WHERE hearted <> 0 OR comment <> ''"
            " ORDER BY position"
        ).fetchall()
    assert rows == [
        (served.tokens[0], 1, ""),
        (served.tokens[1], 1, ""),
        (served.tokens[2], 1, "Can this be black & white?"),
    ]
    # Restarted, the server asks for the code again and the hearts are there.
    served.process, served.port = _start(served.catalog, "Anna & Ben")
    cookie, csrf = served.login()
    status, _h, body = served.post("/api/confirm", {}, cookie, csrf)
    assert status == 200 and json.loads(body)["confirmed_at"]
    status, _h, body = served.post(
        "/api/heart", {"photo": served.tokens[0], "hearted": False}, cookie, csrf
    )
    assert "Your selection is confirmed" in _refused(status, body)


def test_a_closed_gallery_answers_with_a_page_that_says_so(served: Served) -> None:
    cookie, csrf = served.login()
    assert run_cli("proof", "close", "--catalog", str(served.catalog), "Anna & Ben")[0] == 0
    time.sleep(0.05)
    status, headers, body = served.request("GET", "/", headers={"Cookie": cookie})
    assert status == 410 and headers["content-type"].startswith("text/html")
    assert b"This gallery is closed" in body
    status, _h, body = served.post(
        "/api/heart", {"photo": served.tokens[0], "hearted": True}, cookie, csrf
    )
    assert status == 410 and "closed" in _refused(status, body)
    status, _h, body = served.request(
        "GET", f"/photos/{served.tokens[0]}.jpg", headers={"Cookie": cookie}
    )
    assert status == 410


def test_a_new_code_ends_the_sessions_the_old_one_opened(served: Served) -> None:
    cookie, csrf = served.login()
    status, _h, _b = served.request("GET", "/api/state", headers={"Cookie": cookie})
    assert status == 200
    code, out, err = run_cli("proof", "code", "--catalog", str(served.catalog), "Anna & Ben")
    assert code == 0, err
    # The old code's session is over: no page data, no copy, no write.
    status, _h, body = served.request("GET", "/api/state", headers={"Cookie": cookie})
    assert status == 401 and "enter the gallery's code again" in _refused(status, body)
    status, _h, _b = served.request(
        "GET", f"/photos/{served.tokens[0]}.jpg", headers={"Cookie": cookie}
    )
    assert status == 401
    status, _h, body = served.post(
        "/api/heart", {"photo": served.tokens[0], "hearted": True}, cookie, csrf
    )
    assert status == 401
    status, _h, body = served.request("GET", "/", headers={"Cookie": cookie})
    assert status == 200 and b"login.js" in body  # asked for the code
    new_code = next(w for w in out.split() if re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", w))
    assert served.post("/api/login", {"code": served.code})[0] == 401
    assert served.post("/api/login", {"code": new_code})[0] == 200
