"""pipeline.stages.xmp: which files are read on import, and what they mean."""

from __future__ import annotations

from pathlib import Path

from curator.interop.xmp.fields import XmpFields
from curator.pipeline.stages.xmp import XmpPlan, judgment_from_xmp, read_xmp_plan
from tests.imaging_helpers import make_jpeg
from tests.xmp_helpers import embed_in_jpeg, packet, write_sidecar

NS = 1_000_000_000


def test_only_new_files_and_changed_sidecars_are_read(tmp_path: Path) -> None:
    a = make_jpeg(tmp_path / "a.jpg", 40, 30)
    write_sidecar(tmp_path / "a.xmp", packet('xmp:Rating="2"'), 100 * NS)
    b = embed_in_jpeg(make_jpeg(tmp_path / "b.jpg", 41, 30), packet('xmp:Rating="3"'))
    c = embed_in_jpeg(make_jpeg(tmp_path / "c.jpg", 42, 30), packet('xmp:Rating="4"'))
    d = make_jpeg(tmp_path / "d.jpg", 43, 30)
    write_sidecar(tmp_path / "d.JPG.XMP", packet('xmp:Rating="5"'), 200 * NS)
    e = make_jpeg(tmp_path / "e.jpg", 44, 30)
    write_sidecar(tmp_path / "e.xmp", b"<broken", 300 * NS)
    plan = XmpPlan(
        paths=tuple(str(p) for p in (a, b, c, d, e)),
        reread=frozenset({str(b)}),  # only b is new: c's embedded XMP was taken before
        known_mtimes={str(d): 200 * NS, str(a): 50 * NS},  # d's sidecar unchanged
    )
    readings = {Path(r.path).name: r for r in read_xmp_plan(plan)}
    assert sorted(readings) == ["a.jpg", "b.jpg", "e.jpg"]
    assert readings["a.jpg"].judgment is not None and readings["a.jpg"].judgment.rating == 2
    assert readings["a.jpg"].mtime_ns == 100 * NS
    assert readings["b.jpg"].judgment is not None and readings["b.jpg"].judgment.rating == 3
    assert readings["e.jpg"].judgment is None and readings["e.jpg"].problem
    assert read_xmp_plan(plan, should_stop=lambda: True) == []


def test_what_an_xmp_packet_means_in_curator() -> None:
    reject = judgment_from_xmp(XmpFields(rating=-1, keywords=("#Sunset", "photo", "Sea")))
    assert reject.rejected and reject.rating is None
    assert reject.keywords == ("sunset", "sea")  # the catalog's tag rules
    unrated = judgment_from_xmp(XmpFields(rating=0, picked=True, label="Green"))
    assert (unrated.rating, unrated.picked, unrated.label) == (None, True, "Green")
    assert judgment_from_xmp(XmpFields(rating=4, rejected=True)).rejected
