"""Never lose work: the app in a child process, a scripted keyboard session on
the loupe, SIGKILL right after — every decision made before the kill is in
the catalog (Photo and the Decision log), once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from curator.catalog.db import Catalog
from curator.catalog.models import Decision, Photo
from curator.paths import resolve_paths

REPO = Path(__file__).resolve().parents[2]


def test_sigkill_right_after_a_keyboard_session_loses_nothing(
    library: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    ready = tmp_path / "ready.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.kill_session_child", str(ready), "PXP3"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        qtbot.waitUntil(lambda: ready.exists() or child.poll() is not None, timeout=60_000)
        assert ready.exists(), child.communicate()[1].decode(errors="replace")[-3000:]
        os.kill(child.pid, signal.SIGKILL)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    order = json.loads(ready.read_text())["order"]
    p = order[:4]

    with Catalog.open(resolve_paths().catalog):
        state = {
            int(r.id): (r.cull, r.rating, bool(r.picked))
            for r in Photo.select().where(Photo.id.in_(p))
        }
        assert state == {
            p[0]: ("kept", None, False),
            p[1]: ("rejected", None, False),
            p[2]: ("kept", None, False),
            p[3]: ("kept", 3, False),  # a star rating in the cull pass also keeps
        }
        log = [
            (int(d.photo_id), d.kind, d.old_value, d.new_value, d.pass_)
            for d in Decision.select().order_by(Decision.id)
        ]
        assert log == [
            (p[0], "cull", "unreviewed", "kept", "cull"),
            (p[1], "cull", "unreviewed", "rejected", "cull"),
            (p[2], "cull", "unreviewed", "kept", "cull"),
            (p[3], "rating", None, "3", "cull"),
            (p[3], "cull", "unreviewed", "kept", "cull"),
        ]
        untouched = Photo.select().where(Photo.id.not_in(p), Photo.cull != "unreviewed").count()
        assert untouched == 0
