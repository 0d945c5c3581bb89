"""Talking to the vision LLM: the describe call and the stage body.

`Describer.describe` sends one preview JPEG and returns a validated
`PhotoMetadata` or raises a typed `LLMError`; `run_describe` is the stage body
(a `DescribeRequest` in, a `DescribeResult` or `DescribeFailure` out, never
raising for a bad photo or a bad LLM). llm.config and llm.health are
re-exported here for the stages.

No tool calling: the schema goes as `response_format` (`json_mode` "schema")
or in the prompt ("prompt"); a server that rejects the schema switches the
describer to "prompt" for the session.

Retries: instructor re-asks when the JSON does not validate (1 +
`max_retries` tries); `Describer` retries transport faults (connection, 429,
5xx, timeouts) `transport_retries` times with backoff from `backoff_s`; the
SDK's own retries are off; a 404 or another 4xx is not retried.

Threads: one `Describer` serves the LLM pool; its client is built once under a
lock; `close()` stops a backoff wait at once. instructor and openai load on
the first description, so importing this module is cheap.
"""

from __future__ import annotations

import base64
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from curator.llm.config import COMPATIBLE_PROVIDER, JSON_MODES, LLMConfig, provider_for
from curator.llm.errors import LLMConfigError, LLMError, LLMUnavailable, classify, schema_refused
from curator.llm.health import HealthReport, check_llm
from curator.llm.prompt import PROMPT_VERSION, build_messages
from curator.llm.schema import PhotoMetadata

if TYPE_CHECKING:
    import instructor

_STOPPED_MESSAGE = (
    "Describing stopped because Curator is shutting down; the photo will be described "
    "on the next run."
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


# The names other rooms import from here: this module's own, and the configuration
# and health check they were written beside.
__all__ = [
    "COMPATIBLE_PROVIDER",
    "DescribeFailure",
    "DescribeOutcome",
    "DescribeRequest",
    "DescribeResult",
    "Describer",
    "HealthReport",
    "LLMConfig",
    "PhotoDescriber",
    "check_llm",
    "describe_jpeg",
    "prompt_jpeg",
    "provider_for",
    "read_preview",
    "run_describe",
]
