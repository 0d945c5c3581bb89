"""What the vision LLM must give back for one photo, and how its answer is cleaned.

`PhotoMetadata` is the pydantic model instructor validates against: a
description, never a verdict. Its docstrings and Field descriptions travel in
the JSON schema, so they are instructions (tests/unit/test_llm_prompt.py).

Invariants of a validated `PhotoMetadata`: `content_type` is a `ContentType`
(inventions are `other`, variants map home); `subject`, `lighting_critique`
and `artistic_mood` are non-empty, single-spaced; `suggested_tags` holds 3–7
unique tags passing `curator.tags` (under `MIN_USABLE_TAGS` instructor
re-asks); readable replies are coerced, not re-asked (`coerce_reply`).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from curator.tags import normalise_tags

MIN_USABLE_TAGS = 3  # fewer than this after cleaning → re-ask the model
MAX_KEPT_TAGS = 7


class ContentType(StrEnum):
    """The kind of photo."""

    # (This docstring and every Field description below go to the model inside
    # the JSON schema: keep them descriptive, never evaluative.)

    PORTRAIT = "portrait"
    STREET = "street"
    FAMILY = "family"
    LANDSCAPE = "landscape"
    STILL_LIFE = "still_life"
    ARCHITECTURE = "architecture"
    ABSTRACT = "abstract"
    OTHER = "other"


# Spellings a model plausibly uses for one of the kinds (after `_content_key`).
# Deliberately short: a guess here would silently mis-file photos, while
# `other` is honest. "selfie" stays `other` by design.
_CONTENT_SYNONYMS: dict[str, ContentType] = {
    "portraiture": ContentType.PORTRAIT,
    "portraits": ContentType.PORTRAIT,
    "headshot": ContentType.PORTRAIT,
    "street_scene": ContentType.STREET,
    "families": ContentType.FAMILY,
    "landscapes": ContentType.LANDSCAPE,
    "seascape": ContentType.LANDSCAPE,
    "stilllife": ContentType.STILL_LIFE,
    "architectural": ContentType.ARCHITECTURE,
    "abstraction": ContentType.ABSTRACT,
}
_CONTENT_SUFFIXES = ("_photography", "_photograph", "_photo", "_shot", "_art")


def _content_key(value: str) -> str:
    key = re.sub(r"[\s\-_/]+", "_", value.strip().lower()).strip("_")
    return re.sub(r"[^a-z_]", "", key)


def coerce_content_type(value: object) -> ContentType:
    """Map whatever the model wrote for the kind of photo onto `ContentType`."""
    if isinstance(value, ContentType):
        return value
    if not isinstance(value, str):
        return ContentType.OTHER
    key = _content_key(value)
    for candidate in (key, *(key.removesuffix(s) for s in _CONTENT_SUFFIXES if key.endswith(s))):
        try:
            return ContentType(candidate)
        except ValueError:
            pass
        if candidate in _CONTENT_SYNONYMS:
            return _CONTENT_SYNONYMS[candidate]
    return ContentType.OTHER


def _clean_text(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split())
    return value


# Keys a model plausibly uses for a field (after `_key`: lower case, `_` for
# spaces and hyphens). Coercing them is not a re-ask: the answer is readable.
_FIELD_ALIASES: dict[str, str] = {
    "subject": "subject",
    "main_subject": "subject",
    "caption": "subject",
    "content_type": "content_type",
    "type": "content_type",
    "kind": "content_type",
    "category": "content_type",
    "photo_type": "content_type",
    "lighting_critique": "lighting_critique",
    "lighting": "lighting_critique",
    "light": "lighting_critique",
    "artistic_mood": "artistic_mood",
    "mood": "artistic_mood",
    "atmosphere": "artistic_mood",
    "suggested_tags": "suggested_tags",
    "tags": "suggested_tags",
    "keywords": "suggested_tags",
}
# A tag list sent as one string: "harbour, boats; fog" or one tag a line.
_TAG_SEPARATORS = re.compile(r"[,;\n]+")


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip()).lower()


def _unwrap(data: dict[str, Any]) -> dict[str, Any]:
    """`{"PhotoMetadata": {...}}`, `{"properties": {...}}` and the like: a lone
    key holding an object is a wrapper (a real answer has five fields)."""
    for _ in range(3):
        if len(data) != 1:
            break
        (inner,) = data.values()
        if not isinstance(inner, dict) or _key(next(iter(data))) in _FIELD_ALIASES:
            break
        data = inner
    return data


def coerce_reply(data: Any) -> Any:
    """What a person would accept from a model that ignored the schema: the
    object unwrapped, keys in any case or a common alias mapped to the field
    (the field's own key wins over an alias). Anything else is left for
    validation to report."""
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for name, value in _unwrap(data).items():
        field = _FIELD_ALIASES.get(_key(str(name)), str(name))
        if field not in out or _key(str(name)) == field:
            out[field] = value
    return out


class PhotoMetadata(BaseModel):
    """A description of one photograph."""

    model_config = ConfigDict(frozen=True, use_enum_values=False)

    subject: str = Field(
        min_length=1,
        description="What is in the photo: the main subject and setting, in a short phrase.",
    )
    content_type: ContentType = Field(
        description="The kind of photo, one of the listed values; use 'other' when none fits.",
    )
    lighting_critique: str = Field(
        min_length=1,
        description=(
            "One sentence describing the light: its direction, hardness or softness, "
            "colour and the time of day it suggests."
        ),
    )
    artistic_mood: str = Field(
        min_length=1,
        description="The mood or atmosphere of the photo in a few words.",
    )
    suggested_tags: list[str] = Field(
        description="5 to 7 short keyword tags, lowercase, one to three words each.",
        json_schema_extra={"minItems": 5, "maxItems": 7},
    )

    @model_validator(mode="before")
    @classmethod
    def _coerce_reply(cls, data: Any) -> Any:
        return coerce_reply(data)

    @field_validator("content_type", mode="before")
    @classmethod
    def _coerce_content_type(cls, value: object) -> ContentType:
        return coerce_content_type(value)

    @field_validator("subject", "lighting_critique", "artistic_mood", mode="before")
    @classmethod
    def _collapse_whitespace(cls, value: Any) -> Any:
        return _clean_text(value)

    @field_validator("suggested_tags", mode="before")
    @classmethod
    def _normalise_tags(cls, value: Any) -> list[str]:
        if isinstance(value, str):  # "harbour, fishing boat; fog": one string, split
            value = [part for part in _TAG_SEPARATORS.split(value) if part.strip()]
        if not isinstance(value, list | tuple):
            raise ValueError(
                "suggested_tags must be a JSON array of strings, "
                f'e.g. ["harbour", "fishing boat", "morning fog"], not {type(value).__name__}'
            )
        # Numbers are harmless ("2024"); anything else (objects, null) is not a tag.
        items = [str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool)]
        tags = normalise_tags(items)
        if len(tags) < MIN_USABLE_TAGS:
            raise ValueError(
                f"only {len(tags)} usable tag(s) in {list(value)!r}; give 5 to 7 short keyword "
                "tags of letters, digits, spaces or hyphens (2-50 characters each), "
                "not generic words like 'photo'"
            )
        return tags[:MAX_KEPT_TAGS]
