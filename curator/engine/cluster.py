"""A Ray cluster behind the stage runners: the same call as a child process, on other machines.

`connect` joins this process to a Ray cluster or says in one sentence why it
cannot (`ClusterUnavailable`). `RayPool.call(fn, arg, timeout)` keeps
`engine.isolation`'s `ChildProcessPool.call` contract: `fn(arg)` computed by a
Ray task, or `WorkerFailed`, `TaskLost` (worker or node died past the
retries, or timed out) or `ClusterLost`. Only a stage's pure middle step travels.

Invariants: `ray` is imported inside functions only; `ray.init` never runs on
the main thread (Ray would replace the SIGTERM handler); a TCP probe of
`PROBE_CONNECT_S` comes first, so nothing waits on an address where nothing listens.

Concurrency protocol:
1. `connect(address)` is serialised by a lock and idempotent per address; it
   runs `ray.init` on a helper thread bounded by `CONNECT_TIMEOUT_S`, then one
   probe task per live node (`node_facts`): a node that cannot import Curator
   is named before any photo is sent.
2. `RayPool.call` runs on a stage's pool threads, one per task in flight (the
   cluster's CPUs over the task's, times `QUEUED_PER_SLOT`); a lost task is
   retried by Ray (`max_retries`), then resent after `RESUBMIT_AFTER_S`.
3. `Shared.put(value)` puts a value in the object store once; a worker fetches
   it once per process (`Shared.get`).
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from curator.engine.isolation import WorkerFailed

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)

# Tasks in flight per task-sized slot of the cluster: one runs while the next
# waits queued on its node, so a node never idles while the seat lands a
# result and sends the next file (one in flight per CPU kept a node ~75 %
# busy on 0.12 s files: tests/bench/test_ray_bench.py).
QUEUED_PER_SLOT = 2
# A task lost with its worker or node, past Ray's own retries (which may all
# land on a node that died a moment ago: the cluster takes seconds to notice),
# is sent again after these pauses before the call gives up.
RESUBMIT_AFTER_S = (1.0, 3.0, 9.0)
CONNECT_TIMEOUT_S = 60.0  # ray.init and the nodes' probe tasks (a worker starts in 1-5 s)
PROBE_CONNECT_S = 3.0  # the TCP probe of the address before Ray is asked
CLIENT_ATTEMPTS = 2  # a ray:// connection the head's proxy failed to set up is tried again
DEFAULT_GCS_PORT = 6379
STUDIO_INSTALL = "pip install 'curator[studio]'"


class ClusterUnavailable(Exception):
    """This process cannot use the Ray cluster; `message` says why and what to do."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


class TaskLost(Exception):
    """The task could not be run to its end on the cluster (its worker or node
    died past Ray's retries, or no answer within the caller's timeout): not
    the input's fault, so worth trying again."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


class ClusterLost(TaskLost):
    """This process lost its connection to the cluster: nothing more can run there."""


def unavailable_reason(frozen: bool | None = None) -> str | None:
    """Why Ray cannot be used in this installation (None: it can be tried).
    `frozen`: whether this is the one-person bundle (default: `sys.frozen`)."""
    if getattr(sys, "frozen", False) if frozen is None else frozen:
        return (
            "This Curator is the one-person app, which comes without Ray: to run the "
            "heavy stages on a Ray cluster, install Curator with "
            f"`{STUDIO_INSTALL}` on this computer and on the cluster's nodes."
        )
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        return (
            "Ray is not installed here, so Curator cannot use a Ray cluster: "
            f"`{STUDIO_INSTALL}` adds it (on this computer and on every node)."
        )
    return None


def probe_target(address: str) -> tuple[str, int] | None:
    """The host and TCP port behind a `ray.init` address (None for "auto",
    which Ray resolves from the local node or RAY_ADDRESS)."""
    text = address.strip()
    if not text or text == "auto" or text == "local":
        return None
    port = DEFAULT_GCS_PORT
    if "://" in text:
        scheme, _, text = text.partition("://")
        port = 10001 if scheme == "ray" else port
    text = text.rstrip("/")
    if text.startswith("["):  # [IPv6]:port
        host, _, rest = text[1:].partition("]")
        return (
            (host, int(rest[1:])) if rest.startswith(":") and rest[1:].isdigit() else (host, port)
        )
    host, sep, tail = text.rpartition(":")
    if sep and tail.isdigit() and ":" not in host:
        return host, int(tail)
    return text, port


def nothing_answers(address: str, detail: str) -> ClusterUnavailable:
    return ClusterUnavailable(
        f"Nothing answers at the Ray address {address}: start the cluster with "
        "`ray start --head` on its head machine (the GPU machine), or check the address "
        "(host:6379 on a node of the cluster, ray://host:10001 from any other computer).",
        detail,
    )


def _check_reachable(address: str) -> None:
    target = probe_target(address)
    if target is None:
        return
    try:
        with socket.create_connection(target, timeout=PROBE_CONNECT_S):
            return
    except OSError as exc:
        raise nothing_answers(address, f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class NodeFacts:
    """What a node says of itself when probed (`node_facts`)."""

    host: str
    curator_version: str
    cpus: float = 0.0
    gpus: float = 0.0


def installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("curator")
    except PackageNotFoundError:
        return "unknown"


def node_facts() -> NodeFacts:
    """The probe task's body, on a node: importing this module proves Curator
    is installed there; its version must be the seat's."""
    return NodeFacts(socket.gethostname(), installed_version())


@dataclass(frozen=True)
class RayCluster:
    """The cluster this process is connected to (see `connect`)."""

    address: str
    cpus: float
    gpus: float
    nodes: tuple[NodeFacts, ...]

    def describe(self) -> str:
        gpus = f", {self.gpus:g} GPU(s)" if self.gpus else ""
        return f"{len(self.nodes)} node(s), {self.cpus:g} CPU(s){gpus}"


_connect_lock = threading.Lock()
_connected: list[RayCluster] = []  # the process's one connection, when there is one


def connect(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> RayCluster:
    """This process's connection to the Ray cluster at `address` (see the
    module docstring); raises `ClusterUnavailable` with the sentence."""
    address = address.strip()
    reason = unavailable_reason()
    if reason is not None:
        raise ClusterUnavailable(reason)
    with _connect_lock:
        if _connected and _connected[0].address == address:
            import ray

            if ray.is_initialized():
                return _connected[0]
        _check_reachable(address)  # before Ray is even imported (~1 s)
        import ray

        if ray.is_initialized():
            ray.shutdown()
        _connected.clear()
        result: list[RayCluster | BaseException] = []
        worker = threading.Thread(
            target=lambda: result.append(_initialise(address, timeout_s)),
            name="ray-connect",
            daemon=True,  # a cluster that never answers must not keep the process alive
        )
        worker.start()
        worker.join(timeout_s * 2)
        if not result:
            raise ClusterUnavailable(
                f"The Ray cluster at {address} did not answer within {timeout_s * 2:.0f} s; "
                "check that its head node is running (`ray status` there)."
            )
        outcome = result[0]
        if isinstance(outcome, BaseException):
            raise outcome
        _connected.append(outcome)
        log.info("connected to the Ray cluster at %s: %s", address, outcome.describe())
        return outcome


def _initialise(address: str, timeout_s: float) -> RayCluster | BaseException:
    """ray.init and the nodes' probe (on the helper thread); never raises."""
    try:
        import ray

        logging.getLogger("ray").setLevel(logging.ERROR)
        for attempt in range(CLIENT_ATTEMPTS if address.startswith("ray://") else 1):
            try:
                ray.init(
                    address=address,
                    namespace="curator",
                    log_to_driver=False,
                    logging_level=logging.ERROR,
                    configure_logging=False,
                )
                break
            except ConnectionAbortedError:
                # The head's client proxy could not start this client's server (it
                # forks beside gRPC threads: now and then its child dies at once).
                ray.shutdown()
                if attempt + 1 == CLIENT_ATTEMPTS:
                    raise
    except Exception as exc:
        return _join_failed(address, exc)
    _quiet_cluster_errors()
    try:
        return _probe(address, timeout_s)
    except ClusterUnavailable as exc:
        ray.shutdown()
        return exc
    except Exception as exc:
        ray.shutdown()
        return ClusterUnavailable(
            f"Curator could not ask the Ray cluster at {address} about its nodes "
            f"({_first_line(exc)}).",
            repr(exc),
        )


def _quiet_cluster_errors() -> None:
    """Send the cluster's error notes ("(raylet) A worker died…") to Curator's log.

    Ray's driver prints them to stdout from a thread of its own, whatever
    `log_to_driver` says: into `curator import --json`'s output. What they
    say reaches the user as each photo's sentence (`task_lost`)."""
    from ray._private import worker as ray_worker

    def to_log(data: dict[str, Any], ignore_prefix: bool = False) -> None:
        for line in data.get("lines") or ():
            log.info("Ray %s: %s", data.get("pid", ""), line)

    if hasattr(ray_worker, "print_to_stdstream"):
        ray_worker.print_to_stdstream = to_log


def _join_failed(address: str, exc: BaseException) -> ClusterUnavailable:
    text = _first_line(exc)
    if "Could not find any running Ray instance" in str(exc):
        return ClusterUnavailable(
            "No Ray cluster runs on this computer, so `auto` finds none: give the head's "
            "address (ray://host:10001), or run `ray start --address=HEAD:6379` here first.",
            repr(exc),
        )
    if "version" in text.lower() and ("mismatch" in text.lower() or "python" in text.lower()):
        return ClusterUnavailable(
            f"The Ray cluster at {address} runs another version of Ray or Python than this "
            f"computer ({text}); install the same versions on every computer "
            f"(`{STUDIO_INSTALL}`).",
            repr(exc),
        )
    return ClusterUnavailable(
        f"Curator could not join the Ray cluster at {address} ({text}). A computer that "
        "is not a node of the cluster connects through Ray's client: ray://HEAD:10001.",
        repr(exc),
    )


def _probe(address: str, timeout_s: float) -> RayCluster:
    """Each live node's facts (see the module docstring). A node that cannot run
    Curator, or runs another version, refuses the cluster with its sentence; one
    that does not answer (it left the cluster as it was asked) is left out."""
    import ray
    from ray.exceptions import RayTaskError
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    alive = [n for n in ray.nodes() if n.get("Alive")]
    probe = ray.remote(node_facts)
    refs = [
        probe.options(
            num_cpus=0,
            max_retries=1,
            name="curator probe",
            scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False),
        ).remote()
        for n in alive
    ]
    ray.wait(refs, num_returns=len(refs), timeout=timeout_s)
    here = installed_version()
    facts: list[NodeFacts] = []
    for node, ref in zip(alive, refs, strict=True):
        where = node.get("NodeManagerHostname") or node.get("NodeManagerAddress") or "?"
        try:
            found: NodeFacts = ray.get(ref, timeout=0)
        except RayTaskError as exc:  # it ran there, and failed: Curator is not installed
            raise ClusterUnavailable(
                f"The Ray node {where} cannot run Curator's stages ({_first_line(exc)}): "
                f"install Curator there with `{STUDIO_INSTALL}`.",
                repr(exc),
            ) from exc
        except Exception as exc:  # no answer: the node is gone, or not there yet
            log.info("the Ray node %s did not answer the probe (%r); left out", where, exc)
            ray.cancel(ref, force=True)
            continue
        if found.curator_version != here:
            raise ClusterUnavailable(
                f"The Ray node {found.host} runs Curator {found.curator_version} and this "
                f"computer Curator {here}: install the same version on every node, so "
                "that every photo is measured the same way."
            )
        resources = node.get("Resources") or {}
        facts.append(
            NodeFacts(found.host, found.curator_version, resources.get("CPU", 0.0),
                      resources.get("GPU", 0.0))
        )  # fmt: skip
    if not facts:
        raise ClusterUnavailable(
            f"No node of the Ray cluster at {address} answered within {timeout_s:.0f} s; "
            "`ray status` on its head lists them."
        )
    return RayCluster(
        address,
        sum(f.cpus for f in facts),
        sum(f.gpus for f in facts),
        tuple(facts),
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def run_on_worker(fn: Callable[[T], R], arg: T) -> R:
    """A Ray task's body: the stage's function, on whichever worker Ray chose."""
    return fn(arg)


_shared_values: dict[str, Any] = {}  # per worker process: Shared token -> value
_shared_lock = threading.Lock()
SHARED_KEPT = 4  # values kept per process (one per recent run)


@dataclass(frozen=True)
class Shared(Generic[T]):
    """A value put in the object store once (see the module docstring)."""

    token: str
    refs: tuple[Any, ...] = field(
        repr=False
    )  # (the object's reference,): nested, Ray passes it as is

    @classmethod
    def put(cls, value: T) -> Shared[T]:
        import ray

        return cls(uuid.uuid4().hex, (ray.put(value),))

    def get(self) -> T:
        """The value, fetched from the object store once per worker process."""
        with _shared_lock:
            if self.token in _shared_values:
                return cast(T, _shared_values[self.token])
        import ray

        value = ray.get(self.refs[0])
        with _shared_lock:
            while len(_shared_values) >= SHARED_KEPT:
                _shared_values.pop(next(iter(_shared_values)))
            _shared_values[self.token] = value
        return cast(T, value)


class RayPool:
    """Stage bodies as Ray tasks, called like a `ChildProcessPool` (module docstring)."""

    def __init__(
        self,
        cluster: RayCluster,
        *,
        name: str,
        num_cpus: float = 1.0,
        max_retries: int = 3,
        queued_per_slot: int = QUEUED_PER_SLOT,
    ):
        import ray

        self.cluster = cluster
        self.name = name
        per_task = num_cpus if num_cpus > 0 else 1.0
        cpus = float(ray.cluster_resources().get("CPU", cluster.cpus))  # nodes come and go
        self.size = max(1, int(cpus // per_task)) * max(1, queued_per_slot)
        self._remote: Any = ray.remote(run_on_worker).options(
            name=name, num_cpus=num_cpus, max_retries=max_retries
        )

    def call(self, fn: Callable[[T], R], arg: T, timeout: float | None = None) -> R:
        import ray.exceptions as rex

        for delay in (*RESUBMIT_AFTER_S, None):
            try:
                return self._once(fn, arg, timeout)
            except rex.RayError as exc:  # the worker or its node died, past Ray's retries
                if delay is None:
                    raise task_lost(exc) from exc
                log.info("a %s task was lost (%r); sent again in %g s", self.name, exc, delay)
                time.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")

    def _once(self, fn: Callable[[T], R], arg: T, timeout: float | None) -> R:
        """One submission; Ray's errors other than a lost worker or node become
        this module's (the caller sends a lost one again)."""
        import ray
        import ray.exceptions as rex

        try:
            ref = self._remote.remote(fn, arg)
        except Exception as exc:  # the driver's connection is gone
            raise lost_cluster(self.cluster.address, exc) from exc
        try:
            return cast(R, ray.get(ref, timeout=timeout))
        except rex.GetTimeoutError as exc:
            ray.cancel(ref, force=True)
            raise TaskLost(
                f"The Ray cluster did not finish this within {timeout:.0f} s; "
                "Curator will try it again.",
                repr(exc),
            ) from exc
        except rex.RayTaskError as exc:
            cause = exc.cause if isinstance(exc.cause, BaseException) else exc
            if isinstance(cause, ModuleNotFoundError) and "curator" in str(cause):
                raise TaskLost(
                    f"A Ray node could not import Curator ({cause}); install it there with "
                    f"`{STUDIO_INSTALL}`.",
                    str(exc),
                ) from exc
            raise WorkerFailed(f"{type(cause).__name__}: {cause}", str(exc)) from exc
        except (rex.RaySystemError, ConnectionError) as exc:
            raise lost_cluster(self.cluster.address, exc) from exc

    def close(self) -> None:
        """Nothing of the cluster is held between calls (the connection stays)."""

    def worker_pids(self) -> list[int]:
        return []  # on other machines: nothing here to renice or kill


def task_lost(exc: BaseException) -> TaskLost:
    """The sentence of a task Ray could not finish (a worker or a node died)."""
    import ray.exceptions as rex

    if isinstance(exc, rex.OutOfMemoryError):
        why = "its node ran short of memory and Ray stopped the worker"
    elif isinstance(exc, rex.NodeDiedError):
        why = "its node left the cluster"
    else:
        why = "the Ray worker running it stopped"
    return TaskLost(
        f"The Ray cluster could not finish this photo ({why}); it is tried again, "
        "and the next import tries it again too.",
        f"{type(exc).__name__}: {_first_line(exc)}",
    )


def lost_cluster(address: str, exc: BaseException) -> ClusterLost:
    return ClusterLost(
        f"Curator lost the Ray cluster at {address} ({_first_line(exc)}); what was "
        "measured is kept, and the next import goes on from there.",
        repr(exc),
    )


__all__ = [
    "ClusterLost",
    "ClusterUnavailable",
    "NodeFacts",
    "RayCluster",
    "RayPool",
    "Shared",
    "TaskLost",
    "connect",
    "installed_version",
    "lost_cluster",
    "node_facts",
    "nothing_answers",
    "probe_target",
    "run_on_worker",
    "task_lost",
    "unavailable_reason",
]
