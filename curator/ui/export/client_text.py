"""The sentences of the client-gallery windows (pure functions over plain
values; no Qt): the make's progress and summary, a served gallery's live
state ("7 of 30–40 hearted · 2 comments · not confirmed") and what an
imported selection did. Times are stored as naive UTC and shown local.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from curator.ui.export.text import photos

FAILURES_SHOWN = 3  # the rest are counted: a summary stays a few lines


def progress_text(done: int, total: int) -> str:
    """The line under the make's progress bar."""
    if total == 0:
        return "Every copy is up to date: writing the page…"
    return f"{done} of {photos(total)}"


def local_time(when: datetime) -> str:
    """A stored (naive UTC) time as the photographer reads it: "29 Nov 14:02"."""
    return when.replace(tzinfo=UTC).astimezone().strftime("%d %b %H:%M")


def limits_text(minimum: int, maximum: int | None) -> str:
    """How many hearts the gallery asks for: "30–40", "at most 40", "at least 30"."""
    if maximum is not None:
        return f"{minimum}–{maximum}" if minimum else f"at most {maximum}"
    return f"at least {minimum}" if minimum else ""


def hearts_text(hearted: int, minimum: int, maximum: int | None) -> str:
    limits = limits_text(minimum, maximum)
    return f"{hearted} of {limits} hearted" if limits else f"{hearted} hearted"


def comments_text(count: int) -> str:
    if count == 0:
        return "no comments"
    return "1 comment" if count == 1 else f"{count} comments"


def confirmed_text(confirmed_at: datetime | None) -> str:
    return "not confirmed" if confirmed_at is None else f"confirmed {local_time(confirmed_at)}"


def picks_text(
    hearted: int,
    comments: int,
    minimum: int,
    maximum: int | None,
    confirmed_at: datetime | None,
    *,
    closed: bool = False,
) -> str:
    """A served gallery's live state, one line."""
    parts = [
        hearts_text(hearted, minimum, maximum),
        comments_text(comments),
        confirmed_text(confirmed_at),
    ]
    if closed:
        parts.append("closed to the client")
    return " · ".join(parts)


def imported_text(
    hearted: int, photo_count: int, comments: int, confirmed_at: datetime | None
) -> str:
    """What an imported selection did, one sentence."""
    when = "not confirmed yet" if confirmed_at is None else confirmed_text(confirmed_at)
    return (
        f"Imported the client's selection: {hearted} of {photo_count} hearted, "
        f"{comments_text(comments)}, {when}."
    )


def summary_text(
    name: str,
    folder: str,
    *,
    new: bool,
    rendered: int,
    unchanged: int,
    removed: int,
    failed: Sequence[tuple[str, str]],
    cancelled: bool,
) -> str:
    """What a make did: rendered, unchanged, left and failed, with sentences."""
    held = rendered + unchanged
    if cancelled:
        text = (
            f"Cancelled: '{name}' holds the {photos(held)} copied so far; make it again to finish."
        )
    else:
        verb = "Made" if new else "Updated"
        text = (
            f"{verb} the client gallery '{name}' in {folder}: {photos(held)} "
            f"({rendered} rendered, {unchanged} unchanged)."
        )
    if removed:
        text += f" {photos(removed).capitalize()} left the gallery."
    if failed:
        shown = "; ".join(f"{file}: {why.rstrip('.')}" for file, why in failed[:FAILURES_SHOWN])
        more = len(failed) - FAILURES_SHOWN
        extra = f"; and {more} more" if more > 0 else ""
        count = photos(len(failed))
        text += f" {count.capitalize()} could not be copied and stay out of it: {shown}{extra}."
    return text
