"""A throwaway Ray cluster for tests: a head and more nodes on 127.0.0.1, in
network, PID and mount namespaces of their own (issue 34 §4).

Ray binds the machine's interface address even when told
`--node-ip-address=127.0.0.1`, so the cluster lives where loopback is the
only interface: `unshare --net --pid --mount --fork` starts an init process
(`INIT`: brings `lo` up — `ip link set lo up`, by its ioctl —, reaps
orphans, exits when its stdin closes), and
every process of the cluster — the nodes, each driver a test runs against
them (`run`: `curator import --ray …`), and any server the workers call (the
recorded Ollama: `serve_fake_ollama`) — enters the same namespaces with
`nsenter`.

Stopping (`stop`): closing the init's stdin makes it exit, and the kernel
then kills every process of the PID namespace — also when pytest itself is
killed, since the pipe closes with it. Processes are found only inside that
namespace (`ours`), never by name alone.

`start` raises `Unavailable` with the reason when Ray is not installed, the
namespaces cannot be made (neither root nor unprivileged user namespaces)
or the cluster does not come up; the fixtures turn it into a skip.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
PORT = 6379  # the namespace's own loopback: nothing else listens there
ADDRESS = f"127.0.0.1:{PORT}"
START_TIMEOUT_S = 180.0

# The namespace's init: loopback up, then reap whatever is orphaned to it (Ray's
# daemons are), until its stdin reaches EOF.
INIT = """
import fcntl, os, select, socket, struct, sys
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1  # `ip link set lo up`, without ip
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
    ifreq = struct.pack("16sH14s", b"lo", 0, b"")
    flags = struct.unpack("16sH14s", fcntl.ioctl(sock, SIOCGIFFLAGS, ifreq))[1]
    fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | IFF_UP, b""))
print("ready", flush=True)
while True:
    ready, _, _ = select.select([sys.stdin], [], [], 0.5)
    if ready and not os.read(sys.stdin.fileno(), 4096):
        break
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass
"""

SERVE_OLLAMA = """
import sys
from tests.llm_server import FakeOllama
with FakeOllama() as server:
    print(server.url, flush=True)
    sys.stdin.read()
"""


class Unavailable(Exception):
    """Why the cluster cannot run here (the tests skip with it)."""


def ray_command() -> list[str]:
    script = Path(sys.executable).with_name("ray")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from ray.scripts.scripts import main; main()"]


class RayTestCluster:
    """The namespaces and the Ray nodes in them (see the module docstring)."""

    def __init__(
        self, *, nodes: int = 2, cpus_per_node: int = 1, env: dict[str, str] | None = None
    ):
        self.nodes, self.cpus_per_node = nodes, cpus_per_node
        self.extra_env = dict(env or {})
        self.root = Path(tempfile.mkdtemp(prefix="rayt-", dir="/tmp"))  # short: socket paths
        (self.root / "tmp").mkdir()
        self._init: subprocess.Popen[bytes] | None = None
        self.init_pid = 0
        self.rootless = os.geteuid() != 0

    # -- the namespaces -------------------------------------------------------------

    def _enter(self) -> list[str]:
        user = ["--user", "--preserve-credentials"] if self.rootless else []
        return ["nsenter", "-t", str(self.init_pid), *user, "--net", "--pid", "--mount",
                f"--wd={REPO}", "--"]  # fmt: skip

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a process in the namespaces: no CURATOR_ settings of the
        test's, the checkout importable (tests.helpers on the workers)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith(("CURATOR_", "RAY_"))}
        base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), base.get("PYTHONPATH")]))
        base["RAY_USAGE_STATS_ENABLED"] = "0"
        # The nodes' workers at the test's own priority: Ray starts them at nice
        # 15, so on a CI machine shared with other work (or under `make
        # test-under-load`'s busy loops) an embedding actor's import of torch
        # was starved past the test's five minutes.
        base["RAY_worker_niceness"] = "0"
        base["TMPDIR"] = str(self.root / "tmp")  # what the nodes leave goes with the cluster
        return {**base, **self.extra_env, **extra}

    def run(
        self, args: list[str], *, env: dict[str, str] | None = None, **kw: Any
    ) -> subprocess.Popen[Any]:
        """Start `args` inside the namespaces."""
        return subprocess.Popen([*self._enter(), *args], env=env or self.env(), **kw)

    def check(self, args: list[str], timeout: float = START_TIMEOUT_S, **env: str) -> str:
        proc = self.run(args, env=self.env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
            raise Unavailable(
                f"{' '.join(args[:3])} did not finish: {out.decode()[-2000:]}"
            ) from None
        if proc.returncode != 0:
            raise Unavailable(f"{' '.join(args[:3])} failed: {out.decode()[-2000:]}")
        return out.decode()

    # -- the cluster ----------------------------------------------------------------

    def start(self) -> RayTestCluster:
        if importlib.util.find_spec("ray") is None:
            raise Unavailable("Ray is not installed (pip install 'curator[studio]')")
        for tool in ("unshare", "nsenter"):
            if shutil.which(tool) is None:
                raise Unavailable(f"`{tool}` is not available to make a network namespace")
        user = ["--user", "--map-root-user"] if self.rootless else []
        self._init = subprocess.Popen(
            ["unshare", *user, "--net", "--pid", "--mount", "--fork", "--kill-child",
             "--mount-proc", sys.executable, "-c", INIT],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert self._init.stdout is not None
        ready, _, _ = select.select([self._init.stdout], [], [], 30)
        line = self._init.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            self._init.kill()
            _, err = self._init.communicate()
            raise Unavailable(f"cannot make a network namespace: {err.decode().strip()[-500:]}")
        self.init_pid = self._init_child()
        try:
            self._start_node(0)
            for index in range(1, self.nodes):
                self._start_node(index)
        except Exception:
            self.stop()
            raise
        return self

    def _init_child(self) -> int:
        assert self._init is not None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            children = Path(f"/proc/{self._init.pid}/task/{self._init.pid}/children")
            with contextlib.suppress(OSError):
                found = children.read_text().split()
                if found:
                    return int(found[0])
            time.sleep(0.05)
        raise Unavailable("the namespace's init process did not appear")

    def node_dir(self, index: int) -> Path:
        return self.root / f"n{index}"

    def _start_node(self, index: int) -> None:
        common = ["--node-ip-address=127.0.0.1", f"--num-cpus={self.cpus_per_node}",
                  "--num-gpus=0", "--disable-usage-stats", f"--temp-dir={self.node_dir(index)}",
                  "--object-store-memory=80000000"]  # fmt: skip
        if index == 0:
            args = ["start", "--head", f"--port={PORT}", "--include-dashboard=false", *common]
        else:
            args = ["start", f"--address={ADDRESS}", *common]
        self.check([*ray_command(), *args])

    def ours(self) -> list[tuple[int, str]]:
        """(pid, command line) of every process in the cluster's PID namespace."""
        try:
            ns = os.readlink(f"/proc/{self.init_pid}/ns/pid")
        except OSError:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                if os.readlink(entry / "ns" / "pid") != ns:
                    continue
                cmdline = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
                found.append((int(entry.name), cmdline.strip()))
        return found

    def task_workers(self, task_name: str) -> list[int]:
        """The Ray workers running a task of that name now (their title is ray::NAME)."""
        return [pid for pid, cmd in self.ours() if cmd.startswith(f"ray::{task_name}")]

    def kill_node(self, index: int) -> int:
        """kill -9 of node `index`'s raylet (the node dies: its workers follow)."""
        marker = f"--temp_dir={self.node_dir(index)}"
        for pid, cmd in self.ours():
            if "raylet" in cmd.split(" ", 1)[0] and marker in cmd:
                os.kill(pid, signal.SIGKILL)
                return pid
        raise AssertionError(f"no raylet of node {index} found")

    def restart_node(self, index: int) -> None:
        shutil.rmtree(self.node_dir(index), ignore_errors=True)
        self._start_node(index)

    def alive_nodes(self) -> int:
        code = (
            f"import ray, json; ray.init(address={ADDRESS!r}, logging_level='ERROR');"
            "print(json.dumps(sum(1 for n in ray.nodes() if n['Alive'])))"
        )
        out = self.check([sys.executable, "-c", code], timeout=120)
        return int(json.loads(out.strip().splitlines()[-1]))

    def stop(self) -> None:
        if self._init is not None:
            with contextlib.suppress(OSError):
                assert self._init.stdin is not None
                self._init.stdin.close()
            try:
                self._init.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._init.kill()
                self._init.wait(timeout=30)
            self._init = None
        shutil.rmtree(self.root, ignore_errors=True)


def serve_fake_ollama(cluster: RayTestCluster) -> tuple[subprocess.Popen[str], str]:
    """The recorded Ollama inside the cluster's namespaces (where the workers
    that describe can reach it); stop it by closing its stdin."""
    proc = cluster.run(
        [sys.executable, "-c", SERVE_OLLAMA],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise AssertionError(
            f"the fake Ollama did not start: {proc.stderr.read() if proc.stderr else ''}"
        )
    return proc, url


@dataclass(frozen=True)
class Studio:
    """A shared drive as two computers see it: the seat reads `seat`, the
    cluster's nodes read `shared` (CURATOR_RAY_ROOTS maps one to the other)."""

    seat: Path
    shared: Path

    def folder(self, name: str, files: list[Path]) -> tuple[Path, Path]:
        """The same files under both views: (the seat's folder, the nodes')."""
        views = self.seat / name, self.shared / name
        for view in views:
            view.mkdir(parents=True)
            for file in files:
                shutil.copy2(file, view / file.name)
        return views


@pytest.fixture(scope="session")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    root = tmp_path_factory.mktemp("studio")
    return Studio(root / "seat", root / "shared")


@pytest.fixture(scope="session")
def ray_cluster(studio: Studio) -> Iterator[RayTestCluster]:
    """The session's one cluster (a Ray start costs ~10-20 s on two cores): a
    head and a second node, one CPU each, mapping `studio.seat` to `studio.shared`."""
    cluster = RayTestCluster(env={"CURATOR_RAY_ROOTS": f"{studio.seat}={studio.shared}"})
    try:
        cluster.start()
    except Unavailable as exc:
        pytest.skip(f"no local Ray cluster: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
