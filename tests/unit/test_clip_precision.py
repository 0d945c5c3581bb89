"""The CLIP precision rule (ml.precision) and the loader's sizing (ml.clip_loading)."""

from __future__ import annotations

import pytest

from curator.ml.clip_loading import LoaderPlan, auto_batch_size, plan_loader
from curator.ml.precision import (
    PrecisionUnavailable,
    auto_precision,
    bf16_flags_in_cpuinfo,
    describe,
    resolve_precision,
)

EPYC = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n"
SAPPHIRE = "flags\t\t: fpu avx512f amx_bf16 amx_tile amx_int8\n"
OLD_XEON = "flags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n"
GRAVITON3 = "processor\t: 0\nFeatures\t: fp asimd sve bf16 i8mm\n"
OLD_ARM = "Features\t: fp asimd evtstrm aes\n"


def test_native_bf16_is_read_from_the_cpu_flags() -> None:
    assert bf16_flags_in_cpuinfo(EPYC) == ("avx512_bf16",)
    assert bf16_flags_in_cpuinfo(SAPPHIRE) == ("amx_bf16",)
    assert bf16_flags_in_cpuinfo(GRAVITON3) == ("bf16",)
    assert bf16_flags_in_cpuinfo(OLD_XEON) == ()
    assert bf16_flags_in_cpuinfo(OLD_ARM) == ()
    # a word that only contains the flag is not the flag; x86's "bf16"-free lines stay empty
    assert bf16_flags_in_cpuinfo("flags : avx512_bf16x notbf16\n") == ()


@pytest.mark.parametrize(
    ("device", "native", "expected"),
    [
        ("cuda", False, "fp16"),
        ("cuda", True, "fp16"),
        ("cpu", True, "bf16"),
        ("cpu", False, "fp32"),
        ("mps", True, "fp32"),  # not measured on Apple's GPU yet
    ],
)
def test_auto_picks_the_device_s_fast_precision(device: str, native: bool, expected: str) -> None:
    assert auto_precision(device, cpu_bf16=native) == expected
    assert resolve_precision("auto", device, cpu_bf16=native) == expected


def test_an_explicit_precision_is_honoured_where_the_device_runs_it() -> None:
    assert resolve_precision("fp32", "cuda") == "fp32"
    assert resolve_precision("fp16", "cuda") == "fp16"
    assert resolve_precision("bf16", "cuda", cuda_bf16=True) == "bf16"
    assert resolve_precision("bf16", "cpu", cpu_bf16=False) == "bf16"  # emulated, but it runs
    assert resolve_precision("fp16", "mps") == "fp16"


def test_a_precision_the_device_cannot_run_is_one_sentence() -> None:
    with pytest.raises(PrecisionUnavailable) as on_cpu:
        resolve_precision("fp16", "cpu", cpu_bf16=True)
    assert "fp16" in on_cpu.value.message and "'auto'" in on_cpu.value.message
    with pytest.raises(PrecisionUnavailable) as old_gpu:
        resolve_precision("bf16", "cuda", cuda_bf16=False)
    assert "Ampere" in old_gpu.value.message
    with pytest.raises(PrecisionUnavailable, match="not a CLIP precision"):
        resolve_precision("int8", "cpu")


def test_the_sentence_says_where_in_what_and_why() -> None:
    gpu = describe("cuda", "fp16", "NVIDIA H200")
    assert gpu == "CLIP runs on the CUDA GPU NVIDIA H200 in fp16."
    assert "Apple's GPU (MPS) in fp32" in describe("mps", "fp32")
    assert describe("cpu", "bf16").startswith("CLIP runs on the CPU in bf16 (")


def test_a_cpu_loader_leaves_the_cores_to_the_model() -> None:
    small = plan_loader("cpu", 0, cpus=2)
    assert small == LoaderPlan(16, workers=1, processes=False, prefetch_batches=2, chunk=1)
    assert plan_loader("cpu", 0, cpus=32).workers == 2
    assert plan_loader("cpu", 8, cpus=2).batch_size == 8  # the settings' number wins


def test_a_gpu_loader_uses_processes_sized_from_the_cores() -> None:
    plan = plan_loader("cuda", 0, cpus=16, gpu_memory=141 * 1024**3)
    assert plan.processes and plan.workers == 14  # all cores but the model's and the gatherer's
    assert plan.batch_size == 64
    in_flight = (plan.prefetch_batches + 1) * plan.batch_size
    assert in_flight >= 2 * plan.workers * plan.chunk  # every worker busy, one task behind each
    assert plan_loader("cuda", 0, cpus=128).workers == 32
    assert plan_loader("cuda", 0, cpus=16, gpu_memory=6 * 1024**3).batch_size == 32
    # too few cores for processes, or a transform only the model can run: threads
    assert not plan_loader("cuda", 0, cpus=2).processes
    assert not plan_loader("cuda", 0, cpus=16, pixels=False).processes
    assert auto_batch_size("mps") == 32 and auto_batch_size("cpu") == 16


def test_the_precision_setting_reaches_the_embedder_s_config() -> None:
    from curator.settings import InvalidSettings, clip_config, load_settings

    settings = load_settings(None, {"CURATOR_CLIP_PRECISION": "bf16"})
    assert clip_config(settings).precision == "bf16"
    assert clip_config(load_settings(None, {})).precision == "auto"
    assert clip_config(load_settings(None, {})).batch_size == 0  # chosen from the device
    with pytest.raises(InvalidSettings, match="clip_precision"):
        load_settings(None, {"CURATOR_CLIP_PRECISION": "fp8"})


def test_doctor_names_the_device_and_the_precision() -> None:
    import torch

    from curator.install.doctor import device_check
    from curator.settings import load_settings

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    auto = device_check(load_settings(None, {}))
    assert auto.ok and f"in {auto_precision('cpu')}" in auto.message
    refused = device_check(load_settings(None, {"CURATOR_CLIP_PRECISION": "fp16"}))
    assert not refused.ok and "fp16" in refused.message and "'auto'" in refused.message
