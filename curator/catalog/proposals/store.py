"""Proposals in the catalog: the one writer, the readers, and the accept.

- `write_proposals(owner, proposals)`: ONE transaction replaces that
  photographer's proposals (one INSERT from packed JSON); on PostgreSQL a big
  write refreshes the statistics for m023's trigger. Other photographers'
  proposals are never read nor written.
- `least_sure_first(owner)`: the undecided proposed photos, least confident first.
- `restore_proposals`: what an undone accept ended, on photos still undecided.
- `accept_photo` and `accept` go through `decisions.cull_unjudged` with
  `PROPOSAL_PASS`; a judged photo is never touched; each decision ends its
  proposal (m023).
Reasons are stored joined by `|`; the stored tuple is `packed`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from curator.catalog import decisions, tx
from curator.catalog.backends.dialect import chunks, dialect_of
from curator.catalog.models import CullProposal, CullState, Photo, utcnow
from curator.catalog.proposals.packed import (
    PackedProposals,
    ProposalRow,
    proposal_record,
    stored_row,
)
from curator.catalog.types import ProposalChoice
from curator.catalog.undo.bulk import pack_json
from curator.catalog.write_gate import Gate
from curator.records import Proposal, ProposalVerdict

PROPOSAL_PASS = "proposal"  # the decision log's pass for an accepted proposal
_ANALYZE_AFTER = 1_000  # PostgreSQL: proposals written at once that refresh the statistics

_UNPACK_SQLITE = (
    "SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
    " json_extract(value, '$[2]'), json_extract(value, '$[3]'), json_extract(value, '$[4]'), ?"
    " FROM json_each(?)"
)
_UNPACK_POSTGRES = (
    "SELECT ?, CAST(value->>0 AS bigint), value->>1, value->>2,"
    " CAST(value->>3 AS double precision), CAST(value->>4 AS bigint), CAST(? AS timestamp)"
    " FROM json_array_elements(CAST(? AS json)) AS j(value)"
)


def _packed(proposals: Iterable[Proposal] | PackedProposals) -> str:
    """The proposals as one JSON array of their stored columns (`ProposalRow`),
    encoded a chunk at a time (`pack_json`): one json.dumps of the 60,000 an
    undone accept puts back held the GIL for 217 ms the UI thread waited."""
    return pack_json(PackedProposals.of(proposals))


def write_proposals(owner: str, proposals: Sequence[Proposal]) -> int:
    """Replace `owner`'s proposals with `proposals` in one transaction; how many."""
    db = Photo._meta.database
    postgres = dialect_of(db).is_postgres
    unpack = _UNPACK_POSTGRES if postgres else _UNPACK_SQLITE
    packed = _packed(proposals)

    def apply() -> int:
        db.execute_sql("DELETE FROM cull_proposal WHERE owner = ?", (owner,))
        if proposals:
            db.execute_sql(
                "INSERT INTO cull_proposal"
                " (owner, photo_id, verdict, reasons, confidence, highlight, made_at) " + unpack,
                (owner, utcnow(), packed),
            )
            if postgres and len(proposals) >= _ANALYZE_AFTER:
                # The table may have grown from nothing: without fresh statistics a
                # plan cached while it was empty (m023's trigger, run by every
                # decision) keeps scanning it whole — 60,000 times on an accept.
                db.execute_sql("ANALYZE cull_proposal")
        return len(proposals)

    return tx.write(db, apply, gate=Gate.BULK)


def clear_proposals(owner: str) -> int:
    """Drop every proposal of `owner`; how many there were."""
    db = Photo._meta.database

    def apply() -> int:
        return int(CullProposal.delete().where(CullProposal.owner == owner).execute())

    return tx.write(db, apply, gate=Gate.BULK)


def proposal_records(owner: str) -> dict[int, Proposal]:
    """Every proposal of `owner`'s, by photo (one read; an accept's caller keeps
    them, so undoing the accept can put them back: `restore_proposals`)."""
    return _records(CullProposal.owner == owner)


def proposal_rows(owner: str) -> dict[int, ProposalRow]:
    """`proposal_records` as plain rows of atomic values (`packed.ProposalRow`):
    what an accept keeps for its undo, which the cycle collector stops walking
    once it has seen them (catalog/proposals/packed.py)."""
    return {row[0]: row for row in _rows(CullProposal.owner == owner)}


def _rows(*where: Any) -> Iterator[ProposalRow]:
    """The stored columns of the proposals matching `where`."""
    rows = (
        CullProposal.select(
            CullProposal.photo,
            CullProposal.verdict,
            CullProposal.reasons,
            CullProposal.confidence,
            CullProposal.highlight,
        )
        .where(*where)
        .tuples()
    )
    return (stored_row(*row) for row in rows)


def _records(*where: Any) -> dict[int, Proposal]:
    """The proposals matching `where`, as records, by photo."""
    return {row[0]: proposal_record(*row) for row in _rows(*where)}


def proposals_of(owner: str) -> dict[int, dict[str, Any]]:
    """`owner`'s proposals by photo, as `curator list --json` shows them."""
    return {
        pid: {
            "verdict": p.verdict.value,
            "reasons": [r.value for r in p.reasons],
            "confidence": float(p.confidence),
            "highlight": bool(p.highlight),
        }
        for pid, p in proposal_records(owner).items()
    }


def proposal_id_set(choice: ProposalChoice, owner: str) -> tuple[str, list[object]]:
    """The photos `owner` proposes as `choice` (keep, reject or highlight), as a
    `SELECT photo_id AS id …` with its parameters (the gallery's Proposal
    filter, catalog.gallery_filters, and search's `proposal:` tokens)."""
    highlight = choice is ProposalChoice.HIGHLIGHT
    column, wanted = ("highlight", 1) if highlight else ("verdict", choice.value)
    sql = f"SELECT photo_id AS id FROM cull_proposal WHERE owner = ? AND {column} = ?"
    return sql, [owner, wanted]


# The undecided proposed photos (a decision ends a proposal: the photo's state
# is tested all the same), least confident first, ties in capture order.
_LEAST_SURE_SQL = (
    "SELECT cp.photo_id AS id FROM cull_proposal cp JOIN photo ON photo.id = cp.photo_id"
    " WHERE cp.owner = ? AND photo.deleted_at IS NULL AND photo.cull = ?"
    " ORDER BY cp.confidence, photo.captured_at IS NULL, photo.captured_at, photo.id"
)


def least_sure_first(owner: str) -> list[int]:
    """`owner`'s proposed photos that are live and still undecided, the least
    confident proposal first (ties in capture order, then by id); the ids read
    as one string, as `gallery_filters.ordered_ids` reads the gallery's (which
    imports this module): 100,000 in ~0.15 s, a third of peewee's rows."""
    db = Photo._meta.database
    dialect = dialect_of(db)
    sql = dialect.ordered_ids_sql(_LEAST_SURE_SQL)
    row = dialect.execute_planned(db, sql, [owner, CullState.UNREVIEWED.value]).fetchone()
    return [int(pid) for pid in str(row[0]).split(",")] if row and row[0] else []


def proposal_counts(owner: str) -> dict[ProposalChoice, int]:
    """How many keeps, rejects and highlights `owner` has proposed now (one
    grouped pass: ~15x faster than a row per proposal at 100,000)."""
    counts = dict.fromkeys(ProposalChoice, 0)
    rows = Photo._meta.database.execute_sql(
        "SELECT verdict, COUNT(*), SUM(highlight) FROM cull_proposal WHERE owner = ?"
        " GROUP BY verdict",
        (owner,),
    )
    for verdict, n, highlights in rows.fetchall():
        counts[ProposalChoice(str(verdict))] = int(n)
        counts[ProposalChoice.HIGHLIGHT] += int(highlights or 0)
    return counts


def proposals_for(owner: str, photo_ids: Sequence[int]) -> dict[int, Proposal]:
    """`owner`'s proposal for each of `photo_ids` that has one."""
    ids = [int(pid) for pid in photo_ids]
    found: dict[int, Proposal] = {}
    for chunk in chunks(ids):
        found.update(_records(CullProposal.owner == owner, CullProposal.photo.in_(chunk)))
    return found


def restore_proposals(owner: str, proposals: Iterable[Proposal] | PackedProposals) -> list[int]:
    """Put back `owner`'s proposals that an accept ended, once that accept was
    undone (the window's Ctrl+Z after A): only on photos still undecided and
    without a proposal of `owner`'s now; one transaction. The photos restored."""
    db = Photo._meta.database
    wanted = {row[0]: row for row in PackedProposals.of(proposals)}

    dialect = dialect_of(db)
    unpack = _UNPACK_POSTGRES if dialect.is_postgres else _UNPACK_SQLITE

    def apply() -> list[int]:
        # Set-based as `write_proposals` (Accept the Rest puts back 60,000).
        undecided = {
            int(pid)
            for (pid,) in db.execute_sql(
                f"SELECT id FROM photo WHERE id IN {dialect.id_list()} AND deleted_at IS NULL"
                " AND cull = ? AND picked = 0 AND rating IS NULL",
                [dialect.id_param(wanted), CullState.UNREVIEWED.value],
            )
        }
        taken = {
            int(pid)
            for (pid,) in db.execute_sql(
                f"SELECT photo_id FROM cull_proposal WHERE owner = ? AND photo_id IN"
                f" {dialect.id_list()}",
                [owner, dialect.id_param(undecided)],
            )
        }
        back = [wanted[pid] for pid in wanted if pid in undecided and pid not in taken]
        if back:
            db.execute_sql(
                "INSERT INTO cull_proposal"
                " (owner, photo_id, verdict, reasons, confidence, highlight, made_at) " + unpack,
                (owner, utcnow(), _packed(PackedProposals(back))),
            )
        return [row[0] for row in back]

    return tx.write(db, apply, gate=Gate.INTERACTIVE)


def accept_photo(photo_id: int, verdict: ProposalVerdict) -> list[decisions.DecisionRecord] | None:
    """One photo's proposal as its decision (keep -> kept, reject -> rejected),
    logged as from a proposal; call it inside a decisions write (`one_step`).
    None, touching nothing, when the photo is gone or someone judged it already
    (`decisions.cull_unjudged`, the rule `accept` shares)."""
    cull = CullState.KEPT if verdict is ProposalVerdict.KEEP else CullState.REJECTED
    done = decisions.cull_unjudged({photo_id: cull}, pass_=PROPOSAL_PASS)
    if not done.decided:
        return None
    return [decisions.record_of(row) for row in done.rows if row.photo_id == photo_id]


@dataclass(frozen=True)
class AcceptReport:
    kept: int  # proposals turned into keeps
    rejected: int  # into rejects
    untouched: int  # proposals of photos someone had judged meanwhile: left as they were
    photo_ids: tuple[int, ...] = ()  # the photos decided (the window refreshes their tiles)


_COLUMNS = "owner, photo_id, verdict, reasons, confidence, highlight, made_at"


def _keep_for_undo(owner: str) -> None:
    """Copy `owner`'s proposals where an undo of the accept finds them
    (`accepted_proposal`, m031), inside the accept's transaction."""
    db = Photo._meta.database
    db.execute_sql(
        "DELETE FROM accepted_proposal WHERE owner = ? AND photo_id IN"
        " (SELECT photo_id FROM cull_proposal WHERE owner = ?)",
        (owner, owner),
    )
    db.execute_sql(
        f"INSERT INTO accepted_proposal ({_COLUMNS}) SELECT {_COLUMNS} FROM cull_proposal"
        " WHERE owner = ?",
        (owner,),
    )


def restore_accepted(owner: str, photo_ids: Sequence[int]) -> list[int]:
    """After an accept was undone (by any window or terminal): put back the
    proposals it ended on `photo_ids`, those still undecided and without one
    (`restore_proposals`); the photos restored."""
    if not photo_ids:
        return []
    db = Photo._meta.database
    dialect = dialect_of(db)
    rows = db.execute_sql(
        "SELECT photo_id, verdict, reasons, confidence, highlight FROM accepted_proposal"
        f" WHERE owner = ? AND photo_id IN {dialect.id_list()}",
        [owner, dialect.id_param(photo_ids)],
    ).fetchall()
    if not rows:
        return []
    return restore_proposals(owner, PackedProposals(stored_row(*row) for row in rows))


def accept(owner: str, *, keeps: bool = True, rejects: bool = True) -> AcceptReport:
    """`owner`'s proposals (keeps, rejects or both) as decisions (module
    docstring): set-based, a handful of statements whatever their number,
    writing what `accept_photo` photo by photo would."""
    asked = ((ProposalVerdict.KEEP, keeps), (ProposalVerdict.REJECT, rejects))
    wanted = [verdict.value for verdict, on in asked if on]
    kept, rejected = CullState.KEPT, CullState.REJECTED

    def step() -> AcceptReport:
        rows = Photo._meta.database.execute_sql(
            "SELECT photo_id, verdict FROM cull_proposal WHERE owner = ? AND NOT EXISTS"
            " (SELECT 1 FROM stage_run sr WHERE sr.photo_id = cull_proposal.photo_id"
            " AND sr.stage = 'technical' AND sr.status = 'failed')",  # the Failed lane's
            (owner,),
        )
        targets = {
            int(pid): kept if verdict == ProposalVerdict.KEEP.value else rejected
            for pid, verdict in rows
            if verdict in wanted
        }
        if not targets:
            return AcceptReport(0, 0, 0)
        _keep_for_undo(owner)  # before the decisions end them
        done = decisions.cull_unjudged(targets, pass_=PROPOSAL_PASS)
        n_kept = sum(targets[pid] is kept for pid in done.decided)
        return AcceptReport(n_kept, len(done.decided) - n_kept, len(done.untouched), done.decided)

    return decisions.apply_many(step)
