"""The faces stage: plan → run → apply.

Versioned (`STAGE_VERSION`: a change of model or rules re-queues only this
stage's rows), back-filled on old catalogs, crash-isolated, off the UI thread.
- **With an import** it rides along with the technical stage: the plan
  (`pipeline.stages.technical.plan_technical`) puts the model's folder in each
  `TechnicalRequest` (`faces_request_fields`), the decoder child judges the
  preview it just decoded (`faces_child.faces_hook`), and the technical writer
  stores the outcome in the same transaction.
- **A back-fill** (`plan_faces`, writer thread): every measured live photo whose
  faces are not done at this version becomes a `FacesRequest` for the same
  children (`faces_child.run_faces`), applied by a `FacesRunner`
  (`catalog.people.store.apply_faces`); without the model, photos are marked
  `skipped` once, with the sentence saying what to do.
- **A look again** (`plan_look_again`, after the back-fill): a frame with no
  face beside frames of one burst gate showing key faces is judged again at
  those places (`ml.faces.relook`, `FacesRequest.look_again`); one still empty
  carries `LOOKED_AGAIN` and is not planned again. Before the score step's
  regrouping, so a face found counts for the burst's star.
- A face verdict decides nothing: the badges, filters, cull order and bursts read it.
Invariants: nothing here runs on the UI thread; the model files are found by
`ml.faces.files` without loading OpenCV.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool

from curator.catalog.models import Photo, Stage, StageRun, StageStatus
from curator.catalog.people.look_again import FrameRow, frames_to_look_again
from curator.catalog.people.store import apply_faces, faces_needing, mark_faces_skipped
from curator.catalog.storage import catalog_file_of
from curator.catalog.writer import Attempted
from curator.engine.isolation import ChildProcessPool, WorkerCrashed, WorkerFailed, WorkerTimedOut
from curator.engine.stage_runner import StageRunner, Written
from curator.ml.faces.compiled import PREPARING, networks_prepared
from curator.ml.faces.files import MODEL_ID
from curator.ml.faces.relook import Shot, look_again_at
from curator.pipeline.decoders import face_model
from curator.pipeline.stages.faces_child import FacesRequest, FacesResult, run_faces
from curator.records import FacesFailure, FacesFound, TechnicalRequest
from curator.settings import Settings

# Bumped when the model or the judging rules change (re-queues only this stage's
# rows); what each version changed: docs/decisions/faces.md.
STAGE_VERSION = f"faces-16|{MODEL_ID}"


def faces_request_fields(settings: Settings) -> dict[str, str | None]:
    """What a `TechnicalRequest` carries for the faces stage to ride along."""
    found = face_model(settings)
    if found.files is None:
        return {"faces_model": None, "faces_version": ""}
    return {"faces_model": found.files.folder, "faces_version": STAGE_VERSION}


def preparing_remark(requests: Sequence[TechnicalRequest]) -> str:
    """What the import says while the face networks are compiled for this
    computer (its first import: `ml.faces.compiled`), or "" (prepared, or no
    faces riding along)."""
    folder = next((r.faces_model for r in requests if r.faces_model), None)
    return PREPARING if folder and not networks_prepared(folder) else ""


@dataclass(frozen=True)
class FacesPlan:
    requests: tuple[FacesRequest, ...] = ()
    skipped: int = 0  # photos marked skipped (no model) by this plan
    reason: str = ""  # why they were skipped
    waiting: int = 0  # photos still waiting for the model (skipped before)


def _skipped_for(reason: str) -> set[int]:
    rows = (
        StageRun.select(StageRun.photo)
        .where(
            StageRun.stage == Stage.FACES.value,
            StageRun.status == StageStatus.SKIPPED.value,
            StageRun.stage_version == STAGE_VERSION,
            StageRun.failure_reason == reason,
        )
        .tuples()
    )
    return {int(pid) for (pid,) in rows}


def plan_faces(settings: Settings, cache_dir: str) -> FacesPlan:
    """What a back-fill must do (see the module docstring). Reads the catalog, and
    marks photos skipped when the model is not there."""
    needing = faces_needing(STAGE_VERSION)
    if not needing:
        return FacesPlan()
    found = face_model(settings)
    if found.files is None:
        already = _skipped_for(found.problem)
        fresh = [pid for pid, *_ in needing if pid not in already]
        if fresh:
            mark_faces_skipped(Photo._meta.database, fresh, STAGE_VERSION, found.problem)
        return FacesPlan((), len(fresh), found.problem, len(needing) - len(fresh))
    folder = found.files.folder
    requests = tuple(
        FacesRequest(
            photo_id=row.photo_id,
            preview_path=str(Path(cache_dir) / row.preview_key),
            model_folder=folder,
            version=STAGE_VERSION,
            noise_sd=row.noise_sd,
            sharpness=row.sharpness,
            describe=settings.people_recognition,
            original_path=row.path,
            content_hash=row.content_hash,
        )
        for row in needing
    )
    return FacesPlan(requests)


def plan_look_again(settings: Settings, cache_dir: str) -> FacesPlan:
    """The frames to look at again (module docstring): no face found, while
    the frames shot beside them show key faces. Reads the catalog; nothing
    when the model is not there (the back-fill's plan has said why)."""
    todo, with_faces = frames_to_look_again(STAGE_VERSION, settings.burst_gap_s)
    if not todo or not with_faces:
        return FacesPlan()
    found = face_model(settings)
    if found.files is None:
        return FacesPlan()
    shots = [_shot(t.frame) for t in todo] + [_shot(f) for f in with_faces]
    places = look_again_at(shots, settings.burst_gap_s)
    requests = tuple(
        FacesRequest(
            photo_id=t.frame.photo_id,
            preview_path=str(Path(cache_dir) / t.preview_key),
            model_folder=found.files.folder,
            version=STAGE_VERSION,
            noise_sd=t.noise_sd,
            sharpness=t.sharpness,
            describe=settings.people_recognition,
            look_again=places[t.frame.photo_id],
        )
        for t in todo
        if t.frame.photo_id in places
    )
    return FacesPlan(requests)


def _shot(frame: FrameRow) -> Shot:
    return Shot(frame.photo_id, frame.camera, frame.when, frame.aspect, frame.faces)


def call_faces_isolated(
    processes: ChildProcessPool, request: FacesRequest, timeout_s: float
) -> FacesResult:
    """`run_faces` in a decoder child; a crashed, hung or failing child is this
    photo's `FacesFailure`, never the run's."""
    try:
        return processes.call(run_faces, request, timeout_s)
    except WorkerCrashed as exc:
        message = (
            "The face model crashed on this photo, so its faces are not judged; "
            "Curator's other photos were not affected."
        )
        return FacesResult(request.photo_id, FacesFailure(message, "WorkerCrashed", str(exc)))
    except WorkerTimedOut as exc:
        message = (
            f"Judging this photo's faces took longer than {timeout_s:.0f} seconds and was stopped."
        )
        return FacesResult(request.photo_id, FacesFailure(message, "WorkerTimedOut", str(exc)))
    except WorkerFailed as exc:
        message = "Curator hit an internal error while judging this photo's faces."
        return FacesResult(request.photo_id, FacesFailure(message, "WorkerFailed", exc.detail))


def _internal_failure(request: FacesRequest, exc: BaseException) -> FacesResult:
    message = f"Curator could not run the face model for this photo ({exc})."
    return FacesResult(request.photo_id, FacesFailure(message, type(exc).__name__, repr(exc)))


class FacesRunner(StageRunner[FacesRequest, FacesResult]):
    """The faces back-fill: decoder children, batched writes on the writer thread."""

    def __init__(
        self,
        processes: ChildProcessPool,
        threads: QThreadPool,
        *,
        timeout_s: float = 120.0,
        writes: QThreadPool | None = None,
        parent: QObject | None = None,
    ):
        db = Photo._meta.database

        def apply(batch: list[Attempted[FacesResult]]) -> Written:
            results = [(item.outcome.photo_id, item.outcome.outcome) for item in batch]
            apply_faces(db, results)
            counts: Counter[str] = Counter(
                "done" if isinstance(outcome, FacesFound) else "failed" for _, outcome in results
            )
            counts["with_faces"] = sum(
                1 for _, outcome in results if isinstance(outcome, FacesFound) and outcome.faces
            )
            return Written(counts, tuple(pid for pid, _ in results))

        super().__init__(
            Stage.FACES.value,
            threads,
            lambda request: call_faces_isolated(processes, request, timeout_s),
            apply,
            on_error=_internal_failure,
            max_attempts=1,
            catalog_file=catalog_file_of(db),
            writes=writes,
            write_slice=16,
            parent=parent,
        )


__all__ = [
    "STAGE_VERSION",
    "FacesPlan",
    "FacesRunner",
    "call_faces_isolated",
    "face_model",
    "faces_request_fields",
    "plan_faces",
    "plan_look_again",
    "preparing_remark",
]
