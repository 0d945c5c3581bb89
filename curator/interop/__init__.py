"""Other tools' data: Lightroom Classic catalogs, XMP sidecars and embedded packets.

Another tool's metadata is the user's data. This room reads it (ratings,
flags, labels, keywords, captions) into Curator's decision log and writes back
only what a decision made in Curator changed:

- `xmp/`: parsing and merging XMP packets (pure: files in, values out);
- `lightroom`: reading a `.lrcat` (read-only SQLite);
- `external`: the one write path of other tools' decisions into the catalog;
- `xmp_fields`: what the catalog says about a photo in XMP terms.
"""
