"""A JSON output's table (`commands.base.JsonField`) decides what the command
prints: its fields in its order, nested records shaped too, and a field the
table lacks is refused rather than dropped or printed undocumented."""

from __future__ import annotations

import pytest

from curator.commands.base import JsonField, fields_markdown, shaped

FIELDS = (
    JsonField("id", "the photo"),
    JsonField("faces", "its faces", many=True, fields=(JsonField("eyes", "open or closed"),)),
    JsonField("stages", "by stage", keyed_by="stage", fields=(JsonField("status", "done?"),)),
    JsonField("proposal", "optional", fields=(JsonField("verdict", "keep or reject"),)),
)


def test_a_record_is_printed_in_the_tables_order_and_nested_records_too() -> None:
    record = {
        "stages": {"faces": {"status": "done"}, "technical": {"status": "failed"}},
        "faces": [{"eyes": "open"}],
        "id": 7,
    }
    out = shaped([record], FIELDS)
    assert out == [record]
    assert list(out[0]) == ["id", "faces", "stages"]  # `proposal` absent: optional
    assert shaped({"id": 1, "faces": None, "stages": {}}, FIELDS)["faces"] is None


def test_a_field_missing_from_the_table_is_refused() -> None:
    with pytest.raises(ValueError, match="secret"):
        shaped({"id": 1, "secret": 2}, FIELDS)
    with pytest.raises(ValueError, match="blink"):
        shaped({"id": 1, "faces": [{"eyes": "open", "blink": 1}]}, FIELDS)


def test_the_docs_table_names_nested_fields_by_their_path() -> None:
    rows = fields_markdown(FIELDS)
    assert rows[:2] == ["| field | meaning |", "|---|---|"]
    assert "| `faces[].eyes` | open or closed |" in rows
    assert "| `stages.<stage>.status` | done? |" in rows
    assert "| `proposal.verdict` | keep or reject |" in rows
