"""Qt's X11 libraries without root (curator.install.setup_unpack): a .deb built here
with `dpkg-deb --build` (a fake library compiled with cc) is unpacked and its
shared libraries land in a fake Qt/lib, where a plugin with Qt's RUNPATH
($ORIGIN/../../lib) then finds them; apt-get is faked, dpkg-deb is real."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from curator.install import setup_check, setup_unpack

TRIPLET = "x86_64-linux-gnu"  # any multiarch folder name: the copy does not care which

needs_toolchain = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or any(shutil.which(t) is None for t in ("cc", "ldd", "dpkg-deb")),
    reason="needs Linux, a C compiler, ldd and dpkg-deb",
)


def _cc(*args: str) -> None:
    subprocess.run(["cc", "-shared", "-fPIC", *args], check=True)


def _build_deb(tmp: Path) -> Path:
    """libcurator-fake1: usr/lib/<triplet>/libcurator-fake.so.1.0.0 with its soname
    link, a library Qt/lib already has, a doc file and a driver subfolder."""
    root = tmp / "pkg"
    libdir = root / "usr" / "lib" / TRIPLET
    (libdir / "dri").mkdir(parents=True)
    (tmp / "fake.c").write_text("int curator_fake(void) { return 42; }\n")
    _cc(
        "-Wl,-soname,libcurator-fake.so.1",
        "-o",
        str(libdir / "libcurator-fake.so.1.0.0"),
        str(tmp / "fake.c"),
    )
    (libdir / "libcurator-fake.so.1").symlink_to("libcurator-fake.so.1.0.0")
    (libdir / "libQt6Core.so.6").write_bytes(b"not Qt's")
    (libdir / "dri" / "fake_dri.so").write_bytes(b"a driver, not a library to copy")
    (root / "usr" / "share" / "doc" / "libcurator-fake1").mkdir(parents=True)
    (root / "usr" / "share" / "doc" / "libcurator-fake1" / "copyright").write_text("MIT\n")
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text(
        "Package: libcurator-fake1\nVersion: 1.0\nArchitecture: all\n"
        "Maintainer: Curator <curator@example.org>\nDescription: a fake library\n"
    )
    deb = tmp / "libcurator-fake1_1.0_all.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(root), str(deb)],
        check=True,
        capture_output=True,
    )
    return deb


class FakeApt:
    """apt-get download copies the built .debs into the working folder; every
    other command (dpkg-deb) really runs."""

    def __init__(self, debs: dict[str, Path], *, needs_private_lists: bool = False) -> None:
        self.debs = debs
        self.needs_private_lists = needs_private_lists
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        argv = list(argv)
        self.calls.append(argv)
        if argv[0] != "apt-get":
            return setup_unpack.run_command(argv, cwd)
        if "update" in argv:
            return subprocess.CompletedProcess(argv, 0, "", "")
        name = argv[-1]
        private = any(a.startswith("Dir::State::Lists=") for a in argv)
        if name in self.debs and (private or not self.needs_private_lists):
            shutil.copy(self.debs[name], cwd)
            return subprocess.CompletedProcess(argv, 0, "", "")
        return subprocess.CompletedProcess(argv, 100, "", f"E: Unable to locate package {name}")


@needs_toolchain
def test_a_built_deb_lands_in_qt_lib_and_the_plugin_then_resolves(tmp_path: Path) -> None:
    (tmp_path / "build").mkdir()
    deb = _build_deb(tmp_path / "build")
    # A fake PySide6 Qt folder: Qt/lib with one of Qt's own libraries, and a
    # plugin linked like libqxcb.so (RUNPATH $ORIGIN/../../lib) to the fake library.
    qt = tmp_path / "Qt"
    lib_dir, platforms = qt / "lib", qt / "plugins" / "platforms"
    lib_dir.mkdir(parents=True)
    platforms.mkdir(parents=True)
    (lib_dir / "libQt6Core.so.6").write_bytes(b"Qt's own")
    (tmp_path / "plugin.c").write_text(
        "int curator_fake(void);\nint p(void) { return curator_fake(); }\n"
    )
    link_dir = tmp_path / "build" / "pkg" / "usr" / "lib" / TRIPLET
    plugin = platforms / "libqxcb.so"
    _cc(
        "-o",
        str(plugin),
        str(tmp_path / "plugin.c"),
        f"-L{link_dir}",
        "-l:libcurator-fake.so.1",
        "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../../lib",
    )
    shutil.rmtree(tmp_path / "build" / "pkg")  # only the .deb is left
    assert setup_check.missing_libraries([plugin]) == {"libcurator-fake.so.1"}

    apt = FakeApt({"libcurator-fake1": deb})
    done = setup_unpack.install_into(["libcurator-fake1"], lib_dir, run=apt)

    assert sorted(done.copied) == ["libcurator-fake.so.1", "libcurator-fake.so.1.0.0"]
    assert done.not_downloaded == () and done.errors == ()
    link = lib_dir / "libcurator-fake.so.1"
    assert link.is_symlink() and link.readlink() == Path("libcurator-fake.so.1.0.0")
    assert (lib_dir / "libQt6Core.so.6").read_bytes() == b"Qt's own"  # never replaced
    assert not (lib_dir / "fake_dri.so").exists() and not (lib_dir / "copyright").exists()
    assert setup_check.missing_libraries([plugin]) == set()  # found through the RUNPATH
    assert [c[:2] for c in apt.calls] == [["apt-get", "download"], ["dpkg-deb", "-x"]]

    again = setup_unpack.install_into(["libcurator-fake1"], lib_dir, run=apt)
    assert again.copied == ()  # already there: nothing is copied twice


@needs_toolchain
def test_an_unknown_name_is_tried_with_t64_and_the_others_still_come(tmp_path: Path) -> None:
    deb = _build_deb(tmp_path)
    apt = FakeApt({"libcurator-fake1t64": deb})
    lib_dir = tmp_path / "lib"
    lib_dir.mkdir()
    done = setup_unpack.install_into(["libgone9", "libcurator-fake1"], lib_dir, run=apt)
    assert "libcurator-fake.so.1" in done.copied
    assert done.not_downloaded == ("libgone9",)
    assert done.errors == ("E: Unable to locate package libgone9",)
    downloads = [c[-1] for c in apt.calls if "download" in c]
    assert downloads[:4] == ["libgone9", "libgone9t64", "libcurator-fake1", "libcurator-fake1t64"]


@needs_toolchain
def test_without_package_lists_they_are_fetched_into_a_private_folder(tmp_path: Path) -> None:
    deb = _build_deb(tmp_path)
    apt = FakeApt({"libcurator-fake1": deb}, needs_private_lists=True)
    lib_dir = tmp_path / "lib"
    lib_dir.mkdir()
    done = setup_unpack.install_into(["libcurator-fake1"], lib_dir, run=apt)
    assert "libcurator-fake.so.1" in done.copied and done.not_downloaded == ()
    update = next(c for c in apt.calls if "update" in c)
    lists = next(a for a in update if a.startswith("Dir::State::Lists="))
    assert not lists.endswith("=/var/lib/apt/lists")  # never the system's lists
    assert not Path(lists.partition("=")[2]).exists()  # the temporary folder is gone


def test_library_files_takes_only_shared_libraries_of_the_library_folders(
    tmp_path: Path,
) -> None:
    for rel in (
        "usr/lib/aarch64-linux-gnu/libxcb-cursor.so.0.0.0",
        "lib/x86_64-linux-gnu/libz.so.1.2.13",
        "usr/lib/libplain.so.2",
        "usr/lib/x86_64-linux-gnu/dri/swrast_dri.so",
        "usr/lib/x86_64-linux-gnu/libxcb-cursor.a",
        "usr/lib/python3/dist-packages/mod.so",
        "usr/share/doc/libxcb-cursor0/changelog.gz",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    (tmp_path / "usr/lib/aarch64-linux-gnu/libxcb-cursor.so.0").symlink_to("libxcb-cursor.so.0.0.0")
    names = sorted(f.name for f in setup_unpack.library_files(tmp_path))
    assert names == [
        "libplain.so.2",
        "libxcb-cursor.so.0",
        "libxcb-cursor.so.0.0.0",
        "libz.so.1.2.13",
    ]


def test_a_link_whose_target_did_not_come_along_becomes_a_copy(tmp_path: Path) -> None:
    tree, lib_dir = tmp_path / "tree", tmp_path / "lib"
    tree.mkdir()
    lib_dir.mkdir()
    (tree / "libreal.so.1.0").write_bytes(b"the library")
    (tree / "libreal.so.1").symlink_to("libreal.so.1.0")
    copied = setup_unpack.copy_libraries([tree / "libreal.so.1"], lib_dir)
    assert copied == ["libreal.so.1"]
    target = lib_dir / "libreal.so.1"
    assert not target.is_symlink() and target.read_bytes() == b"the library"
