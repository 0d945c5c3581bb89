"""The gallery's People and Proposal filters as tables of choices
(`catalog.types.PeopleChoice`, `ProposalChoice`): each choice is one member with
its words and the search token of the same photos, and a value that is no
choice is an error, never every photo (tests/unit/test_faces_catalog.py and
test_proposal_review_catalog.py hold the photos each finds)."""

from __future__ import annotations

import pytest

from curator.catalog.people.filters import people_ids
from curator.catalog.types import MetadataFilter, NamedChoice, PeopleChoice, ProposalChoice

TABLES: tuple[type[NamedChoice], ...] = (PeopleChoice, ProposalChoice)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.__name__)
def test_each_choice_has_its_words_and_a_token(table: type[NamedChoice]) -> None:
    for choice in table:
        assert choice.label and choice.phrase and choice.token, choice
        assert table(choice.value) is choice  # read back by its value
    for column in ("value", "label", "phrase", "token"):
        values = [getattr(c, column) for c in table]
        assert len(set(values)) == len(values), column  # no two choices alike


def test_every_people_choice_is_a_people_filter() -> None:
    for choice in PeopleChoice:
        assert people_ids(choice.token) is not None, choice


@pytest.mark.parametrize(
    ("field", "value"),
    [("people", "closed eye"), ("people", "Closed eyes"), ("proposal", "keeps"), ("proposal", "x")],
)
def test_an_unknown_choice_is_an_error_not_every_photo(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=repr(value)):
        MetadataFilter(**{field: value})


def test_a_choice_s_value_becomes_its_member_and_empty_is_none() -> None:
    plain = MetadataFilter(people="smiling", proposal="highlight")
    assert plain.people is PeopleChoice.SMILING and plain.proposal is ProposalChoice.HIGHLIGHT
    assert plain == MetadataFilter(people=PeopleChoice.SMILING, proposal=ProposalChoice.HIGHLIGHT)
    assert MetadataFilter(people="", proposal="") == MetadataFilter()
    assert plain.describe() == "smiling, highlights"
