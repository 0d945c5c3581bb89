"""The camera of the watched-folder bench: a separate process that writes frames
into a folder on a schedule, as tethering apps and cameras' FTP uploads do.

`make_templates(folder)` (the bench's process, once) writes the frames' bytes:
24 MP JPEGs (6000 x 4000) made from the camera fixtures — one with faces from
the faces development set pasted in, so the faces stage has faces to judge —
and a 24 MP RAW: a 12-bit DNG (the fixtures hold no RAW of that size; made as
tests/imaging_helpers.make_dng makes them) with a fixture's picture as its
full-size JPEG preview, as every camera's RAW carries one. Each carries a
capture time the camera process rewrites per frame. `plan(...)` lays out the shoot: frames at
a steady rate with bursts between, each frame a JPEG, now and then a RAW+JPEG
pair, written one of three ways in turn —
- "direct": the final name, 1 MiB chunks as fast as the disk takes them;
- "part": `NAME.part`, then renamed into place (FTP servers, tethering apps);
- "slow": the final name kept open, 8 chunks with pauses (a slow link);
- "moved": written in a folder beside the watched one, then all the run of
  "moved" shots renamed in at once (a card's frames dropped in one go: a
  backlog the moment they land).
Bursts write direct or part only (no camera uploads slowly at 10 frames/s).

`python -m tests.bench.watch_camera PLAN LOG` runs the shoot: each file's
wall time (time.time()) when its last byte was in place (after its close,
or its rename) goes to LOG as a JSON line, so the bench can time each frame
from its last byte to its tile and its measurement.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

CHUNK = 1 << 20
STAMP = b"2024:05:12 10:00:00"  # the templates' DateTimeOriginal, rewritten per frame
SUBSEC = b"987"  # their SubSecTimeOriginal, rewritten per frame (ms: 10 frames a second)
SLOW_CHUNKS, SLOW_PAUSE_S = 8, 0.04  # a slow upload: ~0.3 s a frame, within 0.5 s
STAMP_TIME = datetime(2024, 5, 12, 10, 0, 0)
START = datetime(2024, 5, 12, 11, 0, 0)  # after STAMP: no frame is a template's bytes


@dataclass(frozen=True)
class Shot:
    """One file of the shoot, written at `at` seconds after the start."""

    at: float
    name: str
    template: str  # a template file's path
    mode: str  # "direct", "part", "slow" or "moved"
    frame: int  # the frame it belongs to (a RAW+JPEG pair: two files, one frame)
    phase: str  # "steady", "burst-1", "burst-2", "dump", "warm-up"
    stamp: str = ""  # the capture time written into a JPEG ("" for the RAW)


def make_templates(folder: Path, fixtures: Path, faces: Path | None) -> dict[str, list[Path]]:
    """The frames' bytes (see the module docstring): {"jpeg": [...], "raw": [...]}."""
    from PIL import Image

    from tests.imaging_helpers import make_dng
    from tests.raw_helpers import add_jpeg_preview

    folder.mkdir(parents=True, exist_ok=True)
    sources = ["olympus_ep3_iso1600.jpg", "iphone6_hdr_NO.jpg", "nokia83_5G.jpg"]
    jpegs = []
    for i, name in enumerate(sources):
        picture = Image.open(fixtures / "jpeg" / name).convert("RGB").resize((6000, 4000))
        if i == 0 and faces is not None:
            _paste_faces(picture, faces)
        path = folder / f"template_{i}.jpg"
        picture.save(path, "JPEG", quality=90, exif=_exif())
        _camera_thumbnail(path, picture)
        jpegs.append(path)
    raw = make_dng(folder / "template_raw.dng", 6000, 4000, captured_at=STAMP_TIME)
    add_jpeg_preview(raw, Image.open(jpegs[1]))
    return {"jpeg": jpegs, "raw": [raw]}


def _camera_thumbnail(path: Path, picture: object) -> None:
    """The 160 x 107 EXIF thumbnail every camera JPEG carries (exiftool writes it;
    without exiftool the frames have none, and the quick look decodes one)."""
    import shutil
    import subprocess

    from PIL import Image

    exiftool = shutil.which("exiftool")
    if exiftool is None:
        return
    assert isinstance(picture, Image.Image)
    thumb = path.with_suffix(".thumb.jpg")
    picture.resize((160, 107)).save(thumb, "JPEG", quality=80)
    subprocess.run(
        [exiftool, "-q", "-overwrite_original", f"-ThumbnailImage<={thumb}", str(path)],
        check=True,
    )


def _exif() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "SONY", "ILCE-7M3"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = STAMP.decode()
    sub[0x9291] = SUBSEC.decode()
    return exif.tobytes()


def _paste_faces(picture: object, faces: Path) -> None:
    """Three faces of the development set, at a portrait's size, into the frame."""
    from PIL import Image

    assert isinstance(picture, Image.Image)
    found = sorted(faces.glob("*.jpg"))[:3]
    for i, face in enumerate(found):
        crop = Image.open(face).convert("RGB").resize((700, 700))
        picture.paste(crop, (800 + i * 1500, 1300))


def plan(
    templates: dict[str, list[Path]],
    *,
    minutes: float,
    steady_fps: float = 2.0,
    burst_fps: float = 10.0,
    burst_s: float = 30.0,
    bursts_at: tuple[float, ...] = (),
    pair_every: int = 10,
    dump: int = 0,
) -> list[Shot]:
    """The shoot: `minutes` at `steady_fps`, with a burst of `burst_s` at
    `burst_fps` starting at each of `bursts_at` (seconds), every
    `pair_every`-th steady frame a RAW+JPEG pair, then `dump` frames at once
    (a backlog: a card's frames copied in one go)."""
    shots: list[Shot] = []
    t, frame, end = 0.0, 0, minutes * 60
    tenths = 0  # the camera's clock, in tenths of a second: every frame's time its own
    modes = ("direct", "part", "slow")
    pending_bursts = sorted(bursts_at)
    while t < end:
        if pending_bursts and t >= pending_bursts[0]:
            phase = f"burst-{len(bursts_at) - len(pending_bursts) + 1}"
            pending_bursts.pop(0)
            stop = t + burst_s
            while t < stop:
                mode = ("direct", "part")[frame % 2]
                shots.append(_jpeg(templates, t, frame, mode, phase, tenths))
                frame, tenths = frame + 1, tenths + 1
                t += 1 / burst_fps
            continue
        mode = modes[frame % 3]
        shots.append(_jpeg(templates, t, frame, mode, "steady", tenths))
        if frame % pair_every == pair_every - 1:
            raw, stamp = templates["raw"][0], shots[-1].stamp  # its JPEG's capture time
            name = f"DSC{frame:05d}.DNG"
            shots.append(Shot(t + 0.01, name, str(raw), "part", frame, "steady", stamp))
        frame, tenths = frame + 1, tenths + round(10 / steady_fps)
        t += 1 / steady_fps
    for _ in range(dump):
        shots.append(_jpeg(templates, t, frame, "moved", "dump", tenths))
        frame, tenths = frame + 1, tenths + 1
    return shots


def _jpeg(
    templates: dict[str, list[Path]], t: float, frame: int, mode: str, phase: str, tenths: int
) -> Shot:
    jpegs = templates["jpeg"]
    when = START + timedelta(seconds=tenths / 10)
    stamp = when.strftime("%Y:%m:%d %H:%M:%S") + f"|{when.microsecond // 1000:03d}"
    template = str(jpegs[frame % len(jpegs)])
    return Shot(t, f"DSC{frame:05d}.JPG", template, mode, frame, phase, stamp)


def _bytes(shot: Shot, cache: dict[str, bytes]) -> bytes:
    data = cache.get(shot.template)
    if data is None:
        data = cache[shot.template] = Path(shot.template).read_bytes()
    if shot.stamp and shot.name.endswith(".DNG"):
        seconds = shot.stamp.split("|")[0].encode()
        return data.replace(STAMP, seconds) + f"frame {shot.frame:08d}".encode()
    if shot.stamp:
        when, subsec = shot.stamp.split("|")
        return data.replace(STAMP, when.encode(), 1).replace(
            SUBSEC + b"\x00", subsec.encode() + b"\x00", 1
        )
    return data + f"frame {shot.frame:08d}".encode()  # a RAW: unique bytes, same picture


def _write(path: Path, data: bytes, mode: str) -> None:
    target = path.with_name(path.name + ".part") if mode == "part" else path
    with target.open("wb") as f:
        if mode == "slow":
            step = -(-len(data) // SLOW_CHUNKS)
            for i in range(0, len(data), step):
                f.write(data[i : i + step])
                f.flush()
                time.sleep(SLOW_PAUSE_S)
        else:
            for i in range(0, len(data), CHUNK):
                f.write(data[i : i + CHUNK])
    if mode == "part":
        os.rename(target, path)


def shoot(folder: Path, shots: list[Shot], log: Path) -> None:
    """Write the shots on time (late ones at once), logging each last byte; a
    run of "moved" shots lands together when its first one is due."""
    cache: dict[str, bytes] = {}
    start = time.monotonic()
    staging = folder.with_name(folder.name + ".staging")
    with log.open("a", encoding="utf-8") as out:
        i = 0
        while i < len(shots):
            run = [shots[i]]
            while shots[i].mode == "moved" and i + len(run) < len(shots):
                if shots[i + len(run)].mode != "moved":
                    break
                run.append(shots[i + len(run)])
            wait = start + run[0].at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if run[0].mode == "moved":
                staging.mkdir(exist_ok=True)
                for shot in run:
                    _write(staging / shot.name, _bytes(shot, cache), "direct")
                landed = []
                for shot in run:
                    os.rename(staging / shot.name, folder / shot.name)
                    landed.append((shot, time.time()))
            else:
                _write(folder / run[0].name, _bytes(run[0], cache), run[0].mode)
                landed = [(run[0], time.time())]
            for shot, when in landed:
                row = {"name": shot.name, "last_byte": when, "late_s": max(0.0, -wait)}
                out.write(json.dumps(row) + "\n")
            out.flush()
            i += len(run)


def save_plan(path: Path, folder: Path, shots: list[Shot]) -> None:
    path.write_text(json.dumps({"folder": str(folder), "shots": [asdict(s) for s in shots]}))


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    shoot(Path(spec["folder"]), [Shot(**s) for s in spec["shots"]], Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
