"""Settings → model configurations, without importing the model stacks.

Light on purpose: the app needs the embedding model id at start-up (taste
model, embedding cache) and must not pull in torch, open_clip or the LLM
client to get it.
"""

from __future__ import annotations

from curator.ml.embedder import ClipConfig, model_id_for
from curator.settings import Settings


def clip_config(settings: Settings, *, allow_download: bool = False) -> ClipConfig:
    return ClipConfig(
        model_name=settings.clip_model,
        pretrained=settings.clip_pretrained,
        batch_size=settings.clip_batch_size,
        allow_download=allow_download,
    )


def embedding_model_id(settings: Settings) -> str:
    return model_id_for(clip_config(settings))
