"""The describe prompt asks for a description and never invites a verdict."""

from __future__ import annotations

import json
import re

import pytest

from curator.llm.prompt import PROMPT_VERSION, SYSTEM_PROMPT, USER_PROMPT, build_messages
from curator.llm.schema import ContentType, PhotoMetadata

# Words that would turn the cataloguer into a critic.
EVALUATIVE = (
    "rate",
    "rating",
    "ratings",
    "score",
    "scores",
    "scoring",
    "good",
    "bad",
    "better",
    "best",
    "worse",
    "worst",
    "quality",
    "beautiful",
    "aesthetic",
    "aesthetics",
    "stars",
    "grade",
    "excellent",
    "improve",
    "keeper",
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


@pytest.mark.parametrize("name", ["system", "user", "schema"])
def test_no_evaluative_words(name: str) -> None:
    text = {
        "system": SYSTEM_PROMPT,
        "user": USER_PROMPT,
        # instructor sends the JSON schema (docstrings, field descriptions) too.
        "schema": json.dumps(PhotoMetadata.model_json_schema()),
    }[name]
    assert not _words(text) & set(EVALUATIVE)


def test_prompt_forbids_a_verdict() -> None:
    system = SYSTEM_PROMPT.lower()
    assert "never judge" in system
    assert "no verdict" in system


def test_prompt_asks_for_every_field_and_kind() -> None:
    for field in PhotoMetadata.model_fields:
        assert field in USER_PROMPT
    for kind in ContentType:
        assert kind.value in USER_PROMPT
    assert "5 to 7" in USER_PROMPT


def test_messages_carry_the_image_as_a_data_url() -> None:
    messages = build_messages("data:image/jpeg;base64,AAAA")
    assert messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = messages[1]
    assert user["role"] == "user"
    assert user["content"] == [
        {"type": "text", "text": USER_PROMPT},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,AAAA"}},
    ]


def test_prompt_version() -> None:
    assert PROMPT_VERSION == "describe-1"
