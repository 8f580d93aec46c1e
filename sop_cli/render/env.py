"""The Jinja2 environment: sandboxed, strict about undefined values, autoescaping HTML.

Templates are looked up by name in `sop_cli.paths.template_roots()` (`SOP_TEMPLATES`, then
`./templates`, then the templates shipped with sop), so a user's `disposisi.html` replaces the
shipped one. An SOP's own document templates are looked up in the SOP file's folder first
(`extra_dirs`). Only names inside those folders can be loaded (Jinja2's loader refuses `..`).

Every failure becomes a `RenderError` naming the template and line: an undefined value, a syntax
error, a template that does not exist, something the sandbox forbids or bounds (`range(10**9)`,
`9**9**9`, `'x' * 10**9`), output past MAX_OUTPUT characters, memory past MAX_MEMORY, or a render
past MAX_SECONDS.

User text is data in every output: HTML is autoescaped, and in Markdown templates every `{{ }}`
value has Markdown's active syntax (links, images, raw HTML, autolinks) made inert by `finalize`,
whether or not the template remembers the `md` filter; `&#91;` and friends read as the character.

A template taken from `./templates` (the working folder, perhaps someone else's) instead of the
shipped one is announced: `take_notices()` hands the CLI one line for each.

Compiled templates are cached under `$SOP_HOME/cache/jinja/`; Jinja's own file cache unpickles
what it reads, so here each file carries an HMAC with a per-install key (`cache/jinja.key`, 0600,
owned by the user) and a file that does not verify is ignored and replaced, never loaded.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import stat
import threading
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_cli.errors import RenderError
from sop_cli.i18n import _
from sop_cli.paths import template_roots

if TYPE_CHECKING:
    from types import FrameType

    from jinja2 import Environment, Template
    from jinja2.bccache import Bucket, BytecodeCache

AUTOESCAPED = ("html", "htm", "svg", "xml")
MARKDOWN = (".md", ".markdown")
MAX_OUTPUT = 20_000_000  # characters of one rendered document; a letter is a few thousand
MAX_SECONDS = 20.0  # wall-clock time of one render; the shipped ones take milliseconds
MAX_POWER = 10_000  # the largest result (in bits) `**` may build in a template
MAX_MEMORY = 512 * 1024**2  # bytes of address space a render may add (Linux)

_notices: list[str] = []


def take_notices() -> list[str]:
    """Lines to tell the user (templates overridden from ./templates), emptied by the call."""
    taken = list(dict.fromkeys(_notices))
    _notices.clear()
    return taken


def environment(extra_dirs: Sequence[Path] = ()) -> Environment:
    """The environment for the current template roots, with `extra_dirs` searched first."""
    return _environment(tuple(str(p) for p in (*extra_dirs, *template_roots())))


@functools.lru_cache(maxsize=8)
def _environment(roots: tuple[str, ...]) -> Environment:
    from jinja2 import FileSystemLoader, StrictUndefined, pass_context, select_autoescape
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class _Bounded(SandboxedEnvironment):
        """The sandbox, with the arithmetic that can exhaust memory or CPU in one step bounded."""

        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**":
                if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
                    if right * max(abs(left).bit_length(), 1) > MAX_POWER:
                        raise SecurityError(_("{left} ** {right} is too large a number for a template").format(
                            left=left, right=right))
                return left**right
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                    if len(sequence) * count > MAX_OUTPUT:
                        raise SecurityError(_("repeating a text or list {count} times is too large for a template")
                                            .format(count=count))
            return left * right

    from sop_cli.definition.nip import format_nip
    from sop_cli.render import indonesian

    class _Loader(FileSystemLoader):
        """FileSystemLoader noting a template taken from ./templates in place of a shipped one."""

        def get_source(self, environment: Any, template: str) -> Any:
            source = super().get_source(environment, template)
            _note_override(template, source[1])
            return source

    env = _Bounded(
        loader=_Loader(list(roots), encoding="utf-8"),
        finalize=pass_context(_finalize),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=AUTOESCAPED, default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.bytecode_cache = _bytecode_cache()
    env.filters.update(
        tanggal=indonesian.tanggal,
        hari=indonesian.hari,
        hari_tanggal=indonesian.hari_tanggal,
        jam=indonesian.jam,
        tanggal_jam=indonesian.tanggal_jam,
        tanggal_singkat=indonesian.tanggal_singkat,
        nip=lambda value: format_nip(value) if value else "",
        menit=pass_context(_menit),
        md=markdown_cell,
    )
    return env


def _menit(context: Any, value: Any) -> str:
    """Working minutes in words (`| menit`), a "hari" as long as the office's working day when the
    document says it (`day_minutes`, a run's calendar)."""
    from sop_cli.worktime import format_minutes

    if value is None:
        return ""
    day = context.get("day_minutes")
    return format_minutes(int(value), day) if isinstance(day, int) and day > 0 else format_minutes(int(value))


def _finalize(context: Any, value: Any) -> Any:
    """Every `{{ }}` value of a Markdown template made inert (see `markdown_text`).

    Only plain `str` is touched: numbers and dates carry no syntax, and a value the template
    marks `| safe` (the Mermaid chart, text sop builds itself) is kept as built.
    """
    if type(value) is str and value and (context.name or "").endswith(MARKDOWN):
        return markdown_text(value)
    return value


def _bytecode_cache() -> BytecodeCache | None:
    """Compiled templates kept in `$SOP_HOME/cache/jinja/<key>`: halves the time of a render.

    Jinja's own cache key is the template's name and source only, so the folder is keyed by what
    else shapes the compiled code: sop's and Jinja's versions and this module (its settings).
    Without a writable folder or a trustworthy key, templates are simply compiled each time.
    """
    import hashlib

    import jinja2

    from sop_cli import __version__
    from sop_cli.paths import sop_home

    key = hashlib.sha256(f"{__version__}|{jinja2.__version__}|".encode() + Path(__file__).read_bytes())
    base = sop_home() / "cache"
    folder = base / "jinja" / key.hexdigest()[:16]
    try:
        from sop_cli.fs import private_folder

        private_folder(folder)
    except OSError:
        return None
    found = _install_key(base / "jinja.key")
    if found is None:
        return None
    secret: bytes = found

    class SignedBytecodeCache(jinja2.BytecodeCache):
        """Jinja's bytecode cache, each file `HMAC-SHA256(key, bucket key + data) + data`."""

        def _file(self, bucket: Bucket) -> Path:
            return folder / f"{bucket.key}.cache"

        def _mac(self, bucket: Bucket, data: bytes) -> bytes:
            import hmac

            return hmac.new(secret, bucket.key.encode() + b"\0" + data, "sha256").digest()

        def load_bytecode(self, bucket: Bucket) -> None:
            import hmac

            try:
                with self._file(bucket).open("rb") as handle:
                    raw = handle.read(MAX_OUTPUT)
            except OSError:
                return
            mac, data = raw[:32], raw[32:]
            if len(mac) == 32 and hmac.compare_digest(mac, self._mac(bucket, data)):
                try:
                    bucket.bytecode_from_string(data)
                except Exception:
                    bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            import tempfile

            data = bucket.bytecode_to_string()
            temporary = None
            try:  # a full or read-only cache folder costs a compile next time, never the render
                descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(self._mac(bucket, data) + data)
                os.replace(temporary, self._file(bucket))
                temporary = None
            except OSError:
                pass
            finally:
                if temporary is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)

    return SignedBytecodeCache()


def _install_key(path: Path) -> bytes | None:
    """The per-install cache key: 32 random bytes in a 0600 file of this user, made on first use.

    None (no cache) when the file is not a regular file of this user readable only by them: a key
    others can read or replace would let them sign code of their own.
    """
    for _attempt in range(2):
        try:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            _new_key(path)
            continue
        except OSError:
            return None
        try:
            st = os.fstat(descriptor)
            if (not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077
                    or (hasattr(os, "geteuid") and st.st_uid != os.geteuid())):
                return None
            secret = os.read(descriptor, 64)
        except OSError:
            return None
        finally:
            os.close(descriptor)
        return secret if len(secret) == 32 else None
    return None


def _new_key(path: Path) -> None:
    """Write a fresh key under a temporary name and link it into place (a racing sop's key wins)."""
    import secrets
    import tempfile

    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".jinja.key.")  # mode 0600
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        os.link(temporary, path)
    except OSError:
        pass
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


_INERT = str.maketrans({"[": "&#91;", "]": "&#93;", "<": "&lt;", ">": "&gt;"})


def markdown_text(value: object) -> str:
    """User text made inert in Markdown: no link, image, reference definition, raw HTML or autolink.

    Brackets and angle brackets become character references, which read as the characters and
    never start syntax; applying it twice changes nothing (no `&` is introduced as text).
    """
    return str(value).translate(_INERT)


def markdown_cell(value: object) -> str:
    """Text made safe for one Markdown table cell: inert (see `markdown_text`), no column or line breaks."""
    if value is None:
        return ""
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ("|", "\\|")):
        text = text.replace(raw, escaped)
    return " ".join(markdown_text(text).split())


def render(name: str, context: dict[str, Any], extra_dirs: Sequence[Path] = ()) -> str:
    """Render template `name` with `context`; any failure is a RenderError with template and line."""
    import jinja2

    env = environment(extra_dirs)
    try:
        with _translated(name), _bounds():  # compiling folds constants (`"x"|center(10**9)`): bounded too
            return _bounded_render(env.get_template(name), context, name)
    except jinja2.TemplateNotFound as error:
        searched = ", ".join(str(p) for p in (*extra_dirs, *template_roots())) or _("no template folder")
        missing = error.name if error.name != name else name
        raise RenderError(_("Template {name!r} not found (searched: {searched}).").format(
            name=missing, searched=searched)) from None


def evaluate(expression: str, context: dict[str, Any], name: str) -> Any:
    """The value of the Jinja2 `expression` (a manifest's `bawaan`) over `context`, in the sandbox
    and with the bounds of a render (time, memory, arithmetic); any failure is a RenderError
    starting with `name` (where the expression was written)."""
    with _translated(name), _bounds():
        compiled = environment().compile_expression(expression, undefined_to_none=False)
        return compiled(**context)


@contextlib.contextmanager
def _translated(name: str) -> Iterator[None]:
    """Turn what a template or expression can raise into a RenderError naming `name` (and the line)."""
    import jinja2
    from jinja2.exceptions import SecurityError

    try:
        yield
    except (jinja2.TemplateNotFound, RenderError):
        raise
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name or name}:{error.lineno}"
        raise RenderError(_("{where}: template syntax error: {error}").format(where=where, error=error.message)) from None
    except jinja2.UndefinedError as error:
        raise RenderError(_("{where}: undefined value: {error}").format(
            where=_where(error, name), error=error.message)) from None
    except SecurityError as error:
        raise RenderError(_("{where}: not allowed in a template: {error}").format(
            where=_where(error, name), error=error)) from None
    except _TooSlow:
        raise RenderError(_("{name}: the template took more than {seconds} s to render; stopped").format(
            name=name, seconds=f"{MAX_SECONDS:g}")) from None
    except MemoryError:
        raise RenderError(_("{name}: the template needs more memory than there is; stopped").format(name=name)) from None
    except RecursionError:
        raise RenderError(_("{name}: the template calls itself too deeply (a macro or include loop?)").format(
            name=name)) from None
    except (TypeError, ValueError, AttributeError, KeyError, LookupError, ArithmeticError,
            jinja2.TemplateError) as error:
        raise RenderError(f"{_where(error, name)}: {type(error).__name__}: {error}") from None


class _TooSlow(Exception):
    """The render ran past MAX_SECONDS."""


def _bounded_render(template: Template, context: dict[str, Any], name: str) -> str:
    """The rendered text, stopped past MAX_OUTPUT characters."""
    parts: list[str] = []
    size = 0
    for chunk in template.generate(context):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise RenderError(_("{name}: the rendered document would be larger than {millions} million characters; "
                                "stopped").format(name=name, millions=MAX_OUTPUT // 1_000_000))
        parts.append(chunk)
    return "".join(parts)


class _bounds:
    """Context manager: MAX_SECONDS (where a timer exists) and MAX_MEMORY (Linux) while it is open.

    The alarm raises `_TooSlow` in whatever code runs when it rings. Code that swallows it (a
    finalizer: Python only prints an exception raised in `__del__`) would let the render run on,
    so the alarm rings again every `_AGAIN` seconds until the block ends; it never raises inside
    `__enter__` (the block would then be left without `__exit__`, the alarm still armed) nor
    `__exit__`, which disarms it.
    """

    def __enter__(self) -> _bounds:
        self.timer = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        self.memory = _limit_memory()
        if self.timer:
            def expired(signum: int, frame: FrameType | None) -> None:
                if frame is not None and frame.f_code in (_bounds.__enter__.__code__, _bounds.__exit__.__code__):
                    return  # starting (the block would never be left through __exit__) or ending: ring again
                if frame is not None and _swallows(frame):
                    return  # Python would only print it as "Exception ignored": ring again
                raise _TooSlow()

            self.previous = signal.signal(signal.SIGALRM, expired)
            signal.setitimer(signal.ITIMER_REAL, MAX_SECONDS, _AGAIN)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        if self.memory is not None:
            _restore_memory(self.memory)


def _swallows(frame: FrameType) -> bool:
    """Whether an exception raised in `frame` would be printed and dropped instead of ending the
    render: a finalizer (`__del__`) or a garbage collector callback (`gc.callbacks`)."""
    import gc

    code = frame.f_code
    return code.co_name == "__del__" or any(getattr(callback, "__code__", None) is code for callback in gc.callbacks)


_AGAIN = 0.1
"""Seconds between the alarms after the first (see `_bounds`)."""


def _limit_memory() -> tuple[int, int] | None:
    """Cap the address space at its size now plus MAX_MEMORY while a template runs; the old limits.

    One filter call (`center(10**10)`, `'%9999999999d' % 1`, a huge `replace`) can ask for gigabytes
    before any output is counted; with the cap it fails at once with MemoryError. Linux only
    (elsewhere, None: output size and time still bound the render).
    """
    try:
        import resource

        with open("/proc/self/statm", "rb") as handle:
            size = int(handle.read().split()[0]) * resource.getpagesize()
        old = resource.getrlimit(resource.RLIMIT_AS)
        wanted = size + MAX_MEMORY
        if old[1] != resource.RLIM_INFINITY and old[1] < wanted:
            return None
        if old[0] != resource.RLIM_INFINITY and old[0] < wanted:
            return None  # already tighter than ours
        resource.setrlimit(resource.RLIMIT_AS, (wanted, old[1]))
        return old
    except (ImportError, OSError, ValueError, IndexError):
        return None


def _restore_memory(old: tuple[int, int]) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, old)


def _note_override(name: str, filename: str) -> None:
    """Remember a template taken from ./templates (the working folder) in place of a shipped one."""
    from sop_cli.paths import packaged

    local = os.path.abspath("templates") + os.sep
    if not os.path.abspath(filename).startswith(local):
        return
    shipped = packaged("templates") / name
    if shipped.is_file() and os.path.abspath(shipped) != os.path.abspath(filename):
        _notices.append(_("Note: using {path} (from ./templates) instead of the shipped {name}.").format(
            path=os.path.abspath(filename), name=name))
def _where(error: BaseException, name: str) -> str:
    """`template-file:line` of the innermost template frame of `error`'s traceback (else `name`)."""
    found = name
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith(_TEMPLATE_SUFFIXES):
            found = f"{frame.filename}:{frame.lineno}"
    return found


_TEMPLATE_SUFFIXES = (".html", ".htm", ".md", ".txt", ".svg", ".xml", ".csv", ".j2", ".jinja")
