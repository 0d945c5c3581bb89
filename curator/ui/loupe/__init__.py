"""The loupe room: one photo (or two in compare, 2–9 in survey) with what surrounds it.

The page (`page`) hosts the canvas (`view`), compare and survey, the side panel
(`info_panel`, `tag_editor`, `capture_checks`), the viewing tools (`tools`,
`preview_analysis`), the filmstrip, the chrome (full screen, hidden panels) and
the full-resolution originals (`original_loader`).
"""
