"""What the describe stage is told about the LLM: `LLMConfig`, the immutable
settings snapshot a worker gets (built from the settings registry by
`pipeline.stages.judgments.llm_config`), and how a model setting names its
provider (`provider_for`).

Servers: Ollama (the default), or any OpenAI-compatible server (LM Studio,
llama.cpp server, vLLM) when `llm_base_url` is set: provider `COMPATIBLE_PROVIDER`;
any other instructor provider string ("openai/gpt-4o") goes to that service.
"""

from __future__ import annotations

from dataclasses import dataclass

from curator.llm.prompt import PROMPT_VERSION

DEFAULT_PROVIDER = "ollama/llava"
DEFAULT_OLLAMA_URL = "http://localhost:11434"
COMPATIBLE_PROVIDER = "compatible"  # any OpenAI-compatible server at `base_url`
JSON_MODES = ("schema", "prompt")


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
