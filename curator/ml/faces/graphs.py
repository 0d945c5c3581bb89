"""One TFLite graph of the face model, run by LiteRT, or by OpenCV's DNN module.

LiteRT (`ai-edge-litert`, Google's TFLite runtime, Apache 2.0: the runtime the
graphs were made for, with its XNNPACK kernels) runs them about twice as fast
as OpenCV's DNN module on one thread: on this project's machine the detector
5.2 ms against 10.5, the mesh 1.8 against 4.3 (a photo of people costs about
twice as much with OpenCV as with LiteRT). Where
LiteRT has no wheel (Windows), OpenCV's DNN runs the same graphs; the two
agree within a small fraction of a pixel on the landmarks (a test checks
them on real faces), so a catalog's verdicts do not depend on the seat.

`Graph.run` takes the input as a float32 NHWC array (1, H, W, 3), already
scaled as the graph expects, and returns the named outputs in the order
asked for, each as the runtime shapes it (callers reshape).

Invariants: one thread per graph (the stage runs one photo at a time per
process, and parallel work is processes); the XNNPACK delegate's one-line
notice on stderr is kept out of the app's output; nothing here knows faces.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

RUNTIME_ENV = "CURATOR_FACES_RUNTIME"  # "opencv" forces OpenCV's DNN (tests, comparisons)
_QUIET = threading.Lock()


def runtime() -> str:
    """ "litert" when LiteRT can be imported (and is not turned off), else "opencv"."""
    if os.environ.get(RUNTIME_ENV, "").strip().lower() == "opencv":
        return "opencv"
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        return "opencv"
    return "litert"


class Graph:
    """A TFLite graph and the outputs a caller reads of it."""

    def __init__(self, path: str, outputs: Sequence[str]):
        self.outputs = tuple(outputs)
        self.runtime = runtime()
        if self.runtime == "litert":
            self._interpreter, self._input, self._index = _litert(path, self.outputs)
        else:
            self._net = _opencv(path)

    def run(self, nhwc: NDArray[np.float32]) -> list[NDArray[np.float32]]:
        if self.runtime == "litert":
            self._interpreter.set_tensor(self._input, nhwc)
            self._interpreter.invoke()
            return [self._interpreter.get_tensor(i) for i in self._index]
        # OpenCV's DNN wants images channels first; other inputs go as they are.
        given = nhwc.transpose(0, 3, 1, 2) if nhwc.ndim == 4 else nhwc
        self._net.setInput(np.ascontiguousarray(given))
        found: list[NDArray[np.float32]] = self._net.forward(list(self.outputs))
        return found


def nhwc(image: NDArray[np.uint8], scale: float, mean: float = 0.0) -> NDArray[np.float32]:
    """An RGB image as a graph's input: (pixel - mean) * scale, shape (1, H, W, 3)."""
    out = image.astype(np.float32)  # one buffer, scaled in place: the same values
    out -= np.float32(mean)
    out *= np.float32(scale)
    return out[np.newaxis]


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
