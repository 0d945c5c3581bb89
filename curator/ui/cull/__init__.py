"""Cull for me in the window (issue 42 §3): the Cull menu, Cull ▸ Propose…'s
dialog, and the controller that runs the proposal and the accept off the UI
thread."""
