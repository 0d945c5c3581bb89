"""Which numeric precision CLIP runs in, on which device — chosen without importing torch.

`resolve_precision` and `describe` turn the setting (`auto | fp32 | fp16 |
bf16`) and the device into a precision, and say why in one sentence:
- `auto`: fp16 on CUDA; bf16 on a CPU with native bf16; fp32 elsewhere (MPS too);
- an explicit one where the device can run it (fp16 not on a CPU; bf16 on
  Ampere+, MPS where allowed, any CPU);
- otherwise `PrecisionUnavailable` at load (the stage is skipped), never a
  failed batch.

The vectors are float32 and normalised, agree with fp32's (cosine ≥ 0.995,
`curator models bench`) and share one model id. Importing this module imports
neither torch nor open_clip; the CPU's features are read once per process.
"""

from __future__ import annotations

import functools
import platform
import subprocess
from pathlib import Path
from typing import Literal

Precision = Literal["auto", "fp32", "fp16", "bf16"]
PRECISIONS: tuple[str, ...] = ("auto", "fp32", "fp16", "bf16")
ENV_PRECISION = "CURATOR_CLIP_PRECISION"

# x86 flags (Linux /proc/cpuinfo) that mean the CPU computes in bf16 natively.
_X86_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
_CPUINFO = Path("/proc/cpuinfo")


class PrecisionUnavailable(Exception):
    """The precision the settings ask for cannot run on this device; `message` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def bf16_flags_in_cpuinfo(text: str) -> tuple[str, ...]:
    """The native-bf16 features a /proc/cpuinfo text names (x86 flags, ARM `Features`)."""
    found: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key not in ("flags", "features"):
            continue
        words = set(value.split())
        found.update(flag for flag in _X86_BF16_FLAGS if flag in words)
        if key == "features" and "bf16" in words:  # aarch64: FEAT_BF16
            found.add("bf16")
    return tuple(sorted(found))


def _macos_bf16() -> tuple[str, ...]:
    try:
        out = subprocess.run(
            ["sysctl", "-n", "hw.optional.arm.FEAT_BF16"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ()
    return ("FEAT_BF16",) if out == "1" else ()


@functools.cache
def cpu_bf16_features() -> tuple[str, ...]:
    """This CPU's native-bf16 features (empty when it has none, or when the
    operating system does not say: Windows is read as none)."""
    system = platform.system()
    if system == "Linux":
        try:
            return bf16_flags_in_cpuinfo(_CPUINFO.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return ()
    if system == "Darwin":
        return _macos_bf16()
    return ()


def auto_precision(device: str, cpu_bf16: bool | None = None) -> str:
    """What `auto` means on `device` ("cuda", "mps", "cpu")."""
    if device == "cuda":
        return "fp16"
    if device == "cpu":
        native = bool(cpu_bf16_features()) if cpu_bf16 is None else cpu_bf16
        return "bf16" if native else "fp32"
    return "fp32"  # MPS: not measured there yet


def resolve_precision(
    requested: str,
    device: str,
    *,
    cpu_bf16: bool | None = None,
    cuda_bf16: bool | None = None,
) -> str:
    """The precision to build the model in; raise PrecisionUnavailable (a
    sentence) when the device cannot run what was asked. `cuda_bf16` is
    torch.cuda.is_bf16_supported() (asked only for bf16 on CUDA)."""
    if requested not in PRECISIONS:
        raise PrecisionUnavailable(
            f"'{requested}' is not a CLIP precision: use one of {', '.join(PRECISIONS)}."
        )
    if requested == "auto":
        return auto_precision(device, cpu_bf16)
    if requested == "fp16" and device == "cpu":
        raise PrecisionUnavailable(
            "CLIP precision is set to fp16, which only a GPU runs well: on this CPU it would be "
            "slower than fp32. Set CLIP precision to 'auto' (bf16 where the CPU has it, "
            "else fp32) or 'fp32'."
        )
    if requested == "bf16" and device == "cuda" and cuda_bf16 is False:
        raise PrecisionUnavailable(
            "CLIP precision is set to bf16, but this GPU has no bf16 (it needs an NVIDIA "
            "Ampere or newer). Set CLIP precision to 'auto' (fp16 on this GPU) or 'fp16'."
        )
    return requested


def describe(device: str, precision: str, device_name: str = "") -> str:
    """One sentence for doctor, the settings and `models bench`: where and in what CLIP runs."""
    where = {
        "cuda": f"the CUDA GPU{f' {device_name}' if device_name else ''}",
        "mps": "Apple's GPU (MPS)",
        "cpu": "the CPU",
    }.get(device, device)
    features = cpu_bf16_features() if device == "cpu" else ()
    why = ""
    if device == "cpu" and precision == "bf16":
        why = (
            f" (native bf16: {', '.join(features)})"
            if features
            else " (emulated: this CPU has no native bf16, so fp32 would be faster)"
        )
    elif device == "cpu" and precision == "fp32":
        why = (
            f" (this CPU has native bf16, {', '.join(features)}: 'auto' or 'bf16' runs about "
            "twice as fast)"
            if features
            else " (this CPU has no native bf16)"
        )
    return f"CLIP runs on {where} in {precision}{why}."
