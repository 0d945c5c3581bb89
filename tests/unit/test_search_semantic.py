"""Semantic search and more-like-this (curator.search.semantic) on a real catalog.

Semantic search runs the tiny random-weight CLIP (tests/clip_tiny.py) through
the real loading code; the stored embeddings are hand-made (the text
encoder's own vectors, or constructed cosines), so the expected order is
known without real weights.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from curator.catalog import judgments
from curator.catalog.models import Photo
from curator.ml.config import ClipConfig
from curator.ml.embedder import ClipEmbedder, shared_embedder
from curator.search import semantic
from curator.search.semantic import (
    NOT_EMBEDDED,
    WHY_BURST,
    WHY_DUPLICATE,
    more_like_this,
    rank,
    semantic_search,
)
from curator.search.types import SearchUnavailable
from curator.settings import Settings, clip_config, embedding_model_id

PHRASES = ("red boat", "mountain", "a cat asleep on a sofa", "city street at night")


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach the Hugging Face hub."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def _photo(name: str, **values: object) -> int:
    return int(Photo.create(path=f"/lib/{name}".encode(), content_hash=name, **values).id)


def _tiny_settings(checkpoint: Path) -> Settings:
    from tests.clip_tiny import TINY_MODEL

    return Settings(clip_model=TINY_MODEL, clip_pretrained=str(checkpoint))


def _phrase_photos(settings: Settings) -> dict[str, int]:
    """One photo per phrase whose stored embedding is the text encoder's vector of it."""
    vectors = ClipEmbedder(clip_config(settings)).embed_texts(list(PHRASES))
    ids = {phrase: _photo(f"{i}.jpg") for i, phrase in enumerate(PHRASES)}
    judgments.store_embeddings(
        embedding_model_id(settings),
        [(ids[p], vectors[i]) for i, p in enumerate(PHRASES)],
    )
    return ids


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _with_cosine(anchor: np.ndarray, cosine: float, rng: np.random.Generator) -> np.ndarray:
    """A unit vector at exactly `cosine` from the unit vector `anchor`."""
    other = rng.normal(size=anchor.shape)
    other -= other.dot(anchor) * anchor
    other /= np.linalg.norm(other)
    return _unit(cosine * anchor + np.sqrt(1 - cosine**2) * other)


# -- rank: pure numpy -------------------------------------------------------------------------


def test_rank_returns_the_top_k_by_cosine_best_first_and_skips_excluded_ids() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(500, 24)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    ids = np.arange(1000, 1500)
    query = matrix[17] + 0.1 * matrix[400]
    query = _unit(query)
    expected = ids[np.argsort(-(matrix @ query))]

    hits = rank(matrix, ids, query, limit=10)
    assert [h.photo_id for h in hits] == list(expected[:10])
    assert hits[0].photo_id == 1017
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    assert hits[0].score == pytest.approx(float(matrix[17] @ query), abs=1e-6)

    skipped = rank(matrix, ids, query, limit=10, exclude={int(expected[0]), int(expected[3])})
    assert [h.photo_id for h in skipped] == [
        int(x) for x in expected[:12] if x not in (expected[0], expected[3])
    ]
    assert len(rank(matrix, ids, query, limit=10_000)) == 500
    assert rank(matrix, ids, query, limit=0) == []


def test_rank_refuses_a_float64_matrix_instead_of_copying_it() -> None:
    matrix = np.eye(4)
    with pytest.raises(ValueError, match="float32"):
        rank(matrix, [1, 2, 3, 4], np.ones(4, dtype=np.float32), limit=2)  # type: ignore[arg-type]


# -- semantic search ----------------------------------------------------------------------------


def test_a_phrase_finds_the_photo_whose_embedding_is_that_phrase(
    catalog: object, tiny_clip: Path
) -> None:
    settings = _tiny_settings(tiny_clip)
    ids = _phrase_photos(settings)
    for phrase in ("red boat", "mountain"):
        hits = semantic_search(phrase, settings, limit=3)
        assert hits[0].photo_id == ids[phrase]
        assert hits[0].score == pytest.approx(1.0, abs=1e-4)
        assert hits[0].score > hits[1].score
        assert len(hits) == 3
    # The whitespace of a query does not change it; a blank query finds nothing.
    assert semantic_search("  red   boat ", settings)[0].photo_id == ids["red boat"]
    assert semantic_search("   ", settings) == []


def test_deleted_photos_are_never_returned_even_from_an_in_memory_matrix(
    catalog: object, tiny_clip: Path
) -> None:
    settings = _tiny_settings(tiny_clip)
    ids = _phrase_photos(settings)
    before = judgments.EmbeddingCache(embedding_model_id(settings)).load()  # as the GUI holds it
    Photo.update(deleted_at=datetime.now(UTC)).where(Photo.id == ids["red boat"]).execute()

    for embeddings in (None, before):
        found = [h.photo_id for h in semantic_search("red boat", settings, embeddings=embeddings)]
        assert ids["red boat"] not in found
        assert sorted(found) == sorted(v for k, v in ids.items() if k != "red boat")


def test_the_text_encoder_loads_once_for_the_session(
    catalog: object, tiny_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import open_clip

    settings = _tiny_settings(tiny_clip)
    ids = _phrase_photos(settings)  # loads the model once (an image-side embedder)
    loads: list[str] = []
    real = open_clip.create_model_and_transforms

    def counting(*args: object, **kwargs: object) -> object:
        loads.append(str(args[0]))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(open_clip, "create_model_and_transforms", counting)
    assert semantic_search("mountain", settings)[0].photo_id == ids["mountain"]
    assert (
        semantic_search("a cat asleep on a sofa", settings)[0].photo_id
        == ids["a cat asleep on a sofa"]
    )
    assert loads == []  # the model the embedder above loaded is the one searched with
    config = clip_config(settings)
    assert shared_embedder(config) is shared_embedder(config)


def test_the_shared_text_encoder_is_loaded_only_on_the_first_query(
    catalog: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import open_clip

    from tests.clip_tiny import make_tiny_checkpoint

    checkpoint = make_tiny_checkpoint(tmp_path / "fresh-clip", seed=1)
    settings = _tiny_settings(checkpoint)
    pid = _photo("x.jpg")
    judgments.store_embeddings(
        embedding_model_id(settings), [(pid, _unit(np.ones(32, dtype=np.float32)))]
    )
    loads: list[str] = []
    real = open_clip.create_model_and_transforms

    def counting(*args: object, **kwargs: object) -> object:
        loads.append(str(args[0]))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(open_clip, "create_model_and_transforms", counting)
    semantic_search("first query", settings)
    semantic_search("second query", settings)
    assert len(loads) == 1
    # An image embedder of the same weights made later reuses that model too.
    ClipEmbedder(ClipConfig(model_name=settings.clip_model, pretrained=str(checkpoint))).load()
    assert len(loads) == 1


def test_without_the_clip_weights_the_sentence_says_to_pull_them(
    catalog: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / "empty-cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for settings in (
        Settings(clip_model="ViT-B-32", clip_pretrained="openai"),
        Settings(clip_model="ViT-B-32", clip_pretrained=str(tmp_path / "nowhere.pt")),
    ):
        with pytest.raises(SearchUnavailable) as caught:
            semantic_search("red boat", settings)
        sentence = str(caught.value)
        assert sentence.endswith("run `curator models pull`.")
        assert sentence.count(". ") == 0  # one sentence


def test_without_any_embedding_the_sentence_says_to_import(
    catalog: object, tiny_clip: Path
) -> None:
    _photo("a.jpg")
    with pytest.raises(SearchUnavailable) as caught:
        semantic_search("red boat", _tiny_settings(tiny_clip))
    assert str(caught.value) == NOT_EMBEDDED
    assert "import with the CLIP weights present" in NOT_EMBEDDED


def test_the_catalog_matrix_is_read_once_and_again_only_after_a_change(catalog: object) -> None:
    model = "m/test"
    a = _photo("a.jpg")
    judgments.store_embeddings(model, [(a, _unit(np.ones(8, dtype=np.float32)))])
    first = semantic.catalog_vectors(model)
    assert semantic.catalog_vectors(model) is first
    b = _photo("b.jpg")
    judgments.store_embeddings(model, [(b, _unit(np.arange(8, dtype=np.float32)))])
    second = semantic.catalog_vectors(model)
    assert second is not first and sorted(second.ids) == [a, b]


# -- more like this -------------------------------------------------------------------------------


def test_more_like_this_puts_duplicates_then_burst_frames_first(catalog: object) -> None:
    settings = Settings()  # no CLIP weights needed: only stored embeddings
    model = embedding_model_id(settings)
    rng = np.random.default_rng(7)
    anchor = _unit(rng.normal(size=64))
    me = _photo("me.jpg", burst_group=5)
    duplicate = _photo("dup.jpg")
    gone_duplicate = _photo("gone.jpg", deleted_at=datetime.now(UTC))
    burst = _photo("burst.jpg", burst_group=5)
    other_burst = _photo("elsewhere.jpg", burst_group=6)
    near = {_photo(f"near{i}.jpg"): c for i, c in enumerate((0.95, 0.9, 0.85, 0.8))}
    far = _photo("far.jpg")
    cosines = {
        me: 1.0,
        duplicate: 0.995,
        gone_duplicate: 0.999,
        burst: 0.5,  # less like it than the near photos: comes before them anyway
        other_burst: 0.97,
        **near,
        far: 0.1,
    }
    judgments.store_embeddings(
        model,
        [(pid, anchor if c == 1.0 else _with_cosine(anchor, c, rng)) for pid, c in cosines.items()],
    )

    hits = more_like_this(me, settings, limit=20)
    order = [h.photo_id for h in hits]
    assert me not in order and gone_duplicate not in order
    assert order[:2] == [duplicate, burst]
    assert [h.why for h in hits[:2]] == [WHY_DUPLICATE, WHY_BURST]
    assert order[2:] == [other_burst, *near, far]  # the rest by cosine
    assert all(h.why == "" for h in hits[2:])
    assert hits[0].score == pytest.approx(0.995, abs=1e-4)
    assert [h.score for h in hits[2:]] == sorted((h.score for h in hits[2:]), reverse=True)

    assert [h.photo_id for h in more_like_this(me, settings, limit=3)] == [
        duplicate,
        burst,
        other_burst,
    ]
    # Same answer from the GUI's in-memory matrix (which still holds the deleted photo).
    live = judgments.EmbeddingCache(model).load()
    assert more_like_this(me, settings, limit=20, embeddings=live) == hits


def test_more_like_this_for_a_photo_without_an_embedding_says_why(catalog: object) -> None:
    settings = Settings()
    lonely = _photo("lonely.jpg")
    with pytest.raises(SearchUnavailable, match="no CLIP embedding"):
        more_like_this(lonely, settings)
    with pytest.raises(SearchUnavailable, match="not in the catalog"):
        more_like_this(lonely + 100, settings)


def test_importing_the_search_imports_neither_torch_nor_qt() -> None:
    code = (
        "import sys, curator.search.semantic;"
        "print(*(m in sys.modules for m in ('torch', 'open_clip', 'PySide6')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]
