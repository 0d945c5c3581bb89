"""`RecentFolders`: the File ▸ Recent Folders list (`recent_folders.json` in the
config dir), newest first, no duplicates, at most `limit`; folders gone are
kept (a disk comes back) but `existing()` skips them. A missing or unreadable
file is an empty list; writes are atomic. No Qt.
"""

from __future__ import annotations

import os
from pathlib import Path

from curator.paths import RecentList

FILENAME = "recent_folders.json"


class RecentFolders:
    def __init__(self, config_dir: Path, limit: int = 10) -> None:
        self._list = RecentList(Path(config_dir) / FILENAME, "folders", limit)
        self.file, self.limit = self._list.file, limit
        self.folders: list[str] = self._list.read()

    def add(self, folder: str) -> None:
        folder = os.path.abspath(os.path.expanduser(folder))
        self.folders = [folder, *(f for f in self.folders if f != folder)][: self.limit]
        self._write()

    def clear(self) -> None:
        self.folders = []
        self._write()

    def existing(self) -> list[str]:
        return [f for f in self.folders if os.path.isdir(f)]

    def _write(self) -> None:
        self._list.write(self.folders)
