"""`ml.active.uncertain_order`: most uncertain first, without runs of look-alikes."""

from __future__ import annotations

import numpy as np

from curator.ml.active import uncertain_order
from curator.ml.taste import fit_taste


def _unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_the_order_is_a_permutation_led_by_the_least_certain() -> None:
    rng = np.random.default_rng(3)
    d = 32
    x = _unit(rng, 120, d)
    y = np.clip(np.round(3 + 2 * (x @ rng.normal(size=d))), 1, 5)
    model = fit_taste(x[:60], y[:60])
    cand = np.vstack([x[60:], _unit(rng, 1, d) * 4])  # the last one is far from everything
    order = uncertain_order(model, cand, head=10)
    assert sorted(order.tolist()) == list(range(len(cand)))
    assert order[0] == len(cand) - 1  # the outlier first
    assert order[0] == int(np.argmax(model.uncertainty(cand)))  # plain spread agrees on #1


def test_a_burst_of_look_alikes_does_not_fill_the_head() -> None:
    rng = np.random.default_rng(4)
    d = 32
    x = _unit(rng, 80, d)
    y = np.clip(np.round(3 + 2 * (x @ rng.normal(size=d))), 1, 5)
    model = fit_taste(x, y)
    odd = _unit(rng, 1, d)[0] * 3  # one unusual scene, shot as a burst of 8 frames
    burst = np.stack([odd + 0.01 * rng.normal(size=d) for _ in range(8)]).astype(np.float32)
    others = _unit(rng, 40, d) * 2
    cand = np.vstack([burst, others]).astype(np.float32)
    plain = np.argsort(-model.uncertainty(cand), kind="stable")[:8]
    greedy = uncertain_order(model, cand, head=8)[:8]
    in_burst = set(range(8))
    # Plain spread puts the whole burst first; the greedy order rates one frame
    # and moves on, since that frame's rating tells most of what the others would.
    assert len(set(plain.tolist()) & in_burst) >= 6
    assert greedy[0] in in_burst and len(set(greedy.tolist()) & in_burst) <= 2


def test_the_spread_that_counts_lies_along_the_main_directions() -> None:
    """Issue 20: on CLIP-like embeddings (variance in a few directions, a long
    weak tail) the plain spread asks about photos odd in the weak tail; the
    order asks about photos that vary along the main directions."""
    from tests.bench.taste_world import world

    w = world(0, n=600, burst_p=0.0, n_test=10)
    y = w.stars[:40].astype(float)
    model = fit_taste(w.x[:40], y)
    cand = w.x[40:]
    centred = cand - cand.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    strong = vt[:24]  # the pool's 24 strongest directions

    def main_share(rows: np.ndarray) -> float:
        picked = centred[rows]
        return float(((picked @ strong.T) ** 2).sum() / (picked**2).sum())

    plain = np.argsort(-model.uncertainty(cand), kind="stable")[:10]
    ours = uncertain_order(model, cand, head=10)[:10]
    assert main_share(ours) > 1.05 * main_share(plain)
