"""`PeopleController`: the People view's reads and writes, never on the UI thread.

- Reads (`load()`, `load_faces(person)`) are `Job`s on `UiPools.choices`
  delivering through the `Delivery`. `load()` streams: the tiles first
  (`TilesRead`: the `MAX_TILES` most photographed, with the faces already
  cut), then the missing faces `CUT_CHUNK` at a time (`TileFaces`). A newer
  load stops the cutting; a stale delivery is dropped.
- Writes (`name`, `merge`, `take_out`, through `catalog.people.edits`) are
  steps of the review session's `StepQueue`, in order with undo and redo;
  without a queue they run on the read pool.
- An outcome is `edited(sentence)`, or `failed(sentence)` (nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage

from curator.engine.delivery import Job, delivery_to, log_and_deliver
from curator.ui.people.crops import face_image

if TYPE_CHECKING:
    from curator.catalog.people.tiles import FaceCrop, PersonTile
    from curator.ui.review.step_queue import StepOutcome, StepQueue

TILE_EDGE = 96  # pixels of a tile's face
# The tiles shown: a season's catalog holds ~10,000 people, most seen once or
# twice (tests/bench/test_people_bench.py); `curator people` lists them all.
MAX_TILES = 500
# Tile faces delivered together (a cut: ~2 ms from a thumbnail, ~20-70 ms from a preview).
CUT_CHUNK = 24
FACE_EDGE = 72  # pixels of a face in the person's faces
MAX_FACES = 200  # a person's faces shown (largest first): enough to find a wrong one


@dataclass(frozen=True)
class TilesRead:
    generation: int
    tiles: tuple[PersonTile, ...]
    images: dict[int, QImage] = field(default_factory=dict)  # person id -> face
    more: int = 0  # people beyond MAX_TILES, not shown


@dataclass(frozen=True)
class TileFaces:
    """Tile faces cut since the `TilesRead` of the same generation."""

    generation: int
    images: dict[int, QImage]  # person id -> face


class Wanted:
    """The newest tiles generation; swapped by the main thread, read by the job."""

    def __init__(self) -> None:
        self.generation = 0


@dataclass(frozen=True)
class FacesRead:
    generation: int
    person: int
    faces: tuple[FaceCrop, ...]
    images: dict[int, QImage] = field(default_factory=dict)  # face id -> face


def read_tiles(
    cache_dir: Path,
    generation: int,
    known: Mapping[FaceCrop, QImage],
    wanted: Wanted,
    deliver: Callable[[object], bool],
) -> None:
    """The tiles, then their faces in chunks (on a worker; module docstring)."""
    from curator.catalog.people.tiles import person_tiles

    page = person_tiles(MAX_TILES)
    tiles = tuple(page.tiles)
    images = {t.id: known[t.face] for t in tiles if t.face is not None and t.face in known}
    if not deliver(TilesRead(generation, tiles, images, page.total - len(tiles))):
        return
    todo = [t for t in tiles if t.face is not None and t.id not in images]
    for start in range(0, len(todo), CUT_CHUNK):
        if wanted.generation != generation:
            return  # a newer read wants the faces now
        cut = {
            t.id: face_image(cache_dir, t.face, TILE_EDGE)
            for t in todo[start : start + CUT_CHUNK]
            if t.face is not None
        }
        if not deliver(TileFaces(generation, cut)):
            return


def read_faces(cache_dir: Path, person: int, generation: int) -> FacesRead:
    """One person's faces, largest first (on a worker)."""
    from curator.catalog.people.tiles import faces_of_person

    faces = tuple(faces_of_person(person)[:MAX_FACES])
    images = {f.face_id: face_image(cache_dir, f, FACE_EDGE) for f in faces}
    return FacesRead(generation, person, faces, images)


def name_step(person: int, name: str) -> str:
    from curator.catalog.people import edits

    edits.name(edits.bound(), person, name)
    shown = " ".join(name.split())
    return f"Person {person} is now {shown}." if shown else f"Person {person} has no name now."


def merge_step(into: int, other: int) -> str:
    from curator.catalog.people import edits

    edits.merge(edits.bound(), into, other)
    return f"Person {other} merged into person {into}."


def take_out_step(face: int) -> str:
    from curator.catalog.people import edits

    person = edits.take_out(edits.bound(), face)
    return f"Face {face} taken out of person {person}: it will not join them again."


class PeopleController(QObject):
    tiles_ready = Signal(object)  # TilesRead, the newest load's
    tile_faces_ready = Signal(object)  # TileFaces, faces of the newest load's tiles
    faces_ready = Signal(object)  # FacesRead, the newest load_faces'
    edited = Signal(str)  # a write committed: its sentence
    failed = Signal(str)  # a write refused or failed: its sentence (nothing changed)

    def __init__(
        self,
        reads: QThreadPool,
        steps: StepQueue | None,
        cache_dir: Path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._reads, self._steps, self.cache_dir = reads, steps, cache_dir
        self._tiles_gen = self._faces_gen = 0
        # The tiles' faces of the newest read, by what was cut: a re-read cuts only new ones.
        self._cut: dict[FaceCrop, QImage] = {}
        self._tile_face: dict[int, FaceCrop] = {}  # person -> the face their tile shows
        self._wanted = Wanted()
        self._read_delivery = delivery_to(self, self._on_read)
        self._write_delivery = delivery_to(self, self._on_written)

    def load(self) -> None:
        self._tiles_gen += 1
        self._wanted.generation = self._tiles_gen
        gen, cache, known, wanted = self._tiles_gen, self.cache_dir, dict(self._cut), self._wanted
        deliver = self._read_delivery.deliver

        def job() -> None:
            read_tiles(cache, gen, known, wanted, deliver)

        self._reads.start(Job(job, self._read_delivery))

    def load_faces(self, person: int) -> None:
        self._faces_gen += 1
        gen, cache = self._faces_gen, self.cache_dir
        self._reads.start(Job(lambda: read_faces(cache, person, gen), self._read_delivery))

    def name(self, person: int, name: str) -> None:
        self._write("Naming a person", lambda: name_step(person, name))

    def merge(self, into: int, other: int) -> None:
        self._write("Merging two people", lambda: merge_step(into, other))

    def take_out(self, face: int) -> None:
        self._write("Taking a face out of a person", lambda: take_out_step(face))

    def _write(self, what: str, fn: Callable[[], str]) -> None:
        if self._steps is not None:
            self._steps.submit(what, fn, self._on_step_done)
            return

        def job() -> str | Exception:
            return fn()

        self._reads.start(Job(job, self._write_delivery, log_and_deliver))

    def _on_step_done(self, outcome: StepOutcome) -> None:
        self._on_written(outcome.error if outcome.error is not None else outcome.value)

    @Slot(object)
    def _on_written(self, result: object) -> None:
        if isinstance(result, Exception):
            self.failed.emit(f"{result} Nothing was changed.")
        else:
            self.edited.emit(str(result))

    @Slot(object)
    def _on_read(self, result: object) -> None:
        if isinstance(result, TilesRead) and result.generation == self._tiles_gen:
            self._tile_face = {t.id: t.face for t in result.tiles if t.face is not None}
            self._cut = {
                self._tile_face[pid]: image
                for pid, image in result.images.items()
                if pid in self._tile_face
            }
            self.tiles_ready.emit(result)
        elif isinstance(result, TileFaces) and result.generation == self._tiles_gen:
            for pid, image in result.images.items():
                if pid in self._tile_face:
                    self._cut[self._tile_face[pid]] = image
            self.tile_faces_ready.emit(result)
        elif isinstance(result, FacesRead) and result.generation == self._faces_gen:
            self.faces_ready.emit(result)
