"""Running a piece of a test as `nobody`, for permission tests (CI runs as root).

Root reads and writes everything, so a chmod'd file only bites an
unprivileged process. `as_unprivileged(fn)` forks, drops the child to
`nobody` and returns `("ok", fn())` or `("raised", (type name, message))`
(`in_child` does the same without dropping privileges);
`open_tmp()` makes a temp folder that `nobody` can enter (pytest's tmp_path
is root-only). A whole `curator` subprocess can't run as nobody here: the
interpreter lives under /root, which nobody may not enter.
"""

from __future__ import annotations

import importlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

NOBODY = 65534
# What `run_technical` imports lazily in a decode child (the imaging stack).
MEASURING = ("curator.imaging.technical",)


def as_unprivileged(fn: Callable[[], object], preload: Sequence[str] = ()) -> object:
    """Run `fn` in a forked child that cannot touch what its permissions forbid.

    `preload`: modules `fn` imports lazily, imported in the child before it
    drops its privileges: `nobody` may not be able to read the interpreter's
    own standard library (a Python installed under /root, as pyenv does)."""
    return in_child(fn, unprivileged=True, preload=preload)


def in_child(
    fn: Callable[[], object], *, unprivileged: bool = False, preload: Sequence[str] = ()
) -> object:
    """Run `fn` in a forked child (limits it sets stay there); as `nobody` if asked."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.close(read_fd)
            for module in preload:
                importlib.import_module(module)
            if unprivileged and os.geteuid() == 0:
                os.setgroups([])
                os.setresgid(NOBODY, NOBODY, NOBODY)
                os.setresuid(NOBODY, NOBODY, NOBODY)
            try:
                payload = ("ok", fn())
            except Exception as exc:
                payload = ("raised", (type(exc).__name__, getattr(exc, "message", str(exc))))
            with os.fdopen(write_fd, "wb") as w:
                pickle.dump(payload, w)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as r:
        data = r.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


@contextmanager
def open_tmp() -> Iterator[Path]:
    """A temp folder that `nobody` can enter; permissions are restored before removal."""
    base = Path(tempfile.mkdtemp(prefix="curator-perm-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for p in [base, *base.rglob("*")]:
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)
