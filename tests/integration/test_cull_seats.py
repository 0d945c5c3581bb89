"""Proposals on a studio's PostgreSQL catalog (issue 42 §5): each seat is a
real `curator` process with its own photographer (`CURATOR_SEAT_USER`); one
photographer's proposals are never accepted by another's `cull --accept`,
and each sees only their own in `curator list --json`."""

from __future__ import annotations

from datetime import datetime, timedelta

from curator.catalog.db import Catalog
from curator.catalog.models import Decision, Photo
from tests.integration.test_studio_imports import seat

T0 = datetime(2025, 6, 1, 12, 0, 0)


def test_two_seats_propose_and_accept_only_their_own(pg_catalog_url: str) -> None:
    url = pg_catalog_url
    with Catalog.open(url):
        for i in range(12):
            Photo.create(
                path=f"/studio/shoot/IMG_{i:03d}.jpg".encode(),
                content_hash=f"h{i}",
                captured_at=T0 + timedelta(minutes=i),
                sharpness_score=90.0 - 7 * i,  # the last three under the BLUR line
                exposure_score=95.0,
                highlight_clip=0.01,
            )
    ana = seat(url, "cull", "--propose", "--keep", "4", "--json", user="ana")
    assert (ana["owner"], ana["keep"], ana["reject"]) == ("ana", 4, 8)
    ben = seat(url, "cull", "--propose", "--json", user="ben")
    assert (ben["keep"], ben["reject"]) == (9, 3)  # no target: every sharp frame, his own
    listed = seat(url, "list", "--json", user="ana")
    assert sum(p["proposal"]["verdict"] == "keep" for p in listed) == 4  # ana's, not ben's

    carl = seat(url, "cull", "--accept", "--json", user="carl")
    assert (carl["kept"], carl["rejected"]) == (0, 0)  # nobody's proposals but his own: none
    accepted = seat(url, "cull", "--accept", "--json", user="ana")
    assert (accepted["kept"], accepted["rejected"]) == (4, 8)
    with Catalog.open(url):
        culls = [p.cull for p in Photo.select().order_by(Photo.captured_at)]
        assert culls == ["kept"] * 4 + ["rejected"] * 8  # ana's target, not ben's
        seats = {(d.seat_user, d.pass_) for d in Decision.select()}
        assert seats == {("ana", "proposal")}
    # Every photo is decided now: ben's proposals ended with ana's decisions.
    assert all("proposal" not in p for p in seat(url, "list", "--json", user="ben"))
    again = seat(url, "cull", "--accept", "--json", user="ben")
    assert (again["kept"], again["rejected"]) == (0, 0)
