"""Small shared type aliases for the pipeline."""

from __future__ import annotations

from collections.abc import Callable

from curator.imaging.types import TechnicalFailure, TechnicalMeasurement, TechnicalRequest

StageFn = Callable[[TechnicalRequest], TechnicalMeasurement | TechnicalFailure]
