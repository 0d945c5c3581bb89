"""File ▸ Ingest from Card…: the dialog, the cards Qt sees mounted, and the
controller that runs `curator.ingest` off the UI thread and hands what lands
to the pipeline."""
