"""A stand-in for the photographer's gallery server, just enough to drive the page in served
mode: the page's files under a sub-path (`/g/`, as behind a reverse proxy), the login, and
the JSON API with its rules (CSRF header, maximum, lock). Every response carries the real
server's CSP (`default-src 'self'`), so an inline script or style in the page shows up as a
console error. It records each API request for the tests to read.

Not the real server (curator/proof/server.py): this one checks the page's side of the
contract, the real one is tested on its own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from curator.proof.page_files import gallery_script, login_page

PREFIX = "/g/"
CODE = "PEAR-4821"
SESSION = "s3ss10n"
CSRF = "csrf-token-123"
CSP = "default-src 'self'"
TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".jpg": "image/jpeg"}


@dataclass
class FakeGallery:
    """The server's state and knobs; tests change them between steps."""

    folder: Path
    data: dict[str, object]
    hearts: set[str] = field(default_factory=set)
    comments: dict[str, str] = field(default_factory=dict)
    confirmed_at: str | None = None
    refuse_with: str | None = None  # every POST is refused with this sentence (409)
    session_valid: bool = True
    calls: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def state(self) -> dict[str, object]:
        return {
            "hearts": sorted(self.hearts),
            "comments": dict(self.comments),
            "confirmed_at": self.confirmed_at,
            "closed": False,
        }

    def api_calls(self, path: str) -> list[tuple[str, str, dict[str, str], Any]]:
        with self.lock:
            return [c for c in self.calls if c[1] == PREFIX + path]


def _handler(g: FakeGallery) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def send(self, status: int, body: bytes, ctype: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", CSP)
            self.send_header("Cache-Control", "no-store")
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def send_json(self, status: int, obj: object) -> None:
            self.send(status, json.dumps(obj).encode(), "application/json")

        def signed_in(self) -> bool:
            return g.session_valid and f"sid={SESSION}" in (self.headers.get("Cookie") or "")

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if not path.startswith(PREFIX):
                self.send(404, b"", "text/plain")
                return
            rel = path[len(PREFIX) :]
            with g.lock:
                g.calls.append(("GET", path, dict(self.headers), None))
            if rel in ("", "index.html"):
                if self.signed_in():
                    page = (g.folder / "index.html").read_bytes()
                    self.send(200, page, "text/html; charset=utf-8")
                else:
                    self.send(200, login_page(), "text/html; charset=utf-8")
            elif rel == "gallery.js":
                data = dict(g.data, mode="served", csrf=CSRF)
                data.pop("sign_key", None)
                self.send(200, gallery_script(data).encode(), "text/javascript; charset=utf-8")
            elif rel == "api/state":
                if not self.signed_in():
                    self.send_json(401, {"error": "Sign in again."})
                    return
                with g.lock:
                    self.send_json(200, g.state())
            else:
                file = (g.folder / rel).resolve()
                if g.folder.resolve() not in file.parents or not file.is_file():
                    self.send(404, b"", "text/plain")
                    return
                self.send(
                    200, file.read_bytes(), TYPES.get(file.suffix, "application/octet-stream")
                )

        def do_POST(self) -> None:
            path = self.path.split("?")[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            with g.lock:
                g.calls.append(("POST", path, dict(self.headers), body))
            if path == PREFIX + "api/login":
                if body.get("code") == CODE:
                    g.session_valid = True
                    self.send(
                        200,
                        b"{}",
                        "application/json",
                        Set_Cookie=f"sid={SESSION}; Path={PREFIX}; HttpOnly; SameSite=Strict",
                    )
                else:
                    self.send_json(403, {"error": "That code isn't right. Check it and try again."})
                return
            if not self.signed_in():
                self.send_json(401, {"error": "Sign in again."})
                return
            if self.headers.get("X-CSRF-Token") != CSRF or not (
                self.headers.get("Content-Type") or ""
            ).startswith("application/json"):
                self.send_json(403, {"error": "This page is out of date. Reload it."})
                return
            with g.lock:
                refusal = g.refuse_with or self.apply(path, body)
                if refusal:
                    self.send_json(409, {"error": refusal})
                else:
                    self.send_json(200, g.state())

        def apply(self, path: str, body: dict[str, Any]) -> str | None:
            if g.confirmed_at:
                return "Your selection is confirmed."
            if path == PREFIX + "api/heart":
                max_picks = g.data.get("max_picks")
                if body["hearted"]:
                    if isinstance(max_picks, int) and len(g.hearts) >= max_picks:
                        return "Too many hearts (server)."
                    g.hearts.add(body["photo"])
                else:
                    g.hearts.discard(body["photo"])
            elif path == PREFIX + "api/comment":
                if body["text"]:
                    g.comments[body["photo"]] = body["text"]
                else:
                    g.comments.pop(body["photo"], None)
            elif path == PREFIX + "api/confirm":
                g.confirmed_at = "2026-05-01T10:00:00+00:00"
            return None

    return Handler


@contextmanager
def serve(gallery: FakeGallery) -> Iterator[str]:
    """Serve `gallery` on 127.0.0.1; yields the page's URL (ending in /g/)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gallery))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
