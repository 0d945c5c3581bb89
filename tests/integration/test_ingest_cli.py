"""`curator ingest` end to end (issue 33, bar I1): a generated card with
RAW+JPEG pairs and sidecars into two verified destinations, renamed, pairs
kept, imported through the one pipeline; a second ingest copies nothing; the
card untouched byte for byte; the sentences for what can't be ingested."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.card_helpers import card_state, make_card
from tests.integration.cli_helpers import list_json, run_cli
from tests.integration.ingest_helpers import assert_each_card_file_once, run_ingest_cli

RENAME = "{date:%Y%m%d}-{seq}"


def ingest(*args: str) -> tuple[int, dict[str, object], str]:
    code, out, err = run_cli("ingest", *args, "--json", "--no-progress")
    return code, (json.loads(out) if out.strip() else {}), err


def test_a_card_lands_verified_in_two_destinations_renamed_and_catalogued(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=4)
    before = card_state(tmp_path / "card")
    dest, backup = tmp_path / "photos", tmp_path / "backup"
    code, result, err = ingest(
        str(card.root), "--to", str(dest), "--backup", str(backup), "--rename", RENAME
    )
    assert code == 0, err
    assert result["found"] == 9 and result["companions"] == 3
    assert result["copied"] == 9 and result["skipped"] == 0 and result["failed"] == []
    assert result["verified"] == 24  # 12 files, 2 destinations
    assert result["complete"] and result["no_backup"] == []
    assert result["left_on_card"] == ["100CURAT/C0001.MP4"]
    assert [d["copied"] for d in result["destinations"]] == [9, 9]  # type: ignore[index]
    assert result["import"]["new"] == 9 and result["import"]["failed"] == 0  # type: ignore[index]
    assert_each_card_file_once(dest, card)
    assert_each_card_file_once(backup, card)

    photos = list_json()
    assert len(photos) == 5  # four RAW+JPEG pairs, one lone JPEG: the pairs kept
    assert all(p["path"].startswith(str(dest)) for p in photos)  # never the card
    by_name = {Path(p["path"]).name: p for p in photos}
    first = by_name["20240512-0001.DNG"]
    assert first["paired_with"] == [str(dest / "2024" / "2024-05-12" / "20240512-0001.JPG")]
    assert first["rating"] == 4  # the card's Lightroom sidecar came along, and was read
    assert (first["camera_make"], first["camera_model"]) == ("SONY", "ILCE-7M3")
    assert (dest / "2024" / "2024-05-12" / "20240512-0002.DNG.xmp").is_file()  # darktable's

    code, again, err = ingest(
        str(card.root), "--to", str(dest), "--backup", str(backup), "--rename", RENAME
    )
    assert code == 0, err
    assert again["copied"] == 0 and again["bytes"] == 0 and again["skipped"] == 9
    assert again["import"]["new"] == 0 and again["import"]["unchanged"] == 9  # type: ignore[index]
    assert_each_card_file_once(dest, card)
    assert len(list_json()) == 5
    assert card_state(tmp_path / "card") == before  # untouched, byte for byte, times too


def test_the_summary_says_what_went_where(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=2)
    dest = tmp_path / "photos"
    code, out, err = run_cli(
        "ingest", str(card.root), "--to", str(dest), "--subfolder", "", "--no-progress"
    )
    assert code == 0, err
    assert out.startswith("Ingest finished in ")
    assert "5 photos found in" in out and "(+ 3 sidecars and companions)" in out
    assert f"5 copied to {dest}, verified — in the folder itself" in out
    assert "0 skipped (ingested before), 0 failed" in out
    assert "Imported the copies into the catalog: 5 files, 5 new" in out
    assert sorted(p.name for p in dest.iterdir() if not p.name.startswith("."))[:2] == [
        "DSC00001.DNG",
        "DSC00001.JPG",
    ]


def test_a_dry_run_names_the_files_and_writes_nothing(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=2)
    before = card_state(tmp_path / "card")
    dest = tmp_path / "photos"
    code, out, err = run_cli(
        "ingest", str(card.root), "--to", str(dest), "--rename", RENAME, "--dry-run"
    )
    assert code == 0, err
    assert "Dry run — nothing copied." in out
    assert "100CURAT/DSC00002.DNG.xmp → 2024/2024-05-12/20240512-0002.DNG.xmp" in out
    assert not dest.exists() and list_json() == []
    code, out, _ = run_cli("ingest", str(card.root), "--to", str(dest), "--dry-run", "--json")
    planned = json.loads(out)["planned"]
    assert planned[0] == {
        "source": "100CURAT/DSC00001.DNG",
        "target": "2024/2024-05-12/DSC00001.DNG",
        "copy": True,
    }
    assert card_state(tmp_path / "card") == before


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("inside", "would be written onto the card"),
        ("around", "is inside the destination"),
        ("same-backup", "the same folder as the destination"),
    ],
)
def test_a_destination_on_or_around_the_card_is_refused(
    tmp_path: Path, where: str, says: str
) -> None:
    card = make_card(tmp_path / "card", pairs=1)
    before = card_state(tmp_path / "card")
    dest = {"inside": card.root / "copies", "around": tmp_path}.get(where, tmp_path / "photos")
    extra = ["--backup", str(tmp_path / "photos")] if where == "same-backup" else []
    code, out, err = run_cli("ingest", str(card.root), "--to", str(dest), *extra)
    assert code == 2 and out == ""
    assert says in err and err.startswith("curator: ")
    assert card_state(tmp_path / "card") == before


def test_bad_input_is_a_sentence_with_exit_2(tmp_path: Path) -> None:
    code, _out, err = run_cli("ingest", str(tmp_path / "nope"), "--to", str(tmp_path / "d"))
    assert code == 2 and "folder not found" in err
    (tmp_path / "card").mkdir()
    code, _out, err = run_cli(
        "ingest", str(tmp_path / "card"), "--to", str(tmp_path / "d"), "--rename", "{when}"
    )
    assert code == 2 and "unknown token {when}" in err
    (tmp_path / "file").write_text("x")
    code, _out, err = run_cli("ingest", str(tmp_path / "card"), "--to", str(tmp_path / "file"))
    assert code == 2 and "is a file, not a folder" in err


def test_a_fifo_or_device_under_the_source_is_a_sentence_never_a_hang(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=1)
    os.mkfifo(card.root / "100CURAT" / "DSC00009.JPG")  # opening it would wait for ever
    os.symlink("/dev/zero", card.root / "100CURAT" / "DSC00010.ARW")  # reads for ever
    code, result, err = run_ingest_cli(
        tmp_path / "home", str(card.root), "--to", str(tmp_path / "photos")
    )
    assert code == 0, err
    problems = {Path(p["path"]).name: p["reason"] for p in result["scan_problems"]}
    assert "named pipe (FIFO)" in problems["DSC00009.JPG"]
    assert "a device" in problems["DSC00010.ARW"]
    assert result["copied"] == 3
