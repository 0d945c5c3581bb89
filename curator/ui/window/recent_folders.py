"""`RecentFolders`: the File ▸ Recent Folders list, kept in a small JSON file
in the config dir (`recent_folders.json`).

Newest first, no duplicates, at most `limit`; folders that no longer exist
are still listed (an unplugged disk comes back) but `existing()` skips
them for the menu. A missing or unreadable file is an empty list — never an
error at startup; writes are atomic (temp + rename). No Qt.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger("curator.ui")

FILENAME = "recent_folders.json"


class RecentFolders:
    def __init__(self, config_dir: Path, limit: int = 10) -> None:
        self.file = Path(config_dir) / FILENAME
        self.limit = limit
        self.folders: list[str] = self._read()

    def _read(self) -> list[str]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("ignoring the recent-folders file %s: %s", self.file, exc)
            return []
        folders = data.get("folders", []) if isinstance(data, dict) else []
        return [f for f in folders if isinstance(f, str)][: self.limit]

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
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(self.file.name + ".tmp")
            tmp.write_text(json.dumps({"folders": self.folders}, indent=2) + "\n", "utf-8")
            os.replace(tmp, self.file)
        except OSError as exc:  # a read-only config dir costs the list, nothing else
            log.warning("could not save the recent folders to %s: %s", self.file, exc)
