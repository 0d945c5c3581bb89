"""A tiny CLIP for tests: real open_clip architecture, random weights, a real checkpoint file.

`make_tiny_checkpoint(folder)` registers the "tiny-clip" config with open_clip
(a 2-layer ViT on 32 px images with 16 px patches, a 2-layer text tower,
32-dim embeddings), builds it with seeded random weights and saves its
state dict, so tests drive the *real* loading code
(`ClipEmbedder(ClipConfig(model_name="tiny-clip", pretrained=path))`) with no
download and in well under a second. Imports torch: only import this module
from tests that need it.
"""

from __future__ import annotations

import json
from pathlib import Path

TINY_MODEL = "tiny-clip"
TINY_DIM = 32
TINY_IMAGE_SIZE = 32

TINY_CONFIG = {
    "embed_dim": TINY_DIM,
    "vision_cfg": {
        "image_size": TINY_IMAGE_SIZE,
        "patch_size": 16,
        "width": 64,
        "head_width": 32,  # 2 heads
        "layers": 2,
    },
    "text_cfg": {
        "context_length": 77,
        "vocab_size": 49408,
        "width": 64,
        "heads": 2,
        "layers": 2,
    },
}


def register_tiny_config(folder: Path) -> None:
    """Write tiny-clip.json into `folder` and add it to open_clip's model registry."""
    import open_clip

    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{TINY_MODEL}.json").write_text(json.dumps(TINY_CONFIG), encoding="utf-8")
    if TINY_MODEL not in open_clip.list_models():
        open_clip.add_model_config(folder)


def make_tiny_checkpoint(folder: Path, seed: int = 0) -> Path:
    """Register the tiny config and save a random-weight checkpoint; return its path."""
    import open_clip
    import torch

    register_tiny_config(folder)
    torch.manual_seed(seed)
    model = open_clip.create_model(TINY_MODEL, pretrained=None)
    path = folder / f"{TINY_MODEL}-seed{seed}.pt"
    torch.save(model.state_dict(), path)
    return path


def make_tiny_model_dir(folder: Path, seed: int = 0) -> Path:
    """The same tiny CLIP as an open_clip model folder (open_clip_config.json and
    its weights), for `CURATOR_CLIP_MODEL=local-dir:<folder>`: a process that
    never registered the config (a Ray worker, a CLI subprocess) loads it too."""
    import open_clip
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    config = {"model_cfg": TINY_CONFIG, "preprocess_cfg": {}}
    (folder / "open_clip_config.json").write_text(json.dumps(config), encoding="utf-8")
    register_tiny_config(folder / "config")
    torch.manual_seed(seed)
    model = open_clip.create_model(TINY_MODEL, pretrained=None)
    torch.save(model.state_dict(), folder / "open_clip_pytorch_model.bin")
    return folder
