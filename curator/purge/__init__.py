"""Freeing disk space: rejected photos to the OS trash, shaped like `curator.export`.

- plan: `curator.catalog.purge.plan_purge` (the catalog, read-only);
- run: `trash.move_to_trash` (files only: never an unlink);
- apply: `curator.catalog.purge.apply_purge` (tombstones, decisions kept);
- `run.purge` chains run and apply for both front ends.
"""
