"""A fake Ollama for tests: a real HTTP server on 127.0.0.1 that speaks the parts
of Ollama's API Curator uses, with fault modes a test switches on.

Endpoints:
- GET  /api/version            → {"version": ...}
- GET  /api/tags               → the model list (`models`), or `tags_reply` when set
- GET  /v1/models              → the same list, OpenAI-style (`data[].id`)
- POST /v1/chat/completions    → OpenAI-compatible; answers from the reply script
  (`script(...)`, consumed one reply per request), then `default` (the golden
  well-formed description, tests/data/llm/describe_ok.json).

Replies (`Reply`) are golden files (`Reply.golden("describe_messy")`), raw
assistant content (`Reply.content("not json")`), HTTP errors with Ollama's
real bodies (`model_not_found()`, `busy()`, `rate_limited()`,
`does_not_support_tools()`, `invalid_schema()`), or a delay
before any of those (`Reply.slow(...)`) to make a client time out.

Every request is recorded (`requests`, `chat_requests`) so a test can assert
what was sent: the image as a data URL, the prompt, the prompt-version header,
the `response_format`.

Bounds: request bodies over `MAX_BODY_BYTES` get HTTP 413, at most
`MAX_RECORDED` requests are kept, a slow reply waits at most `MAX_DELAY_S`
and is cut short when the server stops, sockets time out after
`SOCKET_TIMEOUT_S`. Use it as a context manager; it stops (and frees its
port) on exit.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent / "data" / "llm"
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_RECORDED = 200
MAX_DELAY_S = 30.0
SOCKET_TIMEOUT_S = 10.0


def golden(name: str) -> dict[str, Any]:
    """A golden reply body (tests/data/llm/NAME.json) as a dict."""
    data: dict[str, Any] = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def completion(content: str, model: str = "llava") -> dict[str, Any]:
    """An OpenAI chat completion body, shaped like Ollama's /v1 answer, around `content`."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1718000000,
        "model": model,
        "system_fingerprint": "fp_ollama",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 800, "completion_tokens": 90, "total_tokens": 890},
    }


@dataclass(frozen=True)
class Reply:
    """One scripted answer to a chat request."""

    status: int = 200
    body: Any = None  # JSON-serialisable (dict) or str sent as-is
    delay_s: float = 0.0  # wait this long before answering

    @classmethod
    def golden(cls, name: str) -> Reply:
        return cls(200, golden(name))

    @classmethod
    def content(cls, text: str) -> Reply:
        """The model 'said' `text` (e.g. malformed JSON)."""
        return cls(200, completion(text))

    @classmethod
    def json_content(cls, obj: Any) -> Reply:
        return cls(200, completion(json.dumps(obj)))

    @classmethod
    def error(cls, status: int, body: Any) -> Reply:
        return cls(status, body)

    @classmethod
    def slow(cls, seconds: float, then: Reply | None = None) -> Reply:
        base = then or cls.golden("describe_ok")
        return cls(base.status, base.body, delay_s=seconds)


def _openai_error(message: str, etype: str) -> dict[str, Any]:
    # What Ollama's OpenAI-compatibility layer wraps its errors in.
    return {"error": {"message": message, "type": etype, "param": None, "code": None}}


def model_not_found(model: str = "llava", *, native: bool = False) -> Reply:
    """404 for a model that is not pulled. `native`: the /api body shape instead of /v1's."""
    message = f'model "{model}" not found, try pulling it first'
    if native:
        return Reply.error(404, {"error": message})
    return Reply.error(404, _openai_error(message, "not_found_error"))


def busy() -> Reply:
    """503 as Ollama sends it when its request queue is full (OLLAMA_MAX_QUEUE)."""
    return Reply.error(
        503,
        _openai_error(
            "server busy, please try again.  maximum pending requests exceeded", "api_error"
        ),
    )


def does_not_support_tools(model: str = "llava:latest") -> Reply:
    """400 as Ollama answers a request with tools for a model without tool support."""
    return Reply.error(
        400,
        _openai_error(f"registry.ollama.ai/library/{model} does not support tools", "api_error"),
    )


def invalid_schema() -> Reply:
    """400 as Ollama answers a `format`/response_format schema it cannot turn into a grammar."""
    return Reply.error(400, _openai_error("invalid JSON schema in format", "invalid_request_error"))


def rate_limited() -> Reply:
    return Reply.error(429, _openai_error("rate limit exceeded", "rate_limit_error"))


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any = None  # parsed JSON, or None

    def messages(self) -> list[dict[str, Any]]:
        if not isinstance(self.body, dict):
            return []
        msgs = self.body.get("messages", [])
        return msgs if isinstance(msgs, list) else []

    @property
    def response_format(self) -> Any:
        """The request's `response_format` (None when it asked for none)."""
        return self.body.get("response_format") if isinstance(self.body, dict) else None

    def image_urls(self) -> list[str]:
        return [
            part["image_url"]["url"]
            for msg in self.messages()
            if isinstance(msg.get("content"), list)
            for part in msg["content"]
            if isinstance(part, dict) and part.get("type") == "image_url"
        ]

    def texts(self) -> list[str]:
        out: list[str] = []
        for msg in self.messages():
            content = msg.get("content")
            if isinstance(content, str):
                out.append(content)
            elif isinstance(content, list):
                out.extend(p["text"] for p in content if isinstance(p, dict) and "text" in p)
        return out


@dataclass
class _State:
    models: list[str]
    version: str
    default: Reply
    tags_reply: Reply | None = None
    script: deque[Reply] = field(default_factory=deque)
    requests: deque[RecordedRequest] = field(default_factory=lambda: deque(maxlen=MAX_RECORDED))
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = SOCKET_TIMEOUT_S
    error_content_type = "application/json"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    def do_GET(self) -> None:
        state = self.server.state
        self._record(None)
        if self.path == "/api/version":
            self._send(Reply(200, {"version": state.version}))
        elif self.path == "/v1/models":  # the OpenAI-compatible model list
            with state.lock:
                listed = [{"id": name, "object": "model"} for name in state.models]
            self._send(Reply(200, {"object": "list", "data": listed}))
        elif self.path == "/api/tags":
            with state.lock:
                reply = state.tags_reply or Reply(200, _tags_body(state.models))
            self._send(reply)
        else:
            self._send(Reply(404, "404 page not found"))

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(Reply(413, {"error": "request body too large"}))
            return
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self._record(body)
        if self.path != "/v1/chat/completions":
            self._send(Reply(404, "404 page not found"))
            return
        with state.lock:
            reply = state.script.popleft() if state.script else state.default
        if reply.delay_s and state.stopping.wait(min(reply.delay_s, MAX_DELAY_S)):
            return  # server stopping: drop the request
        self._send(reply)

    def _record(self, body: Any) -> None:
        state = self.server.state
        headers = {k.lower(): v for k, v in self.headers.items()}
        with state.lock:
            state.requests.append(RecordedRequest(self.command, self.path, headers, body))

    def _send(self, reply: Reply) -> None:
        if isinstance(reply.body, str):
            data, ctype = reply.body.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            data, ctype = json.dumps(reply.body).encode("utf-8"), "application/json"
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test); nothing to answer


def _tags_body(models: list[str]) -> dict[str, Any]:
    return {
        "models": [
            {
                "name": name,
                "model": name,
                "modified_at": "2024-06-01T10:00:00.000000+00:00",
                "size": 4_733_363_377,
                "digest": "8dd30f6b0cb19f555f2c7a7ebda861449ea2cc76bf1f44e262931f45fc81d081",
                "details": {
                    "parent_model": "",
                    "format": "gguf",
                    "family": "llama",
                    "families": ["llama", "clip"],
                    "parameter_size": "7B",
                    "quantization_level": "Q4_0",
                },
            }
            for name in models
        ]
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State


class FakeOllama:
    """The fake server (see the module docstring). `with FakeOllama() as srv: srv.url`."""

    def __init__(
        self,
        *,
        models: tuple[str, ...] = ("llava:latest",),
        version: str = "0.6.2",
        default: Reply | None = None,
    ) -> None:
        self._state = _State(
            models=list(models), version=version, default=default or Reply.golden("describe_ok")
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeOllama:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.state = self._state
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._state.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what a test sets ------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        """Answer the next chat requests with these, in order; then `default`."""
        with self._state.lock:
            self._state.script.extend(replies)

    def set_default(self, reply: Reply) -> None:
        with self._state.lock:
            self._state.default = reply

    def set_models(self, *models: str) -> None:
        with self._state.lock:
            self._state.models = list(models)

    def fail_tags(self, reply: Reply | None) -> None:
        """Answer /api/tags with `reply` (None: the model list again)."""
        with self._state.lock:
            self._state.tags_reply = reply

    # -- what a test reads -----------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v1/chat/completions"]
