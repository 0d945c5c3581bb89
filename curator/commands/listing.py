"""`curator list [--json] [--order …]` and `curator status [--json]`: what the
catalog holds, read-only (they work on a read-only catalog too).

`list` prints a line per photo (status, capture time, camera as
`camera_names.camera_name` says it, scores, path; a failure's reason under
it), or with `--json` every field (`catalog.queries.list_photos`). A path not
valid UTF-8 keeps its bytes (JSON: surrogate escapes). `--order` walks the
review order (`pipeline.stages.score.review_order`); `--person NAME` keeps a
person's photos (`catalog.people.naming`; unknown: a sentence, exit 2).

Both count photos as the gallery does: a RAW+JPEG pair (`pair_raw_jpeg` on) is
one photo, listed as its RAW with the JPEG under `paired_with` (`files` counts
both; a failure is listed per file). `status` prints the photo count, each
stage's counts, the taste model and every failure (`catalog.problems.status_report`).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

from curator import figures
from curator.camera_names import camera_name
from curator.catalog.approval import model_trusted, quality_text
from curator.catalog.problems import status_report
from curator.catalog.queries import STAGES, list_photos
from curator.commands.base import (
    EXIT_OK,
    CommandContext,
    JsonField,
    UsageError,
    decision_words,
    fields_markdown,
    printable,
    shaped,
)
from curator.records import ColorLabel, CullState, FileFormat, MetricsSource

NAMES: tuple[str, ...] = ("list", "status")


def _words(values: Any) -> str:
    return ", ".join(f'"{v}"' for v in values)


F = JsonField
# `curator list --json`: one object per photo, these fields in this order (an
# optional one is absent where the table says so).
FIGURES_HERE = F("<figures>", "")  # where `list_fields` puts the stored figures

LIST_FIELDS: tuple[JsonField, ...] = (
    F("id", "the photo's number in the catalog"),
    F("path", "its file, as the system spells it; a RAW+JPEG photo's RAW. A name that is not "
      "valid UTF-8 keeps its bytes as `\\udcXX` escapes, and can be passed back as is"),
    F("missing", "true when every file of the photo is gone from disk (its decisions are kept)"),
    F("other_paths", "other files holding the same bytes (duplicate copies)"),
    F("paired_with", "the JPEG of a RAW+JPEG photo, listed once as its RAW (empty with the "
      "`pair_raw_jpeg` setting off: each file is a photo)"),
    F("content_hash", "BLAKE3 of the file's bytes: the photo's identity"),
    F("format", f"what the file's contents are: {_words(FileFormat)}"),
    F("size", "the file's size in bytes"),
    F("width", "width in pixels, as shown (its orientation applied)"),
    F("height", "height in pixels, as shown"),
    F("orientation", "the EXIF orientation, 1 to 8"),
    F("captured_at", "capture time from EXIF (ISO 8601, the camera's clock), or null"),
    F("camera_make", "the camera's maker, as the file wrote it"),
    F("camera_model", "the camera's model, as the file wrote it"),
    F("lens", "the lens, as the file wrote it"),
    F("iso", "ISO"),
    F("exposure_time", "shutter time in seconds"),
    F("f_number", "aperture (f-number)"),
    F("focal_length", "focal length in mm"),
    FIGURES_HERE,  # the stored figures, each as declared (curator.figures)
    F("drive_mode", 'what the camera says the shot was: "single", "continuous" or '
      '"bracket" (null where it does not say)'),
    F("sequence_index", "the frame's place in the camera's burst or bracket"),
    F("metrics_source", f"which pixels were measured: {_words(MetricsSource)} (a RAW's "
      "half-size render, its large embedded JPEG, or a small embedded preview)"),
    F("preview_key", "the preview's place in the cache folder"),
    F("thumbnail_key", "the thumbnail's place in the cache folder"),
    F("notes", "the technical stage's remarks, one a line"),
    F("cull", f"the cull decision: {_words(CullState)}"),
    F("rating", "stars 1–5, or null"),
    F("picked", "true for a pick"),
    F("label", f"the color label: {_words(ColorLabel)}, or null"),
    F("subject", "the describer's subject (null: not described)"),
    F("content_type", "the describer's kind of photo (portrait, street, landscape…)"),
    F("lighting", "the describer's sentence on the light"),
    F("mood", "the describer's mood"),
    F("description_model", "the model that described it (absent: not described)"),
    F("tags", "the photo's tags", many=True, fields=(
        F("name", "the tag"),
        F("source", '"user" (yours, or another tool\'s keyword) or "ai" (the describer\'s)'),
        F("confidence", "a describer's tag: 0–100, how well CLIP agrees with it; else null"),
    )),
    F("embeddings", "the models the photo is embedded with (ViT-L-14/openai)"),
    F("preference_score", "your taste model's score, 0–100 (null: no model yet)"),
    F("preference_model_version", "the taste model version that gave it"),
    F("match", "true when the score reaches the `match_threshold` setting (MATCH)"),
    F("burst_group", "the burst or bracket the photo is in (null: none)"),
    F("burst_best", "true on the burst's suggested best frame (★)"),
    F("faces", "the faces found, an empty list when none was; absent while the faces stage "
      "has not looked at the photo", many=True, fields=(
        F("id", "the face's number (what `curator people remove` takes)"),
        F("box", "[x, y, w, h] in fractions of the picture as shown, its orientation applied"),
        F("eyes", '"open"; "narrowed" in a smile or laugh (never a closed-eye reject); '
          '"closed": shut, a blink (or lowered in a look down, which is not told from one '
          'where the face does not smile); or "unknown": can\'t tell (turned away, sunglasses, '
          'hair, too small)'),
        F("eyes_note", 'why the eyes were not judged ("turned away", "sunglasses", "too '
          'small"…)'),
        F("openness", "the eyes' mean height over width: what a burst's frames compare of "
          "one person"),
        F("sharpness", "the face's sharpness, 0–100 on the photo's scale"),
        F("key", "true for a key face (one of the photo's subjects)"),
        F("size_px", "the box's long side in preview pixels"),
        F("judged", "false for a face too small to judge (its verdicts are null)"),
        F("smile", "how sure Curator is that the face smiles, 0–1 (0.5 is the line)"),
        F("looking", '"camera", "away", or null where Curator cannot tell'),
        F("yaw", "the head's turn, in degrees"),
        F("pitch", "the head's tilt up or down, in degrees"),
        F("roll", "the head's tilt sideways, in degrees"),
        F("person", "the person's id (`curator people`), or null"),
        F("person_name", "the person's name, or null until named"),
    )),
    F("proposal", "your proposed cull (absent where there is none: see Cull for me)", fields=(
        F("verdict", '"keep" or "reject"'),
        F("reasons", 'why, in words ("closed eyes", "blur", "duplicate"…)'),
        F("confidence", "0–1: low means look at it yourself"),
        F("highlight", "true on the best keeps (about 15 %)"),
    )),
    F("stages", f"each stage's state, by stage: {_words(STAGES)}", keyed_by="stage", fields=(
        F("status", '"pending", "running", "done", "failed" or "skipped"'),
        F("attempts", "how many times it ran"),
        F("version", "the stage version that produced the result"),
        F("reason", "why it failed or was skipped, in a sentence"),
    )),
)  # fmt: skip


def list_fields() -> tuple[JsonField, ...]:
    """`curator list --json`'s fields: `LIST_FIELDS` with the stored figures, each
    as declared (curator.figures), in their place."""
    out: list[JsonField] = []
    for field in LIST_FIELDS:
        if field is FIGURES_HERE:
            out.extend(JsonField(f.name, f.described()) for f in figures.shown_figures())
        else:
            out.append(field)
    return tuple(out)


# `curator status --json`: one object.
STATUS_FIELDS: tuple[JsonField, ...] = (
    F("photos", "how many photos (a RAW+JPEG pair is one, as in the grid)"),
    F("files", "how many files (both files of a pair)"),
    F("stages", 'per stage, how many photos are in each state ({"done": 12, "failed": 1, …})'),
    F("failed", "every failed photo", many=True, fields=(
        F("path", "its file"), F("stage", "the stage that failed"), F("reason", "why"),
    )),
    F("taste", "the taste model this seat shows (nulls before there is one)", fields=(
        F("version", "its version"),
        F("samples", "how many decisions it learned from"),
        F("spearman", "its held-out Spearman correlation with your ratings"),
        F("spearman_low", "the low end of the Spearman's 95 % range"),
        F("spearman_high", "the high end of the Spearman's 95 % range"),
        F("early", "true under 20 decisions"),
        F("alpha", "its ridge penalty"),
        F("embedding_model", "the embeddings it was trained on"),
        F("trained_at", "when it was trained"),
        F("owner", "whose decisions trained it (null: everyone's)"),
        F("match_approves", "whether its MATCH approves kept, unrated photos for export"),
        F("match_approves_at", "the `match_approves_at` setting it is held to"),
    )),
    F("previews_missing", "how many photos lack a preview or thumbnail in the cache"),
)  # fmt: skip
del F


def json_fields_markdown() -> str:
    """The docs site's reference of the JSON outputs (docs/reference/json.md), from
    the tables the commands print by (`list_fields()`, `STATUS_FIELDS`,
    `import_folder.IMPORT_FIELDS`, `watch.WATCH_FIELDS`, `commands.proof.picks.STATUS_FIELDS`,
    the duplicates' `GROUP_FIELDS` and `RESOLVE_FIELDS`)."""
    from curator.commands.duplicates import GROUP_FIELDS, RESOLVE_FIELDS
    from curator.commands.import_folder import IMPORT_FIELDS
    from curator.commands.proof.picks import STATUS_FIELDS as GALLERY_FIELDS
    from curator.commands.watch import WATCH_FIELDS

    return "\n".join(
        [
            "## curator import --json",
            "",
            *fields_markdown(IMPORT_FIELDS),
            "",
            "## curator list --json",
            "",
            "One array, an object per photo, by capture time:",
            "",
            *fields_markdown(list_fields()),
            "",
            "## curator status --json",
            "",
            *fields_markdown(STATUS_FIELDS),
            "",
            "## curator watch --json",
            "",
            "One object per line, a frame each, once it is measured:",
            "",
            *fields_markdown(WATCH_FIELDS),
            "",
            "## curator proof status --json",
            "",
            "One object (`curator proof import --json` prints the same; `curator proof list"
            " --json` an array of them):",
            "",
            *fields_markdown(GALLERY_FIELDS),
            "",
            "## curator duplicates --json",
            "",
            "One array, an object per group of near-duplicates:",
            "",
            *fields_markdown(GROUP_FIELDS),
            "",
            "## curator duplicates resolve --json",
            "",
            *fields_markdown(RESOLVE_FIELDS),
            "",
        ]
    )


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p_list = sub.add_parser(
        "list", parents=[common], help="list catalogued photos with their fields"
    )
    p_list.add_argument(
        "--json",
        action="store_true",
        help="print JSON (one array). A file name that is not valid UTF-8 keeps its bytes "
        "as surrogate escapes (\\udc80-\\udcff, Python's os.fsdecode): decode it with "
        "os.fsencode, or pass the listed path back as is (e.g. to `curator keep`)",
    )
    p_list.add_argument(
        "--order",
        choices=["capture", "cull", "rating", "uncertain"],
        default="capture",
        help="cull: unreviewed photos, likely rejects first; rating: kept photos by time; "
        "uncertain: kept photos not rated yet, the ones the taste model is least sure of first",
    )
    p_list.add_argument(
        "--person",
        metavar="NAME",
        help="only the photos with a face of this person (a name, or an id: `curator people`)",
    )
    p_list.add_argument(
        "--client-picks",
        metavar="GALLERY",
        help="only the photos the client hearted in this client gallery, in its order "
        "(`curator proof list`)",
    )
    p_list.set_defaults(handler=cmd_list, read_only=True)

    p_status = sub.add_parser(
        "status", parents=[common], help="photo and per-stage counts, failures"
    )
    p_status.add_argument("--json", action="store_true", help="print JSON")
    p_status.set_defaults(handler=cmd_status, read_only=True)


def _person_or_refuse(word: str) -> None:
    """A person `--person` names that is not there is a sentence (exit 2), as
    `people name` says it, not an empty list."""
    from curator.catalog.people.naming import person_exists

    if not person_exists(word):
        who = word.strip() if word.strip().isdigit() else f"named {printable(word.strip())}"
        raise UsageError(f"There is no person {who} (see `curator people`).")


def cmd_list(args: argparse.Namespace, ctx: CommandContext) -> int:
    """List photos. Paths keep a non-UTF-8 name's exact bytes: JSON as surrogate
    escapes (``\\udcXX``, ASCII-only output), text as the raw bytes."""
    out = ctx.out
    if args.person is not None:
        _person_or_refuse(args.person)
    photos = list_photos(ctx.settings.match_threshold)
    if args.order != "capture":
        from curator.pipeline.stages.judgments import embedding_model_id
        from curator.pipeline.stages.score import review_order

        pass_ = "cull" if args.order == "cull" else "rating"
        ids = review_order(
            pass_, embedding_model_id(ctx.settings), uncertain_first=args.order == "uncertain"
        )
        by_id = {p["id"]: p for p in photos}
        photos = [by_id[i] for i in ids if i in by_id]
    if args.person is not None:
        from curator.catalog.people.naming import photos_of_person

        theirs = photos_of_person(args.person)
        photos = [p for p in photos if p["id"] in theirs]
    if args.client_picks is not None:
        photos = _client_picks(args.client_picks, photos)
    if args.json:
        json.dump(shaped(photos, list_fields()), out, indent=None, ensure_ascii=True)
        out.write("\n")
        return EXIT_OK
    badges = _badges([int(p["id"]) for p in photos])
    for p in photos:
        tech = p["stages"]["technical"]
        cam = camera_name(p["camera_make"], p["camera_model"]) or "-"
        sharp = (
            f"{p['sharpness_score']:.0f}"
            if p["sharpness_score"] is not None
            else (p.get("sharpness_note") or "-")  # "too small to judge"
        )
        expo = f"{p['exposure_score']:.0f}" if p["exposure_score"] is not None else "-"
        when = p["captured_at"] or "-"
        line = (
            f"{tech['status']:<8} {when:<26} {cam:<28} sharp {sharp:>3} expo {expo:>3}  "
            f"{printable(p['path'])}"
        )
        if p["paired_with"]:  # one photo of two files, as the gallery's RAW+JPEG tile
            names = ", ".join(os.path.basename(f) for f in p["paired_with"])
            line += f"  RAW+JPEG (+ {printable(names)})"
        line += "  " + decision_words(p["cull"], p["picked"], p["rating"], p["label"])
        if badges.get(int(p["id"])):
            line += "  " + " ".join(badges[int(p["id"])])
        if tech["status"] == "failed":
            line += f"\n         ↳ {printable(tech.get('reason'))}"
        if p.get("proposal"):
            line += f"\n         ↳ {proposal_words(p['proposal'])}"
        _print_exact(line, out)
    print(f"{len(photos)} photos", file=out)
    return EXIT_OK


def _client_picks(name: str, photos: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The photos the client hearted in gallery `name`, in the gallery's order; a
    gallery that is not there is a sentence (exit 2)."""
    from curator.catalog.proofing.galleries import GalleryError, gallery_named
    from curator.catalog.proofing.picks import hearted_photo_ids

    try:
        gallery = gallery_named(name)
    except GalleryError as exc:
        raise UsageError(str(exc)) from exc
    by_id = {p["id"]: p for p in photos}
    return [by_id[pid] for pid in hearted_photo_ids(gallery.id) if pid in by_id]


def _taste_waits_for(ctx: CommandContext, taste: dict[str, Any]) -> str:
    """What a taste model not trained yet waits for, as the decision commands
    say it (ml.taste_minimum): decisions, embeddings, or the CLIP weights."""
    from curator.catalog.judgments import decision_counts
    from curator.ml.taste_minimum import not_enough_message
    from curator.pipeline.stages.taste_report import clip_weights_missing  # no Qt, no torch
    from curator.settings.fields import embedding_model_id

    counts = decision_counts(embedding_model_id(ctx.settings), taste.get("owner"))
    return not_enough_message(counts, weights_missing=clip_weights_missing(ctx.settings)())


BADGE_CHUNK = 2_000  # gallery rows read at a time for the badges (100,000: ~1.9 s of 11)


def _badges(photo_ids: list[int]) -> dict[int, list[str]]:
    """Each photo's badges as its tile shows them (the cull checks' table),
    read `BADGE_CHUNK` rows at a time: the rows are let go as it goes."""
    from curator.catalog.queries import gallery_rows
    from curator.cull import table

    shown = [c for c in table.CHECKS if c.badge is not None]
    found: dict[int, list[str]] = {}
    for start in range(0, len(photo_ids), BADGE_CHUNK):
        for pid, row in gallery_rows(photo_ids[start : start + BADGE_CHUNK]).items():
            badges = [c.badge.text for c in shown if c.badge is not None and c.badge_shows(row)]
            if badges:
                found[pid] = badges
    return found


def proposal_words(proposal: dict[str, Any]) -> str:
    """A proposal as the text outputs say it: "proposed: reject — blur (sure 0.83)"."""
    reasons = ", ".join(str(r) for r in proposal.get("reasons") or ())
    star = ", a highlight" if proposal.get("highlight") else ""
    why = f" — {reasons}" if reasons else ""
    return f"proposed: {proposal['verdict']}{why}{star} (sure {float(proposal['confidence']):.2f})"


def _print_exact(line: str, out: TextIO) -> None:
    """Print `line`; a path's surrogate escapes go out as the name's original bytes."""
    try:
        print(line, file=out)
    except UnicodeEncodeError:
        data = (line + "\n").encode(out.encoding or "utf-8", "surrogateescape")
        buffer = getattr(out, "buffer", None)
        if buffer is None:
            print(data.decode("utf-8", "replace"), end="", file=out)
            return
        out.flush()
        buffer.write(data)


def cmd_status(args: argparse.Namespace, ctx: CommandContext) -> int:
    out = ctx.out
    report = status_report()
    bar = ctx.settings.match_approves_at
    trusted = model_trusted(bar)
    report["taste"]["match_approves"] = trusted
    report["taste"]["match_approves_at"] = bar
    from curator.pipeline.previews import missing_entries, plan_entries

    report["previews_missing"] = len(missing_entries(plan_entries(), ctx.paths.cache_dir))
    if args.json:
        json.dump(shaped(report, STATUS_FIELDS), out)
        out.write("\n")
        return EXIT_OK
    files = report["files"] - report["photos"]  # the JPEGs that are one photo with a RAW
    pairs = f" ({report['files']} files: {files} RAW+JPEG)" if files else ""
    print(f"{report['photos']} photos in the catalog{pairs}", file=out)
    for stage, counts in report["stages"].items():
        parts = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
        print(f"  {stage}: {parts or 'nothing yet'}", file=out)
    taste = report["taste"]
    whose = "" if taste.get("owner") is None else f" ({taste['owner']}'s decisions)"
    if taste["version"] is None:
        print(f"  taste model{whose}: none yet. {_taste_waits_for(ctx, taste)}", file=out)
    else:
        quality = quality_text(
            taste["samples"], taste["spearman"], taste["spearman_low"], taste["spearman_high"]
        )
        print(f"  taste model{whose}: v{taste['version']}, {quality}", file=out)
        verdict = "yes" if trusted else "no"
        print(
            f"  its MATCH approves kept, unrated photos for export: {verdict} "
            f"(needs 20+ decisions and a held-out Spearman ≥ {bar:g}, setting "
            "match_approves_at)",
            file=out,
        )
    if report["previews_missing"]:
        print(
            f"  previews: {report['previews_missing']} photos lack one in the cache "
            "(made again when shown; all now: curator previews --rebuild)",
            file=out,
        )
    if report["failed"]:
        print(f"{len(report['failed'])} failed:", file=out)
        for f in report["failed"]:
            where, why = printable(f["path"]), printable(f["reason"])
            print(f"  [{f['stage']}] {where}\n      {why}", file=out)
    return EXIT_OK
