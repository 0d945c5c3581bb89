"""A driver for tests, run inside the Ray test cluster's namespaces
(`python -m tests.ray_driver SCENARIO FOLDER CATALOG`): the technical stage's
real `TechnicalRunner` on the cluster (`RayPool`, `NodeMeasure`) with a stage
body a test chooses, printing what it did as one JSON object.

The bodies are here (or in tests.helpers): a Ray node imports them by name,
since the cluster's processes have the checkout on their PYTHONPATH.

Scenarios:
- crash: every file, with `tests.helpers.crash_on_marked_files` (a decoder
  that segfaults on files named CRASHME) — the counts and each photo's
  technical status, attempts and reason;
- cancel: every file with `slow_then_measure` (0.3 s more per file, and a
  line in the folder's `.ran` for each file a node starts), cancelled at the
  first result — the summary and how many results were written;
- bench: the real body, first over FOLDER/warm (untimed: every node's
  workers and decoder children started and their imports done), then over
  FOLDER/timed — the technical stage's wall time, and the CPU time the
  cluster's workers and their decoder children spent meanwhile
  (`node_cpu_s`; /proc here shows only the namespace's processes) and the
  driver itself (`seat_cpu_s`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from typing import Any

from tests.helpers import crash_on_marked_files

RAN_LOG = ".ran"


def slow_then_measure(request: Any) -> Any:
    """Stage body for tests: notes that a node started this file, waits, measures it."""
    from curator.pipeline.stages.technical import run_technical

    with open(os.path.join(os.path.dirname(request.path), RAN_LOG), "a") as log:
        log.write(os.path.basename(request.path) + "\n")
    time.sleep(0.3)
    return run_technical(request)


def node_cpu_s() -> float:
    """CPU seconds of the Ray workers (title ray::…) and their children so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                title = cmd.read().split(b"\0")[0].decode(errors="replace")
        except OSError:
            continue
        stats[int(entry)] = (int(fields[1]), title, (int(fields[11]) + int(fields[12])) / ticks)
    workers = {pid for pid, (_, title, _) in stats.items() if title.startswith("ray::")}
    return sum(cpu for pid, (ppid, _, cpu) in stats.items() if pid in workers or ppid in workers)


def _own_cpu_s() -> float:
    """This driver's CPU seconds (every thread): the seat's share of the work."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(scenario: str, folder: str, catalog_file: str) -> dict[str, Any]:
    if scenario == "bench":
        warm = run_technical_stage("bench", os.path.join(folder, "warm"), catalog_file + "-warm")
        before, seat_before = node_cpu_s(), _own_cpu_s()
        timed = run_technical_stage("bench", os.path.join(folder, "timed"), catalog_file)
        timed["node_cpu_s"] = node_cpu_s() - before
        timed["seat_cpu_s"] = _own_cpu_s() - seat_before
        timed["warm_counts"] = warm["counts"]
        return timed
    return run_technical_stage(scenario, folder, catalog_file)


def run_technical_stage(scenario: str, folder: str, catalog_file: str) -> dict[str, Any]:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QThreadPool, QTimer

    from curator.catalog.db import Catalog
    from curator.catalog.writer import CatalogWriter
    from curator.engine.cluster import Shared, connect
    from curator.pipeline.service import RunRequest, prepare
    from curator.pipeline.stages.technical import STAGE_VERSION, run_technical
    from curator.pipeline.stages.technical_remote import ClusterPlan, NodeMeasure
    from curator.pipeline.stages.technical_runner import TechnicalRunner, import_counts
    from curator.settings import Settings
    from tests.ray_cluster import ADDRESS

    app = QCoreApplication.instance() or QCoreApplication([])
    settings = Settings(max_attempts=2)
    cache = os.path.join(os.path.dirname(catalog_file), "cache")
    # By its module's name, not __main__'s (this file runs as `python -m`): a
    # node imports it by that name.
    from tests import ray_driver

    bodies = {"crash": crash_on_marked_files, "cancel": ray_driver.slow_then_measure}
    body = bodies.get(scenario, run_technical)
    with Catalog.open(catalog_file) as catalog:
        plan = prepare(RunRequest(folder=folder), settings, cache).plan
        assert plan is not None
        remote = ClusterPlan(connect(ADDRESS), Shared.put((plan.known_hashes, 0)))
        pool = remote.pool()
        batch = 1 if scenario != "bench" else 32  # bench: as an import writes
        threads = QThreadPool()
        threads.setMaxThreadCount(pool.size)
        runner = TechnicalRunner(
            CatalogWriter(catalog.db, STAGE_VERSION),
            pool,
            threads,
            max_attempts=settings.max_attempts,
            fn=NodeMeasure(remote.known, settings.decode_timeout_s, body),
            backoff_ms=10,
            batch_size=batch,
        )
        results: list[Any] = []
        loop = QEventLoop()
        runner.finished.connect(lambda summary: (results.append(summary), loop.quit()))
        if scenario == "cancel":
            runner.progressed.connect(lambda done, total: runner.cancel())
        QTimer.singleShot(0, lambda: runner.start_plan(plan))
        loop.exec()
        threads.waitForDone()
        summary = results[0]
        rows = sqlite3.connect(catalog_file).execute(
            "SELECT p.path, s.status, s.attempts, s.failure_reason FROM photo p "
            "JOIN stage_run s ON s.photo_id = p.id AND s.stage = 'technical'"
        )
        photos = {
            os.path.basename(os.fsdecode(bytes(path))): {
                "status": status,
                "attempts": attempts,
                "reason": reason,
            }
            for path, status, attempts, reason in rows
        }
    del app
    return {
        "counts": import_counts(summary),
        "cancelled": summary.cancelled,
        "photos": photos,
        "in_flight": pool.size,
        "elapsed_s": summary.elapsed_s,
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
