"""Is the LLM there? `check_llm` answers "is the server running, and is the model
there?" with a `HealthReport` whose `message` says what to do (`curator doctor`,
and the describe stage before it queues work): Ollama's version (structured
outputs need `MIN_OLLAMA_VERSION`) and model list, or an OpenAI-compatible
server's `/v1/models`. Never raises; httpx and ollama load only when a server
answers the TCP connect. `TESTED_VISION_MODELS` is doctor's advice.
"""

from __future__ import annotations

from dataclasses import dataclass

from curator.llm.config import LLMConfig
from curator.llm.errors import model_missing_message, not_running_message

MIN_OLLAMA_VERSION = (0, 5, 0)  # structured outputs (format = JSON schema) arrived in 0.5
HEALTH_TIMEOUT_S = 10.0  # a health check answers quickly or not at all


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


@dataclass(frozen=True)
class HealthReport:
    """Whether the LLM can be used right now, and what to do if not."""

    reachable: bool
    message: str  # one human sentence
    version: str | None = None
    model_installed: bool | None = None  # None: unknown (not checked or not checkable)
    models: tuple[str, ...] = ()

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
            True,
            f"No health check is available for provider '{config.provider_name}'; "
            "problems will show up on the first description.",
        )
    url = config.root_url
    timeout = min(config.timeout_s, HEALTH_TIMEOUT_S)
    not_running = HealthReport(False, not_running_message(url))
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
            f"The server at {url} answered the model list with an error "
            f"(HTTP {err.status_code}: {err.error}) — is it really Ollama? "
            "Check CURATOR_OLLAMA_URL.",
            version,
        )
    except (httpx.HTTPError, ValueError) as err:
        return HealthReport(
            True,
            f"The server at {url} did not give a readable model list ({type(err).__name__}) "
            "— is it really Ollama? Check CURATOR_OLLAMA_URL.",
            version,
        )
    finally:
        client.close()

    models = tuple(m.model for m in listing.models if m.model)
    model = config.model_name
    if not model_is_installed(model, models):
        return HealthReport(True, model_missing_message(model), version, False, models)
    running = f"Ollama {version}" if version else "Ollama"
    parsed = parse_version(version)
    if parsed is not None and parsed < MIN_OLLAMA_VERSION and version is not None:
        return HealthReport(True, version_too_old_message(version), version, True, models)
    return HealthReport(
        True, f"{running} is running at {url} with model '{model}'.", version, True, models
    )


def check_compatible(config: LLMConfig) -> HealthReport:
    """An OpenAI-compatible server: reachable, and is the model in `/v1/models`?
    Servers that serve one model under any name (llama.cpp) may not list ours:
    that is 'unknown' (None), not missing. Never raises."""
    url = config.api_url
    timeout = min(config.timeout_s, HEALTH_TIMEOUT_S)
    down = HealthReport(
        False,
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
        return HealthReport(False, f"The server at {url} did not answer within {timeout:g} s.")
    except (httpx.HTTPError, ValueError, AttributeError, TypeError):
        models = ()
    model = config.model_name
    if model in models:
        message = f"The server at {url} has model '{model}'."
        return HealthReport(True, message, model_installed=True, models=models)
    if models:
        served = ", ".join(models[:5])
        return HealthReport(
            True,
            f"The server at {url} lists {served}, not '{model}' — if it serves one model "
            "under any name (llama.cpp) this is fine; otherwise set the Vision LLM setting "
            "to one of those.",
            models=models,
        )
    return HealthReport(True, f"The server at {url} answers; it did not list its models.")
