"""`curator doctor`: is everything the pipeline needs in place, and if not, what to do.

Checks, each with a status and a sentence: Ollama reachable and 0.5+ (structured
outputs), the vision model pulled (with the tested models and their sizes), or
an OpenAI-compatible server; CLIP weights, the face model whole (and its
networks prepared here), the compute device (CUDA / MPS / CPU) with CLIP's
precision there; the `ray_address` cluster, if any. Exit 0 when every check
passes, 1 otherwise. Importing torch here is fine: doctor is not app start-up.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from curator.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str


def tested_models_message() -> str:
    """The vision models Curator was tested with, their download sizes, and the
    Ollama version structured outputs need."""
    from curator.llm.health import MIN_OLLAMA_VERSION, TESTED_VISION_MODELS

    need = ".".join(map(str, MIN_OLLAMA_VERSION[:2]))
    models = "; ".join(f"{m.name} ({m.download}, {m.note})" for m in TESTED_VISION_MODELS)
    return (
        f"Tested vision models (`ollama pull NAME`, then set Vision LLM): {models}. "
        f"Ollama {need} or later is needed for structured outputs."
    )


def _llm_checks(settings: Settings) -> list[Check]:
    from curator.llm.health import MIN_OLLAMA_VERSION, check_llm, parse_version
    from curator.pipeline.stages.judgments import llm_config

    config = llm_config(settings)
    health = check_llm(config)
    if config.is_compatible:
        return [Check("llm", health.reachable, health.message)]
    if not config.is_ollama:
        return [Check("llm", True, health.message)]
    version = parse_version(health.version)
    too_old = version is not None and version < MIN_OLLAMA_VERSION
    reach = Check(
        "ollama",
        health.reachable and not too_old,
        health.message
        if too_old or not health.reachable
        else f"Ollama {health.version or ''} answers at {config.root_url}".replace("  ", " "),
    )
    if not health.reachable:
        return [
            reach,
            Check(
                "llm_model", False, f"Can't check model '{config.model_name}' until Ollama runs."
            ),
            Check("vision_models", True, tested_models_message()),
        ]
    pulled = bool(health.model_installed)
    model = Check(
        "llm_model",
        pulled,
        f"Model '{config.model_name}' is installed." if pulled else health.message,
    )
    return [reach, model, Check("vision_models", True, tested_models_message())]


def _clip_check(settings: Settings) -> Check:
    from curator.ml.clip_fetch import model_unavailable_message, weights_present
    from curator.pipeline.stages.judgments import clip_config, embedding_model_id

    config = clip_config(settings)
    if weights_present(config):
        return Check(
            "clip_weights", True, f"CLIP weights {embedding_model_id(settings)} are on disk."
        )
    return Check("clip_weights", False, model_unavailable_message(config))


def device_check(settings: Settings) -> Check:
    """The compute device CLIP uses and the precision it runs in there (the
    *CLIP precision* setting through `ml.precision`'s rule); a precision the
    device cannot run fails the check with the rule's sentence."""
    try:
        import torch  # noqa: F401  (a broken install is said here)
    except ImportError as exc:  # pragma: no cover - torch is a dependency
        return Check("device", False, f"PyTorch is not installed ({exc}); reinstall Curator.")
    from curator.ml.clip_device import device_name, pick_device, precision_for
    from curator.ml.config import ModelUnavailable
    from curator.ml.precision import describe

    device = pick_device("auto")
    name = device_name(device)
    found = {"cuda": f"CUDA GPU: {name}.", "mps": "Apple GPU (MPS)."}.get(
        device, "No GPU found: embeddings run on the CPU (slower, but they work)."
    )
    try:
        precision = precision_for(settings.clip_precision, device)
    except ModelUnavailable as exc:
        return Check("device", False, f"{found} {exc.message}")
    return Check("device", True, f"{found} {describe(device, precision, name)}")


def face_model_check(settings: Settings) -> Check:
    """The face model is installed and whole (the faces stage); a switched-off
    stage is not a problem."""
    from curator.ml.faces.files import LICENCE
    from curator.pipeline.decoders import face_model

    if not settings.faces_enabled:
        return Check("face_model", True, "Judging faces is switched off in the settings.")
    found = face_model(settings)
    if found.files is None:
        return Check("face_model", False, found.problem)
    said = f"The face model is installed in {found.files.folder} ({LICENCE})."
    return Check("face_model", True, f"{said} {networks_sentence(found.files.folder)}".strip())


def networks_sentence(model_folder: str) -> str:
    """Whether the face networks are compiled for this computer (OpenVINO,
    `ml.faces.compiled`): the first import prepares them, a few seconds once."""
    from curator.ml.faces.compiled import cache_folder, compiles_networks, networks_prepared

    if not compiles_networks():
        return ""
    if networks_prepared(model_folder):
        return f"Its networks are prepared for this computer (kept in {cache_folder()})."
    return (
        "Its networks are not prepared for this computer yet: the first import prepares "
        "them (first time only: a few seconds, said in its progress)."
    )


def ray_check(settings: Settings) -> list[Check]:
    """The settings' Ray cluster, when they name one: joined, and what it has."""
    address = settings.ray_address.strip()
    if not address:
        return []
    from curator.engine.cluster import ClusterUnavailable, connect

    try:
        cluster = connect(address)
    except ClusterUnavailable as exc:
        return [Check("ray_cluster", False, exc.message)]
    hosts = ", ".join(sorted({node.host for node in cluster.nodes}))
    return [
        Check("ray_cluster", True, f"Ray cluster at {address}: {cluster.describe()} ({hosts}).")
    ]


def run_checks(settings: Settings) -> list[Check]:
    return [
        *_llm_checks(settings),
        _clip_check(settings),
        face_model_check(settings),
        device_check(settings),
        *ray_check(settings),
    ]


def cache_check(cache_dir: Path, settings: Settings) -> Check:
    """The cache folder this seat uses, its state, and the shared one it could not."""
    from curator.imaging.cache import cache_folder_problem

    problem = cache_folder_problem(cache_dir)
    if problem is not None:
        return Check(
            "cache_folder",
            False,
            f"Previews are kept in {cache_dir}, which {problem}: they are made again "
            "each time they are shown; free space or fix its permissions.",
        )
    free = shutil.disk_usage(cache_dir).free
    message = f"Previews are kept in {cache_dir} (writable, {free / 1e9:.1f} GB free)."
    shared = settings.cache_folder.strip()
    if shared and Path(shared).expanduser() != cache_dir:
        message += f" The cache_folder setting's {shared} cannot be used: this seat's own instead."
    return Check("cache_folder", True, message)


def run_doctor(
    settings: Settings, *, json_output: bool, out: TextIO, cache_dir: Path | None = None
) -> int:
    checks = run_checks(settings)
    if cache_dir is not None:
        checks.append(cache_check(cache_dir, settings))
    if json_output:
        json.dump({c.name: asdict(c) for c in checks}, out)
        out.write("\n")
    else:
        for c in checks:
            print(f"{'✓' if c.ok else '✗'} {c.name}: {c.message}", file=out)
    return 0 if all(c.ok for c in checks) else 1
