"""Preview JPEGs decoded by the GPU's own decoder: the share of each batch the CPUs cannot feed.

Responsibility: beside a CUDA model, the loader's worker processes decode
about 100 previews a second each (Huffman decoding dominates, whatever the
DCT scale), which leaves a large model such as ViT-L-14 waiting. The loader
(`ml.clip_batches.BatchLoader`) therefore hands a share of each batch to this
module: its files' bytes are read on a thread (`read_for_gpu`), decoded in one
batched call by the GPU's JPEG decoder (torchvision's nvjpeg), resized with
an antialiased bicubic filter (Pillow's) and centre-cropped on the GPU
(`GpuDecoder.decode`), and go into the forward pass without ever coming back
to the host. The loader sizes the share from what it measures: more when the
model waited for the CPUs, less when it did not.

The pixels differ from the CPU path's (which decodes at the JPEG's DCT scale)
by about a grey level: on the fixtures' upright JPEGs and generated previews
the vectors agree with the CPU path's at cosine ≥ 0.9999 (measured: issue 48).

Invariants: importing this module imports neither torch nor torchvision; a
file the GPU should not decode as it is (not a JPEG, turned by its EXIF
orientation, CMYK, unreadable) is `None` from `read_for_gpu` and goes to the
CPU loader, which says why in a sentence if it fails there too; `decode`
raises the decoder's error for the whole call (the loader then decodes those
photos on the CPU).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PIL import Image

from curator.ml.clip_pixels import PixelPlan, resized_size

if TYPE_CHECKING:
    import torch

ORIENTATION = 0x0112  # EXIF: how the picture is turned
GPU_FILTERS = {int(Image.Resampling.BICUBIC): "bicubic", int(Image.Resampling.BILINEAR): "bilinear"}


def decodable(plan: PixelPlan) -> bool:
    """Whether the GPU can resize as the plan's transform does (bicubic, bilinear)."""
    return plan.resample in GPU_FILTERS


def read_for_gpu(path: str | os.PathLike[str], data: bytes | None = None) -> bytes | None:
    """The file's bytes when the GPU can decode them as they are: a baseline or
    progressive JPEG in RGB or grey, upright (no EXIF turn). Else None (the CPU
    loader takes the photo); never raises."""
    try:
        if data is None:
            with open(path, "rb") as handle:
                data = handle.read()
        if not data.startswith(b"\xff\xd8"):
            return None
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "JPEG" or image.mode not in ("RGB", "L"):
                return None
            if image.getexif().get(ORIENTATION, 1) != 1:
                return None
        return data
    except Exception:  # the CPU loader reads it again and says why
        return None


class GpuDecoder:
    """Decodes, resizes and crops JPEG bytes on `device` by `plan` (see the module docstring)."""

    def __init__(self, plan: PixelPlan, device: str) -> None:
        if not decodable(plan):
            raise ValueError("the GPU resizes only bicubic or bilinear transforms")
        self.plan, self.device = plan, device
        self._stream: torch.cuda.Stream | None = None

    def decode(self, datas: Sequence[bytes]) -> torch.Tensor:
        """(n, H, W, 3) uint8 crops on the device, in the order of `datas`. On CUDA
        the work runs on a stream of its own, beside the forward pass the model's
        stream is running; the model's stream waits for it before using the crops."""
        import torch

        if not self.device.startswith("cuda"):
            return self._decode(datas)
        if self._stream is None:
            self._stream = torch.cuda.Stream()
        model_stream = torch.cuda.current_stream()
        with torch.cuda.stream(self._stream):
            crops = self._decode(datas)
        model_stream.wait_stream(self._stream)
        crops.record_stream(model_stream)  # its memory is not reused before the model read it
        return crops

    def _decode(self, datas: Sequence[bytes]) -> torch.Tensor:
        import torch
        from torchvision.io import ImageReadMode, decode_jpeg

        encoded = [torch.frombuffer(bytearray(data), dtype=torch.uint8) for data in datas]
        images = decode_jpeg(encoded, mode=ImageReadMode.RGB, device=self.device)
        if isinstance(images, torch.Tensor):
            images = [images]
        crops: list[torch.Tensor | None] = [None] * len(images)
        by_size: dict[tuple[int, int], list[int]] = {}
        for index, image in enumerate(images):
            by_size.setdefault((int(image.shape[-2]), int(image.shape[-1])), []).append(index)
        for (height, width), indices in by_size.items():
            batch = self._crop(torch.stack([images[i] for i in indices]), height, width)
            for row, index in enumerate(indices):
                crops[index] = batch[row]
        return torch.stack([c for c in crops if c is not None]).permute(0, 2, 3, 1).contiguous()

    def _crop(self, batch: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """(n, 3, h, w) uint8 → resized (short side) and centre-cropped, uint8."""
        import torch

        new_w, new_h = resized_size(width, height, self.plan.short_side)
        pixels = batch.to(torch.float32)
        if (new_h, new_w) != (height, width):
            pixels = torch.nn.functional.interpolate(
                pixels,
                size=(new_h, new_w),
                mode=GPU_FILTERS[self.plan.resample],
                antialias=True,
                align_corners=False,
            )
        crop_h, crop_w = self.plan.crop
        top, left = round((new_h - crop_h) / 2.0), round((new_w - crop_w) / 2.0)
        pixels = pixels[..., top : top + crop_h, left : left + crop_w]
        return pixels.round_().clamp_(0, 255).to(torch.uint8)
