"""Curator: a local-first photo culler that measures, describes and learns your taste.

peewee imports the PostgreSQL driver (psycopg) at its own import whenever it
is installed (the `studio` extra): ~70 ms of every start-up, for a driver a
SQLite catalog never uses. So the package hides it until a PostgreSQL
catalog is opened: `catalog.backends.postgres.load_driver` imports it then
and hands it to peewee.
"""

import sys as _sys

if "psycopg" not in _sys.modules:
    _sys.modules["psycopg"] = None  # type: ignore[assignment]

__version__ = "0.1.0"
