"""Shared fixtures: a fresh catalog and app home per test, offscreen Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from curator.ml.faces.compiled import COMPILED_CACHE

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures"


@pytest.fixture(scope="session")
def compiled_face_networks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of face networks compiled for this computer, shared by a test
    worker's tests (each xdist worker has its own base temp folder)."""
    return tmp_path_factory.mktemp("compiled-face-networks")


@pytest.fixture(autouse=True)
def curator_home(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    compiled_face_networks: Path,
) -> Path:
    """Every test gets its own CURATOR_HOME: catalog, cache and settings in tmp.
    Its cache's compiled face networks (ml.faces.compiled.cache_folder) are the
    worker's shared folder: derived for this CPU like a compiler's cache, and
    compiling them is ~3 s of CPU per decoder child, which every import with
    faces paid again; a test marked `cold_face_networks` (the first import's
    sentence) and the benches get the fresh folder a new user has."""
    # Beside tmp_path, not in it: tests list their tmp_path's contents.
    home = tmp_path.with_name(tmp_path.name + "-curator-home")
    monkeypatch.setenv("CURATOR_HOME", str(home))
    cold = request.node.get_closest_marker("cold_face_networks") is not None
    if not cold and request.node.get_closest_marker("bench") is None:
        (home / "cache").mkdir(parents=True)
        (home / "cache" / COMPILED_CACHE).symlink_to(compiled_face_networks)
    for key in list(os.environ):
        if key.startswith("CURATOR_") and key != "CURATOR_HOME":
            monkeypatch.delenv(key)
    # Tests never download model weights; the download path is tested on its own.
    monkeypatch.setenv("CURATOR_CLIP_AUTO_DOWNLOAD", "0")
    if request.node.get_closest_marker("bench") is None:
        # Pool threads and decoder children at normal priority: beside busy
        # cores, niced ones got a few percent of a core and the suite crawled
        # (engine/thread_priority.py). The priority tests unset it; the
        # benches measure the product's own priorities.
        monkeypatch.setenv("CURATOR_NORMAL_PRIORITY", "1")
    return home


# Test modules whose `catalog` is the backend's behaviour (issue 34 §4): their
# tests run on SQLite and again on PostgreSQL (the throwaway server below).
BOTH_BACKENDS = frozenset(
    {
        "test_approval",
        "test_bulk_decisions",
        "test_client_picks_in_gallery",
        "test_coverage_catalog",
        "test_decision_actions",
        "test_decision_steps",
        "test_faces_catalog",
        "test_gallery_ids",
        "test_gallery_row_fields",
        "test_people_grouping",
        "test_people_undo",
        "test_people_view_reads",
        "test_projects",
        "test_proof_picks",
        "test_proposal_review_catalog",
        "test_proposals_catalog",
        "test_rotation",
        "test_search_semantic",
        "test_tag_counts",
        "test_tag_decisions",
        "test_tag_edits",
        "test_undo_redo",
    }
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "catalog" in metafunc.fixturenames and module in BOTH_BACKENDS:
        metafunc.parametrize("catalog_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def catalog_backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def catalog(
    tmp_path: Path, request: pytest.FixtureRequest, catalog_backend: str
) -> Iterator[object]:
    from curator.catalog.db import Catalog

    backend = catalog_backend
    where = request.getfixturevalue("pg_catalog_url") if backend == "postgresql" else None
    cat = Catalog.open(where or tmp_path / "catalog.sqlite")
    try:
        yield cat
    finally:
        cat.close()


@pytest.fixture
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(
            f"camera fixtures missing at {FIXTURES} (../shared/fixtures beside the checkout)"
        )
    return FIXTURES


@pytest.fixture(autouse=True, scope="session")
def _one_qapplication(qapp: object) -> Iterator[object]:
    """Create pytest-qt's QApplication first, so the CLI reuses it instead of a
    QCoreApplication; and, as the app does, collect cycles on the main thread
    only for the whole session (curator/engine/collector.py)."""
    from curator.engine.collector import collected_on_main_thread

    with collected_on_main_thread():
        yield qapp


@pytest.fixture(autouse=True)
def _collect_due_cycles() -> Iterator[None]:
    """The session's collector ticks only while an event loop runs: after each
    test, what is due is collected here (on the main thread, as CPython would
    have done on its own), so a test without a loop leaves no pile-up behind.
    A test that leaves automatic collection on fails here: every later test
    would collect cycles on pool threads, the segfault the collector exists to
    prevent (CI crashed so, after the collector's own tests turned it on)."""
    import gc

    from curator.engine.collector import active_collector

    yield
    collector = active_collector()
    if collector is not None:
        collector.collect_due()
        if gc.isenabled():  # the rest of the session would collect on pool threads
            gc.disable()
            pytest.fail("the test left automatic cycle collection on (engine/collector.py)")


@pytest.fixture
def tiny_clip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny random-weight CLIP checkpoint, selected through the real settings env."""
    from tests.clip_tiny import TINY_MODEL, make_tiny_checkpoint

    checkpoint = make_tiny_checkpoint(tmp_path / "clip")
    monkeypatch.setenv("CURATOR_CLIP_MODEL", TINY_MODEL)
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(checkpoint))
    return checkpoint


@pytest.fixture(autouse=True)
def _fixtures_never_trashed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may send a shared camera fixture to the trash: a purge bug would
    otherwise destroy them for every helper. Any such call fails the test loudly
    (an AssertionError, which curator.purge.trash does not catch)."""
    import send2trash

    real = send2trash.send2trash

    def guarded(path: str | bytes | os.PathLike[str]) -> None:
        target = Path(os.fsdecode(os.fspath(path))).resolve()
        if target.is_relative_to(FIXTURES.resolve()):
            raise AssertionError(f"a test tried to trash a shared fixture: {target}")
        real(path)

    monkeypatch.setattr(send2trash, "send2trash", guarded)


@pytest.fixture
def os_trash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Freedesktop trash under a temporary HOME/XDG_DATA_HOME; returns the
    Trash folder (files go to Trash/files, their .trashinfo to Trash/info).

    send2trash reads XDG_DATA_HOME once, at import: the module's constants are
    pointed at the temporary one too (HOME alone decides its same-device check)."""
    import sys

    import send2trash.plat_other as plat

    if "send2trash.plat_gio" in sys.modules:
        pytest.skip("send2trash uses GIO here: its trash can't be pointed at a temp folder")
    home = tmp_path / "home"
    data = home / ".local" / "share"
    data.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    trash = data / "Trash"
    monkeypatch.setattr(plat, "XDG_DATA_HOME", os.fsencode(data))
    monkeypatch.setattr(plat, "HOMETRASH_B", os.fsencode(trash))
    monkeypatch.setattr(plat, "HOMETRASH", str(trash))
    return trash


# -- the throwaway PostgreSQL server (tests/pg_server.py) ----------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """One PostgreSQL server for the session, as `nobody`, on 127.0.0.1."""
    from tests.pg_server import PgServer, missing_reason

    reason = missing_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: {reason}")
        pytest.skip(reason)
    server = PgServer()
    previous = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(server.passfile)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if previous is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = previous


@pytest.fixture
def pg_url(pg_server: object) -> Iterator[str]:
    """A URL of an empty database of its own on the test server (no password in it)."""
    name = pg_server.new_database()  # type: ignore[attr-defined]
    try:
        yield pg_server.url(name)  # type: ignore[attr-defined]
    finally:
        pg_server.drop_database(name)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def pg_template(pg_server: object) -> str:
    """A database migrated once to the latest schema: the template of each test's
    catalog (a copy is ~10 times faster than migrating a new one)."""
    from curator.catalog.db import Catalog

    name = pg_server.new_database()  # type: ignore[attr-defined]
    Catalog.open(pg_server.url(name), bind=False).close()  # type: ignore[attr-defined]
    return str(name)


@pytest.fixture
def pg_catalog_url(pg_server: object, pg_template: str) -> Iterator[str]:
    """A URL of a new, empty catalog (at the latest schema) of its own."""
    name = pg_server.new_database(template=pg_template)  # type: ignore[attr-defined]
    try:
        yield pg_server.url(name)  # type: ignore[attr-defined]
    finally:
        pg_server.drop_database(name)  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_location(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """A fresh catalog's location on each backend: the same test runs on both."""
    if request.param == "sqlite":
        return tmp_path / "catalog.sqlite"
    return str(request.getfixturevalue("pg_catalog_url"))


@pytest.fixture
def any_catalog(catalog_location: str | Path) -> Iterator[object]:
    """`catalog`, on SQLite and on PostgreSQL."""
    from curator.catalog.db import Catalog

    cat = Catalog.open(catalog_location)
    try:
        yield cat
    finally:
        cat.close()
