"""`XmpPhase`: a run's XMP — read beside the decoding, written as decisions once
the technical stage has written the photos' rows (the service's XMP phase).

Protocol (main thread; the work on the prepare pool, `pipeline.prepare`'s
`read_xmp` and `apply_xmp_readings`, results stamped with the run's generation):
- `read(generation, plan)` when PREPARE has planned: the planned sidecars and
  packets are read (files only, no catalog);
- `write(report)` when the run enters XMP: once the readings are in, they are
  written (source "xmp", short transactions), booked in the report, their ids
  sent in `photos_changed`; a failure is logged, never fatal; then `ended`;
- `stop()` (a cancel): the work stops between files; what it sends is dropped.
"""

from __future__ import annotations

import threading
from functools import partial

from PySide6.QtCore import QObject, Signal, Slot

from curator.catalog.writer import record_error
from curator.engine.delivery import Delivery, Job, delivery_to
from curator.pipeline.phase import PipelinePools
from curator.pipeline.prepare import XmpRead, XmpWritten, apply_xmp_readings, read_xmp
from curator.pipeline.report import RunReport
from curator.pipeline.stages.xmp import XmpApplied, XmpPlan, XmpReading


class XmpPhase(QObject):
    """One run's XMP at a time (see the module docstring)."""

    photos_changed = Signal(list)  # ids whose decisions the XMP just wrote
    ended = Signal()

    def __init__(self, pools: PipelinePools, parent: QObject | None = None):
        super().__init__(parent)
        self.pools = pools
        self._generation = 0
        self._stop = threading.Event()
        self._readings: tuple[XmpReading, ...] | None = None
        self._report: RunReport | None = None  # set by `write`: the phase has begun
        self._read: Delivery[XmpRead] = delivery_to(self, self._on_read)
        self._written: Delivery[XmpWritten] = delivery_to(self, self._on_written)

    def read(self, generation: int, plan: XmpPlan | None) -> None:
        self._generation, self._stop = generation, threading.Event()
        self._report = None
        if plan is None or not plan.paths:
            self._readings = ()
            return
        self._readings = None
        job = partial(read_xmp, generation, plan, self._stop)
        self.pools.prepare.start(Job(job, self._read))

    def write(self, report: RunReport) -> None:
        self._report = report
        if self._readings is not None:
            self._apply()

    def stop(self) -> None:
        self._stop.set()
        self._generation += 1  # what is on its way is dropped

    @Slot(object)
    def _on_read(self, read: XmpRead) -> None:
        if read.generation != self._generation:
            return  # a cancelled or earlier run
        self._readings = read.readings
        if self._report is not None:
            self._apply()

    def _apply(self) -> None:
        readings, self._readings = self._readings or (), ()
        if not readings or self._stop.is_set():
            self._on_written(XmpWritten(self._generation, XmpApplied()))
            return
        job = partial(apply_xmp_readings, self._generation, readings, self._stop)
        self.pools.prepare.start(Job(job, self._written))

    @Slot(object)
    def _on_written(self, written: XmpWritten) -> None:
        report = self._report
        if written.generation != self._generation or report is None:
            return  # cancelled meanwhile: the run has ended already
        self._report = None
        result = written.result
        if isinstance(result, XmpApplied):
            report.took_xmp(result)
            if result.photo_ids:
                self.photos_changed.emit(list(result.photo_ids))
        else:
            sentence = f"Curator could not take the ratings from XMP files: {result}"
            record_error(stage="xmp", error_type=type(result).__name__, message=sentence)
        self.ended.emit()
