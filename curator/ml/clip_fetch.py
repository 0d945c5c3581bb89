"""Getting CLIP weights onto this computer: the download and its sentences.

Responsibility: download a pretrained tag's file or a Hugging Face model folder
(only when asked: `ClipEmbedder.pull`, or `ClipConfig.allow_download`), and
word what the user reads when the weights are missing, could not be fetched
or cannot be reached. `ml.embedder` decides *when*; this module only does it.

Invariant: importing this module imports neither torch, open_clip nor
huggingface_hub (each function imports what it needs).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from curator.ml.config import ENV_PRETRAINED, ClipConfig, ModelUnavailable, first_line, model_id_for


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
