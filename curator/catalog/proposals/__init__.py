"""Proposals (m023): a first cull Curator proposes for a
photographer — what the plan reads (`plan`), the one writer, the readers and
the accept (`store`). The rules themselves are curator.cull's."""
