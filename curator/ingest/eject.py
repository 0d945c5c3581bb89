"""Ejecting a card once it is ingested, where the system lets an app do so.

`eject_command(mount_point, device)` is the system's own tool for it: GIO
(`gio mount -e`, the desktop's way on Linux, which unmounts and powers the
reader's slot down) or UDisks (`udisksctl unmount`) on Linux, `diskutil
eject` on macOS, the Eject verb of the Windows shell (through `powershell`); None
where there is none — `NO_EJECT` then says what to do instead. `eject(…)`
runs it (never longer than `EJECT_TIMEOUT_S`) and answers with a sentence.
No Qt; the dialog runs it on a worker.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable

EJECT_TIMEOUT_S = 30.0
NO_EJECT = (
    "Curator can't eject a card on this system: eject it from your file manager "
    "before you take it out."
)


def eject_command(
    mount_point: str,
    device: str = "",
    *,
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
) -> list[str] | None:
    """The command that ejects the card mounted at `mount_point`, or None."""
    if platform.startswith("linux"):
        if gio := which("gio"):
            return [gio, "mount", "-e", mount_point]
        if device and (udisks := which("udisksctl")):
            return [udisks, "unmount", "--no-user-interaction", "-b", device]
        return None
    if platform == "darwin":
        diskutil = which("diskutil")
        return [diskutil, "eject", mount_point] if diskutil else None
    if platform == "win32":
        shell = which("powershell") or which("pwsh")
        if shell is None or len(mount_point) < 2 or mount_point[1] != ":":
            return None
        drive = mount_point[:2]
        script = (
            "(New-Object -comObject Shell.Application).Namespace(17)"
            f".ParseName('{drive}').InvokeVerb('Eject')"
        )
        return [shell, "-NoProfile", "-NonInteractive", "-Command", script]
    return None


def eject(
    name: str,
    mount_point: str,
    device: str = "",
    *,
    command: list[str] | None = None,
) -> str:
    """Eject the card; the sentence that says whether it may be taken out now."""
    command = command if command is not None else eject_command(mount_point, device)
    if command is None:
        return NO_EJECT
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=EJECT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"The card {name} could not be ejected ({exc}); eject it from your file manager."
    if done.returncode != 0:
        why = (done.stderr or done.stdout).strip().splitlines()
        reason = f" ({why[-1].strip().rstrip('.')})" if why else ""
        return (
            f"The card {name} could not be ejected{reason}: close what still uses it "
            "and try again, or eject it from your file manager."
        )
    return f"The card {name} was ejected: you can take it out."
