"""Settings are checked as pydantic checks them, without pydantic where the
answer is plain (issue 21 §1: the window's start-up imports no pydantic).

`settings.validate` takes a value already of its type and within its bounds
(or an environment variable's digits / true / false) as is, and hands
everything else to the pydantic model built from the same fields. Each case
below is answered by both paths, and they must agree: same snapshot, or the
same refusal with pydantic's messages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from curator.settings import (
    FIELDS,
    InvalidSettings,
    Settings,
    SettingsError,
    load_settings,
    pydantic_model,
    save_changes,
    save_settings,
    validate,
)

REPO = Path(__file__).resolve().parents[2]

CASES: list[dict[str, Any]] = [
    {},
    {"decode_workers": 3, "match_threshold": 65, "burst_gap_s": 2.5, "pair_export": "raw"},
    {"key_overrides": {"keep": "K"}, "gallery_cell_size": 260, "unknown_key": 1},
    {"decode_workers": "4", "match_threshold": "70", "burst_min_cosine": "0.95"},
    {"clip_auto_download": "0", "pair_raw_jpeg": "true", "advance_after_rating": "1"},
    {"clip_auto_download": "off", "pair_raw_jpeg": "YES", "decode_workers": " 4 "},
    {"decode_workers": "4.0", "match_threshold": "7e1", "backup_keep": "+3"},
    {"llm_json_mode": " Prompt"},
    {"llm_json_mode": "prompt", "backup_frequency": "weekly", "xmp_sidecar_names": "both"},
    {"decode_workers": 0},
    {"decode_workers": "lots"},
    {"decode_workers": True, "clip_auto_download": 1},
    {"match_threshold": 100.5, "burst_gap_s": float("inf"), "preview_long_edge": 320.0},
    {"llm_json_mode": "x", "backup_frequency": "hourly"},
    {"pair_export": "RAW", "key_overrides": {"keep": 5}},
    {"key_overrides": "K", "ollama_url": 5},
    {"decode_workers": "٤"},
]


def _by_pydantic(values: dict[str, Any]) -> Settings | list[tuple[tuple[Any, ...], str]]:
    from pydantic import ValidationError

    try:
        model = pydantic_model()(**values)
    except ValidationError as exc:
        return [(tuple(e["loc"]), str(e["msg"])) for e in exc.errors()]
    return Settings(**{name: getattr(model, name) for name in FIELDS})


@pytest.mark.parametrize("values", CASES, ids=range(len(CASES)))
def test_both_paths_give_pydantic_s_answer(values: dict[str, Any]) -> None:
    expected = _by_pydantic(values)
    try:
        got: Settings | list[tuple[tuple[Any, ...], str]] = validate(values)
    except InvalidSettings as exc:
        got = exc.problems
    assert got == expected
    if isinstance(got, Settings):  # the same types too (70 → 70.0 for a float setting)
        types = {k: type(v) for k, v in asdict(got).items()}
        assert types == {k: type(v) for k, v in asdict(expected).items()}  # type: ignore[arg-type]


def test_a_refusal_names_the_field_in_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(None, {"CURATOR_DECODE_WORKERS": "0"})
    assert str(err.value) == (
        "Invalid setting — decode_workers: Input should be greater than or equal to 1"
    )


def _loaded_in_child(tmp_path: Path, env: dict[str, str]) -> list[str]:
    script = (
        "import sys; from curator.settings import load_settings; from pathlib import Path; "
        "s = load_settings(Path(sys.argv[1])); "
        "print(s.gallery_cell_size, s.clip_auto_download, 'pydantic' in sys.modules)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CURATOR_")}
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "settings.json")],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=REPO,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_a_file_curator_wrote_loads_without_pydantic(tmp_path: Path) -> None:
    written = Settings(gallery_cell_size=260, key_overrides={"keep": "K"}, match_threshold=65.0)
    save_settings(tmp_path / "settings.json", written)
    assert json.loads((tmp_path / "settings.json").read_text())["gallery_cell_size"] == 260
    assert _loaded_in_child(tmp_path, {"CURATOR_CLIP_AUTO_DOWNLOAD": "0"}) == [
        "260",
        "False",
        "False",
    ]
    # Text pydantic must read (here: "off") loads it, with the same answer.
    assert _loaded_in_child(tmp_path, {"CURATOR_CLIP_AUTO_DOWNLOAD": "off"}) == [
        "260",
        "False",
        "True",
    ]


def test_saving_keeps_a_file_that_is_not_a_settings_object(tmp_path: Path) -> None:
    """The dialog's OK never writes over a settings file it cannot read as one."""
    file = tmp_path / "settings.json"
    file.write_text('["not", "settings"]', encoding="utf-8")
    with pytest.raises(SettingsError, match="must hold a JSON object"):
        save_changes(file, {"backup_keep": 3})
    assert file.read_text(encoding="utf-8") == '["not", "settings"]'
    file.write_text('{"backup_keep": 2}', encoding="utf-8")
    save_changes(file, {"gallery_cell_size": 300})
    assert json.loads(file.read_text()) == {"backup_keep": 2, "gallery_cell_size": 300}
