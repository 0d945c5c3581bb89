"""A photo to the CLIP model's input pixels with Pillow alone: the loader's half of the transform.

Splits open_clip's validation transform into `prepare_pixels` (decode at DCT
scale, upright, RGB, resize, centre crop: (H, W, 3) uint8, no torch) and
`PixelPlan.mean` / `std`, applied per batch on the device
(`ClipEmbedder.embed_pixels`). uint8 is a quarter of float's bytes.

Invariants: `pixel_plan(transform)` returns a plan only for a transform it
recognises exactly (else None), and then gives the same numbers; importing
this module imports neither torch nor torchvision.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
from PIL import Image, ImageOps

from curator.imaging.cache import resized_size

Source = str | os.PathLike[str] | IO[bytes] | bytes


@dataclass(frozen=True)
class PixelPlan:
    """The loader's half of a recognised transform (see the module docstring)."""

    short_side: int  # the Resize: the short side to this many pixels (aspect kept)
    resample: int  # Pillow's resampling filter (Image.Resampling.BICUBIC for CLIP)
    crop: tuple[int, int]  # the CenterCrop: (height, width)
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    @property
    def min_edge(self) -> int:
        """The fewest pixels a side must keep when the JPEG decoder scales (`draft`)."""
        return max(self.short_side, *self.crop)


def load_for_clip(path: Source, min_edge: int) -> Image.Image:
    """Open an image as upright RGB, decoded no larger than needed for `min_edge` px.

    `draft` lets the JPEG decoder scale by 1/2, 1/4 or 1/8 while keeping both
    sides ≥ `min_edge`, which is all a CLIP transform (resize the short side,
    centre crop) will use; other formats ignore it.
    """
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    with Image.open(source) as image:
        image.draft("RGB", (min_edge, min_edge))
        upright = ImageOps.exif_transpose(image)
        return upright.convert("RGB")


def crop_pixels(image: Image.Image, plan: PixelPlan) -> np.ndarray:
    """An upright RGB image resized and centre-cropped by `plan`: (H, W, 3) uint8."""
    size = resized_size(image.width, image.height, plan.short_side)
    if size != image.size:
        image = image.resize(size, plan.resample)
    crop_h, crop_w = plan.crop
    top = round((image.height - crop_h) / 2.0)
    left = round((image.width - crop_w) / 2.0)
    if (crop_h, crop_w) != (image.height, image.width):
        image = image.crop((left, top, left + crop_w, top + crop_h))
    return np.asarray(image, dtype=np.uint8)


def prepare_pixels(source: Source, plan: PixelPlan) -> np.ndarray:
    """One photo's model pixels, (H, W, 3) uint8 (file path, open file or bytes)."""
    return crop_pixels(load_for_clip(source, plan.min_edge), plan)


def pixel_plan(transform: Any) -> PixelPlan | None:
    """The plan of an open_clip validation transform, or None when it is not
    exactly Resize(short side) → CenterCrop(≤ that) → to RGB → ToTensor → Normalize."""
    from torchvision import transforms as tv

    steps = list(getattr(transform, "transforms", ()))
    if len(steps) != 5:
        return None
    resize, crop, convert, to_tensor, normalize = steps
    if not (
        isinstance(resize, tv.Resize)
        and isinstance(crop, tv.CenterCrop)
        and isinstance(to_tensor, tv.ToTensor)
        and isinstance(normalize, tv.Normalize)
        and _converts_to_rgb(convert)
        and resize.max_size is None
    ):
        return None
    size = resize.size
    if isinstance(size, list | tuple):
        if len(size) != 1:
            return None
        size = size[0]
    crop_size = tuple(int(v) for v in crop.size)
    if len(crop_size) == 1:
        crop_size = (crop_size[0], crop_size[0])
    if not isinstance(size, int) or max(crop_size) > size:
        return None  # a crop larger than the resize pads: left to the transform itself
    resample = _pil_filter(resize.interpolation)
    if resample is None:
        return None
    mean, std = tuple(float(v) for v in normalize.mean), tuple(float(v) for v in normalize.std)
    if len(mean) != 3 or len(std) != 3:
        return None
    return PixelPlan(
        short_side=size,
        resample=resample,
        crop=(crop_size[0], crop_size[1]),
        mean=(mean[0], mean[1], mean[2]),
        std=(std[0], std[1], std[2]),
    )


def _converts_to_rgb(step: Any) -> bool:
    name = getattr(step, "__name__", type(step).__name__)
    if name == "MaybeConvertMode":
        return getattr(step, "mode", "RGB") == "RGB"
    return name == "_convert_to_rgb"


def _pil_filter(interpolation: Any) -> int | None:
    from torchvision.transforms import InterpolationMode

    table = {
        InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
        InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
        InterpolationMode.NEAREST: Image.Resampling.NEAREST,
        InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
        InterpolationMode.BOX: Image.Resampling.BOX,
        InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    }
    found = table.get(interpolation)
    return int(found) if found is not None else None
