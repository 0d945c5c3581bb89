"""The proposal itself: a first cull of every undecided frame, from plain
records (`ProposalFrame`, in capture order). Pure: no catalog, no Qt, no file.

1. Each frame is checked (`checks.judge`, per the kind of shoot); one that
   passes every check is *acceptable*.
2. Frames are grouped into moments (a burst, split by who stands in front of
   the backdrop: `moments.moments`; a frame in no burst is its own moment). A
   moment holding a frame the photographer kept needs no other.
3. A moment's best frame: of its acceptable frames, those `looks.prefer_looks`
   keeps, then the burst's suggested best (ml.bursts.best_frame) when among
   them, else the highest `checks.value`; the others are its duplicates.
4. Without a target: every moment's best frame is kept, the rest rejected with
   their reasons. A moment with none acceptable still keeps its best frame
   (`FORCED_KEEP_CONFIDENCE`); a lone frame is rejected only for a failed check.
5. With a target of N: first each person not yet kept gets their best frame
   (`coverage.cover`), then the moments' best frames by value, then duplicates,
   up to N (`ProposalSummary.short` says when there were fewer). A frame that
   fails a check is never kept for a target.
6. Highlights: the best `HIGHLIGHT_SHARE` of the acceptable keeps by value.
7. Confidence 0..1: how far past the line, the value gap to the frame kept
   instead (`GAP_FOR_SURE`: sure), or a keep's smallest margin.

Cost: O(n log n); 1.0-1.5 s for 100,000 frames on two busy cores.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from curator.cull.checks import (
    BY_MEASURES,
    BY_TASTE,
    EXPRESSIONS,
    CullChecks,
    Judged,
    judge,
    rank_key,
    value,
)
from curator.cull.coverage import cover, no_keep
from curator.cull.looks import prefer_looks, ready_reason
from curator.cull.moments import moments
from curator.records import (
    CullState,
    FramePerson,
    Proposal,
    ProposalFrame,
    ProposalReason,
    ProposalVerdict,
)

HIGHLIGHT_SHARE = 0.15
GAP_FOR_SURE = 20.0  # value points between a frame and the one kept instead: sure
FORCED_KEEP_CONFIDENCE = 0.3

KEEP, REJECT = ProposalVerdict.KEEP, ProposalVerdict.REJECT


@dataclass(frozen=True)
class ProposalSummary:
    photos: int  # frames proposed (the undecided ones)
    keep: int
    reject: int
    highlights: int
    acceptable: int  # frames that passed every check
    target: int | None
    short: bool  # a target larger than the acceptable frames: fewer kept
    # The shoot's people with no keep (cull.coverage.no_keep), and how many
    # people with an acceptable frame a target was too small to cover.
    no_keep: tuple[FramePerson, ...] = ()
    beyond_target: int = 0
    failed: int = 0  # undecided photos left out: the technical stage failed on them
    ranked_by: str = ""  # what ranked the frames for a target (`checks.BY_TASTE`…); "": none


@dataclass(frozen=True)
class ProposalRun:
    proposals: tuple[Proposal, ...]
    summary: ProposalSummary


def _sure(gap: float) -> float:
    """A confidence from a value gap (0 points: a coin toss, `GAP_FOR_SURE`: sure)."""
    return 0.5 + 0.5 * min(1.0, max(0.0, gap) / GAP_FOR_SURE)


def _failed(judged: Judged) -> float:
    return 0.5 + 0.5 * min(1.0, -judged.margin)


def target_of(keep: int | None, keep_percent: float | None, undecided: int) -> int | None:
    """The number of keeps asked for: `keep`, or `keep_percent` of the undecided frames."""
    if keep is not None:
        return max(0, int(keep))
    if keep_percent is not None:
        return max(0, math.floor(undecided * keep_percent / 100.0 + 0.5))
    return None


def propose(
    frames: Sequence[ProposalFrame], checks: CullChecks, target: int | None = None
) -> ProposalRun:
    """A proposal for every undecided frame of `frames` (see the module docstring)."""
    judged = [judge(f, checks) for f in frames]
    expressions = checks.applies(EXPRESSIONS)
    values = [value(f) for f in frames]
    groups: list[list[int]] = []
    bursts: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(frames):
        if f.burst is None:
            groups.append([i])
        else:
            bursts[f.burst].append(i)
    for members in bursts.values():
        parts = moments([frames[i] for i in members], checks.faces_make_moments)
        groups.extend([members[j] for j in part] for part in parts)

    best_of: list[int] = []  # each acceptable moment's best frame (needing a keep)
    duplicates: list[tuple[int, int]] = []  # (frame, the frame it duplicates)
    forced: list[int] = []  # a several-frame moment with nothing acceptable: its best
    words: dict[int, str] = {}  # a moment's best: how its people look (`Proposal.why`)
    for group in groups:
        open_ = [i for i in group if frames[i].decided is None]
        if not open_:
            continue
        kept = [i for i in group if frames[i].decided is CullState.KEPT]
        good = [i for i in open_ if judged[i].acceptable]
        if kept:
            anchor = max(kept, key=lambda i: values[i])
            duplicates.extend((i, anchor) for i in good)
            continue
        if good:
            best = _best(good, frames, values, expressions)
            if len(group) > 1 and expressions:
                words[best] = ready_reason(frames[best].key_faces)
            best_of.append(best)
            duplicates.extend((i, best) for i in good if i != best)
        elif len(group) > 1:
            forced.append(_best(open_, frames, values, expressions))

    verdicts: dict[int, Proposal] = {}
    beyond = 0
    acceptable = len(best_of) + len(duplicates)
    if target is None:
        for i in best_of:
            verdicts[i] = _keep(frames[i], judged[i].margin, None, why=words.get(i, ""))
        for i in forced:
            verdicts[i] = Proposal(
                frames[i].photo_id, KEEP, judged[i].reasons, FORCED_KEEP_CONFIDENCE
            )
        for i, anchor in duplicates:
            gap = values[anchor] - values[i]
            verdicts[i] = _reject(frames[i], (ProposalReason.DUPLICATE,), _sure(gap))
    else:

        def rank(i: int) -> tuple[bool, float, int]:
            return rank_key(frames[i], values[i], i)

        ranked = sorted(best_of, key=rank) + sorted((i for i, _ in duplicates), key=rank)
        covering = cover(frames, ranked, target)
        beyond = covering.beyond
        first = set(covering.keeps)
        chosen = first | set([i for i in ranked if i not in first][: target - len(first)])
        keeps = [i for i in ranked if i in chosen]
        cut = [i for i in ranked if i not in chosen]
        first_cut = values[cut[0]] if cut else None
        last_keep = values[keeps[-1]] if keeps else None
        for i in keeps:
            verdicts[i] = _keep(frames[i], judged[i].margin, first_cut, values[i], words.get(i, ""))
        anchors = dict(duplicates)
        lead = set(best_of)
        for i in cut:
            if i in lead:
                why = (
                    ProposalReason.BELOW_TASTE
                    if frames[i].taste is not None
                    else ProposalReason.BELOW_TARGET
                )
                gap = (last_keep - values[i]) if last_keep is not None else GAP_FOR_SURE
            else:
                why = ProposalReason.DUPLICATE
                gap = values[anchors[i]] - values[i]
            verdicts[i] = _reject(frames[i], (why,), _sure(gap))
    for i, f in enumerate(frames):
        if f.decided is None and i not in verdicts:
            verdicts[i] = _reject(f, judged[i].reasons, _failed(judged[i]))

    good_keeps = [i for i, p in verdicts.items() if p.verdict is KEEP and judged[i].acceptable]
    n_high = max(1, round(HIGHLIGHT_SHARE * len(good_keeps))) if good_keeps else 0
    for i in sorted(good_keeps, key=lambda i: (-values[i], i))[:n_high]:
        p = verdicts[i]
        verdicts[i] = Proposal(p.photo_id, p.verdict, p.reasons, p.confidence, True, p.why)

    proposals = tuple(verdicts[i] for i in sorted(verdicts))
    n_keep = sum(1 for p in proposals if p.verdict is KEEP)
    summary = ProposalSummary(
        photos=len(proposals),
        keep=n_keep,
        reject=len(proposals) - n_keep,
        highlights=n_high,
        acceptable=acceptable,
        target=target,
        short=target is not None and acceptable < target,
        no_keep=no_keep(frames, [i for i, p in verdicts.items() if p.verdict is KEEP]),
        beyond_target=beyond,
        ranked_by=(BY_TASTE if any(f.taste is not None for f in frames) else BY_MEASURES)
        if target is not None
        else "",
    )
    return ProposalRun(proposals, summary)


def _best(
    candidates: list[int], frames: Sequence[ProposalFrame], values: list[float], expressions: bool
) -> int:
    """The moment's best (rule 3): of the frames the people rule keeps, the
    burst's suggested best, else the highest value (the first in capture order
    on a tie)."""
    if len(candidates) > 1:  # a moment of one frame has nothing to choose between
        candidates = prefer_looks(candidates, frames, expressions)
    for i in candidates:
        if frames[i].burst_best:
            return i
    return max(candidates, key=lambda i: (values[i], -i))


def _keep(
    frame: ProposalFrame,
    margin: float,
    first_cut: float | None,
    mine: float | None = None,
    why: str = "",
) -> Proposal:
    confidence = 0.5 + 0.5 * max(0.0, min(1.0, margin))
    if first_cut is not None and mine is not None:
        confidence = min(confidence, _sure(mine - first_cut))
    return Proposal(frame.photo_id, KEEP, (), round(confidence, 3), why=why)


def _reject(
    frame: ProposalFrame, reasons: tuple[ProposalReason, ...], confidence: float
) -> Proposal:
    return Proposal(frame.photo_id, REJECT, reasons, round(confidence, 3))
