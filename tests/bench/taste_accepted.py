"""A photographer who accepts Curator's proposals (issue 51 §5), on the taste
simulators of tests/bench/test_taste_bench.py.

Each simulated shoot (`Case`: the photos a photographer goes through, in order,
with what they would decide by hand) is culled the *Cull for me* way: Curator
proposes keep or reject for N photos, the photographer corrects 10 % of them by
hand (a decision of their own: stars, a pick or a reject) and accepts the rest
(Cull ▸ Accept the Rest: a proposed keep becomes *kept*, a proposed reject
*rejected*, logged with the pass `proposal`).

- The photographer's verdict on a photo is what their own decision says: a
  reject or 1–2 stars is a reject, anything else a keep.
- They correct the proposals they disagree with first (a random share of them
  when more than 10 % are wrong); when fewer are wrong, the rest of their 10 %
  are photos they decide by hand though they agree (they rate them).
- Two proposers, so both kinds of error are seen:
  - `checks`: the photographer's verdict flipped at random on 20 % of the
    photos (errors that have nothing to do with the picture's taste, as the
    technical checks' misses): half the wrong ones are corrected, the other
    10 % of the proposals are accepted although wrong;
  - `taste`: Curator's own taste model, trained on the photographer's first
    `SEED_DECISIONS` decisions by hand, rejecting its lowest-scored photos (as
    many as the photographer would reject): its errors lie along the picture,
    so accepting them teaches the model what it already believes — the drift
    issue 51 warns of.
- The training sets: the decisions by hand (the corrections, and with the
  `taste` proposer the first ones) at their labels (`ml.taste.label_for`),
  the accepted proposals at their labels times the weight under test; plain
  ridge (`Ridge(alpha=1)`) sees the decisions by hand alone.

Invariant: everything is drawn from the case's seed, so every weight is
measured on the same decisions, corrections and held-out photos (paired).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curator.ml.taste import KEPT_TARGET, KEPT_WEIGHT, REJECT_TARGET, fit_taste
from tests.bench.test_taste_bench import Case

CORRECTED = 0.10  # the share of proposals the photographer decides by hand
CHECK_ERRORS = 0.20  # the `checks` proposer's share of wrong verdicts
SEED_DECISIONS = 40  # decisions by hand before the `taste` proposer proposes
REJECT_ABOVE = 2.0  # a hand decision's target at or under this is a reject verdict


@dataclass(frozen=True)
class Culled:
    """One shoot culled by proposals: who decided what, row for row of `rows`."""

    rows: np.ndarray  # indices into the case's photos: hand decisions first
    y: np.ndarray
    weight: np.ndarray
    accepted: np.ndarray  # bool: an accepted proposal (else a decision by hand)
    wrong_accepted: int  # accepted proposals the photographer would have decided otherwise


def _verdicts(case: Case, idx: np.ndarray) -> np.ndarray:
    """True where the photographer's own decision on the photo is a reject."""
    return case.y[idx] <= REJECT_ABOVE


def _proposed_rejects(case: Case, seed_rows: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The `taste` proposer: its model's lowest-scored photos, as many as the
    photographer would reject among `idx`."""
    model = fit_taste(
        case.x[case.order[seed_rows]],
        case.y[seed_rows],
        case.weight[seed_rows],
        groups=case.scene[case.order[seed_rows]],
    )
    predicted = model.predict_rating(case.x[case.order[idx]])
    n_rejects = int(_verdicts(case, idx).sum())
    out = np.zeros(len(idx), dtype=bool)
    out[np.argsort(predicted, kind="stable")[:n_rejects]] = True
    return out


def cull_by_proposals(case: Case, n: int, proposer: str, seed: int) -> Culled:
    """The shoot's next `n` photos proposed by `proposer` ('checks' or 'taste'),
    10 % corrected by hand, the rest accepted (module docstring)."""
    rng = np.random.default_rng(seed + 51_000)
    first = np.arange(SEED_DECISIONS) if proposer == "taste" else np.arange(0)
    idx = np.arange(len(first), len(first) + n)  # positions in case.order
    truth = _verdicts(case, idx)
    if proposer == "checks":
        proposed = truth ^ (rng.random(n) < CHECK_ERRORS)
    elif proposer == "taste":
        proposed = _proposed_rejects(case, first, idx)
    else:
        raise ValueError(proposer)
    wrong = np.flatnonzero(proposed != truth)
    right = np.flatnonzero(proposed == truth)
    n_hand = round(CORRECTED * n)
    by_hand = rng.permutation(wrong)[:n_hand]
    if len(by_hand) < n_hand:
        by_hand = np.concatenate([by_hand, rng.permutation(right)[: n_hand - len(by_hand)]])
    hand = np.zeros(n, dtype=bool)
    hand[by_hand] = True
    accepted = idx[~hand]
    acc_reject = proposed[~hand]
    hand_rows = np.concatenate([first, idx[hand]])
    y = np.concatenate([case.y[hand_rows], np.where(acc_reject, REJECT_TARGET, KEPT_TARGET)])
    weight = np.concatenate([case.weight[hand_rows], np.where(acc_reject, 1.0, KEPT_WEIGHT)])
    is_accepted = np.concatenate([np.zeros(len(hand_rows), bool), np.ones(len(accepted), bool)])
    return Culled(
        np.concatenate([hand_rows, accepted]),
        y,
        weight,
        is_accepted,
        int((proposed != truth)[~hand].sum()),
    )
