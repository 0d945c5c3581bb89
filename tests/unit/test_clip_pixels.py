"""The loader's half of CLIP's transform (ml.clip_pixels) gives exactly the model's own numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from curator.ml.clip_pixels import (
    PixelPlan,
    crop_pixels,
    load_for_clip,
    pixel_plan,
    prepare_pixels,
    resized_size,
)

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


def _transform(size: int = 224, resize_mode: str = "shortest"):  # type: ignore[no-untyped-def]
    from open_clip.transform import image_transform

    return image_transform(
        size, is_train=False, mean=OPENAI_MEAN, std=OPENAI_STD, resize_mode=resize_mode
    )


def _normalised(pixels: np.ndarray, plan: PixelPlan) -> np.ndarray:
    """What ClipEmbedder.embed_pixels does on the device, here in numpy float32."""
    import torch

    x = torch.from_numpy(pixels[None].copy()).permute(0, 3, 1, 2).to(torch.float32).div_(255.0)
    mean = torch.tensor(plan.mean).view(1, 3, 1, 1)
    std = torch.tensor(plan.std).view(1, 3, 1, 1)
    return x.sub_(mean).div_(std)[0].numpy()


def test_the_plan_of_clip_s_transform() -> None:
    plan = pixel_plan(_transform())
    bicubic = int(Image.Resampling.BICUBIC)
    assert plan == PixelPlan(224, bicubic, (224, 224), OPENAI_MEAN, OPENAI_STD)
    assert plan is not None and plan.min_edge == 224


def test_other_transforms_have_no_plan() -> None:
    assert pixel_plan(_transform(resize_mode="squash")) is None
    assert pixel_plan(_transform(resize_mode="longest")) is None
    assert pixel_plan(lambda image: image) is None


@pytest.mark.parametrize(
    "size", [(224, 224), (225, 1000), (1000, 225), (300, 224), (1440, 960), (961, 1441), (17, 3)]
)
def test_sizes_are_torchvision_s(size: tuple[int, int]) -> None:
    from torchvision.transforms.functional import _compute_resized_output_size

    width, height = size
    new_h, new_w = _compute_resized_output_size((height, width), [224])
    assert resized_size(width, height, 224) == (new_w, new_h)


def _real_photos(fixtures_dir: Path) -> list[Path]:
    jpegs = sorted((fixtures_dir / "jpeg").glob("*.jp*g")) + sorted(
        (fixtures_dir / "jpeg").glob("*.JP*G")
    )
    rotated = sorted((fixtures_dir / "jpeg" / "orientation").glob("*"))[:4]
    return jpegs[:8] + rotated


def test_pixels_then_batch_normalisation_equal_the_model_s_transform(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    transform = _transform()
    plan = pixel_plan(transform)
    assert plan is not None
    photos = _real_photos(fixtures_dir)
    odd = Image.fromarray(np.random.default_rng(3).integers(0, 256, (233, 1001, 3), np.uint8))
    odd.save(tmp_path / "odd.png")
    photos.append(tmp_path / "odd.png")
    assert len(photos) >= 10
    for photo in photos:
        ours = _normalised(prepare_pixels(photo, plan), plan)
        theirs = transform(load_for_clip(photo, plan.min_edge)).numpy()
        assert ours.shape == theirs.shape == (3, 224, 224), photo.name
        assert np.array_equal(ours, theirs), photo.name  # the same numbers, not close ones


def test_bytes_and_paths_give_the_same_pixels(fixtures_dir: Path) -> None:
    plan = pixel_plan(_transform())
    assert plan is not None
    photo = _real_photos(fixtures_dir)[0]
    assert np.array_equal(prepare_pixels(photo.read_bytes(), plan), prepare_pixels(photo, plan))


def test_a_square_image_of_the_crop_s_size_is_kept_as_it_is() -> None:
    plan = PixelPlan(224, int(Image.Resampling.BICUBIC), (224, 224), OPENAI_MEAN, OPENAI_STD)
    pixels = np.random.default_rng(0).integers(0, 256, (224, 224, 3), np.uint8)
    assert np.array_equal(crop_pixels(Image.fromarray(pixels), plan), pixels)
