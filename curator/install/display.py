"""Can the GUI open a window here? Asked before anything creates a QApplication.

Qt aborts (exit 134) without a display or a loadable xcb plugin;
`display_problem()` finds those cases first, so `curator` exits 1 with one
sentence: Linux with neither DISPLAY nor WAYLAND_DISPLAY (unless
QT_QPA_PLATFORM needs none), or xcb with a missing system library (loaded here
with ctypes) or an unreachable X server. macOS and Windows always have one.
No Qt import here; the command-line tools never ask.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

NO_DISPLAY = (
    "No display found — run the command-line tools (curator --help) "
    "or start Curator in a desktop session."
)
# Platforms that draw without a display server; the user asked for them.
_HEADLESS_PLATFORMS = {"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb"}


def display_problem(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """One sentence when the GUI can't open a window here; None when it can."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None
    qpa = _requested_platform(env)
    if qpa in _HEADLESS_PLATFORMS:
        return None
    has_x, has_wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if not has_x and not has_wayland:
        return NO_DISPLAY
    uses_xcb = qpa == "xcb" or (not qpa and has_x and not has_wayland)
    if not uses_xcb:
        return None  # Wayland (or XWayland with a Wayland fallback): Qt chooses
    if not has_x:
        return NO_DISPLAY
    return xcb_problem(env["DISPLAY"])


def _requested_platform(env: Mapping[str, str]) -> str:
    """The first platform in QT_QPA_PLATFORM ('xcb;wayland', 'vnc:size=…'), lowercased."""
    first = env.get("QT_QPA_PLATFORM", "").split(";")[0]
    return first.split(":")[0].strip().lower()


def xcb_problem(display: str) -> str | None:
    """Why Qt's xcb plugin would fail on `display` (None: it loads and connects)."""
    plugin = _xcb_plugin()
    if plugin is not None:
        try:
            ctypes.CDLL(str(plugin))
        except OSError as exc:
            return missing_library_sentence(str(exc))
    name = ctypes.util.find_library("xcb")
    if name is None:
        return missing_library_sentence("libxcb.so.1: cannot open shared object file")
    if not _x_server_answers(name, display):
        return f"No display found: the X server at DISPLAY={display} does not answer — " + (
            "run the command-line tools (curator --help) or start Curator in a desktop session."
        )
    return None


def missing_library_sentence(loader_error: str) -> str:
    """The sentence for a failed load ('libxcb-cursor.so.0: cannot open shared object…')."""
    from curator.install.setup_check import DEBIAN_PACKAGES

    match = re.search(r"(lib[\w.+-]+\.so[\w.]*)", loader_error)
    lib = match.group(1) if match else "a system library"
    package = DEBIAN_PACKAGES.get(lib)
    fix = f"install {package} (Debian/Ubuntu)" if package else f"install the package that has {lib}"
    return (
        f"Qt can't open a window: {lib} is missing — {fix}, or run "
        "`python -m curator.install.setup_check --install` to install all that Qt needs; "
        "the command-line tools (curator --help) work without it."
    )


def _xcb_plugin() -> Path | None:
    from curator.install.setup_check import pyside_qt_dir

    qt = pyside_qt_dir()
    frozen = getattr(sys, "_MEIPASS", None)
    if qt is None and frozen:
        qt = Path(frozen) / "PySide6" / "Qt"
    plugin = qt / "plugins" / "platforms" / "libqxcb.so" if qt else None
    return plugin if plugin is not None and plugin.exists() else None


def _x_server_answers(libxcb: str, display: str) -> bool:
    xcb = ctypes.CDLL(libxcb)
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(conn) and xcb.xcb_connection_has_error(conn) == 0
    finally:
        if conn:
            xcb.xcb_disconnect(conn)
