"""One typed settings registry.

`Settings` is a frozen dataclass: one field per setting, each with its title,
description and bounds (`_setting`), so the settings dialog is generated from
this one list. Values come from, in increasing precedence: the defaults below,
the JSON settings file (`AppPaths.settings_file`), and `CURATOR_<FIELD>`
environment variables (e.g. `CURATOR_DECODE_WORKERS=4`). A `Settings`
instance is immutable: workers receive it as a snapshot.

Validation is pydantic's (`validate`): its coercion (an environment variable's
text to a number), its bounds and its messages, each named by field. The
pydantic model is built from the fields below on first need — a value that is
already of its declared type and within its bounds (a settings file Curator
wrote) is taken as is, so the window's start-up imports no pydantic (~100 ms
CPU, issue 21 §1); anything else (text to coerce, out of bounds, unknown
words) goes through pydantic and gets exactly its answer.

Fields marked `form=False` are edited elsewhere (the keyboard page, the
gallery's size slider), not in the generated dialog; `form_fields()` lists
the others. `save_changes` writes just the named keys into the file (the rest
of the file untouched, so a value that came from an environment variable is
not made permanent by it).
"""

from __future__ import annotations

import inspect
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args, get_origin, get_type_hints

if TYPE_CHECKING:
    from pydantic import BaseModel

    from curator.ml.config import ClipConfig


def _default_workers() -> int:
    """one per core, at most 4"""
    return max(1, min(4, (os.cpu_count() or 2)))


class SettingsError(Exception):
    """The settings file or an environment override is invalid."""


class InvalidSettings(SettingsError):
    """Values pydantic refused: `problems` is (location, message) per error, the
    location's first part the field's name."""

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]):
        self.problems = problems
        text = "; ".join(f"{'.'.join(str(p) for p in loc)}: {msg}" for loc, msg in problems)
        super().__init__(f"Invalid setting — {text}")


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


def _setting(
    *,
    title: str,
    description: str,
    default: Any = None,
    default_factory: Callable[[], Any] | None = None,
    ge: float | None = None,
    le: float | None = None,
    form: bool = True,
    check: Callable[[Any], Any] | None = None,
) -> Any:
    """One setting: a dataclass field whose metadata the dialog and the
    validator read (`check` normalises or refuses a value, as a pydantic
    field validator does)."""
    meta: dict[str, Any] = {"title": title, "description": description, "ge": ge, "le": le}
    meta |= {"form": form, "check": check}
    if default_factory is not None:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """The settings snapshot (immutable: workers receive it as is)."""

    decode_workers: int = _setting(
        default_factory=_default_workers,
        ge=1,
        le=64,
        title="Decode workers",
        description="Child processes that read, decode and measure files in parallel.",
    )
    preview_long_edge: int = _setting(
        default=1440,
        ge=320,
        le=8192,
        title="Preview size (px)",
        description="Long edge of the cached JPEG preview shown in the loupe.",
    )
    thumbnail_long_edge: int = _setting(
        default=320,
        ge=64,
        le=1024,
        title="Thumbnail size (px)",
        description="Long edge of the cached gallery thumbnail.",
    )
    max_image_megapixels: int = _setting(
        default=250,
        ge=10,
        le=2000,
        title="Largest image (MP)",
        description="Images declaring more pixels are refused as possible decompression bombs.",
    )
    max_attempts: int = _setting(
        default=3,
        ge=1,
        le=10,
        title="Attempts per stage",
        description="How often a transient failure (I/O error, crashed decoder) is retried.",
    )
    decode_timeout_s: float = _setting(
        default=120.0,
        ge=5.0,
        le=3600.0,
        title="Decode timeout (s)",
        description="A decoder that takes longer on one file is stopped and the file failed.",
    )
    ollama_url: str = _setting(
        default="http://localhost:11434",
        title="Ollama URL",
        description="Where the local Ollama server answers (describe stage).",
    )
    llm_model: str = _setting(
        default="ollama/llava",
        title="Vision LLM",
        description="Model for descriptions: 'llava', 'llava:13b', or any instructor "
        "provider string such as 'ollama/llava' or 'openai/gpt-4o-mini'.",
    )
    llm_base_url: str = _setting(
        default="",
        title="OpenAI-compatible server",
        description="Leave empty for Ollama. Otherwise the URL of an OpenAI-compatible "
        "server (LM Studio http://localhost:1234/v1, llama.cpp server "
        "http://localhost:8080/v1, vLLM http://localhost:8000/v1); the Vision LLM "
        "setting is then the model name that server knows.",
    )
    llm_json_mode: str = _setting(
        default="schema",
        title="Structured output",
        description="'schema': the server enforces the description's JSON schema "
        "(Ollama 0.5+, LM Studio, vLLM); 'prompt': the schema goes in the prompt and the "
        "answer is read from the text, for servers that reject response_format. Curator "
        "switches to 'prompt' by itself when a server refuses the schema.",
        check=_known_json_mode,
    )
    llm_concurrency: int = _setting(
        default=1,
        ge=1,
        le=8,
        title="LLM requests at once",
        description="Descriptions requested in parallel (1 suits one local GPU).",
    )
    clip_model: str = _setting(
        default="ViT-L-14",
        title="CLIP model",
        description="open_clip architecture used for embeddings and semantic search.",
    )
    clip_pretrained: str = _setting(
        default="openai",
        title="CLIP weights",
        description="open_clip pretrained tag (e.g. 'openai', 'laion2b_s32b_b82k') or a "
        "checkpoint file path.",
    )
    clip_auto_download: bool = _setting(
        default=True,
        title="Download CLIP weights",
        description="When the weights are missing and the internet is reachable, the first "
        "embedding downloads them into your cache (with progress).",
    )
    clip_batch_size: int = _setting(
        default=0,
        ge=0,
        le=512,
        title="CLIP batch size",
        description="Photos per forward pass of the embedding model; 0 lets Curator choose "
        "from the device (64 on a GPU, 16 on a CPU).",
    )
    clip_precision: Literal["auto", "fp32", "fp16", "bf16"] = _setting(
        default="auto",
        title="CLIP precision",
        description="The numbers CLIP computes in. 'auto': fp16 on an NVIDIA GPU, bf16 on a "
        "CPU with native bf16 (about twice fp32's speed there), fp32 elsewhere. The vectors "
        "agree with fp32's whatever you choose, so photos embedded on different computers "
        "stay comparable. `curator doctor` says which one runs here.",
    )
    faces_enabled: bool = _setting(
        default=True,
        title="Judge faces",
        description="Find the faces in every photo and judge their eyes (open or closed) "
        "and their focus, on the photo's preview, on this computer (CLOSED EYES and SOFT "
        "FACE badges; a burst's best frame prefers everyone's eyes open). A face verdict "
        "never rejects or stars a photo: you decide.",
    )
    people_recognition: bool = _setting(
        default=True,
        title="Recognise people",
        description="Tell people apart by their faces (a descriptor of each judged face, "
        "computed on this computer), so photos group by person and you name each person "
        "once. Descriptors stay in the catalog: never exported, never in a sidecar, a log "
        "or a listing. Off: no descriptor is computed, and the next import (or `curator "
        "people`) deletes every stored descriptor, person and name, as `curator people "
        "forget` does. Eyes and focus are still judged.",
    )
    face_model_dir: str = _setting(
        default="",
        title="Face model folder",
        description="Where the face model's files are; empty: where `make install` "
        "(python -m curator.install.face_model) puts them. `curator doctor` checks it.",
    )
    ray_address: str = _setting(
        default="",
        title="Ray cluster",
        description="Run the technical, embed and describe stages on this Ray cluster: "
        "auto, host:6379 on one of its nodes, or ray://host:10001 from any computer "
        "(needs curator[studio]). Empty: on this computer.",
    )
    match_threshold: float = _setting(
        default=70.0,
        ge=0.0,
        le=100.0,
        title="MATCH: how close to your taste",
        description="A photo whose preference score (0–100: how much it looks like the "
        "photos you kept and rated highly) reaches this gets the gold MATCH badge; kept "
        "and unrated, it goes out with the approved export. Higher: fewer, surer matches.",
    )
    match_approves_at: float = _setting(
        default=0.5,
        ge=-1.0,
        le=1.0,
        title="MATCH approves at model quality",
        description="A kept, unrated MATCH counts as approved for export only when the "
        "taste model's held-out Spearman (curator status) is at least this, and the model "
        "is not early (20 decisions or more).",
    )
    burst_gap_s: float = _setting(
        default=3.0,
        ge=0.1,
        le=60.0,
        title="Burst: longest pause between frames (s)",
        description="Frames shot further apart than this are never grouped as one burst "
        "(one stack in the grid, its best frame suggested).",
    )
    burst_min_cosine: float = _setting(
        default=0.92,
        ge=0.5,
        le=1.0,
        title="Burst similarity",
        description="Cosine similarity of CLIP embeddings above which frames are a burst.",
    )
    burst_max_structure_distance: float = _setting(
        default=0.25,
        ge=0.05,
        le=1.0,
        title="Burst structure distance",
        description=(
            "Frames whose exposure-independent structure differs by at most this much "
            "(0 = identical) are a burst or bracket, with or without CLIP embeddings."
        ),
    )
    shoot_kind: Literal["any", "people", "portrait", "event", "landscape", "sports"] = _setting(
        default="any",
        title="Kind of shoot",
        description="What you mostly shoot: a burst's suggested best frame weighs smiles "
        "only where the kind values them (people, portrait, event, or any); for sports "
        "and landscape the sharpest face wins. `curator cull --propose` without --genre "
        "proposes for it, and Cull ▸ Propose… opens at it.",
    )
    pair_raw_jpeg: bool = _setting(
        default=True,
        title="RAW+JPEG: one photo",
        description="A RAW and a JPEG with the same name in one folder (DSC0001.ARW + "
        "DSC0001.JPG) are one photo, as in Lightroom: one tile, and every rating, flag, "
        "label, tag and turn goes to both files. Off: two photos, each decided alone; "
        "turning it back on regroups them, no decision lost.",
    )
    pair_export: Literal["both", "raw", "jpeg"] = _setting(
        default="both",
        title="RAW+JPEG: export",
        description="Which files of a RAW+JPEG photo an export copies: both (nothing "
        "you shot is left behind), only the RAW (to edit) or only the JPEG (to share). "
        "The export dialog asks each time, starting from this.",
    )
    backup_frequency: Literal["never", "daily", "weekly"] = _setting(
        default="daily",
        title="Back up your decisions",
        description="On quit, at most this often: a verified copy of the catalog (every "
        "rating, flag, label and tag you gave). 'never' turns it off.",
    )
    backup_keep: int = _setting(
        default=5,
        ge=1,
        le=100,
        title="Backups to keep",
        description="The newest this many backups are kept; older ones are removed.",
    )
    backup_folder: str = _setting(
        default="",
        title="Backup folder",
        description="Where backups go; empty: a 'backups' folder beside the catalog. "
        "Another disk protects against losing this one.",
    )
    cache_folder: str = _setting(
        default="",
        title="Previews folder",
        description="Where previews and thumbnails are kept; empty: your user cache folder. "
        "A studio points every seat at one folder on its shared drive, so one seat's import "
        "gives every seat its thumbnails.",
    )
    root_map: str = _setting(
        default="",
        title="Shared drive roots (studio)",
        description="Where this seat finds a studio's shared drive, as CATALOG_ROOT="
        "THIS_SEAT_ROOT pairs separated by ';' (/Volumes/Studio=/mnt/studio): the catalog "
        "keeps paths under the first root, this seat opens them under its own, so one photo "
        "stays one photo. Empty: paths are used as they are.",
        check=_root_map_text,
    )
    taste: str = _setting(
        default="",
        title="Taste model",
        description="Whose decisions the taste model learns from and the MATCH scores "
        "show: empty, everyone's (one person's own catalog, or a studio's shared taste); "
        "'mine', this seat's photographer's alone; or a photographer's login name "
        "(View ▸ Taste on a shared catalog).",
    )
    xmp_sidecar_names: Literal["auto", "lightroom", "darktable", "both"] = _setting(
        default="auto",
        title="XMP sidecar names",
        description="Names of new sidecars `curator xmp write` and exports create: "
        "'lightroom' IMG_1.xmp, 'darktable' IMG_1.CR2.xmp (darktable reads a reject only "
        "there), 'both', or 'auto': the sidecars already beside the photo, else the "
        "folder's, else IMG_1.JPG.xmp (and IMG_1.xmp too for a RAW).",
    )
    xmp_darktable_one_star_is_rating: bool = _setting(
        default=False,
        title="darktable's 1 star is a rating",
        description="darktable writes 1 star into every sidecar when it imports a photo "
        "(its default 'initial rating'), so Curator reads 1 star in a darktable sidecar "
        "as not rated. Turn this on if you rate with darktable's 1 star.",
    )
    advance_after_rating: bool = _setting(
        default=False,
        title="Next photo after a rating",
        description="After 1–5 stars the loupe moves on to the next photo, as Auto Advance "
        "does in Lightroom and Photo Mechanic (P and X always move on in the cull pass).",
    )
    gallery_cell_size: int = _setting(
        default=212,
        ge=120,
        le=420,
        title="Gallery cell size (px)",
        description="About how wide a gallery cell is (cells stretch so each row fills "
        "the grid); the slider in the status bar and Ctrl+= / Ctrl+- change it too.",
    )
    ingest_rename: str = _setting(
        default="{original}",
        title="Ingest: file names",
        description="How an ingest names the copies: {date} (capture date, or the file's "
        "time; {date:%Y%m%d} picks the pattern), {time}, {seq} (a counter, {seq:4}: 4 "
        "digits), {camera}, {serial}, {original} (the card's name), {ext}. The file's "
        "extension always follows, so a RAW+JPEG pair keeps one name. The last one used "
        "in File ▸ Ingest from Card….",
        check=_ingest_template("rename"),
    )
    ingest_subfolder: str = _setting(
        default="{date:%Y}/{date:%Y-%m-%d}",
        title="Ingest: folders",
        description="The folders an ingest puts the copies in, with the same tokens ({seq} "
        "and {ext} aside); / makes nested folders; empty: the destination itself.",
        check=_ingest_template("subfolder"),
    )
    ingest_destination: str = _setting(
        default="",
        title="Ingest: destination",
        description="Where the last ingest copied to (File ▸ Ingest from Card… starts there).",
        form=False,
    )
    ingest_backup: str = _setting(
        default="",
        title="Ingest: backup",
        description="Where the last ingest's backup went (empty: none).",
        form=False,
    )
    key_overrides: dict[str, str] = _setting(  # noqa: RUF009 (a dataclasses.field)
        default_factory=dict,
        title="Keyboard shortcuts",
        description="Keys changed from the defaults, by action (File ▸ Keyboard Shortcuts…).",
        form=False,
    )


@dataclass(frozen=True)
class FieldSpec:
    """What the dialog and the validator know of one setting."""

    name: str
    annotation: Any  # the declared type, evaluated (int, float, Literal[...], ...)
    default: Any
    default_factory: Callable[[], Any] | None
    title: str
    description: str
    ge: float | None
    le: float | None
    form: bool
    check: Callable[[Any], Any] | None

    @property
    def choices(self) -> tuple[str, ...]:
        """The words a `Literal` setting allows (empty for the others)."""
        return get_args(self.annotation) if get_origin(self.annotation) is Literal else ()


def _specs() -> dict[str, FieldSpec]:
    hints = get_type_hints(Settings)
    out = {}
    for f in fields(Settings):
        m = f.metadata
        factory = f.default_factory if callable(f.default_factory) else None
        default = None if factory is not None else f.default
        out[f.name] = FieldSpec(
            f.name, hints[f.name], default, factory, m["title"], m["description"],
            m["ge"], m["le"], m["form"], m["check"],
        )  # fmt: skip
    return out


FIELDS: dict[str, FieldSpec] = _specs()


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
        "clip_precision",
        "ray_address",
        "burst_min_cosine",
        "burst_max_structure_distance",
    }
)


def form_fields() -> list[str]:
    """The settings the generated dialog edits (not those with a page of their own)."""
    return [name for name, spec in FIELDS.items() if spec.form]


_ASK = object()  # "pydantic decides": the value may need coercing, or be invalid
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")  # plain ASCII digits: what float() and pydantic agree on
_BOOL_TEXT = {"0": False, "1": True, "false": False, "true": True}


def _plain_value(spec: FieldSpec, value: Any) -> Any:
    """The value pydantic would return for `value` when that is plain to see:
    exactly the declared type (or an environment variable's digits or
    true/false) within the bounds, a word the field allows. `_ASK` otherwise,
    which only means "ask pydantic" (it may coerce or refuse)."""
    kind = spec.annotation
    if spec.choices:
        return value if type(value) is str and value in spec.choices else _ASK
    if kind is bool:
        if type(value) is str:
            return _BOOL_TEXT.get(value, _ASK)
        return value if type(value) is bool else _ASK
    if kind is int or kind is float:
        if type(value) is str and _NUMBER.fullmatch(value):
            value = int(value) if kind is int and value.isdigit() else float(value)
        if type(value) is not int and not (kind is float and type(value) is float):
            return _ASK
        inside = (spec.ge is None or value >= spec.ge) and (spec.le is None or value <= spec.le)
        return kind(value) if math.isfinite(value) and inside else _ASK
    if kind is str:
        if type(value) is not str:
            return _ASK
        try:
            return value if spec.check is None or spec.check(value) == value else _ASK
        except ValueError:
            return _ASK
    if get_origin(kind) is dict and type(value) is dict:
        plain = all(type(k) is str and type(v) is str for k, v in value.items())
        return dict(value) if plain else _ASK
    return _ASK


@cache
def pydantic_model() -> type[BaseModel]:
    """The pydantic model of `Settings` (built once, on the first value to check)."""
    from pydantic import AfterValidator, ConfigDict, Field, create_model

    definitions: dict[str, Any] = {}
    for name, spec in FIELDS.items():
        kind = spec.annotation
        if spec.check is not None:  # as a field validator: after the type's own check
            kind = Annotated[kind, AfterValidator(spec.check)]
        kw: dict[str, Any] = {"title": spec.title, "description": spec.description}
        kw |= {k: v for k, v in (("ge", spec.ge), ("le", spec.le)) if v is not None}
        if spec.default_factory is not None:
            definitions[name] = (kind, Field(default_factory=spec.default_factory, **kw))
        else:
            definitions[name] = (kind, Field(default=spec.default, **kw))
    model: type[BaseModel] = create_model(
        "Settings",
        __config__=ConfigDict(frozen=True, extra="ignore"),
        **definitions,
    )
    return model


def validate(values: dict[str, Any]) -> Settings:
    """`values` (unknown names ignored) over the defaults, checked: InvalidSettings
    (pydantic's messages, by field) if any is not a valid setting."""
    plain = {name: _plain_value(FIELDS[name], v) for name, v in values.items() if name in FIELDS}
    if all(value is not _ASK for value in plain.values()):
        return Settings(**plain)
    from pydantic import ValidationError

    try:
        checked = pydantic_model()(**values)
    except ValidationError as exc:
        problems = [(tuple(err["loc"]), str(err["msg"])) for err in exc.errors()]
        raise InvalidSettings(problems) from exc
    return Settings(**{name: getattr(checked, name) for name in FIELDS})


def _read_file(settings_file: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(settings_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"The settings file {settings_file} can't be read: {exc}") from exc
    if not isinstance(loaded, dict):
        raise SettingsError(f"The settings file {settings_file} must hold a JSON object.")
    return loaded


def load_settings(settings_file: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Build the settings snapshot from file and environment; raise SettingsError if invalid."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    if settings_file is not None and settings_file.exists():
        values.update(_read_file(settings_file))
    values.update({name: env[env_name(name)] for name in FIELDS if env_name(name) in env})
    return validate(values)


def env_name(name: str) -> str:
    """The environment variable that overrides setting `name` (CURATOR_NAME)."""
    return f"CURATOR_{name.upper()}"


def env_overrides(env: dict[str, str] | None = None) -> dict[str, str]:
    """The settings an environment variable sets ({field: "CURATOR_FIELD"})."""
    env = dict(os.environ) if env is None else env
    return {name: env_name(name) for name in FIELDS if env_name(name) in env}


def settings_markdown() -> str:
    """The docs site's settings reference (docs/reference/settings.md), from `FIELDS`:
    a section per setting (a computed default is its function's docstring)."""
    out = []
    for name, s in FIELDS.items():
        f = s.default_factory
        shown = f.__doc__ if inspect.isfunction(f) else f"`{json.dumps(f() if f else s.default)}`"
        facts = [f"default {shown}"] + ([f"{s.ge:g} to {s.le:g}"] if s.ge is not None else [])
        facts += ["one of " + ", ".join(f"`{c}`" for c in s.choices)] if s.choices else []
        where = "*Advanced settings*" if name in ADVANCED else "the dialog" if s.form else ""
        facts += [f"`{env_name(name)}`"] + ([f"in {where}"] if where else ["not in the dialog"])
        out += [f"## {name}", "", f"**{s.title}.** {s.description}", "", " · ".join(facts), ""]
    return "\n".join(out)


def save_changes(settings_file: Path, changes: dict[str, Any]) -> None:
    """Write only `changes` into the settings file, keeping what it already holds.

    The Settings dialog's OK: a value that came from an environment override
    (or any field the user did not touch) is never written. A change back to
    the default removes the field from the file. Validated before writing
    (SettingsError, nothing written), as is a file that is not a settings object.
    """
    values = {**(_read_file(settings_file) if settings_file.exists() else {}), **changes}
    try:
        checked = validate(values)
    except InvalidSettings as exc:
        raise SettingsError(f"Invalid setting — {exc.problems[0][1]}") from exc
    defaults = Settings()
    kept = {
        name: getattr(checked, name)
        for name in values
        if name in FIELDS and getattr(checked, name) != getattr(defaults, name)
    }
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = settings_file.with_name(settings_file.name + ".tmp")
    tmp.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, settings_file)


def save_settings(settings_file: Path, settings: Settings) -> None:
    """Write the settings that differ from the defaults, atomically (temp + rename)."""
    defaults = Settings()
    changed = {
        name: value for name, value in asdict(settings).items() if value != getattr(defaults, name)
    }
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = settings_file.with_name(settings_file.name + ".tmp")
    tmp.write_text(json.dumps(changed, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, settings_file)


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
