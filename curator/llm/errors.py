"""Typed errors of the describe stage, and the one place that maps raw faults to them.

Every `LLMError` has a `message` (what to do), a `detail` (the error log), and
the flags `skip` (no LLM: the photo is skipped and back-filled later) and
`transient` (worth retrying). `classify` maps whatever was raised, duck-typing
on `status_code` and exception names, and never raises.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from pydantic import ValidationError

MAX_DETAIL_CHARS = 4000  # instructor's retry dumps every failed attempt; keep the log readable


class LLMError(Exception):
    """Base of the describe stage's errors. `message` is for people, `detail` for logs."""

    skip = False
    transient = False
    retryable = False  # the Describer's own backoff loop tries again

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class LLMUnavailable(LLMError):
    """Nothing answers at the LLM's address: the stage skips the photo."""

    skip = True
    retryable = True


class LLMModelMissing(LLMError):
    """The server answers but does not have the model (HTTP 404 / "model not found")."""


class LLMTransientError(LLMError):
    """Busy (503), rate limited (429), other 5xx or a timeout — still so after retries."""

    transient = True
    retryable = True


class LLMBadOutput(LLMError):
    """The model answered, but not with a readable description, even after re-asking."""


class LLMRequestRejected(LLMError):
    """The server refused the request for a reason retrying cannot fix (HTTP 400, 401…)."""


class LLMConfigError(LLMError):
    """The configured provider cannot be used (unknown provider, its package missing)."""


def service_name(provider: str) -> str:
    """How messages name the LLM server: "Ollama", or "the openai service"."""
    name = provider.split("/", 1)[0]
    if name == "ollama":
        return "Ollama"
    if name == "compatible":
        return "the OpenAI-compatible server"
    return f"the {name} service"


def not_running_message(url: str) -> str:
    return f"Ollama is not running at {url} — start it with `ollama serve`"


def model_missing_message(model: str) -> str:
    return f"Model '{model}' is not installed — run `ollama pull {model}`"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status_code(exc: BaseException) -> int | None:
    code = getattr(exc, "status_code", None)
    if isinstance(code, int):
        return code
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None


SCHEMA_REFUSALS = (
    "does not support tools",
    "invalid json schema",
    "response_format",
    "json_schema",
    "grammar",
)


def schema_refused(exc: BaseException) -> bool:
    """True when the server refused the *structured-output request* itself (HTTP 400
    "model does not support tools", "invalid JSON schema in format", an unknown
    `response_format`): asking again with the schema in the prompt can work."""
    for cause in _chain(exc):
        code = _status_code(cause)
        if code is not None and 400 <= code < 500 and code not in (401, 403, 404, 429):
            body = str(cause).lower()
            return any(marker in body for marker in SCHEMA_REFUSALS)
    return False


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or "timeout" in type(exc).__name__.lower()


def _is_connection(exc: BaseException) -> bool:
    return isinstance(exc, ConnectionError) or "connect" in type(exc).__name__.lower()


def _describe_exc(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def classify(
    exc: BaseException,
    *,
    provider: str,
    model: str,
    url: str,
    attempts: int,
    timeout_s: float,
) -> LLMError:
    """The typed error for a fault seen after `attempts` transport tries."""
    if isinstance(exc, LLMError):
        return exc
    detail = " <- ".join(_describe_exc(e) for e in _chain(exc))[:MAX_DETAIL_CHARS]
    service = service_name(provider)
    is_ollama = provider.split("/", 1)[0] == "ollama"
    tries = f"{attempts} {'try' if attempts == 1 else 'tries'}"

    # instructor wraps *every* fault of its call in InstructorRetryException;
    # the real cause sits further down the chain.
    for cause in _chain(exc):
        if type(cause).__name__ == "IncompleteOutputException":
            return LLMBadOutput(
                "The model's answer was cut off before the description was complete — "
                "choose a vision model with a larger context (CURATOR_LLM_MODEL).",
                detail,
            )
        code = _status_code(cause)
        if code is not None and code >= 400:
            return _from_status(code, cause, service, model, is_ollama, tries, detail)
        if _is_timeout(cause):
            return LLMTransientError(
                f"{service[0].upper()}{service[1:]} did not answer within {timeout_s:g} s "
                f"({tries}) — the model may still be loading or the computer is busy; "
                "try again later or raise the LLM timeout in settings.",
                detail,
            )
        if _is_connection(cause):
            if is_ollama:
                return LLMUnavailable(not_running_message(url), detail)
            return LLMUnavailable(
                f"Could not reach {service} ({tries}) — check the network connection and "
                "the provider settings.",
                detail,
            )
    for cause in _chain(exc):
        if isinstance(cause, ValidationError | json.JSONDecodeError):
            n = getattr(exc, "n_attempts", None)
            n_tries = f"{n} {'try' if n == 1 else 'tries'}" if isinstance(n, int) else "retrying"
            return LLMBadOutput(
                "The model's answer could not be read as a photo description after "
                f"{n_tries} — try again later, or choose another vision model "
                "(CURATOR_LLM_MODEL).",
                detail,
            )
    if isinstance(exc, ImportError) or type(exc).__name__ == "ConfigurationError":
        return LLMConfigError(
            f"The LLM provider '{provider}' cannot be used: {exc} — fix CURATOR_LLM_MODEL "
            "or the LLM settings.",
            detail,
        )
    return LLMError(
        f"Curator hit an unexpected error while asking {service} for a description "
        f"({type(exc).__name__}); the details are in the error log.",
        detail,
    )


def _from_status(
    code: int,
    exc: BaseException,
    service: str,
    model: str,
    is_ollama: bool,
    tries: str,
    detail: str,
) -> LLMError:
    body = str(exc).lower()
    if code == 404 or ("not found" in body and "model" in body):
        if is_ollama:
            return LLMModelMissing(model_missing_message(model), detail)
        return LLMModelMissing(
            f"Model '{model}' was not found by {service} — check CURATOR_LLM_MODEL.", detail
        )
    server = service[0].upper() + service[1:]
    if code == 503:
        return LLMTransientError(
            f"{server} kept answering 'busy' (HTTP 503) after {tries} — try again later "
            "or lower the LLM concurrency in settings.",
            detail,
        )
    if code == 429:
        return LLMTransientError(
            f"{server} kept answering 'too many requests' (HTTP 429) after {tries} — try "
            "again later or lower the LLM concurrency in settings.",
            detail,
        )
    if code >= 500 or code == 408:
        return LLMTransientError(
            f"{server} kept failing with HTTP {code} after {tries} — check its log; "
            "the photo will be described on a later run.",
            detail,
        )
    if "image" in body and ("support" in body or "vision" in body):
        return LLMRequestRejected(
            f"Model '{model}' cannot look at images — choose a vision model such as "
            "llava (CURATOR_LLM_MODEL).",
            detail,
        )
    return LLMRequestRejected(
        f"{server} refused the request (HTTP {code}) — check the LLM settings; "
        "the details are in the error log.",
        detail,
    )
