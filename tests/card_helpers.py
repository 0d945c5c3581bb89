"""A generated memory card for the ingest tests: `DCIM/100CURAT/` with RAW+JPEG
pairs (a DNG and a JPEG of one shot, one stem, the same EXIF), a Lightroom
sidecar and a darktable sidecar, a voice memo, a lone JPEG, and a video that
is no photo's (left on the card). Capture times one second apart on
2024-05-12, camera "SONY ILCE-7M3", body serial 4012345.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from PIL import Image

from tests.imaging_helpers import make_dng

SHOT = datetime(2024, 5, 12, 10, 0, 0)
SERIAL = "4012345"


@dataclass(frozen=True)
class Card:
    root: Path  # what is ingested (the card's DCIM)
    photos: list[Path]  # every photo file (DNGs and JPEGs)
    companions: list[Path]  # sidecars and the voice memo
    pairs: int


def camera_jpeg(
    path: Path, when: datetime, *, seed: int, size: tuple[int, int] = (480, 320)
) -> Path:
    """A JPEG with the camera's EXIF (make, model, capture time, body serial)."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "SONY", "ILCE-7M3"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    sub[0xA431] = SERIAL
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90, exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def make_card(folder: Path, pairs: int = 4, *, dng_edge: int = 256, first: int = 1) -> Card:
    """The card described in the module docstring, under `folder`/DCIM; its shots
    are numbered from `first` (another card from the same camera: another `first`)."""
    dcim = folder / "DCIM" / "100CURAT"
    dcim.mkdir(parents=True)
    photos: list[Path] = []
    for n in range(first, first + pairs):
        when = SHOT + timedelta(seconds=n - 1)
        stem = f"DSC{n:05d}"
        photos.append(
            make_dng(
                dcim / f"{stem}.DNG",
                dng_edge + 8 * n,
                dng_edge * 3 // 4,
                make="SONY",
                model="ILCE-7M3",
                captured_at=when,
            )
        )
        photos.append(camera_jpeg(dcim / f"{stem}.JPG", when, seed=n))
    n = first + pairs
    photos.append(camera_jpeg(dcim / f"DSC{n:05d}.JPG", SHOT + timedelta(seconds=n - 1), seed=n))
    companions = [
        dcim / f"DSC{first:05d}.xmp",  # Lightroom's sidecar of the first pair
        dcim / f"DSC{first + 1:05d}.DNG.xmp",  # darktable's, of the second pair's RAW
        dcim / f"DSC{first:05d}.WAV",  # a voice memo
    ]
    companions[0].write_text(_sidecar(4))
    companions[1].write_text(_sidecar(2))
    companions[2].write_bytes(b"RIFF" + os.urandom(64))
    (dcim / "C0001.MP4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(256))
    return Card(folder / "DCIM", photos, companions, pairs)


def _sidecar(rating: int) -> str:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f'xmp:Rating="{rating}"/></rdf:RDF></x:xmpmeta>'
    )


def digests(paths: list[Path]) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def files_under(root: Path) -> list[Path]:
    """Every file under `root` that is not Curator's own (journal, lock, temps)."""
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".curator-"))


def card_state(root: Path) -> dict[str, tuple[str, int, int]]:
    """relative path → (sha256, mode, mtime_ns) of every entry under the card:
    byte for byte, and the times and modes too."""
    state: dict[str, tuple[str, int, int]] = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        state[path.relative_to(root).as_posix()] = (digest, st.st_mode, st.st_mtime_ns)
    return state
