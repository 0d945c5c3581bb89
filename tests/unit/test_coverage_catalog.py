"""Coverage in the catalog (issue 50 §4): the proposal's plan reads each frame's
people (and the decided photos that show one), a target-count proposal keeps
grandmother, the Filter panel's per-person kept counts and "People with no
kept photo", and the search word `person:nokeep`. Runs on SQLite and on
PostgreSQL (tests/conftest.py's BOTH_BACKENDS)."""

from __future__ import annotations

from curator.catalog.db import Catalog
from curator.catalog.gallery_filters import metadata_choices
from curator.catalog.models import Photo, PhotoPreference
from curator.catalog.people.coverage import people_coverage
from curator.catalog.people.naming import people_list
from curator.catalog.proposals.plan import Scope, plan_frames
from curator.catalog.proposals.store import proposals_of
from curator.catalog.queries import gallery_query_ids
from curator.catalog.types import GalleryQuery, MetadataFilter, PersonCoverage
from curator.cull.checks import checks_for
from curator.cull.propose import propose_for
from curator.records import CullState, FramePerson, ProposalVerdict
from curator.search.text import text_search
from curator.search.tokens import TokenKind, parse_query
from tests.coverage_helpers import T0, faces_of, good_photo, person

NO_KEEP = "people with no kept photo"


def _photo(i: int, *, taste: float = 50.0, **kw: object) -> int:
    pid = good_photo(i, **kw)
    PhotoPreference.create(photo=pid, score=taste, model_version=1)
    return pid


def _wedding() -> dict[str, int]:
    """The couple in six photos the photographer likes, grandmother in one they
    like less, a stranger in two, and an unnamed guest in four (one kept)."""
    ids: dict[str, int] = {}
    couple, granny = person("Anna"), person("Grandmother")
    stranger, guest = person(None), person(None)
    ids |= {"couple": couple, "granny": granny, "stranger": stranger, "guest": guest}
    for i in range(1, 7):
        ids[f"c{i}"] = _photo(i, taste=90.0 - i)
        faces_of(ids[f"c{i}"], couple, couple)  # two faces of one person: one person in it
    ids["g"] = _photo(20, taste=30.0)
    faces_of(ids["g"], granny)
    for i in (30, 31):
        ids[f"s{i}"] = _photo(i, taste=20.0)
        faces_of(ids[f"s{i}"], stranger)
    for i in (40, 41, 42, 43):
        ids[f"u{i}"] = _photo(i, taste=10.0, cull="kept" if i == 43 else "unreviewed")
        faces_of(ids[f"u{i}"], guest)
    return ids


def test_the_plan_reads_each_frame_s_people_once(catalog: Catalog) -> None:
    ids = _wedding()
    frames = {f.photo_id: f for f in plan_frames()}
    assert frames[ids["c1"]].people == (FramePerson(ids["couple"], "Anna"),)
    assert frames[ids["g"]].people == (FramePerson(ids["granny"], "Grandmother"),)
    kept = frames[ids["u43"]]  # decided and in no burst: read because it shows a person
    assert kept.decided is CullState.KEPT and kept.people == (FramePerson(ids["guest"]),)
    alone = _photo(50, cull="rejected")  # decided, no burst, nobody: not read
    assert alone not in {f.photo_id for f in plan_frames()}
    scoped = plan_frames(Scope(photo_ids=(ids["g"],)))
    assert [(f.photo_id, f.people) for f in scoped] == [(ids["g"], frames[ids["g"]].people)]


def test_a_target_proposal_keeps_grandmother(catalog: Catalog) -> None:
    ids = _wedding()
    run = propose_for("ann", checks_for(None), keep=3)
    kept = {p.photo_id for p in run.proposals if p.verdict is ProposalVerdict.KEEP}
    assert kept == {ids["g"], ids["c1"], ids["c2"]}  # the guest has a keep already
    assert run.summary.no_keep == ()
    stored = proposals_of("ann")
    assert stored[ids["g"]]["verdict"] == "keep"


def test_the_filter_panel_s_people_and_the_no_keep_filter(catalog: Catalog) -> None:
    ids = _wedding()
    Photo.update(cull="kept").where(Photo.id == ids["c3"]).execute()
    rows = people_coverage()
    assert rows == (
        PersonCoverage(ids["granny"], "Grandmother", 1, 0),  # no keep first
        PersonCoverage(ids["couple"], "Anna", 6, 1),
        PersonCoverage(ids["guest"], None, 4, 1),
    )  # the stranger (unnamed, two photos) does not count
    assert metadata_choices().people == rows
    listed = [(r.id, r.faces, r.photos, r.kept) for r in people_list()]  # `curator people`
    assert listed == [
        (ids["couple"], 12, 6, 1),  # most photographed first; two faces a photo
        (ids["guest"], 4, 4, 1),
        (ids["stranger"], 2, 2, 0),
        (ids["granny"], 1, 1, 0),
    ]
    query = GalleryQuery(metadata=MetadataFilter(people=NO_KEEP))
    assert set(gallery_query_ids(query)) == {ids["g"]}
    Photo.update(cull="kept").where(Photo.id == ids["g"]).execute()
    Photo.update(cull="unreviewed").where(Photo.id == ids["c3"]).execute()
    six = {ids[f"c{i}"] for i in range(1, 7)}
    assert set(gallery_query_ids(query)) == six  # now Anna has none
    Photo.update(deleted_at=T0).where(Photo.id == ids["u43"]).execute()  # purged: no keep
    guest = {ids["u40"], ids["u41"], ids["u42"]}
    assert set(gallery_query_ids(query)) == six | guest
    Photo.update(deleted_at=T0).where(Photo.id == ids["u42"]).execute()
    assert set(gallery_query_ids(query)) == six  # two photos left: the guest no longer counts


def test_search_understands_person_nokeep(catalog: Catalog) -> None:
    ids = _wedding()
    Photo.update(cull="kept").where(Photo.id == ids["c3"]).execute()
    parsed = parse_query("person:nokeep")
    assert parsed.values(TokenKind.PEOPLE) == ("person:nokeep",) and not parsed.words
    assert {h.photo_id for h in text_search("person:nokeep")} == {ids["g"]}
