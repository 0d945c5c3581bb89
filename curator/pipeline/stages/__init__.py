"""The pipeline's stages, each plan → run (pure, no Qt, no catalog) → apply (one
write path): scan, quick look, technical, XMP, describe, embed, score."""
