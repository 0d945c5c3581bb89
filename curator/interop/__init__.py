"""Other tools' data: Lightroom Classic catalogs, XMP sidecars and embedded packets.

Another tool's metadata is the user's data. This room reads it into
Curator's decision log (`external`, the one write path; `lightroom`, a
`.lrcat` read-only) and writes back only what a decision made in Curator
changed (`xmp_fields`, what the catalog says in XMP terms; `xmp/`, parsing
and merging packets, pure).
"""
