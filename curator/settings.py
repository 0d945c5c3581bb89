"""One typed settings registry.

Settings are a pydantic model. Values come from, in increasing precedence:
the defaults below, the JSON settings file (`AppPaths.settings_file`), and
`CURATOR_<FIELD>` environment variables (e.g. `CURATOR_DECODE_WORKERS=4`).
Each field carries a title and description so the settings dialog can be
generated from this one list. A `Settings` instance is immutable: workers
receive it as a snapshot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


def _default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 2)))


class SettingsError(Exception):
    """The settings file or an environment override is invalid."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    decode_workers: int = Field(
        default_factory=_default_workers,
        ge=1,
        le=64,
        title="Decode workers",
        description="Child processes that read, decode and measure files in parallel.",
    )
    preview_long_edge: int = Field(
        default=1440,
        ge=320,
        le=8192,
        title="Preview size (px)",
        description="Long edge of the cached JPEG preview shown in the loupe.",
    )
    thumbnail_long_edge: int = Field(
        default=320,
        ge=64,
        le=1024,
        title="Thumbnail size (px)",
        description="Long edge of the cached gallery thumbnail.",
    )
    max_image_megapixels: int = Field(
        default=250,
        ge=10,
        le=2000,
        title="Largest image (MP)",
        description="Images declaring more pixels are refused as possible decompression bombs.",
    )
    max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        title="Attempts per stage",
        description="How often a transient failure (I/O error, crashed decoder) is retried.",
    )
    decode_timeout_s: float = Field(
        default=120.0,
        ge=5.0,
        le=3600.0,
        title="Decode timeout (s)",
        description="A decoder that takes longer on one file is stopped and the file failed.",
    )


def load_settings(settings_file: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Build the settings snapshot from file and environment; raise SettingsError if invalid."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    if settings_file is not None and settings_file.exists():
        try:
            loaded = json.loads(settings_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SettingsError(f"The settings file {settings_file} can't be read: {exc}") from exc
        if not isinstance(loaded, dict):
            raise SettingsError(f"The settings file {settings_file} must hold a JSON object.")
        values.update(loaded)
    for name in Settings.model_fields:
        key = f"CURATOR_{name.upper()}"
        if key in env:
            values[name] = env[key]
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"Invalid setting — {problems}") from exc
