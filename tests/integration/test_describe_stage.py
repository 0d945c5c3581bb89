"""The describe stage end to end: CLI import → fake Ollama over HTTP → catalog."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import import_json, list_json, run_cli, status_json
from tests.llm_server import FakeOllama, Reply, model_not_found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lib(tmp_path: Path, n: int = 3) -> Path:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(n):
        make_jpeg(lib / f"p{i}.jpg", 500 + i, 400, pattern="texture")
    return lib


@pytest.fixture(autouse=True)
def _no_clip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # These tests are about describe: point CLIP at a missing checkpoint so the
    # embed stage skips at once (its own tests cover it).
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(tmp_path / "no-weights.pt"))


def test_photos_are_described_with_normalised_tags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _lib(tmp_path)
    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        ollama.set_default(Reply.golden("describe_messy"))
        result = import_json(lib)
        assert result["new"] == 3
        assert result["stages"]["describe"] == {"done": 3}
        assert len(ollama.chat_requests) == 3
        assert all(
            url.startswith("data:image/jpeg;base64,")
            for r in ollama.chat_requests
            for url in r.image_urls()
        )
    photos = list_json()
    for p in photos:
        assert p["stages"]["describe"]["status"] == "done"
        assert p["content_type"] == "other"  # "selfie" coerced
        names = [t["name"] for t in p["tags"]]
        assert "sunset" in names and "golden hour" in names
        assert "photography" not in names and len(names) <= 7
        assert all(t["source"] == "ai" for t in p["tags"])
        assert p["subject"]
    assert status_json()["stages"]["describe"]["done"] == 3


def test_ollama_down_skips_with_a_reason_then_backfills(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _lib(tmp_path)
    down = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("CURATOR_OLLAMA_URL", down)
    result = import_json(lib)
    assert result["new"] == 3  # nothing else waited for the LLM
    describe = result["stages"]["describe"]
    assert describe["skipped"] == 3
    assert "Ollama is not running" in describe["reason"] and "ollama serve" in describe["reason"]
    assert {p["stages"]["describe"]["status"] for p in list_json()} == {"skipped"}

    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        code, out, err = run_cli("describe", "--json")
        assert code == 0, err
        assert '"done": 3' in out
    assert {p["stages"]["describe"]["status"] for p in list_json()} == {"done"}
    # Nothing left to do: a second back-fill sends nothing.
    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        assert run_cli("describe")[0] == 0
        assert ollama.chat_requests == []


def test_model_not_pulled_says_how_to_pull_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _lib(tmp_path, 1)
    with FakeOllama(models=("mistral:latest",)) as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        result = import_json(lib)
    reason = result["stages"]["describe"]["reason"]
    assert "not installed" in reason and "ollama pull llava" in reason


def test_model_vanishing_mid_run_fails_the_photo_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = _lib(tmp_path, 1)
    with FakeOllama() as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        ollama.set_default(model_not_found())
        result = import_json(lib)
    assert result["stages"]["describe"] == {"failed": 1}
    (photo,) = list_json()
    assert "ollama pull llava" in photo["stages"]["describe"]["reason"]
    assert status_json()["failed"][0]["stage"] == "describe"


def test_a_new_model_describes_nothing_until_redo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Switching llava → llava:13b re-describes nothing on its own (it used to
    re-describe the whole catalog); `curator describe --redo` describes every
    photo with the new model."""
    lib = _lib(tmp_path)
    with FakeOllama(models=("llava:latest", "llava:13b")) as ollama:
        monkeypatch.setenv("CURATOR_OLLAMA_URL", ollama.url)
        assert import_json(lib)["stages"]["describe"] == {"done": 3}
        monkeypatch.setenv("CURATOR_LLM_MODEL", "llava:13b")
        before = len(ollama.chat_requests)
        code, _, err = run_cli("describe", "--json")
        assert code == 0, err
        assert len(ollama.chat_requests) == before  # nothing is missing
        code, out, err = run_cli("describe", "--redo", "--json")
        assert code == 0, err
        assert '"done": 3' in out
        assert len(ollama.chat_requests) - before == 3
        assert {r.body["model"] for r in ollama.chat_requests[before:]} == {"llava:13b"}
        # And after the redo, nothing is left for a plain describe either.
        before = len(ollama.chat_requests)
        assert run_cli("describe")[0] == 0
        assert len(ollama.chat_requests) == before


def test_describe_needs_what_is_missing_or_failed_with_another_version(
    tmp_path: Path,
) -> None:
    """The selection rule itself: a photo described at another version is done;
    one that failed at another version is tried again; one that failed at this
    version is not (Retry does that); without the rule, any other version counts."""
    from curator.catalog.db import Catalog
    from curator.catalog.judgments import photos_needing, set_stage
    from curator.catalog.models import Stage, StageStatus
    from curator.paths import resolve_paths

    lib = _lib(tmp_path, 4)
    import_json(lib, "--stages", "technical")
    with Catalog.open(resolve_paths().catalog):
        ids = [pid for pid, _ in photos_needing(Stage.DESCRIBE, "v2")]
        assert len(ids) == 4
        done_v1, failed_v1, failed_v2, fresh = ids
        set_stage([done_v1], Stage.DESCRIBE, StageStatus.DONE, "v1")
        set_stage([failed_v1], Stage.DESCRIBE, StageStatus.FAILED, "v1", "boom")
        set_stage([failed_v2], Stage.DESCRIBE, StageStatus.FAILED, "v2", "boom")
        missing = {p for p, _ in photos_needing(Stage.DESCRIBE, "v2", done_at_any_version=True)}
        assert missing == {failed_v1, fresh}
        redo = {p for p, _ in photos_needing(Stage.DESCRIBE, "v2")}
        assert redo == {done_v1, failed_v1, fresh}
