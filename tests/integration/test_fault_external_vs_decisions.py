"""Fault suite, external imports competing with decisions (issue 22 §2): a
Lightroom import of 600 photos with 40 keywords each (1,500 in the issue; 600 keep
the test near a minute on a busy 2-core machine) (a real `curator
import-lightroom` subprocess) while `curator rate` subprocesses decide one
photo after another. The import writes in short BULK batches through the
write gate, so every decision is written (exit 0, no "database is locked"),
none waits long, and none is undone by the import (Lightroom's values are
older than the decisions).

Before (issue 22): one transaction per 500 photos, as an interactive writer;
a `rate` waited 18.5 s and another failed after 31 s with a raw traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from curator.catalog.db import Catalog
from curator.catalog.decisions import decision_state, photo_id_for_path
from curator.paths import resolve_paths
from tests.integration.cli_helpers import REPO, curator_subprocess
from tests.integration.fault_helpers import report
from tests.lrcat import LrcatBuilder

PHOTOS = 600
KEYWORDS_EACH = 40
DECISIONS = 8
_DEADLINE_S = 300


def _generated_catalog(home: Path) -> Path:
    """PHOTOS photo rows written by the pipeline's write path (no decoding)."""
    home.mkdir(parents=True, exist_ok=True)
    catalog = resolve_paths().catalog
    stop = home / "stop"
    stop.write_text("1")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.fault_writer_child",
            str(catalog),
            str(home / "ready"),
            str(stop),
            str(home / "done"),
            str(PHOTOS),
        ],
        cwd=REPO,
        check=True,
        timeout=_DEADLINE_S,
    )
    return catalog.parent / "generated"


def _lrcat(path: Path, folder: Path) -> Path:
    lr = LrcatBuilder(path)
    root = lr.root(f"{folder}/")
    keywords = [lr.keyword(f"Subjects|Topic {k:03d}") for k in range(200)]
    for i in range(PHOTOS):
        image = lr.image(root, "", f"g{i:06d}.jpg", rating=2.0, touched=datetime(2020, 1, 1))
        for k in range(KEYWORDS_EACH):
            lr.tag(image, keywords[(i * 7 + k) % len(keywords)])
    return lr.close()


def test_decisions_are_written_promptly_during_a_lightroom_import(
    tmp_path: Path, curator_home: Path
) -> None:
    folder = _generated_catalog(curator_home)
    lrcat = _lrcat(tmp_path / "big.lrcat", folder)

    started = time.monotonic()
    importer = curator_subprocess("import-lightroom", str(lrcat), "--json")
    waits: list[float] = []
    during = 0
    targets = [folder / f"g{i:06d}.jpg" for i in range(0, PHOTOS, PHOTOS // DECISIONS)]
    for path in targets[:DECISIONS]:
        t0 = time.monotonic()
        rate = curator_subprocess("rate", "--stars", "5", str(path))
        out, err = rate.communicate(timeout=_DEADLINE_S)
        waits.append(time.monotonic() - t0)
        assert rate.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err, err
        during += importer.poll() is None
    out, err = importer.communicate(timeout=_DEADLINE_S)
    import_s = time.monotonic() - started
    assert importer.returncode == 0, err
    result = json.loads(out)
    assert result["matched"] == PHOTOS, {k: v for k, v in result.items() if k != "conflicts"}
    assert during >= DECISIONS // 2, (during, import_s)  # they did compete with the import

    with Catalog.open(resolve_paths().catalog):
        for path in targets[:DECISIONS]:
            photo_id = photo_id_for_path(str(path))
            assert photo_id is not None
            assert decision_state(photo_id).rating == 5, path  # kept: newer than Lightroom's
    # A `rate` is a whole Python start-up (about 1–3 s on this machine, more when
    # busy); the gate bounds what it waits for the catalog to about 2 s more.
    assert max(waits) < 15, waits
    report(
        "external-vs-decisions",
        photos=PHOTOS,
        keywords_each=KEYWORDS_EACH,
        import_s=round(import_s, 1),
        decisions=len(waits),
        during_import=during,
        max_decision_s=round(max(waits), 2),
        median_decision_s=round(sorted(waits)[len(waits) // 2], 2),
        failed=0,
    )
