"""Read a YAML file safely, keeping where each value was written.

Only plain YAML data is accepted (mappings, lists, strings, numbers, booleans, null, dates):
no Python object tags, no duplicate keys, bounded size, nesting depth and alias expansion, values
YAML's own constructors cannot build (`2026-02-30`, `!!int abc`) reported as such, so a hostile or
broken file gives a `DefinitionError` with file and line, never a hang or a traceback. Only
regular files are read (a FIFO or `/dev/zero` would block or never end).
libyaml's C parser is used when present; the pure parser re-reads a failing file so that error
messages are the same either way.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sop_cli.errors import DefinitionError

MAX_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 64  # an SOP file nests 4 levels; Python's recursion limit is met near 500

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
    except RecursionError:
        raise _too_deep(path, raw, yaml) from None
    except yaml.YAMLError as error:
        if loader_class is yaml.SafeLoader:
            raise _yaml_error(path, error) from None
        node = None  # let the pure parser produce the message below
    if node is None and loader_class is not yaml.SafeLoader:
        try:
            node = _compose(raw, yaml.SafeLoader)
        except RecursionError:
            raise _too_deep(path, raw, yaml) from None
        except yaml.YAMLError as error:
            raise _yaml_error(path, error) from None
    if node is None:
        raise DefinitionError(f"{path}:1:1: the file holds no YAML document (it is empty)")
    builder = _Builder(path, yaml)
    data = builder.build(node, ())
    return Located(data, builder.marks, path)


def read_bytes(path: Path) -> bytes:
    """The file's bytes (at most MAX_BYTES + 1 of them); DefinitionError when it cannot be read.

    Opened without blocking and checked to be a regular file before reading: a FIFO would wait
    for a writer forever and `/dev/zero` never ends.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise DefinitionError(f"{path}: cannot be read: a symbolic link that loops (it points back to itself)") from None
        if error.errno == errno.ENOENT and os.path.islink(path):
            raise DefinitionError(f"{path}: cannot be read: a symbolic link to {os.readlink(path)!r}, which does not exist") from None
        raise DefinitionError(f"{path}: cannot be read: {error.strerror or error}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise DefinitionError(f"{path}: is a folder, not a YAML file")
        if not stat.S_ISREG(mode):
            raise DefinitionError(f"{path}: not a regular file ({_kind(mode)}); YAML is read from a text file")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise DefinitionError(f"{path}: cannot be read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def _read_text(path: Path, content: bytes | None = None) -> str:
    raw = read_bytes(path) if content is None else content
    if len(raw) > MAX_BYTES:
        raise DefinitionError(f"{path}: the file is larger than {MAX_BYTES // 1000} kB; an SOP file is a few kB")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or _looks_utf16(raw):
        raise DefinitionError(f"{path}:1:1: the file is UTF-16 text; save it as UTF-8")
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


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 without a byte-order mark: mostly Latin text, so a NUL in (nearly) every other byte."""
    sample = raw[:400]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]

    def mostly(part: bytes) -> bool:
        return part.count(0) >= 0.9 * len(part)

    def hardly(part: bytes) -> bool:
        return part.count(0) <= 0.1 * len(part)

    return (mostly(even) and hardly(odd)) or (mostly(odd) and hardly(even))


def _too_deep(path: Path, text: str, yaml: Any) -> DefinitionError:
    """The error for a document nested too deeply to compose, located by a flat event scan."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return DefinitionError(
                        f"{path}:{mark.line + 1}:{mark.column + 1}: the data is nested more than {MAX_DEPTH} levels deep; "
                        "an SOP file nests a few levels"
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as error:
        return _yaml_error(path, error)
    return DefinitionError(f"{path}:1:1: the data is nested more than {MAX_DEPTH} levels deep")


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
        if len(loc) > MAX_DEPTH:
            raise self.fail(node, f"the data is nested more than {MAX_DEPTH} levels deep; an SOP file nests a few levels")
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
                where = (*loc, key)
                if key in result:
                    first = self.marks.get(where, (0, 0))[0]
                    raise self.fail(key_node, f"duplicate key {key!r} (first written on line {first})")
                self.marks[where] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
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
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as error:
            # The constructors check little: `2026-02-30` reaches datetime.date, `!!bool maybe` a dict.
            raise self.fail(node, self.unbuildable(node, error)) from None

    def unbuildable(self, node: Any, error: Exception) -> str:
        """Why a scalar YAML reads as a number, date or boolean cannot be built, in the user's words."""
        value = str(node.value)
        shown = repr(value if len(value) <= 60 else value[:57] + "...")
        kind = node.tag.rsplit(":", 1)[-1]
        if kind == "timestamp":
            detail = str(error) if isinstance(error, ValueError) else "not a date"
            return f"invalid date {shown} ({detail}); write a real date, or quote it to keep it as text"
        names = {"int": "integer", "float": "number", "bool": "boolean (true/false)", "null": "null"}
        return f"invalid value {shown} for the tag !!{kind}: not a valid {names.get(kind, kind)}"

