"""`curator --self-test`'s faces step: it runs every network of the installed
face model and names the runtime that ran them (a bundle that lost
OpenVINO's plugins says LiteRT or OpenCV there), or says the model is not
installed without failing the self-test."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.install import self_test
from curator.ml.faces import descriptor, files, graphs, networks
from tests.faces_helpers import installed_model


@pytest.fixture(autouse=True)
def _fresh_networks() -> None:
    """Each test loads the networks on the runtime it asks for."""
    networks.networks_for.cache_clear()
    descriptor.descriptor_for.cache_clear()


@pytest.mark.parametrize("asked", ["openvino", "litert", "opencv"])
def test_the_faces_line_names_the_runtime_that_ran(
    asked: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed_model()
    if not graphs.importable(asked):
        pytest.skip(f"{graphs.NAMES[asked]} is not installed here")
    monkeypatch.setenv(graphs.RUNTIME_ENV, asked)
    line = self_test._check_faces()
    expected = {"openvino": "OpenVINO", "litert": "LiteRT and OpenCV", "opencv": "OpenCV"}
    assert line.startswith(f"ok: the face model runs on {expected[asked]} (")


def test_without_the_model_the_faces_line_says_so_and_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "model_dirs", lambda configured=None: [tmp_path])
    line = self_test._check_faces()
    assert line.startswith("info: The face model is not installed")
    assert str(tmp_path) in line
