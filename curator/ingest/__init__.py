"""Ingest: copying a card (or any folder) into one or two destinations, verified,
renamed by a template, skipping what was ingested before (plan → run; the
import of the copies is the pipeline's)."""
