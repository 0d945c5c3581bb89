"""One TFLite graph of the face model, run by OpenVINO, LiteRT, or OpenCV's DNN module.

The first of `RUNTIMES` that imports runs the graphs (`runtime`):
- **OpenVINO** (Apache 2.0), FP32 on one thread, batch fixed at one: the
  landmarks in half LiteRT's time, outputs LiteRT's within 1e-4; it also runs
  the identity `descriptor`, in BF16 where the CPU computes it natively.
- **LiteRT** (`ai-edge-litert`, Apache 2.0, XNNPACK), about twice as fast as
  OpenCV's DNN on one thread.
- **OpenCV's DNN module**, everywhere; it cannot load the expression
  classifier's quantized graph (the smile is then read from the mouth:
  `networks.Expression`).
The runtimes agree within a fraction of a pixel on the landmarks (a test checks
each against OpenCV), so a catalog's verdicts do not depend on the seat.
`Graph.run` takes a float32 NHWC (1, H, W, 3) input, scaled as the graph
expects, and returns the named outputs in the order asked (callers reshape).

Invariants: one thread per graph (parallel work is processes); XNNPACK's stderr
notice is kept out; the runtimes are imported when a graph is made, OpenVINO
without its model converter (`import_openvino`); nothing here knows faces.
Timings: docs/decisions/faces-models.md.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from curator.ml.faces.compiled import RUNTIME_ENV, cache_folder, cache_turn, mark_prepared

RUNTIMES = ("openvino", "litert", "opencv")  # the order of preference
NAMES = {"openvino": "OpenVINO", "litert": "LiteRT", "opencv": "OpenCV"}  # as a sentence says
_QUIET = threading.Lock()
_ONCE = threading.RLock()  # OpenVINO imported and its core made once, whichever thread asks first
_LOG = logging.getLogger(__name__)
_FELL_BACK: set[str] = set()  # the runtimes this process has said it fell back to
# OpenCV's DNN cannot load the expression graph (networks.Expression)
OPENCV_VERDICTS = "with the same verdicts, except smiles, which it reads from the mouth alone"


def runtime() -> str:
    """The runtime the graphs run on: the one `RUNTIME_ENV` names when it can
    be imported, else the first of `RUNTIMES` that can ("opencv" always can)."""
    asked = os.environ.get(RUNTIME_ENV, "").strip().lower()
    for name in (asked, *RUNTIMES) if asked in RUNTIMES else RUNTIMES:
        if importable(name):
            return name
    return "opencv"


def fall_back(exc: RuntimeError, instead: str) -> str:
    """`instead`, having said once a process (a warning in the log) that
    OpenVINO could not run the face model and which runtime does: a runtime
    that cannot run is one sentence, never a failure per photo."""
    if instead not in _FELL_BACK:
        _FELL_BACK.add(instead)
        # OpenVINO's message starts with where it was raised; its last line says what
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = lines[-1] if lines else type(exc).__name__
        _LOG.warning(
            "OpenVINO could not run the face model (%s); %s runs it instead, %s.",
            reason,
            NAMES[instead],
            OPENCV_VERDICTS if instead == "opencv" else "with the same verdicts",
        )
    return instead


def runtime_after(name: str) -> str:
    """The first runtime after `name` in `RUNTIMES` that can be imported."""
    later = RUNTIMES[RUNTIMES.index(name) + 1 :]
    return next((each for each in later if importable(each)), "opencv")


def importable(name: str) -> bool:
    """Whether the runtime `name` (one of `RUNTIMES`) can be imported here."""
    try:
        if name == "openvino":
            import_openvino()
        elif name == "litert":
            import ai_edge_litert.interpreter  # noqa: F401
    except (ImportError, OSError):  # not installed, or its native libraries do not load
        return False
    return True


CONVERTER = "openvino.tools.ovc"  # OpenVINO's model converter, which its package imports


def import_openvino() -> ModuleType:
    """OpenVINO, imported without its model converter (`CONVERTER`: ~0.07 s of the
    import's ~0.10 s of CPU in every faces process; the faces never convert a
    model). A stand-in takes the converter's place while the package imports; its
    `convert_model` imports the converter when called. An OpenVINO that needs more
    of the converter is imported whole.
    """
    with _ONCE:  # another thread's import in progress is waited for, never half seen
        if "openvino" in sys.modules:
            return sys.modules["openvino"]
        stand_in = ModuleType(CONVERTER)
        stand_in.convert_model = _convert_model  # type: ignore[attr-defined]
        sys.modules.setdefault(CONVERTER, stand_in)
        try:
            import openvino
        except ImportError:
            _drop(stand_in)
            import openvino  # the converter itself, then: its package wants more of it
        finally:
            _drop(stand_in)
        return openvino


def _drop(stand_in: ModuleType) -> None:
    if sys.modules.get(CONVERTER) is stand_in:
        del sys.modules[CONVERTER]


def _convert_model(*args: Any, **kwargs: Any) -> Any:
    """OpenVINO's `convert_model`, its converter imported now."""
    from openvino.tools.ovc import convert_model

    return convert_model(*args, **kwargs)


class Graph:
    """A TFLite graph and the outputs a caller reads of it. Where OpenVINO is
    installed but cannot run the graph (a broken install: its error is a
    RuntimeError), the next runtime runs it; a file that is no graph fails
    in the last one with its sentence."""

    def __init__(self, path: str, outputs: Sequence[str]):
        self.outputs = tuple(outputs)
        self.runtime = runtime()
        if self.runtime == "openvino":
            try:
                self._request, self._ports = openvino_request(path, self.outputs, precise=True)
                return
            except RuntimeError as exc:
                self.runtime = fall_back(exc, runtime_after("openvino"))
        if self.runtime == "litert":
            self._interpreter, self._input, self._index = _litert(path, self.outputs)
        else:
            self._net = _opencv(path)

    def run(self, nhwc: NDArray[np.float32]) -> list[NDArray[np.float32]]:
        if self.runtime == "openvino":
            self._request.infer({0: nhwc})
            # copies: the request's buffers are overwritten by its next run
            return [np.array(self._request.get_tensor(port).data) for port in self._ports]
        if self.runtime == "litert":
            self._interpreter.set_tensor(self._input, nhwc)
            self._interpreter.invoke()
            return [self._interpreter.get_tensor(i) for i in self._index]
        # OpenCV's DNN wants images channels first; other inputs go as they are.
        given = nhwc.transpose(0, 3, 1, 2) if nhwc.ndim == 4 else nhwc
        self._net.setInput(np.ascontiguousarray(given))
        found: list[NDArray[np.float32]] = self._net.forward(list(self.outputs))
        return found


def nhwc(
    image: NDArray[np.uint8] | NDArray[np.float32], scale: float, mean: float = 0.0
) -> NDArray[np.float32]:
    """An RGB image (uint8, or float32 pixel values) as a graph's input:
    (pixel - mean) * scale, shape (1, H, W, 3)."""
    out = image.astype(np.float32)  # one buffer, scaled in place: the same values
    out -= np.float32(mean)
    out *= np.float32(scale)
    return out[np.newaxis]


def openvino_request(path: str, outputs: Sequence[str], precise: bool) -> tuple[Any, list[Any]]:
    """An OpenVINO inference request for the graph or network at `path` (TFLite or
    ONNX), on one CPU thread, its batch fixed at one, and the ports of the named
    `outputs` (all when none are named). `precise` keeps FP32 (the detectors' and
    landmarks' outputs LiteRT's within 1e-4); else BF16 where the CPU computes it
    natively (halving a convolution network's time), FP32 elsewhere.
    """
    config: dict[str, Any] = {
        "INFERENCE_NUM_THREADS": 1,
        "NUM_STREAMS": 1,
        "PERFORMANCE_HINT": "LATENCY",
        "ENABLE_CPU_PINNING": False,  # several faces processes share the cores
    }
    if precise:
        config["INFERENCE_PRECISION_HINT"] = "f32"
    try:
        with cache_turn():  # one process at a time: OpenVINO's cache has no lock of its own
            compiled = _compiled(_openvino_core(cached=True), path, config, _batch_one_folder())
        mark_prepared(path, precise)  # compiled into the cache: the next process loads it
    except RuntimeError:
        # No turn at the cache (compiled.NoTurn), or the cache failed (a blob
        # another program changed): this process compiles without the cache.
        compiled = _compiled(_openvino_core(cached=False), path, config, None)
    by_name = {name: port for port in compiled.outputs for name in port.get_names()}
    missing = [name for name in outputs if name not in by_name]
    if missing:
        raise ValueError(f"{os.path.basename(path)} has no output named {', '.join(missing)}")
    ports = [by_name[name] for name in outputs] if outputs else list(compiled.outputs)
    return compiled.create_infer_request(), ports


def _compiled(core: Any, path: str, config: dict[str, Any], kept: Path | None) -> Any:
    """The network at `path` compiled by `core`, its input's batch fixed at one (a
    static shape compiles to faster kernels: the landmarks 4.4-5.0 ms a run
    against 6.1-8.8 with their batch open).

    Compiled from its file first: with the cache, OpenVINO loads the compiled
    network without converting the graph (the face model's seven: 0.44 s of CPU
    against 1.1 s). A network with an open batch is read, fixed at one and
    compiled again; with the cache it is also kept in OpenVINO's form in `kept`
    (`_batch_one`), which the next process compiles from the cache (the
    landmarks: 0.05 s of CPU against 0.27). A file OpenVINO cannot read raises
    its RuntimeError here: the caller falls back to the next runtime (`Graph`).
    """
    fixed = _batch_one(path, kept)
    if fixed is not None and fixed.exists():
        return core.compile_model(str(fixed), "CPU", config)
    compiled = core.compile_model(path, "CPU", config)
    if not compiled.inputs[0].get_partial_shape().is_dynamic:
        return compiled
    model = core.read_model(path)
    shape = model.inputs[0].get_partial_shape()
    model.reshape([1 if d.is_dynamic else d.get_length() for d in shape])
    if fixed is None or not _keep(model, fixed):
        return core.compile_model(model, "CPU", config)
    return core.compile_model(str(fixed), "CPU", config)


def _batch_one_folder() -> Path | None:
    """Where networks with their batch fixed are kept (None: the cache
    cannot be written, so nothing is kept)."""
    folder = cache_folder()
    return folder if os.access(folder, os.W_OK) else None


def _batch_one(path: str, kept: Path | None) -> Path | None:
    """Where the network at `path`, its batch fixed at one, is kept (by its
    file's name and size: another model file is another network)."""
    if kept is None:
        return None
    try:
        size = os.stat(path).st_size
    except OSError:
        return None
    return kept / f"{Path(path).stem}.{size}.batch1.xml"


def _keep(model: Any, fixed: Path) -> bool:
    """Save `model` as OpenVINO's XML and weights at `fixed`, published whole
    (the weights first, then the XML that names them, each by a rename: two
    processes saving at once each publish a whole pair); False if it cannot be."""
    openvino = import_openvino()
    temp = fixed.with_name(f"{fixed.stem}.{os.getpid()}.{threading.get_ident()}.partial.xml")
    try:
        openvino.save_model(model, str(temp), compress_to_fp16=False)  # the weights as they are
        os.replace(temp.with_suffix(".bin"), fixed.with_suffix(".bin"))
        os.replace(temp, fixed)
    except (OSError, RuntimeError):
        for leftover in (temp, temp.with_suffix(".bin")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        return False
    return True


def _openvino_core(cached: bool = True) -> Any:
    """One OpenVINO core a process, `cached`: keeping the networks it compiles
    for this CPU in the cache folder (`compiled.cache_folder`): compiling the
    seven costs ~2.3 s of CPU the first time on the Xeon this was measured on,
    ~0.6 s from the cache (`_compiled`), once a faces process (LiteRT: ~0.25 s).
    Threads loading networks at once share it."""
    with _ONCE:
        return _core(cached)


@functools.lru_cache(maxsize=2)
def _core(cached: bool) -> Any:
    core = import_openvino().Core()
    if not cached:
        return core
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only cache: each process compiles them again
        return core
    core.set_property({"CACHE_DIR": str(folder)})
    return core


def _litert(path: str, outputs: Sequence[str]) -> tuple[Any, int, list[int]]:
    from ai_edge_litert.interpreter import Interpreter

    with _stderr_quiet():  # the XNNPACK delegate's "INFO: Created ... delegate for CPU."
        interpreter = Interpreter(model_path=path, num_threads=1)
        interpreter.allocate_tensors()
    by_name = {d["name"]: int(d["index"]) for d in interpreter.get_output_details()}
    missing = [name for name in outputs if name not in by_name]
    if missing:
        raise ValueError(f"{os.path.basename(path)} has no output named {', '.join(missing)}")
    return (
        interpreter,
        int(interpreter.get_input_details()[0]["index"]),
        [by_name[name] for name in outputs],
    )


def _opencv(path: str) -> Any:
    import cv2

    engine = getattr(cv2.dnn, "ENGINE_CLASSIC", None)
    if engine is None:
        return cv2.dnn.readNetFromTFLite(path)
    return cv2.dnn.readNetFromTFLite(path, engine)


@contextlib.contextmanager
def _stderr_quiet() -> Iterator[None]:
    """The process's stderr (file descriptor 2) sent nowhere for the block: the
    runtime writes its notice there from C++, past Python's sys.stderr."""
    with _QUIET:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no stderr to quiet
            yield
            return
        try:
            with open(os.devnull, "wb") as null:
                os.dup2(null.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
