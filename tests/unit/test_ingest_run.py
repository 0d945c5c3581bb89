"""The ingest's plan and run (curator/ingest/plan.py, run.py) on a generated
card, without the catalog: names and pairs, the `{seq}` that counts on, what
is skipped, name clashes, interrupted ingests, a card pulled out, cancel."""

from __future__ import annotations

import itertools
import json
import shutil
import threading
from pathlib import Path

import blake3
import pytest

from curator.ingest.journal import JOURNAL_NAME, read_journal
from curator.ingest.plan import IngestRefused, plan_ingest, preview_names
from curator.ingest.run import run_ingest
from curator.ingest.types import IngestProgress, IngestRequest
from tests.card_helpers import digests, files_under, make_card

RENAME = "{date:%Y%m%d}-{seq}"


def ingest(
    source: Path,
    dest: Path,
    backup: Path | None = None,
    *,
    rename: str = RENAME,
    subfolder: str = "{date:%Y}/{date:%m-%d}",
    known: frozenset[str] = frozenset(),
    **kw: object,
):  # type: ignore[no-untyped-def]
    request = IngestRequest(
        str(source), str(dest), str(backup) if backup else None, rename, subfolder
    )
    return run_ingest(plan_ingest(request, known=known), **kw)  # type: ignore[arg-type]


def names(root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in files_under(root)]


def test_two_destinations_get_verified_renamed_copies_pairs_kept(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=3)
    dest, backup = tmp_path / "photos", tmp_path / "backup"
    result = ingest(card.root, dest, backup)
    assert result.complete and result.photos == 7 and result.companions == 3
    assert result.left_on_card == ["100CURAT/C0001.MP4"]
    expected = [
        "2024/05-12/20240512-0001.DNG",
        "2024/05-12/20240512-0001.JPG",
        "2024/05-12/20240512-0001.WAV",
        "2024/05-12/20240512-0001.xmp",
        "2024/05-12/20240512-0002.DNG",
        "2024/05-12/20240512-0002.DNG.xmp",  # darktable's sidecar follows its RAW
        "2024/05-12/20240512-0002.JPG",
        "2024/05-12/20240512-0003.DNG",
        "2024/05-12/20240512-0003.JPG",
        "2024/05-12/20240512-0004.JPG",
    ]
    assert names(dest) == expected and names(backup) == expected
    assert digests(files_under(dest)) == digests(card.photos + card.companions)
    assert result.verified == 20
    assert [d.copied for d in result.destinations] == [7, 7]
    assert sorted(result.catalog_paths) == [
        str(dest / n) for n in expected if n.endswith(("DNG", "JPG"))
    ]
    assert result.bytes_read == sum(p.stat().st_size for p in card.photos + card.companions)


def test_a_second_ingest_reads_nothing_and_the_counter_counts_on(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=2)
    dest = tmp_path / "photos"
    ingest(card.root, dest)
    again = ingest(card.root, dest)
    assert again.complete and again.bytes_read == 0 and again.copied == 0
    assert again.skipped == 5 and again.destinations[0].present == 5
    assert len(again.catalog_paths) == 5  # the copies are still handed to the import
    later = make_card(tmp_path / "card2", pairs=1, first=10)
    third = ingest(later.root, dest)
    assert third.copied == 3
    assert "2024/05-12/20240512-0004.DNG" in names(dest)  # 1-3 were taken by the first card
    assert "2024/05-12/20240512-0005.JPG" in names(dest)


def test_bytes_the_catalog_knows_are_skipped_everywhere(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=1)
    known = frozenset({blake3.blake3(card.photos[0].read_bytes()).hexdigest()})
    result = ingest(card.root, tmp_path / "photos", tmp_path / "backup", known=known)
    assert result.skipped == 1 and result.copied == 2
    for root in (tmp_path / "photos", tmp_path / "backup"):
        assert not any(n.endswith("0001.DNG") for n in names(root))


def test_a_duplicate_on_the_card_is_copied_once_but_equal_sidecars_both(tmp_path: Path) -> None:
    src = tmp_path / "card"
    (src / "A").mkdir(parents=True)
    (src / "B").mkdir()
    for folder in ("A", "B"):
        (src / folder / "P1.JPG").write_bytes(b"same photo")
        (src / folder / "P1.xmp").write_bytes(b"same sidecar")
    (src / "B" / "P2.JPG").write_bytes(b"other photo")
    (src / "B" / "P2.xmp").write_bytes(b"same sidecar")
    result = ingest(src, tmp_path / "d", rename="{original}", subfolder="")
    assert result.copied == 2 and result.skipped == 1
    assert names(tmp_path / "d") == ["P1.JPG", "P1.xmp", "P2.JPG", "P2.xmp"]


def test_a_taken_name_gets_the_next_free_one_for_the_whole_group(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=1)
    dest = tmp_path / "photos"
    (dest / "2024" / "05-12").mkdir(parents=True)
    foreign = dest / "2024" / "05-12" / "DSC00001.JPG"
    foreign.write_bytes(b"the user's own file")
    result = ingest(card.root, dest, tmp_path / "backup", rename="{original}")
    assert foreign.read_bytes() == b"the user's own file"  # never overwritten
    assert {"2024/05-12/DSC00001-2.DNG", "2024/05-12/DSC00001-2.JPG"} <= set(names(dest))
    assert "2024/05-12/DSC00001-2.xmp" in names(dest)
    assert [(r.wanted, r.got, r.role.value) for r in result.renamed] == [
        ("2024/05-12/DSC00001", "2024/05-12/DSC00001-2", "destination")
    ]
    assert "2024/05-12/DSC00001.DNG" in names(tmp_path / "backup")  # free there


def test_an_interrupted_placement_is_finished_under_the_same_name(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=2)
    dest = tmp_path / "photos"
    ingest(card.root, dest)
    victim = dest / "2024" / "05-12" / "20240512-0002.JPG"
    victim.unlink()  # as if killed after its journal line, before its name
    (dest / ".curator-tmp-999999-dead-DSC00002.JPG").write_bytes(b"half")  # a dead ingest's
    again = ingest(card.root, dest)
    assert again.copied == 1 and victim.is_file()
    assert not any(p.name.startswith(".curator-tmp-") for p in dest.iterdir())
    assert len(read_journal(dest).present) == 5


def test_a_card_pulled_out_stops_with_a_sentence_and_loses_nothing(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=3)
    gone = tmp_path / "elsewhere"

    def pull_out(p: IngestProgress) -> None:  # while the second pair's RAW is read
        if p.current.endswith("DSC00002.DNG") and card.root.exists():
            shutil.move(str(tmp_path / "card"), gone)

    result = ingest(card.root, tmp_path / "photos", progress=pull_out)
    assert "went away while Curator copied it" in result.stopped
    assert "of 7 photos copied" in result.stopped and "ingest again" in result.stopped
    copied = files_under(tmp_path / "photos")
    assert copied and digests(copied) <= digests(
        [gone / p.relative_to(tmp_path / "card") for p in card.photos + card.companions]
    )


def test_cancel_keeps_what_was_placed_and_a_rerun_finishes(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=3)
    dest = tmp_path / "photos"
    cancel = threading.Event()

    def stop_after_first(p: IngestProgress) -> None:
        if p.landed:
            cancel.set()

    first = ingest(card.root, dest, progress=stop_after_first, cancel=cancel)
    assert first.cancelled and 0 < first.copied < 7
    assert not any(p.name.startswith(".curator-tmp-") for p in dest.rglob("*"))
    rest = ingest(card.root, dest)
    assert rest.complete and rest.copied == 7 - first.copied
    assert digests(files_under(dest)) == digests(card.photos + card.companions)


def test_progress_counts_photos_and_bytes(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=2)
    seen: list[IngestProgress] = []
    ingest(card.root, tmp_path / "photos", progress=seen.append)
    last = seen[-1]
    assert last.photos_done == last.photos_total == 5
    assert last.bytes_done == last.bytes_total > 0
    landed = [path for p in seen for path in p.landed]
    assert len(landed) == 5 and all(Path(path).is_file() for path in landed)
    assert all(b.bytes_done >= a.bytes_done for a, b in itertools.pairwise(seen))


def test_the_preview_names_what_the_run_will_name(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=2)
    dest = tmp_path / "photos"
    request = IngestRequest(str(card.root), str(dest), None, RENAME, "{date:%Y}")
    plan = plan_ingest(request, known=frozenset())
    first = preview_names(plan, limit=1)
    assert [(n.source, n.target) for n in first] == [
        ("100CURAT/DSC00001.DNG", "2024/20240512-0001.DNG"),
        ("100CURAT/DSC00001.JPG", "2024/20240512-0001.JPG"),
        ("100CURAT/DSC00001.WAV", "2024/20240512-0001.WAV"),
        ("100CURAT/DSC00001.xmp", "2024/20240512-0001.xmp"),
    ]
    planned = {n.target for n in preview_names(plan)}
    run_ingest(plan)
    assert planned == set(names(dest))  # the preview did not use up any counter
    assert not dest.joinpath(JOURNAL_NAME).read_text().count('"seq": 6')


@pytest.mark.parametrize("where", ["inside", "around"])
def test_a_destination_on_or_around_the_card_is_refused(tmp_path: Path, where: str) -> None:
    card = make_card(tmp_path / "card", pairs=1)
    dest = card.root / "copies" if where == "inside" else tmp_path
    with pytest.raises(IngestRefused) as caught:
        ingest(card.root, dest)
    assert "card" in str(caught.value)
    assert not (card.root / "copies").exists()


def test_a_missing_source_or_bad_template_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestRefused, match="Folder not found"):
        ingest(tmp_path / "nope", tmp_path / "d")
    (tmp_path / "card").mkdir()
    with pytest.raises(IngestRefused, match="unknown token"):
        ingest(tmp_path / "card", tmp_path / "d", rename="{nope}")


def test_the_journal_records_where_each_file_came_from(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", pairs=1)
    dest = tmp_path / "photos"
    ingest(card.root, dest)
    lines = [json.loads(x) for x in (dest / JOURNAL_NAME).read_text().splitlines()]
    first = lines[0]
    assert first["source"] == "100CURAT/DSC00001.DNG" and first["seq"] == 1
    assert first["hash"] == blake3.blake3(card.photos[0].read_bytes()).hexdigest()
    assert [x["photo"] for x in lines] == [True, True, False, False, True]
