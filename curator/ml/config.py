"""The CLIP configuration: which model, which weights, on which device, and the
name stored with every vector (`model_id_for`), without importing the model
stacks: the app needs the model id at start-up, and search, bursts and the
pipeline need the config. `settings.clip_config` makes one (ml never reads the
settings). The embedder's errors (`ModelUnavailable`, `EmbeddingFailed`) are
declared here so callers catch them without importing it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from curator.ml.precision import PRECISIONS

Device = Literal["auto", "cpu", "cuda", "mps"]
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
_CHECKPOINT_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors", ".ckpt", ".npz")
HUB_SCHEMAS = ("hf-hub:", "local-dir:")

ENV_MODEL = "CURATOR_CLIP_MODEL"
ENV_PRETRAINED = "CURATOR_CLIP_PRETRAINED"


@dataclass(frozen=True)
class ClipConfig:
    """Which CLIP to run and where; an immutable settings snapshot."""

    model_name: str = "ViT-L-14"
    # A pretrained tag from open_clip's registry ("openai", "laion2b_s32b_b82k")
    # or a path to a local checkpoint file.
    pretrained: str = "openai"
    device: Device = "auto"
    # Photos per forward pass; 0: chosen from the device (ml.clip_loading.auto_batch_size).
    batch_size: int = 0
    cache_dir: str | None = None  # where open_clip / Hugging Face keep downloads (None: theirs)
    # auto | fp32 | fp16 | bf16 (ml.precision has the rule; vectors are float32 whatever it is)
    precision: str = "auto"
    allow_download: bool = False  # let load() download missing weights (pull() always may)

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise ValueError(
                f"CLIP device must be one of {', '.join(DEVICES)}, not {self.device!r}."
            )
        if self.batch_size < 0:
            raise ValueError(
                f"CLIP batch size must be at least 1 (or 0: chosen from the device), "
                f"not {self.batch_size}."
            )
        if self.precision not in PRECISIONS:
            raise ValueError(
                f"CLIP precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}."
            )
        if not self.model_name.strip():
            raise ValueError("CLIP model name is empty.")


class ModelUnavailable(Exception):
    """The CLIP model cannot be made ready; `message` says what to do about it."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail  # the technical cause, for the error log


class EmbeddingFailed(Exception):
    """A forward pass failed (out of memory, a broken device); not a per-photo problem."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def is_checkpoint_path(pretrained: str) -> bool:
    """Whether `pretrained` names a file rather than a tag (tags have no slashes or suffixes)."""
    return (
        "/" in pretrained
        or "\\" in pretrained
        or pretrained.startswith(("~", "."))
        or pretrained.lower().endswith(_CHECKPOINT_SUFFIXES)
        or os.path.isfile(pretrained)
    )


def model_id_for(config: ClipConfig) -> str:
    """The name stored with every vector: "ViT-L-14/openai" or "ViT-L-14/<file name>"."""
    if config.model_name.startswith(HUB_SCHEMAS):
        return config.model_name
    if is_checkpoint_path(config.pretrained):
        return f"{config.model_name}/{Path(config.pretrained).name}"
    return f"{config.model_name}/{config.pretrained}"


def first_line(err: BaseException) -> str:
    """The first line of an error's text (its type's name when it has none)."""
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def load_failed_message(config: ClipConfig, err: BaseException) -> str:
    """Why the weights could not be loaded, and what to do."""
    return (
        f"The CLIP weights '{model_id_for(config)}' could not be loaded: {first_line(err)}. "
        f"The file may be damaged or made for another model than {config.model_name}; "
        f"run `curator models pull` or set {ENV_PRETRAINED} to a matching checkpoint file."
    )
