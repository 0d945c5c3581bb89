"""The Qt runtime-library check behind `make run`/`make test` (curator.install.setup_check)
and the GUI's display check (curator.install.display): parsing, the package map, the
sentences, and — on Linux — that the xcb plugin's libraries really resolve here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from curator.install import setup_check, setup_unpack
from curator.install.display import NO_DISPLAY, display_problem, missing_library_sentence

# What `ldd libqxcb.so` prints on a fresh Debian 12 with three libraries missing.
LDD_FRESH_DEBIAN = """\
\tlinux-vdso.so.1 (0x00007ffd6b7f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x1)
\tlibQt6Gui.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6Gui.so.6 (0x2)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x3)
\tlibfoo-unmapped.so.2 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f69a228f000)
"""


def test_parse_ldd_finds_exactly_the_not_found_libraries() -> None:
    assert setup_check.parse_ldd(LDD_FRESH_DEBIAN) == {
        "libxcb-cursor.so.0",
        "libxcb-icccm.so.4",
        "libxcb-keysyms.so.1",
        "libfoo-unmapped.so.2",
    }
    assert setup_check.parse_ldd("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == set()


def test_missing_libraries_map_to_debian_packages_and_unknown_ones_are_named() -> None:
    missing = setup_check.packages_for(setup_check.parse_ldd(LDD_FRESH_DEBIAN))
    assert missing.packages == ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1")
    assert missing.unknown == ("libfoo-unmapped.so.2",)


@pytest.mark.parametrize(
    "package",
    [
        "libxcb-cursor0",
        "libxcb-icccm4",
        "libxcb-keysyms1",
        "libxcb-image0",
        "libxcb-render-util0",
        "libxkbcommon-x11-0",
        "libxcb-xkb1",
        "libxcb-shape0",
        "libxcb-randr0",
        "libxcb-xinerama0",
        "libegl1",
        "libgl1",
        "libfontconfig1",
        "libdbus-1-3",
    ],
)
def test_the_packages_qt_documents_for_xcb_are_in_the_map(package: str) -> None:
    assert package in setup_check.DEBIAN_PACKAGES.values()


def test_install_command_uses_sudo_only_when_not_root() -> None:
    pkgs = ["libxcb-cursor0"]
    as_root = setup_check.install_command(pkgs, is_root=True, has_sudo=True)
    assert as_root == [
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "libxcb-cursor0",
    ]
    as_user = setup_check.install_command(pkgs, is_root=False, has_sudo=True)
    assert as_user is not None and as_user[0] == "sudo" and as_user[1:] == as_root
    assert setup_check.install_command(pkgs, is_root=False, has_sudo=False) is None


def test_check_without_apt_names_the_packages_and_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    with monkeypatch.context() as m:
        m.setattr(setup_check.sys, "platform", "linux")
        m.setattr(setup_check, "pyside_qt_dir", lambda: tmp_path)
        m.setattr(setup_check, "xcb_plugin_files", lambda qt: [tmp_path])
        m.setattr(setup_check, "missing_libraries", lambda files: {"libxcb-cursor.so.0"})
        real_which = setup_check.shutil.which
        m.setattr(
            setup_check.shutil,
            "which",
            lambda name: None if name in ("apt-get", "dpkg") else real_which(name),
        )
        code = setup_check.check(install=True)
    err = capsys.readouterr().err
    assert code == 1
    assert "libxcb-cursor0" in err and "libxcb-cursor.so.0" in err


def test_check_is_a_no_op_on_macos_and_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    for platform in ("darwin", "win32"):
        with monkeypatch.context() as m:
            m.setattr(setup_check.sys, "platform", platform)
            m.setattr(setup_check, "missing_libraries", lambda files: pytest.fail("ran ldd"))
            assert setup_check.check(install=True) == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb plugin is Linux-only")
def test_the_xcb_plugin_libraries_all_resolve_after_the_install_step() -> None:
    """`make test` runs `setup_check --install` first: a library missing here means
    `make run` could not open a window on this machine (CI is offscreen, so only
    this test sees it)."""
    qt_dir = setup_check.pyside_qt_dir()
    assert qt_dir is not None
    files = setup_check.xcb_plugin_files(qt_dir)
    assert any(f.name == "libqxcb.so" for f in files)
    missing = setup_check.missing_libraries(files)
    assert missing == set(), f"install: {setup_check.packages_for(missing).packages}"


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("cc") is None or not shutil.which("ldd"),
    reason="needs a C compiler and ldd",
)
def test_a_library_that_really_does_not_resolve_is_found_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plugin linked against a library that is gone: what a fresh machine looks like."""
    (tmp_path / "gone.c").write_text("int gone(void) { return 1; }\n")
    (tmp_path / "plugin.c").write_text("int gone(void);\nint plugin(void) { return gone(); }\n")
    cc = ["cc", "-shared", "-fPIC"]
    subprocess.run(
        [
            *cc,
            "-Wl,-soname,libcurator-gone.so.1",
            "-o",
            str(tmp_path / "libcurator-gone.so.1"),
            str(tmp_path / "gone.c"),
        ],
        check=True,
    )
    (tmp_path / "libcurator-gone.so").symlink_to("libcurator-gone.so.1")
    plugin = tmp_path / "libqxcb.so"
    subprocess.run(
        [*cc, "-o", str(plugin), str(tmp_path / "plugin.c"), f"-L{tmp_path}", "-lcurator-gone"],
        check=True,
    )
    (tmp_path / "libcurator-gone.so.1").unlink()
    assert setup_check.missing_libraries([plugin]) == {"libcurator-gone.so.1"}
    with monkeypatch.context() as m:
        m.setattr(setup_check, "pyside_qt_dir", lambda: tmp_path)
        m.setattr(setup_check, "xcb_plugin_files", lambda qt: [plugin])
        assert setup_check.check(install=True) == 1  # unmapped: named, never guessed
    assert "libcurator-gone.so.1" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, NO_DISPLAY),
        ({"QT_QPA_PLATFORM": "xcb"}, NO_DISPLAY),
        ({"QT_QPA_PLATFORM": "offscreen"}, None),
        ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, NO_DISPLAY),
    ],
)
def test_display_problem_on_linux(env: dict[str, str], expected: str | None) -> None:
    assert display_problem(env, platform="linux") == expected


def test_macos_and_windows_always_have_a_display() -> None:
    assert display_problem({}, platform="darwin") is None
    assert display_problem({}, platform="win32") is None


def test_a_display_nobody_answers_on_is_reported_not_aborted() -> None:
    problem = display_problem({"DISPLAY": ":987"}, platform="linux")
    assert problem is not None and "DISPLAY=:987" in problem


def test_a_missing_xcb_library_names_its_package() -> None:
    sentence = missing_library_sentence(
        "libxcb-cursor.so.0: cannot open shared object file: No such file or directory"
    )
    assert "libxcb-cursor.so.0" in sentence and "libxcb-cursor0" in sentence
    assert "curator --help" in sentence


def test_attempts_go_root_then_sudo_then_download_without_root() -> None:
    assert setup_check.attempts(is_root=True, has_sudo=True) == ["apt-get", "download"]
    assert setup_check.attempts(is_root=True, has_sudo=False) == ["apt-get", "download"]
    assert setup_check.attempts(is_root=False, has_sudo=True) == ["sudo apt-get", "download"]
    assert setup_check.attempts(is_root=False, has_sudo=False) == ["download"]


class FakeSystem:
    """The machine as check() sees it: which sonames are missing, and what each
    way of installing fixes (apt-get: everything; download: per package, which
    may reveal a library that package's library needs in turn)."""

    def __init__(self, missing: set[str], *, apt_works: bool, reveals: dict[str, str]) -> None:
        self.missing = set(missing)
        self.apt_works = apt_works
        self.reveals = reveals  # package downloaded -> soname found missing after it
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def ldd(self, files: object) -> set[str]:
        return set(self.missing)

    def apt_install(self, packages: tuple[str, ...], *, sudo: bool) -> None:
        self.calls.append(("sudo apt-get" if sudo else "apt-get", tuple(packages)))
        if self.apt_works:
            self.missing.clear()

    def install_into(self, packages: list[str], lib_dir: Path) -> object:
        self.calls.append(("download", tuple(packages)))
        for package in packages:
            self.missing -= {s for s, p in setup_check.DEBIAN_PACKAGES.items() if p == package}
            if package in self.reveals:
                self.missing.add(self.reveals[package])
        return setup_unpack.Unpacked(tuple(packages), (), ())


def _run_check(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, system: FakeSystem, *, root: bool, sudo: bool
) -> int:
    with monkeypatch.context() as m:
        m.setattr(setup_check.sys, "platform", "linux")
        m.setattr(setup_check, "pyside_qt_dir", lambda: tmp_path)
        m.setattr(setup_check, "xcb_plugin_files", lambda qt: [tmp_path / "libqxcb.so"])
        m.setattr(setup_check, "missing_libraries", system.ldd)
        m.setattr(setup_check, "apt_install", system.apt_install)
        m.setattr(setup_check.setup_unpack, "install_into", system.install_into)
        m.setattr(setup_check.os, "geteuid", lambda: 0 if root else 1000)
        m.setattr(setup_check, "_can_sudo", lambda: sudo)
        m.setattr(setup_check.shutil, "which", lambda name: f"/usr/bin/{name}")
        return setup_check.check(install=True)


@pytest.mark.parametrize(
    ("root", "sudo", "apt_works", "expected"),
    [
        (True, False, True, ["apt-get"]),
        (False, True, True, ["sudo apt-get"]),
        (False, True, False, ["sudo apt-get", "download"]),  # e.g. not in sudoers
        (True, False, False, ["apt-get", "download"]),  # e.g. apt's lock held
        (False, False, True, ["download"]),  # CI as a plain user
    ],
)
def test_the_order_of_attempts(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    root: bool,
    sudo: bool,
    apt_works: bool,
    expected: list[str],
) -> None:
    system = FakeSystem({"libxcb-cursor.so.0"}, apt_works=apt_works, reveals={})
    assert _run_check(monkeypatch, tmp_path, system, root=root, sudo=sudo) == 0
    assert [way for way, _ in system.calls] == expected
    assert all(packages == ("libxcb-cursor0",) for _, packages in system.calls)
    assert "all there now" in capsys.readouterr().out


def test_download_goes_again_for_what_a_copied_library_needs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    system = FakeSystem(
        {"libxcb-cursor.so.0"},
        apt_works=False,
        reveals={"libxcb-cursor0": "libxcb-image.so.0", "libxcb-image0": "libxcb-util.so.1"},
    )
    assert _run_check(monkeypatch, tmp_path, system, root=False, sudo=False) == 0
    assert system.calls == [
        ("download", ("libxcb-cursor0",)),
        ("download", ("libxcb-image0",)),
        ("download", ("libxcb-util1",)),
    ]
    out = capsys.readouterr().out
    assert "without root" in out and str(tmp_path / "lib") in out


def test_a_library_the_download_cannot_bring_is_tried_once_then_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    system = FakeSystem({"libxcb-cursor.so.0"}, apt_works=False, reveals={})
    system.install_into = lambda packages, lib_dir: (  # type: ignore[method-assign]
        system.calls.append(("download", tuple(packages)))
        or setup_unpack.Unpacked((), tuple(packages), ("E: Unable to locate package",))
    )
    assert _run_check(monkeypatch, tmp_path, system, root=False, sudo=False) == 1
    assert system.calls == [("download", ("libxcb-cursor0",))]  # not again and again
    err = capsys.readouterr().err
    assert "E: Unable to locate package" in err
    assert "as root: apt-get install libxcb-cursor0" in err
