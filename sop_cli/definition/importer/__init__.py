"""`sop import`: an SOP AP document (Word .docx, or the text copied out of one) as an SOP draft; also
a BPMN 2.0 process drawn in a modeler (bpmn.py).

    read (text/word/bpmn.py) ─▶ Source ──make_draft (draft.py, flow.py)──▶ authoring.Draft ──draft_yaml──▶ YAML text
      what the document says       nothing guessed    catalog + guesses, each              the one writer of
                                                       a comment and a check                commented SOP files

The draft is validated as `sop validate` would (`loader.validate_data`); a draft that does not
validate is still given (it is a draft: the person finishes it), with the problems located in
its own lines. What cannot be read at all (not an SOP table, a scanned PDF) is a DefinitionError
naming the file and what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sop_cli.definition.importer.draft import Imported, make_draft
from sop_cli.definition.importer.source import Source
from sop_cli.errors import DefinitionError, NotFoundError, UsageError
from sop_cli.i18n import _

SUFFIXES = (".docx", ".txt", ".text")


def read_source(path: Path, content: bytes | None = None) -> Source:
    """What the document at `path` says (its bytes: `content`, else read from `path`).

    Raises:
        UsageError: a format `sop import` does not read (by suffix).
        NotFoundError: no file at `path`.
        DefinitionError: the file cannot be read; a PDF, a .docx that is not one, a text without an SOP table.
    """
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".txt", ".text", "", ".pdf", ".doc", ".bpmn"):
        raise UsageError(_("{path}: the suffix {suffix!r} is not a document sop import reads; give a .docx (Word), a "
                           ".txt (the text copied out of an SOP document) or a .bpmn (BPMN 2.0).").format(
                               path=path, suffix=path.suffix))
    if content is None:
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise NotFoundError(_("{path}: no such file.").format(path=path)) from None
        except OSError as error:
            raise DefinitionError(_("{path}: cannot be read ({error}).").format(path=path, error=error.strerror or error)) from None
    if suffix == ".pdf" or content[:5] == b"%PDF-":
        raise DefinitionError(_pdf_refusal(path, content))
    if suffix == ".doc":
        raise DefinitionError(_("{path}: an old Word file (.doc) is not read; open it in Word or LibreOffice, save it "
                                "as .docx and import that file.").format(path=path))
    if suffix == ".docx":
        from sop_cli.definition.importer.word import read_docx

        return read_docx(content, str(path))
    if suffix == ".bpmn":
        from sop_cli.definition.importer.bpmn import read_bpmn

        return read_bpmn(content, str(path))
    from sop_cli.definition.importer.text import read_text

    return read_text(_decoded(content), str(path))


def _decoded(content: bytes) -> str:
    """Text as Windows Notepad saves it: UTF-8 (with or without BOM), "Unicode" (UTF-16 with BOM),
    or "ANSI" (cp1252 on an Indonesian Windows)."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _pdf_refusal(path: Path, content: bytes) -> str:
    scanned = b"/Font" not in content
    if scanned:
        return _("{path}: a scanned PDF (pictures of pages, no text) cannot be read: sop does not guess what a "
                 "picture says. Type the SOP with `sop new`, or import the original Word file (.docx).").format(path=path)
    return _("{path}: a PDF is not read directly (its tables are not kept as tables). Import the original Word file "
             "(.docx), or copy all the text of the PDF into a .txt file and import that.").format(path=path)


def import_document(path: Path, catalog: Iterable[tuple[Mapping[str, Any], str]] = (), *,
                    sop_id: str | None = None, content: bytes | None = None, out: Path | None = None) -> Imported:
    """The SOP draft of the document at `path`.

    Args:
        catalog: (JSON form, file path) of the SOPs the catalog knows: an office it knows gives its
            organisation block and lane ids, an SOP it has gives its id and spelling.
        sop_id: The id to give the SOP (default: the catalog's, else made from its name).
        out: Where the draft will be written (names the file in validation messages).

    Raises:
        DefinitionError: nothing that can be read as an SOP (no flowchart table, no steps...).
    """
    source = read_source(path, content)
    draft, checks, matched = make_draft(source, catalog, sop_id=sop_id)
    if source.problems and (not draft.steps or not draft.lanes):
        raise DefinitionError(_("{path}: cannot be read as an SOP AP document:").format(path=path), [*source.problems])
    from sop_cli.definition.authoring import draft_yaml
    from sop_cli.definition.loader import validate_data
    from sop_cli.definition.yamlfile import read_yaml

    text = draft_yaml(draft)
    problems = list(source.problems)
    try:
        validate_data(read_yaml(out or Path(path.stem + ".yaml"), text.encode("utf-8")))
    except DefinitionError as error:
        problems += error.problems or [error.message]
    return Imported(text, checks, problems, matched)
