"""The faces stage's child side: what a decoder child process runs for faces.

Two ways in, one body (`ml.faces.find.faces_outcome`):
- **beside a measurement**: `faces_hook(request)` gives the technical stage the
  function it calls on the upright preview it just decoded (no second decode);
  the outcome rides back in the `TechnicalMeasurement`;
- **a back-fill** or a look again (`FacesRequest.look_again`): `run_faces(request)`
  judges the photo's cached 1,440 px preview; the original is read only for a
  group of small faces, and only while it is the file measured (content hash).
A face-model failure is a `FacesFailure` with a sentence, never an exception.

The networks load on the first photo, or before it on threads
(`load_networks_early`, from the pool's initializer: ~0.4 s of CPU off a warm
single-photo import). A load that raised leaves nothing behind (the next meets
the same error); one that crashes the process fails the request being served
(a quick look's chunk, or a photo, measured again `without_faces`).
Invariants: like `technical_child`, no catalog, no settings and no Qt are
imported here; OpenCV and the model load lazily; one load of each network at a time.
"""

from __future__ import annotations

import contextlib
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from curator.records import FacesFailure, FacesOutcome, TechnicalRequest

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from curator.ml.faces.files import FaceModelFiles

# (the upright preview, the photo's noise sd, its sharpness score, the function
# that decodes the frame's sharper pixels when asked) -> outcome
DetailFn = Callable[[], "NDArray[np.uint8] | None"]
FacesFn = Callable[["NDArray[np.uint8]", float | None, float | None, DetailFn], FacesOutcome]


_EARLY: list[threading.Thread] = []  # the early load's thread, until a photo waits for it


def load_networks_early(model_folder: str, describe: bool) -> None:
    """Load the face networks of the model in `model_folder` (the identity
    descriptor too when `describe`) on a thread, from now (see the module
    docstring); does nothing once a load has started."""
    if _EARLY:
        return
    loading = threading.Thread(
        target=_load_networks, args=(model_folder, describe), name="face-networks", daemon=True
    )
    _EARLY.append(loading)
    loading.start()


def _load_networks(model_folder: str, describe: bool) -> None:
    """The graphs, and the descriptor on a thread of its own beside them (a
    second core takes it where one is free: ~0.05 s of the ~0.3 s)."""
    from curator.ml.faces.descriptor import descriptor_for
    from curator.ml.faces.files import FaceModelFiles
    from curator.ml.faces.networks import networks_for

    files = FaceModelFiles(model_folder)
    describing = threading.Thread(
        target=_load, args=(descriptor_for, files), name="face-descriptor", daemon=True
    )
    if describe:
        describing.start()
    _load(networks_for, files)
    if describe:
        describing.join()


def _load(load: Callable[[FaceModelFiles], object], files: FaceModelFiles) -> None:
    with contextlib.suppress(Exception):  # the first photo meets it again, in its sentence
        load(files)


def wait_for_early_load() -> bool:
    """Wait until the early load (if one was started) has ended; whether one was."""
    for loading in _EARLY:
        loading.join()
    return bool(_EARLY)


@dataclass(frozen=True)
class FacesRequest:
    """One back-fill: a measured photo's cached preview and what the stage needs."""

    photo_id: int
    preview_path: str
    model_folder: str
    version: str
    noise_sd: float | None = None
    sharpness: float | None = None
    describe: bool = True  # identity descriptors (settings.people_recognition)
    # Where the frames shot beside it show key faces (fractions of the frame,
    # `ml.faces.relook`): a frame in which none was found, looked at again.
    look_again: tuple[tuple[float, float, float, float], ...] = ()
    # The original and its content hash when measured: a group's small faces are
    # looked for again in its sharper pixels, as the import did
    # (`imaging.technical.detail_of_original`; None: the preview alone).
    original_path: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True)
class FacesResult:
    photo_id: int
    outcome: FacesOutcome


def judge_preview(
    rgb: NDArray[np.uint8],
    model_folder: str,
    version: str,
    noise_sd: float | None,
    sharpness: float | None,
    detail: DetailFn | None = None,
    describe: bool = True,
    look_again: tuple[tuple[float, float, float, float], ...] = (),
) -> FacesOutcome:
    from curator.ml.faces.files import FaceModelFiles
    from curator.ml.faces.find import faces_outcome

    wait_for_early_load()
    return faces_outcome(
        rgb,
        FaceModelFiles(model_folder),
        version,
        noise_sd=noise_sd,
        photo_sharpness=sharpness,
        detail=detail,
        describe=describe,
        look_again=look_again,
    )


def faces_hook(request: TechnicalRequest) -> FacesFn | None:
    """The function the technical stage calls on its preview, or None when the
    faces stage does not ride along (no model, or switched off)."""
    folder = request.faces_model
    if not folder:
        return None
    version = request.faces_version
    describe = request.faces_describe

    def hook(
        rgb: NDArray[np.uint8],
        noise: float | None,
        sharpness: float | None,
        detail: DetailFn,
    ) -> FacesOutcome:
        return judge_preview(rgb, folder, version, noise, sharpness, detail, describe)

    return hook


def warm_up(request: TechnicalRequest) -> None:
    """Load what a measurement with `request`'s faces needs (the decoders, the
    face model's networks) before the first photo: a watched folder's children
    start with the watch, so its first frame waits for neither (~2 s of CPU)."""
    import numpy as np

    import curator.imaging.technical  # noqa: F401  (the decoding stack)

    hook = faces_hook(request)
    if hook is not None:
        hook(np.zeros((480, 640, 3), np.uint8), None, None, lambda: None)


def run_faces(request: FacesRequest) -> FacesResult:
    """The back-fill body (in a child process): never raises."""
    try:
        import cv2
        import numpy as np

        bgr = cv2.imread(request.preview_path, cv2.IMREAD_COLOR)
        if bgr is None:
            return FacesResult(
                request.photo_id,
                FacesFailure(
                    "This photo's preview is not in Curator's cache any more, so its faces "
                    "could not be judged; import its folder again to make it.",
                    "PreviewMissing",
                    request.preview_path,
                ),
            )
        rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        outcome = judge_preview(
            rgb,
            request.model_folder,
            request.version,
            request.noise_sd,
            request.sharpness,
            detail=_original_detail(request, rgb.shape),
            describe=request.describe,
            look_again=request.look_again,
        )
    except Exception as exc:
        outcome = FacesFailure(
            f"Curator hit an internal error while judging this photo's faces "
            f"({type(exc).__name__}); the details are in the error log.",
            type(exc).__name__,
            traceback.format_exc(),
        )
    return FacesResult(request.photo_id, outcome)


def _original_detail(request: FacesRequest, preview_shape: tuple[int, ...]) -> DetailFn | None:
    """The function that decodes the original's sharper pixels when the stage
    asks (a group), or None without an original."""
    original = request.original_path
    if original is None:
        return None
    from curator.imaging.technical import detail_of_original

    return lambda: detail_of_original(original, request.content_hash, preview_shape)
