"""XMP: reading and writing the metadata other photo tools share.

Pure (no catalog, no Qt): `fields.XmpFields` is the tool-neutral value both
directions use; see the modules for the reader, the writer and the merge.
"""
