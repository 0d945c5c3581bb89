"""`find_faces`: the faces stage's body on one upright preview.

1. Look for faces: the detector over the whole frame down to `MIN_SCORE` (under
   `SURE_SCORE` kept only where the mesh sees a face, `MIN_PRESENCE`). A second
   look unless the first is sure (`is_confident`): a small face
   (`SMALL_FACE_SHARE`) asks for four overlapping quarters; otherwise the
   `MAX_HINTS` likeliest findings down to `HINT_SCORE` are looked at `HINT_ZOOM`
   closer (a small or dark face reads 0.05–0.2 whole, 0.6–0.8 closer); an empty
   frame gets the full-range detector over the quarters (a lone 50–100 px face
   can read nothing whole). A burst frame with no face beside siblings with key
   faces is looked at again (`look_again`, `AGAIN_ZOOM`). Duplicates merge; an
   unsure detection stacked on a sure face (`PART_DX`, `PART_DY`) is its
   forehead or chin, dropped (`without_parts`).
2. At most `MAX_FACES` kept; the `MAX_JUDGED` largest of at least
   `eyes.MIN_JUDGED_PX` are judged, the rest counted.
3. Per judged face: the Face Mesh's presence (none, or under `eyes.SEEN_FROM`
   with an eye band under `NO_DETAIL` of detail: dropped), landmarks and
   blendshapes; the classifier's happy; the eyes (`eyes.judge_eyes`, read again
   if shut or narrowed: `read_eyes`); the eye band's sharpness; the look
   (`expression`); for the `MAX_DESCRIBED` largest, the `descriptor`.
4. Key faces (`verdicts.mark_key_faces`).
Boxes are fractions of the preview (x, y, w, h), clipped to it. A frame under
`MIN_SEARCH_PX` on its short side is not searched; one over `MAX_LONG_EDGE` is
area-reduced first. `faces_outcome` turns any exception into a `FacesFailure`.
Pure, `rgb` never modified, deterministic. Figures: docs/decisions/faces-models.md.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ParamSpec

import cv2
import numpy as np
from numpy.typing import NDArray

from curator.imaging.metrics import WorkingView
from curator.ml.faces import eyes as eye_rules
from curator.ml.faces import groups
from curator.ml.faces.descriptor import MODEL as DESCRIPTOR_MODEL
from curator.ml.faces.descriptor import (
    DescriptorError,
    aligned_face,
    descriptor_for,
    five_points,
    vector_bytes,
)
from curator.ml.faces.expression import read_looks, smile_score
from curator.ml.faces.files import FaceModelFiles
from curator.ml.faces.networks import (
    BROW_DOWN,
    EYE_BLINK,
    Detection,
    Mesh,
    Networks,
    as_float,
    box_ious,
    cut_by_region,
    merge_detections,
    networks_for,
)
from curator.ml.faces.relook import Box
from curator.ml.faces.sharpness import band_sharpness, eye_band
from curator.ml.faces.verdicts import SURE_FACE, mark_key_faces, summarize
from curator.records import LOOKED_AGAIN, Face, FacesFailure, FacesFound, FacesOutcome

P = ParamSpec("P")

MAX_FACES = 200
MAX_JUDGED = 64
MAX_DESCRIBED = 12  # the largest judged faces of a photo get an identity descriptor
MIN_SEARCH_PX = 48
MAX_LONG_EDGE = 2048
MIN_PRESENCE = 0.1  # under it the mesh sees no face at all (false detections read ~0.0)
MIN_SCORE = 0.25  # the detector's threshold: recall of faces ≥ 80 px 0.87 → 0.97 from 0.5
NEAR_MIN_SCORE = 0.5  # the short-range detector's
SURE_SCORE = SURE_FACE  # a detection this confident is a face without the mesh's word
PART_DX = 0.25  # an unsure detection this near a sure face's centre across (of its width) …
PART_DY = 0.8  # … and this near up or down (of its height) is a part of that face
NO_DETAIL = 1.5  # a face the mesh hardly sees, eye band this flat: none (real faces read ≥ 1.9)
NEAR_SURE_SCORE = 0.75  # ... from the short-range detector
SMALL_FACE_SHARE = 0.12  # a face under this share of the long edge asks for the quarters pass
HINT_SCORE = 0.05  # a whole-frame finding this sure (and under MIN_SCORE) is a hint
MAX_HINTS = 2
HINT_ZOOM = 5.0  # a hint's closer look: a region of this many times its side
HINT_MIN_PX = 96
HINT_OVERLAP = 0.1  # a hint overlapping a found face this much is that face
AGAIN_ZOOM = 3.0  # a look again where a burst's other frames show a face: this many sides
AGAIN_SIZE = (0.3, 2.0)  # ... finding it at this share of that face's side ...
AGAIN_REACH = 1.0  # ... centred within this many of its sides of that face's centre
QUARTER_OVERLAP = 0.2
HALVE_FROM = 1152  # a frame this large is looked at at half size (6 x the detector's input)
TOO_SMALL_TO_SEARCH = "too small to look for faces in"
NOT_JUDGED_MANY = "not judged (too many faces)"


def quarters(width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Four overlapping regions (x, y, w, h) covering the frame."""
    w = round(width * (0.5 + QUARTER_OVERLAP / 2))
    h = round(height * (0.5 + QUARTER_OVERLAP / 2))
    return [(x, y, w, h) for y in (0, height - h) for x in (0, width - w)]


def detect_faces(
    nets: Networks, rgb: NDArray[np.uint8], look_again: Sequence[Box] = ()
) -> list[Detection]:
    """Step 1 and the cap of step 2 (module docstring). The detectors look at a
    half-size copy from `HALVE_FROM` (their inputs are 192 and 128 px), their
    findings scaled back. The second look is skipped when the first is sure
    (`is_confident`) and no face is small: beside a sure face it rarely found another.

    `look_again` (fractions of the frame, `ml.faces.relook`) adds the full-range
    detector's look `AGAIN_ZOOM` sides around each face, on the frame's own pixels
    (`again_regions`), keeping only faces at the place and size looked for
    (`_at_place`); `find_faces` keeps them only where the mesh sees a face (from
    `eyes.SEEN_FROM`): closer, a red plant can read as a "face"
    (docs/decisions/faces-models.md).
    """
    height, width = rgb.shape[:2]
    factor = 2 if max(width, height) >= HALVE_FROM else 1
    seen = rgb
    if factor > 1:
        size = (max(1, width // factor), max(1, height // factor))
        seen = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    pixels = as_float(seen)  # converted once for every pass (`Detector.detect`)
    candidates = nets.detector.detect(pixels, threshold=HINT_SCORE)
    found = [d for d in candidates if d.score > MIN_SCORE]
    merged = merge_detections(found)
    near = nets.near_detector.detect(pixels, threshold=NEAR_MIN_SCORE)
    small = any(d.long_side * factor < SMALL_FACE_SHARE * max(width, height) for d in merged)
    confident = not small and is_confident(found, near)
    regions = quarters(seen.shape[1], seen.shape[0])
    if small:
        for region in regions:
            found += nets.detector.detect(pixels, region, threshold=MIN_SCORE)
    elif not confident:
        hints = hint_regions(candidates, merged, seen.shape)
        lone = not hints and not merged  # nothing at all: a lone small face hides as well
        for region in regions if lone else hints:
            found += nets.detector.detect(pixels, region, threshold=MIN_SCORE)
    if not confident:
        for region in regions:
            found_there = nets.near_detector.detect(pixels, region, threshold=NEAR_MIN_SCORE)
            near += [d for d in found_there if not cut_by_region(d, region, seen.shape)]
    merged = [_scaled(d, factor) for d in merge_detections(found + near_rescored(near))]
    if look_again:  # a frame whose first look found none: only what it looks for
        merged = [
            d
            for d in merge_detections(merged + looked_again(nets, rgb, look_again))
            if any(_at_place(d, box, rgb.shape) for box in look_again)
        ]
    return merged[:MAX_FACES]


def looked_again(nets: Networks, rgb: NDArray[np.uint8], boxes: Sequence[Box]) -> list[Detection]:
    """The full-range detector's findings in `again_regions(boxes)`."""
    return [
        d
        for region in again_regions(boxes, rgb.shape)
        for d in nets.detector.detect(rgb, region, threshold=MIN_SCORE)
    ]


def _at_place(d: Detection, box: Box, shape: tuple[int, ...]) -> bool:
    """Whether `d` is the face a look again looks for at `box` (fractions):
    centred within `AGAIN_REACH` of its side from the box's centre, its long side
    within `AGAIN_SIZE` of it, and large enough to judge (`eyes.MIN_JUDGED_PX`).
    A burst's subject keeps its place and size from frame to frame; an eye found
    alone, or a pattern elsewhere, does not (on the burst bench eyes alone read
    0.15-0.26 of the face's side, the faces found 0.32-1.0).
    """
    height, width = shape[:2]
    side = max(box[2] * width, box[3] * height)
    cx, cy = (box[0] + box[2] / 2) * width, (box[1] + box[3] / 2) * height
    dx = abs(d.box[0] + d.box[2] / 2 - cx)
    dy = abs(d.box[1] + d.box[3] / 2 - cy)
    low = max(AGAIN_SIZE[0] * side, eye_rules.MIN_JUDGED_PX)
    near = dx <= AGAIN_REACH * side and dy <= AGAIN_REACH * side
    return near and low <= d.long_side <= AGAIN_SIZE[1] * side


def without_parts(detections: list[Detection]) -> list[Detection]:
    """`detections` less each unsure one (under `SURE_SCORE`) stacked on a
    sure face no smaller than it: centred within `PART_DX` of that face's
    width across and `PART_DY` of its height up or down — its forehead or
    chin found again (module docstring, step 1). Order is kept; every
    unsure detection is held against every sure face at once (a crowd's
    200 detections cost ~0.2 ms)."""
    sure = np.array([d.box for d in detections if d.score >= SURE_SCORE], dtype=np.float64)
    unsure = [d for d in detections if d.score < SURE_SCORE]
    if not len(sure) or not unsure:
        return detections
    boxes = np.array([d.box for d in unsure], dtype=np.float64)
    sides = np.maximum(boxes[:, 2], boxes[:, 3])[:, None]
    width, height = sure[None, :, 2], sure[None, :, 3]
    across = np.abs(boxes[:, None, 0] + boxes[:, None, 2] / 2 - sure[None, :, 0] - width / 2)
    up_down = np.abs(boxes[:, None, 1] + boxes[:, None, 3] / 2 - sure[None, :, 1] - height / 2)
    on_face = (
        (np.maximum(width, height) >= sides)
        & (width > 0)
        & (height > 0)
        & (across <= PART_DX * width)
        & (up_down <= PART_DY * height)
    )
    stacked = np.asarray(on_face.any(axis=1), dtype=bool).tolist()
    parts = {id(d) for d, part in zip(unsure, stacked, strict=True) if part}
    return [d for d in detections if id(d) not in parts]


def near_rescored(near: list[Detection]) -> list[Detection]:
    """Short-range findings held to their own bar of sureness (`NEAR_SURE_SCORE`):
    their scores run higher on what is not a face."""
    return [_rescored(d, NEAR_MIN_SCORE, NEAR_SURE_SCORE) for d in near]


def is_confident(full: list[Detection], near: list[Detection]) -> bool:
    """Whether the first look (the full-range findings over `MIN_SCORE`, the
    short-range ones over `NEAR_MIN_SCORE`, both over the whole frame) holds a
    face at least `SURE_SCORE` sure on the one scale of both detectors."""
    return any(d.score >= SURE_SCORE for d in full + near_rescored(near))


def hint_regions(
    candidates: list[Detection], faces: list[Detection], shape: tuple[int, ...]
) -> list[tuple[int, int, int, int]]:
    """Where to look again, closer (step 1 of the module docstring): the
    `MAX_HINTS` likeliest whole-frame findings under `MIN_SCORE` that are no
    face already found, each as a square region (x, y, w, h) of `HINT_ZOOM`
    times its side (at least `HINT_MIN_PX`, at most half the frame's long
    side), moved inside the frame."""
    hints = merge_detections([d for d in candidates if d.score <= MIN_SCORE])
    if faces:
        boxes = np.array([d.box for d in faces], dtype=np.float64)
        hints = [h for h in hints if not (box_ious(np.array(h.box), boxes) > HINT_OVERLAP).any()]
    return [
        _square_around(
            h.box[0] + h.box[2] / 2, h.box[1] + h.box[3] / 2, h.long_side, HINT_ZOOM, shape
        )
        for h in hints[:MAX_HINTS]
    ]


def again_regions(boxes: Sequence[Box], shape: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """Where to look again for the faces a burst's other frames show
    (`detect_faces`' `look_again`: boxes as fractions of the frame): each as
    a square region of `AGAIN_ZOOM` times the face's side around its centre
    (at least `HINT_MIN_PX`, at most half the frame's long side), inside the
    frame. On the burst bench's 9 peaks without a face, this found every
    one (scores 0.69-0.94), where the whole frame read under `HINT_SCORE`."""
    height, width = shape[:2]
    return [
        _square_around(
            (x + w / 2) * width, (y + h / 2) * height, max(w * width, h * height), AGAIN_ZOOM, shape
        )
        for x, y, w, h in boxes
    ]


def _square_around(
    cx: float, cy: float, side: float, zoom: float, shape: tuple[int, ...]
) -> tuple[int, int, int, int]:
    """A square region (x, y, w, h) of `zoom` times `side` centred on (cx, cy),
    at least `HINT_MIN_PX` and at most half the frame's long side, moved inside it."""
    height, width = shape[:2]
    square = round(min(max(zoom * side, HINT_MIN_PX), max(width, height) / 2))
    x = round(min(max(0.0, cx - square / 2), max(0, width - square)))
    y = round(min(max(0.0, cy - square / 2), max(0, height - square)))
    return (x, y, min(square, width), min(square, height))


def _rescored(d: Detection, low: float, sure: float) -> Detection:
    """`d` with its score mapped so that `low` reads `MIN_SCORE` and `sure` reads
    `SURE_SCORE` (linearly, capped at 1): one scale for both detectors' findings."""
    score = MIN_SCORE + (d.score - low) * (SURE_SCORE - MIN_SCORE) / (sure - low)
    return Detection(min(1.0, max(0.0, score)), d.box, d.keypoints)


def _scaled(d: Detection, factor: int) -> Detection:
    if factor == 1:
        return d
    box = (d.box[0] * factor, d.box[1] * factor, d.box[2] * factor, d.box[3] * factor)
    return Detection(d.score, box, d.keypoints * factor)


def _box_fraction(
    box: tuple[float, float, float, float], width: int, height: int
) -> tuple[float, float, float, float]:
    x0, y0 = max(0.0, box[0]), max(0.0, box[1])
    x1, y1 = min(float(width), box[0] + box[2]), min(float(height), box[1] + box[3])
    return (
        round(x0 / width, 5),
        round(y0 / height, 5),
        round(max(0.0, x1 - x0) / width, 5),
        round(max(0.0, y1 - y0) / height, 5),
    )


def find_faces(
    rgb: NDArray[np.uint8],
    files: FaceModelFiles,
    version: str,
    *,
    noise_sd: float | None = None,
    photo_sharpness: float | None = None,
    detail: Callable[[], NDArray[np.uint8] | None] | None = None,
    describe: bool = True,
    look_again: Sequence[Box] = (),
) -> FacesFound:
    """The faces in an upright RGB preview (see the module docstring);
    `noise_sd` and `photo_sharpness` are the technical stage's measures of the
    same photo (its noise, taken off the faces' detail; its score, which SOFT
    FACE compares the key faces with); `detail` gives the same frame's upright
    pixels at a higher resolution (RGB, or grey), decoded only when called:
    a group's small faces are looked for and judged again in them (`groups`);
    `describe` False (recognising people switched off) computes no identity
    descriptor; `look_again` is where a burst's other frames show faces
    (`detect_faces`), and a frame looked at again that still shows none
    says so in its note (`LOOKED_AGAIN`)."""
    if min(rgb.shape[:2]) < MIN_SEARCH_PX:
        return FacesFound((), version, TOO_SMALL_TO_SEARCH)
    if max(rgb.shape[:2]) > MAX_LONG_EDGE:
        scale = MAX_LONG_EDGE / max(rgb.shape[:2])
        size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
        rgb = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    nets = networks_for(files)
    height, width = rgb.shape[:2]
    detections = detect_faces(nets, rgb, look_again)
    judge_on, factor = rgb, 1.0
    sharper = detail() if detail is not None and groups.is_group(detections) else None
    if sharper is not None and groups.helps(sharper, rgb.shape):
        factor = max(sharper.shape[:2]) / max(height, width)
        judge_on = groups.as_rgb(sharper)
        detections = groups.detail_detections(nets, judge_on, detections, factor)
    detections = without_parts(detections)
    detections.sort(key=lambda d: -d.long_side)
    # The luma only once a face is to be judged (most frames of a shoot have
    # none), and of its working scale only each face's eye band
    # (`metrics.WorkingView`): the whole 1,024 px copy of a 1,440 px preview
    # cost 1-3 ms more a people photo, side by side on the faces bench's Xeon.
    seen: _Luma | None = None
    faces: list[Face] = []
    descriptors: list[bytes | None] = []
    to_describe: list[tuple[int, NDArray[np.float64]]] = []  # (face's index, its landmarks)
    judged = 0
    for detection in detections:
        pixels = detection.long_side  # in the pixels it is judged on
        size_px = round(pixels / factor)  # in the preview's
        box = _box_fraction(detection.box, judge_on.shape[1], judge_on.shape[0])
        if pixels < eye_rules.MIN_JUDGED_PX or judged >= MAX_JUDGED:
            if detection.score < SURE_SCORE:
                continue  # unsure, and too small (or too many) to ask the mesh
            note = eye_rules.TOO_SMALL if pixels < eye_rules.MIN_JUDGED_PX else NOT_JUDGED_MANY
            faces.append(Face(box, size_px, False, eyes_note=note, confidence=detection.score))
            descriptors.append(None)
            continue
        presence = nets.landmarks.presence(judge_on, detection)
        if presence < MIN_PRESENCE and detection.score < SURE_SCORE:
            continue  # an unsure detection the mesh sees no face in: not a face
        if look_again and presence < eye_rules.SEEN_FROM:
            continue  # a look again takes only a face the mesh sees (`detect_faces`)
        mesh = nets.landmarks.mesh(judge_on, detection, presence)
        judged += 1
        seen = seen or _Luma.of(rgb, None if judge_on is rgb else judge_on)
        happy = nets.expression.happy(seen.luma, detection)
        mesh, shapes, reading = read_eyes(nets, judge_on, seen.luma, mesh, pixels, happy)
        right, left = mesh.right_lids, mesh.left_lids
        to_work = seen.to_work / factor
        x0, y0, x1, y1 = (v * to_work for v in eye_band(right, left))
        sharpness = band_sharpness(seen.work, (x0, y0, x1, y1), noise_sd)
        if presence < eye_rules.SEEN_FROM and sharpness is not None and sharpness < NO_DETAIL:
            judged -= 1
            continue  # hardly a face to the mesh, no detail where its eyes would be: a pattern
        looks = read_looks(mesh.points, mesh.depth, shapes, reading.state, 1 / factor, happy)
        pose = looks.pose
        faces.append(
            Face(
                box,
                size_px,
                True,
                eyes=reading.state,
                eyes_note=reading.note,
                openness=None if reading.openness is None else round(reading.openness, 4),
                sharpness=sharpness,
                confidence=round(detection.score, 4),
                smile=looks.smile,
                looking=looks.looking,
                yaw=None if pose is None else pose.yaw,
                pitch=None if pose is None else pose.pitch,
                roll=None if pose is None else pose.roll,
            )
        )
        descriptors.append(None)
        if describe and judged <= MAX_DESCRIBED:
            to_describe.append((len(faces) - 1, mesh.points))
    for index, vector in _described(files, judge_on, to_describe):
        descriptors[index] = vector
    marked = tuple(mark_key_faces(faces))
    return FacesFound(
        marked,
        version,
        note=LOOKED_AGAIN if look_again and not marked else None,
        summary=summarize(marked, photo_sharpness),
        descriptors=tuple(descriptors) if any(d is not None for d in descriptors) else (),
        descriptor_model=DESCRIPTOR_MODEL,
    )


def read_eyes(
    nets: Networks,
    rgb: NDArray[np.uint8],
    luma: NDArray[np.uint8],
    mesh: Mesh,
    pixels: float,
    happy: float | None = None,
) -> tuple[Mesh, NDArray[np.float32], eye_rules.EyeReading]:
    """A judged face's landmarks, blendshapes and eyes' reading (`luma`:
    the pixels of `rgb`, where the face is `pixels` long; `happy`: the
    expression classifier's reading of it, for the smile the eyes' rule
    reads first). A reading of shut or narrowed eyes — or one the rule
    cannot tell from shut (`eyes.read_shut`) — is read again on the crop
    the landmarks themselves frame (`Landmarks.mesh_again`), and the second
    reading stands, its landmarks and blendshapes with it: shut eyes are
    said only when both framings read them shut (module docstring, step 3)."""
    shapes = nets.landmarks.blendshapes(mesh)
    reading = _judge(luma, mesh, shapes, pixels, happy)
    if not eye_rules.read_shut(reading):
        return mesh, shapes, reading
    again = nets.landmarks.mesh_again(rgb, mesh)
    if again is None:
        return mesh, shapes, reading
    shapes = nets.landmarks.blendshapes(again)
    return again, shapes, _judge(luma, again, shapes, pixels, happy)


def _judge(
    luma: NDArray[np.uint8],
    mesh: Mesh,
    shapes: NDArray[np.float32],
    pixels: float,
    happy: float | None,
) -> eye_rules.EyeReading:
    """`eyes.judge_eyes` on a face's landmarks and blendshapes, with the smile
    they and `happy` give (`expression.smile_score`, as the face stores it)."""
    blink = (float(shapes[EYE_BLINK[1]]), float(shapes[EYE_BLINK[0]]))  # right, left
    brows = (float(shapes[BROW_DOWN[0]]) + float(shapes[BROW_DOWN[1]])) / 2
    smile = smile_score(shapes, happy)
    return eye_rules.judge_eyes(luma, mesh, blink, pixels, brows, smile)


def _described(
    files: FaceModelFiles,
    rgb: NDArray[np.uint8],
    faces: list[tuple[int, NDArray[np.float64]]],
) -> list[tuple[int, bytes]]:
    """The stored descriptors of `faces` (each its index and 478 landmarks in
    `rgb`), all aligned first and then described in one call of the model;
    a face whose landmarks make no face to align gets none (it is still
    judged; it only joins no person)."""
    aligned: list[tuple[int, NDArray[np.uint8]]] = []
    for index, landmarks in faces:
        try:
            aligned.append((index, aligned_face(rgb, five_points(landmarks))))
        except DescriptorError:
            continue
    if not aligned:
        return []
    vectors = descriptor_for(files).describe_many([face for _, face in aligned])
    return [
        (index, vector_bytes(vector))
        for (index, _), vector in zip(aligned, vectors, strict=True)
        if vector is not None
    ]


@dataclass(frozen=True)
class _Luma:
    """The luma the eyes' rules read (the preview's, or the detail image the
    faces are judged on) and the preview's working scale (the faces'
    sharpness is measured on it, as the photo's is)."""

    luma: NDArray[np.uint8]
    work: WorkingView
    to_work: float  # preview pixels -> working-scale pixels

    @classmethod
    def of(cls, rgb: NDArray[np.uint8], detail: NDArray[np.uint8] | None) -> _Luma:
        """`rgb`'s luma and working scale; the luma read is `detail`'s when given."""
        luma = np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
        work = WorkingView(luma)
        read = luma if detail is None else cv2.cvtColor(detail, cv2.COLOR_RGB2GRAY)
        return cls(np.asarray(read, dtype=np.uint8), work, work.size[0] / rgb.shape[1])


def _failures_caught(find: Callable[P, FacesFound]) -> Callable[P, FacesOutcome]:
    """`find` with any exception it raises turned into a `FacesFailure` with a
    sentence (a MemoryError's its own), so one photo's failure is its own."""

    def outcome(*args: P.args, **kwargs: P.kwargs) -> FacesOutcome:
        try:
            return find(*args, **kwargs)
        except MemoryError:
            return FacesFailure(
                "Looking for faces in this photo needed more memory than Curator allows; "
                "its faces are not judged.",
                "MemoryError",
                traceback.format_exc(),
            )
        except Exception as exc:
            return FacesFailure(
                f"The face model failed on this photo ({type(exc).__name__}); its faces are not "
                "judged, and the details are in the error log.",
                type(exc).__name__,
                traceback.format_exc(),
            )

    return outcome


# `find_faces`'s parameters, any exception turned into a `FacesFailure` with a sentence.
faces_outcome = _failures_caught(find_faces)
