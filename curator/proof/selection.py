"""The client's selection file: what a gallery opened from a folder sends back.

The page (`page/assets/gallery-app.js`) writes a JSON object:
`{"format": "curator-client-selection", "version": 1, "gallery", "title",
"hearts": [tokens], "comments": {token: text}, "confirmed_at", "client",
"signature"}`; the signature is HMAC-SHA256, keyed with the gallery's
selection key (`access.selection_key`), over the canonical JSON of the rest
(keys sorted, no spaces, UTF-8 as is: `canonical`). The same bytes may come
as text pasted from an e-mail: base64 between `BEGIN`/`END CURATOR
SELECTION` lines.

`read_selection(data)` parses either form and says in one sentence what is
wrong (`SelectionRefused`): not a selection, truncated, from a newer page.
`verify(selection, key)` refuses one whose signature does not match (edited
by hand, or from another gallery). Nothing here touches the catalog.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

FORMAT = "curator-client-selection"
VERSION = 1
MAX_BYTES = 5_000_000  # a selection of 10,000 photos with comments is far less
_BLOCK = re.compile(
    r"-+\s*BEGIN CURATOR SELECTION\s*-+(?P<body>.*?)-+\s*END CURATOR SELECTION\s*-+", re.S
)
_TOKEN = re.compile(r"^[0-9a-f]{20}$")


class SelectionRefused(ValueError):
    """A selection file Curator will not apply; the message is one sentence."""


@dataclass(frozen=True)
class Selection:
    """A selection file's content."""

    gallery: str  # the gallery's token
    title: str
    hearts: frozenset[str]
    comments: dict[str, str]
    confirmed_at: datetime | None
    client: str
    signature: str
    signed: bytes  # the canonical bytes the signature covers


def canonical(obj: object) -> bytes:
    """The bytes a selection's signature covers (the page computes the same)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(fields: dict[str, object], key: str) -> str:
    return hmac.new(bytes.fromhex(key), canonical(fields), hashlib.sha256).hexdigest()


def _json_bytes(data: bytes) -> bytes:
    """The file's JSON bytes: the file itself, or the pasted block decoded."""
    text = data.decode("utf-8", errors="replace")
    block = _BLOCK.search(text)
    if block is None:
        if "BEGIN CURATOR SELECTION" in text:
            raise SelectionRefused(
                "The pasted selection is cut short: its END CURATOR SELECTION line is missing."
            )
        return data
    body = "".join(block.group("body").split())
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SelectionRefused(
            "The pasted selection is damaged: some of its lines are missing or changed."
        ) from exc


def read_selection(data: bytes) -> Selection:
    """The selection in `data` (a file's bytes or pasted text); `SelectionRefused`."""
    if len(data) > MAX_BYTES:
        raise SelectionRefused("This file is far too big to be a client's selection.")
    raw = _json_bytes(data)
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SelectionRefused("This file is not a client's selection (it is not text).") from exc
    except json.JSONDecodeError as exc:
        if raw.lstrip().startswith(b"{") and FORMAT.encode() in raw:
            raise SelectionRefused(
                "This selection file is cut short: it ends before its last line. "
                "Ask the client to send it again."
            ) from exc
        raise SelectionRefused("This file is not a client's selection.") from exc
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise SelectionRefused("This file is not a client's selection.")
    if obj.get("version") != VERSION:
        raise SelectionRefused(
            f"This selection was made by a newer gallery page (version {obj.get('version')}); "
            "update Curator to read it."
        )
    return _parsed(obj)


def _parsed(obj: dict[str, object]) -> Selection:
    hearts, comments = obj.get("hearts"), obj.get("comments")
    confirmed, signature = obj.get("confirmed_at"), obj.get("signature")
    gallery, title, client = obj.get("gallery"), obj.get("title", ""), obj.get("client", "")
    shapes_ok = (
        isinstance(hearts, list)
        and all(isinstance(t, str) and _TOKEN.match(t) for t in hearts)
        and isinstance(comments, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in comments.items())
        and isinstance(gallery, str)
        and isinstance(title, str)
        and isinstance(client, str)
        and isinstance(signature, str)
        and (confirmed is None or isinstance(confirmed, str))
    )
    if not shapes_ok:
        raise SelectionRefused("This selection file was changed: its fields are not as sent.")
    assert isinstance(hearts, list) and isinstance(comments, dict)
    when: datetime | None = None
    if isinstance(confirmed, str):
        try:
            when = datetime.fromisoformat(confirmed.replace("Z", "+00:00"))
        except ValueError as exc:
            raise SelectionRefused("This selection file was changed: its date is not one.") from exc
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)  # the catalog's naive UTC
    fields = {k: v for k, v in obj.items() if k != "signature"}
    return Selection(
        gallery=str(gallery),
        title=str(title),
        hearts=frozenset(hearts),
        comments={str(k): str(v) for k, v in comments.items()},
        confirmed_at=when,
        client=str(client),
        signature=str(signature),
        signed=canonical(fields),
    )


def verify(selection: Selection, key: str) -> None:
    """Refuse a selection whose signature is not the gallery's (`SelectionRefused`)."""
    want = hmac.new(bytes.fromhex(key), selection.signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, selection.signature.lower()):
        raise SelectionRefused(
            "This selection file was changed after the client sent it (its signature does "
            "not match), so Curator will not use it. Ask the client to send it again."
        )
