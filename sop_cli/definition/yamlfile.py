"""Read a YAML file safely, keeping where each value was written.

Only plain YAML data is accepted (mappings, lists, strings, numbers, booleans, null, dates):
no Python object tags, no duplicate keys, bounded size and bounded alias expansion, so a hostile
or broken file gives a `DefinitionError` with file and line, never a hang or a traceback.
libyaml's C parser is used when present; the pure parser re-reads a failing file so that error
messages are the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sop_cli.errors import DefinitionError

MAX_BYTES = 1_000_000
MAX_NODES = 100_000

_PLAIN_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


@dataclass(frozen=True)
class Located:
    """Data read from a YAML file plus the (line, column) of every value, by path."""

    data: Any
    marks: dict[tuple[Any, ...], tuple[int, int]]
    path: Path

    def where(self, loc: tuple[Any, ...]) -> str:
        """`file:line:column` of the deepest part of `loc` that was written in the file."""
        for depth in range(len(loc), -1, -1):
            mark = self.marks.get(tuple(loc[:depth]))
            if mark:
                return f"{self.path}:{mark[0]}:{mark[1]}"
        return f"{self.path}:1:1"


def read_yaml(path: Path, content: bytes | None = None) -> Located:
    """Parse `path`; raise DefinitionError with file:line:column for anything that is not plain YAML data.

    `content`: the file's bytes when the caller has read them already (they are checked the same way).
    """
    raw = _read_text(path, content)
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = _compose(raw, loader_class)
    except yaml.YAMLError:
        if loader_class is yaml.SafeLoader:
            raise
        node = None  # let the pure parser produce the message below
    if node is None and loader_class is not yaml.SafeLoader:
        try:
            node = _compose(raw, yaml.SafeLoader)
        except yaml.YAMLError as error:
            raise _yaml_error(path, error) from None
    if node is None:
        raise DefinitionError(f"{path}:1:1: the file holds no YAML document (it is empty)")
    builder = _Builder(path, yaml)
    data = builder.build(node, ())
    return Located(data, builder.marks, path)


def read_bytes(path: Path) -> bytes:
    """The file's bytes (at most MAX_BYTES + 1 of them); DefinitionError when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise DefinitionError(f"{path}: cannot be read: {error.strerror or error}") from None


def _read_text(path: Path, content: bytes | None = None) -> str:
    raw = read_bytes(path) if content is None else content
    if len(raw) > MAX_BYTES:
        raise DefinitionError(f"{path}: the file is larger than {MAX_BYTES // 1000} kB; an SOP file is a few kB")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DefinitionError(f"{path}:{line}:1: the file is binary (it contains NUL bytes), not YAML text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DefinitionError(
            f"{path}:{line}:1: the file is not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "save it as UTF-8"
        ) from None
    if not text.strip():
        raise DefinitionError(f"{path}:1:1: the file is empty")
    return text


def _compose(text: str, loader_class: Any) -> Any:
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _yaml_error(path: Path, error: Any) -> DefinitionError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    message = f"{problem} ({context})" if context else problem
    if "\\t" in message or "'\\t'" in message or "tab" in message:
        message += "; indent with spaces, not tabs"
    return DefinitionError(f"{path}:{line}:{column}: invalid YAML: {message}")


class _Builder:
    """Turns composed YAML nodes into plain data, recording marks and refusing the unsafe."""

    def __init__(self, path: Path, yaml: Any) -> None:
        self.path = path
        self.yaml = yaml
        self.marks: dict[tuple[Any, ...], tuple[int, int]] = {}
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def fail(self, node: Any, message: str) -> DefinitionError:
        mark = node.start_mark
        return DefinitionError(f"{self.path}:{mark.line + 1}:{mark.column + 1}: {message}")

    def build(self, node: Any, loc: tuple[Any, ...]) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(
                node, f"the document expands to more than {MAX_NODES} values (aliases repeated too often?)"
            )
        if loc not in self.marks:
            self.marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.tag not in _PLAIN_TAGS:
            raise self.fail(node, f"the tag {node.tag!r} is not allowed; an SOP file holds plain data only")
        if isinstance(node, self.yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "merge keys (<<) are not supported in SOP files")
                if key_node.tag not in _PLAIN_TAGS:
                    raise self.fail(key_node, f"the tag {key_node.tag!r} is not allowed; an SOP file holds plain data only")
                if not isinstance(key_node, self.yaml.ScalarNode):
                    raise self.fail(key_node, "a key must be plain text, not a list or mapping")
                # Keys are names, read as written: YAML 1.1 would turn the key `no` into False.
                key = key_node.value
                if key in result:
                    first = self.marks.get((*loc, key), (0, 0))[0]
                    raise self.fail(key_node, f"duplicate key {key!r} (first written on line {first})")
                self.marks[(*loc, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, (*loc, key))
            return result
        if isinstance(node, self.yaml.SequenceNode):
            return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
        if node.tag == "tag:yaml.org,2002:str":
            return node.value  # what the constructor returns for a str scalar, without its dispatch
        try:
            return self.constructor.construct_object(node, deep=True)
        except self.yaml.YAMLError as error:
            raise self.fail(node, f"invalid value: {getattr(error, 'problem', error)}") from None
