"""A sidecar an import could not read is said, not only counted (issue 82 §4):
entity expansion and an external entity to /etc/passwd (in UTF-8 and in
UTF-16), and a truncated sidecar, beside a good one. Each is refused unread —
nothing taken from it, nothing leaked — and named with a sentence in the
summary and in `--json`'s `xmp_problems`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.imaging_helpers import make_jpeg
from tests.integration.cli_helpers import list_json, run_cli

_GOOD = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
    ' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="{r}">'
    "{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
)
_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    + _GOOD.format(r=5, body="<xmp:Label>&c;</xmp:Label>")
)
_EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    + _GOOD.format(r=5, body="<xmp:Label>&e;</xmp:Label>")
)

HOSTILE = {
    "bomb": _BOMB.encode("utf-8"),
    "external": _EXTERNAL.encode("utf-8"),
    "external16": _EXTERNAL.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode(
        "utf-16"
    ),
    "truncated": _GOOD.format(r=4, body="").encode("utf-8")[:90],
}


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    lib = tmp_path / "shoot"
    lib.mkdir()
    for i, (name, data) in enumerate(HOSTILE.items()):
        make_jpeg(lib / f"{name}.jpg", 200 + i, 150)
        (lib / f"{name}.xmp").write_bytes(data)
    make_jpeg(lib / "good.jpg", 260, 150)
    (lib / "good.xmp").write_text(_GOOD.format(r=3, body=""))
    return lib


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_each_unread_sidecar_is_named_with_a_sentence(shoot: Path, kind: str) -> None:
    code, out, err = run_cli("import", str(shoot), "--stages", "technical", "--json")
    assert code == 0, err
    said = {Path(p["path"]).name: p["reason"] for p in json.loads(out)["xmp_problems"]}
    assert set(said) == {f"{k}.jpg" for k in HOSTILE}  # the good one is not among them
    reason = said[f"{kind}.jpg"]
    assert f"{kind}.xmp" in reason and "not taken" in reason
    assert "root:" not in reason  # /etc/passwd never read into anything
    rated = {Path(p["path"]).name: p["rating"] for p in list_json()}
    assert rated["good.jpg"] == 3 and rated[f"{kind}.jpg"] is None


def test_the_summary_says_each_one(shoot: Path) -> None:
    code, out, err = run_cli("import", str(shoot), "--stages", "technical")
    assert code == 0, err
    for kind in HOSTILE:
        assert f"The sidecar {kind}.xmp could not be read" in out, out
