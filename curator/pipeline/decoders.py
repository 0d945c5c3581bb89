"""The import's decoder children: what a pool of them is, and the first one
started before the import needs it.

- `decoder_pool(settings, …)`: one slot per decode worker, each child under the
  memory limit of the largest image the settings accept, started by
  `technical_child.init_decoder_process`; `fits` says whether a live pool still
  matches the settings (`pipeline.prepare.process_pool_for` keeps it then).
- `face_model(settings)`: the face model an import's faces ride along with
  (None with the sentence why: switched off, not installed, damaged).
- `start_decoders_early(settings, stages)`: the CLI's import starts its first
  child while it loads the pipeline (~0.5 s before the scan); the service primes
  it with the plan's hashes, which with faces riding along starts the networks'
  load beside the decode (`faces_child.load_networks_early`: ~0.4 s of CPU off a
  warm single-photo import). An import finding nothing new closes it at the
  plan. The window keeps its children from run to run and starts none early.
Invariants: nothing here imports Qt, the catalog or the pipeline's service
(`pipeline.prepare` alone takes ~0.3 s to import); a pool started early is an
ordinary pool: only its first child loads the networks early (`reprime` gives
later ones the plan's arguments), so a crashing load is not repeated.
"""

from __future__ import annotations

from collections.abc import Sequence

from curator.engine.isolation import ChildProcessPool, memory_limit_for
from curator.ml.faces.files import ModelSearch, find_face_model
from curator.pipeline.stages.technical_child import init_decoder_process
from curator.settings import Settings


def decoder_pool(
    settings: Settings,
    known_hashes: frozenset[str] = frozenset(),
    niceness: int = 0,
    faces: tuple[str, bool] | None = None,
) -> ChildProcessPool:
    """Decoder children (see the module docstring), primed with `known_hashes`,
    `niceness` below normal CPU priority; `faces` (the model's folder, whether
    to describe) loads the networks early in the children started before
    the next `reprime`. A child starts only when a request finds no idle one
    (engine.isolation), so a one-file run starts one."""
    initargs = (known_hashes, niceness) if faces is None else (known_hashes, niceness, faces)
    return ChildProcessPool(
        max(1, settings.decode_workers),
        initializer=init_decoder_process,
        initargs=initargs,
        memory_limit=_memory_limit(settings),
    )


def fits(pool: ChildProcessPool, settings: Settings) -> bool:
    """Whether `pool`'s size and memory limit are still what `settings` ask for."""
    return pool.size == max(1, settings.decode_workers) and pool.memory_limit == _memory_limit(
        settings
    )


def _memory_limit(settings: Settings) -> int:
    return memory_limit_for(settings.max_image_megapixels * 1_000_000)


def face_model(settings: Settings, *, verify_hash: bool = True) -> ModelSearch:
    """The face model the settings point at (or the sentence why there is none);
    `verify_hash` False checks its files' sizes only."""
    if not settings.faces_enabled:
        return ModelSearch(None, "Judging faces is switched off in the settings.")
    return find_face_model(settings.face_model_dir or None, verify_hash=verify_hash)


def start_decoders_early(settings: Settings, stages: Sequence[str]) -> ChildProcessPool | None:
    """A decoder pool whose first child is starting now, loading the face
    networks when `stages` has the faces and their model is there (see the
    module docstring); None where the files are measured on a Ray cluster."""
    if settings.ray_address:
        return None
    faces = None
    if "faces" in stages:
        found = face_model(settings, verify_hash=False)  # the plan checks them whole
        if found.files is not None:
            faces = (found.files.folder, settings.people_recognition)
    pool = decoder_pool(settings, faces=faces)
    pool.start_one()
    return pool
