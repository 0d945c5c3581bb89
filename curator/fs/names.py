"""Names safe on every disk: no name a user or a camera wrote can escape the
folder it is written into (export, the card ingest).

`safe_component(text)` is one non-empty component: no `/`, `\\`, NUL, control
character or Windows' `<>:"|?*`; never `.` or `..`, a leading dot, or a
trailing dot or space; a reserved Windows device name gets `_` after its stem
(`CON.jpg` → `CON_.jpg`); lone surrogates become `_`; at most
`MAX_NAME_BYTES` of UTF-8 (the extension kept), leaving room for a clash
suffix, `.xmp` and the temporary prefix.

`split_ext(name)` splits off the extension ("IMG_1", ".CR2").
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 180

_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"COM{i}" for i in range(10)]
    + [f"LPT{i}" for i in range(10)]
    + [f"COM{c}" for c in "¹²³"]
    + [f"LPT{c}" for c in "¹²³"]
)
# Control characters, the separators of every OS, and what Windows forbids.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\<>:"|?*]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def safe_component(text: str, *, fallback: str = "unnamed") -> str:
    """`text` as one safe path component (see the module docstring)."""
    name = unicodedata.normalize("NFC", _SURROGATE.sub("_", text))
    name = _UNSAFE.sub("_", name).strip()
    name = name.rstrip(". ")
    if name.startswith("."):
        name = "_" + name.lstrip(".")
    name = name.rstrip(". ")
    if not name:  # nothing was left ("..", " . "): a plain fallback
        name = fallback
    stem, dot, ext = name.partition(".")
    if stem.upper().rstrip(" ") in _RESERVED:
        name = f"{stem}_{dot}{ext}"
    return _fit(name, MAX_NAME_BYTES)


def _fit(name: str, limit: int) -> str:
    """`name` cut to `limit` UTF-8 bytes on a character boundary, the extension kept."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, ext = split_ext(name)
    if len(ext.encode("utf-8")) > limit // 4:
        stem, ext = name, ""
    room = limit - len(ext.encode("utf-8"))
    cut = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(". ")
    return (cut or "_") + ext


def split_ext(name: str) -> tuple[str, str]:
    """("IMG_1", ".CR2") for "IMG_1.CR2"; ("name", "") without an extension."""
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:]
