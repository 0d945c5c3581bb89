"""Where CLIP weights live on this computer, found from the file system alone.

Answers "are the weights here, and where?" and "can their source be reached?"
without importing torch or open_clip (~10 s).

The Hugging Face entry of open_clip's registry wins over a direct `url` (into
`cache_dir` or ~/.cache/clip); `HF_SAFE_WEIGHTS_NAME` is tried before
`HF_WEIGHTS_NAME`. `KNOWN_TAGS` copies the registry for the default families
(a test checks it); others are `UNKNOWN`. The hub cache (`hf_hub_cache`) is
laid out as `<hub cache>/models--<org>--<repo>/{refs/main, snapshots/<commit>/<file>}`.

Invariant: no torch, open_clip or huggingface_hub import; no network except
`host_reachable` (bounded, DNS included).
"""

from __future__ import annotations

import enum
import os
import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

HF_WEIGHTS_NAME = "open_clip_pytorch_model.bin"  # open_clip.constants
HF_SAFE_WEIGHTS_NAME = "open_clip_model.safetensors"
HF_DEFAULT_ENDPOINT = "https://huggingface.co"
PROBE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class TagSource:
    """Where open_clip downloads a pretrained tag from."""

    hf_hub: str  # "org/repo/" or "org/repo/file"; "" when only a URL exists
    url_file: str  # the file name of the direct URL download ("" when none)


# (open_clip model name, tag) -> source; a copy of open_clip.pretrained's registry.
_VIT_L_14 = {
    tag: TagSource(hub, url)
    for tag, hub, url in (
        ("openai", "timm/vit_large_patch14_clip_224.openai/", "ViT-L-14.pt"),
        (
            "laion400m_e31",
            "timm/vit_large_patch14_clip_224.laion400m_e31/",
            "vit_l_14-laion400m_e31-69988bb6.pt",
        ),
        (
            "laion400m_e32",
            "timm/vit_large_patch14_clip_224.laion400m_e32/",
            "vit_l_14-laion400m_e32-3d133497.pt",
        ),
        ("laion2b_s32b_b82k", "laion/CLIP-ViT-L-14-laion2B-s32B-b82K/", ""),
        ("datacomp_xl_s13b_b90k", "laion/CLIP-ViT-L-14-DataComp.XL-s13B-b90K/", ""),
        ("commonpool_xl_clip_s13b_b90k", "laion/CLIP-ViT-L-14-CommonPool.XL.clip-s13B-b90K/", ""),
        ("commonpool_xl_laion_s13b_b90k", "laion/CLIP-ViT-L-14-CommonPool.XL.laion-s13B-b90K/", ""),
        ("commonpool_xl_s13b_b90k", "laion/CLIP-ViT-L-14-CommonPool.XL-s13B-b90K/", ""),
        ("metaclip_400m", "timm/vit_large_patch14_clip_224.metaclip_400m/", "l14_400m.pt"),
        ("metaclip_fullcc", "timm/vit_large_patch14_clip_224.metaclip_2pt5b/", "l14_fullcc2.5b.pt"),
        ("dfn2b", "apple/DFN2B-CLIP-ViT-L-14/", ""),
        ("dfn2b_s39b", "apple/DFN2B-CLIP-ViT-L-14-39B/", ""),
    )
}
# The QuickGELU config's tags are the same files as ViT-L-14's.
_QUICKGELU_TAGS = ("openai", "metaclip_400m", "metaclip_fullcc", "dfn2b")
KNOWN_TAGS: dict[tuple[str, str], TagSource] = {
    **{("ViT-L-14", tag): source for tag, source in _VIT_L_14.items()},
    **{("ViT-L-14-quickgelu", tag): _VIT_L_14[tag] for tag in _QUICKGELU_TAGS},
    ("ViT-B-32", "openai"): TagSource("timm/vit_base_patch32_clip_224.openai/", "ViT-B-32.pt"),
    ("ViT-B-32", "laion2b_s34b_b79k"): TagSource("laion/CLIP-ViT-B-32-laion2B-s34B-b79K/", ""),
    ("ViT-B-16", "openai"): TagSource("timm/vit_base_patch16_clip_224.openai/", "ViT-B-16.pt"),
    ("ViT-B-16", "laion2b_s34b_b88k"): TagSource("laion/CLIP-ViT-B-16-laion2B-s34B-b88K/", ""),
}


class Presence(enum.Enum):
    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"  # a (model, tag) not in KNOWN_TAGS: only open_clip can tell


def tag_source(model_name: str, tag: str) -> TagSource | None:
    """The download source of a pretrained tag, or None when it is not in KNOWN_TAGS."""
    return KNOWN_TAGS.get((model_name.replace("/", "-"), tag.lower().replace("-", "_")))


def hf_hub_cache(cache_dir: str | None = None) -> str:
    """The Hugging Face hub cache folder huggingface_hub would use (see the module doc)."""
    if cache_dir:
        return os.path.expanduser(cache_dir)
    env = os.environ
    home = env.get("HF_HOME") or os.path.join(
        env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "huggingface",
    )
    default = os.path.join(os.path.expandvars(os.path.expanduser(home)), "hub")
    hub = env.get("HF_HUB_CACHE") or env.get("HUGGINGFACE_HUB_CACHE") or default
    return os.path.expandvars(os.path.expanduser(hub))


def _repo_folder(cache: str, repo_id: str) -> str:
    return os.path.join(cache, "models--" + repo_id.replace("/", "--"))


def hf_cached_snapshot(repo_id: str, cache_dir: str | None = None) -> str | None:
    """The snapshot folder of `repo_id` at its cached `main` revision, if there is one."""
    repo = _repo_folder(hf_hub_cache(cache_dir), repo_id)
    try:
        with open(os.path.join(repo, "refs", "main"), encoding="utf-8") as ref:
            commit = ref.read().strip()
    except OSError:
        return None
    snapshot = os.path.join(repo, "snapshots", commit)
    return snapshot if commit and os.path.isdir(snapshot) else None


def hf_cached_file(repo_id: str, filename: str, cache_dir: str | None = None) -> str | None:
    """A cached file of `repo_id`: at the `main` revision first, else in any snapshot."""
    snapshot = hf_cached_snapshot(repo_id, cache_dir)
    if snapshot is not None and os.path.isfile(os.path.join(snapshot, filename)):
        return os.path.join(snapshot, filename)
    snapshots = os.path.join(_repo_folder(hf_hub_cache(cache_dir), repo_id), "snapshots")
    try:
        commits = sorted(os.listdir(snapshots))
    except OSError:
        return None
    for commit in commits:
        candidate = os.path.join(snapshots, commit, filename)
        if os.path.isfile(candidate):
            return candidate
    return None


def hf_candidates(hf_hub: str) -> tuple[str, list[str]]:
    """Repository and file names (safetensors first) open_clip fetches for an hf_hub entry."""
    repo_id, filename = os.path.split(hf_hub)
    filename = filename or HF_WEIGHTS_NAME
    names = [filename]
    if filename == HF_WEIGHTS_NAME:
        names.insert(0, HF_SAFE_WEIGHTS_NAME)
    elif filename.endswith((".bin", ".pth")):
        names.insert(0, filename[:-4] + ".safetensors")
    return repo_id, names


def cached_tag_file(hf_hub: str, url_file: str, cache_dir: str | None) -> str | None:
    """The local weights file of a tag left by an earlier download, else None."""
    if hf_hub:
        repo_id, names = hf_candidates(hf_hub)
        for name in names:
            found = hf_cached_file(repo_id, name, cache_dir)
            if found is not None:
                return found
    if url_file:
        url_dir = (
            os.path.expanduser(cache_dir) if cache_dir else os.path.expanduser("~/.cache/clip")
        )
        candidate = os.path.join(url_dir, url_file)
        if os.path.isfile(candidate):
            return candidate
    return None


def hf_endpoint() -> tuple[str, int]:
    """(host, port) of the Hugging Face hub in use (HF_ENDPOINT, e.g. a mirror, or the hub)."""
    parts = urlsplit(os.environ.get("HF_ENDPOINT") or HF_DEFAULT_ENDPOINT)
    port = parts.port or (80 if parts.scheme == "http" else 443)
    return parts.hostname or "huggingface.co", port


def hub_offline_mode() -> bool:
    """Whether the user told huggingface_hub not to use the network (HF_HUB_OFFLINE=1)."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().lower() in ("1", "on", "yes", "true")


def host_reachable(host: str, port: int, timeout_s: float = PROBE_TIMEOUT_S) -> bool:
    """Whether a TCP connection to host:port opens within `timeout_s`, DNS lookup included.

    The connect runs on a daemon thread so a resolver that hangs cannot hold
    the caller longer than the timeout.
    """
    outcome: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                outcome.append(True)
        except OSError:
            outcome.append(False)

    probe = threading.Thread(target=attempt, name="curator-reachability", daemon=True)
    probe.start()
    probe.join(timeout_s)
    return bool(outcome and outcome[0])
