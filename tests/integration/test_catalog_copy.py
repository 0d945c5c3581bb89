"""`curator catalog copy SOURCE DEST` (issue 34 §1): a whole catalog from a
SQLite file to PostgreSQL and back keeps every photo, decision (the log with
its undo chains and seats), description, tag, project, embedding, taste
model and score, face and XMP record, and every photographer's proposals
(issue 51 §4); verified by counts and hashes; a non-empty destination is
refused unless --replace; the copy goes on working (new ids after the copied
ones, text search, undo, each photographer accepting their own proposals)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from curator.catalog import decisions, projects
from curator.catalog.backends.copy import canonical, catalog_tables, table_digest
from curator.catalog.db import Catalog
from curator.catalog.judgments import store_description, store_embeddings
from curator.catalog.models import Decision, Photo
from curator.catalog.people.store import write_faces
from curator.catalog.proposals.store import (
    PROPOSAL_PASS,
    accept,
    proposal_records,
    write_proposals,
)
from curator.catalog.taste.store import latest_taste, write_scores
from curator.catalog.types import CullState
from curator.records import (
    EyeState,
    Face,
    FacesFound,
    FacesSummary,
    Proposal,
    ProposalReason,
    ProposalVerdict,
)
from curator.search.text import ranked_ids
from tests.integration.cli_helpers import run_cli
from tests.taste_helpers import store_model
from tests.ui.conftest import make_library


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A SQLite catalog with something in every table a shoot fills."""
    lib = tmp_path / "lib"
    make_library(lib, 6)
    path = tmp_path / "source.sqlite"
    code, _, err = run_cli(
        "--catalog", str(path), "import", str(lib), "--stages", "technical", "--no-progress"
    )
    assert code == 0, err
    with Catalog.open(path):
        ids = [p.id for p in Photo.select().order_by(Photo.id)]
        decisions.set_cull(ids[0], CullState.KEPT)
        decisions.set_rating(ids[1], 4, keep=True)
        decisions.set_cull(ids[2], CullState.REJECTED)
        decisions.undo_last()  # an undo chain
        decisions.add_tag(ids[0], "harbour")
        store_description(
            ids[0],
            subject="Boats in the harbour at dawn",
            content_type="landscape",
            lighting_critique="soft",
            artistic_mood="calm",
            tags=["sea"],
            model="m",
            prompt_version="1",
        )
        wedding = projects.create_project("Wedding")
        projects.add_photos(wedding.id, ids[:2])
        rng = np.random.default_rng(3)
        store_embeddings("clip", [(pid, rng.normal(size=8).astype(np.float32)) for pid in ids])
        version = store_model(dim=8)
        write_scores(version, ids, np.linspace(10, 90, len(ids)))
        face = Face(box=(0.1, 0.2, 0.3, 0.4), size_px=120, judged=True, eyes=EyeState.CLOSED)
        write_faces([(ids[3], FacesFound((face,), "v1", summary=FacesSummary(1, 1, 1, True)))])
        # Proposals of two photographers; ids[2]'s stands after its decision was
        # undone (the log holds rows for a photo still proposed: copied before the
        # log, the log's trigger would end it).
        write_proposals("lead", lead_proposals(ids))
        write_proposals("second", second_proposals(ids))
    return path


def lead_proposals(ids: list[int]) -> list[Proposal]:
    return [
        Proposal(ids[2], ProposalVerdict.REJECT, (ProposalReason.BLUR,), 0.8),
        Proposal(ids[4], ProposalVerdict.KEEP, (), 0.55, highlight=True),
        Proposal(ids[5], ProposalVerdict.KEEP, (), 0.9),
    ]


def second_proposals(ids: list[int]) -> list[Proposal]:
    return [Proposal(ids[4], ProposalVerdict.REJECT, (ProposalReason.CLOSED_EYES,), 0.7)]


def _digests(db: object) -> dict[str, tuple[int, str]]:
    out = {}
    for table in catalog_tables(db):  # type: ignore[arg-type]
        columns = [c.name for c in db.get_columns(table)]  # type: ignore[attr-defined]
        got = table_digest(db, table, columns)  # type: ignore[arg-type]
        out[table] = (got.rows, got.digest)
    return out


def test_a_catalog_goes_to_postgresql_and_back_whole(
    filled: Path, pg_url: str, tmp_path: Path
) -> None:
    code, out, err = run_cli("catalog", "copy", str(filled), pg_url)
    assert code == 0, err
    assert "6 photos" in out and "verified" in out
    assert "catalog.copy" not in out and "S3cret" not in out
    back = tmp_path / "back.sqlite"
    code, out, err = run_cli("catalog", "copy", pg_url, str(back))
    assert code == 0, err
    with (
        Catalog.open(filled, bind=False) as a,
        Catalog.open(pg_url, bind=False) as pg,
        Catalog.open(back, bind=False) as b,
    ):
        original = _digests(a.db)
        assert original["decision"][0] == 6 and original["embedding"][0] == 6
        filled_tables = {t for t, (rows, _) in original.items() if rows}
        assert filled_tables >= {
            "photo", "stage_run", "decision", "description", "tag", "photo_tag", "project",
            "project_photo", "embedding", "taste_model", "photo_preference", "face",
            "photo_faces", "cull_proposal",
        }  # fmt: skip
        assert _digests(pg.db) == original == _digests(b.db)
    # `curator list` reads the same on the copy as on the original.
    listings = []
    for where in (filled, pg_url, back):
        code, out, err = run_cli("--catalog", str(where), "list", "--json")
        assert code == 0, err
        listings.append(json.loads(out))
    assert listings[0] == listings[1] == listings[2]


def test_each_photographers_proposals_go_to_postgresql_and_back(
    filled: Path, pg_url: str, tmp_path: Path
) -> None:
    with Catalog.open(filled):
        ids = [p.id for p in Photo.select().order_by(Photo.id)]
        tables = catalog_tables(Photo._meta.database)
    assert tables.index("cull_proposal") > tables.index("decision")
    want = {
        "lead": {p.photo_id: p for p in lead_proposals(ids)},
        "second": {p.photo_id: p for p in second_proposals(ids)},
    }
    back = tmp_path / "back.sqlite"
    assert run_cli("catalog", "copy", str(filled), pg_url)[0] == 0
    assert run_cli("catalog", "copy", pg_url, str(back))[0] == 0
    for where in (pg_url, str(back)):
        with Catalog.open(where):
            assert {o: proposal_records(o) for o in want} == want, where
    # On the studio's catalog each photographer accepts their own, as before the copy.
    with Catalog.open(pg_url):
        report = accept("lead")
        assert sorted(report.photo_ids) == [ids[2], ids[4], ids[5]]
        assert Photo.get_by_id(ids[2]).cull == "rejected"
        assert Photo.get_by_id(ids[4]).cull == "kept"
        assert proposal_records("second") == {}  # a decision ends every photographer's
        assert Decision.select().where(Decision.pass_ == PROPOSAL_PASS).count() == 3


def test_the_postgresql_copy_goes_on_working(filled: Path, pg_url: str) -> None:
    assert run_cli("catalog", "copy", str(filled), pg_url)[0] == 0
    with Catalog.open(pg_url):
        assert ranked_ids("harbour") != []  # the text index was built on the way in
        newest = max(d.id for d in Decision.select())
        fresh = Photo.create(path=b"/new.jpg", content_hash="new")
        assert fresh.id > max(p.id for p in Photo.select().where(Photo.id != fresh.id))
        decisions.set_cull(fresh.id, CullState.KEPT)
        assert max(d.id for d in Decision.select()) > newest
        (undone,) = decisions.undo_last()  # the copied log's stacks still read right
        assert undone.photo_id == fresh.id
        stored = latest_taste()
        assert stored is not None and stored.coefficients.weights.shape == (8,)


def test_a_destination_that_holds_anything_is_refused_unless_told(
    filled: Path, pg_url: str, tmp_path: Path
) -> None:
    assert run_cli("catalog", "copy", str(filled), pg_url)[0] == 0
    code, _, err = run_cli("catalog", "copy", str(filled), pg_url)
    assert code == 3 and "not empty" in err and "--replace" in err
    other = tmp_path / "other.sqlite"
    assert run_cli("catalog", "copy", pg_url, str(other))[0] == 0
    code, _, err = run_cli("catalog", "copy", pg_url, str(other))
    assert code == 3 and "not empty" in err
    # Told: the PostgreSQL destination is emptied and filled in one transaction…
    code, _, err = run_cli("catalog", "copy", str(filled), pg_url, "--replace")
    assert code == 0, err
    with Catalog.open(pg_url):
        assert Photo.select().count() == 6
    # …and a file's old copy is kept beside it.
    code, out, err = run_cli("catalog", "copy", str(filled), str(other), "--replace")
    assert code == 0 and "kept as" in out, err
    kept = list(tmp_path.glob("other.before-copy-*.sqlite"))
    assert len(kept) == 1
    assert sqlite3.connect(kept[0]).execute("SELECT count(*) FROM photo").fetchone() == (6,)
    code, _, err = run_cli("catalog", "copy", str(filled), str(filled))
    assert code == 2 and "the same catalog" in err


def test_values_hash_alike_whichever_backend_gave_them() -> None:
    from datetime import datetime

    when = datetime(2024, 6, 1, 10, 0, 0, 120000)
    assert canonical("2024-06-01 10:00:00.120000") == canonical(when)
    assert canonical(50) == canonical(50.0) and canonical(0.5) != canonical(0.25)
    assert canonical(b"\x00\x01") == canonical(memoryview(b"\x00\x01"))
    assert canonical(None) != canonical("") and canonical(True) == canonical(1)


def test_backup_of_a_postgresql_catalog_is_a_verified_copy_that_restores(
    filled: Path, pg_url: str, pg_server: object
) -> None:
    assert run_cli("catalog", "copy", str(filled), pg_url)[0] == 0
    code, out, err = run_cli("--catalog", pg_url, "backup")
    assert code == 0, err
    assert "verified" in out and "pg_dump" in out and "--replace" in out
    made = Path(out.split(" was copied into ")[1].split(" and verified")[0])
    assert made.name.endswith(".backup.sqlite") and made.with_name(made.name + ".blake3").exists()
    # The backup restores into an empty database: the same catalog, table by table.
    name = pg_server.new_database()  # type: ignore[attr-defined]
    restored = pg_server.url(name)  # type: ignore[attr-defined]
    try:
        code, _, err = run_cli("catalog", "copy", str(made), restored)
        assert code == 0, err
        with Catalog.open(pg_url, bind=False) as a, Catalog.open(restored, bind=False) as b:
            assert _digests(a.db) == _digests(b.db)
    finally:
        pg_server.drop_database(name)  # type: ignore[attr-defined]
