"""The catalog's two backends behind one data layer (peewee): SQLite, the
embedded default for one person (`catalog.db`), and PostgreSQL, for a studio
whose seats share one catalog.

What differs between them lives here, behind one interface each:
`location` (a file or a `postgresql://` URL, and how either is shown),
`dialect` (the few SQL spellings that differ: an id list as a parameter,
the file-name expression, the ids of an ordered query in one value),
`postgres` (opening a PostgreSQL catalog, its transactions and write gate),
and `pg_schema` (the same numbered migrations on PostgreSQL). psycopg is
imported only by `postgres`, and only when a PostgreSQL catalog is opened.
"""
