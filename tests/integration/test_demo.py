"""`curator demo`: the sample folder has what `DEMO_FILES` says, and a CLI import
of it shows it — a bracket within one second, a shaken burst frame, blur and
over-exposure measured as such, an upright portrait, a DNG with its preview,
a rating from XMP, and the truncated file in the failed lane."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import rawpy
from PIL import Image

from curator.install.demo import DEMO_FILES, write_demo
from curator.paths import DEMO_FOLDER
from tests.integration.cli_helpers import list_json, run_cli


def _exif_time(path: Path) -> datetime:
    sub = Image.open(path).getexif().get_ifd(0x8769)
    taken = datetime.strptime(sub[0x9003], "%Y:%m:%d %H:%M:%S")
    return taken.replace(microsecond=int(sub[0x9291]) * 1000)


def test_the_demo_folder_holds_what_it_says(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    (folder).mkdir()
    (folder / "mine.txt").write_text("kept")
    written = write_demo(folder)
    assert sorted(p.name for p in written) == sorted(DEMO_FILES)
    assert (folder / "mine.txt").read_text() == "kept"  # nothing else is touched

    bracket = [folder / f"bracket_{i}.jpg" for i in range(1, 6)]
    biases = [float(Image.open(p).getexif().get_ifd(0x8769)[0x9204]) for p in bracket]
    assert biases == [-2.0, -1.0, 0.0, 1.0, 2.0]
    times = [_exif_time(p) for p in bracket]
    assert times == sorted(times) and (times[-1] - times[0]).total_seconds() < 1.0

    portrait = Image.open(folder / "portrait.jpg")
    assert portrait.getexif()[0x0112] == 6
    assert portrait.width > portrait.height  # stored sideways: upright it is a portrait

    with rawpy.imread(str(folder / "raw_with_preview.dng")) as raw:
        thumb = raw.extract_thumb()
        assert thumb.format == rawpy.ThumbFormat.JPEG
        assert raw.raw_image.shape == (640, 960)
    assert 'xmp:Rating="4"' in (folder / "rated.xmp").read_text()
    with pytest.raises(OSError):
        Image.open(folder / "truncated.jpg").load()
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in write_demo(folder)]


def test_curator_demo_writes_into_the_data_folder_and_imports(curator_home: Path) -> None:
    code, out, err = run_cli("demo", "--no-open")
    assert code == 0, err
    folder = curator_home / DEMO_FOLDER
    assert all((folder / name).is_file() for name in DEMO_FILES)
    assert f'curator import "{folder}"' in out

    code, out, err = run_cli("import", str(folder), "--stages", "technical", "--no-progress")
    assert code == 0, err
    photos = {Path(p["path"]).name: p for p in list_json()}
    assert set(photos) == {n for n in DEMO_FILES if n.endswith((".jpg", ".dng"))}

    failed = {n for n, p in photos.items() if p["stages"]["technical"]["status"] == "failed"}
    assert failed == {"truncated.jpg"}
    assert photos["rated.jpg"]["rating"] == 4
    sharp = photos["burst_1.jpg"]["sharpness_score"]
    assert photos["burst_2.jpg"]["sharpness_score"] < sharp / 2  # the shaken frame
    assert photos["blurred.jpg"]["sharpness_score"] < sharp / 2
    assert photos["overexposed.jpg"]["highlight_clip"] > 0.1
    assert photos["overexposed.jpg"]["exposure_score"] < photos["burst_1.jpg"]["exposure_score"]
    assert photos["portrait.jpg"]["orientation"] == 6
    assert photos["raw_with_preview.dng"]["format"] == "raw"
    bracket_times = sorted(photos[f"bracket_{i}.jpg"]["captured_at"] for i in range(1, 6))
    assert len(set(bracket_times)) == 5
