"""`DecisionAction`: every decision a key, a menu or a click can ask the review
session for, as one typed enum (no Qt). The values are the action names the
key table and `key_overrides` use ("pick", "rate_3", "label_red");
`advances` says which move to the next photo.
"""

from __future__ import annotations

from enum import StrEnum

from curator.records import ColorLabel


class DecisionAction(StrEnum):
    # The keys (keymap.LOUPE_BINDINGS): their meaning depends on the pass.
    PICK = "pick"  # P: keep (cull pass) / pick on-off (rating pass)
    REJECT = "reject"  # X or R
    CLEAR = "clear"  # U: clear keep/reject (cull) / pick/reject (rating)
    RATE_0 = "rate_0"  # 0: clear the rating
    RATE_1 = "rate_1"
    RATE_2 = "rate_2"
    RATE_3 = "rate_3"
    RATE_4 = "rate_4"
    RATE_5 = "rate_5"
    LABEL_RED = "label_red"  # 6–9 toggle a label; purple and none from the menu
    LABEL_YELLOW = "label_yellow"
    LABEL_GREEN = "label_green"
    LABEL_BLUE = "label_blue"
    LABEL_PURPLE = "label_purple"
    LABEL_NONE = "label_none"
    ROTATE_LEFT = "rotate_left"  # Ctrl+[ / Ctrl+] (Lightroom's): 90 deg, non-destructive
    ROTATE_RIGHT = "rotate_right"
    # A: the proposal (cull for me) becomes the decision, whatever the pass.
    ACCEPT_PROPOSAL = "accept_proposal"
    # A click on the decision strip: a fixed state, whatever the pass.
    KEEP = "keep"
    UNREVIEWED = "unreviewed"
    PICK_ON = "pick_on"
    UNPICK = "unpick"

    @classmethod
    def rate(cls, stars: int) -> DecisionAction:
        """The action that sets `stars` (0 clears the rating)."""
        return cls(f"rate_{stars}")

    @classmethod
    def label(cls, label: ColorLabel | None) -> DecisionAction:
        """The action that toggles `label` on (None: clears the label)."""
        return cls(f"label_{'none' if label is None else label.value}")

    @classmethod
    def named(cls, name: str) -> DecisionAction | None:
        """The action with this key-table name, or None for another kind of action."""
        try:
            return cls(name)
        except ValueError:
            return None

    @property
    def stars(self) -> int | None:
        """The rating a rate action sets (0: cleared); None for the others."""
        return int(self.value.removeprefix("rate_")) if self.value.startswith("rate_") else None

    @property
    def is_label(self) -> bool:
        return self.value.startswith("label_")

    @property
    def color(self) -> ColorLabel | None:
        """The label a label action sets (None for label_none and non-label actions)."""
        return ColorLabel.parse(self.value.removeprefix("label_")) if self.is_label else None

    @property
    def quarter_turns(self) -> int:
        """The clockwise quarter-turns a rotate action adds (-1 left); 0 for the others."""
        return {"rotate_left": -1, "rotate_right": 1}.get(self.value, 0)

    def advances(self, cull_pass: bool) -> bool:
        """Whether the loupe moves on after it: a reject and A always, P in the cull pass."""
        if self in (DecisionAction.REJECT, DecisionAction.ACCEPT_PROPOSAL):
            return True
        return self is DecisionAction.PICK and cull_pass
