"""A third simulated photographer, the kind of world issue 41 §6 measured on.

Written apart from `taste_world` (one power-law spectrum around a common
direction, shot in bursts) and `taste_world2` (scenes on a low-rank manifold
around a strong common direction, a two-pass culler): here

- **Photos from latent factors.** Each photo is `FACTORS` (64) independent
  latent factors z ~ N(0, I) mapped into 768 dimensions by a random loading
  matrix, plus isotropic noise on every coordinate (`pixel_noise`, the
  part of an embedding no factor explains), then normalised to a unit
  vector. No shared direction by default: the photos' mean cosine is ~0
  (`common` adds one: 0.5 gives CLIP's ~0.5), so the centred rows spread
  by ~1, not by CLIP's ~0.5 — a scale the model must not read as "more
  penalty".
- **Every photo is its own scene** (no bursts, no near-duplicates).
- **Taste** is a linear liking of the latent factors (each factor liked by
  a N(0, 1) amount) plus idiosyncratic noise (`taste_noise`, in units of the
  liking's spread); the true rating is the liking's quintile, 1..5.
- **A noisy 1–5 rater** (`rate`): every decided photo gets explicit stars,
  the true ones moved by ±1 (each with probability `flip` / 2), clipped.

Quality is the Spearman of a model's predictions on `n_test` photos never
decided against their true liking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curator.records import CullState, DecisionState

DIM = 768
FACTORS = 64


@dataclass(frozen=True)
class World3:
    x: np.ndarray  # (n, d) float32 unit rows
    liking: np.ndarray  # (n,) the photographer's true liking
    stars: np.ndarray  # (n,) true rating 1..5 (quintiles of liking)
    decided: np.ndarray  # indices the rater goes through, in order
    test: np.ndarray  # held-out indices, never decided


def world3(
    seed: int,
    *,
    n: int = 3000,
    n_test: int = 1000,
    d: int = DIM,
    factors: int = FACTORS,
    pixel_noise: float = 0.5,
    taste_noise: float = 0.5,
    common: float = 0.0,
) -> World3:
    rng = np.random.default_rng(30_000 + seed)
    loading = rng.normal(size=(d, factors)) / np.sqrt(d)
    z = rng.normal(size=(n, factors))
    signal = z @ loading.T
    signal /= np.sqrt((signal**2).sum(axis=1).mean())
    noise = rng.normal(size=(n, d)) / np.sqrt(d)
    x = signal + pixel_noise * noise
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    if common > 0:
        shared = rng.normal(size=d)
        shared /= np.linalg.norm(shared)
        x = np.sqrt(common) * shared + np.sqrt(1 - common) * x
        x /= np.linalg.norm(x, axis=1, keepdims=True)
    like = rng.normal(size=factors)
    liking = z @ like
    liking = (liking - liking.mean()) / liking.std()
    liking += taste_noise * rng.normal(size=n)
    stars = 1 + np.searchsorted(np.quantile(liking, [0.2, 0.4, 0.6, 0.8]), liking)
    order = rng.permutation(n)
    return World3(x.astype(np.float32), liking, stars, order[n_test:], np.sort(order[:n_test]))


def rate(stars: int, rng: np.random.Generator, flip: float = 0.4) -> DecisionState:
    """The noisy rater: the true stars, one off with probability `flip`."""
    step = 0
    if rng.random() < flip:
        step = -1 if rng.random() < 0.5 else 1
    return DecisionState(int(np.clip(stars + step, 1, 5)), CullState.KEPT, False)
