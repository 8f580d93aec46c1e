"""The Jinja2 environment: sandboxed, strict about undefined values, autoescaping HTML.

Templates are looked up by name in `sop_cli.paths.template_roots()` (`SOP_TEMPLATES`, then
`./templates`, then the templates shipped with sop), so a user's `disposisi.html` replaces the
shipped one. An SOP's own document templates are looked up in the SOP file's folder first
(`extra_dirs`). Only names inside those folders can be loaded (Jinja2's loader refuses `..`).

Every failure becomes a `RenderError` naming the template and line: an undefined value, a syntax
error, a template that does not exist, or something the sandbox forbids.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sop_cli.errors import RenderError
from sop_cli.paths import template_roots

AUTOESCAPED = ("html", "htm", "svg", "xml")


def environment(extra_dirs: Sequence[Path] = ()) -> Any:
    """The environment for the current template roots, with `extra_dirs` searched first."""
    return _environment(tuple(str(p) for p in (*extra_dirs, *template_roots())))


@functools.lru_cache(maxsize=8)
def _environment(roots: tuple[str, ...]) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    from sop_cli.run.calendar import format_minutes
    from sop_cli.definition.nip import format_nip
    from sop_cli.render import indonesian

    env = SandboxedEnvironment(
        loader=FileSystemLoader(list(roots), encoding="utf-8"),
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
        menit=lambda value: "" if value is None else format_minutes(int(value)),
        md=markdown_cell,
    )
    return env


def _bytecode_cache() -> Any:
    """Compiled templates kept in `$SOP_HOME/cache/jinja/<key>`: halves the time of a render.

    Jinja's own cache key is the template's name and source only, so the folder is keyed by what
    else shapes the compiled code: sop's and Jinja's versions and this module (its settings).
    Without a writable folder, templates are simply compiled each time.
    """
    import hashlib

    import jinja2

    from sop_cli import __version__
    from sop_cli.paths import sop_home

    key = hashlib.sha256(f"{__version__}|{jinja2.__version__}|".encode() + Path(__file__).read_bytes())
    folder = sop_home() / "cache" / "jinja" / key.hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def markdown_cell(value: Any) -> str:
    """Text made safe for one Markdown table cell: no HTML, no column breaks, no line breaks."""
    if value is None:
        return ""
    text = str(value)
    for raw, escaped in (("\\", "\\\\"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        text = text.replace(raw, escaped)
    return " ".join(text.split())


def template_exists(name: str, extra_dirs: Sequence[Path] = ()) -> bool:
    """Whether some template root (or extra dir) holds `name`."""
    from jinja2 import TemplateNotFound

    try:
        environment(extra_dirs).get_template(name)
    except TemplateNotFound:
        return False
    except Exception:  # a broken template exists; rendering it reports the problem
        return True
    return True


def render(name: str, context: dict[str, Any], extra_dirs: Sequence[Path] = ()) -> str:
    """Render template `name` with `context`; any failure is a RenderError with template and line."""
    import jinja2
    from jinja2.sandbox import SecurityError

    env = environment(extra_dirs)
    try:
        return str(env.get_template(name).render(context))
    except jinja2.TemplateNotFound as error:
        searched = ", ".join(str(p) for p in (*extra_dirs, *template_roots())) or "no template folder"
        missing = error.name if error.name != name else name
        raise RenderError(f"Template {missing!r} not found (searched: {searched}).") from None
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name or name}:{error.lineno}"
        raise RenderError(f"{where}: template syntax error: {error.message}") from None
    except jinja2.UndefinedError as error:
        raise RenderError(f"{_where(error, name)}: undefined value: {error.message}") from None
    except SecurityError as error:
        raise RenderError(f"{_where(error, name)}: not allowed in a template: {error}") from None
    except RenderError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, jinja2.TemplateError) as error:
        raise RenderError(f"{_where(error, name)}: {type(error).__name__}: {error}") from None


def _where(error: BaseException, name: str) -> str:
    """`template-file:line` of the innermost template frame of `error`'s traceback (else `name`)."""
    found = name
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.endswith(_TEMPLATE_SUFFIXES) or frame.filename == "<template>":
            found = f"{frame.filename}:{frame.lineno}"
    return found


_TEMPLATE_SUFFIXES = (".html", ".htm", ".md", ".txt", ".svg", ".xml", ".csv", ".j2", ".jinja")
