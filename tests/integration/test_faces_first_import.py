"""Issue 74 §5: a first import on a fresh home compiles the face networks for
this computer (OpenVINO), a few seconds once; the import's progress and
`curator doctor` (its face model check) say so while it is the case, and
not once they are prepared."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from curator.install.doctor import face_model_check
from curator.ml.faces.compiled import PREPARING, compiles_networks
from curator.settings import Settings
from tests.faces_helpers import PORTRAITS, installed_model, portrait
from tests.integration.cli_helpers import run_cli


def _shoot(folder: Path, which: int) -> Path:
    folder.mkdir()
    Image.fromarray(portrait(PORTRAITS[which])).save(folder / f"face{which}.jpg", quality=92)
    return folder


@pytest.mark.cold_face_networks
def test_the_first_import_says_the_face_networks_are_being_prepared(
    curator_home: Path, tmp_path: Path
) -> None:
    installed_model()
    if not compiles_networks():
        pytest.skip("OpenVINO is not installed here: nothing is compiled")
    assert "not prepared for this computer yet" in face_model_check(Settings()).message
    code, _, err = run_cli("import", str(_shoot(tmp_path / "first", 0)))
    assert code == 0, err
    assert err.count(PREPARING) == 1, err  # said once, while the first photo waited
    assert (curator_home / "cache" / "openvino").is_dir()
    code, _, err = run_cli("import", str(_shoot(tmp_path / "second", 1)))
    assert code == 0, err
    assert PREPARING not in err, err  # prepared: the next import says nothing
    assert "Its networks are prepared for this computer" in face_model_check(Settings()).message
