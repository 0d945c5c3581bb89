"""The describe client against a real HTTP server that plays Ollama (tests/llm_server.py).

Every fault mode of docs/product.md's failure rules: Ollama down, model not pulled
(404), rate limited (429), busy (503), timeouts and malformed output — retried
and then reported in a sentence that says what to do.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from curator.llm.client import (
    DescribeFailure,
    Describer,
    DescribeRequest,
    DescribeResult,
    run_describe,
)
from curator.llm.config import LLMConfig, provider_for
from curator.llm.errors import (
    LLMBadOutput,
    LLMConfigError,
    LLMModelMissing,
    LLMTransientError,
    LLMUnavailable,
)
from curator.llm.health import check_llm, model_is_installed
from curator.llm.prompt import PROMPT_VERSION, USER_PROMPT
from curator.llm.schema import ContentType, PhotoMetadata
from tests.llm_server import FakeOllama, Reply, busy, model_not_found, rate_limited

JPEG = b"\xff\xd8\xff\xe0fake-jpeg-bytes\xff\xd9"
# conftest clears CURATOR_* per test; the opt-in real-Ollama test reads them from here.
_ENV_AT_IMPORT = dict(os.environ)


def _from_env(env: dict[str, str]) -> LLMConfig:
    """The LLM config the app builds from CURATOR_* variables (settings registry)."""
    from curator.pipeline.stages.judgments import llm_config
    from curator.settings import load_settings

    return llm_config(load_settings(None, env))


@pytest.fixture
def server() -> Iterator[FakeOllama]:
    with FakeOllama() as srv:
        yield srv


def _config(url: str, **overrides: float | int | str) -> LLMConfig:
    values: dict[str, float | int | str] = {
        "base_url": url,
        "timeout_s": 5.0,
        "backoff_s": 0.001,
        "transport_retries": 3,
        "max_retries": 2,
    }
    values.update(overrides)
    return LLMConfig(**values)  # type: ignore[arg-type]


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- configuration -------------------------------------------------------------


def test_defaults() -> None:
    config = LLMConfig()
    assert config.provider == "ollama/llava"
    assert config.base_url == "http://localhost:11434"
    assert (config.timeout_s, config.max_retries, config.transport_retries) == (120, 2, 3)
    assert config.is_ollama
    assert config.model_name == "llava"
    assert config.stage_version == f"{PROMPT_VERSION}|ollama/llava"


@pytest.mark.parametrize(
    ("env", "provider", "base_url"),
    [
        ({}, "ollama/llava", "http://localhost:11434"),
        ({"CURATOR_LLM_MODEL": "llava:13b"}, "ollama/llava:13b", "http://localhost:11434"),
        (
            {"CURATOR_LLM_MODEL": "openai/gpt-4o-mini"},
            "openai/gpt-4o-mini",
            "http://localhost:11434",
        ),
        (
            {"CURATOR_LLM_MODEL": "hf.co/org/vision-7b"},
            "ollama/hf.co/org/vision-7b",
            "http://localhost:11434",
        ),
        ({"CURATOR_OLLAMA_URL": "http://gpu-box:11434"}, "ollama/llava", "http://gpu-box:11434"),
    ],
)
def test_llm_config_from_env(env: dict[str, str], provider: str, base_url: str) -> None:
    config = _from_env(env)
    assert (config.provider, config.base_url) == (provider, base_url)


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("llava", "ollama/llava"),
        (" llava:13b ", "ollama/llava:13b"),
        ("ollama/bakllava", "ollama/bakllava"),
        ("anthropic/claude-3-5-haiku-latest", "anthropic/claude-3-5-haiku-latest"),
        ("hf.co/org/vision-7b", "ollama/hf.co/org/vision-7b"),
    ],
)
def test_provider_for(model: str, provider: str) -> None:
    assert provider_for(model) == provider


@pytest.mark.parametrize(
    ("base_url", "root"),
    [
        ("http://localhost:11434", "http://localhost:11434"),
        ("http://localhost:11434/", "http://localhost:11434"),
        ("http://localhost:11434/v1", "http://localhost:11434"),
        ("gpu-box:11434", "http://gpu-box:11434"),
    ],
)
def test_root_url(base_url: str, root: str) -> None:
    assert LLMConfig(base_url=base_url).root_url == root


def test_model_name_matching() -> None:
    assert model_is_installed("llava", ("llava:latest",))
    assert model_is_installed("llava:13b", ("llava:13b", "llava:latest"))
    assert not model_is_installed("llava:13b", ("llava:latest",))
    assert not model_is_installed("llava", ("llava:13b",))
    assert not model_is_installed("llava", ("llava-llama3:latest",))


# -- health check --------------------------------------------------------------


def test_health_with_the_model(server: FakeOllama) -> None:
    report = check_llm(_config(server.url))
    assert report.reachable and report.model_installed and report.ok
    assert report.version == "0.6.2"
    assert report.models == ("llava:latest",)
    assert "running" in report.message
    paths = [r.path for r in server.requests]
    assert paths == ["/api/version", "/api/tags"]


def test_health_without_the_model(server: FakeOllama) -> None:
    server.set_models("llama3:latest", "llava:13b")
    report = check_llm(_config(server.url))
    assert report.reachable and report.model_installed is False and not report.ok
    assert report.models == ("llama3:latest", "llava:13b")
    assert report.message == "Model 'llava' is not installed — run `ollama pull llava`"


def test_health_for_a_tagged_model(server: FakeOllama) -> None:
    server.set_models("llava:13b")
    config = _from_env({"CURATOR_LLM_MODEL": "llava:13b", "CURATOR_OLLAMA_URL": server.url})
    assert check_llm(config).model_installed is True


def test_health_when_nothing_listens() -> None:
    url = _closed_port_url()
    report = check_llm(_config(url))
    assert not report.reachable and not report.ok
    assert report.message == f"Ollama is not running at {url} — start it with `ollama serve`"


def test_health_when_the_server_is_not_ollama(server: FakeOllama) -> None:
    server.fail_tags(Reply.error(500, {"error": "boom"}))
    report = check_llm(_config(server.url))
    assert report.reachable and report.model_installed is None
    assert "CURATOR_OLLAMA_URL" in report.message


def test_health_for_another_provider() -> None:
    report = check_llm(LLMConfig(provider="openai/gpt-4o"))
    assert report.reachable and report.model_installed is None
    assert "No health check is available" in report.message


# -- describe ------------------------------------------------------------------


def test_describe_happy_path(server: FakeOllama) -> None:
    meta = Describer(_config(server.url)).describe(JPEG)
    assert meta.subject == "An old fisherman mending a net on a harbour wall"
    assert meta.content_type is ContentType.PORTRAIT
    assert len(meta.suggested_tags) == 6

    (request,) = server.chat_requests
    assert request.body["model"] == "llava"
    assert request.body["response_format"]["type"] == "json_schema"  # see the next test
    assert request.headers["x-curator-prompt-version"] == PROMPT_VERSION
    (url,) = request.image_urls()
    prefix = "data:image/jpeg;base64,"
    assert url.startswith(prefix)
    assert base64.b64decode(url[len(prefix) :]) == JPEG
    assert USER_PROMPT in request.texts()


def test_describe_cleans_a_messy_reply(server: FakeOllama) -> None:
    server.script(Reply.golden("describe_messy"))
    meta = Describer(_config(server.url)).describe(JPEG)
    assert meta.content_type is ContentType.OTHER
    assert meta.suggested_tags[:3] == ["sunset", "golden hour", "beach"]
    assert len(meta.suggested_tags) == 7


@pytest.mark.parametrize("native", [False, True])
def test_model_not_pulled(server: FakeOllama, native: bool) -> None:
    server.set_default(model_not_found("llava", native=native))
    with pytest.raises(LLMModelMissing) as info:
        Describer(_config(server.url)).describe(JPEG)
    assert info.value.message == "Model 'llava' is not installed — run `ollama pull llava`"
    assert not info.value.skip
    assert "404" in info.value.detail
    assert len(server.chat_requests) == 1  # a 404 is not retried


@pytest.mark.parametrize("fault", [rate_limited, busy], ids=["429", "503"])
def test_transient_faults_then_success(server: FakeOllama, fault: object) -> None:
    assert callable(fault)
    server.script(fault(), fault())
    meta = Describer(_config(server.url)).describe(JPEG)
    assert meta.content_type is ContentType.PORTRAIT
    assert len(server.chat_requests) == 3


def test_persistent_busy_gives_up_with_a_sentence(server: FakeOllama) -> None:
    server.set_default(busy())
    with pytest.raises(LLMTransientError) as info:
        Describer(_config(server.url, transport_retries=2)).describe(JPEG)
    assert info.value.message == (
        "Ollama kept answering 'busy' (HTTP 503) after 3 tries — try again later "
        "or lower the LLM concurrency in settings."
    )
    assert info.value.transient and not info.value.skip
    assert len(server.chat_requests) == 3


def test_backoff_doubles(server: FakeOllama) -> None:
    server.set_default(busy())
    start = time.monotonic()
    with pytest.raises(LLMTransientError):
        Describer(_config(server.url, transport_retries=3, backoff_s=0.05)).describe(JPEG)
    assert time.monotonic() - start >= 0.05 + 0.1 + 0.2


def test_timeout(server: FakeOllama) -> None:
    server.set_default(Reply.slow(5.0))
    start = time.monotonic()
    with pytest.raises(LLMTransientError) as info:
        Describer(_config(server.url, timeout_s=0.2, transport_retries=1)).describe(JPEG)
    assert time.monotonic() - start < 3.0
    assert "did not answer within 0.2 s (2 tries)" in info.value.message
    assert len(server.chat_requests) == 2


def test_timeout_then_success(server: FakeOllama) -> None:
    server.script(Reply.slow(5.0))
    meta = Describer(_config(server.url, timeout_s=0.3)).describe(JPEG)
    assert meta.subject


def test_ollama_gets_the_schema_as_structured_output_at_temperature_0(
    server: FakeOllama,
) -> None:
    """Ollama's structured outputs: the JSON schema as `response_format` (a
    decoding grammar there), temperature 0 and a token bound."""
    server.script(Reply.golden("describe_ok"))
    Describer(_config(server.url)).describe(JPEG)
    (request,) = server.chat_requests
    body = request.body
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]["schema"]
    assert set(schema["required"]) == {
        "subject",
        "content_type",
        "lighting_critique",
        "artistic_mood",
        "suggested_tags",
    }
    assert body["temperature"] == 0 and 0 < body["max_tokens"] <= 1024


def test_tags_as_one_string_are_coerced_not_re_asked(server: FakeOllama) -> None:
    """Real llava output: the tags as one comma-separated string. A person reads
    it fine, so it is split, and the model is asked once."""
    server.script(Reply.golden("describe_tags_string"))
    meta = Describer(_config(server.url)).describe(JPEG)
    assert meta.suggested_tags == ["fisherman", "harbour", "fishing net", "morning light"]
    assert len(server.chat_requests) == 1


@pytest.mark.parametrize("bad", ["describe_malformed"])
def test_bad_output_then_good_is_re_asked(server: FakeOllama, bad: str) -> None:
    server.script(Reply.golden(bad))
    meta = Describer(_config(server.url)).describe(JPEG)
    assert meta.content_type is ContentType.PORTRAIT
    first, second = server.chat_requests
    # instructor's re-ask carries the model's bad answer and the validation error.
    roles = [m["role"] for m in second.messages()]
    assert roles[-2:] == ["assistant", "user"]
    assert "PhotoMetadata" in second.texts()[-1]
    assert second.image_urls() == first.image_urls()


def test_always_malformed_is_bad_output(server: FakeOllama) -> None:
    server.set_default(Reply.content("I think this is a lovely photo of a dog!"))
    with pytest.raises(LLMBadOutput) as info:
        Describer(_config(server.url, max_retries=2)).describe(JPEG)
    assert info.value.message.startswith(
        "The model's answer could not be read as a photo description after 3 tries"
    )
    assert not info.value.skip and not info.value.transient
    assert len(server.chat_requests) == 3


def test_connection_refused_is_unavailable() -> None:
    url = _closed_port_url()
    with pytest.raises(LLMUnavailable) as info:
        Describer(_config(url, transport_retries=2)).describe(JPEG)
    assert info.value.skip
    assert info.value.message == f"Ollama is not running at {url} — start it with `ollama serve`"
    assert "Connection" in info.value.detail


def test_unknown_provider_is_a_config_error() -> None:
    with pytest.raises(LLMConfigError) as info:
        Describer(LLMConfig(provider="nosuchprovider/model")).describe(JPEG)
    assert "nosuchprovider" in info.value.message


def test_provider_without_its_api_key_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, preview: Path
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    config = LLMConfig(provider="openai/gpt-4o-mini")
    outcome = run_describe(DescribeRequest(2, str(preview), config), Describer(config))
    assert isinstance(outcome, DescribeFailure)
    assert outcome.error_type == "LLMConfigError"
    assert "openai/gpt-4o-mini" in outcome.message
    assert not outcome.skip and not outcome.transient


def test_close_cuts_a_backoff_short(server: FakeOllama) -> None:
    # The client libraries load before the clock starts: importing them took
    # seconds on a loaded 2-core machine, which is not the backoff under test.
    import instructor  # noqa: F401
    import openai  # noqa: F401
    from PIL import Image  # noqa: F401

    server.set_default(busy())
    describer = Describer(_config(server.url, backoff_s=30.0))
    threading.Timer(0.3, describer.close).start()
    start = time.monotonic()
    with pytest.raises(LLMTransientError):
        describer.describe(JPEG)
    assert time.monotonic() - start < 5.0
    with pytest.raises(LLMUnavailable) as info:  # a closed describer asks nothing more
        describer.describe(JPEG)
    assert info.value.skip and "shutting down" in info.value.message


def test_one_describer_serves_many_threads(server: FakeOllama) -> None:
    describer = Describer(_config(server.url))
    results: list[PhotoMetadata] = []
    lock = threading.Lock()

    def work() -> None:
        meta = describer.describe(JPEG)
        with lock:
            results.append(meta)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(results) == 4
    assert len(server.chat_requests) == 4


# -- run_describe --------------------------------------------------------------


@pytest.fixture
def preview(tmp_path: Path) -> Path:
    path = tmp_path / "preview.jpg"
    path.write_bytes(JPEG)
    return path


def test_run_describe_result(server: FakeOllama, preview: Path) -> None:
    config = _config(server.url)
    outcome = run_describe(DescribeRequest(7, str(preview), config), Describer(config))
    assert isinstance(outcome, DescribeResult)
    assert outcome.photo_id == 7
    assert outcome.content_type == "portrait"
    assert outcome.tags[0] == "fisherman"
    assert outcome.model == "ollama/llava"
    assert outcome.prompt_version == PROMPT_VERSION


def _sent_image(request: Any) -> Any:
    import io

    from PIL import Image

    (url,) = request.image_urls()
    data = base64.b64decode(url.split(",", 1)[1])
    return data, Image.open(io.BytesIO(data))


def test_run_describe_sends_the_preview_at_1024_px(server: FakeOllama, tmp_path: Path) -> None:
    """A 1440 px cache preview reaches the model at 1024 px (prompt time grows
    with pixels); a smaller one goes byte for byte."""
    from PIL import Image

    config = _config(server.url)
    big, small = tmp_path / "big.jpg", tmp_path / "small.jpg"
    Image.new("RGB", (1440, 960), (90, 120, 200)).save(big, quality=90)
    Image.new("RGB", (800, 600), (200, 120, 90)).save(small, quality=90)
    for i, path in enumerate((big, small)):
        outcome = run_describe(DescribeRequest(i, str(path), config), Describer(config))
        assert isinstance(outcome, DescribeResult)
    _, sent_big = _sent_image(server.chat_requests[0])
    assert sent_big.format == "JPEG" and sent_big.size == (1024, 683)
    data, sent_small = _sent_image(server.chat_requests[1])
    assert data == small.read_bytes() and sent_small.size == (800, 600)


def test_run_describe_missing_preview(server: FakeOllama, tmp_path: Path) -> None:
    config = _config(server.url)
    request = DescribeRequest(1, str(tmp_path / "gone.jpg"), config)
    outcome = run_describe(request, Describer(config))
    assert isinstance(outcome, DescribeFailure)
    assert outcome.error_type == "PreviewMissing"
    assert "re-import" in outcome.message
    assert not server.chat_requests


def test_run_describe_empty_preview(server: FakeOllama, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    config = _config(server.url)
    outcome = run_describe(DescribeRequest(1, str(empty), config), Describer(config))
    assert isinstance(outcome, DescribeFailure)
    assert "empty" in outcome.message


@pytest.mark.parametrize(
    ("reply", "error_type", "skip", "transient", "words"),
    [
        (model_not_found(), "LLMModelMissing", False, False, "ollama pull llava"),
        (busy(), "LLMTransientError", False, True, "HTTP 503"),
        (rate_limited(), "LLMTransientError", False, True, "HTTP 429"),
        (Reply.error(500, {"error": "boom"}), "LLMTransientError", False, True, "HTTP 500"),
        (Reply.content("{not json"), "LLMBadOutput", False, False, "could not be read"),
        (
            Reply.error(400, {"error": {"message": "llava does not support images"}}),
            "LLMRequestRejected",
            False,
            False,
            "cannot look at images",
        ),
    ],
)
def test_run_describe_maps_faults(
    server: FakeOllama,
    preview: Path,
    reply: Reply,
    error_type: str,
    skip: bool,
    transient: bool,
    words: str,
) -> None:
    server.set_default(reply)
    config = _config(server.url, transport_retries=1, max_retries=1)
    outcome = run_describe(DescribeRequest(3, str(preview), config), Describer(config))
    assert isinstance(outcome, DescribeFailure)
    assert (outcome.error_type, outcome.skip, outcome.transient) == (error_type, skip, transient)
    assert words in outcome.message
    assert outcome.detail
    assert outcome.photo_id == 3


def test_run_describe_when_ollama_is_down(preview: Path) -> None:
    config = _config(_closed_port_url(), transport_retries=0)
    outcome = run_describe(DescribeRequest(4, str(preview), config), Describer(config))
    assert isinstance(outcome, DescribeFailure)
    assert outcome.skip and outcome.error_type == "LLMUnavailable"
    assert "ollama serve" in outcome.message


class _ExplodingDescriber:
    def describe(self, jpeg_bytes: bytes) -> PhotoMetadata:
        raise RuntimeError("bug")


def test_run_describe_never_raises(preview: Path) -> None:
    outcome = run_describe(DescribeRequest(5, str(preview), LLMConfig()), _ExplodingDescriber())
    assert isinstance(outcome, DescribeFailure)
    assert outcome.error_type == "RuntimeError"
    assert "internal error" in outcome.message
    assert "bug" in outcome.detail


# -- a real Ollama (opt-in) ----------------------------------------------------


@pytest.mark.ollama
@pytest.mark.skipif(
    _ENV_AT_IMPORT.get("CURATOR_TEST_OLLAMA") != "1",
    reason="needs a real Ollama with llava pulled; set CURATOR_TEST_OLLAMA=1 to run",
)
def test_real_ollama_describes_a_photo(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "preview.jpg"
    Image.new("RGB", (320, 240), (200, 120, 40)).save(path, "JPEG")
    # llava at http://localhost:11434 unless CURATOR_OLLAMA_URL / CURATOR_LLM_MODEL say otherwise
    config = _from_env(_ENV_AT_IMPORT)
    health = check_llm(config)
    assert health.ok, health.message
    outcome = run_describe(DescribeRequest(1, str(path), config), Describer(config))
    assert isinstance(outcome, DescribeResult), outcome
    assert 3 <= len(outcome.tags) <= 7
