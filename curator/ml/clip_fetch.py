"""Finding CLIP weights on this computer, and getting them there.

`resolve_weights` turns a `ClipConfig` into a model name and a local file
(the settings' checkpoint, or the cached file of a pretrained tag) plus the
tag's settings (OpenAI's weights need QuickGELU: for a checkpoint file use
`ViT-L-14-quickgelu`). `weights_status`, `weights_present` and
`model_unavailable_message` ask the file system alone (ml.weights).

Invariants: nothing downloads unless asked (`ClipEmbedder.pull`,
`ClipConfig.allow_download`): a missing file is a `ModelUnavailable` saying how
to get it, even offline; `download_probe` makes one bounded TCP connect first;
importing this module imports neither torch, open_clip nor huggingface_hub
(only a tag missing from `weights.KNOWN_TAGS` asks open_clip's registry).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from curator.ml.config import (
    ENV_MODEL,
    ENV_PRETRAINED,
    HUB_SCHEMAS,
    ClipConfig,
    ModelUnavailable,
    first_line,
    is_checkpoint_path,
    model_id_for,
)
from curator.ml.weights import (
    PROBE_TIMEOUT_S,
    Presence,
    cached_tag_file,
    hf_cached_snapshot,
    hf_endpoint,
    host_reachable,
    hub_offline_mode,
    tag_source,
)


def not_present_message(config: ClipConfig) -> str:
    """Weights not here, and nothing was tried: say how to get them."""
    return (
        f"The CLIP weights '{model_id_for(config)}' are not on this computer yet. "
        "Run `curator models pull` to download them, or set "
        f"{ENV_PRETRAINED} (the CLIP weights setting) to a checkpoint file you have."
    )


def download_failed_message(config: ClipConfig, err: BaseException) -> str:
    """A download was tried and failed."""
    return (
        f"The CLIP weights '{model_id_for(config)}' could not be downloaded: "
        f"{first_line(err)}. Check the connection and run `curator models pull` again, "
        f"or set {ENV_PRETRAINED} to a checkpoint file you have."
    )


def offline_message(config: ClipConfig, where: str) -> str:
    return (
        f"Can't reach {where} to download the CLIP weights '{model_id_for(config)}' "
        "(offline?). Connect to the internet and run `curator models pull` again, "
        f"or set {ENV_PRETRAINED} to a checkpoint file you have."
    )


def missing_file_message(config: ClipConfig, path: str) -> str:
    return (
        f"The CLIP checkpoint file '{path}' does not exist. Fix {ENV_PRETRAINED} "
        "(or the settings), or unset it to use the default weights."
    )


def hub_folder(config: ClipConfig, *, download: bool) -> str:
    """The cached snapshot folder of an "hf-hub:org/repo" model (config + weights)."""
    from huggingface_hub import snapshot_download

    repo_id = config.model_name.removeprefix("hf-hub:")
    patterns = ["open_clip_config.json", "*.safetensors", "*.bin", "*.json", "*.txt"]
    try:
        return str(
            snapshot_download(
                repo_id,
                cache_dir=config.cache_dir,
                allow_patterns=patterns,
                local_files_only=not download,
            )
        )
    except Exception as err:
        message = download_failed_message(config, err) if download else not_present_message(config)
        raise ModelUnavailable(message, detail=repr(err)) from err


def download_tag(config: ClipConfig, tag_cfg: Mapping[str, Any], *, progress: bool) -> str:
    from huggingface_hub.utils import (
        are_progress_bars_disabled,
        disable_progress_bars,
        enable_progress_bars,
    )
    from open_clip import pretrained as oc_pretrained

    was_disabled = are_progress_bars_disabled()
    if not progress:
        disable_progress_bars()
    try:
        path = oc_pretrained.download_pretrained(dict(tag_cfg), cache_dir=config.cache_dir)
    except Exception as err:  # network, offline hub, disk full, checksum: all one story
        raise ModelUnavailable(download_failed_message(config, err), detail=repr(err)) from err
    finally:
        if not progress and not was_disabled:
            enable_progress_bars()
    if not path or not os.path.isfile(path):
        raise ModelUnavailable(
            download_failed_message(config, FileNotFoundError("no file came back")),
            detail=f"download gave {path!r}",
        )
    return str(path)


@dataclass(frozen=True)
class WeightsStatus:
    """What the file system says about a config's weights (see `weights_status`)."""

    presence: Presence
    path: str | None = None  # the local weights file (or model folder) when present
    message: str = ""  # what to do, when absent


def weights_status(config: ClipConfig) -> WeightsStatus:
    """Present / absent / unknown, decided from the file system alone (no torch, no open_clip).

    Unknown only for a pretrained tag missing from `weights.KNOWN_TAGS`; only
    open_clip's registry can resolve it.
    """
    name = config.model_name
    if name.startswith("local-dir:"):
        folder = name.removeprefix("local-dir:")
        if os.path.isdir(folder):
            return WeightsStatus(Presence.PRESENT, folder)
        return WeightsStatus(
            Presence.ABSENT, message=f"The CLIP model folder '{folder}' does not exist."
        )
    if name.startswith("hf-hub:"):
        snapshot = hf_cached_snapshot(name.removeprefix("hf-hub:"), config.cache_dir)
        if snapshot is not None:
            return WeightsStatus(Presence.PRESENT, snapshot)
        return WeightsStatus(Presence.ABSENT, message=not_present_message(config))
    if is_checkpoint_path(config.pretrained):
        path = os.path.expanduser(config.pretrained)
        if os.path.isfile(path):
            return WeightsStatus(Presence.PRESENT, path)
        return WeightsStatus(Presence.ABSENT, message=missing_file_message(config, path))
    source = tag_source(name, config.pretrained)
    if source is None:
        return WeightsStatus(Presence.UNKNOWN)
    found = cached_tag_file(source.hf_hub, source.url_file, config.cache_dir)
    if found is not None:
        return WeightsStatus(Presence.PRESENT, found)
    return WeightsStatus(Presence.ABSENT, message=not_present_message(config))


@dataclass(frozen=True)
class ResolvedWeights:
    """What to hand open_clip: a model name and local weights, plus the tag's settings."""

    model_name: str  # a config name, or "local-dir:<folder>" for folder/hub models
    checkpoint: str | None  # a local weights file; None when the folder holds them
    tag_cfg: Mapping[str, Any]  # open_clip's pretrained config for a tag, {} otherwise


def _check_model_name(model_name: str) -> None:
    import open_clip

    if model_name.startswith(HUB_SCHEMAS):
        return
    known = open_clip.list_models()
    if model_name.replace("/", "-") not in known:
        examples = ", ".join(m for m in ("ViT-L-14", "ViT-B-32", "ViT-B-16") if m in known)
        raise ModelUnavailable(
            f"'{model_name}' is not a CLIP model open_clip knows (for example: {examples}). "
            f"Check {ENV_MODEL} or the settings.",
            detail=f"known models: {', '.join(known)}",
        )


def _tag_cfg(config: ClipConfig) -> Mapping[str, Any]:
    from open_clip import pretrained as oc_pretrained

    cfg = oc_pretrained.get_pretrained_cfg(config.model_name.replace("/", "-"), config.pretrained)
    if not cfg:
        tags = oc_pretrained.list_pretrained_tags_by_model(config.model_name.replace("/", "-"))
        raise ModelUnavailable(
            f"'{config.pretrained}' is neither a checkpoint file nor a pretrained tag of "
            f"{config.model_name} (known tags: {', '.join(tags) or 'none'}). "
            f"Check {ENV_PRETRAINED} or the settings.",
        )
    return dict(cfg)


def _cached_checkpoint(tag_cfg: Mapping[str, Any], cache_dir: str | None) -> str | None:
    """The local file of a tag's weights if a previous download left it in a cache, else None."""
    if file := tag_cfg.get("file"):
        return str(file) if os.path.isfile(file) else None
    url_file = os.path.basename(str(tag_cfg.get("url") or ""))
    return cached_tag_file(str(tag_cfg.get("hf_hub") or ""), url_file, cache_dir)


def resolve_weights(
    config: ClipConfig, *, download: bool, progress: bool = True
) -> ResolvedWeights:
    """Find (or, with `download`, fetch) the weights: what `ClipEmbedder.load` hands
    open_clip; raise ModelUnavailable."""
    if config.model_name.startswith("local-dir:"):
        folder = config.model_name.removeprefix("local-dir:")
        if not os.path.isdir(folder):
            raise ModelUnavailable(f"The CLIP model folder '{folder}' does not exist.")
        return ResolvedWeights(model_name=config.model_name, checkpoint=None, tag_cfg={})
    if config.model_name.startswith("hf-hub:"):
        folder = hub_folder(config, download=download)
        return ResolvedWeights(model_name=f"local-dir:{folder}", checkpoint=None, tag_cfg={})
    if is_checkpoint_path(config.pretrained):
        path = os.path.expanduser(config.pretrained)
        if not os.path.isfile(path):
            raise ModelUnavailable(
                missing_file_message(config, path), detail=f"pretrained={config.pretrained!r}"
            )
        return ResolvedWeights(model_name=config.model_name, checkpoint=path, tag_cfg={})
    _check_model_name(config.model_name)
    tag_cfg = _tag_cfg(config)
    found = _cached_checkpoint(tag_cfg, config.cache_dir)
    if found is None and download:
        found = download_tag(config, tag_cfg, progress=progress)
    if found is None:
        raise ModelUnavailable(not_present_message(config), detail=f"tag config: {tag_cfg}")
    return ResolvedWeights(model_name=config.model_name, checkpoint=found, tag_cfg=tag_cfg)


def model_unavailable_message(config: ClipConfig) -> str:
    """The sentence `load()` fails with when the weights are not here (skip reasons, doctor).

    From the file system alone, except for a tag unknown to `weights.KNOWN_TAGS`.
    """
    status = weights_status(config)
    if status.presence is Presence.ABSENT:
        return status.message
    if status.presence is Presence.UNKNOWN:
        try:
            resolve_weights(config, download=False)
        except ModelUnavailable as err:
            return err.message
    return not_present_message(config)  # present after all: say how to get them anyway


def weights_present(config: ClipConfig) -> bool:
    """Whether `load()` would find the weights without downloading.

    Decided from the file system (a checkpoint file, or the tag's file in the
    Hugging Face / open_clip cache) without importing torch or open_clip;
    only a tag missing from `weights.KNOWN_TAGS` falls back to open_clip's
    registry (which imports torch).
    """
    status = weights_status(config)
    if status.presence is not Presence.UNKNOWN:
        return status.presence is Presence.PRESENT
    try:
        resolve_weights(config, download=False)
    except ModelUnavailable:
        return False
    return True


def download_probe(config: ClipConfig, timeout_s: float = PROBE_TIMEOUT_S) -> str | None:
    """None when the weights' download source answers; else the one-line reason it does not.

    Cheap and bounded (one TCP connect, DNS included, within `timeout_s`); run
    it before anything that retries against an unreachable hub.
    """
    if hub_offline_mode():
        return (
            f"HF_HUB_OFFLINE is set, so the CLIP weights '{model_id_for(config)}' can't be "
            f"downloaded. Unset it and run `curator models pull`, or set {ENV_PRETRAINED} "
            "to a checkpoint file you have."
        )
    source = (
        None
        if config.model_name.startswith(HUB_SCHEMAS)
        else (tag_source(config.model_name, config.pretrained))
    )
    if source is not None and not source.hf_hub:
        return None  # a direct URL download (not in the default family); open_clip reports
    host, port = hf_endpoint()
    if host_reachable(host, port, timeout_s):
        return None
    return offline_message(config, host if port in (80, 443) else f"{host}:{port}")
