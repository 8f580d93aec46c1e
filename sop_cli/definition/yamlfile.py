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
from sop_cli.i18n import N_, _

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
        raise DefinitionError(_("{path}:1:1: the file holds no YAML document (it is empty)").format(path=path))
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
            raise DefinitionError(_("{path}: cannot be read: a symbolic link that loops (it points back to itself)")
                                  .format(path=path)) from None
        if error.errno == errno.ENOENT and os.path.islink(path):
            raise DefinitionError(_("{path}: cannot be read: a symbolic link to {target}, which does not exist")
                                  .format(path=path, target=repr(os.readlink(path)))) from None
        raise DefinitionError(_("{path}: cannot be read: {reason}").format(path=path, reason=_os_reason(error))) from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise DefinitionError(_("{path}: is a folder, not a YAML file").format(path=path))
        if not stat.S_ISREG(mode):
            raise DefinitionError(_("{path}: not a regular file ({kind}); YAML is read from a text file")
                                 .format(path=path, kind=_kind(mode)))
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise DefinitionError(_("{path}: cannot be read: {reason}").format(path=path, reason=_os_reason(error))) from None
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return _("a named pipe")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a plain file")


_OS_REASONS = {  # the C library's words (glibc), so that English reads as the system says it
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.ENOENT: N_("No such file or directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.EISDIR: N_("Is a directory"),
    errno.EIO: N_("Input/output error"),
    errno.ENAMETOOLONG: N_("File name too long"),
}


def _os_reason(error: OSError) -> str:
    """The reason an operating-system call failed, in the interface language when it is a common one."""
    reason = _OS_REASONS.get(error.errno or 0)
    if reason and error.strerror == reason:
        return _(reason)
    return str(error.strerror or error)


def _read_text(path: Path, content: bytes | None = None) -> str:
    raw = read_bytes(path) if content is None else content
    if len(raw) > MAX_BYTES:
        raise DefinitionError(_("{path}: the file is larger than {size} kB; an SOP file is a few kB")
                             .format(path=path, size=MAX_BYTES // 1000))
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or _looks_utf16(raw):
        raise DefinitionError(_("{path}:1:1: the file is UTF-16 text; save it as UTF-8").format(path=path))
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DefinitionError(_("{path}:{line}:1: the file is binary (it contains NUL bytes), not YAML text")
                             .format(path=path, line=line))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DefinitionError(
            _("{path}:{line}:1: the file is not UTF-8 text (byte 0x{byte} at offset {offset}); save it as UTF-8")
            .format(path=path, line=line, byte=f"{raw[error.start]:02x}", offset=error.start)
        ) from None
    if not text.strip():
        raise DefinitionError(_("{path}:1:1: the file is empty").format(path=path))
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
                        f"{path}:{mark.line + 1}:{mark.column + 1}: " + _too_deep_message()
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as error:
        return _yaml_error(path, error)
    return DefinitionError(f"{path}:1:1: " + _too_deep_message())


def _too_deep_message() -> str:
    return _("the data is nested more than {depth} levels deep; an SOP file nests a few levels").format(depth=MAX_DEPTH)


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
    tabs = any("\\t" in text or "tab" in text for text in (problem, context or ""))
    problem = _yaml_words(problem)
    message = _("{problem} ({context})").format(problem=problem, context=_yaml_words(context)) if context else problem
    if tabs:
        message = _("{problem}; indent with spaces, not tabs").format(problem=message)
    return DefinitionError(_("{place}: invalid YAML: {message}").format(place=f"{path}:{line}:{column}", message=message))


_YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"found character (?P<a>.+) that cannot start any token", N_("found character {a} that cannot start any token")),
    (r"mapping values are not allowed here", N_("mapping values are not allowed here")),
    (r"mapping keys are not allowed here", N_("mapping keys are not allowed here")),
    (r"sequence entries are not allowed here", N_("sequence entries are not allowed here")),
    (r"could not find expected ':'", N_("could not find expected ':'")),
    (r"found unexpected end of stream", N_("found unexpected end of stream")),
    (r"found unexpected document separator", N_("found unexpected document separator")),
    (r"expected <block end>, but found (?P<a>.+)", N_("expected <block end>, but found {a}")),
    (r"expected the node content, but found (?P<a>.+)", N_("expected the node content, but found {a}")),
    (r"expected ',' or '\]', but got (?P<a>.+)", N_("expected ',' or ']', but got {a}")),
    (r"expected ',' or '\}', but got (?P<a>.+)", N_("expected ',' or '}}', but got {a}")),
    (r"expected a comment or a line break, but found (?P<a>.+)", N_("expected a comment or a line break, but found {a}")),
    (r"expected ' ', but found (?P<a>.+)", N_("expected ' ', but found {a}")),
    (r"found undefined alias (?P<a>.+)", N_("found undefined alias {a}")),
    (r"expected alphabetic or numeric character, but found (?P<a>.+)",
     N_("expected alphabetic or numeric character, but found {a}")),
    (r"expected chomping or indentation indicators, but found (?P<a>.+)",
     N_("expected chomping or indentation indicators, but found {a}")),
    (r"expected '<document start>', but found (?P<a>.+)", N_("expected '<document start>', but found {a}")),
    (r"while scanning a directive", N_("while scanning a directive")),
    (r"found duplicate anchor (?P<a>.+); first occurrence", N_("found duplicate anchor {a}; first occurrence")),
    (r"second occurrence", N_("second occurrence")),
    (r"found unknown escape character (?P<a>.+)", N_("found unknown escape character {a}")),
    (r"found undefined tag handle (?P<a>.+)", N_("found undefined tag handle {a}")),
    (r"expected a single document in the stream", N_("expected a single document in the stream")),
    (r"but found another document", N_("but found another document")),
    (r"while scanning for the next token", N_("while scanning for the next token")),
    (r"while scanning a simple key", N_("while scanning a simple key")),
    (r"while scanning a quoted scalar", N_("while scanning a quoted scalar")),
    (r"while scanning a double-quoted scalar", N_("while scanning a double-quoted scalar")),
    (r"while scanning a block scalar", N_("while scanning a block scalar")),
    (r"while scanning an alias", N_("while scanning an alias")),
    (r"while scanning an anchor", N_("while scanning an anchor")),
    (r"while scanning a tag", N_("while scanning a tag")),
    (r"while parsing a block mapping", N_("while parsing a block mapping")),
    (r"while parsing a block collection", N_("while parsing a block collection")),
    (r"while parsing a flow sequence", N_("while parsing a flow sequence")),
    (r"while parsing a flow mapping", N_("while parsing a flow mapping")),
    (r"while parsing a block node", N_("while parsing a block node")),
    (r"while parsing a flow node", N_("while parsing a flow node")),
    (r"while parsing a node", N_("while parsing a node")),
)
"""PyYAML's problems and contexts (a YAMLError's `problem`, `context`): the message ids are its own
English words, so `SOP_LANG=en` reads as PyYAML wrote it; the catalog rewords them for a planner."""


def _yaml_words(text: str) -> str:
    """A PyYAML problem or context in the interface language (unknown ones as PyYAML words them)."""
    import re

    for pattern, message in _YAML_PROBLEMS:
        match = re.fullmatch(pattern, text)
        if match:
            if "a" not in match.groupdict():
                return _(message)
            found = match.group("a")
            return _(message).format(a=found, name=found.strip("'\""))
    return text


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
                node, _("the document expands to more than {count} values (aliases repeated too often?)")
                .format(count=MAX_NODES)
            )
        if len(loc) > MAX_DEPTH:
            raise self.fail(node, _too_deep_message())
        if loc not in self.marks:
            self.marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if node.tag not in _PLAIN_TAGS:
            raise self.fail(node, _bad_tag(node.tag))
        if isinstance(node, self.yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, _("merge keys (<<) are not supported in SOP files"))
                if key_node.tag not in _PLAIN_TAGS:
                    raise self.fail(key_node, _bad_tag(key_node.tag))
                if not isinstance(key_node, self.yaml.ScalarNode):
                    raise self.fail(key_node, _("a key must be plain text, not a list or mapping"))
                # Keys are names, read as written: YAML 1.1 would turn the key `no` into False.
                key = key_node.value
                where = (*loc, key)
                if key in result:
                    first = self.marks.get(where, (0, 0))[0]
                    raise self.fail(key_node, _("duplicate key {key} (first written on line {line})")
                                    .format(key=repr(key), line=first))
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
            raise self.fail(node, _("invalid value: {problem}").format(
                problem=_yaml_words(str(getattr(error, "problem", None) or error)))) from None
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as error:
            # The constructors check little: `2026-02-30` reaches datetime.date, `!!bool maybe` a dict.
            raise self.fail(node, self.unbuildable(node, error)) from None

    def unbuildable(self, node: Any, error: Exception) -> str:
        """Why a scalar YAML reads as a number, date or boolean cannot be built, in the user's words."""
        value = str(node.value)
        shown = repr(value if len(value) <= 60 else value[:57] + "...")
        kind = node.tag.rsplit(":", 1)[-1]
        if kind == "timestamp":
            detail = _date_detail(str(error)) if isinstance(error, ValueError) else _("not a date")
            return _("invalid date {value} ({detail}); write a real date, or quote it to keep it as text").format(
                value=shown, detail=detail)
        names = {"int": N_("not a valid integer"), "float": N_("not a valid number"),
                 "bool": N_("not a valid boolean (true/false)"), "null": N_("not a valid null")}
        what = _(names[kind]) if kind in names else _("not a valid {kind}").format(kind=kind)
        return _("invalid value {value} for the tag !!{kind}: {what}").format(value=shown, kind=kind, what=what)


def _bad_tag(tag: str) -> str:
    return _("the tag {tag} is not allowed; an SOP file holds plain data only").format(tag=repr(tag))


_DATE_DETAILS = {
    "day is out of range for month": N_("day is out of range for month"),
    "month must be in 1..12": N_("month must be in 1..12"),
}


def _date_detail(detail: str) -> str:
    """Why datetime refused a date, in the interface language when it is a usual reason."""
    known = _DATE_DETAILS.get(detail)
    if known:
        return _(known)
    if detail.startswith("year ") and "out of range" in detail:
        return _("year {year} is out of range").format(year=detail.split()[1])
    return detail

