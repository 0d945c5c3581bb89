"""Undo and redo on a catalog several seats share: each seat's stacks, read
back from the decision log (`stacks`), and what another seat did since.
The writes stay `catalog.decisions`' (the one code path for decisions);
`bulk` is its set-based half: many photos' decision columns read and written,
and their log rows appended, in a handful of statements (an undo or redo of
any size, the accept of a proposal).
"""
