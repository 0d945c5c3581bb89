"""The bulk decisions' packed JSON (catalog.undo.bulk.pack_json): the same
array as one json.dumps, encoded a chunk at a time so a worker never holds
the GIL for the whole of an accept's 60,000 rows (issue 51's stall watch)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from curator.catalog.undo import bulk


@pytest.mark.parametrize("n", [0, 1, bulk.PACK_CHUNK, bulk.PACK_CHUNK + 1, 3 * bulk.PACK_CHUNK + 7])
def test_packed_is_the_whole_array_encoded_a_chunk_at_a_time(
    n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [[i, "kept", None if i % 3 else i % 6, 1, "red" if i % 2 else None] for i in range(n)]
    calls: list[int] = []
    real = json.dumps

    def counted(obj: Any, **kw: Any) -> str:
        calls.append(len(obj))
        return real(obj, **kw)

    monkeypatch.setattr(bulk.json, "dumps", counted)
    text = bulk.pack_json(iter(items))
    assert json.loads(text) == items
    assert text == real(items, separators=(",", ":"))
    assert all(size <= bulk.PACK_CHUNK for size in calls)
