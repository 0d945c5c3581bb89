"""The words Curator sends to the vision model with each photo.

The model is a cataloguer, not a critic: what is in the photo, its kind, light,
mood and a few tags, and never a verdict (docs/product.md; a unit test holds
the prompt to that).

Invariant: change any text here (or `PhotoMetadata`'s shape) → bump
`PROMPT_VERSION`, so only descriptions are re-queued.
"""

from __future__ import annotations

from curator.llm.schema import ContentType

PROMPT_VERSION = "describe-1"

_KINDS = ", ".join(kind.value for kind in ContentType)

SYSTEM_PROMPT = (
    "You are a careful photo cataloguer. You write down what a photograph shows "
    "so that a photographer can search and sort a large archive. You describe; you "
    "never judge. Give no verdict on the photograph's merit, its taste or whether "
    "it succeeds, do not compare it with other photographs, and do not suggest "
    "changes. Answer with a single JSON object and nothing else."
)

USER_PROMPT = (
    "Describe this photograph for the catalogue.\n"
    "- subject: what is in the photo — the main subject and the setting, in a short phrase.\n"
    f"- content_type: the kind of photo, exactly one of: {_KINDS}. "
    "Use other when none of them fits.\n"
    "- lighting_critique: one sentence describing the light — where it comes from, "
    "hard or soft, its colour, and the time of day it suggests.\n"
    "- artistic_mood: the mood or atmosphere, in a few words.\n"
    "- suggested_tags: 5 to 7 keyword tags a person would type to find this photo, "
    "lowercase, one to three words each, no hashtags, no generic words like 'photo'.\n"
    "Describe only what you can see."
)


def build_messages(image_data_url: str) -> list[dict[str, object]]:
    """OpenAI-style chat messages: the system prompt, then the user prompt with the image.

    The system message stays a plain string. The JSON schema travels as the
    request's `response_format` (instructor's JSON_SCHEMA mode; Ollama turns it
    into a decoding grammar), so the prompt does not paste it in.
    """
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": USER_PROMPT},
                {"type": "image_url", "image_url": {"url": image_data_url}},
            ],
        },
    ]
