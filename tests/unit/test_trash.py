"""curator.purge.trash: the purge's run step (files only), against a temp OS trash."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
import send2trash

from curator.purge.trash import failure_sentence, move_to_trash


def _files(tmp_path: Path, n: int) -> list[tuple[str, int]]:
    out = []
    for i in range(n):
        path = tmp_path / f"f{i}.jpg"
        path.write_bytes(b"x" * (10 + i))
        out.append((str(path), 10 + i))
    return out


def test_files_go_to_the_trash_with_progress(tmp_path: Path, os_trash: Path) -> None:
    files = _files(tmp_path, 3)
    seen: list[tuple[int, int]] = []
    outcomes = move_to_trash(files, lambda done, total: seen.append((done, total)))
    assert [o.trashed for o in outcomes] == [True, True, True]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    for path, size in files:
        assert not Path(path).exists()
        assert (os_trash / "files" / Path(path).name).stat().st_size == size
        assert (os_trash / "info" / f"{Path(path).name}.trashinfo").is_file()


def test_a_stop_request_leaves_the_files_not_tried_yet(tmp_path: Path, os_trash: Path) -> None:
    files = _files(tmp_path, 3)
    outcomes = move_to_trash(files, should_stop=lambda: len(list(os_trash.glob("files/*"))) >= 1)
    assert [o.path for o in outcomes] == [files[0][0]]
    assert not Path(files[0][0]).exists()
    assert Path(files[1][0]).exists() and Path(files[2][0]).exists()


def test_a_file_the_trash_refuses_stays_and_the_others_go(
    tmp_path: Path, os_trash: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _files(tmp_path, 3)
    real = send2trash.send2trash

    def no_trash_on_that_disk(path: str) -> None:
        if path == files[1][0]:
            raise send2trash.TrashPermissionError(path)
        real(path)

    with monkeypatch.context() as m:
        m.setattr(send2trash, "send2trash", no_trash_on_that_disk)
        outcomes = move_to_trash(files)
    assert [o.trashed for o in outcomes] == [True, False, True]
    assert Path(files[1][0]).read_bytes() == b"x" * 11  # untouched
    assert outcomes[1].reason == (
        f"{files[1][0]} could not be moved to the trash: there is no trash folder "
        "Curator may use on that disk; it was left where it is."
    )


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (OSError(errno.ENOENT, "No such file"), "no longer there"),
        (PermissionError(errno.EACCES, "Permission denied"), "permission was denied"),
        (OSError(errno.EROFS, "Read-only file system"), "disk is read-only"),
        (OSError("Couldn't find mount point"), "no trash folder on that disk"),
    ],
)
def test_failure_sentences_say_why_and_that_the_file_stayed(exc: OSError, words: str) -> None:
    sentence = failure_sentence("/p/a.jpg", exc)
    assert words in sentence and sentence.endswith("it was left where it is.")
    assert "Errno" not in sentence and "Error" not in sentence


def test_the_shared_fixtures_can_never_be_trashed(fixtures_dir: Path, os_trash: Path) -> None:
    """The conftest guard: a purge bug in a test cannot destroy the shared fixtures."""
    target = next((fixtures_dir / "jpeg").iterdir())
    with pytest.raises(AssertionError, match="shared fixture"):
        move_to_trash([(str(target), target.stat().st_size)])
    assert target.exists() and not os_trash.exists()
