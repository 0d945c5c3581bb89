"""Which server the describer talks to and how it asks for JSON (issue 10 §4):
OpenAI-compatible servers through `llm_base_url`, the switch to the schema in
the prompt when a server refuses structured output, and what `curator doctor`
says about Ollama's version and the tested vision models."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from curator.install.doctor import run_checks, run_doctor
from curator.llm.client import Describer
from curator.llm.config import LLMConfig
from curator.llm.errors import LLMRequestRejected
from curator.llm.health import MIN_OLLAMA_VERSION, TESTED_VISION_MODELS, check_llm, parse_version
from curator.pipeline.stages.judgments import llm_config
from curator.settings import SettingsError, load_settings
from tests.llm_server import FakeOllama, Reply, does_not_support_tools, invalid_schema

JPEG = b"\xff\xd8\xff\xe0fake-jpeg-bytes\xff\xd9"


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama() as srv:
        yield srv


def _ollama(url: str, **kw: object) -> LLMConfig:
    return LLMConfig(base_url=url, timeout_s=5.0, backoff_s=0.001, **kw)  # type: ignore[arg-type]


def _compatible(url: str, model: str = "qwen2.5-vl-7b-instruct") -> LLMConfig:
    return llm_config(
        load_settings(None, {"CURATOR_LLM_BASE_URL": url, "CURATOR_LLM_MODEL": model})
    )


# -- the schema refused: ask again with the schema in the prompt ----------------------


@pytest.mark.parametrize("refusal", [does_not_support_tools(), invalid_schema()])
def test_a_refused_schema_switches_to_the_prompt_and_describes(
    server: FakeOllama, refusal: Reply
) -> None:
    server.script(refusal)
    describer = Describer(_ollama(server.url))
    meta = describer.describe(JPEG)
    assert meta.subject == "An old fisherman mending a net on a harbour wall"
    first, second = server.chat_requests
    assert first.response_format["type"] == "json_schema"
    assert second.response_format is None  # no grammar asked for this time...
    prompt = "\n".join(second.texts())
    assert "suggested_tags" in prompt and "lighting_critique" in prompt  # ...the schema is here
    assert describer.json_mode == "prompt"
    # The switch holds for the rest of the session: no second refused request.
    describer.describe(JPEG)
    assert len(server.chat_requests) == 3
    assert server.chat_requests[2].response_format is None


def test_a_refusal_in_prompt_mode_is_reported_not_looped(server: FakeOllama) -> None:
    server.set_default(invalid_schema())
    describer = Describer(_ollama(server.url))
    with pytest.raises(LLMRequestRejected) as caught:
        describer.describe(JPEG)
    assert "HTTP 400" in caught.value.message
    assert len(server.chat_requests) == 2  # the schema once, the prompt once; no more


def test_another_400_does_not_switch_modes(server: FakeOllama) -> None:
    server.script(Reply.error(400, {"error": {"message": "image too large", "type": "x"}}))
    describer = Describer(_ollama(server.url))
    with pytest.raises(LLMRequestRejected):
        describer.describe(JPEG)
    assert describer.json_mode == "schema"
    assert len(server.chat_requests) == 1


def test_prompt_mode_from_the_settings_sends_no_response_format(server: FakeOllama) -> None:
    config = llm_config(
        load_settings(None, {"CURATOR_OLLAMA_URL": server.url, "CURATOR_LLM_JSON_MODE": "prompt"})
    )
    assert config.json_mode == "prompt"
    Describer(config).describe(JPEG)
    (request,) = server.chat_requests
    assert request.response_format is None
    assert request.body["temperature"] == 0


def test_an_unknown_json_mode_is_refused_by_the_settings() -> None:
    with pytest.raises(
        SettingsError, match=r"llm_json_mode: .*'tools' is not a structured-output mode"
    ):
        load_settings(None, {"CURATOR_LLM_JSON_MODE": "tools"})


# -- OpenAI-compatible servers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "api"),
    [
        ("http://localhost:1234/v1", "http://localhost:1234/v1"),
        ("localhost:8080", "http://localhost:8080/v1"),
        ("http://gpu:8000/", "http://gpu:8000/v1"),
        ("https://box/openai/v1/", "https://box/openai/v1"),
    ],
)
def test_the_compatible_api_url(base: str, api: str) -> None:
    config = _compatible(base)
    assert config.is_compatible and not config.is_ollama
    assert config.api_url == api


def test_llm_base_url_selects_the_compatible_server() -> None:
    config = _compatible("http://localhost:1234/v1", "ollama/llava")
    assert config.provider == "compatible/llava"  # an "ollama/" prefix is dropped
    assert config.model_name == "llava"
    assert not _from_empty_base().is_compatible


def _from_empty_base() -> LLMConfig:
    return llm_config(load_settings(None, {"CURATOR_LLM_BASE_URL": "  "}))


def test_a_compatible_server_describes_with_the_model_name(server: FakeOllama) -> None:
    server.set_models("qwen2.5-vl-7b-instruct")
    config = _compatible(f"{server.url}/v1")
    meta = Describer(config).describe(JPEG)
    assert meta.content_type.value == "portrait"
    (request,) = server.chat_requests
    assert request.body["model"] == "qwen2.5-vl-7b-instruct"
    assert request.body["temperature"] == 0 and request.body["max_tokens"] == 512
    assert request.response_format["type"] == "json_schema"
    assert "tools" not in request.body  # no tool calling needed
    assert request.headers["authorization"] == "Bearer not-needed"


def test_a_compatible_server_gets_the_key_from_the_environment(
    server: FakeOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CURATOR_LLM_API_KEY", "sk-local-123")
    Describer(_compatible(server.url)).describe(JPEG)
    assert server.chat_requests[0].headers["authorization"] == "Bearer sk-local-123"


def test_health_of_a_compatible_server(server: FakeOllama) -> None:
    server.set_models("qwen2.5-vl-7b-instruct", "gemma-3-4b")
    listed = check_llm(_compatible(server.url))
    assert listed.ok and listed.model_installed is True
    other = check_llm(_compatible(server.url, "llava"))
    # llama.cpp serves one model under any name: not listed is "unknown", not missing.
    assert other.ok and other.model_installed is None
    assert "qwen2.5-vl-7b-instruct" in other.message and "'llava'" in other.message


def test_health_of_a_compatible_server_that_is_down() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    report = check_llm(_compatible(f"http://127.0.0.1:{port}/v1"))
    assert not report.ok
    assert report.message.startswith(
        f"No OpenAI-compatible server answers at http://127.0.0.1:{port}/v1"
    )
    assert "CURATOR_LLM_BASE_URL" in report.message


# -- Ollama's version and the doctor ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("0.6.2", (0, 6, 2)),
        ("0.5.0-rc1", (0, 5, 0)),
        ("v0.12", (0, 12, 0)),
        ("0.4.7", (0, 4, 7)),
        ("", None),
        ("dev", None),
        (None, None),
    ],
)
def test_parse_version(text: str | None, parsed: tuple[int, ...] | None) -> None:
    assert parse_version(text) == parsed


def test_an_old_ollama_is_named_with_the_version_it_needs() -> None:
    assert MIN_OLLAMA_VERSION == (0, 5, 0)
    with FakeOllama(version="0.4.7") as old:
        report = check_llm(_ollama(old.url))
        settings = load_settings(None, {"CURATOR_OLLAMA_URL": old.url})
        checks = {c.name: c for c in run_checks(settings)}
    assert report.message.startswith("Ollama 0.4.7 is older than 0.5")
    assert not checks["ollama"].ok and "older than 0.5" in checks["ollama"].message
    assert checks["llm_model"].ok


def test_doctor_names_the_tested_models_with_sizes(server: FakeOllama) -> None:
    settings = load_settings(
        None,
        {
            "CURATOR_OLLAMA_URL": server.url,
            "CURATOR_CLIP_PRETRAINED": "/nonexistent/weights.pt",
        },
    )
    out = io.StringIO()
    code = run_doctor(settings, json_output=False, out=out)
    text = out.getvalue()
    assert code == 1  # the CLIP weights are missing
    assert "✓ ollama: Ollama 0.6.2 answers at" in text
    line = next(x for x in text.splitlines() if x.startswith("✓ vision_models:"))
    for model in TESTED_VISION_MODELS:
        assert f"{model.name} ({model.download}," in line
    assert {"llava", "gemma3:4b", "qwen2.5vl:3b", "qwen2.5vl:7b", "minicpm-v", "moondream"} == {
        m.name for m in TESTED_VISION_MODELS
    }
    assert "Ollama 0.5 or later" in line
