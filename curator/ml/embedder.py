"""CLIP image and text embeddings (open-clip-torch), loaded lazily, never downloaded by surprise.

L2-normalised float32 vectors from one CLIP model (CUDA, MPS, then CPU).
Weights and their download (`ClipEmbedder.pull`) are ml.clip_fetch's.

Invariants:
- importing this module imports neither torch nor open_clip; `load()` does;
- loading fails only as `ModelUnavailable`, a forward pass as `EmbeddingFailed`;
- vectors are float32 (n, dim), normalised whatever the precision
  (ml.precision), all stored under one model id; the input takes the image
  tower's dtype (`input_dtype`); an impossible precision fails at `load()`;
- `load()` is idempotent and locked; one model per process per (file, device,
  precision); `shared_embedder(config)` shares one embedder per configuration;
  passes run under `torch.inference_mode()`, so threads may share it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from curator.ml.clip_device import (
    device_name,
    gpu_memory,
    input_dtype,
    output_dim,
    pick_device,
    precision_for,
    queued_forward,
    try_one_forward,
    unit_rows,
)
from curator.ml.clip_fetch import (
    ResolvedWeights,
    download_probe,
    model_unavailable_message,
    resolve_weights,
    weights_present,
    weights_status,
)
from curator.ml.config import (
    ClipConfig,
    EmbeddingFailed,
    ModelUnavailable,
    first_line,
    is_checkpoint_path,
    load_failed_message,
    model_id_for,
)
from curator.ml.weights import Presence

if TYPE_CHECKING:
    # numpy too: loaded by the methods that already run the model, so asking
    # whether the weights are here (`weights_present`) loads neither.
    import numpy as np
    import torch
    from PIL import Image

    from curator.ml.clip_loading import LoaderPlan
    from curator.ml.clip_pixels import PixelPlan

# This module's own names, and the weights' checks other rooms ask it for.
__all__ = ["ClipEmbedder", "model_unavailable_message", "shared_embedder", "weights_present"]

_TEXT_CHUNK = 256


_registry_lock = threading.Lock()
# weights key (see `_weights_key`) → the first embedder that loaded those weights
_loaded_models: dict[tuple[object, ...], ClipEmbedder] = {}
# a configuration (allow_download aside) → the session's embedder for it
_shared: dict[ClipConfig, ClipEmbedder] = {}
_loading: dict[tuple[object, ...], threading.Lock] = {}  # weights key → held while loading


def shared_embedder(config: ClipConfig) -> ClipEmbedder:
    """The session's one `ClipEmbedder` for `config` (not loaded yet, cheap to call).

    Call `load()` (or any embedding method) on a worker: it imports torch
    the first time. Its model is the one any other embedder of the same
    weights in this process already loaded, so asking twice never loads twice.
    """
    key = replace(config, allow_download=False)
    with _registry_lock:
        embedder = _shared.get(key)
        if embedder is None:
            embedder = _shared[key] = ClipEmbedder(key)
    return embedder


def _weights_key(resolved: ResolvedWeights, device: str, precision: str) -> tuple[object, ...]:
    """What makes two loads the same model: the weights (and the file's version), the
    device and the precision."""
    stamp: tuple[int, int] | None = None
    if resolved.checkpoint is not None:
        try:
            st = os.stat(resolved.checkpoint)
            stamp = (st.st_size, st.st_mtime_ns)
        except OSError:
            stamp = None
    tag = tuple(sorted((str(k), repr(v)) for k, v in resolved.tag_cfg.items()))
    return (resolved.model_name, resolved.checkpoint, stamp, tag, device, precision)


class ClipEmbedder:
    """One CLIP model: `load()` once, then embed images and texts into unit vectors."""

    def __init__(self, config: ClipConfig | None = None) -> None:
        self.config = config or ClipConfig()
        self._lock = threading.Lock()
        self._model: Any = None
        self._preprocess: Any = None
        self._tokenizer: Any = None
        self._open_clip_name = self.config.model_name
        self._device = ""
        self._dtype: torch.dtype | None = None
        self._dim = 0
        self._input_size: tuple[int, int] = (0, 0)
        self._pixel_plan: PixelPlan | None = None

    # -- loading ---------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> ClipEmbedder:
        """Build the model from local weights (idempotent); raise ModelUnavailable."""
        with self._lock:
            if self._model is None:
                self._load_locked()
        return self

    def _load_locked(self) -> None:
        config = self.config
        try:
            import open_clip  # noqa: F401  (imports torch; a broken install is said here)
        except ImportError as err:  # a broken install, not a user error, but say so plainly
            raise ModelUnavailable(
                "CLIP needs torch and open-clip-torch, which are not installed correctly.",
                detail=repr(err),
            ) from err
        resolved = resolve_weights(config, download=config.allow_download)
        device = pick_device(config.device)
        precision = precision_for(config.precision, device)
        key = _weights_key(resolved, device, precision)
        with _registry_lock:
            loading = _loading.setdefault(key, threading.Lock())
        with loading:  # a second load of the same weights waits for the first, then adopts
            with _registry_lock:
                twin = _loaded_models.get(key)
            if twin is not None and twin is not self:  # loaded already: one model per process
                self._tokenizer = twin._tokenizer
                self._adopt(twin._model, twin._preprocess, twin._device, twin._open_clip_name)
                return
            self._build(config, resolved, device, precision, key)

    def _build(
        self,
        config: ClipConfig,
        resolved: ResolvedWeights,
        device: str,
        precision: str,
        key: tuple[object, ...],
    ) -> None:
        import open_clip

        tag = resolved.tag_cfg
        kwargs: dict[str, Any] = {}
        if tag:
            kwargs = {
                "force_quick_gelu": bool(tag.get("quick_gelu", False)),
                "image_mean": tag.get("mean"),
                "image_std": tag.get("std"),
                "image_interpolation": tag.get("interpolation"),
                "image_resize_mode": tag.get("resize_mode"),
            }
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(
                resolved.model_name,
                pretrained=resolved.checkpoint,
                precision=precision,
                device=device,
                cache_dir=config.cache_dir,
                **kwargs,
            )
        except ModelUnavailable:
            raise
        except Exception as err:  # corrupt file, wrong architecture, hub/network, CUDA...
            raise ModelUnavailable(load_failed_message(config, err), detail=repr(err)) from err
        try_one_forward(model, device, precision)
        self._adopt(model, preprocess, device, resolved.model_name)
        with _registry_lock:
            _loaded_models.setdefault(key, self)

    @classmethod
    def from_model(
        cls, config: ClipConfig, model: Any, preprocess: Any, device: str = "cpu"
    ) -> ClipEmbedder:
        """Wrap an open_clip model built elsewhere (benchmarks with random weights, tests).

        `model` must already be on `device`; the catalog must never receive
        vectors from such a model under a real `model_id`.
        """
        embedder = cls(config)
        embedder._adopt(model, preprocess, device, config.model_name)
        return embedder

    def _adopt(self, model: Any, preprocess: Any, device: str, open_clip_name: str) -> None:
        from curator.ml.clip_pixels import pixel_plan

        model.eval()
        self._dtype = input_dtype(model)
        self._preprocess = preprocess
        self._pixel_plan = pixel_plan(preprocess)
        self._open_clip_name = open_clip_name
        self._device = device
        self._dim = output_dim(model)
        size = getattr(model.visual, "image_size", 224)
        self._input_size = (int(size[0]), int(size[1])) if isinstance(size, tuple) else (size, size)
        self._model = model  # last: `loaded` turns true only when everything is set

    def pull(self, progress: bool = True) -> str:
        """Download the weights into the cache (visible progress); return the local file.

        Weights already here return at once (no torch import); an unreachable
        hub is a `ModelUnavailable` within the probe's timeout, before any retry.
        """
        status = weights_status(self.config)
        if status.presence is Presence.PRESENT and status.path is not None:
            return status.path
        if status.presence is Presence.ABSENT and is_checkpoint_path(self.config.pretrained):
            raise ModelUnavailable(status.message)
        if self.config.model_name.startswith("local-dir:"):
            raise ModelUnavailable(status.message)
        if offline := download_probe(self.config):
            raise ModelUnavailable(offline, detail="reachability probe failed")
        resolved = resolve_weights(self.config, download=True, progress=progress)
        return resolved.checkpoint or resolved.model_name.removeprefix("local-dir:")

    # -- facts -------------------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        return model_id_for(self.config)

    @property
    def batch_size(self) -> int:
        """Photos per forward pass: the settings' number, or (0) the device's own."""
        if self.config.batch_size:
            return self.config.batch_size
        return self.loader_plan().batch_size

    @property
    def precision(self) -> str:
        """What the image tower computes in: "fp32", "fp16" or "bf16" (read from the model)."""
        self.load()
        return {"torch.float16": "fp16", "torch.bfloat16": "bf16"}.get(str(self._dtype), "fp32")

    @property
    def pixel_plan(self) -> PixelPlan | None:
        """The loader's half of the model's transform (`ml.clip_pixels`), or None
        when the transform is not one it recognises (the model's own runs per photo)."""
        self.load()
        return self._pixel_plan

    def loader_plan(self) -> LoaderPlan:
        """How `embed_files` feeds this model on this machine (`ml.clip_loading`)."""
        from curator.ml.clip_loading import plan_loader

        self.load()
        return plan_loader(
            self._device,
            self.config.batch_size,
            pixels=self._pixel_plan is not None,
            gpu_memory=gpu_memory(self._device),
        )

    def describe(self) -> str:
        """Where and in what this model runs, in a sentence (doctor, `models bench`)."""
        from curator.ml.precision import describe

        self.load()
        return describe(self._device, self.precision, device_name(self._device))

    @property
    def dim(self) -> int:
        """Length of a vector, read from the loaded model (768 for ViT-L-14)."""
        self.load()
        return self._dim

    @property
    def device(self) -> str:
        self.load()
        return self._device

    @property
    def input_size(self) -> tuple[int, int]:
        """(height, width) of the model's input, for decoding no more pixels than needed."""
        self.load()
        return self._input_size

    # -- embedding ---------------------------------------------------------------------------

    def preprocess(self, image: Image.Image) -> torch.Tensor:
        """The model's own validation transform: a (3, H, W) float tensor on the CPU."""
        self.load()
        tensor: torch.Tensor = self._preprocess(image)
        return tensor

    def embed_tensors(self, batch: torch.Tensor | Sequence[torch.Tensor]) -> np.ndarray:
        """Unit vectors (n, dim) float32 for preprocessed images, a batch or a list of them."""
        import numpy as np
        import torch

        self.load()
        if not isinstance(batch, torch.Tensor):
            if len(batch) == 0:
                return np.zeros((0, self._dim), dtype=np.float32)
            batch = torch.stack(list(batch))
        if batch.shape[0] == 0:
            return np.zeros((0, self._dim), dtype=np.float32)
        return self._forward(lambda: batch.to(self._device, dtype=self._dtype), batch.shape[0])

    def prepare_input(self, batch: torch.Tensor) -> torch.Tensor:
        """A preprocessed batch moved to the device in the model's dtype (`embed_prepared`)."""
        self.load()
        return batch.to(self._device, dtype=self._dtype)

    def embed_prepared(self, batch: torch.Tensor) -> np.ndarray:
        """Unit vectors for a batch already on the device in the model's dtype: the
        model alone, what `models bench` calls the bare model."""
        return self.launch_prepared(batch)()

    def launch_prepared(self, batch: torch.Tensor) -> Callable[[], np.ndarray]:
        """`embed_prepared` queued on a GPU (as `launch_pixels`); elsewhere run here."""
        self.load()
        if self.queues_work:
            return self._launch_on_gpu(lambda: batch, batch.shape[0], [])
        vectors = self._forward(lambda: batch, batch.shape[0])
        return lambda: vectors

    def embed_pixels(self, pixels: np.ndarray) -> np.ndarray:
        """Unit vectors (n, dim) float32 for (n, H, W, 3) uint8 crops (`ml.clip_pixels`):
        moved to the device as bytes, then normalised there as one batch in float32
        (the numbers the model's own transform gives), then cast to the model's dtype."""
        return self.launch_pixels(pixels)()

    @property
    def queues_work(self) -> bool:
        """Whether `launch_pixels` returns before the forward pass is done (on CUDA:
        the work is queued on the GPU), so the caller can prepare the next batch
        while this one runs (`clip_batches.embed_files`)."""
        return self._device == "cuda"

    def launch_pixels(self, pixels: np.ndarray) -> Callable[[], np.ndarray]:
        """Start the forward pass of a batch of uint8 crops; the returned call waits
        for its unit vectors. On CUDA the bytes go up from pinned memory, the
        normalisation, the forward pass and the vectors' way back are queued on the
        GPU, and this returns at once; elsewhere the vectors are computed here.
        Both raise `EmbeddingFailed` with the device's sentence."""
        import numpy as np
        import torch

        self.load()
        plan = self._pixel_plan
        if plan is None:
            raise ValueError("this model's transform has no pixel plan: use embed_tensors")
        if pixels.shape[0] == 0:
            empty = np.zeros((0, self._dim), dtype=np.float32)
            return lambda: empty
        kept: list[torch.Tensor] = []  # pinned buffers stay alive until their copy is done

        def to_input() -> torch.Tensor:
            array = np.ascontiguousarray(pixels)
            raw = torch.from_numpy(array if array.flags.writeable else array.copy())
            if self._device == "cuda":
                kept.append(raw.pin_memory())
                raw = kept[-1].to(self._device, non_blocking=True)
            else:
                raw = raw.to(self._device)
            mean = torch.tensor(plan.mean, device=self._device).view(1, 3, 1, 1)
            std = torch.tensor(plan.std, device=self._device).view(1, 3, 1, 1)
            x = raw.permute(0, 3, 1, 2).to(torch.float32).div_(255.0)
            return x.sub_(mean).div_(std).to(self._dtype)

        if not self.queues_work:
            vectors = self._forward(to_input, pixels.shape[0])
            return lambda: vectors
        return self._launch_on_gpu(to_input, pixels.shape[0], kept)

    def _launch_on_gpu(
        self, make_input: Callable[[], torch.Tensor], count: int, kept: list[torch.Tensor]
    ) -> Callable[[], np.ndarray]:
        try:
            wait = queued_forward(self._model, make_input, kept)
        except RuntimeError as err:
            raise self._failed(err, count) from err

        def collect() -> np.ndarray:
            try:
                return wait()
            except RuntimeError as err:
                raise self._failed(err, count) from err

        return collect

    def _failed(self, err: RuntimeError, count: int) -> EmbeddingFailed:
        return EmbeddingFailed(
            f"The CLIP model failed on a batch of {count} images on "
            f"{self._device}: {first_line(err)}. A smaller batch size may help.",
            detail=repr(err),
        )

    def _forward(self, make_input: Callable[[], torch.Tensor], count: int) -> np.ndarray:
        import torch

        try:
            with torch.inference_mode():
                return unit_rows(self._model.encode_image(make_input()))
        except RuntimeError as err:
            raise self._failed(err, count) from err

    def embed_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        """Unit vectors (n, dim) float32 for PIL images, run in batches of `batch_size`."""
        import numpy as np

        self.load()
        parts = [np.zeros((0, self._dim), dtype=np.float32)]
        step = self.batch_size
        for start in range(0, len(images), step):
            chunk = images[start : start + step]
            parts.append(self.embed_tensors([self.preprocess(image) for image in chunk]))
        return np.concatenate(parts)

    def embed_text(self, text: str) -> np.ndarray:
        """One phrase's unit vector (dim,) float32: a search query."""
        vector: np.ndarray = self.embed_texts([text])[0]
        return vector

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (n, dim) float32 for phrases, comparable with image vectors (search).

        Same model as the images; the tokenizer (`open_clip.get_tokenizer` of
        the model's name) is made on first use and kept with the embedder.
        """
        import numpy as np
        import torch

        self.load()
        if self._tokenizer is None:
            import open_clip

            try:
                tokenizer = open_clip.get_tokenizer(
                    self._open_clip_name, cache_dir=self.config.cache_dir
                )
            except Exception as err:
                raise ModelUnavailable(
                    f"The text tokenizer of '{self.model_id}' could not be loaded.",
                    detail=repr(err),
                ) from err
            self._tokenizer = tokenizer
        parts = [np.zeros((0, self._dim), dtype=np.float32)]
        for start in range(0, len(texts), _TEXT_CHUNK):
            tokens = self._tokenizer(list(texts[start : start + _TEXT_CHUNK]))
            try:
                with torch.inference_mode():
                    parts.append(unit_rows(self._model.encode_text(tokens.to(self._device))))
            except RuntimeError as err:
                raise EmbeddingFailed(
                    f"The CLIP text encoder failed on {self._device}: {first_line(err)}.",
                    detail=repr(err),
                ) from err
        return np.concatenate(parts)
