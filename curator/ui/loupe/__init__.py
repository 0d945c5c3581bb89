"""The loupe room: one photo (or two in compare, 2–9 in survey) with what surrounds it.

The page (`page`) hosts the canvas (`view`), compare and survey, the side panel
(`info_panel`, `tag_editor`, `capture_checks`), the viewing tools (`tools`,
`preview_analysis`), the filmstrip, the chrome and the originals
(`original_loader`). Its sizes are here, so the composition root sizes the
pools and the preview cache without loading the loupe before the first paint.
"""

PREFETCH = 2  # previews kept decoded on each side of the loupe's photo
ORIGINAL_THREADS = 2  # a stale 24 MP decode never holds up the wanted one for long
# More photos changed at once than this (a step: an accept of the rest) are
# re-read off the UI thread, the old rows shown until then; fewer at once, so a
# key's result shows with the next paint.
STEP_ROWS = 64
