"""Undo and redo on a catalog several seats share: each seat's stacks, read
back from the decision log (`stacks`), and what another seat did since.
The writes stay `catalog.decisions`' (the one code path for decisions)."""
