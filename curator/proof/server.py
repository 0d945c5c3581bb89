"""One client gallery served over HTTP from the photographer's computer:
Starlette on uvicorn (`serve`), every request treated as hostile. It listens
on one address (`serving_host`): 127.0.0.1, or its address on the network
when the photographer chooses it — never on every interface.

What a request may reach:
- `GET /`: the gallery's page with a session, the code page without one, a
  page saying so when the gallery is closed or expired (410);
- `GET /assets/<file>`: only the page's own files, from a list made at start
  (never a path joined from the request);
- `GET /gallery.js`, `/photos/<token>.jpg`, `/thumbs/<token>.jpg`: with a
  session only; a token must be 20 hex characters AND one of this gallery's
  photos; the file must be a regular file (no link) inside the gallery's own
  folder. Anything else — `..`, encoded dots, absolute paths, another
  gallery's tokens, the catalog — is a 404 with a sentence;
- `GET /api/state`, `POST /api/heart|comment|confirm`: with a session; a POST
  must carry the session's CSRF token (`X-CSRF-Token`), JSON of at most
  `MAX_BODY` bytes, and no foreign `Origin`. The rules live where the hearts
  are stored (`catalog.proofing.picks`); each answer is the stored state.
- `POST /api/login`: the access code against its slow hash, slowed after a
  few wrong tries per client (`guard.Attempts`); a right one opens a session:
  cookie HttpOnly, SameSite=Strict (Secure over https).
A reverse proxy on this computer (127.0.0.1, and only it) is believed when it
says who asked and over what: X-Forwarded-For, X-Forwarded-Proto.
Every answer carries a strict Content-Security-Policy, nosniff, no referrer
and no framing. Bad requests get a 4xx and a sentence, never a traceback; a
failure inside is a 500 with a sentence, logged here. The catalog is read and
written off the event loop (a worker thread each), each write committed
before the answer: a server killed at any moment loses no heart answered.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import re
import socket
import stat
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from curator.catalog.proofing.galleries import Gallery, gallery_by_id, gallery_photos, has_token
from curator.catalog.proofing.picks import (
    PicksRefused,
    confirm,
    picks_state,
    set_comment,
    set_heart,
)
from curator.proof.access import code_matches
from curator.proof.guard import Attempts, Session, Sessions
from curator.proof.page_data import page_data
from curator.proof.page_files import PAGE_DIR, gallery_script, login_page

log = logging.getLogger(__name__)

COOKIE = "curator_gallery"
MAX_BODY = 16_384
_TOKEN_FILE = re.compile(r"^([0-9a-f]{20})\.jpg$")
_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none';"
        " frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _asset_files(page_dir: Path) -> dict[str, Path]:
    """The page's own files under assets/, by their URL path: the only ones served."""
    out: dict[str, Path] = {}
    root = page_dir / "assets"
    for dirpath, _dirs, files in os.walk(root, followlinks=False):
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            out[path.relative_to(root).as_posix()] = path
    return out


def _sentence(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=SECURITY_HEADERS)


def _page(status: int, title: str, message: str) -> Response:
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{_escape(title)}</title>"
        '<link rel=stylesheet href="assets/gallery.css">'
        f'<main class="closed"><h1>{_escape(title)}</h1><p>{_escape(message)}</p></main></html>'
    )
    return Response(body, status_code=status, media_type="text/html", headers=SECURITY_HEADERS)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


class GalleryApp:
    """The served gallery: its routes and state (module docstring)."""

    def __init__(
        self,
        gallery_id: int,
        *,
        page_dir: Path = PAGE_DIR,
        today: Callable[[], date] = date.today,
        attempts: Attempts | None = None,
    ) -> None:
        self.gallery_id = gallery_id
        self.page_dir = page_dir
        self.today = today
        self.sessions = Sessions()
        self.attempts = attempts or Attempts()
        self.assets = _asset_files(page_dir)
        self.app = Starlette(
            routes=[
                Route("/", self.index, methods=["GET", "HEAD"]),
                Route("/gallery.js", self.script, methods=["GET", "HEAD"]),
                Route("/assets/{path:path}", self.asset, methods=["GET", "HEAD"]),
                Route("/photos/{name}", self.photo, methods=["GET", "HEAD"]),
                Route("/thumbs/{name}", self.thumb, methods=["GET", "HEAD"]),
                Route("/api/state", self.state, methods=["GET"]),
                Route("/api/login", self.login, methods=["POST"]),
                Route("/api/heart", self.heart, methods=["POST"]),
                Route("/api/comment", self.comment, methods=["POST"]),
                Route("/api/confirm", self.confirm, methods=["POST"]),
            ],
            exception_handlers={HTTPException: self._http_error, Exception: self._failure},
        )

    # -- helpers -------------------------------------------------------------------

    async def _gallery(self) -> Gallery | None:
        return await run_in_threadpool(gallery_by_id, self.gallery_id)

    def _closed(self, gallery: Gallery | None) -> str | None:
        if gallery is None:
            return "This gallery no longer exists. Ask the photographer for a new link."
        return gallery.closed_sentence(self.today())

    async def _session(self, request: Request) -> Session | None:
        """The request's live session; None when there is none, or when it was
        opened with a code the photographer has since replaced (`proof code`)."""
        session = self.sessions.get(request.cookies.get(COOKIE))
        if session is None:
            return None
        gallery = await self._gallery()
        if gallery is None or not _same(session.code_hash, gallery.code_hash):
            return None
        return session

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 400)
        if status == 405:
            return _sentence(405, "That address does not take this kind of request.")
        if status == 404:
            return _sentence(404, "There is nothing at this address.")
        return _sentence(status, "The request was not understood.")

    async def _failure(self, request: Request, exc: Exception) -> Response:
        log.exception("the gallery server failed on %s", request.url.path)
        return _sentence(500, "Something went wrong on the photographer's computer. Try again.")

    async def _body(self, request: Request) -> dict[str, Any] | Response:
        """The POST's JSON object, or the 4xx that refuses it."""
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _sentence(415, "This address takes JSON, as the gallery's page sends it.")
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return _sentence(413, "That request is too large.")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _sentence(413, "That request is too large.")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _sentence(400, "The request was not understood.")
        if not isinstance(data, dict):
            return _sentence(400, "The request was not understood.")
        return data

    def _foreign_origin(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None or origin == "null":
            return origin == "null"
        host = request.headers.get("host", "")
        return re.sub(r"^https?://", "", origin) != host

    async def _writer(self, request: Request) -> tuple[Session, dict[str, Any]] | Response:
        """The session and JSON of a write, or the 4xx that refuses it."""
        session = await self._session(request)
        if session is None:
            return _sentence(401, "Your session has ended: enter the gallery's code again.")
        if self._foreign_origin(request):
            return _sentence(403, "That request came from another site.")
        token = request.headers.get("x-csrf-token", "")
        if not token or not _same(token, session.csrf):
            return _sentence(403, "That request is missing its safety token: reload the page.")
        data = await self._body(request)
        if isinstance(data, Response):
            return data
        return session, data

    async def _picks(self, fn: Callable[..., Any], *args: Any) -> Response:
        try:
            state = await run_in_threadpool(fn, self.gallery_id, *args, self.today())
        except PicksRefused as exc:
            return _sentence(exc.status, exc.message)
        return JSONResponse(state.as_json(), headers=SECURITY_HEADERS)

    # -- routes ----------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        gallery = await self._gallery()
        closed = self._closed(gallery)
        if closed:
            return _page(410, "This gallery is closed", closed)
        if await self._session(request) is None:
            return Response(login_page(), media_type="text/html", headers=SECURITY_HEADERS)
        html = (self.page_dir / "index.html").read_bytes()
        return Response(html, media_type="text/html", headers=SECURITY_HEADERS)

    async def script(self, request: Request) -> Response:
        session = await self._session(request)
        if session is None:
            return _sentence(401, "Enter the gallery's code first.")
        gallery = await self._gallery()
        if gallery is None or self._closed(gallery):
            return _sentence(410, self._closed(gallery) or "This gallery is closed.")
        photos = await run_in_threadpool(gallery_photos, gallery.id)
        data = await run_in_threadpool(page_data, gallery, photos, mode="served", csrf=session.csrf)
        return Response(
            gallery_script(data), media_type="text/javascript", headers=SECURITY_HEADERS
        )

    async def asset(self, request: Request) -> Response:
        path = self.assets.get(str(request.path_params.get("path", "")))
        if path is None:
            return _sentence(404, "There is nothing at this address.")
        media = _TYPES.get(path.suffix.lower(), "application/octet-stream")
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"}
        return FileResponse(path, media_type=media, headers=headers)

    async def photo(self, request: Request) -> Response:
        return await self._copy(request, "photos")

    async def thumb(self, request: Request) -> Response:
        return await self._copy(request, "thumbs")

    async def _copy(self, request: Request, kind: str) -> Response:
        if await self._session(request) is None:
            return _sentence(401, "Enter the gallery's code first.")
        match = _TOKEN_FILE.match(str(request.path_params.get("name", "")))
        if match is None:
            return _sentence(404, "There is nothing at this address.")
        gallery = await self._gallery()
        if gallery is None or self._closed(gallery):
            return _sentence(410, self._closed(gallery) or "This gallery is closed.")
        if not await run_in_threadpool(has_token, gallery.id, match.group(1)):
            return _sentence(404, "There is nothing at this address.")
        path = _inside(Path(gallery.folder), kind, f"{match.group(1)}.jpg")
        if path is None:
            return _sentence(404, "There is nothing at this address.")
        headers = {**SECURITY_HEADERS, "Cache-Control": "private, max-age=3600"}
        return FileResponse(path, media_type="image/jpeg", headers=headers)

    async def state(self, request: Request) -> Response:
        if await self._session(request) is None:
            return _sentence(401, "Your session has ended: enter the gallery's code again.")
        state = await run_in_threadpool(picks_state, self.gallery_id, self.today())
        return JSONResponse(state.as_json(), headers=SECURITY_HEADERS)

    async def login(self, request: Request) -> Response:
        if self._foreign_origin(request):
            return _sentence(403, "That request came from another site.")
        address = request.client.host if request.client else "?"
        wait = self.attempts.wait_s(address)
        if wait > 0:
            return _sentence(
                429, f"Too many wrong codes. Try again in {max(1, round(wait))} seconds."
            )
        data = await self._body(request)
        if isinstance(data, Response):
            return data
        code = data.get("code")
        gallery = await self._gallery()
        closed = self._closed(gallery)
        if closed:
            return _sentence(410, closed)
        assert gallery is not None
        if not isinstance(code, str) or len(code) > 64:
            return _sentence(400, "Type the code the photographer gave you.")
        if not await run_in_threadpool(code_matches, code, gallery.code_hash):
            self.attempts.failed(address)
            await asyncio.sleep(0.3)  # a wrong code is never answered at once
            return _sentence(401, "That code does not open this gallery. Check it and try again.")
        self.attempts.succeeded(address)
        sid, _session = self.sessions.open(gallery.code_hash)
        response = JSONResponse({"ok": True}, headers=SECURITY_HEADERS)
        response.set_cookie(
            COOKIE,
            sid,
            max_age=12 * 3600,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    async def heart(self, request: Request) -> Response:
        return await self._write(request, set_heart, photo=str, hearted=bool)

    async def comment(self, request: Request) -> Response:
        return await self._write(request, set_comment, photo=str, text=str)

    async def confirm(self, request: Request) -> Response:
        return await self._write(request, confirm)

    async def _write(self, request: Request, fn: Callable[..., Any], **shape: type) -> Response:
        """A write: its session, CSRF token and JSON checked (`_writer`), the
        body's fields of `shape` (name: type, in `fn`'s order), then `fn`."""
        got = await self._writer(request)
        if isinstance(got, Response):
            return got
        _session, data = got
        values = [data.get(name) for name in shape]
        if not all(isinstance(v, kind) for v, kind in zip(values, shape.values(), strict=True)):
            return _sentence(400, "The request was not understood.")
        return await self._picks(fn, *values)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _inside(folder: Path, kind: str, name: str) -> Path | None:
    """The copy `folder/kind/name` when it is a regular file (no link on the way)
    inside the gallery's folder; None otherwise."""
    try:
        root = folder.resolve(strict=True)
        sub = root / kind
        path = sub / name
        if sub.is_symlink() or not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        if path.resolve(strict=True).parent != sub.resolve(strict=True):
            return None
    except OSError:
        return None
    return path


# -- running it ------------------------------------------------------------------------


def open_socket(host: str, port: int) -> socket.socket:
    """The listening socket (port 0: any free one); OSError says why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


LOOPBACK = "127.0.0.1"


def serving_host(network: bool) -> str:
    """The one address the server listens on: this computer only (127.0.0.1),
    or — the photographer's choice — its address on the network its default
    route uses (the studio's Wi-Fi), never every interface at once (a VPN's,
    a second network's). 127.0.0.1 when there is no network."""
    return network_address() if network else LOOPBACK


def network_address() -> str:
    """This computer's address on its network (for a client on the same Wi-Fi),
    found without sending anything; 127.0.0.1 when there is none."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a route lookup, no packet
        return str(probe.getsockname()[0])
    except OSError:
        return LOOPBACK
    finally:
        probe.close()


def serve(app: GalleryApp, sock: socket.socket) -> None:
    """Serve `app` on `sock` until SIGINT or SIGTERM (uvicorn's own handlers)."""
    import uvicorn

    config = uvicorn.Config(
        app.app,
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
        # A reverse proxy on this computer says who asked and over what (the
        # wrong-code count per client, the cookie's Secure); nobody else is believed.
        proxy_headers=True,
        forwarded_allow_ips=LOOPBACK,
        limit_concurrency=256,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16_384,
        lifespan="off",
    )
    uvicorn.Server(config).run(sockets=[sock])
