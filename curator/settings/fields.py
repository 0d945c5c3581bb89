"""The settings, one field each: `Settings`, the immutable snapshot.

Each field is declared by `setting` (title, description, bounds, and a `check`
where the type is not enough); the registry (`curator.settings.registry`)
makes the dialog, validator, environment overrides and docs from them.
`form=False`: edited on a page of its own; `advanced=True`: under "Advanced".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from curator.ml.config import ClipConfig


def _default_workers() -> int:
    """one per core, at most 4"""
    return max(1, min(4, (os.cpu_count() or 2)))


def _known_json_mode(value: str) -> str:
    mode = value.strip().lower()
    if mode not in ("schema", "prompt"):
        raise ValueError(f"'{value}' is not a structured-output mode: use schema or prompt")
    return mode


def _ingest_template(kind: str) -> Callable[[Any], Any]:
    """The `check` of an ingest template setting: refused with the template's sentence."""

    def check(value: Any) -> Any:
        from curator.ingest.template import TemplateError, TemplateKind, parse_template

        if not isinstance(value, str):
            raise ValueError("a template is text, e.g. {original}")
        if value.strip() or kind == "rename":
            try:
                parse_template(value, TemplateKind(kind))
            except TemplateError as exc:
                raise ValueError(str(exc)) from None
        return value

    return check


def root_pairs(text: str) -> list[tuple[str, str]]:
    """The `root_map` setting as (catalog root, this seat's root) pairs; ValueError
    with the sentence for a pair that is not two absolute folders."""
    pairs = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        catalog_root, sep, local = (x.strip() for x in part.partition("="))
        ok = sep and all(r.startswith("/") and r.rstrip("/") for r in (catalog_root, local))
        if not ok:
            raise ValueError(
                f"'{part}' is not CATALOG_ROOT=THIS_SEAT_ROOT with two absolute folders "
                "(e.g. /Volumes/Studio=/mnt/studio)"
            )
        pairs.append((catalog_root.rstrip("/"), local.rstrip("/")))
    return pairs


def _root_map_text(value: str) -> str:
    return "; ".join(f"{c}={loc}" for c, loc in root_pairs(value))


def setting(
    *,
    title: str,
    description: str,
    default: Any = None,
    default_factory: Callable[[], Any] | None = None,
    ge: float | None = None,
    le: float | None = None,
    form: bool = True,
    advanced: bool = False,
    check: Callable[[Any], Any] | None = None,
) -> Any:
    """One setting: a dataclass field whose metadata the dialog and the
    validator read (`check` normalises or refuses a value, as a pydantic
    field validator does)."""
    meta: dict[str, Any] = {"title": title, "description": description, "ge": ge, "le": le}
    meta |= {"form": form, "advanced": advanced, "check": check}
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """The settings snapshot (immutable: workers receive it as is)."""

    decode_workers: int = setting(
        advanced=True,
        default_factory=_default_workers,
        ge=1,
        le=64,
        title="Decode workers",
        description="Child processes that read, decode and measure files in parallel.",
    )
    preview_long_edge: int = setting(
        advanced=True,
        default=1440,
        ge=320,
        le=8192,
        title="Preview size (px)",
        description="Long edge of the cached JPEG preview shown in the loupe.",
    )
    thumbnail_long_edge: int = setting(
        advanced=True,
        default=320,
        ge=64,
        le=1024,
        title="Thumbnail size (px)",
        description="Long edge of the cached gallery thumbnail.",
    )
    max_image_megapixels: int = setting(
        advanced=True,
        default=250,
        ge=10,
        le=2000,
        title="Largest image (MP)",
        description="Images declaring more pixels are refused as possible decompression bombs.",
    )
    max_attempts: int = setting(
        advanced=True,
        default=3,
        ge=1,
        le=10,
        title="Attempts per stage",
        description="How often a transient failure (I/O error, crashed decoder) is retried.",
    )
    decode_timeout_s: float = setting(
        advanced=True,
        default=120.0,
        ge=5.0,
        le=3600.0,
        title="Decode timeout (s)",
        description="A decoder that takes longer on one file is stopped and the file failed.",
    )
    ollama_url: str = setting(
        advanced=True,
        default="http://localhost:11434",
        title="Ollama URL",
        description="Where the local Ollama server answers (describe stage).",
    )
    llm_model: str = setting(
        advanced=True,
        default="ollama/llava",
        title="Vision LLM",
        description="Model for descriptions: 'llava', 'llava:13b', or any instructor "
        "provider string such as 'ollama/llava' or 'openai/gpt-4o-mini'.",
    )
    llm_base_url: str = setting(
        advanced=True,
        default="",
        title="OpenAI-compatible server",
        description="Leave empty for Ollama. Otherwise the URL of an OpenAI-compatible "
        "server (LM Studio http://localhost:1234/v1, llama.cpp server "
        "http://localhost:8080/v1, vLLM http://localhost:8000/v1); the Vision LLM "
        "setting is then the model name that server knows.",
    )
    llm_json_mode: str = setting(
        advanced=True,
        default="schema",
        title="Structured output",
        description="'schema': the server enforces the description's JSON schema "
        "(Ollama 0.5+, LM Studio, vLLM); 'prompt': the schema goes in the prompt and the "
        "answer is read from the text, for servers that reject response_format. Curator "
        "switches to 'prompt' by itself when a server refuses the schema.",
        check=_known_json_mode,
    )
    llm_concurrency: int = setting(
        advanced=True,
        default=1,
        ge=1,
        le=8,
        title="LLM requests at once",
        description="Descriptions requested in parallel (1 suits one local GPU).",
    )
    clip_model: str = setting(
        advanced=True,
        default="ViT-L-14",
        title="CLIP model",
        description="open_clip architecture used for embeddings and semantic search.",
    )
    clip_pretrained: str = setting(
        advanced=True,
        default="openai",
        title="CLIP weights",
        description="open_clip pretrained tag (e.g. 'openai', 'laion2b_s32b_b82k') or a "
        "checkpoint file path.",
    )
    clip_auto_download: bool = setting(
        advanced=True,
        default=True,
        title="Download CLIP weights",
        description="When the weights are missing and the internet is reachable, the first "
        "embedding downloads them into your cache (with progress).",
    )
    clip_batch_size: int = setting(
        advanced=True,
        default=0,
        ge=0,
        le=512,
        title="CLIP batch size",
        description="Photos per forward pass of the embedding model; 0 lets Curator choose "
        "from the device (64 on a GPU, 16 on a CPU).",
    )
    clip_precision: Literal["auto", "fp32", "fp16", "bf16"] = setting(
        advanced=True,
        default="auto",
        title="CLIP precision",
        description="The numbers CLIP computes in. 'auto': fp16 on an NVIDIA GPU, bf16 on a "
        "CPU with native bf16 (about twice fp32's speed there), fp32 elsewhere. The vectors "
        "agree with fp32's whatever you choose, so photos embedded on different computers "
        "stay comparable. `curator doctor` says which one runs here.",
    )
    faces_enabled: bool = setting(
        default=True,
        title="Judge faces",
        description="Find the faces in every photo and judge their eyes (open or closed) "
        "and their focus, on the photo's preview, on this computer (CLOSED EYES and SOFT "
        "FACE badges; a burst's best frame prefers everyone's eyes open). A face verdict "
        "never rejects or stars a photo: you decide.",
    )
    people_recognition: bool = setting(
        default=True,
        title="Recognise people",
        description="Tell people apart by their faces (a descriptor of each judged face, "
        "computed on this computer), so photos group by person and you name each person "
        "once. Descriptors stay in the catalog: never exported, never in a sidecar, a log "
        "or a listing. Off: no descriptor is computed, and the next import (or `curator "
        "people`) deletes every stored descriptor, person and name, as `curator people "
        "forget` does. Eyes and focus are still judged.",
    )
    face_model_dir: str = setting(
        default="",
        title="Face model folder",
        description="Where the face model's files are; empty: where `make install` "
        "(python -m curator.install.face_model) puts them. `curator doctor` checks it.",
    )
    ray_address: str = setting(
        advanced=True,
        default="",
        title="Ray cluster",
        description="Run the technical, embed and describe stages on this Ray cluster: "
        "auto, host:6379 on one of its nodes, or ray://host:10001 from any computer "
        "(needs curator[studio]). Empty: on this computer.",
    )
    match_threshold: float = setting(
        default=70.0,
        ge=0.0,
        le=100.0,
        title="MATCH: how close to your taste",
        description="A photo whose preference score (0–100: how much it looks like the "
        "photos you kept and rated highly) reaches this gets the gold MATCH badge; kept "
        "and unrated, it goes out with the approved export. Higher: fewer, surer matches.",
    )
    match_approves_at: float = setting(
        default=0.5,
        ge=-1.0,
        le=1.0,
        title="MATCH approves at model quality",
        description="A kept, unrated MATCH counts as approved for export only when the "
        "taste model's held-out Spearman (curator status) is at least this, and the model "
        "is not early (20 decisions or more).",
    )
    burst_gap_s: float = setting(
        default=3.0,
        ge=0.1,
        le=60.0,
        title="Burst: longest pause between frames (s)",
        description="Frames shot further apart than this are never grouped as one burst "
        "(one stack in the grid, its best frame suggested).",
    )
    burst_min_cosine: float = setting(
        advanced=True,
        default=0.92,
        ge=0.5,
        le=1.0,
        title="Burst similarity",
        description="Cosine similarity of CLIP embeddings above which frames are a burst.",
    )
    burst_max_structure_distance: float = setting(
        advanced=True,
        default=0.25,
        ge=0.05,
        le=1.0,
        title="Burst structure distance",
        description=(
            "Frames whose exposure-independent structure differs by at most this much "
            "(0 = identical) are a burst or bracket, with or without CLIP embeddings."
        ),
    )
    shoot_kind: Literal["any", "people", "portrait", "event", "landscape", "sports"] = setting(
        default="any",
        title="Kind of shoot",
        description="What you mostly shoot: a burst's suggested best frame weighs smiles "
        "only where the kind values them (people, portrait, event, or any); for sports "
        "and landscape the sharpest face wins. `curator cull --propose` without --genre "
        "proposes for it, and Cull ▸ Propose… opens at it.",
    )
    pair_raw_jpeg: bool = setting(
        default=True,
        title="RAW+JPEG: one photo",
        description="A RAW and a JPEG with the same name in one folder (DSC0001.ARW + "
        "DSC0001.JPG) are one photo, as in Lightroom: one tile, and every rating, flag, "
        "label, tag and turn goes to both files. Off: two photos, each decided alone; "
        "turning it back on regroups them, no decision lost.",
    )
    pair_export: Literal["both", "raw", "jpeg"] = setting(
        default="both",
        title="RAW+JPEG: export",
        description="Which files of a RAW+JPEG photo an export copies: both (nothing "
        "you shot is left behind), only the RAW (to edit) or only the JPEG (to share). "
        "The export dialog asks each time, starting from this.",
    )
    backup_frequency: Literal["never", "daily", "weekly"] = setting(
        default="daily",
        title="Back up your decisions",
        description="On quit, at most this often: a verified copy of the catalog (every "
        "rating, flag, label and tag you gave). 'never' turns it off.",
    )
    backup_keep: int = setting(
        default=5,
        ge=1,
        le=100,
        title="Backups to keep",
        description="The newest this many backups are kept; older ones are removed.",
    )
    backup_folder: str = setting(
        default="",
        title="Backup folder",
        description="Where backups go; empty: a 'backups' folder beside the catalog. "
        "Another disk protects against losing this one.",
    )
    cache_folder: str = setting(
        default="",
        title="Previews folder",
        description="Where previews and thumbnails are kept; empty: your user cache folder. "
        "A studio points every seat at one folder on its shared drive, so one seat's import "
        "gives every seat its thumbnails.",
    )
    root_map: str = setting(
        default="",
        title="Shared drive roots (studio)",
        description="Where this seat finds a studio's shared drive, as CATALOG_ROOT="
        "THIS_SEAT_ROOT pairs separated by ';' (/Volumes/Studio=/mnt/studio): the catalog "
        "keeps paths under the first root, this seat opens them under its own, so one photo "
        "stays one photo. Empty: paths are used as they are.",
        check=_root_map_text,
    )
    taste: str = setting(
        default="",
        title="Taste model",
        description="Whose decisions the taste model learns from and the MATCH scores "
        "show: empty, everyone's (one person's own catalog, or a studio's shared taste); "
        "'mine', this seat's photographer's alone; or a photographer's login name "
        "(View ▸ Taste on a shared catalog).",
    )
    xmp_sidecar_names: Literal["auto", "lightroom", "darktable", "both"] = setting(
        default="auto",
        title="XMP sidecar names",
        description="Names of new sidecars `curator xmp write` and exports create: "
        "'lightroom' IMG_1.xmp, 'darktable' IMG_1.CR2.xmp (darktable reads a reject only "
        "there), 'both', or 'auto': the sidecars already beside the photo, else the "
        "folder's, else IMG_1.JPG.xmp (and IMG_1.xmp too for a RAW).",
    )
    xmp_darktable_one_star_is_rating: bool = setting(
        default=False,
        title="darktable's 1 star is a rating",
        description="darktable writes 1 star into every sidecar when it imports a photo "
        "(its default 'initial rating'), so Curator reads 1 star in a darktable sidecar "
        "as not rated. Turn this on if you rate with darktable's 1 star.",
    )
    advance_after_rating: bool = setting(
        default=False,
        title="Next photo after a rating",
        description="After 1–5 stars the loupe moves on to the next photo, as Auto Advance "
        "does in Lightroom and Photo Mechanic (P and X always move on in the cull pass).",
    )
    gallery_cell_size: int = setting(
        default=212,
        ge=120,
        le=420,
        title="Gallery cell size (px)",
        description="About how wide a gallery cell is (cells stretch so each row fills "
        "the grid); the slider in the status bar and Ctrl+= / Ctrl+- change it too.",
    )
    ingest_rename: str = setting(
        default="{original}",
        title="Ingest: file names",
        description="How an ingest names the copies: {date} (capture date, or the file's "
        "time; {date:%Y%m%d} picks the pattern), {time}, {seq} (a counter, {seq:4}: 4 "
        "digits), {camera}, {serial}, {original} (the card's name), {ext}. The file's "
        "extension always follows, so a RAW+JPEG pair keeps one name. The last one used "
        "in File ▸ Ingest from Card….",
        check=_ingest_template("rename"),
    )
    ingest_subfolder: str = setting(
        default="{date:%Y}/{date:%Y-%m-%d}",
        title="Ingest: folders",
        description="The folders an ingest puts the copies in, with the same tokens ({seq} "
        "and {ext} aside); / makes nested folders; empty: the destination itself.",
        check=_ingest_template("subfolder"),
    )
    ingest_destination: str = setting(
        default="",
        title="Ingest: destination",
        description="Where the last ingest copied to (File ▸ Ingest from Card… starts there).",
        form=False,
    )
    ingest_backup: str = setting(
        default="",
        title="Ingest: backup",
        description="Where the last ingest's backup went (empty: none).",
        form=False,
    )
    key_overrides: dict[str, str] = setting(  # noqa: RUF009 (a dataclasses.field)
        default_factory=dict,
        title="Keyboard shortcuts",
        description="Keys changed from the defaults, by action (File ▸ Keyboard Shortcuts…).",
        form=False,
    )


def clip_config(settings: Settings, *, allow_download: bool = False) -> ClipConfig:
    """The CLIP settings as the embedder takes them (ml reads no settings)."""
    from curator.ml.config import ClipConfig

    return ClipConfig(
        model_name=settings.clip_model,
        pretrained=settings.clip_pretrained,
        batch_size=settings.clip_batch_size,
        precision=settings.clip_precision,
        allow_download=allow_download,
    )


def embedding_model_id(settings: Settings) -> str:
    """The name stored with every vector these settings embed."""
    from curator.ml.config import model_id_for

    return model_id_for(clip_config(settings))
