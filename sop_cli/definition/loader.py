"""Load an SOP file into a validated `SopDefinition`, or explain every problem with file:line:column."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sop_cli.definition.yamlfile import Located, read_yaml
from sop_cli.errors import DefinitionError
from sop_cli.i18n import N_, _, ngettext


def load_definition(path: Path, content: bytes | None = None) -> Any:
    """Read and validate one SOP file; raise DefinitionError listing all problems found.

    `content`: the file's bytes, when the caller has read them already (see `yamlfile.read_bytes`).
    """
    located = read_yaml(path, content)
    return validate_data(located)


def validate_data(located: Located) -> Any:
    """Validate already-read YAML data as an SOP definition."""
    from pydantic import ValidationError

    from sop_cli.definition.model import SopDefinition

    if not isinstance(located.data, dict):
        raise DefinitionError(
            _("{path}:1:1: an SOP file is a mapping of fields (id, nama, organisasi, ...), not {kind}").format(
                path=located.path, kind=_kind_of(located.data))
        )
    try:
        return SopDefinition.model_validate(located.data)
    except ValidationError as error:
        found = _problems(located, error)
        # The reviewer's checks run on a valid model only; the lane check needs no more than the
        # raw lists, so it is reported in the same round as the field errors.
        found += [p for p in _raw_lane_problems(located) if p not in found]
        problems = sorted(found, key=_line_order)
        count = len(problems)
        raise DefinitionError(
            ngettext("{path}: {count} problem in this SOP file:", "{path}: {count} problems in this SOP file:",
                     count).format(path=located.path, count=count), problems
        ) from None


def _raw_lane_problems(located: Located) -> list[str]:
    """Steps naming a lane that `pelaksana` does not declare, read from the raw YAML data."""
    data = located.data
    lanes, steps = data.get("pelaksana"), data.get("langkah")
    if not isinstance(lanes, list) or not isinstance(steps, list):
        return []
    from sop_cli.definition.model import undeclared_lane

    declared = [str(lane["id"]) for lane in lanes if isinstance(lane, dict) and isinstance(lane.get("id"), str)]
    found = []
    for i, step in enumerate(steps):
        named = step.get("pelaksana") if isinstance(step, dict) else None
        if isinstance(named, str):
            named = [named]
        if not isinstance(named, list):
            continue
        for j, lane_id in enumerate(named):
            if isinstance(lane_id, str) and lane_id not in declared:
                loc = ("langkah", i, "pelaksana", j) if isinstance(step.get("pelaksana"), list) else ("langkah", i, "pelaksana")
                found.append(f"{located.where(loc)}: {_dotted(loc)}: " + undeclared_lane(
                    step.get("no", i + 1), lane_id, declared))
    return found


def _problems(located: Located, error: Any) -> list[str]:
    from sop_cli.definition.model import DefinitionProblems

    found = []
    for item in error.errors(include_url=False):
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, DefinitionProblems):
            for loc, message in cause.problems:
                found.append(f"{located.where(loc)}: {_dotted(loc)}: {message}")
            continue
        loc = _field_loc(item["loc"], located.data)
        message = f"{located.where(loc)}: {_dotted(loc)}: "
        if len(loc) != len(item["loc"]) and found and found[-1].startswith(message):
            # another arm of a union (`ramadan`: 'asn' or a schedule): one line, the ways it can be written
            found[-1] = _("{problem}; or {other}").format(problem=found[-1], other=_message(item))
            continue
        found.append(message + _message(item))
    return found


def _field_loc(loc: Any, data: Any) -> tuple[Any, ...]:
    """`loc` without the names pydantic gives the arms of a union (`constrained-str`,
    `literal['asn']`, `list[...]`): a part that is no key or index of the data there and reads
    like such a name is no field of the file."""
    kept: list[Any] = []
    for part in loc:
        written = ((isinstance(data, dict) and part in data)
                   or (isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)))
        if written:
            data = data[part]
        elif isinstance(part, str) and (part in _UNION_ARMS or _UNION_ARM.match(part)):
            continue
        else:
            data = None
        kept.append(part)
    return tuple(kept)


_UNION_ARMS = frozenset({"constrained-str", "str", "int", "bool", "date", "none"})
_UNION_ARM = re.compile(r"^[a-z-]+\[.*\]$")

# pydantic's messages for the error types an SOP file can meet, by type: the message ids are
# pydantic's own English (so `SOP_LANG=en` reads as before) with its context values as placeholders.
_PYDANTIC: dict[str, str] = {
    "string_type": N_("Input should be a valid string"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
    "date_from_datetime_inexact": N_("Datetimes provided to dates should have zero time - e.g. be exact dates"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "literal_error": N_("Input should be {expected}"),
    "invalid_key": N_("Keys should be strings"),
    "union_tag_invalid": N_("Input tag {tag} found using {discriminator} does not match any of the expected tags: "
                            "{expected_tags}"),
}

# Why a text is no date, as pydantic (speedate) words it.
_DATE_ERRORS = {
    "input is too short": N_("input is too short"),
    "input is too long": N_("input is too long"),
    "invalid character in year": N_("invalid character in year"),
    "invalid character in month": N_("invalid character in month"),
    "invalid character in day": N_("invalid character in day"),
    "invalid date separator, expected `-`": N_("invalid date separator, expected `-`"),
    "month value is outside expected range of 1-12": N_("month value is outside expected range of 1-12"),
    "day value is outside expected range": N_("day value is outside expected range"),
    "unexpected extra characters at the end of the input": N_("unexpected extra characters at the end of the input"),
    "dates after 9999 are not supported as unix timestamps": N_("dates after 9999 are not supported as unix timestamps"),
}

# What a value read from YAML is, for "got ...": one message per kind so each reads whole.
_GOT = {
    "str": N_("{problem}, got str {value}"),
    "int": N_("{problem}, got int {value}"),
    "float": N_("{problem}, got float {value}"),
    "bool": N_("{problem}, got bool {value}"),
    "NoneType": N_("{problem}, got NoneType {value}"),
    "list": N_("{problem}, got list {value}"),
    "dict": N_("{problem}, got dict {value}"),
    "date": N_("{problem}, got date {value}"),
    "datetime": N_("{problem}, got datetime {value}"),
}


def _message(item: dict[str, Any]) -> str:
    """The message of one pydantic error, in the interface language; a type not mapped above
    keeps pydantic's English message."""
    kind = item["type"]
    ctx = dict(item.get("ctx") or {})
    if kind == "extra_forbidden":
        return _("unknown field (check the spelling; `sop schema` lists the fields)")
    if kind == "missing":
        return _("required field is missing")
    if kind == "value_error":
        return str(ctx["error"])
    if kind == "too_short" and isinstance(ctx.get("min_length"), int):
        return ngettext("List should have at least {min_length} item after validation, not {actual_length}",
                        "List should have at least {min_length} items after validation, not {actual_length}",
                        ctx["min_length"]).format(**ctx)
    if kind == "string_too_short" and isinstance(ctx.get("min_length"), int):
        return ngettext("String should have at least {min_length} character",
                        "String should have at least {min_length} characters", ctx["min_length"]).format(**ctx)
    if kind == "literal_error":
        ctx["expected"] = _choices(str(ctx.get("expected", "")))
    if "error" in ctx and kind.startswith("date"):
        detail = str(ctx["error"])
        ctx["error"] = _(_DATE_ERRORS[detail]) if detail in _DATE_ERRORS else detail
    template = _PYDANTIC.get(kind)
    try:
        message = _(template).format(**ctx) if template else str(item["msg"])
    except (KeyError, IndexError, ValueError):
        message = str(item["msg"])
    if kind.endswith("_type") or kind.endswith("_parsing"):
        value = item.get("input")
        shown = repr(value)
        shown = shown if len(shown) <= 180 else shown[:177] + "..."
        got = _GOT.get(type(value).__name__)
        if got is not None:
            return _(got).format(problem=message, value=shown)
        return _("{problem}, got {kind} {value}").format(problem=message, kind=type(value).__name__, value=shown)
    return message


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" with the last "or" in the interface language."""
    head, sep, last = expected.rpartition(" or ")
    return _("{items} or {last}").format(items=head, last=last) if sep else expected


def _kind_of(value: object) -> str:
    """What a YAML document is when it is not a mapping, for the message above."""
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, str):
        return _("a text")
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, (int, float)):
        return _("a number")
    return _("a {kind}").format(kind=type(value).__name__)


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or _("(file)")


def _line_order(problem: str) -> tuple[int, int, str]:
    parts = problem.split(":")
    try:
        return int(parts[1]), int(parts[2]), problem
    except (IndexError, ValueError):
        return 0, 0, problem
