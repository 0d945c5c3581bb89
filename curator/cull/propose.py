"""One proposal, plan → run → apply, as the command line (and a bench) make it:
the catalog read once (`catalog.proposals.plan.plan_frames`), the rules
(`cull.rules.propose`), the photographer's proposals replaced in one
transaction (`catalog.proposals.store.write_proposals`). Runs on the thread
that owns the catalog connection (the window would run it on a worker with
its own connection, as any long write)."""

from __future__ import annotations

from dataclasses import replace

from curator.catalog.proposals.plan import Scope, failed_in_scope, plan_frames
from curator.catalog.proposals.store import write_proposals
from curator.cull.checks import CullChecks
from curator.cull.rules import ProposalRun, propose, target_of


def propose_for(
    owner: str,
    checks: CullChecks,
    scope: Scope | None = None,
    *,
    keep: int | None = None,
    keep_percent: float | None = None,
) -> ProposalRun:
    """Propose a first cull of the scope's undecided photos for `owner` and store
    it; the photos the technical stage failed on are left out, and counted."""
    scope = scope or Scope()
    frames = plan_frames(scope)
    undecided = sum(1 for f in frames if f.decided is None)
    run = propose(frames, checks, target_of(keep, keep_percent, undecided))
    write_proposals(owner, run.proposals)
    return replace(run, summary=replace(run.summary, failed=failed_in_scope(scope)))
