"""PhotoMetadata validation: tag normalisation, content-type coercion, re-ask triggers."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from curator.llm.schema import ContentType, PhotoMetadata, coerce_content_type
from curator.tags import normalise_tag, normalise_tags
from tests.llm_server import golden


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sunset", "sunset"),
        ("#Sunset", "sunset"),
        ("golden hour.", "golden hour"),
        ("  Golden \t  Hour  ", "golden hour"),
        ('"summer"', "summer"),
        ("fishing-boat", "fishing-boat"),
        ("--fishing--boat--", "fishing-boat"),
        ("black&white", "black white"),
        ("golden_hour", "golden hour"),
        ("2024", "2024"),
        ("Straße", "straße"),
        ("Ünïcode Café", "ünïcode café"),
        ("東京 タワー", "東京 タワー"),
        ("rock'n'roll", "rocknroll"),
        ("a", None),
        ("#", None),
        ("", None),
        ("   ", None),
        ("x" * 50, "x" * 50),
        ("x" * 51, None),
        ("Photo", None),
        ("PHOTOGRAPHY", None),
        ("image.", None),
        ("#picture", None),
        ("street photography", "street photography"),  # only the bare generic word is dropped
    ],
)
def test_normalise_tag(raw: str, expected: str | None) -> None:
    assert normalise_tag(raw) == expected


def test_normalise_tags_dedupes_in_order_and_drops_unusable() -> None:
    raw = ["#Sunset", "Photography", "golden hour.", "Beach", "sunset", "SUNSET!", "x", "beach "]
    assert normalise_tags(raw) == ["sunset", "golden hour", "beach"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("portrait", ContentType.PORTRAIT),
        ("Portrait", ContentType.PORTRAIT),
        ("Portraiture", ContentType.PORTRAIT),
        ("Still Life", ContentType.STILL_LIFE),
        ("still-life", ContentType.STILL_LIFE),
        ("still_life", ContentType.STILL_LIFE),
        ("STILL LIFE PHOTOGRAPHY", ContentType.STILL_LIFE),
        ("landscape photography", ContentType.LANDSCAPE),
        (" street ", ContentType.STREET),
        ("Architectural", ContentType.ARCHITECTURE),
        ("family", ContentType.FAMILY),
        ("abstract", ContentType.ABSTRACT),
        ("selfie", ContentType.OTHER),
        ("food", ContentType.OTHER),
        ("", ContentType.OTHER),
        (None, ContentType.OTHER),
        (7, ContentType.OTHER),
        (["portrait"], ContentType.OTHER),
        (ContentType.FAMILY, ContentType.FAMILY),
    ],
)
def test_coerce_content_type(raw: object, expected: ContentType) -> None:
    assert coerce_content_type(raw) is expected


def _reply_content(name: str) -> str:
    content: str = golden(name)["choices"][0]["message"]["content"]
    return content


def test_golden_reply_validates() -> None:
    meta = PhotoMetadata.model_validate_json(_reply_content("describe_ok"))
    assert meta.content_type is ContentType.PORTRAIT
    assert meta.suggested_tags == [
        "fisherman",
        "harbour",
        "fishing net",
        "morning light",
        "old man",
        "hands",
    ]


def test_messy_reply_is_cleaned() -> None:
    meta = PhotoMetadata.model_validate_json(_reply_content("describe_messy"))
    assert meta.content_type is ContentType.OTHER  # "selfie"
    assert meta.lighting_critique == (
        "The setting sun backlights them, leaving their faces in soft shadow."
    )
    # 11 raw tags: generic ones and duplicates go, the first 7 usable stay.
    assert meta.suggested_tags == [
        "sunset",
        "golden hour",
        "beach",
        "friends",
        "summer",
        "sea",
        "holiday",
    ]


def test_still_life_spelling_is_mapped() -> None:
    meta = PhotoMetadata.model_validate_json(_reply_content("describe_still_life"))
    assert meta.content_type is ContentType.STILL_LIFE


def _valid(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "subject": "a red door",
        "content_type": "architecture",
        "lighting_critique": "Flat overcast light.",
        "artistic_mood": "quiet",
        "suggested_tags": ["door", "red", "street", "old town", "wood"],
    }
    data.update(overrides)
    return data


def test_three_usable_tags_are_enough() -> None:
    meta = PhotoMetadata.model_validate(_valid(suggested_tags=["door", "red", "Photo", "wood"]))
    assert meta.suggested_tags == ["door", "red", "wood"]


@pytest.mark.parametrize(
    "tags",
    [
        ["door", "photo", "#", "door"],  # 1 usable
        [],
        "door, photo; #",  # one string, split: still 1 usable
        None,
        [{"name": "door"}, {"name": "red"}, {"name": "wood"}],
    ],
)
def test_too_few_usable_tags_is_a_validation_error(tags: object) -> None:
    with pytest.raises(ValidationError) as info:
        PhotoMetadata.model_validate(_valid(suggested_tags=tags))
    assert "suggested_tags" in str(info.value)


def test_numbers_are_accepted_as_tags() -> None:
    meta = PhotoMetadata.model_validate(_valid(suggested_tags=["door", 1984, "red", True]))
    assert meta.suggested_tags == ["door", "1984", "red"]


@pytest.mark.parametrize("field", ["subject", "lighting_critique", "artistic_mood"])
def test_blank_text_is_a_validation_error(field: str) -> None:
    with pytest.raises(ValidationError):
        PhotoMetadata.model_validate(_valid(**{field: "   \n "}))


def test_missing_field_is_a_validation_error() -> None:
    data = _valid()
    del data["artistic_mood"]
    with pytest.raises(ValidationError):
        PhotoMetadata.model_validate_json(json.dumps(data))


def test_metadata_is_frozen() -> None:
    meta = PhotoMetadata.model_validate(_valid())
    with pytest.raises(ValidationError):
        meta.subject = "changed"


@pytest.mark.parametrize(
    "tags",
    ["door, red wood; street", "door\nred wood\nstreet", "Door , RED WOOD,street,"],
)
def test_tags_as_one_string_are_split_not_reasked(tags: str) -> None:
    meta = PhotoMetadata.model_validate(_valid(suggested_tags=tags))
    assert meta.suggested_tags == ["door", "red wood", "street"]


def test_keys_in_other_case_or_aliases_find_their_field() -> None:
    good = _valid()
    reply = {
        "Subject": good["subject"],
        "TYPE": "Portrait",
        "Lighting": good["lighting_critique"],
        "mood": good["artistic_mood"],
        "Tags": "harbour, boat, fog",
    }
    meta = PhotoMetadata.model_validate(reply)
    assert meta.subject == good["subject"] and meta.content_type is ContentType.PORTRAIT
    assert meta.lighting_critique == good["lighting_critique"]
    assert meta.artistic_mood == good["artistic_mood"]
    assert meta.suggested_tags == ["harbour", "boat", "fog"]


@pytest.mark.parametrize("wrapper", ["PhotoMetadata", "properties", "photo_metadata"])
def test_a_wrapped_object_is_unwrapped(wrapper: str) -> None:
    meta = PhotoMetadata.model_validate({wrapper: _valid()})
    assert meta == PhotoMetadata.model_validate(_valid())
    nested = PhotoMetadata.model_validate({"result": {wrapper: _valid()}})
    assert nested == meta


def test_the_fields_own_key_wins_over_an_alias() -> None:
    reply = _valid(subject="a red door")
    reply["caption"] = "something else"
    assert PhotoMetadata.model_validate(reply).subject == "a red door"
    reply = {"caption": "something else", **_valid(subject="a red door")}
    assert PhotoMetadata.model_validate(reply).subject == "a red door"
