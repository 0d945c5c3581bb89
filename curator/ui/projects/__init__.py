"""Projects in the GUI: the service (no widgets), the picker, the window's controls."""
