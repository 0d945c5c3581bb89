"""Renaming templates: the names an ingest gives the files it copies.

Tokens: `{date}` (capture date, else the file's mtime; `{date:%Y-%m-%d}` by
default), `{time}` (`%H%M%S`: no colons), `{seq}` / `{seq:4}` (one per photo,
a RAW+JPEG pair shares one, counting on across ingests into a folder),
`{camera}` (`camera_names`), `{serial}`, `{original}` (the card's base name),
`{ext}`.

`--rename` names a photo's *base*: the file's own extension always follows, so
a pair and its sidecars keep one base name; `{ext}` may only end the template.
`--subfolder` takes the same tokens but `{seq}` and `{ext}`; a `/` nests folders.

Invariants: `parse_template` refuses a bad template with one sentence
(`TemplateError`); rendering never fails and never leaves the destination:
every value and folder level goes through `export.names.safe_component`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from curator.camera_names import camera_name
from curator.fs.names import safe_component

DEFAULT_RENAME = "{original}"
DEFAULT_SUBFOLDER = "{date:%Y}/{date:%Y-%m-%d}"
DEFAULT_SEQ_WIDTH = 4
MAX_SEQ_WIDTH = 9
UNKNOWN_CAMERA = "Unknown camera"
UNKNOWN_SERIAL = "no-serial"

_FORMATS = {"date": "%Y-%m-%d", "time": "%H%M%S"}
TOKENS = ("date", "time", "seq", "camera", "serial", "original", "ext")
_TOKEN_LIST = ", ".join("{" + t + "}" for t in TOKENS[:-1]) + " or {" + TOKENS[-1] + "}"
_VALUE_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\<>:"|?*]')
_SAMPLE = datetime(2024, 5, 12, 9, 8, 7)


class TemplateKind(StrEnum):
    RENAME = "rename"
    SUBFOLDER = "subfolder"


class TemplateError(ValueError):
    """A template that can't be used; str() is the sentence (what to change)."""


@dataclass(frozen=True)
class Token:
    name: str
    spec: str = ""


@dataclass(frozen=True)
class NamingFacts:
    """What a photo's names are made from (read from the card, before copying)."""

    original: str  # the card's file name without its extension
    moment: datetime  # the capture time, or the file's modification time
    dated: bool  # True when `moment` is the capture time (EXIF)
    camera: str | None = None
    serial: str | None = None


@dataclass(frozen=True)
class Template:
    """A parsed template (see the module docstring); `render` never fails."""

    text: str
    kind: TemplateKind
    parts: tuple[str | Token, ...]

    @property
    def counts(self) -> bool:
        """Whether it holds `{seq}` (a counter is taken per photo)."""
        return any(isinstance(p, Token) and p.name == "seq" for p in self.parts)

    def render(self, facts: NamingFacts, seq: int = 1) -> str:
        """The base name (RENAME) or the folder path, '/'-separated (SUBFOLDER)."""
        text = "".join(p if isinstance(p, str) else _value(p, facts, seq) for p in self.parts)
        if self.kind is TemplateKind.RENAME:
            return safe_component(text, fallback=safe_component(facts.original, fallback="photo"))
        levels = [safe_component(level) for level in text.split("/") if level.strip()]
        return "/".join(levels)


def parse_template(text: str, kind: TemplateKind = TemplateKind.RENAME) -> Template:
    """`text` as a template of `kind`; raises `TemplateError` with the sentence."""
    what = "rename template" if kind is TemplateKind.RENAME else "subfolder template"
    if kind is TemplateKind.RENAME:
        text = re.sub(r"\.\{ext\}$", "", text.strip())  # the extension follows anyway
    parts: list[str | Token] = []
    i, literal = 0, ""
    while i < len(text):
        ch = text[i]
        if text.startswith("{{", i) or text.startswith("}}", i):
            literal += ch
            i += 2
            continue
        if ch == "}":
            raise TemplateError(f"The {what} has a }} without its {{: “{text}”.")
        if ch != "{":
            literal += ch
            i += 1
            continue
        end = text.find("}", i)
        if end < 0:
            raise TemplateError(f"The {what} has a {{ that is never closed: “{text}”.")
        token = _token(text[i + 1 : end], what, kind)
        if literal:
            parts.append(literal)
            literal = ""
        parts.append(token)
        i = end + 1
    if literal:
        parts.append(literal)
    literals = "".join(p for p in parts if isinstance(p, str))
    if kind is TemplateKind.RENAME and ("/" in literals or "\\" in literals):
        raise TemplateError(
            "A file name can't hold a / or \\: put folders in the subfolder template."
        )
    if kind is TemplateKind.RENAME and not any(isinstance(p, Token) for p in parts):
        if not literals.strip():
            raise TemplateError("The rename template is empty: {original} keeps the card's names.")
        raise TemplateError(
            f"The rename template “{text}” would give every photo the same name: "
            "add a token such as {original} or {seq}."
        )
    return Template(text, kind, tuple(parts))


def _token(body: str, what: str, kind: TemplateKind) -> Token:
    name, _, spec = body.partition(":")
    name = name.strip()
    if name not in TOKENS:
        raise TemplateError(f"The {what} has an unknown token {{{body}}}: use {_TOKEN_LIST}.")
    if name == "ext":
        if kind is TemplateKind.SUBFOLDER:
            raise TemplateError("{ext} can't name a folder: use it in the rename template.")
        raise TemplateError(
            "{ext} can only end the rename template (the file's own extension "
            "always follows the name, so a RAW+JPEG pair keeps one base name)."
        )
    if name == "seq":
        if kind is TemplateKind.SUBFOLDER:
            raise TemplateError(
                "{seq} counts photos within a folder: use it in the rename template."
            )
        if spec and not (spec.isdigit() and 1 <= int(spec) <= MAX_SEQ_WIDTH):
            raise TemplateError(
                f"{{seq:{spec}}}: the width after the colon is a number from 1 to "
                f"{MAX_SEQ_WIDTH}, e.g. {{seq:4}} for 0001."
            )
        return Token(name, spec)
    if name in _FORMATS:
        if spec:
            _check_strftime(name, spec, what, kind)
        return Token(name, spec)
    if spec:
        raise TemplateError(f"{{{name}}} takes no pattern after a colon: write {{{name}}}.")
    return Token(name)


def _check_strftime(name: str, spec: str, what: str, kind: TemplateKind) -> None:
    if "%" not in spec:
        raise TemplateError(
            f"{{{name}:{spec}}}: the pattern after the colon is a strftime pattern "
            f"such as {{date:%Y-%m-%d}} or {{time:%H%M%S}}."
        )
    try:
        _SAMPLE.strftime(spec)
    except ValueError as exc:
        raise TemplateError(f"{{{name}:{spec}}} is not a date pattern ({exc}).") from exc
    if kind is TemplateKind.RENAME and "/" in _SAMPLE.strftime(spec):
        raise TemplateError(
            f"{{{name}:{spec}}} makes a / in a file name: put folders in the subfolder template."
        )


def _value(token: Token, facts: NamingFacts, seq: int) -> str:
    if token.name in _FORMATS:
        text = facts.moment.strftime(token.spec or _FORMATS[token.name])
        if "/" in text:  # a subfolder's date pattern: levels, each cleaned by `render`
            return "/".join(_clean(level) for level in text.split("/"))
        return _clean(text)
    if token.name == "seq":
        return str(seq).zfill(int(token.spec or DEFAULT_SEQ_WIDTH))
    if token.name == "camera":
        return _clean(facts.camera or UNKNOWN_CAMERA)
    if token.name == "serial":
        return _clean(facts.serial or UNKNOWN_SERIAL)
    return _clean(facts.original)


def _clean(value: str) -> str:
    """A token's value as part of one name: separators and forbidden characters
    become `_` (the whole name is made safe again by `render`)."""
    return _VALUE_UNSAFE.sub("_", value).strip()


def facts_from_exif(
    original: str,
    mtime: datetime,
    captured_at: datetime | None,
    make: str | None,
    model: str | None,
    serial: str | None,
) -> NamingFacts:
    """The facts of a photo from what its EXIF said (None: not recorded)."""
    return NamingFacts(
        original=original,
        moment=captured_at or mtime,
        dated=captured_at is not None,
        camera=camera_name(make, model),
        serial=serial,
    )
