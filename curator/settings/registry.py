"""The settings registry: what is known of each field of `Settings`, and how
values are checked, loaded and saved.

Precedence: defaults, the JSON settings file (`AppPaths.settings_file`), then
`CURATOR_<FIELD>` variables. A value already of its type and within bounds is
taken as is, so start-up imports no pydantic (~100 ms); anything else is
validated by the pydantic model built from `FIELDS` (`validate`).
`save_changes` writes just the named keys (an environment value is not saved).
"""

from __future__ import annotations

import inspect
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args, get_origin, get_type_hints

from curator.settings.fields import Settings

if TYPE_CHECKING:
    from pydantic import BaseModel


class SettingsError(Exception):
    """The settings file or an environment override is invalid."""


class InvalidSettings(SettingsError):
    """Values pydantic refused: `problems` is (location, message) per error, the
    location's first part the field's name."""

    def __init__(self, problems: list[tuple[tuple[str | int, ...], str]]):
        self.problems = problems
        text = "; ".join(f"{'.'.join(str(p) for p in loc)}: {msg}" for loc, msg in problems)
        super().__init__(f"Invalid setting — {text}")


@dataclass(frozen=True)
class FieldSpec:
    """What the dialog and the validator know of one setting."""

    name: str
    annotation: Any  # the declared type, evaluated (int, float, Literal[...], ...)
    default: Any
    default_factory: Callable[[], Any] | None
    title: str
    description: str
    ge: float | None
    le: float | None
    form: bool
    advanced: bool  # an engineering knob: under "Advanced" in the dialog
    check: Callable[[Any], Any] | None

    @property
    def choices(self) -> tuple[str, ...]:
        """The words a `Literal` setting allows (empty for the others)."""
        return get_args(self.annotation) if get_origin(self.annotation) is Literal else ()


def _specs() -> dict[str, FieldSpec]:
    hints = get_type_hints(Settings)
    out = {}
    for f in fields(Settings):
        m = f.metadata
        factory = f.default_factory if callable(f.default_factory) else None
        default = None if factory is not None else f.default
        out[f.name] = FieldSpec(
            f.name, hints[f.name], default, factory, m["title"], m["description"],
            m["ge"], m["le"], m["form"], m["advanced"], m["check"],
        )  # fmt: skip
    return out


FIELDS: dict[str, FieldSpec] = _specs()
ADVANCED: frozenset[str] = frozenset(name for name, spec in FIELDS.items() if spec.advanced)


def form_fields() -> list[str]:
    """The settings the generated dialog edits (not those with a page of their own)."""
    return [name for name, spec in FIELDS.items() if spec.form]


_ASK = object()  # "pydantic decides": the value may need coercing, or be invalid
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")  # plain ASCII digits: what float() and pydantic agree on
_BOOL_TEXT = {"0": False, "1": True, "false": False, "true": True}


def _plain_value(spec: FieldSpec, value: Any) -> Any:
    """The value pydantic would return for `value` when that is plain to see:
    exactly the declared type (or an environment variable's digits or
    true/false) within the bounds, a word the field allows. `_ASK` otherwise,
    which only means "ask pydantic" (it may coerce or refuse)."""
    kind = spec.annotation
    if spec.choices:
        return value if type(value) is str and value in spec.choices else _ASK
    if kind is bool:
        if type(value) is str:
            return _BOOL_TEXT.get(value, _ASK)
        return value if type(value) is bool else _ASK
    if kind is int or kind is float:
        if type(value) is str and _NUMBER.fullmatch(value):
            value = int(value) if kind is int and value.isdigit() else float(value)
        if type(value) is not int and not (kind is float and type(value) is float):
            return _ASK
        inside = (spec.ge is None or value >= spec.ge) and (spec.le is None or value <= spec.le)
        return kind(value) if math.isfinite(value) and inside else _ASK
    if kind is str:
        if type(value) is not str:
            return _ASK
        try:
            return value if spec.check is None or spec.check(value) == value else _ASK
        except ValueError:
            return _ASK
    if get_origin(kind) is dict and type(value) is dict:
        plain = all(type(k) is str and type(v) is str for k, v in value.items())
        return dict(value) if plain else _ASK
    return _ASK


@cache
def pydantic_model() -> type[BaseModel]:
    """The pydantic model of `Settings` (built once, on the first value to check)."""
    from pydantic import AfterValidator, ConfigDict, Field, create_model

    definitions: dict[str, Any] = {}
    for name, spec in FIELDS.items():
        kind = spec.annotation
        if spec.check is not None:  # as a field validator: after the type's own check
            kind = Annotated[kind, AfterValidator(spec.check)]
        kw: dict[str, Any] = {"title": spec.title, "description": spec.description}
        kw |= {k: v for k, v in (("ge", spec.ge), ("le", spec.le)) if v is not None}
        if spec.default_factory is not None:
            definitions[name] = (kind, Field(default_factory=spec.default_factory, **kw))
        else:
            definitions[name] = (kind, Field(default=spec.default, **kw))
    model: type[BaseModel] = create_model(
        "Settings",
        __config__=ConfigDict(frozen=True, extra="ignore"),
        **definitions,
    )
    return model


def validate(values: dict[str, Any]) -> Settings:
    """`values` (unknown names ignored) over the defaults, checked: InvalidSettings
    (pydantic's messages, by field) if any is not a valid setting."""
    plain = {name: _plain_value(FIELDS[name], v) for name, v in values.items() if name in FIELDS}
    if all(value is not _ASK for value in plain.values()):
        return Settings(**plain)
    from pydantic import ValidationError

    try:
        checked = pydantic_model()(**values)
    except ValidationError as exc:
        problems = [(tuple(err["loc"]), str(err["msg"])) for err in exc.errors()]
        raise InvalidSettings(problems) from exc
    return Settings(**{name: getattr(checked, name) for name in FIELDS})


def _read_file(settings_file: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(settings_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"The settings file {settings_file} can't be read: {exc}") from exc
    if not isinstance(loaded, dict):
        raise SettingsError(f"The settings file {settings_file} must hold a JSON object.")
    return loaded


def _write_file(settings_file: Path, values: dict[str, Any]) -> None:
    """`values` as the settings file, atomically (temp + rename)."""
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = settings_file.with_name(settings_file.name + ".tmp")
    tmp.write_text(json.dumps(values, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, settings_file)


def load_settings(settings_file: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Build the settings snapshot from file and environment; raise SettingsError if invalid."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    if settings_file is not None and settings_file.exists():
        values.update(_read_file(settings_file))
    values.update({name: env[env_name(name)] for name in FIELDS if env_name(name) in env})
    return validate(values)


def env_name(name: str) -> str:
    """The environment variable that overrides setting `name` (CURATOR_NAME)."""
    return f"CURATOR_{name.upper()}"


def env_overrides(env: dict[str, str] | None = None) -> dict[str, str]:
    """The settings an environment variable sets ({field: "CURATOR_FIELD"})."""
    env = dict(os.environ) if env is None else env
    return {name: env_name(name) for name in FIELDS if env_name(name) in env}


def settings_markdown() -> str:
    """The docs site's settings reference (docs/reference/settings.md), from `FIELDS`:
    a section per setting (a computed default is its function's docstring)."""
    out = []
    for name, s in FIELDS.items():
        f = s.default_factory
        shown = f.__doc__ if inspect.isfunction(f) else f"`{json.dumps(f() if f else s.default)}`"
        facts = [f"default {shown}"] + ([f"{s.ge:g} to {s.le:g}"] if s.ge is not None else [])
        facts += ["one of " + ", ".join(f"`{c}`" for c in s.choices)] if s.choices else []
        where = "*Advanced settings*" if name in ADVANCED else "the dialog" if s.form else ""
        facts += [f"`{env_name(name)}`"] + ([f"in {where}"] if where else ["not in the dialog"])
        out += [f"## {name}", "", f"**{s.title}.** {s.description}", "", " · ".join(facts), ""]
    return "\n".join(out)


def save_changes(settings_file: Path, changes: dict[str, Any]) -> None:
    """Write only `changes` into the settings file, keeping what it already holds
    (the Settings dialog's OK: an environment override is never written); a
    change back to the default removes the field. Validated first
    (SettingsError, nothing written)."""
    values = {**(_read_file(settings_file) if settings_file.exists() else {}), **changes}
    try:
        checked = validate(values)
    except InvalidSettings as exc:
        raise SettingsError(f"Invalid setting — {exc.problems[0][1]}") from exc
    defaults = Settings()
    kept = {
        name: getattr(checked, name)
        for name in values
        if name in FIELDS and getattr(checked, name) != getattr(defaults, name)
    }
    _write_file(settings_file, kept)


def save_settings(settings_file: Path, settings: Settings) -> None:
    """Write the settings that differ from the defaults."""
    defaults = Settings()
    changed = {
        name: value for name, value in asdict(settings).items() if value != getattr(defaults, name)
    }
    _write_file(settings_file, changed)
