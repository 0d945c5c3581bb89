"""The on-screen lists read their tables: the search box's tooltip lists every
search token (`search.tokens.SEARCH_TOKENS`), and the Filter popup's People row
offers every `PeopleChoice` by its label, each giving the filter that choice."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from curator.catalog.types import FilterChoice, MetadataChoices, PeopleChoice, ProposalChoice
from curator.search.tokens import search_tokens
from curator.ui.gallery.metadata_panel import MetadataFilterPanel
from curator.ui.search.box import SearchBox


def test_the_search_box_s_tooltip_lists_every_token(qtbot: QtBot) -> None:
    box = SearchBox()
    qtbot.addWidget(box)
    tip = " ".join(box.field.toolTip().split())  # its lines joined
    for token in search_tokens():
        assert f" {token.syntax}," in tip or f" {token.syntax}." in tip, token.syntax


def test_the_filter_popup_offers_every_people_and_proposal_choice(qtbot: QtBot) -> None:
    panel = MetadataFilterPanel()
    qtbot.addWidget(panel)
    people = panel.people_combo
    shown = [(people.itemText(i), people.itemData(i)) for i in range(people.count())]
    assert shown == [("Anyone", ""), *((c.label, c.value) for c in PeopleChoice)]
    for choice in PeopleChoice:
        people.setCurrentIndex(people.findData(choice.value))
        assert panel.filter().people is choice
    proposals = tuple(FilterChoice(c.value, c.label, n) for n, c in enumerate(ProposalChoice))
    panel.set_choices(MetadataChoices((), (), None, None, None, None, proposals=proposals))
    combo = panel.proposal_combo
    for choice in ProposalChoice:
        combo.setCurrentIndex(combo.findData(choice.value))
        assert panel.filter().proposal is choice
        assert combo.currentText().startswith(choice.label)
