"""Shared fixtures: a fresh catalog and app home per test, offscreen Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures"


@pytest.fixture(autouse=True)
def curator_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own CURATOR_HOME: catalog, cache and settings in tmp."""
    home = tmp_path / "curator-home"
    monkeypatch.setenv("CURATOR_HOME", str(home))
    for key in list(os.environ):
        if key.startswith("CURATOR_") and key != "CURATOR_HOME":
            monkeypatch.delenv(key)
    # Tests never download model weights; the download path is tested on its own.
    monkeypatch.setenv("CURATOR_CLIP_AUTO_DOWNLOAD", "0")
    return home


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[object]:
    from curator.catalog.db import Catalog

    cat = Catalog.open(tmp_path / "catalog.sqlite")
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
def _one_qapplication(qapp: object) -> object:
    """Create pytest-qt's QApplication first, so the CLI reuses it instead of a QCoreApplication."""
    return qapp


@pytest.fixture
def tiny_clip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny random-weight CLIP checkpoint, selected through the real settings env."""
    from tests.clip_tiny import TINY_MODEL, make_tiny_checkpoint

    checkpoint = make_tiny_checkpoint(tmp_path / "clip")
    monkeypatch.setenv("CURATOR_CLIP_MODEL", TINY_MODEL)
    monkeypatch.setenv("CURATOR_CLIP_PRETRAINED", str(checkpoint))
    return checkpoint
