"""Schema v31: the proposals an accept ended, kept for its undo (issue 80 §2).

`accepted_proposal`: `cull_proposal`'s columns, one row per (photographer,
photo): the proposal that photo had when an accept turned the proposals into
decisions (`catalog.proposals.store.accept`, in the accept's transaction).
Undoing that accept — Ctrl+Z in a window, `curator undo` in a terminal, a
process that never saw the accept — puts back the proposals of the photos it
made unreviewed again (`store.restore_accepted`). A deleted photo row takes its
row along (a foreign key). Plain SQL, one transaction.
"""

VERSION = 31
NAME = "the proposals an accept ended, for its undo anywhere"

_TABLE = (
    "CREATE TABLE accepted_proposal (owner TEXT NOT NULL,"
    " photo_id {id} NOT NULL REFERENCES photo (id) ON DELETE CASCADE,"
    " verdict TEXT NOT NULL CHECK (verdict IN ('keep', 'reject')),"
    " reasons TEXT NOT NULL DEFAULT '', confidence {real} NOT NULL,"
    " highlight {id} NOT NULL DEFAULT 0, made_at TIMESTAMP NOT NULL,"
    " PRIMARY KEY (owner, photo_id))"
)
_INDEX = "CREATE INDEX accepted_proposal_photo ON accepted_proposal (photo_id)"

STATEMENTS = [_TABLE.format(id="INTEGER", real="REAL"), _INDEX]

POSTGRES_STATEMENTS = [_TABLE.format(id="BIGINT", real="DOUBLE PRECISION"), _INDEX]
