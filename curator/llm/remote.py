"""The describe stage on a Ray cluster: the preview read at the seat, the LLM asked from a node.

The seat's side (`describe_on_cluster`, `check_on_cluster`, through an
`engine.cluster.RayPool`) and a node's (`describe_on_node`, `check_llm`), with
`llm.client.run_describe`'s contract: one request in, a `DescribeResult` or
`DescribeFailure` out, never raising.
- The seat reads the preview (`read_preview`) and ships its bytes.
- A node keeps one `Describer` per configuration; the LLM's address must be
  one every node reaches, not `localhost`.
- The health check runs on a node too.
- A task the cluster could not finish is a transient `DescribeFailure`.

Invariants: no Qt, no catalog.
"""

from __future__ import annotations

import threading

from curator.engine.cluster import RayPool, TaskLost
from curator.engine.isolation import WorkerFailed
from curator.llm.client import (
    DescribeFailure,
    DescribeOutcome,
    Describer,
    DescribeRequest,
    describe_jpeg,
    read_preview,
)
from curator.llm.config import LLMConfig
from curator.llm.health import HealthReport, check_llm

_lock = threading.Lock()
_describers: dict[LLMConfig, Describer] = {}  # this worker process's, one per configuration


def describe_on_node(job: tuple[DescribeRequest, bytes]) -> DescribeOutcome:
    """A Ray task's body: describe the preview's bytes with this worker's Describer."""
    request, jpeg = job
    with _lock:
        describer = _describers.get(request.config)
        if describer is None:
            describer = _describers[request.config] = Describer(request.config)
    return describe_jpeg(request, jpeg, describer)


def describe_on_cluster(pool: RayPool, request: DescribeRequest) -> DescribeOutcome:
    """The seat's side: read the preview here, describe it on a node."""
    jpeg = read_preview(request)
    if isinstance(jpeg, DescribeFailure):
        return jpeg
    try:
        return pool.call(describe_on_node, (request, jpeg))
    except TaskLost as exc:
        return DescribeFailure(
            request.photo_id, exc.message, exc.detail, type(exc).__name__, transient=True
        )
    except WorkerFailed as exc:
        return DescribeFailure(
            request.photo_id,
            "Curator hit an internal error while describing this photo on the Ray cluster; "
            "the details are in the error log.",
            exc.detail,
            "WorkerFailed",
        )


def check_on_cluster(pool: RayPool, config: LLMConfig, timeout_s: float = 120.0) -> HealthReport:
    """Ollama's (or the compatible server's) health as a node sees it."""
    try:
        return pool.call(check_llm, config, timeout_s)
    except (TaskLost, WorkerFailed) as exc:
        return HealthReport(
            False, f"Curator could not ask the Ray cluster's nodes about the LLM: {exc}"
        )


__all__ = ["check_on_cluster", "describe_on_cluster", "describe_on_node"]
