"""`ReviewSession`: the loupe's state — which pass, which photos, where — and
the decisions it records. No widgets: the loupe page drives it by keys.

Invariants:
- every decision goes through `curator.catalog.decisions` (which commits)
  *before* the cursor moves;
- the pass's order is a snapshot taken when it starts: a decided photo stays
  (← goes back to it); a live import's photos of the pass are appended;
- a *scope* (`set_scope`: the gallery's set, in its order) replaces the
  pass's order; the pass still decides what P and U mean;
- a decision is a `DecisionAction`; `decide_many` gives a selection one
  decision as ONE undo step; accepting proposals (A) is one too, and its undo
  puts the proposals back;
- undo and redo take the newest step of decisions and people edits alike and
  name it (`history_text`); with a `StepQueue` they run on its worker, and a
  decision key while one is pending is refused with its sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from curator.catalog.proposals.packed import PackedProposals
from curator.catalog.types import CullState
from curator.records import ColorLabel, Proposal
from curator.ui.review.actions import DecisionAction
from curator.ui.review.decision_text import accepted_text, history_text, no_proposal_text
from curator.ui.review.step_queue import AcceptedProposals, StepOutcome, StepQueue

if TYPE_CHECKING:  # the catalog is imported after the first paint (issue 21 §1)
    from curator.catalog.decisions import DecisionRecord

UNDOING, REDOING = "Undoing the last step", "Redoing the last undone step"


@dataclass(frozen=True)
class HistoryDone:
    """What an undo or redo step hands the main thread."""

    sentence: str  # "Undone: reject of IMG_0412.jpg.", "Nothing to undo."
    photo_ids: tuple[int, ...]  # the photos it changed, sorted
    first: int = -1  # the first record's photo (the loupe goes there for one photo)
    tags: bool = False  # it changed tags: the tag lists follow
    people: bool = False  # it reversed a people edit (a name, a merge): the People view follows


class ReviewPass(StrEnum):
    CULL = "cull"
    RATING = "rating"

    @property
    def label(self) -> str:
        return "Cull pass" if self is ReviewPass.CULL else "Rating pass"


class ReviewSession(QObject):
    current_changed = Signal(int)  # photo id, or -1 when the pass is empty
    # ids whose decision state changed (one list shared by every receiver: never
    # change it); `object`, not `list`, so no receiver gets a QVariantList copy.
    photos_changed = Signal(object)
    pass_changed = Signal(str)
    order_grew = Signal()  # a live import added photos to the pass (its count changed)
    notice = Signal(str)  # a short sentence for the status bar
    tags_stepped = Signal()  # an undo or redo (done) changed tags: the tag lists follow
    people_stepped = Signal()  # an undo or redo (done) reversed a people edit

    def __init__(
        self,
        order: Callable[[str], list[int]],
        on_decision: Callable[[], None],
        parent: QObject | None = None,
        *,
        members: Callable[[str, Sequence[int]], Collection[int]] | None = None,
        followers: Callable[[Sequence[int]], Mapping[int, Sequence[int]]] | None = None,
        steps: StepQueue | None = None,
    ):
        """`members(pass_, ids)`: those of `ids` the pass holds (default: from the
        whole order); `followers(ids)`: each RAW+JPEG lead -> its JPEGs (default:
        none); `steps`: where undo and redo run (None: in the call)."""
        super().__init__(parent)
        self._order_fn, self._on_decision = order, on_decision
        self._members = members or (lambda pass_, ids: set(order(pass_)).intersection(ids))
        self._followers = followers or (lambda ids: {})
        self.pass_ = ReviewPass.CULL
        self.order: list[int] = []
        self.index = 0
        self.started = False  # a pass has been started (`start`)
        self.scope: list[int] | None = None  # search results the loupe walks, or None
        self.scope_label = ""  # e.g. "“harbour”", for the position text ("": the pass's)
        # Tab with a scope: the other pass's gallery ids (None: the pass's own order).
        self.pass_scope: Callable[[ReviewPass], Sequence[int] | None] | None = None
        self.advance_after_rating = False  # Settings.advance_after_rating: 1–5 move on too
        # A read-only seat: what a decision key says instead of writing (None: decides).
        self.read_only: str | None = None
        self.steps = steps
        # The proposals each accept ended, for undo and redo (the queue's, in its order).
        self.accepts = steps.accepts if steps is not None else AcceptedProposals()

    @property
    def current(self) -> int | None:
        return self.order[self.index] if 0 <= self.index < len(self.order) else None

    @property
    def position_text(self) -> str:
        label = self.pass_.label
        if self.scope is not None and self.scope_label:
            label = f"{self.scope_label} ({self.pass_.label.lower()})"
        if not self.order:
            return f"{label}: nothing to review"
        return f"{label}: {self.index + 1} / {len(self.order)}"

    def set_scope(self, ids: Sequence[int] | None, label: str = "") -> None:
        """Walk `ids` instead of the pass's order from the next `start` (None: the pass's)."""
        self.scope = None if ids is None else list(ids)
        self.scope_label = label if ids is not None else ""

    # --- navigation ---------------------------------------------------------

    def start(
        self, pass_: ReviewPass | str, at_photo: int | None = None, *, look_elsewhere: bool = True
    ) -> None:
        """Start (or restart) a pass, at `at_photo` if given. A photo outside the
        pass is looked for in the other pass (unless not `look_elsewhere`), else
        shown at the front of this one. With a scope the order is the scope's."""
        self.pass_ = ReviewPass(pass_)
        self.started = True
        if self.scope is not None:
            self.order = list(self.scope)
            if at_photo is not None and at_photo not in self.order:
                self.order.insert(0, at_photo)
        else:
            self.order = self._order_fn(self.pass_.value)
        if at_photo is not None and at_photo not in self.order:
            other = ReviewPass.RATING if self.pass_ is ReviewPass.CULL else ReviewPass.CULL
            other_order = self._order_fn(other.value) if look_elsewhere else []
            if at_photo in other_order:
                self.pass_, self.order = other, other_order
            else:
                self.order.insert(0, at_photo)
        self.index = self.order.index(at_photo) if at_photo in self.order else 0
        self.pass_changed.emit(self.pass_.value)
        self._emit_current()

    def switch_pass(self) -> None:
        other = ReviewPass.RATING if self.pass_ is ReviewPass.CULL else ReviewPass.CULL
        if self.scope is not None and self.pass_scope is not None:
            self.set_scope(self.pass_scope(other), self.scope_label)
        self.start(other)

    def append_to_scope(self, photo_ids: Iterable[int]) -> None:
        """Photos the gallery now shows (a live import): walked after the others."""
        if self.scope is None:
            return
        known = set(self.scope)
        fresh = [pid for pid in dict.fromkeys(photo_ids) if pid not in known]
        if not fresh:
            return
        self.scope.extend(fresh)
        self._grow(pid for pid in fresh if pid not in set(self.order))

    def move(self, delta: int) -> None:
        if not self.order:
            return
        target = self.index + delta
        if target >= len(self.order):
            self.notice.emit(f"End of the {self.pass_.label.lower()}.")
            target = len(self.order) - 1
        self.index = max(0, target)
        self._emit_current()

    def go_to(self, photo_id: int) -> bool:
        if photo_id not in self.order:
            return False
        self.index = self.order.index(photo_id)
        self._emit_current()
        return True

    def extend(self, photo_ids: Iterable[int]) -> None:
        """Append newly imported photos that belong to this pass (live import)."""
        if self.scope is not None:
            return  # search results are a fixed list
        known = set(self.order)
        fresh = [pid for pid in photo_ids if pid not in known]
        if not fresh:
            return
        wanted = set(self._members(self.pass_.value, fresh))
        added = [pid for pid in fresh if pid in wanted]
        if added and self.order:
            added = self._lead_in_place(added)
        self._grow(added)

    def _lead_in_place(self, added: list[int]) -> list[int]:
        """A RAW that lands after its JPEG takes the JPEG's place in the order (the
        pair is one photo). Returns the ids still to append."""
        leads = {lead: fs for lead, fs in self._followers(added).items() if fs}
        if not leads:
            return added
        was, placed = self.current, set()
        for lead, fs in leads.items():
            spots = [i for i, pid in enumerate(self.order) if pid in set(fs)]
            if not spots:
                continue
            self.order[spots[0]] = lead
            for i in reversed(spots[1:]):
                del self.order[i]
            placed.add(lead)
        if not placed:
            return added
        now = next((lead for lead in placed if was in leads[lead]), was)
        self.index = self.order.index(now) if now in self.order else 0
        if now != was:  # the loupe was on the JPEG: it shows the pair's lead now
            self._emit_current()
        self.order_grew.emit()  # the count changed, or its photos did
        return [pid for pid in added if pid not in placed]

    def _grow(self, photo_ids: Iterable[int]) -> None:
        """Append to the order: an empty pass's first photo becomes current, else `order_grew`."""
        was = len(self.order)
        self.order.extend(photo_ids)
        if was == 0 and self.order:
            self._emit_current()
        elif len(self.order) > was:
            self.order_grew.emit()

    # --- decisions ----------------------------------------------------------

    def act(self, action: DecisionAction) -> None:
        """A decision key on the loupe's photo: `decide_many` for it alone, then the
        next photo when the action advances (or 1–5 with `advance_after_rating`)."""
        pid = self.current
        if pid is None or self._step_pending():
            return
        records = self.decide_many(action, [pid])
        if action is DecisionAction.ACCEPT_PROPOSAL and not records:
            return  # no proposal (said so), or a seat that may only read: it stays
        rated = self.advance_after_rating and bool(action.stars)  # 1–5; 0 clears and stays
        if action.advances(self.pass_ is ReviewPass.CULL) or rated:
            self.move(1)

    def pick(self) -> None:
        """P: keep and advance (cull pass), or toggle the pick (rating pass)."""
        self.act(DecisionAction.PICK)

    def reject(self) -> None:
        self.act(DecisionAction.REJECT)

    def clear(self) -> None:
        """U: clear keep/reject (cull pass) or pick/reject (rating pass)."""
        self.act(DecisionAction.CLEAR)

    def rate(self, stars: int) -> None:
        """1–5 rate, 0 clears; the cursor stays unless `advance_after_rating`."""
        self.act(DecisionAction.rate(stars))

    def label(self, label: ColorLabel | None) -> None:
        """6–9 (and the menu's purple): toggle the current photo's color label."""
        self.act(DecisionAction.label(label))

    def decide_many(self, action: DecisionAction, photo_ids: Sequence[int]) -> list[DecisionRecord]:
        """One decision for every photo of `photo_ids`, as ONE undo step; the
        cursor does not move. In the rating pass P picks all unless all are
        picked (then unpicks); a label key on photos that all have it clears it."""
        from curator.catalog import decisions  # the catalog: after the first paint

        ids = list(dict.fromkeys(photo_ids))
        if not ids or self._refused() or self._step_pending():
            return []
        if action is DecisionAction.ACCEPT_PROPOSAL:
            return self._accept_proposals(ids)
        decide = self._decider(DecisionAction(action), ids)
        records = decisions.one_step(ids, decide)
        self._decided(records)
        return records

    def _accept_proposals(self, ids: list[int]) -> list[DecisionRecord]:
        """A: each photo's proposal (this seat's photographer's) becomes its
        decision, as ONE undo step; the proposals it ended are kept for undo."""
        from curator.catalog import decisions  # the catalog: after the first paint
        from curator.catalog.backends.seat import current_seat
        from curator.catalog.proposals.store import accept_photo, proposals_for

        proposed = proposals_for(current_seat().user, ids)
        if not proposed:
            self.notice.emit(no_proposal_text(len(ids)))
            return []

        def accept(pid: int) -> list[DecisionRecord]:
            return accept_photo(pid, proposed[pid].verdict) or []

        records = decisions.one_step([pid for pid in ids if pid in proposed], accept)
        self.notice.emit(accepted_text(records, len(ids)))
        if records:
            ended = {r.photo_id for r in records}
            self.accepts.pushed(
                PackedProposals.of(proposed[pid] for pid in proposed if pid in ended)
            )
        self._decided(records)
        return records

    def _restore_accepted(self, verb: str, records: Sequence[DecisionRecord]) -> None:
        """Undo and redo of an accept: the proposals come back with the undo and go
        again with the redo, when the step takes exactly the latest accept's photos
        back (or forth). Runs where the undo ran, right after it."""
        undo = verb == "Undone"
        top = self.accepts.top(undo)
        if not top:
            return
        step = top.verdicts()  # photo id -> "keep" / "reject"
        decided = {"keep": "kept", "reject": "rejected"}

        def reverses(r: DecisionRecord) -> bool:
            """An undo: the accepted state back to unreviewed; a redo: the other way."""
            was, now = (r.old_value, r.new_value) if undo else (r.new_value, r.old_value)
            verdict = step[r.photo_id]
            return r.kind == "cull" and now == "unreviewed" and was == decided[verdict]

        if {r.photo_id for r in records} != set(step) or not all(map(reverses, records)):
            return
        self.accepts.moved(undo)
        if undo:
            from curator.catalog.backends.seat import current_seat
            from curator.catalog.proposals.store import restore_proposals

            restore_proposals(current_seat().user, top)

    def _decider(
        self, action: DecisionAction, ids: list[int]
    ) -> Callable[[int], list[DecisionRecord]]:
        from curator.catalog import decisions  # the catalog: after the first paint

        pass_ = self.pass_.value
        cull_pass = self.pass_ is ReviewPass.CULL
        A = DecisionAction
        if action.stars is not None:
            stars = action.stars or None

            return lambda pid: decisions.set_rating(pid, stars, pass_=pass_)
        if action.quarter_turns:
            turns = action.quarter_turns
            return lambda pid: decisions.rotate(pid, turns, pass_=pass_)
        if action.is_label:
            wanted = action.color
            if wanted is not None and all(
                decisions.decision_state(pid).label is wanted for pid in ids
            ):
                wanted = None  # the key toggles: all had it, so it comes off
            return lambda pid: decisions.set_label(pid, wanted, pass_=pass_)
        fixed = {A.KEEP: CullState.KEPT, A.REJECT: CullState.REJECTED}
        fixed[A.UNREVIEWED] = CullState.UNREVIEWED
        if action in fixed:  # the clickable flags (decision_strip), and X
            state = fixed[action]
            return lambda pid: decisions.set_cull(pid, state, pass_=pass_)
        if action in (A.PICK_ON, A.UNPICK):
            on = action is A.PICK_ON
            return lambda pid: decisions.set_picked(pid, on, pass_=pass_)
        if action is A.PICK and cull_pass:
            return lambda pid: decisions.set_cull(pid, CullState.KEPT, pass_=pass_)
        if action is A.PICK:
            pick = not all(decisions.decision_state(pid).picked for pid in ids)
            return lambda pid: decisions.set_picked(pid, pick, pass_=pass_)
        if action is A.CLEAR and cull_pass:
            return lambda pid: decisions.set_cull(pid, CullState.UNREVIEWED, pass_=pass_)
        if action is A.CLEAR:

            def clear(pid: int) -> list[DecisionRecord]:
                state = decisions.decision_state(pid)
                if state.picked:
                    return decisions.set_picked(pid, False, pass_=pass_)
                if state.cull is CullState.REJECTED:
                    return decisions.set_cull(pid, CullState.KEPT, pass_=pass_)
                return []

            return clear
        raise ValueError(f"not a decision action: {action!r}")

    def decided_in_one_step(
        self, photo_ids: Sequence[int], accepted: Sequence[Proposal] | PackedProposals = ()
    ) -> None:
        """Decisions another part of the window wrote as ONE undo step (Accept the
        Rest): poke the retrain, emit `photos_changed`; `accepted`: the proposals
        that step ended, put back when it is undone."""
        ids = sorted(set(photo_ids))
        if accepted and self.steps is None:  # with a queue, the accept's job kept them
            self.accepts.pushed(PackedProposals.of(accepted))
        if ids:
            self._on_decision()
            self.photos_changed.emit(ids)

    def undo(self) -> None:
        """Ctrl+Z: the newest step back, on the queue's worker when there is one."""
        self._history(undo=True)

    def redo(self) -> None:
        self._history(undo=False)

    def _history(self, *, undo: bool) -> None:
        if self._refused():
            return
        verb = "Undone" if undo else "Redone"
        if self.steps is None:
            self._after_history(self._history_step(undo))
            return
        self.steps.submit(
            UNDOING if undo else REDOING,
            lambda: self._history_step(undo),
            lambda outcome: self._history_done(outcome, verb),
        )

    def _history_step(self, undo: bool) -> HistoryDone:
        """The write and what the window needs of it (the sentence, the photos,
        whether tags changed), on whichever thread runs the step."""
        from curator.catalog.queries import gallery_rows  # the catalog: after the first paint
        from curator.catalog.undo import history

        verb = "Undone" if undo else "Redone"
        records = history.undo_newest() if undo else history.redo_newest()
        if isinstance(records, history.PeopleStepped):  # a people edit, newer than any decision
            return HistoryDone(f"{verb}: {records.phrase}.", (), people=True)
        if not records:
            return HistoryDone("Nothing to undo." if undo else "Nothing to redo.", ())
        self._restore_accepted(verb, records)
        first = records[0].photo_id
        names = {pid: row.file_name for pid, row in gallery_rows([first]).items()}
        photo_ids = tuple(sorted({r.photo_id for r in records}))
        tags = any(r.kind == "tag" for r in records)
        return HistoryDone(history_text(verb, records, names), photo_ids, first, tags)

    def _history_done(self, outcome: StepOutcome, verb: str) -> None:
        if outcome.error is not None:
            what = "The undo" if verb == "Undone" else "The redo"
            self.notice.emit(f"{what} failed: {outcome.error}. Nothing was changed by it.")
            return
        self._after_history(outcome.value)

    def _refused(self) -> bool:
        """A seat that may only read: say so instead of deciding."""
        if self.read_only is None:
            return False
        self.notice.emit(self.read_only)
        return True

    def _step_pending(self) -> bool:
        """A step is pending: a decision now would land out of order, so it is refused."""
        if self.steps is None or self.steps.idle:
            return False
        self.notice.emit(self.steps.busy_text())
        return True

    def _after_history(self, done: HistoryDone) -> None:
        self.notice.emit(done.sentence)
        if done.people:
            self.people_stepped.emit()
        if not done.photo_ids:
            return
        self._on_decision()
        self.photos_changed.emit(list(done.photo_ids))
        if done.tags:
            self.tags_stepped.emit()
        if len(done.photo_ids) == 1 and done.first != self.current:
            self.go_to(done.first)

    def _decided(self, records: Sequence[DecisionRecord]) -> None:
        if not records:
            return
        self._on_decision()
        self.photos_changed.emit(sorted({r.photo_id for r in records}))

    def _emit_current(self) -> None:
        pid = self.current
        self.current_changed.emit(-1 if pid is None else pid)
