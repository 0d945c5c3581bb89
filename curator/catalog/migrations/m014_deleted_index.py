"""Schema v14: the purged photos as a partial index (issue 21 §2, text search).

Text search ranks the words in `photo_fts` alone and drops the purged photos
(`deleted_at` set: they stay indexed, m007) and marks the missing ones from
two small id sets, instead of looking each hit's photo row up before the
sort (~14 ms of ~33 ms for 11,000 hits of 100,000 photos). The missing set
has its partial index since v5; this is the purged set's: without it the
set is a scan of every photo row (~17 ms). Only purged rows are in it, so it
costs nothing on the live photos' writes. No table changes.
"""

VERSION = 14
NAME = "purged photos index"

STATEMENTS = [
    "CREATE INDEX photo_deleted ON photo (deleted_at) WHERE deleted_at IS NOT NULL",
]
