"""The main window and what only it owns: menus, toolbar, status bar, settings,
window geometry, recent folders and the pipeline's status widgets. The top room of
`curator.ui`: it may import every other room; no room imports it.
"""
