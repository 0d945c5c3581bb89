"""The memory cards the system has mounted: volumes with a `DCIM/` folder.
`cards_among(volumes)` is the rule (pure); `mounted_cards()` applies it to
what `QStorageInfo` sees now.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QStorageInfo

from curator.ingest.types import human_bytes

CAMERA_FOLDER = "DCIM"


@dataclass(frozen=True)
class Volume:
    """What the system says about one mounted volume."""

    root: str
    name: str
    device: str
    total: int
    free: int
    read_only: bool = False


@dataclass(frozen=True)
class Card:
    volume: Volume
    dcim: str  # the folder an ingest reads

    @property
    def label(self) -> str:
        """How the dialog names it: "EOS_DIGITAL — 64 GB card at /media/me/EOS_DIGITAL"."""
        v = self.volume
        name = v.name or os.path.basename(v.root.rstrip(os.sep)) or v.root
        size = f"{human_bytes(v.total)} card" if v.total else "card"
        return f"{name} — {size} at {v.root}"


def cards_among(volumes: Iterable[Volume]) -> list[Card]:
    """The volumes that hold a camera's `DCIM/` folder, in the order given, each once."""
    cards, seen = [], set()
    for volume in volumes:
        dcim = os.path.join(volume.root, CAMERA_FOLDER)
        if volume.root in seen or not os.path.isdir(dcim):
            continue
        seen.add(volume.root)
        cards.append(Card(volume, dcim))
    return cards


def mounted_volumes() -> list[Volume]:
    """Every mounted, ready volume Qt knows of."""
    volumes = []
    for info in QStorageInfo.mountedVolumes():
        if not (info.isValid() and info.isReady()):
            continue
        device = bytes(info.device().data()).decode("utf-8", "replace")
        volumes.append(
            Volume(
                root=info.rootPath(),
                name=info.displayName(),
                device=device,
                total=info.bytesTotal(),
                free=info.bytesAvailable(),
                read_only=info.isReadOnly(),
            )
        )
    return volumes


def mounted_cards() -> list[Card]:
    return cards_among(mounted_volumes())
