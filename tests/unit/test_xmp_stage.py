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


GOLDEN = Path(__file__).resolve().parents[1] / "data" / "darktable"


def test_darktables_import_default_star_is_not_a_rating(tmp_path: Path) -> None:
    # Sidecars a real darktable 4.2.1 wrote (tests/data/darktable/README.md):
    # imported only, then 3 stars, a reject, two labels, keywords.
    names = ("imported", "stars3", "reject", "labels", "tags")
    for name in names:
        make_jpeg(tmp_path / f"{name}.jpg", 40, 30)
        (tmp_path / f"{name}.jpg.xmp").write_bytes((GOLDEN / f"{name}.jpg.xmp").read_bytes())
    paths = tuple(str(tmp_path / f"{n}.jpg") for n in names)
    readings = {Path(r.path).stem: r for r in read_xmp_plan(XmpPlan(paths=paths))}
    judged = {name: r.judgment for name, r in readings.items()}
    assert all(j is not None for j in judged.values())
    imported = judged["imported"]
    assert imported is not None and imported.rating is None and not imported.rejected
    assert readings["imported"].default_stars  # counted for the import summary
    stars3, reject = judged["stars3"], judged["reject"]
    assert stars3 is not None and stars3.rating == 3
    assert reject is not None and reject.rejected and reject.rating is None
    labels = judged["labels"]
    assert labels is not None and labels.label == "Red"  # darktable's first label
    assert readings["labels"].extra_labels == ("Green",)  # the second is reported
    tags = judged["tags"]
    assert tags is not None
    assert set(tags.keywords) == {"b w", "london", "places", "st pauls cathedral"}
    written = {(k.text, k.path) for k in tags.keyword_texts}
    assert ("St. Paul's Cathedral", "Places|London|St. Paul's Cathedral") in written
    assert ("B&W", "B&W") in written and ("Photography", "Photography") in written
    # The setting that reads darktable's 1 star as a rating.
    counted = read_xmp_plan(XmpPlan(paths=paths[:1], darktable_one_star_is_rating=True))
    assert counted[0].judgment is not None and counted[0].judgment.rating == 1
    assert not counted[0].default_stars


def test_one_star_from_any_other_tool_is_a_rating() -> None:
    assert judgment_from_xmp(XmpFields(rating=1)).rating == 1
    assert judgment_from_xmp(XmpFields(rating=1, darktable=True)).rating is None


def test_label_texts_no_label_set_knows_become_keywords() -> None:
    judged = judgment_from_xmp(XmpFields(label_keywords=("Client A",), keywords=("Sea",)))
    assert judged.label is None and judged.keywords == ("sea", "client a")
