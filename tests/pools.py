"""Thread pools for tests that build a service or widget without `curator.app`
(tests, like the composition roots, may make pools; curator's modules may not)."""

from __future__ import annotations

from PySide6.QtCore import QThreadPool

from curator.pipeline.phase import PipelinePools


def make_pool(threads: int) -> QThreadPool:
    pool = QThreadPool()
    pool.setMaxThreadCount(threads)
    return pool


def pipeline_pools(llm_threads: int = 2) -> PipelinePools:
    return PipelinePools.create(make_pool, llm_threads)
