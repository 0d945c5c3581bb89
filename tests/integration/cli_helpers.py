"""Running the CLI in-process and as a real subprocess, for integration tests."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from curator.cli import main as cli_main

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def import_json(folder: Path, *extra: str) -> dict[str, Any]:
    code, out, err = run_cli("import", str(folder), "--json", "--no-progress", *extra)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def list_json() -> list[dict[str, Any]]:
    code, out, err = run_cli("list", "--json")
    assert code == 0, err
    photos: list[dict[str, Any]] = json.loads(out)
    return photos


def status_json() -> dict[str, Any]:
    code, out, err = run_cli("status", "--json")
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def curator_subprocess(
    *args: str, env: dict[str, str] | None = None, **kw: Any
) -> subprocess.Popen[str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.Popen(
        [sys.executable, "-m", "curator", *args],
        cwd=REPO,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def python_subprocess(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`python ARGS…` from the checkout root with this environment (and `env`),
    its stdout and stderr piped as text: a seat, an importer, a listener."""
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def is_human_sentence(reason: str | None) -> bool:
    """A reason a photographer can read: a sentence, no traceback or class names."""
    if not reason or len(reason) < 20:
        return False
    banned = ("Traceback", "Error:", "Exception", "LibRaw", "errno", "b'")
    # "LibRaw does not recognise…" is allowed: it names the tool, not a class.
    text = reason.replace("LibRaw does not", "")
    return not any(b in text for b in banned) and reason.rstrip().endswith((".", ")"))
