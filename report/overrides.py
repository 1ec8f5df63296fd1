"""Overrides as Hydra's grammar reads them: a job's `key=value` texts typed as Hydra types them,
and a value written back as an override that parses to it. Shared by the recording callback, the
sweeper plugin, the collector and the page; it imports nothing else from `report`.
"""

from __future__ import annotations

import re
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException

# `key=value` overrides whose value is one token of Hydra's override grammar (hydra/grammar/
# OverrideLexer.g4): an integer, a float, or a name (true, false, null, inf and nan among them).
# Those are typed here as Hydra types them; any other override goes through Hydra's parser, which
# takes a millisecond per job: seconds for the jobs of a large sweep that left no result file.
_ID = r"[A-Za-z_][A-Za-z0-9_-]*"
_INT = r"(?:0|[1-9](?:_?[0-9])*)"
_POINT = rf"(?:{_INT}?\.[0-9](?:_?[0-9])*|{_INT}\.)"
SIMPLE_OVERRIDE = re.compile(
    rf"\+{{0,2}}(?P<key>{_ID}(?:\.{_ID})*)=(?:(?P<int>[+-]?{_INT})"
    rf"|(?P<float>[+-]?(?:(?:{_POINT}|{_INT})[eE][+-]?[0-9](?:_?[0-9])*|{_POINT}|[Ii][Nn][Ff]|[Nn][Aa][Nn]))|(?P<name>{_ID}))"
)
NAMES = {"true": True, "false": False, "null": None}


def typed_overrides(overrides: list[str]) -> dict[str, Any]:
    """Map each override's key to its value as Hydra's grammar types it (int, float, bool, str).

    Config-group choices such as `model=rf` come out as their option name; deletions (`~key`)
    are left out. Lists and dicts are kept as their override text, since a table cell holds one
    scalar. Raises HydraException for text that is no override of a single value.
    """
    try:
        simple = simple_overrides(overrides)
        return _typed(overrides) if simple is None else simple
    except (RecursionError, ValueError) as error:  # nested too deeply; an integer of thousands of digits
        raise HydraException(f"cannot parse the overrides: {error}") from None


def _typed(overrides: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for override in OverridesParser.create().parse_overrides(overrides):
        if override.is_delete():
            continue
        value = override.value()
        if not isinstance(value, (str, int, float, bool)) and value is not None:
            value = override.get_value_element_as_str()
        values[override.key_or_group] = value
    return values


def simple_overrides(overrides: list[str]) -> dict[str, Any] | None:
    """The overrides' values typed as Hydra's grammar types them, where every one is SIMPLE_OVERRIDE;
    else None (Hydra's parser is then needed)."""
    values: dict[str, Any] = {}
    for text in overrides:
        match = SIMPLE_OVERRIDE.fullmatch(text)
        if match is None:
            return None
        key, integer, number, name = match.group("key", "int", "float", "name")
        if integer is not None:
            values[key] = int(integer)
        elif number is not None:
            values[key] = float(number)
        elif name.lower() in ("inf", "nan"):
            values[key] = float(name)
        else:
            values[key] = NAMES.get(name.lower(), name)
    return values


def override_text(key: str, value: Any) -> str:
    """`key=value` that Hydra parses back to exactly `value`: strings Hydra would read as another
    type or split (`'1'`, `'true'`, `'a,b'`) are quoted; None is `null`."""
    if value is None:
        return f"{key}=null"
    if isinstance(value, bool):
        return f"{key}={str(value).lower()}"
    text = f"{key}={value!r}" if isinstance(value, float) else f"{key}={value}"
    try:
        parsed = typed_overrides([text]).get(key.lstrip("+"))
    except HydraException:
        parsed = None
    if parsed == value and type(parsed) is type(value):
        return text
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"{key}='{escaped}'"


def without_key(overrides: list[str], key: str) -> tuple[list[str], str]:
    """The overrides without those that set `key`, and the prefix (`''`, `+`, `++`) it was set with."""
    kept, prefix = [], ""
    for override in overrides:
        name = override.split("=", 1)[0]
        if name.lstrip("+") == key:
            prefix = name[: len(name) - len(key)]
        else:
            kept.append(override)
    return kept, prefix


def log_tagged(sweep_overrides: list[str]) -> frozenset[str]:
    """The keys whose sweep carries Hydra's `log` tag, e.g. `lr=tag(log, interval(1e-5, 1e-1))`."""
    parser, tagged = OverridesParser.create(), set()
    for text in sweep_overrides:
        try:
            override = parser.parse_override(str(text))
        except HydraException:  # a flag such as -m, or text that is no override
            continue
        if override.is_sweep_override() and "log" in getattr(override.value(), "tags", ()):
            tagged.add(override.key_or_group)
    return frozenset(tagged)
