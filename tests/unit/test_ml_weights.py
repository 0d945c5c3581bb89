"""Finding CLIP weights without torch: the static tag table, the Hugging Face cache
layout, and `curator models pull` offline (a probe, one line, before any retry)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from curator.ml.clip_fetch import (
    download_probe,
    model_unavailable_message,
    weights_present,
    weights_status,
)
from curator.ml.config import ClipConfig, ModelUnavailable
from curator.ml.embedder import ClipEmbedder
from curator.ml.weights import KNOWN_TAGS, Presence, hf_hub_cache

REPO = Path(__file__).resolve().parents[2]
L14_REPO = "models--timm--vit_large_patch14_clip_224.openai"


def _fake_hf_weights(
    hub: Path, repo: str = L14_REPO, name: str = "open_clip_model.safetensors"
) -> Path:
    """The layout huggingface_hub leaves after a download: refs/main -> snapshots/<commit>/."""
    snapshot = hub / repo / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (hub / repo / "refs").mkdir()
    (hub / repo / "refs" / "main").write_text("0123abcd")
    weights = snapshot / name
    weights.write_bytes(b"not really weights")
    return weights


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the with-block ends: connects are refused


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "HUGGINGFACE_", "CURATOR_CLIP", "XDG_CACHE"))
        and k != "TRANSFORMERS_OFFLINE"
    }
    env.update(PYTHONPATH=str(REPO), CURATOR_HOME=str(tmp_path / "home"), HOME=str(tmp_path))
    env.update(extra)
    return env


_CHECK = (
    "import json, sys\n"
    "from curator.ml.config import ClipConfig\n"
    "from curator.ml.embedder import weights_present, model_unavailable_message\n"
    "config = ClipConfig(pretrained=sys.argv[1])\n"
    "print(json.dumps({'present': weights_present(config),\n"
    "                  'message': model_unavailable_message(config),\n"
    "                  'torch': 'torch' in sys.modules,\n"
    "                  'open_clip': 'open_clip' in sys.modules}))\n"
)


def _check_in_child(tmp_path: Path, pretrained: str = "openai", **env: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _CHECK, pretrained],
        env=_clean_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_absent_weights_are_decided_without_torch_and_say_what_to_do(tmp_path: Path) -> None:
    result = _check_in_child(tmp_path, HF_HUB_CACHE=str(tmp_path / "empty-hub"))
    assert result["present"] is False
    assert result["torch"] is False and result["open_clip"] is False
    message = str(result["message"])
    assert "are not on this computer" in message
    assert "curator models pull" in message and "checkpoint file" in message
    assert "could not be downloaded" not in message  # nothing was tried


@pytest.mark.parametrize("variable", ["HF_HUB_CACHE", "HF_HOME"])
def test_cached_weights_are_found_without_torch(tmp_path: Path, variable: str) -> None:
    root = tmp_path / "hf"
    _fake_hf_weights(root / "hub" if variable == "HF_HOME" else root)
    result = _check_in_child(tmp_path, **{variable: str(root)})
    assert result["present"] is True
    assert result["torch"] is False and result["open_clip"] is False


def test_a_checkpoint_path_is_decided_without_torch(tmp_path: Path) -> None:
    checkpoint = tmp_path / "clip.pt"
    checkpoint.write_bytes(b"x")
    assert _check_in_child(tmp_path, str(checkpoint))["present"] is True
    missing = _check_in_child(tmp_path, str(tmp_path / "none.pt"))
    assert missing["present"] is False and missing["torch"] is False
    assert "does not exist" in str(missing["message"])


def test_the_hub_cache_follows_huggingface_hubs_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert hf_hub_cache() == str(tmp_path / ".cache" / "huggingface" / "hub")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hf_hub_cache() == str(tmp_path / "xdg" / "huggingface" / "hub")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hf_hub_cache() == str(tmp_path / "home" / "hub")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    assert hf_hub_cache() == str(tmp_path / "hub")
    assert hf_hub_cache(str(tmp_path / "mine")) == str(tmp_path / "mine")  # the config's own


def test_an_explicit_cache_dir_and_the_pytorch_bin_name_are_found(tmp_path: Path) -> None:
    weights = _fake_hf_weights(tmp_path, L14_REPO, "open_clip_pytorch_model.bin")
    config = ClipConfig(cache_dir=str(tmp_path))
    status = weights_status(config)
    assert status.presence is Presence.PRESENT and status.path == str(weights)
    assert weights_present(config)


def test_a_url_download_in_the_clip_cache_counts(tmp_path: Path) -> None:
    (tmp_path / "ViT-L-14.pt").write_bytes(b"x")  # what open_clip's URL download leaves
    assert weights_present(ClipConfig(cache_dir=str(tmp_path)))


def test_a_tag_outside_the_table_is_unknown(tmp_path: Path) -> None:
    status = weights_status(ClipConfig(model_name="RN50", pretrained="yfcc15m"))
    assert status.presence is Presence.UNKNOWN


def test_the_tag_table_matches_open_clips_registry() -> None:
    from open_clip import pretrained as oc

    for (model, tag), source in KNOWN_TAGS.items():
        cfg = oc.get_pretrained_cfg(model, tag)
        assert cfg, (model, tag)
        assert source.hf_hub == cfg.get("hf_hub", ""), (model, tag)
        assert source.url_file == os.path.basename(cfg.get("url", "")), (model, tag)
    for tag in oc.list_pretrained_tags_by_model("ViT-L-14"):
        assert ("ViT-L-14", tag) in KNOWN_TAGS  # the default family is complete


def test_pull_with_the_weights_here_returns_them_without_downloading(tmp_path: Path) -> None:
    weights = _fake_hf_weights(tmp_path)
    assert ClipEmbedder(ClipConfig(cache_dir=str(tmp_path))).pull(progress=False) == str(weights)


def test_the_probe_names_an_unreachable_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    port = _closed_port()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    message = download_probe(ClipConfig(cache_dir=str(tmp_path)))
    assert message is not None and f"127.0.0.1:{port}" in message and "offline?" in message
    with pytest.raises(ModelUnavailable) as info:
        ClipEmbedder(ClipConfig(cache_dir=str(tmp_path))).pull(progress=False)
    assert info.value.message == message
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    offline = download_probe(ClipConfig())
    assert offline is not None and "HF_HUB_OFFLINE" in offline


def test_models_pull_offline_is_one_line_without_torch(tmp_path: Path) -> None:
    port = _closed_port()
    script = (
        "import sys\n"
        "from curator import cli\n"
        "rc = cli.main(['--catalog', sys.argv[1], 'models', 'pull'])\n"
        "print('torch' in sys.modules)\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "c.sqlite")],
        env=_clean_env(
            tmp_path,
            HF_HUB_CACHE=str(tmp_path / "empty-hub"),
            HF_ENDPOINT=f"http://127.0.0.1:{port}",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("curator: Can't reach 127.0.0.1:") and "offline?" in lines[0]
    assert done.stdout.strip() == "False"  # no torch: nothing past the probe ran


def test_model_unavailable_message_of_a_missing_local_dir() -> None:
    config = ClipConfig(model_name="local-dir:/no/such/folder")
    assert not weights_present(config)
    assert "does not exist" in model_unavailable_message(config)
