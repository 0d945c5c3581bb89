"""`curator proof make` and `curator proof serve` (the package docstring says what
they do): a gallery's copies and page, and the server that shows it."""

from __future__ import annotations

import argparse
import json
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curator.commands.base import (
    EXIT_CANCELLED,
    EXIT_OK,
    CommandContext,
    UsageError,
    first_ctrl_c_cancels,
)

if TYPE_CHECKING:
    from curator.catalog.proofing.galleries import Gallery

EXIT_SOME_FAILED = 1


def gallery_named_or_usage(name: str) -> Gallery:
    from curator.catalog.proofing.galleries import GalleryError, gallery_named

    try:
        return gallery_named(name)
    except GalleryError as exc:
        raise UsageError(str(exc)) from exc


def _settings(args: argparse.Namespace, existing: Gallery | None) -> Any:
    from curator.catalog.proofing.galleries import GallerySettings

    base = existing.settings if existing is not None else GallerySettings(title=args.name)
    expires = base.expires_on
    if args.expires is not None:
        try:
            expires = date.fromisoformat(args.expires) if args.expires else None
        except ValueError as exc:
            raise UsageError(
                f"--expires takes a date as 2026-12-31, not {args.expires!r}."
            ) from exc
    return GallerySettings(
        title=args.title if args.title is not None else base.title,
        min_picks=args.min_picks if args.min_picks is not None else base.min_picks,
        max_picks=args.max_picks if args.max_picks is not None else base.max_picks,
        comments=args.comments if args.comments is not None else base.comments,
        watermark=args.watermark if args.watermark is not None else base.watermark,
        expires_on=expires,
        keep_location=args.keep_location if args.keep_location is not None else base.keep_location,
    )


def _photo_ids(paths: list[str]) -> tuple[int, ...]:
    import os

    from curator.catalog.decisions import photo_id_for_path

    ids, unknown = [], []
    for raw in paths:
        pid = photo_id_for_path(os.path.abspath(os.path.expanduser(raw)))
        (unknown.append(raw) if pid is None else ids.append(pid))
    if unknown:
        raise UsageError("Not in the catalog (import its folder first): " + ", ".join(unknown))
    return tuple(ids)


def cmd_make(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.catalog.proofing.galleries import GalleryError, gallery_by_token, gallery_photos
    from curator.catalog.proofing.galleries import gallery_named as named
    from curator.proof.make import MakeRequest, PhotoSource, make_gallery

    try:
        existing: Gallery | None = named(args.name)
    except GalleryError:
        existing = None
    settings = _settings(args, existing)
    if args.project is not None:
        source = PhotoSource(project=args.project)
    elif args.photo:
        source = PhotoSource(photo_ids=_photo_ids(args.photo))
    elif args.approved or existing is None:
        if not args.approved:
            raise UsageError(
                "Say which photos the gallery holds: --project NAME, --approved or --photo PATH…"
            )
        source = PhotoSource(
            match_threshold=ctx.settings.match_threshold,
            match_min_quality=ctx.settings.match_approves_at,
        )
    else:
        source = PhotoSource(photo_ids=tuple(p.photo_id for p in gallery_photos(existing.id)))
    request = MakeRequest(
        name=args.name,
        settings=settings,
        source=source,
        folder=Path(args.folder) if args.folder else None,
        catalog_dir=ctx.paths.catalog.parent,
        made_by=_seat_user(),
    )
    cancel = threading.Event()
    bar = None
    if not (args.json or args.no_progress):
        from tqdm import tqdm

        bar = tqdm(unit="photo", file=ctx.err, desc="gallery", leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()

    try:
        with first_ctrl_c_cancels(cancel):
            result = make_gallery(request, existing, progress=progress, cancel=cancel)
    except GalleryError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        if bar is not None:
            bar.close()
    gallery = gallery_by_token(result.gallery.token) or result.gallery
    if args.json:
        out = {
            "name": gallery.name,
            "folder": str(result.folder),
            "photos": result.rendered + result.unchanged,
            "rendered": result.rendered,
            "unchanged": result.unchanged,
            "removed": result.removed,
            "failed": [{"photo_id": pid, "error": why} for pid, why in result.failed],
            "code": result.code,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2), file=ctx.out)
    else:
        count = result.rendered + result.unchanged
        verb = "Made" if result.code else "Updated"
        print(
            f"{verb} client gallery '{gallery.name}': {count} photo(s), "
            f"{result.rendered} rendered, {result.unchanged} unchanged, "
            f"{result.removed} removed, in {result.folder}.",
            file=ctx.out,
        )
        for pid, why in result.failed:
            print(f"  not in the gallery (photo {pid}): {why}", file=ctx.out)
        if result.code:
            print(
                f"Access code: {result.code} — give it to the client. Curator keeps only a hash "
                "of it: write it down now (`curator proof code` makes a new one).",
                file=ctx.out,
            )
        print(
            f"Send the folder (its index.html opens in any browser), or serve it: "
            f"curator proof serve '{gallery.name}'",
            file=ctx.out,
        )
    if result.cancelled:
        return EXIT_CANCELLED
    return EXIT_SOME_FAILED if result.failed else EXIT_OK


def _seat_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def cmd_serve(args: argparse.Namespace, ctx: CommandContext) -> int:
    from curator.proof.server import LOOPBACK, GalleryApp, open_socket, serve, serving_host

    gallery = gallery_named_or_usage(args.name)
    closed = gallery.closed_sentence(date.today())
    if closed:
        raise UsageError(f"'{gallery.name}' can't be served: {closed}")
    if not 0 <= args.port < 65536:
        raise UsageError("--port takes a number from 0 to 65535.")
    host = serving_host(args.network)
    try:
        sock = open_socket(host, args.port)
    except OSError as exc:
        raise UsageError(
            f"Port {args.port} can't be used ({exc.strerror or exc}): choose another with --port."
        ) from exc
    port = int(sock.getsockname()[1])
    url = f"http://{host}:{port}/"
    if args.json:
        print(json.dumps({"url": url, "port": port, "host": host}), file=ctx.out, flush=True)
    else:
        print(f"Serving '{gallery.name}' at {url}", file=ctx.out)
        if host == LOOPBACK:
            print(
                "Only this computer can open it"
                + (
                    " (no network was found)."
                    if args.network
                    else " (--network for other devices)."
                ),
                file=ctx.out,
            )
        print("The client needs the gallery's access code. Ctrl+C stops.", file=ctx.out)
        if ctx.out.isatty():
            import segno

            segno.make(url, error="m").terminal(out=ctx.out, compact=True)
        ctx.out.flush()
    serve(GalleryApp(gallery.id), sock)
    return EXIT_OK
