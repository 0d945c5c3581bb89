"""One way to add a CLI command: every command word comes from a module of
`curator.commands` with the `NAMES` + `register(sub, common)` protocol, has a
handler, and is routed to the command line by `curator.__main__`."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from curator import cli
from curator.commands import GROUPS

PKG = Path(__file__).resolve().parents[2] / "curator"


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(actions[0].choices) if actions else {}


def _handlers(word: str, parser: argparse.ArgumentParser) -> list[tuple[str, object]]:
    """(command words, handler) for a command, or for each of its sub-commands."""
    nested = _subparsers(parser)
    if nested:
        return [h for sub, p in nested.items() for h in _handlers(f"{word} {sub}", p)]
    return [(word, parser.get_default("handler") or parser.get_default("no_catalog_handler"))]


def test_every_command_module_is_a_group_and_every_word_is_registered() -> None:
    on_disk = {
        f"curator.commands.{p.stem}"
        for p in (PKG / "commands").glob("*.py")
        if p.stem not in ("__init__", "base")
    } | {  # a group of many commands is a package (commands/proof/)
        f"curator.commands.{p.name}"
        for p in (PKG / "commands").iterdir()
        if (p / "__init__.py").is_file()
    }
    assert set(GROUPS) == on_disk  # a command module not in GROUPS would never run
    words = [w for name in GROUPS for w in importlib.import_module(name).NAMES]
    assert len(words) == len(set(words)) and tuple(words) == cli.COMMANDS
    registered = _subparsers(cli.build_parser())
    assert list(registered) == words  # the parser holds exactly these, in this order


def test_every_command_has_a_handler_and_cli_defines_none() -> None:
    for command, parser in _subparsers(cli.build_parser()).items():
        for words, handler in _handlers(command, parser):
            assert callable(handler), words
            assert handler.__module__.startswith("curator.commands."), (words, handler.__module__)
    assert not [name for name in vars(cli) if name.startswith("cmd_")]


def test_the_entry_point_routes_every_command_word_to_the_cli(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from curator import __main__ as entry

    seen: list[list[str]] = []
    monkeypatch.setattr(cli, "main", lambda args: seen.append(list(args)) or 0)
    for word in cli.COMMANDS:
        assert entry.main([word, "--help"]) == 0
    assert [args[0] for args in seen] == list(cli.COMMANDS)
