"""The system libraries Qt's X11 platform plugin needs, checked and installed.

`make run` and `make test` run `python -m curator.install.setup_check --install`.
On Linux the xcb plugin loads X11 libraries from the system, which a fresh
machine may lack:
1. `ldd` the plugin, its GL integrations and Qt's widgets library;
2. map each missing library to its Debian package (`DEBIAN_PACKAGES`);
3. with `apt-get`, say what and why, then try (`attempts`) install as root or
   through sudo, then `apt-get download` into PySide6's Qt/lib
   (`curator.install.setup_unpack`), at most `UNPACK_ROUNDS` times;
4. elsewhere print the packages and exit 1; macOS and Windows exit 0.
No Qt import here.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from curator.install import setup_unpack

# soname → the Debian/Ubuntu package that ships it (apt resolves the t64
# renames of Ubuntu 24.04, e.g. libglib2.0-0 → libglib2.0-0t64, by itself).
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libexpat.so.1": "libexpat1",
    "libpng16.so.16": "libpng16-16",
    "libbrotlidec.so.1": "libbrotli1",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
    "libpcre2-8.so.0": "libpcre2-8-0",
}

WHY = "Qt's X11 platform plugin (libqxcb.so) needs them to open a window"
UNPACK_ROUNDS = 4  # a copied library may need another missing one: ldd again, fetch again

Attempt = Literal["apt-get", "sudo apt-get", "download"]


@dataclass(frozen=True)
class Missing:
    """Libraries that did not resolve, and the packages that would bring them."""

    libraries: tuple[str, ...]
    packages: tuple[str, ...]
    unknown: tuple[str, ...]  # not in DEBIAN_PACKAGES: named as they are


def parse_ldd(text: str) -> set[str]:
    """The sonames that `ldd` marks "not found" (`libfoo.so.1 => not found`)."""
    missing: set[str] = set()
    for line in text.splitlines():
        name, sep, where = line.strip().partition("=>")
        if sep and where.strip() == "not found":
            missing.add(name.strip())
    return missing


def packages_for(libraries: Iterable[str]) -> Missing:
    libs = tuple(sorted(set(libraries)))
    packages = sorted({DEBIAN_PACKAGES[lib] for lib in libs if lib in DEBIAN_PACKAGES})
    unknown = tuple(lib for lib in libs if lib not in DEBIAN_PACKAGES)
    return Missing(libs, tuple(packages), unknown)


def pyside_qt_dir() -> Path | None:
    """PySide6's bundled Qt folder (`…/PySide6/Qt`), found without importing Qt."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return qt if qt.is_dir() else None


def xcb_plugin_files(qt_dir: Path) -> list[Path]:
    """The xcb plugin, its GL integrations and libQt6Widgets: what a window loads."""
    plugins = qt_dir / "plugins"
    files = [plugins / "platforms" / "libqxcb.so"]
    files += sorted((plugins / "xcbglintegrations").glob("*.so"))
    files += [qt_dir / "lib" / "libQt6Widgets.so.6"]
    return [f for f in files if f.exists()]


def missing_libraries(files: Sequence[Path]) -> set[str]:
    """Run `ldd` on each file; the union of what did not resolve."""
    missing: set[str] = set()
    for f in files:
        out = subprocess.run(["ldd", str(f)], capture_output=True, text=True, check=False)
        missing |= parse_ldd(out.stdout)
    return missing


def install_command(packages: Sequence[str], *, is_root: bool, has_sudo: bool) -> list[str] | None:
    """The apt-get line that installs `packages` (None: neither root nor sudo)."""
    base = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    if is_root:
        return base
    return ["sudo", *base] if has_sudo else None


def attempts(*, is_root: bool, has_sudo: bool) -> list[Attempt]:
    """The ways to install, in order: apt-get install as root, else through sudo;
    then (needing no root) apt-get download unpacked into PySide6's Qt/lib."""
    first: list[Attempt] = ["apt-get"] if is_root else ["sudo apt-get"] if has_sudo else []
    return [*first, "download"]


def check(install: bool) -> int:
    """Check (and with `install`, fix) the plugin's libraries; return an exit code."""
    if not sys.platform.startswith("linux"):
        return 0  # macOS and Windows: the wheels carry everything Qt needs
    qt_dir = pyside_qt_dir()
    if qt_dir is None:
        print("setup: PySide6 is not installed in this environment.", file=sys.stderr)
        return 1
    files = xcb_plugin_files(qt_dir)
    if not files or shutil.which("ldd") is None:
        print("setup: can't check Qt's X11 libraries here (no ldd or no xcb plugin); skipped.")
        return 0
    missing = packages_for(missing_libraries(files))
    if not missing.libraries:
        return 0
    print(f"setup: missing system libraries: {', '.join(missing.libraries)}")
    apt = shutil.which("apt-get") is not None and shutil.which("dpkg") is not None
    if not apt or not install or not missing.packages:
        return _explain(missing, apt)
    for attempt in attempts(is_root=os.geteuid() == 0, has_sudo=_can_sudo()):
        if attempt == "download":
            missing = unpack_into_qt(missing, qt_dir / "lib", files)
        else:
            apt_install(missing.packages, sudo=attempt == "sudo apt-get")
            missing = packages_for(missing_libraries(files))
        if not missing.libraries:
            print("setup: Qt's X11 libraries are all there now.")
            return 0
        print(f"setup: still missing after {attempt}: {', '.join(missing.libraries)}")
    return _explain(missing, apt)


def apt_install(packages: Sequence[str], *, sudo: bool) -> None:
    """apt-get install `packages` (through sudo); `apt-get update` and again if it fails."""
    cmd = install_command(packages, is_root=not sudo, has_sudo=sudo)
    assert cmd is not None
    print(f"setup: installing {' '.join(packages)} ({WHY}):")
    print("  " + " ".join(cmd))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(cmd, env=env, check=False).returncode != 0:
        # A fresh machine may never have fetched the package lists.
        update = [*cmd[: cmd.index("apt-get")], "apt-get", "update", "-q"]
        subprocess.run(update, env=env, check=False)
        subprocess.run(cmd, env=env, check=False)


def unpack_into_qt(missing: Missing, lib_dir: Path, files: Sequence[Path]) -> Missing:
    """Fetch the packages without root into `lib_dir`, again for what the copied
    libraries turn out to need; what is still missing afterwards."""
    if shutil.which("dpkg-deb") is None:
        return missing
    tried: set[str] = set()
    for _ in range(UNPACK_ROUNDS):
        new = [p for p in missing.packages if p not in tried]
        if not new:
            break
        tried.update(new)
        print(
            f"setup: installing {' '.join(new)} without root: apt-get download, unpacked "
            f"into {lib_dir} (PySide6's own folder, where the xcb plugin looks first)"
        )
        done = setup_unpack.install_into(new, lib_dir)
        for error in done.errors:
            print(f"  {error}", file=sys.stderr)
        if done.copied:
            print(f"  copied {len(done.copied)} files: {', '.join(done.copied)}")
        missing = packages_for(missing_libraries(files))
        if not missing.libraries:
            break
    return missing


def _can_sudo() -> bool:
    """sudo that won't hang: passwordless, or a terminal to ask the password on."""
    if shutil.which("sudo") is None:
        return False
    if sys.stdin.isatty():
        return True
    return subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0


def _explain(missing: Missing, apt: bool) -> int:
    print(f"setup: Curator can't open a window until these are installed ({WHY}):", file=sys.stderr)
    if missing.packages:
        how = "as root: apt-get install" if apt else "on Debian/Ubuntu, as root: apt-get install"
        print(f"  {how} {' '.join(missing.packages)}", file=sys.stderr)
        if not apt:
            print(
                "  elsewhere: install your distribution's packages that provide "
                + ", ".join(missing.libraries),
                file=sys.stderr,
            )
    if missing.unknown:
        print(
            f"  and the packages that provide {', '.join(missing.unknown)}",
            file=sys.stderr,
        )
    print("  The command-line tools (curator --help) work without them.", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m curator.install.setup_check",
        description="Check the system libraries Qt's X11 plugin needs; install them on Debian.",
    )
    parser.add_argument(
        "--install", action="store_true", help="install what is missing with apt-get"
    )
    args = parser.parse_args(argv)
    return check(args.install)


if __name__ == "__main__":
    sys.exit(main())
