"""The describe stage on a Ray cluster: the preview read at the seat, the LLM asked from a node.

Responsibility: the seat's side (`describe_on_cluster`, `check_on_cluster`:
on the LLM pool's threads, through an `engine.cluster.RayPool`) and a node's
side (`describe_on_node`, `check_llm` itself) of the describe stage, with the
contract of the local stage (`llm.client.run_describe`): one request in, a
`DescribeResult` or a `DescribeFailure` with its sentence out, never raising.

- The preview lives in the seat's cache, so the seat reads it
  (`read_preview`: the local sentences for a missing or empty one) and its
  bytes travel with the task.
- A node keeps one `Describer` per LLM configuration for the life of its Ray
  worker process, so the HTTP client is made once; the LLM's address is used
  as the settings give it, from the node: on a cluster, it must name a
  server every node reaches (the GPU machine's Ollama), not `localhost`.
- The health check runs on a node too, so a server the seat reaches but the
  nodes do not is said before any photo is sent.
- A task the cluster could not finish (a worker or node died past Ray's
  retries, the cluster lost) is a transient `DescribeFailure`: the photo
  stays to describe, and the next run describes it.

Invariants: no Qt, no catalog; nothing here raises for a photo.
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
