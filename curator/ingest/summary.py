"""What an ingest says it did: the lines the CLI prints and the dialog shows,
and the `--json` object. One wording for both, from an `IngestResult`."""

from __future__ import annotations

from typing import Any

from curator.ingest.plan import PlannedName
from curator.ingest.types import IngestResult, Role, human_bytes

MAX_LISTED = 10  # failures, clashes, files with no backup: the first ones, then a count


def headline(result: IngestResult) -> str:
    """One sentence: how it ended, how long it took, how fast it read."""
    rate = ""
    if result.elapsed_s > 0 and result.bytes_read:
        rate = f", {human_bytes(result.bytes_read / result.elapsed_s)}/s"
    took = f"{result.elapsed_s:.1f} s{rate}"
    if result.cancelled:
        return f"Ingest cancelled after {took}: what was copied stays, verified."
    if result.stopped:
        return f"Ingest stopped after {took}: {result.stopped}"
    if not result.complete:
        return f"Ingest finished in {took}, with problems (below); ingest again to retry them."
    return f"Ingest finished in {took}."


def summary_lines(result: IngestResult) -> list[str]:
    """The summary under the headline, one fact per line."""
    extra = f" (+ {result.companions:,} sidecars and companions)" if result.companions else ""
    lines = [f"{result.photos:,} photos found in {result.source}{extra}"]
    if result.left_on_card:
        lines.append(
            f"{len(result.left_on_card):,} other files (videos, camera files) left on the card: "
            + _some(result.left_on_card)
        )
    for dest in result.destinations:
        where = "" if dest.role is Role.PRIMARY else "backup "
        line = f"{dest.copied:,} copied to {where}{dest.root}, verified"
        if dest.present:
            line += f"; {dest.present:,} were there already"
        if dest.folders:
            line += f" — in {_some(dest.folders, empty='the folder itself')}"
        lines.append(line)
        if dest.error and dest.error != result.stopped:
            lines.append(f"  {dest.error}")
    lines.append(
        f"{result.skipped:,} skipped (ingested before), {len(result.failures):,} failed, "
        f"{human_bytes(result.bytes_read)} read from the card"
    )
    for failure in result.failures[:MAX_LISTED]:
        lines.append(f"  failed {failure.source}: {failure.reason}")
    if len(result.failures) > MAX_LISTED:
        lines.append(f"  … and {len(result.failures) - MAX_LISTED:,} more failed")
    for problem in result.problems[:MAX_LISTED]:
        lines.append(f"  skipped {problem.source}: {problem.reason}")
    if result.renamed:
        shown = ", ".join(f"{r.wanted} → {r.got}" for r in result.renamed[:MAX_LISTED])
        more = f" and {len(result.renamed) - MAX_LISTED:,} more" if len(result.renamed) > 10 else ""
        lines.append(
            f"{len(result.renamed):,} names were taken, so those files got the next free "
            f"name: {shown}{more}"
        )
    if result.no_backup:
        lines.append(
            f"{len(result.no_backup):,} photos have no backup yet (ingest again to complete "
            f"it): {_some(result.no_backup)}"
        )
    return lines


def _some(items: list[str], empty: str = "") -> str:
    shown = ", ".join(i or empty for i in items[:MAX_LISTED])
    return shown + (f" … ({len(items):,} in all)" if len(items) > MAX_LISTED else "")


def result_json(result: IngestResult) -> dict[str, Any]:
    """The `--json` object (the import's counts are added by the command)."""
    return {
        "source": result.source,
        "found": result.photos,
        "companions": result.companions,
        "copied": result.copied,
        "verified": result.verified,
        "skipped": result.skipped,
        "failed": [
            {"path": f.source, "reason": f.reason, "destination": f.role and f.role.value}
            for f in result.failures
        ],
        "scan_problems": [{"path": p.source, "reason": p.reason} for p in result.problems],
        "left_on_card": result.left_on_card,
        "bytes": result.bytes_read,
        "elapsed_s": round(result.elapsed_s, 3),
        "destinations": [
            {
                "path": d.root,
                "role": d.role.value,
                "copied": d.copied,
                "companions": d.companions,
                "present": d.present,
                "folders": d.folders,
                "error": d.error or None,
                "to_free": d.to_free or None,
            }
            for d in result.destinations
        ],
        "renamed": [
            {"wanted": r.wanted, "got": r.got, "role": r.role.value} for r in result.renamed
        ],
        "no_backup": result.no_backup,
        "stopped": result.stopped or None,
        "cancelled": result.cancelled,
        "complete": result.complete,
    }


def planned_json(names: list[PlannedName]) -> list[dict[str, Any]]:
    return [{"source": n.source, "target": n.target, "copy": n.copy} for n in names]
