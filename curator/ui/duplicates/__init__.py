"""Near-duplicates in the window (issue 83 §4): View ▸ Duplicates reviews the
stored groups one at a time, side by side, off the UI thread."""
