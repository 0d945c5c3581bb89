"""Load the import's CLIP model early, on a GPU machine, so the import never waits for it.

Responsibility: `preload_on_gpu` starts the model's load on a thread of its
own when the technical stage of a run that embeds starts measuring photos;
the embed stage, which starts after it, then finds the model loaded. An
import with nothing to measure, or without the weights, imports no torch.

Invariants: importing this module imports neither torch nor Qt; the thread
never downloads and never raises (a failure is the embed stage's to say, with
its sentence, when it loads the model itself).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from curator.ml.config import ClipConfig

log = logging.getLogger(__name__)


def preload_on_gpu(config: ClipConfig) -> threading.Thread:
    """Load the run's CLIP model on a thread of its own while the technical stage
    runs, where it will run on a GPU and its weights are here: the embed stage
    then adopts it (`ClipEmbedder.load`: one model per process) instead of
    making the import wait the seconds a large model takes to build and move to
    the GPU. On a CPU nothing is loaded early (the cores are the technical
    stage's). Never downloads; a failure is the embed stage's to say."""

    def preload() -> None:
        from curator.ml.clip_device import pick_device
        from curator.ml.embedder import ClipEmbedder, weights_present

        try:
            quiet = replace(config, allow_download=False)  # weights first: no torch without them
            if weights_present(quiet) and pick_device(quiet.device) != "cpu":
                ClipEmbedder(quiet).load()
        except Exception:  # the embed stage loads again and says why
            log.debug("CLIP preload failed", exc_info=True)

    thread = threading.Thread(target=preload, name="clip-preload", daemon=True)
    thread.start()
    return thread
