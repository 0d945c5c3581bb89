"""Making a client gallery: plan (the catalog, once) → run (the copies, pure) →
apply (one write), for the window and `curator proof make` alike.

- `plan_gallery(request)` reads the photos (a project's members, the approved
  set or the grid's selection; never a rejected, missing or deleted one, and
  a RAW+JPEG pair once) and the gallery if it exists: each photo keeps the
  token it had, a new one gets a fresh one. A photo whose copies exist and
  were made from the same original, turns and settings (`rendered_key`) is
  not rendered again.
- `run_copies(plan)` renders what changed on worker threads (RAW originals
  in crash-isolated children, as export does), reporting progress, stopping
  at `cancel` after the photos in hand.
- `apply_gallery(plan, outcomes)` creates the gallery (its access code made
  here and returned once, only its hash kept) or stores the new settings,
  stores the photos (`catalog.proofing.galleries.store_photos`, one
  transaction; hearts kept), removes the copies of photos that left, and
  writes the page (`page_files`) with `gallery.js` for a folder gallery.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from curator.catalog.approval import approved_condition
from curator.catalog.missing import last_known_path
from curator.catalog.models import CullState, Photo
from curator.catalog.paths_codec import FOLLOWERS_SQL, decode_path, pairing_on
from curator.catalog.projects import find_project, project_photo_ids
from curator.catalog.proofing.galleries import (
    Gallery,
    GalleryError,
    GallerySettings,
    StoredPhoto,
    create_gallery,
    gallery_by_id,
    gallery_photos,
    store_photos,
    update_settings,
)
from curator.engine.isolation import ChildProcessPool, WorkerCrashed, WorkerFailed, WorkerTimedOut
from curator.export.plan import capture_of
from curator.fs.names import safe_component
from curator.imaging.formats import is_raw_path
from curator.proof import access
from curator.proof.copies import (
    COPIES_VERSION,
    CopyDone,
    CopyRefused,
    CopyRequest,
    photo_path,
    render_copies,
    thumb_path,
)
from curator.proof.page_data import page_data
from curator.proof.page_files import copy_page, gallery_script

RENDER_TIMEOUT_S = 300.0
ProgressFn = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class PhotoSource:
    """Which photos a gallery holds: a project, the approved set, or these ids."""

    project: str | None = None
    photo_ids: tuple[int, ...] | None = None
    match_threshold: float = 70.0
    match_min_quality: float = 0.5

    def describe(self) -> str:
        if self.project is not None:
            return f"project '{self.project}'"
        if self.photo_ids is not None:
            return f"{len(self.photo_ids)} chosen photos"
        return "the approved photos"


@dataclass(frozen=True)
class MakeRequest:
    name: str
    settings: GallerySettings
    source: PhotoSource
    folder: Path | None = None  # None: the gallery's folder, or a default beside the catalog
    catalog_dir: Path = Path(".")
    made_by: str = ""


@dataclass(frozen=True)
class PlannedPhoto:
    photo_id: int
    copy: CopyRequest
    key: str  # rendered_key of what the copy will show
    fresh: bool  # its copies exist and show the same: not rendered again


@dataclass(frozen=True)
class GalleryPlan:
    request: MakeRequest
    existing: Gallery | None
    token: str
    folder: Path
    photos: tuple[PlannedPhoto, ...]
    left_out: tuple[tuple[int, str], ...] = ()  # (photo id, why) not sent

    @property
    def to_render(self) -> list[PlannedPhoto]:
        return [p for p in self.photos if not p.fresh]


@dataclass
class MakeResult:
    gallery: Gallery
    folder: Path
    code: str | None  # the access code, only when the gallery was made now
    rendered: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)  # (photo id, sentence)
    cancelled: bool = False


def rendered_key(content_hash: str, turns: int, settings: GallerySettings) -> str:
    """What a copy shows: its original's bytes, the turns and the settings that
    change the pixels or the EXIF."""
    what = (
        f"{COPIES_VERSION}|{content_hash}|{turns % 4}|{settings.watermark}|{settings.keep_location}"
    )
    return hashlib.blake2b(what.encode(), digest_size=12).hexdigest()


def _source_photos(source: PhotoSource) -> tuple[list[Photo], list[tuple[int, str]]]:
    query = Photo.select()
    if source.project is not None:
        project = find_project(source.project)
        if project is None:
            raise GalleryError(
                f"There is no project named {source.project.strip()!r} "
                "(see `curator project list`)."
            )
        ids = project_photo_ids(source.project)
        order = {pid: i for i, pid in enumerate(ids)}
        rows = [p for p in query.where(Photo.id.in_(ids))] if ids else []
        rows.sort(key=lambda p: order[int(p.id)])
    elif source.photo_ids is not None:
        ids = list(dict.fromkeys(source.photo_ids))
        order = {pid: i for i, pid in enumerate(ids)}
        rows = [p for p in query.where(Photo.id.in_(ids))] if ids else []
        rows.sort(key=lambda p: order[int(p.id)])
    else:
        rows = list(
            query.where(
                approved_condition(source.match_threshold, source.match_min_quality)
            ).order_by(Photo.captured_at.is_null(), Photo.captured_at, Photo.id)
        )
    followers: set[int] = set()
    if pairing_on():
        db = Photo._meta.database
        followers = {int(pid) for (pid,) in db.execute_sql(FOLLOWERS_SQL).fetchall()}
    kept: list[Photo] = []
    left_out: list[tuple[int, str]] = []
    for p in rows:
        pid = int(p.id)
        if p.deleted_at is not None:
            left_out.append((pid, "deleted"))
        elif p.missing_since is not None:
            left_out.append((pid, "missing"))
        elif p.cull == CullState.REJECTED.value:
            left_out.append((pid, "rejected"))
        elif not p.content_hash:
            left_out.append((pid, "never read"))
        elif pid not in followers:
            kept.append(p)
    return kept, left_out


def default_folder(catalog_dir: Path, name: str) -> Path:
    return catalog_dir / "Client galleries" / safe_component(name, fallback="gallery")


def folder_taken(folder: Path, token: str) -> str | None:
    """Why a gallery can't be written into `folder` (None: it can): a folder that
    holds anything but this gallery's own page is the photographer's (a web site,
    a shoot), and the page's index.html and assets would overwrite theirs."""
    try:
        entries = [e for e in os.listdir(folder) if not e.startswith(".")]
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{folder} can't be read ({exc.strerror or exc}): choose another folder."
    if not entries:
        return None
    try:
        ours = token in (folder / "gallery.js").read_text("utf-8", errors="replace")
    except OSError:
        ours = False
    if ours:
        return None
    return (
        f"{folder} already holds other files, and a gallery's page (index.html, assets/) "
        "would overwrite them: choose an empty folder or a new one."
    )


def plan_gallery(request: MakeRequest, existing: Gallery | None) -> GalleryPlan:
    """What a make does (module docstring). `GalleryError` when it can't."""
    problem = request.settings.problem()
    if problem:
        raise GalleryError(problem)
    photos, left_out = _source_photos(request.source)
    if not photos:
        raise GalleryError(
            f"{request.source.describe().capitalize()} hold no photo a client can see"
            " (rejected, missing and deleted photos are left out)."
        )
    if existing is not None:
        folder = Path(existing.folder) if request.folder is None else request.folder
        before = {p.photo_id: p for p in gallery_photos(existing.id)}
        token = existing.token
    else:
        folder = request.folder or default_folder(request.catalog_dir, request.name)
        before = {}
        token = access.new_gallery_token()
    folder = folder.expanduser().absolute()
    taken = folder_taken(folder, token)
    if taken:
        raise GalleryError(taken)
    planned: list[PlannedPhoto] = []
    for p in photos:
        pid = int(p.id)
        old = before.get(pid)
        photo_token = old.token if old is not None else access.new_photo_token()
        key = rendered_key(str(p.content_hash), int(p.rotation or 0), request.settings)
        fresh = (
            old is not None
            and old.rendered == key
            and photo_path(folder, photo_token).is_file()
            and thumb_path(folder, photo_token).is_file()
        )
        copy = CopyRequest(
            source=decode_path(last_known_path(p.path)),
            token=photo_token,
            folder=str(folder),
            capture=capture_of(p),
            quarter_turns=int(p.rotation or 0),
            watermark=request.settings.watermark,
            keep_location=request.settings.keep_location,
        )
        planned.append(PlannedPhoto(pid, copy, key, fresh))
    return GalleryPlan(request, existing, token, folder, tuple(planned), tuple(left_out))


def run_copies(
    plan: GalleryPlan,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
) -> dict[int, CopyDone | CopyRefused]:
    """Render the plan's copies that changed (module docstring): photo id → outcome."""
    todo = plan.to_render
    total = len(todo)
    done = 0
    out: dict[int, CopyDone | CopyRefused] = {}
    lock = threading.Lock()
    children: list[ChildProcessPool] = []

    def one(planned: PlannedPhoto) -> None:
        nonlocal done
        if cancel is not None and cancel.is_set():
            return
        if is_raw_path(planned.copy.source):
            outcome = _in_child(children, lock, planned.copy)
        else:
            outcome = render_copies(planned.copy)
        with lock:
            out[planned.photo_id] = outcome
            done += 1
            if progress is not None:
                progress(done, total)

    count = workers if workers is not None else min(2, os.cpu_count() or 1)
    if progress is not None:
        progress(0, total)
    try:
        with ThreadPoolExecutor(max_workers=max(1, count), thread_name_prefix="gallery") as pool:
            for future in [pool.submit(one, p) for p in todo]:
                future.result()
    finally:
        for pool_of_children in children:
            pool_of_children.close()
    return out


def _in_child(
    children: list[ChildProcessPool], lock: threading.Lock, request: CopyRequest
) -> CopyDone | CopyRefused:
    with lock:
        if not children:
            children.append(ChildProcessPool(1))
        pool = children[0]
    try:
        return pool.call(render_copies, request, timeout=RENDER_TIMEOUT_S)
    except WorkerCrashed:
        return CopyRefused(request.token, "Curator's RAW decoder crashed on this photo.")
    except WorkerTimedOut:
        return CopyRefused(request.token, "Rendering this photo took too long; it was stopped.")
    except WorkerFailed as exc:
        return CopyRefused(request.token, f"This photo could not be rendered: {exc}")


def apply_gallery(
    plan: GalleryPlan,
    outcomes: dict[int, CopyDone | CopyRefused],
    *,
    cancelled: bool = False,
) -> MakeResult:
    """Store the make (module docstring) and write the page; the result says
    what happened, with the access code when the gallery is new."""
    request = plan.request
    code: str | None = None
    if plan.existing is None:
        code = access.new_code()
        gallery = create_gallery(
            request.name,
            request.settings,
            token=plan.token,
            code_hash=access.hash_code(code),
            secret=access.new_secret(),
            folder=str(plan.folder),
            made_by=request.made_by,
        )
    else:
        gallery = plan.existing
        if gallery.settings != request.settings:
            update_settings(gallery.id, request.settings)
    result = MakeResult(gallery=gallery, folder=plan.folder, code=code, cancelled=cancelled)
    stored: list[StoredPhoto] = []
    for planned in plan.photos:
        outcome = outcomes.get(planned.photo_id)
        if planned.fresh:
            result.unchanged += 1
        elif isinstance(outcome, CopyDone):
            result.rendered += 1
        elif isinstance(outcome, CopyRefused):
            result.failed.append((planned.photo_id, outcome.message))
            continue
        else:
            continue  # cancelled before it was rendered
        stored.append(StoredPhoto(planned.photo_id, planned.copy.token, len(stored), planned.key))
    before = {p.token for p in gallery_photos(gallery.id)}
    result.removed = store_photos(gallery.id, stored)
    for token in before - {p.token for p in stored}:
        for path in (photo_path(plan.folder, token), thumb_path(plan.folder, token)):
            if path.is_file() and not path.is_symlink():
                path.unlink()
    fresh = gallery_by_id(gallery.id)
    assert fresh is not None
    result.gallery = fresh
    write_folder_page(fresh)
    return result


def write_folder_page(gallery: Gallery) -> None:
    """The page of a gallery opened from its folder: the page files and its
    `gallery.js` (with the key that signs the client's selection)."""
    folder = Path(gallery.folder)
    copy_page(folder)
    data = page_data(gallery, gallery_photos(gallery.id), mode="folder")
    script = gallery_script(data).encode("utf-8")
    target = folder / "gallery.js"
    if target.is_symlink():
        raise OSError("gallery.js in the gallery folder is a link; Curator will not follow it")
    if not target.is_file() or target.read_bytes() != script:
        tmp = folder / ".gallery.js.tmp"
        tmp.write_bytes(script)
        os.replace(tmp, target)


def make_gallery(
    request: MakeRequest,
    existing: Gallery | None,
    *,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
) -> MakeResult:
    """plan → run → apply in one call (the CLI's and a test's way)."""
    plan = plan_gallery(request, existing)
    outcomes = run_copies(plan, progress=progress, cancel=cancel, workers=workers)
    return apply_gallery(plan, outcomes, cancelled=bool(cancel is not None and cancel.is_set()))
