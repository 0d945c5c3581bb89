"""Where CLIP runs and in what: the device, the precision, the input's dtype.

The torch-side half of `ml.precision`'s rule: pick the device for the settings'
choice, resolve the precision there, try the fresh model once so a precision
the machine refuses fails at load and not per batch (`try_one_forward`), read
the dtype the image tower computes in (`input_dtype`), and queue a forward pass
on a GPU (`queued_forward`: the next batch is prepared while this one runs).

Invariants: every function imports torch inside itself (`ml.embedder` imports
this module at start-up); every failure is a `ModelUnavailable` with a sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from curator.ml.config import ModelUnavailable, first_line

if TYPE_CHECKING:
    import numpy as np
    import torch


def pick_device(requested: str) -> str:
    """The torch device for a setting: "auto" means CUDA, else MPS, else CPU."""
    import torch

    mps = getattr(torch.backends, "mps", None)
    has_mps = bool(mps is not None and mps.is_available())
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ModelUnavailable(
            "CLIP is set to run on a CUDA GPU, but torch sees none here. "
            "Set the CLIP device to 'auto' or 'cpu'."
        )
    if requested == "mps" and not has_mps:
        raise ModelUnavailable(
            "CLIP is set to run on Apple's MPS, but it is not available here. "
            "Set the CLIP device to 'auto' or 'cpu'."
        )
    return requested


def input_dtype(model: Any) -> torch.dtype:
    """The dtype the image tower's own weights compute in: its first convolution's
    or linear layer's. Not the model's first parameter: open_clip's fp16/bf16
    keep some parameters (the positional embeddings) in float32."""
    import torch

    for module in model.visual.modules():
        if isinstance(module, torch.nn.Conv2d | torch.nn.Linear):
            dtype: torch.dtype = module.weight.dtype
            return dtype
    return next(model.visual.parameters()).dtype


def precision_for(requested: str, device: str) -> str:
    """The precision rule (`ml.precision`) on this device; ModelUnavailable with
    its sentence when the device cannot run what the settings ask."""
    import torch

    from curator.ml.precision import PrecisionUnavailable, resolve_precision

    cuda_bf16 = None
    if device == "cuda" and requested == "bf16":
        cuda_bf16 = bool(torch.cuda.is_bf16_supported())
    try:
        return resolve_precision(requested, device, cuda_bf16=cuda_bf16)
    except PrecisionUnavailable as err:
        raise ModelUnavailable(
            err.message, detail=f"precision={requested!r} device={device}"
        ) from None


def try_one_forward(model: Any, device: str, precision: str) -> None:
    """One image through the fresh model: a precision the device builds but cannot
    run fails here, once, with a sentence — not on every batch of photos."""
    import torch

    size = getattr(model.visual, "image_size", 224)
    height, width = (int(size[0]), int(size[1])) if isinstance(size, tuple) else (size, size)
    probe = torch.zeros((1, 3, height, width), device=device, dtype=input_dtype(model))
    try:
        with torch.inference_mode():
            model.encode_image(probe)
    except RuntimeError as err:
        raise ModelUnavailable(
            f"CLIP can't run in {precision} on {device} here ({first_line(err)}). "
            "Set CLIP precision to 'auto' or 'fp32'.",
            detail=repr(err),
        ) from err


def gpu_memory(device: str) -> int | None:
    if device != "cuda":
        return None
    import torch

    return int(torch.cuda.get_device_properties(0).total_memory)


def device_name(device: str) -> str:
    if device != "cuda":
        return ""
    import torch

    return str(torch.cuda.get_device_name(0))


def queued_forward(
    model: Any, make_input: Callable[[], torch.Tensor], kept: list[torch.Tensor]
) -> Callable[[], np.ndarray]:
    """Queue one forward pass on the GPU and return what waits for its unit vectors.

    The input (`make_input`: its bytes go up from the pinned buffers in `kept`),
    the forward pass, the normalisation and the copy of the vectors into pinned
    host memory are all queued on the current stream, and this returns at once:
    the caller prepares the next batch meanwhile. The wait raises the device's
    RuntimeError; `kept` is emptied once the queue has passed this batch."""
    import numpy as np
    import torch

    with torch.inference_mode():
        features = model.encode_image(make_input())
        rows = torch.nn.functional.normalize(features.float(), dim=-1)
        host = torch.empty(rows.shape, dtype=torch.float32, pin_memory=True)
        host.copy_(rows, non_blocking=True)
        done = torch.cuda.Event()
        done.record()

    def wait() -> np.ndarray:
        done.synchronize()
        kept.clear()
        return np.array(host.numpy(), dtype=np.float32, copy=True)

    return wait


def unit_rows(features: torch.Tensor) -> np.ndarray:
    """float32 rows of length 1 (normalised in float32, so fp16 models lose nothing here)."""
    import numpy as np
    import torch

    rows = torch.nn.functional.normalize(features.float(), dim=-1)
    return np.ascontiguousarray(rows.cpu().numpy(), dtype=np.float32)


def output_dim(model: Any) -> int:
    """How long the model's vectors are."""
    dim = getattr(model.visual, "output_dim", None)
    if isinstance(dim, int) and dim > 0:
        return dim
    projection = getattr(model, "text_projection", None)
    if projection is not None and hasattr(projection, "shape"):
        return int(projection.shape[-1])
    raise ModelUnavailable("The CLIP model does not say how long its vectors are.")
