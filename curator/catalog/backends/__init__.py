"""The catalog's two backends behind one data layer (peewee): SQLite, the
embedded default for one person (`catalog.db`), and PostgreSQL, for a studio
whose seats share one catalog. What differs between them lives here:
`dialect` (the few SQL spellings that differ), `postgres` (a PostgreSQL
catalog's connection, transactions and write gate), `pg_schema` (the same
migrations on PostgreSQL), `listen` (the other seats' news), `copy` (a
catalog copied between them). psycopg is imported only when a PostgreSQL
catalog is opened.
"""
