"""Document types as data: a template plus a small YAML manifest beside it.

A document type `NAME` is `NAME.yaml` (the manifest) next to `NAME.html` and/or `NAME.md`. The
shipped ones live in the template roots (`templates/`); an SOP carries its own in a folder
`dokumen/` beside its YAML file (which wins over a shipped type of the same name). A manifest:

```yaml
judul: Undangan rapat                 # what it is, in Indonesian
penandatangan: an-pimpinan            # pimpinan | an-pimpinan | pelaksana (who signs, see below)
keadaan: [aktif, selesai]             # run states it may be rendered in (aktif, selesai, batal)
sejak: langkah                        # mulai: any time; langkah: once the run reached its step;
                                      # sesudah-keputusan: once a decision before its step said YA
untuk: {simbol: [], output: []}       # steps it belongs to besides those whose `dokumen` names it
nilai:                                # the values, dotted keys for nested ones
  nomor: {jenis: text, wajib: true, arti: "nomor surat", contoh: "005/123/2026"}
  rapat.tanggal: {jenis: date, wajib: true, arti: "tanggal rapat", contoh: "2026-11-24"}
  rapat.acara: {jenis: text, bawaan: "'Pembahasan ' ~ sop.nama"}
  baris: {jenis: number, bawaan: "8", maks: 500}   # `maks`: the largest number taken
```

`jenis` (type): `text`, `date` (2026-11-24), `number`, `list` (`;`-separated in --set; with
`kolom: [a, b]` the items are mappings of those keys), `person` (a key of the organisation's
register of officials, or a lane id; the template sees the official). `bawaan` (default) is a
Jinja2 expression over the document context (`run`, `sop`, `org`, `langkah`, ...), evaluated in
the sandbox, bounded as a render is (time, memory, arithmetic), when the value is not given; a
number or list it gives is checked as a given one. A number has at most 18 digits and at most its
`maks`; a list at most 1000 items. `penandatangan`: `pimpinan` (the head of the office
signs), `an-pimpinan` (the Sekretaris signs "a.n." the head, Permendagri 1/2023; the head signs
where the register has no Sekretaris), `pelaksana` (the official of the step's lane).

Every type accepts `tanggal` (the letter's date) and `penandatangan` (a person) besides its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_cli.errors import DefinitionError
from sop_cli.i18n import _

if TYPE_CHECKING:
    from sop_cli.definition.model import Langkah, SopDefinition

KINDS = ("text", "date", "number", "list", "person")
SIGNERS = ("pimpinan", "an-pimpinan", "pelaksana")
STATES = ("aktif", "selesai", "batal")
SINCE = ("mulai", "langkah", "sesudah-keputusan")
STATE_WORDS = {"active": "aktif", "finished": "selesai", "cancelled": "batal"}
OWN_FOLDER = "dokumen"
MAX_ITEMS = 1000
"""The most items a list value takes (each may become a row, a page or a sheet)."""
MAX_DIGITS = 18
"""The most digits a number value has (a budget in rupiah has 15)."""


@dataclass(frozen=True)
class Value:
    """One value a document type takes.

    Attributes:
        key: Dotted key (`rapat.tanggal`); templates read it as `nilai.rapat.tanggal`.
        jenis: One of KINDS.
        wajib: Whether a person must give it (no default can stand in).
        arti: What it is, for `--list` and error messages.
        contoh: An example value as typed with --set.
        bawaan: A Jinja2 expression giving the default, or None.
        kolom: For a list of rows: the keys of each row.
        maks: For a number: the largest value taken (given or default), or None.
    """

    key: str
    jenis: str = "text"
    wajib: bool = False
    arti: str = ""
    contoh: str | None = None
    bawaan: str | None = None
    kolom: tuple[str, ...] = ()
    maks: int | None = None


COMMON = (
    Value("tanggal", "date", arti="tanggal surat (bawaan: hari langkahnya selesai, atau hari ini)", contoh="2026-11-24"),
    Value("penandatangan", "person", arti="pejabat lain yang menandatangani (kunci daftar pejabat atau id lajur)",
          contoh="sekretaris"),
)


@dataclass(frozen=True)
class DocType:
    """A kind of document a step outputs, read from its manifest."""

    name: str
    judul: str
    manifest: Path
    folder: Path
    penandatangan: str = "pelaksana"
    keadaan: tuple[str, ...] = ("aktif", "selesai")
    sejak: str = "langkah"
    untuk_simbol: tuple[str, ...] = ()
    untuk_output: tuple[str, ...] = ()
    values: tuple[Value, ...] = field(default_factory=tuple)
    own: bool = False

    @property
    def all_values(self) -> tuple[Value, ...]:
        """Its own values, then the ones every type takes."""
        mine = {v.key for v in self.values}
        return (*self.values, *(v for v in COMMON if v.key not in mine))

    def value(self, key: str) -> Value | None:
        """The declared value `key`, if any."""
        return next((v for v in self.all_values if v.key == key), None)

    def belongs_to(self, step: Langkah) -> bool:
        """Whether `step` (a Langkah) outputs this document."""
        if step.dokumen == self.name:
            return True
        if step.simbol in self.untuk_simbol:
            return True
        output = (step.output or "").lower()
        return any(word.lower() in output for word in self.untuk_output)

    def template(self, fmt: str) -> str:
        """The template name for `fmt` (a name relative to the type's folder)."""
        return f"{self.name}.{fmt}"

    def formats(self) -> list[str]:
        """The text formats it has a template for."""
        return [fmt for fmt in ("html", "md") if (self.folder / f"{self.name}.{fmt}").is_file()]


def own_folder(sop_dir: Path | None) -> Path | None:
    """The folder of an SOP's own document types (`dokumen/` beside its YAML), if there is one."""
    if sop_dir is None:
        return None
    folder = Path(sop_dir) / OWN_FOLDER
    return folder if folder.is_dir() else None


def document_types(sop_dir: Path | None = None) -> dict[str, DocType]:
    """Every document type: the shipped ones (first template root holding a manifest wins) and,
    over them, the SOP's own from `sop_dir/dokumen/`. Raises DefinitionError, located, for a
    broken manifest."""
    from sop_cli.paths import template_roots

    found: dict[str, DocType] = {}
    for root in reversed(list(template_roots())):
        for path in _manifests(Path(root)):
            found[path.stem] = read_manifest(path)
    folder = own_folder(sop_dir)
    if folder is not None:
        for path in _manifests(folder):
            found[path.stem] = read_manifest(path, own=True)
    return found


def known_document_types(sop_dir: Path | None) -> set[str]:
    """The names a step's `dokumen:` may use in the SOP whose file is in `sop_dir`."""
    return set(document_types(sop_dir))


def sop_file_problems(sop: SopDefinition, sop_path: Path) -> list[str]:
    """What `sop validate` adds for one valid SOP file: each `dokumen:` naming no document type,
    and a broken organisation file beside it, as `file:line:col: field: message` lines."""
    from sop_cli.render.organisation import find_organisation

    problems = dokumen_problems(sop, sop_path)
    try:
        find_organisation(sop_path.parent)
    except DefinitionError as error:
        problems.append(str(error))
    return problems


def dokumen_problems(sop: SopDefinition, sop_path: Path) -> list[str]:
    """`file:line:col: langkah[i].dokumen: ...` for each step naming no document type (for
    `sop validate`); a broken manifest is reported as it is."""
    try:
        known = known_document_types(sop_path.parent)
    except DefinitionError as error:
        return [str(error)]
    problems = []
    located = None
    for i, step in enumerate(sop.langkah):
        if step.dokumen and step.dokumen not in known:
            if located is None:
                from sop_cli.definition.yamlfile import read_yaml

                located = read_yaml(sop_path)
            where = located.where(("langkah", i, "dokumen"))
            problems.append(
                _("{where}: langkah[{i}].dokumen: step {step} names document type {doc!r}, which does not exist "
                  "(known: {known}; an SOP's own type is {folder}/{doc}.yaml with {doc}.html or .md beside the SOP "
                  "file)").format(where=where, i=i, step=step.no, doc=step.dokumen, known=", ".join(sorted(known)),
                                  folder=OWN_FOLDER)
            )
    return problems


def _manifests(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith(("_", ".")))


def read_manifest(path: Path, *, own: bool = False) -> DocType:
    """The DocType described by the manifest at `path`; a DefinitionError names file, line, field."""
    from sop_cli.definition.yamlfile import read_yaml

    located = read_yaml(path)
    data = located.data

    def fail(loc: tuple[Any, ...], message: str) -> DefinitionError:
        dotted = ".".join(str(part) for part in loc) or "manifest"
        return DefinitionError(f"{located.where(loc)}: {dotted}: {message}")

    if not isinstance(data, dict):
        raise fail((), _("a document manifest is a mapping (judul, penandatangan, keadaan, sejak, nilai)"))
    allowed = {"judul", "penandatangan", "keadaan", "sejak", "untuk", "nilai"}
    for key in data:
        if key not in allowed:
            raise fail((key,), _("unknown field; use {fields}").format(fields=", ".join(sorted(allowed))))
    judul = data.get("judul")
    if not isinstance(judul, str) or not judul.strip():
        raise fail(("judul",), _("say what the document is, e.g. 'Undangan rapat'"))
    signer = data.get("penandatangan", "pelaksana")
    if signer not in SIGNERS:
        raise fail(("penandatangan",), _("{value!r}: use one of {known}").format(value=signer, known=", ".join(SIGNERS)))
    keadaan = data.get("keadaan", ["aktif", "selesai"])
    if not isinstance(keadaan, list) or any(k not in STATES for k in keadaan):
        raise fail(("keadaan",), _("a list of run states from {known}").format(known=", ".join(STATES)))
    sejak = data.get("sejak", "langkah")
    if sejak not in SINCE:
        raise fail(("sejak",), _("{value!r}: use one of {known}").format(value=sejak, known=", ".join(SINCE)))
    untuk = data.get("untuk") or {}
    if not isinstance(untuk, dict) or any(k not in ("simbol", "output") for k in untuk):
        raise fail(("untuk",), _("a mapping with simbol: [...] and/or output: [...]"))
    for key in ("simbol", "output"):
        if not isinstance(untuk.get(key, []), list):
            raise fail(("untuk", key), _("a list"))
    nilai = data.get("nilai") or {}
    if not isinstance(nilai, dict):
        raise fail(("nilai",), _("a mapping of value keys to {jenis, wajib, arti, contoh, bawaan}"))
    values = []
    for key, spec in nilai.items():
        values.append(_value(str(key), spec, lambda loc, msg, k=key: fail(("nilai", k, *loc), msg)))
    # `bawaan` expressions are compiled when a document is rendered (jinja2 stays off `validate`)
    return DocType(
        name=path.stem, judul=judul.strip(), manifest=path, folder=path.parent, penandatangan=signer,
        keadaan=tuple(keadaan), sejak=sejak, untuk_simbol=tuple(map(str, untuk.get("simbol", []))),
        untuk_output=tuple(map(str, untuk.get("output", []))), values=tuple(values), own=own,
    )


def _value(key: str, spec: Any, fail: Any) -> Value:
    if not key or any(not part.replace("_", "").replace("-", "").isalnum() for part in key.split(".")):
        raise fail((), _("a value key is words joined by dots, e.g. rapat.tanggal"))
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise fail((), _("a mapping {jenis, wajib, arti, contoh, bawaan}"))
    allowed = {"jenis", "wajib", "arti", "contoh", "bawaan", "kolom", "maks"}
    for field_name in spec:
        if field_name not in allowed:
            raise fail((field_name,), _("unknown field; use {fields}").format(fields=", ".join(sorted(allowed))))
    jenis = spec.get("jenis", "text")
    if jenis not in KINDS:
        raise fail(("jenis",), _("{value!r}: use one of {known}").format(value=jenis, known=", ".join(KINDS)))
    wajib = spec.get("wajib", False)
    if not isinstance(wajib, bool):
        raise fail(("wajib",), _("true or false"))
    kolom = spec.get("kolom") or []
    if not isinstance(kolom, list) or (kolom and jenis != "list"):
        raise fail(("kolom",), _("a list of row keys, for a value of jenis list"))
    bawaan = spec.get("bawaan")
    if bawaan is not None and not isinstance(bawaan, str):
        raise fail(("bawaan",), _("a Jinja2 expression in quotes, e.g. \"run.title\" or \"'Biasa'\""))
    if wajib and bawaan is not None:
        raise fail(("bawaan",), _("a value with a default is not wajib; drop one"))
    maks = spec.get("maks")
    if maks is not None and (jenis != "number" or isinstance(maks, bool) or not isinstance(maks, int) or maks < 0):
        raise fail(("maks",), _("the largest value of a number, a whole number (e.g. maks: 1000)"))
    contoh = spec.get("contoh")
    return Value(key=key, jenis=jenis, wajib=wajib, arti=str(spec.get("arti") or ""),
                 contoh=None if contoh is None else str(contoh), bawaan=bawaan, kolom=tuple(map(str, kolom)),
                 maks=maks)


def defaults(doc: DocType, ctx: Mapping[str, Any]) -> dict[str, Any]:
    """{key: value} of every default of `doc`, evaluated over `ctx` in the sandbox, bounded as a
    render is (time, memory, arithmetic); a failure is a RenderError naming the manifest and key."""
    from sop_cli.errors import RenderError, UsageError
    from sop_cli.render.env import evaluate

    found: dict[str, Any] = {}
    for value in doc.values:
        if value.bawaan is None:
            continue
        where = f"{doc.manifest}: nilai.{value.key}.bawaan"
        result = evaluate(value.bawaan, dict(ctx), where)
        if value.jenis in ("number", "list") and result is not None:
            try:  # a default is bounded like a given value: `bawaan: "10**8"` makes no 10**8 rows
                check_value(value, result, {})
            except UsageError as error:
                raise RenderError(f"{where}: {error}") from None
        found[value.key] = result
    return found


def check_value(value: Value, given: Any, people: Mapping[str, Any]) -> Any:
    """`given` as the template will see it, or UsageError saying what is wrong and what to write."""
    from sop_cli.errors import UsageError
    from sop_cli.render.indonesian import as_date

    def refuse(what: str) -> UsageError:
        if value.contoh:
            return UsageError(_("{key}: {value!r} {problem}; e.g. {key}={example}").format(
                key=value.key, value=given, problem=what, example=value.contoh))
        return UsageError(_("{key}: {value!r} {problem}.").format(key=value.key, value=given, problem=what))

    if value.jenis == "text":
        if not isinstance(given, str):
            return _refuse_text(given, refuse)
        return given
    if value.jenis == "number":
        if isinstance(given, bool) or not isinstance(given, (int, str)) or not str(given).strip().isdigit():
            raise refuse(_("is not a whole number"))
        if len(str(given).strip()) > MAX_DIGITS:
            raise refuse(_("has more than {digits} digits").format(digits=MAX_DIGITS))
        number = int(given)
        if value.maks is not None and number > value.maks:
            raise refuse(_("is more than {maks}, the most this document takes").format(maks=value.maks))
        return number
    if value.jenis == "date":
        if isinstance(given, (dict, list)) or as_date(given) is None:
            raise refuse(_("is not a date; write it as 2026-11-24"))
        return as_date(given)
    if value.jenis == "list":
        items = [part.strip() for part in given.split(";") if part.strip()] if isinstance(given, str) else given
        if not isinstance(items, list):
            raise refuse(_("is not a list (in YAML a list, in KEY=VALUE text items separated by ';')"))
        if len(items) > MAX_ITEMS:
            raise UsageError(_("{key}: {count} items; a document takes at most {most}.").format(
                key=value.key, count=len(items), most=MAX_ITEMS))
        checked: list[str | dict[str, Any]] = []
        for item in items:
            if value.kolom:
                if not isinstance(item, dict) or any(k not in value.kolom for k in item) or any(
                        not isinstance(v, str) for v in item.values()):
                    raise UsageError(_("{key}: each row is a mapping of text with keys {columns}; got {item!r}.")
                                     .format(key=value.key, columns=", ".join(value.kolom), item=item))
                checked.append({k: item.get(k, "") for k in value.kolom})
            elif not isinstance(item, str):
                raise UsageError(_("{key}: every item is text; {item!r} is not (quote it in YAML).").format(
                    key=value.key, item=item))
            else:
                checked.append(item)
        return checked
    if value.jenis == "person":
        if not isinstance(given, str) or given.strip().lower() not in people:
            known = ", ".join(sorted(people)) or _("none")
            raise UsageError(_("{key}: {value!r} is not an official of the register nor a lane (known: {known}).")
                             .format(key=value.key, value=given, known=known))
        return people[given.strip().lower()]
    raise AssertionError(value.jenis)  # read_manifest admits only KINDS


def _refuse_text(given: Any, refuse: Any) -> Any:
    if isinstance(given, bool):
        raise refuse(_("is yes/no, not text (quote it in YAML)"))
    if isinstance(given, (int, float)):
        raise refuse(_("is a number, not text (quote it in YAML: '\"005\"')"))
    raise refuse(_("is not text (a single line or paragraph, not a mapping or list)"))


def flat_keys(values: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys of every leaf of `values`."""
    keys: list[str] = []
    for key, value in values.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            keys.extend(flat_keys(value, dotted + "."))
        else:
            keys.append(dotted)
    return keys


def describe(doc: DocType, steps: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One row of `sop render --list`: the type, its steps, and every value it takes."""
    return {
        "type": doc.name, "judul": doc.judul, "own": doc.own, "template": doc.name,
        "formats": doc.formats(), "penandatangan": doc.penandatangan, "keadaan": list(doc.keadaan),
        "sejak": doc.sejak, "steps": list(steps),
        "required": [v.key for v in doc.all_values if v.wajib],
        "values": [{"key": v.key, "jenis": v.jenis, "wajib": v.wajib, "arti": v.arti, "contoh": v.contoh,
                    "bawaan": v.bawaan, **({"kolom": list(v.kolom)} if v.kolom else {}),
                    **({"maks": v.maks} if v.maks is not None else {})} for v in doc.all_values],
    }
