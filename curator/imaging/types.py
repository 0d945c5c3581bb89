"""The imaging layer's records, re-exported from `curator.records` (plain data
that crosses layers: the catalog writer reads them without importing imaging).
"""

from __future__ import annotations

from curator.records import (
    ExifData,
    ExposureMeasure,
    FileFormat,
    MetricsSource,
    QuickLook,
    SharpnessMeasure,
    TechnicalFailure,
    TechnicalMeasurement,
    TechnicalRequest,
)

__all__ = [
    "ExifData",
    "ExposureMeasure",
    "FileFormat",
    "MetricsSource",
    "QuickLook",
    "SharpnessMeasure",
    "TechnicalFailure",
    "TechnicalMeasurement",
    "TechnicalRequest",
]
