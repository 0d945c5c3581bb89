"""The loupe's keyboard: one table drives both the shortcuts and the help overlay.

Lightroom conventions (docs/product.md, Keyboard). Each binding names an action:
a `DecisionAction` (the review session decides it) or a plain name that
`curator.ui.loupe.page` or the window maps to a call. Remapping (Settings
`key_overrides`, `{action: key}`) replaces every default key of its action with
the one given; `keys_for` is the one place that answers an action's keys now,
asked by the shortcuts (`ui.window.tools.apply_key_overrides`) and the help
overlay alike; `override_conflict` refuses a key another action has. Keys are
QKeySequence portable text ("Ctrl+K"); no Qt here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from curator.records import ColorLabel
from curator.ui.review.actions import DecisionAction


@dataclass(frozen=True)
class KeyBinding:
    action: str  # a DecisionAction, or another action's name ("zoom", "next"…)
    keys: tuple[str, ...]  # QKeySequence portable text, first one shown in help
    cull: str  # what it does in the cull pass
    rating: str  # what it does in the rating pass


# Keys 6–9 (Lightroom's): the color label each toggles (purple from the menu).
LABEL_KEYS: dict[int, ColorLabel] = {
    6: ColorLabel.RED,
    7: ColorLabel.YELLOW,
    8: ColorLabel.GREEN,
    9: ColorLabel.BLUE,
}

LOUPE_BINDINGS: tuple[KeyBinding, ...] = (
    KeyBinding(DecisionAction.PICK, ("P",), "keep, next photo", "pick on/off"),
    KeyBinding(DecisionAction.REJECT, ("X", "R"), "reject, next photo", "reject, next photo"),
    KeyBinding(DecisionAction.CLEAR, ("U",), "clear keep/reject", "clear pick/reject"),
    *(
        KeyBinding(
            DecisionAction.rate(n), (str(n),), f"{n} star{'s' if n > 1 else ''}, stay", "same"
        )
        for n in range(1, 6)
    ),
    KeyBinding(DecisionAction.RATE_0, ("0",), "clear the rating", "same"),
    *(
        KeyBinding(DecisionAction.label(color), (str(key),), f"{color} label on/off", "same")
        for key, color in LABEL_KEYS.items()
    ),
    KeyBinding(DecisionAction.ROTATE_LEFT, ("Ctrl+[",), "rotate 90° left (never the file)", "same"),
    KeyBinding(DecisionAction.ROTATE_RIGHT, ("Ctrl+]",), "rotate 90° right", "same"),
    KeyBinding(
        DecisionAction.ACCEPT_PROPOSAL,
        ("A",),
        "accept Curator's proposal (keep or reject), next photo",
        "same",
    ),
    KeyBinding("next", ("Right", "Space"), "next photo", "same"),
    KeyBinding("previous", ("Left",), "previous photo", "same"),
    KeyBinding("zoom", ("Z",), "fit ↔ 100 % at the pointer; drag to pan", "same"),
    KeyBinding(
        "zoom_in", ("=", "+"), "zoom in a step: fit → fill → 50 → 100 → 200 % (Ctrl+wheel)", "same"
    ),
    KeyBinding("zoom_out", ("-",), "zoom out a step", "same"),
    KeyBinding("first", ("Home",), "first photo (the wheel steps through them)", "same"),
    KeyBinding("last", ("End",), "last photo", "same"),
    KeyBinding(
        "follow_newest",
        ("W",),
        "follow newest (on/off): go to each photo that arrives (a watched folder),"
        " unless you are deciding",
        "same",
    ),
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
    KeyBinding("faces", ("O",), "face boxes: each face's eyes and sharpness (on/off)", "same"),
    KeyBinding(
        "next_face",
        ("Shift+Z",),
        "100 % on the next face, key faces first (compare/survey: every photo)",
        "same",
    ),
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

# The decision keys: in the gallery they act on every selected photo at once
# (one undo step), with the meaning of the pass the toolbar shows.
DECISION_ACTIONS: frozenset[DecisionAction] = frozenset(
    action for b in LOUPE_BINDINGS if (action := DecisionAction.named(b.action)) is not None
)

# Printed under the table by the help overlay.
HELP_NOTES: tuple[str, ...] = (
    "In the gallery, P, X, U, 0–5, 6–9, A and Ctrl+[ / Ctrl+] act on every selected photo"
    " (one undo step);"
    " purple and no label are in Edit ▸ Color Label.",
    "In compare, the decision keys (P, X, U, 0–5) act on the right-hand photo, the candidate;"
    " the left one is the reference. Z zooms both at the same point; dragging one pans both.",
    "Survey (N in the grid, 2–9 selected): the keys act on the framed photo; ← / → / ↑ / ↓"
    " or a click move the frame; Z zooms every photo at the same point (their originals),"
    " dragging one pans all; a rejected photo leaves the survey; Esc returns.",
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
    KeyBinding(
        "uncertain_first",
        ("Shift+U",),
        "rating pass, most uncertain first (on/off)",
        "most uncertain first: unrated photos the taste model is least sure of (on/off)",
    ),
    KeyBinding(
        "least_sure_first",
        ("Shift+A",),
        "cull pass: the proposals Curator is least sure of first (on/off)",
        "same",
    ),
    KeyBinding(
        "tags",
        ("Shift+T",),
        "tag cloud of the photos shown: click filters, Ctrl+click adds, Alt+click leaves out",
        "same",
    ),
    KeyBinding(
        "people",
        ("Shift+O",),
        "people: a face per person; click shows their photos; name, merge, take a face out",
        "same",
    ),
    KeyBinding(
        "duplicates",
        ("Shift+D",),
        "near-duplicates: the same picture stored twice, a group at a time, side by side",
        "same",
    ),
    KeyBinding("thumbs_larger", ("Ctrl+=", "Ctrl++"), "larger thumbnails (gallery)", "same"),
    KeyBinding("thumbs_smaller", ("Ctrl+-",), "smaller thumbnails (gallery)", "same"),
)


def all_bindings() -> tuple[KeyBinding, ...]:
    return (*LOUPE_BINDINGS, *WINDOW_BINDINGS)


def binding_for(action: str) -> KeyBinding | None:
    return next((b for b in all_bindings() if b.action == action), None)


def keys_for(binding: KeyBinding, overrides: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The keys `binding`'s action has now: its override's one key, else the table's."""
    key = (overrides or {}).get(binding.action)
    return (key,) if key else binding.keys


def override_conflict(overrides: Mapping[str, str], action: str, key: str) -> str | None:
    """Why `action` cannot take `key` (with `overrides` in force), or None when it can.

    A key belongs to one action at a time, across the loupe and the window
    (a loupe key that is also a window key would be ambiguous in the loupe).
    """
    binding = binding_for(action)
    if binding is None:
        return f"There is no action named {action!r}."
    if not key:
        return "Press a key (with Ctrl, Alt or Shift if you like) to assign it."
    for other in all_bindings():
        if other.action != action and key.lower() in (
            k.lower() for k in keys_for(other, overrides)
        ):
            return (
                f"{key} already does “{other.cull}”: choose another key, or give that"
                " action another key first."
            )
    return None


# Help rows that stand for several actions, so the table fits a 768-pixel-high
# screen: (actions, keys shown while none of them is remapped or None: their
# keys joined, what it does in either pass).
_FOLDS: tuple[tuple[tuple[str, ...], str | None, str], ...] = (
    (
        tuple(DecisionAction.rate(n) for n in range(1, 6)),
        "1 – 5",
        "1 to 5 stars, stay (a rating keeps)",
    ),
    (
        tuple(DecisionAction.label(c) for c in LABEL_KEYS.values()),
        "6 – 9",
        "red, yellow, green, blue label on/off",
    ),
    (
        ("next", "previous", "first", "last", "follow_newest"),
        None,
        "next / previous photo (the wheel too) · first / last · follow newest (on/off)",
    ),
    (
        ("zoom", "zoom_in", "zoom_out"),
        None,
        "fit ↔ 100 % at the pointer · a step in / out: fill, 50, 100, 200 % · drag pans",
    ),
    (("undo", "redo"), None, "undo / redo the last decision"),
    (("rotate_left", "rotate_right"), None, "rotate 90° left / right (never the file)"),
    (
        ("uncertain_first", "least_sure_first"),
        None,
        "least sure first (on/off): unrated photos by taste · proposals (cull pass)",
    ),
    (
        ("search", "tags", "people", "duplicates"),
        None,
        "search box (~words: by meaning; Esc clears) · tag cloud of the photos shown · people"
        " · near-duplicates, side by side",
    ),
    (("thumbs_larger", "thumbs_smaller"), None, "larger / smaller thumbnails (gallery)"),
    (
        ("histogram", "clipping", "peaking"),
        None,
        "histogram · clipping (blown red, crushed blue) · focus peaking",
    ),
    (("fullscreen", "panels"), None, "full screen (F, Esc leave) · hide the panels"),
    (
        ("compare", "pin_compare"),
        None,
        "compare with the next photo (C again leaves) · pin the left one",
    ),
    (
        ("faces", "next_face"),
        None,
        "face boxes: eyes and sharpness · 100 % on the next face (compare: both)",
    ),
)


def _shown(key: str) -> str:
    return "→" if key == "Right" else "←" if key == "Left" else key


def help_rows(overrides: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(keys, cull pass, rating pass) for every binding, as the overlay prints them.

    Keys of one group (the stars 1–5, the labels 6–9, the photo steps, zoom,
    undo/redo, rotations, overlays, compare, faces, …) share a row — unless one
    of them was remapped, then that group is printed key by key — so the table
    fits a 768-pixel-high screen.
    """
    overrides = overrides or {}
    skip: set[str] = set()
    folded: dict[str, tuple[str, str, str]] = {}
    for actions, label, text in _FOLDS:
        if label is not None and set(actions) & set(overrides):
            continue
        keys = label
        if keys is None:
            groups = []
            for action in actions:
                binding = binding_for(action)
                if binding is not None:
                    groups.append(" / ".join(_shown(k) for k in keys_for(binding, overrides)))
            keys = " / ".join(groups)
        folded[actions[0]] = (keys, text, "same")
        skip.update(actions[1:])
    rows = []
    for b in all_bindings():
        if b.action in skip:
            continue
        if b.action in folded:
            rows.append(folded[b.action])
            continue
        keys = " / ".join(_shown(k) for k in keys_for(b, overrides))
        rows.append((keys, b.cull, b.rating))
    return rows


def keys_markdown() -> str:
    """The docs site's keys reference (docs/reference/keys.md), from this table:
    every binding with its default keys, then the help overlay's notes."""

    def table(bindings: tuple[KeyBinding, ...]) -> list[str]:
        rows = ["| keys | cull pass | rating pass |", "|---|---|---|"]
        for b in bindings:
            keys = " or ".join(f"<kbd>{_shown(k)}</kbd>" for k in b.keys)
            rows.append(
                "| " + " | ".join(c.replace("|", "\\|") for c in (keys, b.cull, b.rating)) + " |"
            )
        return rows

    return "\n".join(
        [
            "## In the loupe",
            "",
            *table(LOUPE_BINDINGS),
            "",
            "## In the window",
            "",
            *table(WINDOW_BINDINGS),
            "",
            "## Notes",
            "",
            *(f"- {note}" for note in HELP_NOTES),
            "",
        ]
    )
