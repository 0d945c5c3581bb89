"""What the people tests share: a catalog with two people, grouped by the real
people step (`update_people`) from descriptors made near two centres.

`fill_people(db, ada=4, bob=2)`: `ada` new photos of one person (the first
two kept) and `bob` of another, one face each; the people step groups them.
Returns the photo ids by name ("ada0", "bob1"…). `put_faces(db, groups)`
does the same on photos already there (a real library's, with previews)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from peewee import Database

from curator.catalog.models import CullState, Photo
from curator.catalog.people.store import apply_faces
from curator.ml.faces.descriptor import MODEL, vector_bytes
from curator.records import EyeState, Face, FacesFound

DIMS = 128


def near(seed: int, count: int) -> list[np.ndarray]:
    """`count` unit vectors close to one random centre (one person's faces)."""
    centre = np.random.default_rng(seed).normal(size=DIMS)
    out = []
    for k in range(count):
        noise = np.random.default_rng(seed * 100 + k).normal(size=DIMS) / np.sqrt(DIMS)
        v = centre / np.linalg.norm(centre) + 0.5 * noise
        out.append((v / np.linalg.norm(v)).astype(np.float32))
    return out


def put_faces(db: Database, groups: Sequence[Sequence[int]]) -> None:
    """One face on each photo of each group, near that group's centre, then the
    people step: each group is one person."""
    from curator.pipeline.stages.people import update_people

    for seed, photos in enumerate(groups, start=1):
        for photo_id, vector in zip(photos, near(seed, len(photos)), strict=True):
            face = Face((0.3, 0.2, 0.3, 0.4), 300, True, EyeState.OPEN, None, 0.3, 80.0, True, 0.9)
            found = FacesFound(
                (face,), "v", descriptors=(vector_bytes(vector),), descriptor_model=MODEL
            )
            apply_faces(db, [(photo_id, found)])
    update_people(db)


def fill_people(db: Database, ada: int = 4, bob: int = 2) -> dict[str, int]:
    names = [f"ada{i}" for i in range(ada)] + [f"bob{i}" for i in range(bob)]
    ids = {
        name: int(Photo.create(path=f"/shoot/{name}.jpg".encode(), content_hash=name).id)
        for name in names
    }
    Photo.update(cull=CullState.KEPT.value).where(
        Photo.id.in_([ids["ada0"], ids["ada1"]])
    ).execute()
    put_faces(db, [[ids[n] for n in names[:ada]], [ids[n] for n in names[ada:]]])
    return ids
