"""`queries.gallery_rows` reads its photos as column tuples (no model instance
per row): each GalleryRow field must still be its own column's value, with the
type the model gives it. Every column gets a distinct value here, so a field
read from the wrong position of the tuple shows."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from curator.catalog.backends.seat import current_seat
from curator.catalog.db import Catalog
from curator.catalog.models import Photo, PhotoFaces, Stage, StageRun, StageStatus, utcnow
from curator.catalog.proposals.store import write_proposals
from curator.catalog.queries import GalleryRow, gallery_rows, row_figures
from curator.records import FacesSummary, Proposal, ProposalReason, ProposalVerdict
from tests.scores import set_score


def test_every_field_of_a_gallery_row_is_its_own_column(catalog: Catalog) -> None:
    now = utcnow()
    photo = Photo.create(
        path=b"/shoot/a\x00tombstone",
        content_hash="h1",
        imported_at=now,
        captured_at=datetime(2024, 5, 6, 7, 8, 9),
        camera_make="Canon",
        camera_model="EOS R5",
        lens="RF 50mm",
        iso=800,
        exposure_time=0.004,
        f_number=1.8,
        focal_length=50.0,
        width=8192,
        height=5464,
        thumbnail_key="thumb-key",
        preview_key="preview-key",
        sharpness_score=61.0,
        exposure_score=72.0,
        cull="kept",
        rating=4,
        picked=True,
        highlight_clip=0.125,
        shadow_clip=0.25,
        burst_group=7,
        burst_best=True,
        missing_since=now,
        label="red",
        exposure_ev=-1.5,
        sharpness_note="motion blur",
        rotation=3,
    )
    set_score(photo.id, 83.0)
    PhotoFaces.create(
        photo=photo.id,
        faces=3,
        judged=2,
        key_faces=1,
        closed_eyes=True,
        soft_face=False,
        eyes_open=False,
        key_sharpness=41.5,
        version="faces-test",
    )
    StageRun.create(
        photo=photo.id,
        stage=Stage.TECHNICAL.value,
        status=StageStatus.FAILED.value,
        failure_reason="It failed.",
    )
    proposal = Proposal(photo.id, ProposalVerdict.REJECT, (ProposalReason.SHAKE,), 0.625, True)
    write_proposals(current_seat().user, [proposal])
    row = gallery_rows([photo.id])[photo.id]
    stored = Photo.get_by_id(photo.id)
    made = {"id", "file_name", "path", "camera", "picked", "failed_reason", "burst_best"}
    made |= {"missing", "rotation", "paired_with"}
    for field in fields(GalleryRow):
        if field.name in made:
            continue
        if field.name == "preference_score":  # its own table (schema v16)
            assert row.preference_score == 83.0 and type(row.preference_score) is float
            continue
        if field.name == "proposal":  # its own table (schema v23), this seat's
            assert row.proposal == proposal
            continue
        if field.name == "figures":  # the declared figures it has no field for, by name
            assert row.figures.pairs == tuple((n, getattr(stored, n)) for n in row_figures())
            assert len(row.figures.pairs) >= 4  # laplacian_var, noise_level, mean_luminance…
            continue
        if field.name == "client_heart":  # its own table (schema v32): no gallery holds it
            assert row.client_heart is False
            continue
        if field.name == "faces":  # its own table (schema v17)
            assert row.faces == FacesSummary(3, 2, 1, True, False, False, 41.5)
            continue
        value, expected = getattr(row, field.name), getattr(stored, field.name)
        assert value == expected and type(value) is type(expected), field.name
    assert (row.id, row.file_name, row.path) == (photo.id, "a", "/shoot/a")
    assert (row.camera, row.picked, row.burst_best, row.missing) == (
        "Canon EOS R5",
        True,
        True,
        True,
    )
    assert (row.rotation, row.failed_reason, row.paired_with) == (3, "It failed.", "")
