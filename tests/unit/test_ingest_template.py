"""Renaming templates (curator/ingest/template.py): tokens, patterns, the
sentences for bad templates, and names that can never leave the destination."""

from __future__ import annotations

from datetime import datetime

import pytest

from curator.ingest.template import (
    DEFAULT_RENAME,
    DEFAULT_SUBFOLDER,
    NamingFacts,
    TemplateError,
    TemplateKind,
    facts_from_exif,
    parse_template,
)
from curator.settings import InvalidSettings, validate

SHOT = datetime(2024, 5, 12, 9, 8, 7)
FACTS = NamingFacts("DSC01234", SHOT, True, "Sony ILCE-7M3", "4012345")


def render(text: str, facts: NamingFacts = FACTS, seq: int = 7) -> str:
    return parse_template(text).render(facts, seq)


def folder(text: str, facts: NamingFacts = FACTS) -> str:
    return parse_template(text, TemplateKind.SUBFOLDER).render(facts)


def test_every_token_renders_what_a_photographer_expects() -> None:
    assert render(DEFAULT_RENAME) == "DSC01234"
    assert render("{date}_{time}") == "2024-05-12_090807"
    assert render("{date:%Y%m%d}-{seq}") == "20240512-0007"
    assert render("{seq:6}") == "000007"
    assert render("{camera} {serial} {original}") == "Sony ILCE-7M3 4012345 DSC01234"
    assert render("{date:%d.%m.%Y} {{x}}") == "12.05.2024 {x}"
    assert folder(DEFAULT_SUBFOLDER) == "2024/2024-05-12"
    assert folder("{date:%Y}/{date:%m-%d}/{camera}") == "2024/05-12/Sony ILCE-7M3"
    assert folder("{date:%Y/%m}") == "2024/05"
    assert folder("") == ""


def test_a_trailing_ext_is_the_extension_that_always_follows() -> None:
    template = parse_template("{date:%Y%m%d}_{seq}.{ext}")
    assert template.render(FACTS, 3) == "20240512_0003"
    assert template.counts
    assert not parse_template("{original}").counts


def test_without_a_capture_date_the_files_time_names_it() -> None:
    mtime = datetime(2023, 1, 2, 3, 4, 5)
    facts = facts_from_exif("IMG_1", mtime, None, None, None, None)
    assert not facts.dated
    assert render("{date}-{camera}-{serial}", facts) == "2023-01-02-Unknown camera-no-serial"
    dated = facts_from_exif("IMG_1", mtime, SHOT, "NIKON CORPORATION", "NIKON D70s", None)
    assert dated.dated and dated.camera == "Nikon D70s"
    assert render("{date}", dated) == "2024-05-12"


@pytest.mark.parametrize(
    ("text", "kind", "says"),
    [
        ("{bogus}", TemplateKind.RENAME, "unknown token {bogus}"),
        ("{date", TemplateKind.RENAME, "never closed"),
        ("x}", TemplateKind.RENAME, "without its {"),
        ("{date}/{seq}", TemplateKind.RENAME, "subfolder template"),
        ("{date:%Y/%m}", TemplateKind.RENAME, "makes a / in a file name"),
        ("{seq:x}", TemplateKind.RENAME, "a number from 1 to 9"),
        ("{seq:12}", TemplateKind.RENAME, "a number from 1 to 9"),
        ("{date:YYYY}", TemplateKind.RENAME, "strftime pattern"),
        ("{camera:upper}", TemplateKind.RENAME, "takes no pattern"),
        ("{ext}_{original}", TemplateKind.RENAME, "can only end the rename template"),
        ("", TemplateKind.RENAME, "is empty"),
        ("photo", TemplateKind.RENAME, "the same name"),
        ("{seq}", TemplateKind.SUBFOLDER, "counts photos within a folder"),
        ("{ext}", TemplateKind.SUBFOLDER, "can't name a folder"),
    ],
)
def test_a_bad_template_is_refused_with_a_sentence(
    text: str, kind: TemplateKind, says: str
) -> None:
    with pytest.raises(TemplateError) as caught:
        parse_template(text, kind)
    sentence = str(caught.value)
    assert says in sentence
    assert sentence.endswith((".", ")"))


def test_names_never_leave_the_destination() -> None:
    hostile = NamingFacts("../../etc/passwd", SHOT, True, "AC/DC: <x>", "..")
    name = render("{original}_{camera}_{serial}", hostile)
    assert "/" not in name and "\\" not in name and ":" not in name and "<" not in name
    assert not name.startswith(".")
    assert render("{original}", NamingFacts("..", SHOT, True)) not in ("", ".", "..")
    levels = folder("{camera}/../{serial}/.hidden", hostile).split("/")
    assert all(level not in ("", ".", "..") and not level.startswith(".") for level in levels)
    assert render("{original}", NamingFacts("CON", SHOT, True)) == "CON_"


def test_the_settings_refuse_a_bad_ingest_template_by_name() -> None:
    with pytest.raises(InvalidSettings) as caught:
        validate({"ingest_rename": "{bogus}"})
    assert caught.value.problems[0][0][0] == "ingest_rename"
    with pytest.raises(InvalidSettings):
        validate({"ingest_subfolder": "{seq}"})
    good = validate({"ingest_rename": "{date:%Y%m%d}-{seq:3}", "ingest_subfolder": ""})
    assert good.ingest_rename == "{date:%Y%m%d}-{seq:3}" and good.ingest_subfolder == ""
