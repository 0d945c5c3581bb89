"""What is on the card (curator/ingest/source.py): groups of a photo and what
travels with it, what is left on the card, what can't be read, and the check
that no copy lands on or around the card."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from curator.ingest.source import nesting_problem, scan_card
from tests.card_helpers import make_card


def test_a_card_groups_pairs_sidecars_and_companions(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=3)
    (card.root / "100CURAT" / "._DSC00001.DNG").write_bytes(b"mac")  # hidden: never copied
    scan = scan_card(str(card.root))
    assert scan.photos == 7 and scan.files == 10
    assert scan.left_on_card == ["100CURAT/C0001.MP4"]
    assert scan.problems == []
    first, second, third, lone = scan.groups
    assert [f.name for f in first.files] == [
        "DSC00001.DNG",  # the RAW leads
        "DSC00001.JPG",
        "DSC00001.WAV",
        "DSC00001.xmp",
    ]
    assert [f.photo for f in first.files] == [True, True, False, False]
    assert [f.name for f in second.files] == ["DSC00002.DNG", "DSC00002.JPG", "DSC00002.DNG.xmp"]
    assert [second.suffix_of(f) for f in second.files] == [".DNG", ".JPG", ".DNG.xmp"]
    assert [f.name for f in third.files] == ["DSC00003.DNG", "DSC00003.JPG"]
    assert [f.name for f in lone.files] == ["DSC00004.JPG"]
    assert first.folder == "100CURAT" and first.stem == "DSC00001"
    assert first.files[0].rel == "100CURAT/DSC00001.DNG"


def test_case_differences_keep_a_pair_together(tmp_path: Path) -> None:
    (tmp_path / "IMG_0001.CR3").write_bytes(b"raw")
    (tmp_path / "img_0001.jpg").write_bytes(b"jpg")
    (tmp_path / "IMG_0001.CR3.XMP").write_bytes(b"x")
    (group,) = scan_card(str(tmp_path)).groups
    assert [group.suffix_of(f) for f in group.files] == [".CR3", ".jpg", ".CR3.XMP"]


def test_what_is_not_a_regular_file_is_a_sentence_never_opened(tmp_path: Path) -> None:
    (tmp_path / "DSC1.JPG").write_bytes(b"jpg")
    os.mkfifo(tmp_path / "DSC2.JPG")  # opening it for reading would wait for ever
    (tmp_path / "gone.jpg").symlink_to(tmp_path / "nowhere.jpg")
    scan = scan_card(str(tmp_path))
    assert [g.stem for g in scan.groups] == ["DSC1"]
    by_path = {os.path.basename(p.path): p.message for p in scan.problems}
    assert "named pipe" in by_path["DSC2.JPG"]
    assert "link to nothing" in by_path["gone.jpg"]


def test_a_link_loop_ends(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "P1.JPG").write_bytes(b"x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path)
    scan = scan_card(str(tmp_path))
    assert [f.rel for g in scan.groups for f in g.files] == ["a/P1.JPG"]


@pytest.mark.parametrize(
    ("dest", "backup", "says"),
    [
        ("card/DCIM/copies", None, "would be written onto the card"),
        ("card/DCIM", None, "would be written onto the card"),
        ("", None, "is inside the destination"),
        ("photos", "photos", "the same folder as the destination"),
        ("photos", "photos/backup", "one inside the other"),
        ("photos/sub", "photos", "one inside the other"),
    ],
)
def test_no_copy_lands_on_or_around_the_card(
    tmp_path: Path, dest: str, backup: str | None, says: str
) -> None:
    source = tmp_path / "card" / "DCIM"
    source.mkdir(parents=True)
    targets = [("destination", str(tmp_path / dest))]
    if backup is not None:
        targets.append(("backup", str(tmp_path / backup)))
    problem = nesting_problem(str(source), targets)
    assert problem is not None and says in problem
    fine = [("destination", str(tmp_path / "photos")), ("backup", str(tmp_path / "spare"))]
    assert nesting_problem(str(source), fine) is None


def test_a_link_to_the_card_is_the_card(tmp_path: Path) -> None:
    source = tmp_path / "card"
    source.mkdir()
    (tmp_path / "alias").symlink_to(source)
    problem = nesting_problem(str(source), [("destination", str(tmp_path / "alias" / "x"))])
    assert problem is not None and "onto the card" in problem
