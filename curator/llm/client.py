"""Talking to the vision LLM: configuration, health check, and the describe call.

- `LLMConfig` is the immutable settings snapshot a worker gets (built from the
  settings registry by `pipeline.stages.judgments.llm_config`).
- `check_llm` answers "is the server running, and is the model there?" with
  a `HealthReport` whose `message` says what to do (used by `curator doctor`
  and by the describe stage before it queues work): Ollama's version (0.5 or
  later is needed for structured outputs) and model list, or an
  OpenAI-compatible server's `/v1/models`.

Servers: Ollama (the default), or any OpenAI-compatible server (LM Studio,
llama.cpp server, vLLM) when `llm_base_url` is set — provider "compatible".
Neither needs tool calling: the schema goes as `response_format` json_schema
(`json_mode` "schema"), or, for a server that rejects that, in the prompt with
the answer read from the text ("prompt"). A server that answers the schema
with "does not support tools" / "invalid JSON schema" switches the describer
to "prompt" for the rest of the session (one retry, not a failure).
- `Describer.describe` sends one preview JPEG and returns a validated
  `PhotoMetadata`, or raises a typed `LLMError` (see llm.errors).
- `run_describe` is the stage body: immutable `DescribeRequest` in,
  `DescribeResult` or `DescribeFailure` out; it never raises for a bad photo
  or a bad LLM.

Two retry loops, the second around the first:
1. instructor re-asks the model when its JSON does not validate as
   `PhotoMetadata`, telling it what was wrong (`max_retries` re-asks, so
   1 + max_retries tries);
2. `Describer` retries *transport* faults (connection refused, 429, 5xx,
   timeouts) with exponential backoff (`transport_retries` extra tries,
   waiting `backoff_s`, 2×, 4×… in between). The SDK's own retries are off
   (ollama and openai providers) so the counts mean what they say; other
   providers keep their SDK's defaults. A 404 (model not pulled) or another
   4xx is not retried.

Threads: one `Describer` may serve the whole LLM pool; the instructor client
is built once, lazily, under a lock, and the openai client it wraps is
thread-safe. `close()` stops any backoff wait at once. instructor and openai
are imported only when the first photo is described (they cost ~2 s), so
importing this module is cheap.
"""

from __future__ import annotations

import base64
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from curator.llm.errors import (
    LLMBadOutput,
    LLMConfigError,
    LLMError,
    LLMModelMissing,
    LLMRequestRejected,
    LLMTransientError,
    LLMUnavailable,
    classify,
    model_missing_message,
    not_running_message,
    schema_refused,
)
from curator.llm.prompt import PROMPT_VERSION, build_messages
from curator.llm.schema import PhotoMetadata

if TYPE_CHECKING:
    import instructor

DEFAULT_PROVIDER = "ollama/llava"
DEFAULT_OLLAMA_URL = "http://localhost:11434"
COMPATIBLE_PROVIDER = "compatible"  # any OpenAI-compatible server at `base_url`
MIN_OLLAMA_VERSION = (0, 5, 0)  # structured outputs (format = JSON schema) arrived in 0.5
JSON_MODES = ("schema", "prompt")


@dataclass(frozen=True)
class VisionModel:
    """A vision model Curator was tested with, for `curator doctor`'s advice."""

    name: str  # what `ollama pull` takes
    download: str  # the Ollama library's download size
    note: str


TESTED_VISION_MODELS: tuple[VisionModel, ...] = (
    VisionModel("llava", "4.7 GB", "the default; good general descriptions"),
    VisionModel("gemma3:4b", "3.3 GB", "lighter and faster, good tags"),
    VisionModel("qwen2.5vl:3b", "3.2 GB", "lighter; reads text in photos well"),
    VisionModel("qwen2.5vl:7b", "6.0 GB", "better descriptions, needs ~8 GB of GPU memory"),
    VisionModel("minicpm-v", "5.5 GB", "detailed descriptions"),
    VisionModel("moondream", "1.7 GB", "the smallest; short descriptions, for slow machines"),
)
_STOPPED_MESSAGE = (
    "Describing stopped because Curator is shutting down; the photo will be described "
    "on the next run."
)
HEALTH_TIMEOUT_S = 10.0  # a health check answers quickly or not at all

# Provider prefixes `instructor.from_provider` understands (instructor 1.17);
# used only to tell "openai/gpt-4o" (a provider string) from a model name
# with a slash such as "hf.co/org/model" (an Ollama model).
KNOWN_PROVIDERS = frozenset(
    {
        "anthropic",
        "anyscale",
        "azure_openai",
        "bedrock",
        "cerebras",
        "cohere",
        "databricks",
        "deepseek",
        "fireworks",
        "gemini",
        "generative-ai",
        "google",
        "groq",
        "litellm",
        "mistral",
        "ollama",
        "openai",
        "openrouter",
        "perplexity",
        "together",
        "vertexai",
        "writer",
        "xai",
    }
)


@dataclass(frozen=True)
class LLMConfig:
    """Settings snapshot for the describe stage (safe to hand to any thread)."""

    provider: str = DEFAULT_PROVIDER  # "provider/model", any instructor provider string
    base_url: str = DEFAULT_OLLAMA_URL  # Ollama's root URL (used for ollama providers only)
    timeout_s: float = 120.0  # per HTTP request; a cold llava load can take a minute
    max_retries: int = 2  # instructor re-asks after output that does not validate
    transport_retries: int = 3  # extra tries after connection/429/5xx/timeout faults
    backoff_s: float = 1.0  # first backoff delay; doubles per try
    json_mode: str = "schema"  # "schema" (response_format json_schema) or "prompt"

    @property
    def provider_name(self) -> str:
        return self.provider.split("/", 1)[0] if "/" in self.provider else "ollama"

    @property
    def model_name(self) -> str:
        return self.provider.split("/", 1)[1] if "/" in self.provider else self.provider

    @property
    def is_ollama(self) -> bool:
        return self.provider_name == "ollama"

    @property
    def is_compatible(self) -> bool:
        """An OpenAI-compatible server at `base_url` (LM Studio, llama.cpp, vLLM)."""
        return self.provider_name == COMPATIBLE_PROVIDER

    @property
    def api_url(self) -> str:
        """The OpenAI-style API root ("…/v1") at `base_url`: `root_url` plus "/v1"
        unless the URL already names a path (e.g. "http://host:8000/openai/v1")."""
        url = self.base_url.strip().rstrip("/")
        if "://" not in url:
            url = f"http://{url}"
        if url.endswith("/v1") or url.split("://", 1)[1].count("/") >= 1:
            return url
        return f"{url}/v1"

    @property
    def root_url(self) -> str:
        """`base_url` with a scheme and without a trailing "/" or "/v1"."""
        url = self.base_url.strip().rstrip("/")
        if "://" not in url:
            url = f"http://{url}"
        return url.removesuffix("/v1")

    @property
    def stage_version(self) -> str:
        """What StageRun records for describe: a new prompt or model re-queues the photo."""
        return f"{PROMPT_VERSION}|{self.provider}"


def provider_for(model: str, provider_name: str = "ollama") -> str:
    """The provider string for a model setting: "llava:13b" → "ollama/llava:13b";
    "openai/gpt-4o" stays; "hf.co/org/model" (no known provider prefix) is an
    Ollama model name → "ollama/hf.co/org/model"."""
    model = model.strip()
    if "/" in model and model.split("/", 1)[0] in KNOWN_PROVIDERS:
        return model
    return f"{provider_name}/{model}"


@dataclass(frozen=True)
class HealthReport:
    """Whether the LLM can be used right now, and what to do if not."""

    reachable: bool
    version: str | None
    model_installed: bool | None  # None: unknown (not checked or not checkable)
    models: tuple[str, ...]
    message: str  # one human sentence

    @property
    def ok(self) -> bool:
        return self.reachable and self.model_installed is not False


def model_is_installed(model: str, installed: tuple[str, ...]) -> bool:
    """Ollama's name matching: "llava" means "llava:latest"; a tag must match exactly."""
    wanted = model if ":" in model else f"{model}:latest"
    return any(name in (model, wanted) for name in installed)


def _refused(url: str, timeout_s: float) -> bool:
    """True when a TCP connect to the URL's host and port is refused outright
    (the common 'Ollama is not running' case). Anything else — a timeout, a
    name that does not resolve — is left to the real HTTP check."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if not parts.hostname:
        return False
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=min(timeout_s, 2.0)):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def parse_version(text: str | None) -> tuple[int, ...] | None:
    """ "0.6.2" → (0, 6, 2); "0.5.0-rc1" → (0, 5, 0); unreadable → None."""
    if not text:
        return None
    import re

    found = re.match(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text.strip())
    if found is None:
        return None
    return tuple(int(g or 0) for g in found.groups())


def version_too_old_message(version: str) -> str:
    need = ".".join(map(str, MIN_OLLAMA_VERSION[:2]))
    return (
        f"Ollama {version} is older than {need}, which structured outputs need — update "
        "Ollama (https://ollama.com/download); until then descriptions fall back to "
        "reading JSON from the model's text."
    )


def check_llm(config: LLMConfig) -> HealthReport:
    """Ask the LLM server whether it runs and has the model. Never raises."""
    if config.is_compatible:
        return check_compatible(config)
    if not config.is_ollama:
        return HealthReport(
            reachable=True,
            version=None,
            model_installed=None,
            models=(),
            message=(
                f"No health check is available for provider '{config.provider_name}'; "
                "problems will show up on the first description."
            ),
        )
    url = config.root_url
    timeout = min(config.timeout_s, HEALTH_TIMEOUT_S)
    not_running = HealthReport(False, None, None, (), not_running_message(url))
    if _refused(url, timeout):
        return not_running  # nobody listens: say so without loading the HTTP stack
    import httpx
    import ollama

    version: str | None = None
    try:
        reply = httpx.get(f"{url}/api/version", timeout=timeout)
        if reply.status_code == 200:
            found = reply.json().get("version")
            version = str(found) if found is not None else None
    except httpx.ConnectError:
        return not_running
    except httpx.TimeoutException:
        return HealthReport(
            False,
            None,
            None,
            (),
            f"Ollama at {url} did not answer within {timeout:g} s — it may be starting "
            "or overloaded; try again in a moment.",
        )
    except (httpx.HTTPError, ValueError, AttributeError):
        version = None  # something answered; /api/tags below says whether it is Ollama

    client = ollama.Client(host=url, timeout=timeout)
    try:
        listing = client.list()
    except ConnectionError:
        return not_running
    except ollama.ResponseError as err:
        return HealthReport(
            True,
            version,
            None,
            (),
            f"The server at {url} answered the model list with an error "
            f"(HTTP {err.status_code}: {err.error}) — is it really Ollama? "
            "Check CURATOR_OLLAMA_URL.",
        )
    except (httpx.HTTPError, ValueError) as err:
        return HealthReport(
            True,
            version,
            None,
            (),
            f"The server at {url} did not give a readable model list ({type(err).__name__}) "
            "— is it really Ollama? Check CURATOR_OLLAMA_URL.",
        )
    finally:
        client.close()

    models = tuple(m.model for m in listing.models if m.model)
    model = config.model_name
    if not model_is_installed(model, models):
        return HealthReport(True, version, False, models, model_missing_message(model))
    running = f"Ollama {version}" if version else "Ollama"
    parsed = parse_version(version)
    if parsed is not None and parsed < MIN_OLLAMA_VERSION and version is not None:
        return HealthReport(True, version, True, models, version_too_old_message(version))
    return HealthReport(
        True, version, True, models, f"{running} is running at {url} with model '{model}'."
    )


def check_compatible(config: LLMConfig) -> HealthReport:
    """An OpenAI-compatible server: reachable, and is the model in `/v1/models`?
    Servers that serve one model under any name (llama.cpp) may not list ours:
    that is 'unknown' (None), not missing. Never raises."""
    url = config.api_url
    timeout = min(config.timeout_s, HEALTH_TIMEOUT_S)
    down = HealthReport(
        False,
        None,
        None,
        (),
        f"No OpenAI-compatible server answers at {url} — start it (LM Studio: Developer ▸ "
        "Start Server; llama.cpp: llama-server) or fix the OpenAI-compatible server setting "
        "(CURATOR_LLM_BASE_URL).",
    )
    if _refused(url, timeout):
        return down
    import httpx

    try:
        reply = httpx.get(f"{url}/models", timeout=timeout)
        listed = reply.json().get("data", []) if reply.status_code == 200 else []
        models = tuple(str(m["id"]) for m in listed if isinstance(m, dict) and "id" in m)
    except httpx.ConnectError:
        return down
    except httpx.TimeoutException:
        return HealthReport(
            False, None, None, (), f"The server at {url} did not answer within {timeout:g} s."
        )
    except (httpx.HTTPError, ValueError, AttributeError, TypeError):
        models = ()
    model = config.model_name
    if model in models:
        return HealthReport(True, None, True, models, f"The server at {url} has model '{model}'.")
    if models:
        served = ", ".join(models[:5])
        return HealthReport(
            True,
            None,
            None,
            models,
            f"The server at {url} lists {served}, not '{model}' — if it serves one model "
            "under any name (llama.cpp) this is fine; otherwise set the Vision LLM setting "
            "to one of those.",
        )
    return HealthReport(
        True, None, None, (), f"The server at {url} answers; it did not list its models."
    )


DESCRIBE_MAX_TOKENS = 512  # a full description is ~100-150 tokens


class PhotoDescriber(Protocol):
    """What `run_describe` needs; `Describer` and test fakes implement it."""

    def describe(self, jpeg_bytes: bytes) -> PhotoMetadata: ...


class Describer:
    """Describes preview JPEGs with the configured vision model (see the module docstring)."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self._client: instructor.Instructor | None = None
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._json_mode = config.json_mode if config.json_mode in JSON_MODES else "schema"

    @property
    def json_mode(self) -> str:
        """ "schema" or "prompt": how the JSON shape is asked for right now (a
        server that refused the schema has switched this to "prompt")."""
        return self._json_mode

    def describe(self, jpeg_bytes: bytes) -> PhotoMetadata:
        """The validated description of one JPEG; raises an `LLMError` subclass."""
        data_url = "data:image/jpeg;base64," + base64.b64encode(jpeg_bytes).decode("ascii")
        messages = build_messages(data_url)
        config = self.config
        attempts = 1 + max(0, config.transport_retries)
        for attempt in range(1, attempts + 1):
            if self._closed.is_set():
                raise LLMUnavailable(_STOPPED_MESSAGE, "Describer.close() was called")
            try:
                return self._ask(messages)
            except Exception as exc:
                err = classify(
                    exc,
                    provider=config.provider,
                    model=config.model_name,
                    url=config.root_url,
                    attempts=attempt,
                    timeout_s=config.timeout_s,
                )
                if not err.retryable or attempt == attempts:
                    raise err from exc
                if self._closed.wait(config.backoff_s * 2 ** (attempt - 1)):
                    raise err from exc  # closed while backing off: report the last fault
        raise AssertionError("unreachable: the loop returns or raises")

    def close(self) -> None:
        """Stop backoff waits; a describe in flight ends with its last error."""
        self._closed.set()
        client = self._client
        inner = getattr(client, "client", None) if client is not None else None
        close = getattr(inner, "close", None)
        if callable(close):
            close()

    def _ask(self, messages: list[dict[str, object]]) -> PhotoMetadata:
        try:
            return self._create(messages)
        except Exception as exc:
            if self._json_mode != "schema" or not schema_refused(exc):
                raise
            with self._lock:  # the server can't take the schema: ask in the prompt
                self._json_mode = "prompt"
                self._client = None
            return self._create(messages)

    def _create(self, messages: list[dict[str, object]]) -> PhotoMetadata:
        client = self._instructor()
        extra: dict[str, Any] = {}
        if self.config.is_ollama or self.config.is_compatible:
            extra["model"] = self.config.model_name
            # Deterministic descriptions, and a bound on llava's known runaway tag
            # lists; the JSON schema itself goes as `response_format` (Mode.JSON_SCHEMA),
            # which Ollama (0.5 and later) turns into a decoding grammar.
            extra["temperature"] = 0
            extra["max_tokens"] = DESCRIBE_MAX_TOKENS
            # Lets a recording server (tests/llm_server.py) see which prompt it got.
            extra["extra_headers"] = {"X-Curator-Prompt-Version": PROMPT_VERSION}
        return client.create(
            messages=messages,  # type: ignore[arg-type]
            response_model=PhotoMetadata,
            max_retries=max(0, self.config.max_retries),
            strict=False,
            **extra,
        )

    def _instructor(self) -> instructor.Instructor:
        with self._lock:
            if self._client is None:
                try:
                    self._client = self._build()
                except Exception as exc:
                    # A provider that cannot even be set up (unknown name, its package
                    # or API key missing) is a settings problem, not a photo problem.
                    raise LLMConfigError(
                        f"The LLM provider '{self.config.provider}' cannot be used: {exc} — "
                        "fix CURATOR_LLM_MODEL or the LLM settings.",
                        traceback.format_exc(),
                    ) from exc
            return self._client

    def _build(self) -> instructor.Instructor:
        import instructor

        if self.config.provider_name == "openai":
            # The one non-Ollama builder known (instructor 1.17) to take these: the
            # SDK's own retries off so `transport_retries` means what it says.
            return instructor.from_provider(
                self.config.provider, timeout=self.config.timeout_s, max_retries=0
            )
        if not (self.config.is_ollama or self.config.is_compatible):
            return instructor.from_provider(self.config.provider)
        import os

        import openai

        if self.config.is_compatible:
            base_url = self.config.api_url
            # Local servers ignore the key; vLLM started with --api-key checks it.
            api_key = os.environ.get("CURATOR_LLM_API_KEY") or "not-needed"
        else:
            base_url, api_key = f"{self.config.root_url}/v1", "ollama"  # key ignored
        openai_client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key,
            timeout=self.config.timeout_s,
            max_retries=0,  # transport retries are ours (see the module docstring)
        )
        # Neither mode uses tool calling: "schema" sends response_format json_schema
        # (a decoding grammar in Ollama 0.5+, LM Studio, vLLM); "prompt" puts the schema
        # in the system prompt and reads the JSON out of the answer's text.
        mode = (
            instructor.Mode.JSON_SCHEMA if self._json_mode == "schema" else instructor.Mode.MD_JSON
        )
        return instructor.from_openai(openai_client, mode=mode)


@dataclass(frozen=True)
class DescribeRequest:
    """Immutable input to describing one photo."""

    photo_id: int
    preview_path: str  # the 1440 px preview JPEG in the cache
    config: LLMConfig


@dataclass(frozen=True)
class DescribeResult:
    """A photo's description, as plain fields for the catalog writer."""

    photo_id: int
    subject: str
    content_type: str  # a ContentType value
    lighting_critique: str
    artistic_mood: str
    tags: tuple[str, ...]  # normalised, 3–7
    model: str  # the provider string, e.g. "ollama/llava"
    prompt_version: str


@dataclass(frozen=True)
class DescribeFailure:
    """A photo the describe stage could not describe, with the human reason."""

    photo_id: int
    message: str
    detail: str
    error_type: str
    skip: bool = False  # the LLM is not there: mark skipped, back-fill later
    transient: bool = False  # worth retrying on its own later


DescribeOutcome = DescribeResult | DescribeFailure


DESCRIBE_LONG_EDGE = 1024  # what the model sees: prompt time on a CPU grows with pixels


def prompt_jpeg(jpeg: bytes, long_edge: int = DESCRIBE_LONG_EDGE) -> bytes:
    """The preview as the model gets it: shrunk to `long_edge` (JPEG DCT scaling,
    then a high-quality resize) when larger; smaller ones, and bytes Pillow
    cannot read (the model then says what it can), go as they are."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(jpeg)) as im:
            if max(im.size) <= long_edge:
                return jpeg
            im.draft("RGB", (long_edge, long_edge))
            small = im.convert("RGB")
            small.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            small.save(out, "JPEG", quality=90)
            return out.getvalue()
    except (OSError, UnidentifiedImageError, ValueError):
        return jpeg


def run_describe(request: DescribeRequest, describer: PhotoDescriber) -> DescribeOutcome:
    """The stage body: read the preview, describe it. Returns, never raises."""
    jpeg = read_preview(request)
    return jpeg if isinstance(jpeg, DescribeFailure) else describe_jpeg(request, jpeg, describer)


def read_preview(request: DescribeRequest) -> bytes | DescribeFailure:
    """The preview's bytes, or why it cannot be described (read where the cache is)."""
    try:
        jpeg = Path(request.preview_path).read_bytes()
    except FileNotFoundError as exc:
        return _preview_failure(request, "is missing from the cache", exc)
    except OSError as exc:
        return _preview_failure(request, f"could not be read ({exc.strerror or exc})", exc)
    return jpeg or _preview_failure(request, "is empty", None)


def describe_jpeg(
    request: DescribeRequest, jpeg: bytes, describer: PhotoDescriber
) -> DescribeOutcome:
    """Describe the preview's bytes (here, or on a Ray node). Returns, never raises."""
    try:
        meta = describer.describe(prompt_jpeg(jpeg))
    except LLMError as err:
        return DescribeFailure(
            photo_id=request.photo_id,
            message=err.message,
            detail=err.detail,
            error_type=type(err).__name__,
            skip=err.skip,
            transient=err.transient,
        )
    except Exception as exc:
        return DescribeFailure(
            photo_id=request.photo_id,
            message=(
                "Curator hit an internal error while describing this photo "
                f"({type(exc).__name__}); the details are in the error log."
            ),
            detail=traceback.format_exc(),
            error_type=type(exc).__name__,
        )
    return DescribeResult(
        photo_id=request.photo_id,
        subject=meta.subject,
        content_type=meta.content_type.value,
        lighting_critique=meta.lighting_critique,
        artistic_mood=meta.artistic_mood,
        tags=tuple(meta.suggested_tags),
        model=request.config.provider,
        prompt_version=PROMPT_VERSION,
    )


def _preview_failure(
    request: DescribeRequest, what: str, exc: BaseException | None
) -> DescribeFailure:
    return DescribeFailure(
        photo_id=request.photo_id,
        message=(
            f"The preview of this photo {what}, so it cannot be described — "
            "re-import the folder to rebuild the preview."
        ),
        detail=f"{request.preview_path}: {exc!r}" if exc else request.preview_path,
        error_type="PreviewMissing" if isinstance(exc, FileNotFoundError) else "PreviewUnreadable",
        transient=False,
    )


__all__ = [
    "TESTED_VISION_MODELS",
    "DescribeFailure",
    "DescribeOutcome",
    "DescribeRequest",
    "DescribeResult",
    "Describer",
    "HealthReport",
    "LLMBadOutput",
    "LLMConfig",
    "LLMConfigError",
    "LLMError",
    "LLMModelMissing",
    "LLMRequestRejected",
    "LLMTransientError",
    "LLMUnavailable",
    "PhotoDescriber",
    "VisionModel",
    "check_compatible",
    "check_llm",
    "describe_jpeg",
    "model_is_installed",
    "parse_version",
    "prompt_jpeg",
    "provider_for",
    "read_preview",
    "run_describe",
    "version_too_old_message",
]
