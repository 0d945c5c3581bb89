"""An independent simulated photo world for the taste model (issue 20 §4).

Not the world the model was tuned on (the old bench's near-rank-48
embeddings): 768-d unit vectors with a CLIP-like eigen-spectrum — a common
direction every photo shares (CLIP ViT-L/14 image embeddings sit at a mean
cosine of ~0.5 to each other) plus variance spread over *all* 768 directions
with a power-law decay (λ_k ∝ k^-1, the shape measured on CLIP features), in
a random basis. A photographer's hidden taste is a direction weighted
towards the strong (semantic) directions plus idiosyncratic noise; their
true rating is its quintile (1..5). Shot the way people shoot: in capture
order, each photo is with probability `burst_p` another frame of the
previous scene (the same embedding and taste plus a little noise).

They decide like a culler (`decision`): a 1 is a reject, a 5 is a pick half
the time, the rest get stars with a little rating noise. `subtle` worlds
make taste a weaker function of the picture (more idiosyncratic noise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curator.records import CullState, DecisionState

DIM = 768
MEAN_COSINE = 0.5


@dataclass(frozen=True)
class World:
    x: np.ndarray  # (n, d) float32 unit rows, in capture order
    pref: np.ndarray  # (n,) hidden preference
    stars: np.ndarray  # (n,) true rating 1..5
    scene: np.ndarray  # (n,) scene id (a burst's frames share one)
    test: np.ndarray  # indices of held-out photos: distinct scenes, never decided


def world(
    seed: int,
    n: int = 3000,
    d: int = DIM,
    *,
    burst_p: float = 0.6,
    taste_noise: float = 0.5,
    n_test: int = 1000,
) -> World:
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.normal(size=(d, d)))
    spectrum = 1.0 / np.arange(1, d + 1)
    spectrum /= spectrum.sum()
    common = rng.normal(size=d)
    common /= np.linalg.norm(common)
    # Variance total 1 - c² around a common direction of length c: cos ≈ c² / 1.
    c = np.sqrt(MEAN_COSINE)
    spread = np.sqrt(1 - MEAN_COSINE)
    coords = rng.normal(size=(n, d)) * np.sqrt(spectrum) * spread
    x = c * common + coords @ basis.T
    taste_coords = rng.normal(size=d) * spectrum**0.25
    taste = basis @ taste_coords
    pref = coords @ basis.T @ taste
    pref = (pref - pref.mean()) / pref.std()
    pref += taste_noise * rng.normal(size=n)
    scene = np.arange(n)
    test = np.sort(rng.choice(n, n_test, replace=False))
    is_test = np.zeros(n, bool)
    is_test[test] = True
    for i in range(1, n):
        if not is_test[i] and not is_test[i - 1] and rng.random() < burst_p:
            x[i] = x[i - 1] + 0.02 * rng.normal(size=d)
            pref[i] = pref[i - 1] + 0.05 * rng.normal()
            scene[i] = scene[i - 1]
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    stars = 1 + np.searchsorted(np.quantile(pref, [0.2, 0.4, 0.6, 0.8]), pref)
    return World(x, pref, stars, scene, test)


def decision(true_stars: int, rng: np.random.Generator) -> DecisionState:
    if true_stars == 1:
        return DecisionState(None, CullState.REJECTED, False)
    if true_stars == 5 and rng.random() < 0.5:
        return DecisionState(None, CullState.KEPT, True)
    noisy = int(np.clip(true_stars + rng.choice([-1, 0, 0, 0, 1]), 1, 5))
    return DecisionState(noisy, CullState.KEPT, False)


def decided_order(w: World, seed: int) -> np.ndarray:
    """The photos a user decides, in capture order from a random start (a
    rating pass walks the shoot: burst siblings come one after another)."""
    rest = np.setdiff1d(np.arange(len(w.x)), w.test)
    start = np.random.default_rng(seed + 7).integers(0, len(rest))
    return np.roll(rest, -start)
