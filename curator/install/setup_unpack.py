"""Qt's X11 libraries without root: `apt-get download`, unpacked into PySide6's Qt/lib.

`curator.install.setup_check`'s way when apt-get install cannot run as root or
through sudo. In a temporary folder:
1. `apt-get download PKG`, one at a time (retried with the `t64` suffix; the
   package lists fetched once into a private folder when needed);
2. `dpkg-deb -x` each .deb into one tree;
3. its shared libraries are copied into `Qt/lib`, symlinks kept.

The xcb plugin's RUNPATH is `$ORIGIN/../../lib` (`Qt/lib`), so no
LD_LIBRARY_PATH is needed; setup_check runs ldd again to name what still
does not resolve.

Invariants: nothing written outside the temporary folder and `Qt/lib`; a name
already in `Qt/lib` is never replaced.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

# (argv, working folder) -> the finished process, output captured.
Runner = Callable[[Sequence[str], Path], "subprocess.CompletedProcess[str]"]

SHARED_LIBRARY = re.compile(r"[^/]+\.so(\.[0-9]+)*")
LIBRARY_FOLDERS = ("lib", "usr/lib")


@dataclass(frozen=True)
class Unpacked:
    """What an `install_into` call did."""

    copied: tuple[str, ...]  # file names added to the library folder
    not_downloaded: tuple[str, ...]  # packages apt-get could not fetch
    errors: tuple[str, ...]  # apt-get's / dpkg-deb's last words on those


def run_command(argv: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, check=False)


def install_into(packages: Sequence[str], lib_dir: Path, run: Runner = run_command) -> Unpacked:
    """Download `packages`, unpack them and copy their shared libraries into `lib_dir`."""
    with tempfile.TemporaryDirectory(prefix="curator-qt-libs-") as tmp:
        work = Path(tmp)
        debs, failed, errors = download(packages, work / "debs", run)
        tree = work / "tree"
        tree.mkdir()
        for deb in debs:
            done = run(["dpkg-deb", "-x", str(deb), str(tree)], work)
            if done.returncode != 0:
                errors.append(_last_line(done) or f"dpkg-deb could not unpack {deb.name}")
        copied = copy_libraries(library_files(tree), lib_dir)
    return Unpacked(tuple(copied), tuple(failed), tuple(errors))


def download(
    packages: Sequence[str], into: Path, run: Runner
) -> tuple[list[Path], list[str], list[str]]:
    """`apt-get download` each package into `into`: (the .debs, the packages that
    failed, apt-get's last error line for each of those)."""
    into.mkdir(parents=True, exist_ok=True)
    options: list[str] = []
    failed = _download_each(packages, into, run, options)
    if failed:
        # No package lists on this machine (or stale ones): fetch them privately.
        options = _private_lists(into.parent / "apt", run)
        if options:
            failed = _download_each([p for p, _ in failed], into, run, options)
    return sorted(into.glob("*.deb")), [p for p, _ in failed], [e for _, e in failed]


def _download_each(
    packages: Sequence[str], into: Path, run: Runner, options: list[str]
) -> list[tuple[str, str]]:
    failed = []
    for package in packages:
        error = ""
        for name in (package, f"{package}t64"):
            done = run(["apt-get", *options, "download", "-q", name], into)
            if done.returncode == 0:
                break
            error = error or _last_line(done)
        else:
            failed.append((package, error or f"apt-get could not download {package}"))
    return failed


def _private_lists(folder: Path, run: Runner) -> list[str]:
    """`apt-get update` into `folder` (no root needed); apt-get's options to use them."""
    lists, cache = folder / "lists", folder / "cache"
    (lists / "partial").mkdir(parents=True, exist_ok=True)
    (cache / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    options = ["-o", f"Dir::State::Lists={lists}", "-o", f"Dir::Cache={cache}"]
    done = run(["apt-get", *options, "-o", "Debug::NoLocking=1", "update", "-q"], folder)
    return options if done.returncode == 0 else []


def library_files(tree: Path) -> list[Path]:
    """The shared libraries (files and symlinks) an unpacked package tree installs:
    `*.so*` directly in lib/, usr/lib/ and their multiarch folders (`*-linux-*`)."""
    folders: list[Path] = []
    for top in LIBRARY_FOLDERS:
        base = tree / top
        if base.is_dir():
            folders.append(base)
            folders += sorted(d for d in base.iterdir() if d.is_dir() and "-linux-" in d.name)
    return [
        f
        for folder in folders
        for f in sorted(folder.iterdir())
        if SHARED_LIBRARY.fullmatch(f.name) and (f.is_symlink() or f.is_file())
    ]


def copy_libraries(files: Sequence[Path], lib_dir: Path) -> list[str]:
    """Copy `files` into `lib_dir`, symlinks as symlinks; names already there are
    kept. A symlink whose target did not come along becomes a copy of the file."""
    copied: list[str] = []
    for f in files:
        target = lib_dir / f.name
        if target.exists() or target.is_symlink():
            continue
        shutil.copy2(f, target, follow_symlinks=False)
        copied.append(f.name)
    for name in list(copied):
        target = lib_dir / name
        if target.is_symlink() and not target.exists():  # dangling here
            target.unlink()
            source = next(f for f in files if f.name == name)
            if source.exists():
                shutil.copy2(source, target)
            else:
                copied.remove(name)
    return copied


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in (done.stderr or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""
