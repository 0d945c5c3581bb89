"""The worked example of docs/how-to-add-a-stored-figure.md (issue 82): a
throw-away stored figure — `redness_test`, "how red the frame is", measured by a
function of this module on the pixels the technical stage decodes — added by
its declaration (one `StoredFigure`), its migration (one ALTER TABLE) and a
check's row whose badge names its search word (`reddish:yes`), and nothing
else. Photos measured by the technical stage's own run and written by its own
writer then carry it into `curator list --json`, the search, the tile's badge
and the proposal.

The run is the technical stage's child body (`run_technical`) called in this
process: the decoder children are spawned, and would not see a figure this
test declares."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import curator.figures as figures
from curator.catalog.db import Catalog
from curator.catalog.models import Photo, declare_figures
from curator.catalog.proposals.plan import plan_frames
from curator.catalog.queries import gallery_rows
from curator.catalog.writer import Attempted, CatalogWriter
from curator.cull import table
from curator.cull.check_types import Badge, CullCheck, Direction, Line, ReasonWords
from curator.cull.checks import checks_for
from curator.cull.rules import propose
from curator.figures import FigureType, StoredFigure, technical_version
from curator.pipeline.stages.technical_child import run_technical
from curator.records import ProposalVerdict, TechnicalRequest
from curator.search.text import text_search
from curator.ui.gallery.flags import photo_flags, tooltip
from tests.integration.cli_helpers import run_cli

FIXTURE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "fixtures"
    / "jpeg"
    / ("exiv2_FurnaceCreekInn.jpg")
)


def red_share(luma: np.ndarray, preview: np.ndarray) -> float | None:
    """The figure's function: how much redder than blue the frame is, 0-100."""
    rgb = preview.astype(np.float32)
    return round(max(0.0, float(rgb[..., 0].mean() - rgb[..., 2].mean())) / 2.55, 1)


REDNESS = StoredFigure(
    "redness_test",
    FigureType.REAL,
    "how much redder than blue the frame is (a throw-away figure)",
    "0–100",
    "where it was not measured",
    measure=f"{__name__}:red_share",
    since=figures.FIRST_TECHNICAL_VERSION + 90,
)
REDDISH = CullCheck(
    name="redness",
    label="Reddish (test)",
    docs="A throw-away check on a throw-away figure.",
    reasons=(ReasonWords("reddish", "REDDISH", "reddish", "too red for the test"),),  # type: ignore[arg-type]
    lines=(Line("redness_above", "redness_test", Direction.ABOVE, 20.0, why="the test's line"),),
    tooltip="Strict rejects less red.",
    badge=Badge("REDDISH", "Reddish ({redness_test:.0f} red)", word="reddish:yes"),
)


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> Iterator[None]:
    """The declaration, the migration and the check's row (its badge names its
    search word)."""
    monkeypatch.setattr(figures, "FIGURES", (*figures.FIGURES, REDNESS))
    catalog.db.execute_sql("ALTER TABLE photo ADD COLUMN redness_test REAL")  # the migration
    declare_figures()
    monkeypatch.setattr(table, "CHECKS", (*table.CHECKS, REDDISH))
    try:
        yield
    finally:
        Photo._meta.remove_field("redness_test")


def _measured(folder: Path, catalog: Catalog) -> dict[str, int]:
    """Two photos — a red one and a blue one — through the stage's run and writer."""
    writer = CatalogWriter(catalog.db, technical_version())
    ids = {}
    with Image.open(FIXTURE) as img:
        sharp = np.asarray(img.convert("RGB"), dtype=np.float32)  # a real, sharp frame
    for name, tint in (("red", (1.0, 0.3, 0.2)), ("blue", (0.2, 0.4, 1.0))):
        path = folder / f"{name}.jpg"
        Image.fromarray((sharp * np.array(tint)).astype(np.uint8)).save(path, quality=92)
        outcome = run_technical(TechnicalRequest(str(path), str(folder / "cache")))
        writer.apply_technical([Attempted(outcome)])
        ids[name] = int(Photo.get(Photo.content_hash == outcome.content_hash).id)
    return ids


def test_a_declared_figure_reaches_the_json_the_search_the_badge_and_the_proposal(
    declared: None, catalog: Catalog, tmp_path: Path
) -> None:
    assert technical_version() == f"technical-{figures.FIRST_TECHNICAL_VERSION + 90}"  # back-fill
    ids = _measured(tmp_path, catalog)
    red, blue = ids["red"], ids["blue"]
    stored = {p.id: p.redness_test for p in Photo.select(Photo.id, Photo.redness_test)}
    assert stored[red] > 30 and stored[blue] == 0.0
    code, out, err = run_cli("list", "--json", "--catalog", str(catalog.path))
    assert code == 0, err
    listed = {p["id"]: p for p in json.loads(out)}
    assert listed[red]["redness_test"] == stored[red]  # list --json's field, from the declaration
    from curator.commands.listing import json_fields_markdown

    assert "| `redness_test` | how much redder than blue the frame is" in json_fields_markdown()
    assert REDDISH.badge_token == "reddish:yes"
    assert {h.photo_id for h in text_search("reddish:yes")} == {red}  # the badge's token
    assert {h.photo_id for h in text_search("REDDISH:yes harbour")} == set()  # and a word
    rows = gallery_rows([red, blue])
    assert rows[red].figures.get("redness_test") == stored[red]  # by name, no field for it
    flags = photo_flags(rows[red], 70.0)
    assert flags.shows("redness") and not photo_flags(rows[blue], 70.0).shows("redness")
    assert f"Reddish ({stored[red]:.0f} red)" in tooltip(rows[red], flags)
    frames = {f.photo_id: f for f in plan_frames()}
    run = propose(list(frames.values()), checks_for(None))
    verdicts = {p.photo_id: (p.verdict, p.reasons) for p in run.proposals}
    assert verdicts[red] == (ProposalVerdict.REJECT, ("reddish",))
    assert verdicts[blue][0] is ProposalVerdict.KEEP
