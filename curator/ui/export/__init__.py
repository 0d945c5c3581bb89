"""File ▸ Export…: the dialog, its remembered choices, its sentences and the
controller that runs `curator.export` off the UI thread."""
