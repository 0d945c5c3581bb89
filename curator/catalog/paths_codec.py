"""How file paths are stored: the file system's exact bytes.

Paths go into BLOB columns as `os.fsencode(path)`, so names that are not valid
UTF-8 (old Windows shares, cameras with Latin-1 folder names) keep their exact
identity. `display_path` makes a printable string for people and JSON.
"""

from __future__ import annotations

import os


def encode_path(path: str) -> bytes:
    return os.fsencode(path)


def decode_path(raw: bytes | memoryview | str) -> str:
    """The path as the OS spells it (str, possibly with surrogate escapes)."""
    if isinstance(raw, str):
        return raw
    return os.fsdecode(bytes(raw))


def display_path(raw: bytes | memoryview | str) -> str:
    """A printable form: undecodable bytes become U+FFFD."""
    data = os.fsencode(raw) if isinstance(raw, str) else bytes(raw)
    return data.decode("utf-8", errors="replace")
