"""A second simulated photographer, written apart from `taste_world` (issue 32 §3).

`taste_world` draws every photo from one power-law spectrum and rates by
quintiles. This world is built differently, so a model tuned on one cannot
pass the other by accident:

- **Scenes on a low-rank semantic manifold.** Each scene's embedding is a
  shared direction (CLIP's mean cosine ~0.5) plus `SEMANTIC_RANK` strong
  semantic factors (scene content: people, place, light …) plus weak
  isotropic noise over all 768 dimensions; then normalised.
- **Frames within a scene** add a *moment* (expression, pose, gesture) along
  a few per-world moment directions, and sometimes a technical flaw: a blur
  direction with a small footprint in the embedding (CLIP sees blur, weakly).
- **Taste** is the photographer's liking of the semantic factors, the
  moment, and a strong dislike of flaws, plus idiosyncratic noise; stars come
  from fixed cut points (not quintiles: most frames are 2–3 stars, few 5s).
- **Decisions** as a two-pass culler does them: in the cull pass a 1–2 star
  frame is rejected (80 %) or kept, a 5 is picked (40 %); in the rating pass
  a kept frame gets its stars ± 1 (25 %). Only 70 % of the frames shown get a
  decision (people skip through bursts).
- **People** (`with_faces`): a share of frames show people; a key face has
  its eyes closed in 12 % of them — a frame this photographer always rejects
  — and a key face's sharpness follows the frame's blur. CLIP carries the
  blink only faintly (a small direction), the faces stage exactly
  (`faces`: closed eyes, every key face open, key face sharpness / 100,
  faces / 5, as `ml.taste` would append them).
- **Smiles** (`smiles`, issue 49 §4; needs `with_faces`): in a frame with
  people every key face smiles in `SMILE_SHARE` of them and looks at the
  camera in `LOOK_SHARE`, each frame drawn apart (a moment); this
  photographer likes a smile by `SMILE_BONUS` and a look at the camera by
  `LOOK_BONUS` (centred on their shares, so the stars keep their spread).
  CLIP carries each faintly (a small direction, like the blink); the faces
  stage's `smiling` and `all_at_camera` flags exactly (`faces`' last two columns).
  Drawn from a generator of their own: a world without smiles is the same
  world as before issue 49, its last two columns 0.

The held-out photos are scenes never decided; quality is the Spearman of a
model's predictions against the true utility.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curator.records import CullState, DecisionState

DIM = 768
SEMANTIC_RANK = 24
MOMENT_RANK = 4
CUTS = (-1.0, -0.25, 0.55, 1.3)  # utility → 1..5 stars
BLINK_SHARE = 0.12
BLINK_PENALTY = 2.5  # what a blink takes off the liking of a photographer who minds
SMILE_SHARE, LOOK_SHARE = 0.45, 0.6
SMILE_BONUS = 1.2  # what a smile adds to the liking of a photographer who likes smiles
LOOK_BONUS = 0.6  # and a look at the camera


@dataclass(frozen=True)
class World2:
    x: np.ndarray  # (n, d) float32 unit rows in capture order
    utility: np.ndarray  # (n,) the photographer's true liking
    stars: np.ndarray  # (n,) 1..5
    scene: np.ndarray  # (n,) scene ids
    faces: np.ndarray  # (n, 6) the faces stage's columns, as the catalog reads them
    test: np.ndarray  # held-out indices (scenes never decided)
    decided: np.ndarray  # the decided frames, in capture order


def world2(
    seed: int,
    *,
    scenes: int = 900,
    frames: tuple[int, int] = (1, 6),
    with_faces: bool = False,
    smiles: bool = False,
    noise: float = 0.35,
    d: int = DIM,
) -> World2:
    rng = np.random.default_rng(10_000 + seed)
    basis, _ = np.linalg.qr(rng.normal(size=(d, SEMANTIC_RANK + MOMENT_RANK + 3)))
    common = basis[:, 0]
    semantic = basis[:, 1 : 1 + SEMANTIC_RANK]
    moment_dirs = basis[:, 1 + SEMANTIC_RANK : 1 + SEMANTIC_RANK + MOMENT_RANK]
    blur_dir, blink_dir = basis[:, -2], basis[:, -1]
    like_semantic = rng.normal(size=SEMANTIC_RANK) * np.linspace(1.0, 0.2, SEMANTIC_RANK)
    like_moment = rng.normal(size=MOMENT_RANK)
    looks_rng = np.random.default_rng(30_000 + seed)  # smiles apart: the rest unchanged
    smile_dir, look_dir = (_orthogonal(looks_rng.normal(size=d), basis) for _ in range(2))
    rows, utility, scene_of, faces = [], [], [], []
    for s in range(scenes):
        content = rng.normal(size=SEMANTIC_RANK) * np.linspace(1.0, 0.3, SEMANTIC_RANK)
        people = with_faces and rng.random() < 0.7
        n_faces = int(rng.integers(1, 6)) if people else 0
        base_like = float(content @ like_semantic) / 4.0
        for _ in range(int(rng.integers(frames[0], frames[1] + 1))):
            moment = rng.normal(size=MOMENT_RANK)
            blurred = rng.random() < 0.15
            blink = people and rng.random() < BLINK_SHARE
            draws = looks_rng.random(2) if people and smiles else np.ones(2)
            smiling, looking = bool(draws[0] < SMILE_SHARE), bool(draws[1] < LOOK_SHARE)
            v = (
                0.7 * common
                + 0.55 * semantic @ content / np.sqrt(SEMANTIC_RANK)
                + 0.12 * moment_dirs @ moment
                + (0.10 if blurred else 0.0) * blur_dir
                + (0.04 if blink else 0.0) * blink_dir
                + (0.04 if smiling else 0.0) * smile_dir
                + (0.03 if looking else 0.0) * look_dir
                + rng.normal(size=d) * 0.012
            )
            rows.append(v / np.linalg.norm(v))
            u = (
                base_like
                + 0.35 * float(moment @ like_moment)
                - 1.2 * blurred
                - BLINK_PENALTY * blink
            )
            if people and smiles:
                u += SMILE_BONUS * (smiling - SMILE_SHARE) + LOOK_BONUS * (looking - LOOK_SHARE)
            utility.append(u + rng.normal() * noise)
            scene_of.append(s)
            sharp = rng.uniform(0.25, 0.45) if blurred else rng.uniform(0.6, 0.95)
            faces.append(  # the catalog's columns (catalog.people.store.face_columns)
                [
                    float(blink),
                    float(people and not blink),
                    sharp * 100 if people else np.nan,
                    n_faces,
                    float(smiling),
                    float(looking),
                ]
            )
    x = np.asarray(rows, dtype=np.float32)
    u = np.asarray(utility)
    stars = 1 + np.searchsorted(CUTS, u)
    scene = np.asarray(scene_of)
    test_scenes = rng.choice(scenes, size=scenes // 3, replace=False)
    is_test = np.isin(scene, test_scenes)
    shown = np.flatnonzero(~is_test)
    decided = shown[rng.random(len(shown)) < 0.7]
    return World2(
        x, u, stars, scene, np.asarray(faces, dtype=np.float32), np.flatnonzero(is_test), decided
    )


def _orthogonal(v: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """`v` with `basis`' columns taken out, unit length."""
    v = v - basis @ (basis.T @ v)
    return v / np.linalg.norm(v)


def decide(stars: int, rng: np.random.Generator) -> DecisionState:
    """What this culler records for a frame of `stars`."""
    if stars <= 2 and rng.random() < 0.8:
        return DecisionState(None, CullState.REJECTED, False)
    if stars == 5 and rng.random() < 0.4:
        return DecisionState(None, CullState.KEPT, True)
    rated = int(np.clip(stars + rng.choice([-1, 0, 0, 0, 0, 0, 0, 1]), 1, 5))
    return DecisionState(rated, CullState.KEPT, False)
