"""The imaging layer's records, under their historical import path.

They live in `curator.records` (plain data that crosses layers: the catalog
writer reads them without importing imaging); this module re-exports them so
`curator.imaging.types.TechnicalMeasurement` is the same class.
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
