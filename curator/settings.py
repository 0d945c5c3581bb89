"""One typed settings registry.

Settings are a pydantic model. Values come from, in increasing precedence:
the defaults below, the JSON settings file (`AppPaths.settings_file`), and
`CURATOR_<FIELD>` environment variables (e.g. `CURATOR_DECODE_WORKERS=4`).
Each field carries a title and description so the settings dialog can be
generated from this one list. A `Settings` instance is immutable: workers
receive it as a snapshot.

Fields marked `json_schema_extra={"form": False}` are edited elsewhere (the
keyboard page, the gallery's size slider), not in the generated dialog;
`form_fields()` lists the others. `save_changes` writes just the
named keys into the file (the rest of the file untouched, so a value that
came from an environment variable is not made permanent by it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


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
    ollama_url: str = Field(
        default="http://localhost:11434",
        title="Ollama URL",
        description="Where the local Ollama server answers (describe stage).",
    )
    llm_model: str = Field(
        default="ollama/llava",
        title="Vision LLM",
        description="Model for descriptions: 'llava', 'llava:13b', or any instructor "
        "provider string such as 'ollama/llava' or 'openai/gpt-4o-mini'.",
    )
    llm_base_url: str = Field(
        default="",
        title="OpenAI-compatible server",
        description="Leave empty for Ollama. Otherwise the URL of an OpenAI-compatible "
        "server (LM Studio http://localhost:1234/v1, llama.cpp server "
        "http://localhost:8080/v1, vLLM http://localhost:8000/v1); the Vision LLM "
        "setting is then the model name that server knows.",
    )
    llm_json_mode: str = Field(
        default="schema",
        title="Structured output",
        description="'schema': the server enforces the description's JSON schema "
        "(Ollama 0.5+, LM Studio, vLLM); 'prompt': the schema goes in the prompt and the "
        "answer is read from the text, for servers that reject response_format. Curator "
        "switches to 'prompt' by itself when a server refuses the schema.",
    )

    @field_validator("llm_json_mode")
    @classmethod
    def _known_json_mode(cls, value: str) -> str:
        mode = value.strip().lower()
        if mode not in ("schema", "prompt"):
            raise ValueError(f"'{value}' is not a structured-output mode: use schema or prompt")
        return mode

    llm_concurrency: int = Field(
        default=1,
        ge=1,
        le=8,
        title="LLM requests at once",
        description="Descriptions requested in parallel (1 suits one local GPU).",
    )
    clip_model: str = Field(
        default="ViT-L-14",
        title="CLIP model",
        description="open_clip architecture used for embeddings and semantic search.",
    )
    clip_pretrained: str = Field(
        default="openai",
        title="CLIP weights",
        description="open_clip pretrained tag (e.g. 'openai', 'laion2b_s32b_b82k') or a "
        "checkpoint file path.",
    )
    clip_auto_download: bool = Field(
        default=True,
        title="Download CLIP weights",
        description="When the weights are missing and the internet is reachable, the first "
        "embedding downloads them into your cache (with progress).",
    )
    clip_batch_size: int = Field(
        default=16,
        ge=1,
        le=512,
        title="CLIP batch size",
        description="Photos per forward pass of the embedding model.",
    )
    match_threshold: float = Field(
        default=70.0,
        ge=0.0,
        le=100.0,
        title="MATCH: how close to your taste",
        description="A photo whose preference score (0–100: how much it looks like the "
        "photos you kept and rated highly) reaches this gets the gold MATCH badge; kept "
        "and unrated, it goes out with the approved export. Higher: fewer, surer matches.",
    )
    match_approves_at: float = Field(
        default=0.5,
        ge=-1.0,
        le=1.0,
        title="MATCH approves at model quality",
        description="A kept, unrated MATCH counts as approved for export only when the "
        "taste model's held-out Spearman (curator status) is at least this, and the model "
        "is not early (20 decisions or more).",
    )
    burst_gap_s: float = Field(
        default=3.0,
        ge=0.1,
        le=60.0,
        title="Burst: longest pause between frames (s)",
        description="Frames shot further apart than this are never grouped as one burst "
        "(one stack in the grid, its best frame suggested).",
    )
    burst_min_cosine: float = Field(
        default=0.92,
        ge=0.5,
        le=1.0,
        title="Burst similarity",
        description="Cosine similarity of CLIP embeddings above which frames are a burst.",
    )
    burst_max_structure_distance: float = Field(
        default=0.25,
        ge=0.05,
        le=1.0,
        title="Burst structure distance",
        description=(
            "Frames whose exposure-independent structure differs by at most this much "
            "(0 = identical) are a burst or bracket, with or without CLIP embeddings."
        ),
    )
    pair_raw_jpeg: bool = Field(
        default=True,
        title="RAW+JPEG: one photo",
        description="A RAW and a JPEG with the same name in one folder (DSC0001.ARW + "
        "DSC0001.JPG) are one photo, as in Lightroom: one tile, and every rating, flag, "
        "label, tag and turn goes to both files. Off: two photos, each decided alone; "
        "turning it back on regroups them, no decision lost.",
    )
    pair_export: Literal["both", "raw", "jpeg"] = Field(
        default="both",
        title="RAW+JPEG: export",
        description="Which files of a RAW+JPEG photo an export copies: both (nothing "
        "you shot is left behind), only the RAW (to edit) or only the JPEG (to share). "
        "The export dialog asks each time, starting from this.",
    )
    backup_frequency: Literal["never", "daily", "weekly"] = Field(
        default="daily",
        title="Back up your decisions",
        description="On quit, at most this often: a verified copy of the catalog (every "
        "rating, flag, label and tag you gave). 'never' turns it off.",
    )
    backup_keep: int = Field(
        default=5,
        ge=1,
        le=100,
        title="Backups to keep",
        description="The newest this many backups are kept; older ones are removed.",
    )
    backup_folder: str = Field(
        default="",
        title="Backup folder",
        description="Where backups go; empty: a 'backups' folder beside the catalog. "
        "Another disk protects against losing this one.",
    )
    xmp_sidecar_names: Literal["auto", "lightroom", "darktable", "both"] = Field(
        default="auto",
        title="XMP sidecar names",
        description="Names of new sidecars `curator xmp write` and exports create: "
        "'lightroom' IMG_1.xmp, 'darktable' IMG_1.CR2.xmp (darktable reads a reject only "
        "there), 'both', or 'auto': the sidecars already beside the photo, else the "
        "folder's, else IMG_1.JPG.xmp (and IMG_1.xmp too for a RAW).",
    )
    xmp_darktable_one_star_is_rating: bool = Field(
        default=False,
        title="darktable's 1 star is a rating",
        description="darktable writes 1 star into every sidecar when it imports a photo "
        "(its default 'initial rating'), so Curator reads 1 star in a darktable sidecar "
        "as not rated. Turn this on if you rate with darktable's 1 star.",
    )
    advance_after_rating: bool = Field(
        default=False,
        title="Next photo after a rating",
        description="After 1–5 stars the loupe moves on to the next photo, as Auto Advance "
        "does in Lightroom and Photo Mechanic (P and X always move on in the cull pass).",
    )
    gallery_cell_size: int = Field(
        default=212,
        ge=120,
        le=420,
        title="Gallery cell size (px)",
        description="About how wide a gallery cell is (cells stretch so each row fills "
        "the grid); the slider in the status bar and Ctrl+= / Ctrl+- change it too.",
    )
    key_overrides: dict[str, str] = Field(
        default_factory=dict,
        title="Keyboard shortcuts",
        description="Keys changed from the defaults, by action (File ▸ Keyboard Shortcuts…).",
        json_schema_extra={"form": False},
    )


# The engineering knobs: the Settings dialog puts them under "Advanced", below
# what a photographer chooses (what each choice does to their work).
ADVANCED: frozenset[str] = frozenset(
    {
        "decode_workers",
        "preview_long_edge",
        "thumbnail_long_edge",
        "max_image_megapixels",
        "max_attempts",
        "decode_timeout_s",
        "ollama_url",
        "llm_model",
        "llm_base_url",
        "llm_json_mode",
        "llm_concurrency",
        "clip_model",
        "clip_pretrained",
        "clip_auto_download",
        "clip_batch_size",
        "burst_min_cosine",
        "burst_max_structure_distance",
    }
)


def form_fields() -> list[str]:
    """The settings the generated dialog edits (not those with a page of their own)."""
    out = []
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get("form") is False:
            continue
        out.append(name)
    return out


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


def env_overrides(env: dict[str, str] | None = None) -> dict[str, str]:
    """The settings an environment variable sets ({field: "CURATOR_FIELD"})."""
    env = dict(os.environ) if env is None else env
    keys = {name: f"CURATOR_{name.upper()}" for name in Settings.model_fields}
    return {name: key for name, key in keys.items() if key in env}


def save_changes(settings_file: Path, changes: dict[str, Any]) -> None:
    """Write only `changes` into the settings file, keeping what it already holds.

    The Settings dialog's OK: a value that came from an environment override
    (or any field the user did not touch) is never written. A change back to
    the default removes the field from the file. Validated before writing
    (SettingsError, nothing written).
    """
    values: dict[str, Any] = {}
    if settings_file.exists():
        try:
            loaded = json.loads(settings_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SettingsError(f"The settings file {settings_file} can't be read: {exc}") from exc
        if isinstance(loaded, dict):
            values.update(loaded)
    values.update(changes)
    try:
        checked = Settings(**values)
    except ValidationError as exc:
        raise SettingsError(f"Invalid setting — {exc.errors()[0]['msg']}") from exc
    defaults = Settings()
    kept = {
        name: getattr(checked, name)
        for name in values
        if name in Settings.model_fields and getattr(checked, name) != getattr(defaults, name)
    }
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = settings_file.with_name(settings_file.name + ".tmp")
    tmp.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, settings_file)


def save_settings(settings_file: Path, settings: Settings) -> None:
    """Write the settings that differ from the defaults, atomically (temp + rename)."""
    defaults = Settings()
    changed = {
        name: value
        for name, value in settings.model_dump().items()
        if value != getattr(defaults, name)
    }
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = settings_file.with_name(settings_file.name + ".tmp")
    tmp.write_text(json.dumps(changed, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, settings_file)
