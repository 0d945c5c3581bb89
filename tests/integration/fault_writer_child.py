"""Child process for test_fault_concurrent_writes: the pipeline's write path
(`CatalogWriter.apply_technical`, batches of the runner's size, one
transaction each) fed with generated technical results — thousands of them,
without decoding anything — while the parent makes decisions.

Usage: python -m tests.integration.fault_writer_child CATALOG READY STOP DONE AT_LEAST
Writes READY after its first batch; goes on until STOP exists and at least
AT_LEAST results are written; then writes DONE (JSON: results, batches and
each batch's commit time, monotonic clock of this machine).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

BATCH = 32  # the runner's batch size (pipeline/stages/technical_runner.py)


def main(catalog: str, ready: str, stop: str, done: str, at_least: int) -> int:
    from curator.catalog.db import Catalog
    from curator.catalog.writer import Attempted, CatalogWriter
    from curator.pipeline.stages.technical import STAGE_VERSION
    from curator.records import (
        ExposureMeasure,
        FileFormat,
        SharpnessMeasure,
        TechnicalMeasurement,
    )

    written, commits = 0, []
    folder = Path(catalog).parent / "generated"
    with Catalog.open(Path(catalog)) as cat:
        writer = CatalogWriter(cat.db, STAGE_VERSION)
        while written < at_least or not os.path.exists(stop):
            batch = []
            for i in range(written, written + BATCH):
                digest = hashlib.blake2b(f"generated {i}".encode(), digest_size=32).hexdigest()
                batch.append(
                    Attempted(
                        TechnicalMeasurement(
                            path=str(folder / f"g{i:06d}.jpg"),
                            content_hash=digest,
                            size=1000 + i,
                            mtime_ns=i,
                            decoded=True,
                            format=FileFormat.JPEG,
                            width=640,
                            height=480,
                            sharpness=SharpnessMeasure(float(i % 500), float(i % 90), i % 100),
                            exposure=ExposureMeasure(0.01, 0.02, 110.0, (i * 7) % 100),
                        )
                    )
                )
            writer.apply_technical(batch)
            written += len(batch)
            commits.append(time.monotonic())
            if len(commits) == 1:
                Path(ready).write_text("1")
    tmp = done + ".tmp"
    Path(tmp).write_text(json.dumps({"results": written, "commits": commits}))
    os.replace(tmp, done)
    return 0


if __name__ == "__main__":
    catalog, ready, stop, done, at_least = sys.argv[1:6]
    sys.exit(main(catalog, ready, stop, done, int(at_least)))
