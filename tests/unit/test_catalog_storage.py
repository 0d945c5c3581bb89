"""Storage faults when opening and writing the catalog: each gets its own sentence.

A folder Curator can't write, a read-only catalog file and a full disk are
the storage's fault, not the file's: they must never read "not a Curator
catalog, or it is damaged". Permission cases run as `nobody` in a forked
child (root writes everything); a full disk is real SQLite behaviour via
`PRAGMA max_page_count`.
"""

from __future__ import annotations

import errno
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from peewee import OperationalError

from curator.catalog.db import Catalog, CatalogError
from curator.catalog.models import Photo
from curator.catalog.storage import (
    CANNOT_CREATE,
    DISK_FULL,
    READ_ONLY,
    StorageError,
    storage_problem,
)
from tests.unprivileged import as_unprivileged, open_tmp


def _open_as_nobody(path: Path, *, read_only_ok: bool = False, write: bool = False) -> object:
    def body() -> object:
        with Catalog.open(path, read_only_ok=read_only_ok) as cat:
            count = Photo.select().count()
            if write:
                Photo.create(path=b"/x/new.jpg", content_hash="new")
            return (cat.read_only, count)

    return as_unprivileged(body)


def _make_catalog(path: Path, photos: int = 1) -> None:
    with Catalog.open(path):
        for i in range(photos):
            Photo.create(path=f"/x/{i}.jpg".encode(), content_hash=f"h{i}")


def test_storage_error_is_a_catalog_error() -> None:
    err = storage_problem(OSError(errno.ENOSPC, "No space left on device"), what="/tmp/x")
    assert isinstance(err, StorageError) and isinstance(err, CatalogError)
    assert err.kind == DISK_FULL and err.environmental


@pytest.mark.parametrize(
    ("exc", "kind", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), DISK_FULL, "disk is full"),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), DISK_FULL, "quota"),
        (OSError(errno.EFBIG, "File too large"), DISK_FULL, "disk is full"),
        (OSError(errno.EROFS, "Read-only file system"), READ_ONLY, "mounted read-only"),
        (PermissionError(errno.EACCES, "Permission denied"), READ_ONLY, "read-only for you"),
        (sqlite3.OperationalError("database or disk is full"), DISK_FULL, "disk is full"),
        (sqlite3.OperationalError("attempt to write a readonly database"), READ_ONLY, "read-only"),
        (sqlite3.OperationalError("unable to open database file"), CANNOT_CREATE, "cannot create"),
    ],
)
def test_storage_problem_recognises_each_fault(
    tmp_path: Path, exc: BaseException, kind: str, words: str
) -> None:
    what = str(tmp_path / "catalog.sqlite")
    err = storage_problem(exc, what=what)
    assert err is not None and err.kind == kind
    assert words in str(err) and what in str(err)
    assert "damaged" not in str(err)


def test_storage_problem_sees_through_wrappers(tmp_path: Path) -> None:
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("writing failed") from inner
    except RuntimeError as outer:
        err = storage_problem(outer, what=str(tmp_path))
    assert err is not None and err.kind == DISK_FULL
    wrapped = OperationalError(sqlite3.OperationalError("database or disk is full"))
    found = storage_problem(wrapped, what=str(tmp_path))
    assert found is not None and found.kind == DISK_FULL


def test_storage_problem_ignores_other_errors(tmp_path: Path) -> None:
    what = str(tmp_path)
    assert storage_problem(ValueError("bad"), what=what) is None
    assert storage_problem(sqlite3.DatabaseError("file is not a database"), what=what) is None
    assert storage_problem(OSError(errno.EIO, "Input/output error"), what=what) is None
    assert storage_problem(KeyError("x"), what=what) is None


def test_a_real_full_database_is_recognised(tmp_path: Path) -> None:
    """SQLite's own "database or disk is full" (max_page_count), via peewee."""
    path = tmp_path / "cat.sqlite"
    with Catalog.open(path) as cat:
        pages = cat.db.execute_sql("PRAGMA page_count").fetchone()[0]
        cat.db.execute_sql(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(OperationalError) as info, cat.db.atomic():
            for i in range(2000):
                Photo.create(path=f"/x/{i:05d}.jpg".encode() * 20, content_hash=f"h{i}")
        err = storage_problem(info.value, what=str(path))
        assert err is not None and err.kind == DISK_FULL
        assert Photo.select().count() == 0  # the transaction left nothing half-written


_LIMITED_BULK_WRITE = """
import resource, signal, sys
from curator.catalog import tx
from curator.catalog.db import Catalog
from curator.catalog.models import Photo
from curator.catalog.storage import storage_problem
with Catalog.open(sys.argv[1]) as cat:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, as the fault suite's limit
    resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))
    def rows():
        for i in range(400):
            Photo.create(path=f"/bulk/{i:05d}.jpg".encode() * 20, content_hash=f"b{i}")
    try:
        tx.write(cat.db, rows)
    except Exception as exc:
        problem = storage_problem(exc, what=sys.argv[1])
        print(problem.kind if problem else f"unrecognised: {exc!r}")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_bulk_write_past_a_file_size_limit_is_a_full_disk(tmp_path: Path) -> None:
    """SQLite answers a plain "disk I/O error" (and peewee's rollback then fails
    too) when an INSERT of a large transaction hits the limit: still the disk
    is full, not an unknown error."""
    path = tmp_path / "cat.sqlite"
    _make_catalog(path)
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED_BULK_WRITE, str(path)],
        cwd=Path(__file__).resolve().parents[2],  # this checkout's curator
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == DISK_FULL, (done.stdout, done.stderr)
    with Catalog.open(path):
        assert Photo.select().count() == 1  # the transaction left nothing half-written


def test_unwritable_folder_says_cannot_create() -> None:
    with open_tmp() as base:
        folder = base / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        kind, value = _open_as_nobody(folder / "catalog.sqlite")  # type: ignore[misc]
        assert kind == "raised" and value[0] == "StorageError"
        assert "cannot create" in value[1] and str(folder) in value[1]
        assert "damaged" not in value[1]
        # A CURATOR_HOME whose parent is locked: the folder itself can't be made.
        kind, value = _open_as_nobody(folder / "home" / "catalog.sqlite")  # type: ignore[misc]
        assert kind == "raised" and value[0] == "StorageError"
        assert "cannot create" in value[1] and "damaged" not in value[1]


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "home").write_text("not a folder")
    with pytest.raises(StorageError, match="not a folder") as info:
        Catalog.open(tmp_path / "home" / "catalog.sqlite")
    assert info.value.kind == CANNOT_CREATE


def test_read_only_catalog_file_reads_but_refuses_writes() -> None:
    with open_tmp() as base:
        base.chmod(0o777)  # the folder is writable: only the file is read-only
        path = base / "catalog.sqlite"
        _make_catalog(path, photos=2)
        path.chmod(0o444)
        kind, value = _open_as_nobody(path)  # type: ignore[misc]
        assert kind == "raised" and value[0] == "StorageError"
        assert "read-only" in value[1] and "damaged" not in value[1]
        assert _open_as_nobody(path, read_only_ok=True) == ("ok", (True, 2))
        kind, value = _open_as_nobody(path, read_only_ok=True, write=True)  # type: ignore[misc]
        assert kind == "raised" and "readonly" in value[1]
        assert storage_problem(sqlite3.OperationalError(value[1]), what=str(path)) is not None


def test_catalog_in_a_read_only_folder_reads_but_refuses_writes() -> None:
    with open_tmp() as base:
        path = base / "catalog.sqlite"
        _make_catalog(path, photos=3)
        path.chmod(0o666)  # the file is writable, its folder (root's, 0755) is not
        kind, value = _open_as_nobody(path)  # type: ignore[misc]
        assert kind == "raised" and value[0] == "StorageError"
        assert "read-only" in value[1] and "damaged" not in value[1]
        assert _open_as_nobody(path, read_only_ok=True) == ("ok", (True, 3))


def test_unreadable_catalog_says_so() -> None:
    with open_tmp() as base:
        path = base / "catalog.sqlite"
        _make_catalog(path)
        path.chmod(0o600)
        kind, value = _open_as_nobody(path, read_only_ok=True)  # type: ignore[misc]
        assert kind == "raised" and value[0] == "StorageError"
        assert "not allowed to read" in value[1] and "damaged" not in value[1]


def test_a_writable_catalog_is_not_read_only(tmp_path: Path) -> None:
    with Catalog.open(tmp_path / "c.sqlite", read_only_ok=True) as cat:
        assert not cat.read_only


def test_a_bare_io_error_with_room_to_spare_is_no_storage_fault(tmp_path: Path) -> None:
    bare = sqlite3.OperationalError("disk I/O error")
    bare.sqlite_errorcode = 10  # SQLITE_IOERR, no extended code
    assert storage_problem(bare, what=str(tmp_path)) is None  # a failing disk, not a full one
