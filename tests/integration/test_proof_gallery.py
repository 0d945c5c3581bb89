"""Client galleries from the terminal, end to end on real fixture photos:
`curator proof make` (copies, page, privacy, re-make), `proof import` of a
signed selection (and the refused ones), `proof status`, `list --client-picks`
and `proof accept` as one undo step that teaches nothing unless asked."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from curator.catalog.models import Photo
from curator.catalog.proofing.galleries import gallery_named, gallery_photos
from curator.catalog.proofing.picks import set_heart
from curator.proof.selection import canonical
from tests.integration.cli_helpers import import_json, run_cli
from tests.proof_helpers import gallery_data, signed_selection

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "jpeg"
GPS_PHOTO = "exiv2_FurnaceCreekInn.jpg"  # has GPS
SERIAL_PHOTO = "olympus_ep3_iso1600.jpg"  # has a body serial number
NAMES = [GPS_PHOTO, SERIAL_PHOTO, "nikon_d70s_dark.jpg", "jolla_leaf_soft.jpg", "nokia83_5G.jpg"]


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    folder = tmp_path / "shoot"
    folder.mkdir()
    for name in NAMES:
        shutil.copy(FIXTURES / name, folder / name)
    import_json(folder, "--stages", "technical")
    assert run_cli("project", "create", "Wedding")[0] == 0
    assert run_cli("project", "add", "Wedding", *map(str, sorted(folder.iterdir())))[0] == 0
    return folder


def _make(*extra: str) -> dict[str, Any]:
    code, out, err = run_cli("proof", "make", "Anna & Ben", "--json", *extra)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def test_a_gallery_holds_private_screen_copies_and_a_second_make_renders_nothing(
    shoot: Path,
) -> None:
    made = _make("--project", "Wedding", "--min", "1", "--max", "3", "--title", "Anna & Ben")
    assert made["photos"] == 5 and made["rendered"] == 5 and made["failed"] == []
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", made["code"])
    folder = Path(made["folder"])
    data = gallery_data(folder)
    assert data["mode"] == "folder" and data["max_picks"] == 3 and len(data["photos"]) == 5
    page = (folder / "gallery.js").read_text("utf-8") + "".join(p.name for p in folder.rglob("*"))
    for name in NAMES:  # never an original's name or path in the page or a file name
        assert Path(name).stem not in page
    assert str(shoot) not in page
    for photo in data["photos"]:
        with Image.open(folder / photo["src"]) as img:
            assert max(img.size) <= 2000 and img.format == "JPEG"
            exif = img.getexif()
            assert 0x8825 not in exif  # no GPS
            assert 0xA431 not in exif.get_ifd(0x8769)  # no body serial number
        with Image.open(folder / photo["thumb"]) as thumb:
            assert max(thumb.size) <= 400
    # The code is kept only as its slow hash.
    gallery = gallery_named("Anna & Ben")
    assert made["code"] not in gallery.code_hash and gallery.code_hash.startswith("scrypt$")
    again = _make()
    assert again["rendered"] == 0 and again["unchanged"] == 5 and again["code"] is None


def test_keeping_the_location_keeps_gps_and_a_turn_renders_that_photo_only(shoot: Path) -> None:
    made = _make("--project", "Wedding", "--keep-location")
    folder = Path(made["folder"])
    from curator.catalog.decisions import photo_id_for_path

    pid = photo_id_for_path(str(shoot / GPS_PHOTO))
    token = next(
        p.token for p in gallery_photos(gallery_named("Anna & Ben").id) if p.photo_id == pid
    )
    with Image.open(folder / "photos" / f"{token}.jpg") as img:
        assert 0x8825 in img.getexif()
        before = img.size
    assert run_cli("rotate", "--right", str(shoot / GPS_PHOTO))[0] == 0
    again = _make()
    assert again["rendered"] == 1 and again["unchanged"] == 4
    with Image.open(folder / "photos" / f"{token}.jpg") as img:
        assert img.size == (before[1], before[0])


def test_a_photo_that_leaves_the_project_leaves_the_gallery_and_its_copies(shoot: Path) -> None:
    made = _make("--project", "Wedding")
    folder = Path(made["folder"])
    assert run_cli("project", "remove", "Wedding", str(shoot / NAMES[0]))[0] == 0
    again = _make("--project", "Wedding")
    assert again["removed"] == 1 and again["photos"] == 4
    assert len(list((folder / "photos").glob("*.jpg"))) == 4
    assert len(gallery_data(folder)["photos"]) == 4


def test_a_signed_selection_comes_back_and_a_changed_one_is_refused(
    shoot: Path, tmp_path: Path
) -> None:
    made = _make("--project", "Wedding", "--max", "3")
    folder = Path(made["folder"])
    tokens = [p["id"] for p in gallery_data(folder)["photos"]]
    good = signed_selection(
        folder, tokens[:2], {tokens[1]: 'Warmer, s\'il vous plaît — 日本 🙂\n"x"'}
    )
    file = tmp_path / "selection.json"
    file.write_bytes(canonical(good))
    tampered = {**good, "hearts": sorted(tokens[:3])}
    cut = canonical(good)[:-40]
    foreign = signed_selection(folder, tokens[:1], {})
    foreign["gallery"] = "g-ffffffffffffffff"
    over = signed_selection(folder, tokens[:4], {})
    refusals = {
        "tampered": (canonical(tampered), "was changed after the client sent it"),
        "truncated": (cut, "cut short"),
        "foreign": (canonical(foreign), "for a gallery this catalog does not hold"),
        "over the maximum": (canonical(over), "allows at most 3"),
        "not a selection": (b"\x89PNG\r\n", "not a client's selection"),
    }
    for what, (data, sentence) in refusals.items():
        bad = tmp_path / f"{what}.json"
        bad.write_bytes(data)
        code, _out, err = run_cli("proof", "import", str(bad))
        assert code == 2, what
        assert sentence in err and "Nothing changed" in err, (what, err)
        assert "Traceback" not in err
        assert gallery_named("Anna & Ben").confirmed_at is None, what
    code, out, err = run_cli("proof", "import", str(file), "--json")
    assert code == 0, err
    status = json.loads(out)
    assert status["hearted"] == 2 and status["comments"] == 1
    assert status["confirmed_at"] == "2026-11-29T10:00:00Z"
    commented = [p for p in status["picks"] if p["comment"]]
    assert commented[0]["comment"].startswith("Warmer, s'il vous plaît — 日本 🙂")
    # The same bytes pasted from an e-mail, as the page words it.
    body = base64.b64encode(canonical(good)).decode()
    pasted = (
        "Hi!\n----- BEGIN CURATOR SELECTION -----\n"
        + "\n".join(body[i : i + 76] for i in range(0, len(body), 76))
        + "\n----- END CURATOR SELECTION -----\nThanks"
    )
    paste = tmp_path / "mail.txt"
    paste.write_text(pasted)
    assert run_cli("proof", "import", str(paste))[0] == 0
    cut_paste = tmp_path / "cut.txt"
    cut_paste.write_text(pasted.split("----- END")[0])
    code, _out, err = run_cli("proof", "import", str(cut_paste))
    assert code == 2 and "cut short" in err


def test_picks_become_decisions_in_one_undo_step_and_teach_only_when_asked(
    shoot: Path,
) -> None:
    _make("--project", "Wedding")
    gallery = gallery_named("Anna & Ben")
    photos = gallery_photos(gallery.id)
    for p in photos[:3]:
        set_heart(gallery.id, p.token, True)
    code, out, err = run_cli("list", "--client-picks", "Anna & Ben", "--json")
    assert code == 0, err
    assert [p["id"] for p in json.loads(out)] == [p.photo_id for p in photos[:3]]
    code, out, err = run_cli("proof", "accept", "Anna & Ben", "--rating", "4")
    assert code == 0, err
    assert "do not teach your taste model" in out
    rated = {int(p.id): p.rating for p in Photo.select()}
    assert [rated[p.photo_id] for p in photos] == [4, 4, 4, None, None]
    import numpy as np

    from curator.catalog.judgments import store_embeddings, training_set

    store_embeddings("m", [(p.photo_id, np.ones(4, dtype=np.float32)) for p in photos])
    assert not set(training_set("m").photo_ids) & {p.photo_id for p in photos[:3]}
    code, _out, err = run_cli("undo")
    assert code == 0, err
    assert all(Photo.get_by_id(p.photo_id).rating is None for p in photos)
    code, _out, err = run_cli("proof", "accept", "Anna & Ben", "--rating", "5", "--teach")
    assert code == 0, err
    assert {p.photo_id for p in photos[:3]} <= set(training_set("m").photo_ids)  # taught, as asked
    code, _out, err = run_cli("proof", "accept", "Anna & Ben", "--label", "green")
    assert code == 0, err
    assert {Photo.get_by_id(p.photo_id).label for p in photos[:3]} == {"green"}
    code, out, err = run_cli("proof", "accept", "Anna & Ben", "--project", "Client picks")
    assert code == 0, err
    assert "3 added, 0 already in it" in out
    from curator.catalog.projects import project_photo_ids

    assert sorted(project_photo_ids("Client picks")) == sorted(p.photo_id for p in photos[:3])
    code, _out, err = run_cli("proof", "status", "Nope")
    assert code == 2 and "No client gallery is named 'Nope'" in err


def test_a_folder_of_other_files_is_never_written_into(shoot: Path, tmp_path: Path) -> None:
    site = tmp_path / "my-site"
    site.mkdir()
    (site / "index.html").write_text("<h1>My portfolio</h1>")
    code, _out, err = run_cli(
        "proof", "make", "Anna & Ben", "--project", "Wedding", "--folder", str(site)
    )
    assert code == 2 and "already holds other files" in err
    assert (site / "index.html").read_text() == "<h1>My portfolio</h1>"  # untouched
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    code, out, err = run_cli("proof", "list")
    assert code == 0 and "No client galleries yet" in out  # nothing was made
    made = _make("--project", "Wedding", "--folder", str(tmp_path / "new"))
    again = _make()  # its own folder, made again: its page is its own
    assert again["folder"] == made["folder"] and again["unchanged"] == made["photos"]
