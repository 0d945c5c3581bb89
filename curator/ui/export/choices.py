"""`ExportChoicesFile`: what the export dialog remembers between runs, in
`export_choices.json` in the config dir. A missing or unreadable file gives
the defaults; an unknown or out-of-range value its default; writes are atomic.
No Qt.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger("curator.ui")

FILENAME = "export_choices.json"
LONG_EDGE_MIN, LONG_EDGE_MAX, LONG_EDGE_DEFAULT = 320, 12000, 2048


@dataclass(frozen=True)
class ExportChoices:
    dest: str = ""
    project: str | None = None  # None: the approved photos
    renditions: bool = False  # False: copies of the originals
    long_edge: int = LONG_EDGE_DEFAULT


class ExportChoicesFile:
    def __init__(self, config_dir: Path) -> None:
        self.file = Path(config_dir) / FILENAME

    def load(self) -> ExportChoices:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return ExportChoices()
        except (OSError, ValueError) as exc:
            log.warning("ignoring the export choices file %s: %s", self.file, exc)
            return ExportChoices()
        if not isinstance(data, dict):
            return ExportChoices()
        default = ExportChoices()
        dest, project = data.get("dest"), data.get("project")
        edge = data.get("long_edge")
        return ExportChoices(
            dest=dest if isinstance(dest, str) else default.dest,
            project=project if isinstance(project, str) and project else None,
            renditions=data.get("renditions") is True,
            long_edge=edge
            if isinstance(edge, int) and LONG_EDGE_MIN <= edge <= LONG_EDGE_MAX
            else default.long_edge,
        )

    def save(self, choices: ExportChoices) -> None:
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(self.file.name + ".tmp")
            tmp.write_text(json.dumps(asdict(choices), indent=2) + "\n", "utf-8")
            os.replace(tmp, self.file)
        except OSError as exc:  # a read-only config dir costs the memory, nothing else
            log.warning("could not save the export choices to %s: %s", self.file, exc)
