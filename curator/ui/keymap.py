"""The loupe's keyboard: one table drives both the shortcuts and the help overlay.

Lightroom conventions (DESIGN.md, Keyboard). Each binding names an action;
`curator.ui.loupe_page` maps action names to ReviewSession calls, and the
help overlay prints this same table, so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyBinding:
    action: str
    keys: tuple[str, ...]  # QKeySequence portable text, first one shown in help
    cull: str  # what it does in the cull pass
    rating: str  # what it does in the rating pass


LOUPE_BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding("pick", ("P",), "keep, next photo", "pick on/off"),
    KeyBinding("reject", ("X", "R"), "reject, next photo", "reject, next photo"),
    KeyBinding("clear", ("U",), "clear keep/reject", "clear pick/reject"),
    *(
        KeyBinding(f"rate_{n}", (str(n),), f"{n} star{'s' if n > 1 else ''}, stay", "same")
        for n in range(1, 6)
    ),
    KeyBinding("rate_0", ("0",), "clear the rating", "same"),
    *(
        KeyBinding(f"label_{color}", (str(key),), f"{color} label on/off", "same")
        for key, color in ((6, "red"), (7, "yellow"), (8, "green"), (9, "blue"))
    ),
    KeyBinding("next", ("Right", "Space"), "next photo", "same"),
    KeyBinding("previous", ("Left",), "previous photo", "same"),
    KeyBinding("zoom", ("Z",), "fit ↔ 100 % at the pointer; drag to pan", "same"),
    KeyBinding("compare", ("C",), "compare with the next photo; C again leaves", "same"),
    KeyBinding("pin_compare", ("Shift+C",), "pin the left photo: → / ← move the right", "same"),
    KeyBinding(
        "add_to_project",
        ("B",),
        "add to / remove from the current project (none chosen yet: choose one)",
        "same",
    ),
    KeyBinding(
        "choose_project",
        ("Shift+B",),
        "choose the current project (type to filter, or create one), add the photo",
        "same",
    ),
    KeyBinding(
        "more_like_this",
        ("M",),
        "more like this (gallery; duplicates, burst frames first)",
        "same",
    ),
    KeyBinding("histogram", ("H",), "histogram over the photo (luma + RGB, clipped %)", "same"),
    KeyBinding("clipping", ("J",), "clipping: blown highlights red, crushed shadows blue", "same"),
    KeyBinding("peaking", ("Shift+P",), "focus peaking: sharp edges tinted green", "same"),
    KeyBinding("info", ("I",), "info overlay: off → file → capture data → scores", "same"),
    KeyBinding("fullscreen", ("F",), "full-screen loupe (panels hidden); F / Esc leaves", "same"),
    KeyBinding("panels", ("Shift+Tab",), "hide / show the side panel and filmstrip", "same"),
    KeyBinding(
        "leave",
        ("Esc",),
        "leave compare or survey, back to fit, or leave full screen",
        "same",
    ),
    KeyBinding("switch_pass", ("Tab",), "go to the rating pass", "go to the cull pass"),
)

# Printed under the table by the help overlay.
# The decision keys: in the gallery they act on every selected photo at once
# (one undo step), with the meaning of the pass the toolbar shows.
DECISION_ACTIONS: frozenset[str] = frozenset(
    b.action
    for b in LOUPE_BINDINGS
    if b.action in ("pick", "reject", "clear") or b.action.startswith(("rate_", "label_"))
)

HELP_NOTES: tuple[str, ...] = (
    "In the gallery, P, X, U, 0–5 and 6–9 act on every selected photo (one undo step);"
    " purple and no label are in Edit ▸ Color Label.",
    "In compare, the decision keys (P, X, U, 0–5) act on the right-hand photo, the candidate;"
    " the left one is the reference. Z zooms both at the same point; dragging one pans both.",
    "Survey (N in the grid, 2–9 selected): the keys act on the framed photo; ← / → / ↑ / ↓"
    " or a click move the frame; a rejected photo leaves the survey; Esc returns.",
    "Shortcuts never fire while a text field (the tag field, the search box) has the focus:"
    " Esc leaves it (in the search box, Esc also clears the search).",
)

WINDOW_BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding("grid", ("G",), "gallery grid", "same"),
    KeyBinding("loupe", ("E",), "loupe (one photo, full window)", "same"),
    KeyBinding("survey", ("N",), "survey the 2–9 photos selected in the grid", "same"),
    KeyBinding("undo", ("Ctrl+Z",), "undo the last decision", "same"),
    KeyBinding("redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo", "same"),
    KeyBinding("help", ("?", "F1"), "this help (any key closes it)", "same"),
    KeyBinding("export", ("Ctrl+Shift+E",), "export approved photos or a project…", "same"),
    KeyBinding(
        "search",
        ("Ctrl+F", "/"),
        "search box (~words: by meaning); Esc clears",
        "same",
    ),
)


def help_rows() -> list[tuple[str, str, str]]:
    """(keys, cull pass, rating pass) for every binding, as the overlay prints them.

    The star keys 1–5 and the label keys 6–9 are one row each, and so are the
    overlays (H, J, Shift+P) and the chrome keys (F, Shift+Tab), so the table
    fits a 768-pixel-high screen."""
    rows = []
    for b in (*LOUPE_BINDINGS, *WINDOW_BINDINGS):
        if b.action in ("clipping", "peaking", "panels"):
            continue
        if b.action == "histogram":
            rows.append(
                (
                    "H / J / Shift+P",
                    "histogram · clipping (blown red, crushed blue) · focus peaking",
                    "same",
                )
            )
            continue
        if b.action == "fullscreen":
            rows.append(("F / Shift+Tab", "full screen (F, Esc leave) · hide the panels", "same"))
            continue
        if b.action in ("rate_2", "rate_3", "rate_4", "rate_5"):
            continue
        if b.action.startswith("label_") and b.action != "label_red":
            continue
        if b.action == "rate_1":
            rows.append(("1 – 5", "1 to 5 stars, stay (a rating keeps)", "same"))
            continue
        if b.action == "label_red":
            rows.append(("6 – 9", "red, yellow, green, blue label on/off", "same"))
            continue
        keys = " / ".join("→" if k == "Right" else "←" if k == "Left" else k for k in b.keys)
        rows.append((keys, b.cull, b.rating))
    return rows
