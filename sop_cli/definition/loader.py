"""Load an SOP file into a validated `SopDefinition`, or explain every problem with file:line:column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sop_cli.definition.yamlfile import Located, read_yaml
from sop_cli.errors import DefinitionError


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
        kind = type(located.data).__name__
        raise DefinitionError(
            f"{located.path}:1:1: an SOP file is a mapping of fields (id, nama, organisasi, ...), not a {kind}"
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
            f"{located.path}: {count} problem{'s' if count != 1 else ''} in this SOP file:", problems
        ) from None


def _raw_lane_problems(located: Located) -> list[str]:
    """Steps naming a lane that `pelaksana` does not declare, read from the raw YAML data."""
    data = located.data
    lanes, steps = data.get("pelaksana"), data.get("langkah")
    if not isinstance(lanes, list) or not isinstance(steps, list):
        return []
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
                found.append(f"{located.where(loc)}: {_dotted(loc)}: step {step.get('no', i + 1)}: lane {lane_id!r} "
                             f"is not declared in pelaksana (declared: {', '.join(declared)})")
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
        loc = tuple(item["loc"])
        found.append(f"{located.where(loc)}: {_dotted(loc)}: {_message(item)}")
    return found


def _message(item: dict[str, Any]) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; `sop schema` lists the fields)"
    if kind == "missing":
        return "required field is missing"
    if kind == "value_error":
        return str(item["ctx"]["error"])
    message = str(item["msg"])
    if kind.endswith("_type") or kind.endswith("_parsing"):
        message += f", got {type(item.get('input')).__name__} {item.get('input')!r}"[:200]
    return message


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"


def _line_order(problem: str) -> tuple[int, int, str]:
    parts = problem.split(":")
    try:
        return int(parts[1]), int(parts[2]), problem
    except (IndexError, ValueError):
        return 0, 0, problem
