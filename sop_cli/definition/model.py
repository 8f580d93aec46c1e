"""The SOP definition: what one YAML file under `sops/` says, validated.

Words follow the SOP AP format (Permenpan RB 35/2012) and stay Indonesian:

- *langkah*: a numbered step of the procedure; *kegiatan*: what is done in it.
- *pelaksana*: the swimlanes (roles such as Camat, Sekretaris); each step names the lane(s) doing it.
- *mutu baku*: the step's quality standard: *kelengkapan* (required inputs), *waktu* (standard
  time), *output* (the document it produces); *keterangan*: remarks, usually a related SOP.
- *simbol*: the flowchart shape of a step: `mulai`/`selesai` (capsule), `proses` (rectangle),
  `keputusan` (diamond, with a YA and a TIDAK branch).

Field checks live on the fields; the checks a reviewer makes across steps (lanes exist, branches
land, every step reachable) live in `review_problems`, whose findings carry their own location.
Which step follows which is the definition graph's rule (`SopDefinition.graph`, see
`sop_cli.definition.graph`); the reachability checks ask the graph.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import date
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from sop_cli.definition.duration import (
    WAKTU_PATTERN,
    Duration,
    parse_duration,
    parse_toleransi,
    parse_waktu,
    too_long,
    total_too_long,
)
from sop_cli.definition.graph import Graph
from sop_cli.definition.nip import check_nip
from sop_cli.i18n import N_, _

Loc = tuple[str | int, ...]

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(_("{value} is not an id: use lower-case letters, digits and single hyphens").format(
            value=repr(value)))
    return value


def _waktu(value: str) -> str:
    # parse_waktu bounds one step at about a year; too_long is the calendar's bound `sop start`
    # meets, kept so validate never accepts what start refuses even if MAX_AMOUNT grows.
    problem = too_long(parse_waktu(value))
    if problem:
        raise ValueError(problem)
    return value


def _tidak(value: Any) -> Any:
    # Checks a step number as `StepNo` would, so that a bad value gets one clear message instead of
    # one per arm of the union (a step number or "selesai").
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() == "selesai":
        return "selesai"
    if isinstance(value, str) and value.strip().isdigit():
        raise ValueError(_("{value} is a step number written as text; write it without quotes").format(
            value=repr(value)))
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(_("{value} is neither a step number nor 'selesai' (a TIDAK that ends the process)").format(
            value=repr(value)))
    if value < 1:
        raise ValueError(_("Input should be greater than or equal to {ge}").format(ge=1))
    if value > MAX_STEP_NO:
        raise ValueError(_("Input should be less than or equal to {le}").format(le=MAX_STEP_NO))
    return value


def _nip(value: str) -> str:
    return check_nip(value)


_DOKUMEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9]+)?$")


def _dokumen(value: str) -> str:
    # A document name becomes a template name and a file name: a path here would read or write
    # outside the places sop chooses (`/abs/evil`, `sub/evil`, `..`).
    if len(value) > 100 or not _DOKUMEN.match(value):
        raise ValueError(_("{value} is not a document name: use letters, digits, '-' and '_' "
                           "(an optional .ext), no folders or paths").format(value=repr(value)))
    return value


MAX_STEP_NO = 9999
Slug = Annotated[str, AfterValidator(_slug)]
# strict: YAML's `no: true` is a boolean, not step 1; bounded so every step number fits the store.
StepNo = Annotated[int, Field(strict=True, ge=1, le=MAX_STEP_NO)]
Text = Annotated[str, Field(min_length=1)]
Waktu = Annotated[
    str,
    AfterValidator(_waktu),
    Field(
        description=N_("Standard time: '5 menit', '2 jam 30 menit', '1,5 jam', '1-2 hari', '3 hari kerja', "
        "'1 minggu', '3 hari kalender', '1 bulan', or '-' / 'sesuai jadwal' (no fixed time)."),
        json_schema_extra={"pattern": WAKTU_PATTERN},
    ),
]
NIP = Annotated[str, AfterValidator(_nip)]


def _toleransi(value: str) -> str:
    parse_toleransi(value)  # a WaktuError is a ValueError: pydantic locates it on the field
    return value


ToleransiText = Annotated[str, AfterValidator(_toleransi)]


def _tanggal(value: Any) -> Any:
    # An unquoted 2024-07-01 in YAML arrives as a date; keep it as the text it was written as.
    return value.isoformat() if isinstance(value, date) else value


Tanggal = Annotated[str, BeforeValidator(_tanggal), Field(description=N_("A date as written: '2024-07-01', 'Maret 2021'."))]


class _Strict(BaseModel):
    # defer_build: the validators are built on first validation, not at import, so commands that
    # read definitions already validated (the catalog cache, a run's pinned copy) skip that cost.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Pejabat(_Strict):
    """An official: the jabatan (position) and, where the source gives them, name, rank and NIP."""

    jabatan: Text
    nama: str | None = None
    pangkat: str | None = Field(None, description=N_("Pangkat/golongan, e.g. 'Pembina Tk. I (IV/b)'."))
    nip: NIP | None = Field(None, description=N_("18 digits; spaces allowed."))
    kedudukan: Literal["plt", "plh", "pj"] | None = Field(
        None, description=N_("When the official fills the post for someone: 'plt' (pelaksana tugas), 'plh' "
        "(pelaksana harian) or 'pj' (penjabat); printed before the jabatan (Plt. Camat Ngronggot)."))
    atas_nama: str | None = Field(
        None, description=N_("a.n.: the jabatan of the head on whose behalf this official signs, e.g. 'Camat "
        "Ngronggot' (printed 'a.n. CAMAT NGRONGGOT' above the jabatan)."))
    untuk_beliau: str | None = Field(
        None, description=N_("u.b.: with atas_nama, the jabatan one level between, e.g. 'Sekretaris Kecamatan'."))

    @model_validator(mode="after")
    def _ub_needs_an(self) -> Pejabat:
        if self.untuk_beliau and not self.atas_nama:
            raise ValueError(_("untuk_beliau (u.b.) is signed on behalf of a head: give atas_nama (a.n.) too"))
        return self


def _hari_libur_tanggal(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(_("{value} is not a date of the calendar").format(value=repr(value))) from None
        return value
    from sop_cli.worktime import CalendarError, parse_yearly

    try:
        month, day = parse_yearly(value)
    except CalendarError as error:
        raise ValueError(
            _("{value} is neither a date (YYYY-MM-DD, once) nor a yearly date (DD-MM, e.g. \"17-11\")").format(
                value=repr(value))
            if "DD-MM" in str(error) else str(error)
        ) from None
    return f"{day:02d}-{month:02d}"


class HariLibur(_Strict):
    """A day off of the organisation's own, on top of the national holidays and cuti bersama.

    Once: `tanggal: 2026-11-17`. Every year (a Hari Jadi): `tanggal: "17-11"` (DD-MM), or a full
    date with `setiap_tahun: true`.
    """

    tanggal: Annotated[str, BeforeValidator(_tanggal), AfterValidator(_hari_libur_tanggal)] = Field(
        description=N_("'2026-11-17' (once) or '17-11' (DD-MM: every year).")
    )
    nama: Text
    setiap_tahun: bool = Field(False, description=N_("Repeat the date of tanggal every year."))


def _jadwal(value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
    from sop_cli.worktime import parse_week

    parse_week(value)  # CalendarError is a ValueError: pydantic locates it on the field
    return value


Jadwal = Annotated[
    dict[str, str | list[str]],
    AfterValidator(_jadwal),
    Field(description=N_("Weekly office hours: day or day range -> '07.30-12.00, 13.00-16.00' ('-': closed); "
          "days not named are not working days.")),
]


class JamKerja(_Strict):
    """The organisation's office hours, when not the ASN week (Perpres 21/2023)."""

    jadwal: Jadwal | None = Field(None, description=N_("Weekly hours; default the ASN week, Senin-Jumat from 07.30."))
    ramadan: Literal["asn"] | Jadwal | None = Field(
        None, description=N_("Hours during Ramadan: 'asn' (the ASN Ramadan hours Senin-Jumat, 08.00-15.00/15.30) "
        "or a weekly schedule; none: the same hours all year.")
    )
    awal_ramadan: list[date] = Field(
        default_factory=list,
        description=N_("1 Ramadan of a year, when not 30 days before Idul Fitri (the default)."),
    )


class Organisasi(_Strict):
    """The issuing unit: government (pemerintah), unit name and where it works (time zone)."""

    id: Slug = Field(description=N_("Unit id, e.g. 'kecamatan-ngronggot'; second part of the SOP id."))
    wilayah: Slug = Field(description=N_("Region id, e.g. 'nganjuk'; first part of the SOP id."))
    pemerintah: Text = Field(description=N_("e.g. 'Pemerintah Kabupaten Nganjuk'."))
    nama: Text = Field(description=N_("e.g. 'Kecamatan Ngronggot'."))
    alias: list[Slug] = Field(default_factory=list, description=N_("Short names for --org."))
    alamat: str | None = None
    telepon: str | None = None
    email: str | None = None
    laman: str | None = None
    kota: str | None = Field(None, description=N_("Place written before the date of a letter."))
    zona_waktu: Literal["WIB", "WITA", "WIT"] = "WIB"
    hari_libur: list[HariLibur] = Field(default_factory=list)
    jam_kerja: JamKerja | None = Field(None, description=N_("Office hours; default the ASN week."))


class Lane(_Strict):
    """One pelaksana column (swimlane) of the flowchart, in the order of the source table."""

    id: Slug
    nama: Text
    eksternal: bool = Field(
        False, description=N_("Outside the office (Pemohon, another OPD, BAPPEDA): time waiting for this lane "
        "pauses the office's clock; its steps are never late and their time is reported apart.")
    )
    petugas: list[Text] = Field(
        default_factory=list, description=N_("The people who fill the lane when it is several (the Kepala "
        "Seksi of four seksi); `sop start` assigns them all unless --assign names others."))


_SUB_SOP = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*){0,2}$")


def _sub_sop(value: str) -> str:
    if not _SUB_SOP.match(value):
        raise ValueError(_("{value} does not name an SOP: write its id ('rapat') or 'wilayah/organisasi/id'").format(
            value=repr(value)))
    return value


class Langkah(_Strict):
    """One step of the procedure (a row of the flowchart table)."""

    no: StepNo
    kegiatan: Text
    pelaksana: list[Slug] = Field(min_length=1, description=N_("Lane id(s) doing the step."))
    asal_pelaksana: Literal["sumber", "inferensi"] = Field(
        description=N_("'sumber': the lane is marked in the source; 'inferensi': the mark was lost and "
        "the lane is inferred (say why in dasar_inferensi).")
    )
    dasar_inferensi: str | None = None
    simbol: Literal["mulai", "proses", "keputusan", "selesai"] = "proses"
    kelengkapan: Text
    waktu: Waktu
    output: Text
    keterangan: str | None = None
    berikutnya: StepNo | None = Field(None, description=N_("Next step when not simply the following one."))
    ya: StepNo | None = Field(None, description=N_("keputusan: the step after YA (approved)."))
    tidak: Annotated[StepNo | Literal["selesai"] | None, BeforeValidator(_tidak)] = Field(
        None, description=N_("keputusan: the step after TIDAK (rejected), or 'selesai' when a TIDAK ends the "
        "process (the request is refused or returned: the run ends as ditolak, not as rework).")
    )
    dokumen: Annotated[str, AfterValidator(_dokumen)] | None = Field(
        None, description=N_("Document type or template rendering this step's output (sop render --list).")
    )
    paralel: list[StepNo] = Field(
        default_factory=list, description=N_("Steps done at the same time after this one (AND split), e.g. [3, 4]: "
        "the steps written right after it; the step after the last of them waits for all (AND join).")
    )
    sub_sop: Annotated[str, AfterValidator(_sub_sop)] | None = Field(
        None, description=N_("Another SOP of the catalog that does this step ('rapat' or 'wilayah/organisasi/id'): "
        "started as a child run; the step is done when the child run finishes.")
    )

    @property
    def durasi(self) -> Duration:
        """The standard time, parsed."""
        return parse_duration(self.waktu)

    @model_validator(mode="after")
    def _inference_is_explained(self) -> Langkah:
        if self.asal_pelaksana == "inferensi" and not self.dasar_inferensi:
            raise ValueError(_("an inferred pelaksana needs dasar_inferensi: say what it is inferred from"))
        return self


class SopDefinition(_Strict):
    """One SOP AP document: the identity header, the six lists, the lanes and the steps."""

    id: Slug = Field(description=N_("SOP id within its organisation, e.g. 'renja'."))
    nama: Text = Field(description=N_("Nama SOP, e.g. 'Penyusunan Rencana Kerja'."))
    jenis: Literal["layanan", "perencanaan"] | None = Field(None, description=N_(
        "What kind of SOP it is: 'layanan' (a service: every request is a case of its own, for someone, "
        "numbered in the year it was received: sop start SOP --untuk NAME) or 'perencanaan' (a plan: one "
        "run per year, e.g. the Renja). Left out: 'layanan' when the first step is done by an applicant "
        "lane (Pemohon, Masyarakat, Pelapor, Wajib Pajak, Warga), else 'perencanaan'."))
    judul: str | None = Field(None, description=N_("Title as printed on the document, if different."))
    organisasi: Organisasi
    nomor: str | None = Field(None, description=N_("Nomor SOP, as written (may contain blanks)."))
    tanggal_pembuatan: Tanggal | None = None
    tanggal_revisi: Tanggal | None = None
    tanggal_pengesahan: Tanggal | None = None
    tanggal_efektif: Tanggal | None = None
    disahkan_oleh: Pejabat
    dasar_hukum: list[Text]
    kualifikasi_pelaksana: list[Text]
    keterkaitan: list[Text]
    peralatan_perlengkapan: list[Text]
    peringatan: list[Text]
    pencatatan_pendataan: list[Text]
    penjelasan: list[Text] = Field(default_factory=list, description=N_("Explanatory paragraphs."))
    pelaksana: list[Lane] = Field(min_length=1)
    langkah: list[Langkah] = Field(min_length=2)
    toleransi: ToleransiText | None = Field(
        None, description=N_("How far past its Mutu Baku a step may end and still be judged 'berjalan dengan baik' on "
        "the monitoring form: working time ('15 menit', '1 jam') or a share of each step's Mutu Baku ('10%'). "
        "Left out: the office's (sop org toleransi), else none (every overrun is left to the assessor)."))
    sumber: str | None = Field(None, description=N_("Where this definition was transcribed from."))

    @property
    def qualified_id(self) -> str:
        """`wilayah/organisasi/id`, unique in a catalog."""
        return f"{self.organisasi.wilayah}/{self.organisasi.id}/{self.id}"

    def step(self, no: int) -> Langkah:
        """The step numbered `no` (KeyError when there is none)."""
        for langkah in self.langkah:
            if langkah.no == no:
                return langkah
        raise KeyError(no)

    def lane(self, lane_id: str) -> Lane:
        """The lane with id `lane_id` (KeyError when there is none)."""
        for lane in self.pelaksana:
            if lane.id == lane_id:
                return lane
        raise KeyError(lane_id)

    @functools.cached_property
    def graph(self) -> Graph:
        """The definition graph (`sop_cli.definition.graph`): where the flow rules live."""
        return Graph.from_json(plain(self))

    @model_validator(mode="after")
    def _review(self) -> SopDefinition:
        problems = list(review_problems(self))
        if problems:
            raise DefinitionProblems(problems)
        return self


class DefinitionProblems(ValueError):
    """Cross-field findings, each with the location of the field it is about."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(message for _where, message in problems))
        self.problems = problems


def undeclared_lane(step: object, lane: str, declared: list[str]) -> str:
    """The message for a step naming a lane that `pelaksana` does not declare."""
    return _("step {step}: lane {lane} is not declared in pelaksana (declared: {declared})").format(
        step=step, lane=repr(lane), declared=", ".join(declared) or _("none"))


def review_problems(sop: SopDefinition) -> Iterator[tuple[Loc, str]]:
    """What a reviewer of an SOP would object to, each with where it is."""
    lane_ids = [lane.id for lane in sop.pelaksana]
    for i, lane_id in enumerate(lane_ids):
        if lane_id in lane_ids[:i]:
            yield ("pelaksana", i, "id"), _("lane {lane} is declared twice").format(lane=repr(lane_id))

    numbers = [s.no for s in sop.langkah]
    for i, langkah in enumerate(sop.langkah):
        if i and langkah.no <= numbers[i - 1]:
            message = (_("step number {no} repeats step {previous}") if langkah.no in numbers[:i]
                       else _("step number {no} is out of order after step {previous}"))
            yield ("langkah", i, "no"), message.format(no=langkah.no, previous=numbers[i - 1])
    known = set(numbers)

    for i, langkah in enumerate(sop.langkah):
        no = langkah.no
        for j, lane_id in enumerate(langkah.pelaksana):
            if lane_id not in lane_ids:
                yield ("langkah", i, "pelaksana", j), undeclared_lane(no, lane_id, lane_ids)
        for field in ("berikutnya", "ya", "tidak"):
            target = getattr(langkah, field)
            if target is not None and target != "selesai" and target not in known:
                yield ("langkah", i, field), _("step {no}: {field} points to step {target}, which does not exist").format(
                    no=no, field=field, target=target)
        if langkah.simbol == "keputusan":
            for field in ("ya", "tidak"):
                if getattr(langkah, field) is None:
                    yield ("langkah", i), _("step {no} is a keputusan and needs both branches; {field} is missing").format(
                        no=no, field=field)
            if langkah.berikutnya is not None:
                yield ("langkah", i, "berikutnya"), _("step {no}: a keputusan continues by ya/tidak, not berikutnya").format(
                    no=no)
        else:
            for field in ("ya", "tidak"):
                if getattr(langkah, field) is not None:
                    yield ("langkah", i, field), _("step {no}: only a keputusan step has {field} (simbol is {simbol})").format(
                        no=no, field=field, simbol=langkah.simbol)
        if langkah.sub_sop is not None and langkah.simbol != "proses":
            yield ("langkah", i, "sub_sop"), _("step {no}: only a proses step can be done by another SOP "
                                               "(simbol is {simbol})").format(no=no, simbol=langkah.simbol)
        if langkah.sub_sop is not None and langkah.sub_sop.split("/")[-1] == sop.id and langkah.sub_sop.count("/") != 2:
            yield ("langkah", i, "sub_sop"), _("step {no}: an SOP cannot be its own sub-SOP").format(no=no)
        if langkah.simbol == "selesai" and langkah.berikutnya is not None:
            yield ("langkah", i, "berikutnya"), _("step {no} is selesai (the end) and cannot have berikutnya").format(no=no)

    total = total_too_long([s.durasi for s in sop.langkah])
    if total:
        yield ("langkah",), total

    starts = [i for i, s in enumerate(sop.langkah) if s.simbol == "mulai"]
    ends = [i for i, s in enumerate(sop.langkah) if s.simbol == "selesai"]
    if starts != [0]:
        where = ("langkah", starts[1] if len(starts) > 1 else 0, "simbol")
        yield where, _("the first step, and only the first step, has simbol: mulai")
    if not ends:
        yield ("langkah", len(sop.langkah) - 1, "simbol"), _("no step has simbol: selesai (the end)")
    yield from _parallel_problems(sop, known)
    links = [t for s in sop.langkah for t in (s.berikutnya, s.ya, s.tidak, *s.paralel) if isinstance(t, int)]
    if len(known) == len(numbers) and known.issuperset(links):
        # over duplicate numbers or broken links this would only repeat the findings above
        yield from _reachability(sop)


def _parallel_problems(sop: SopDefinition, known: set[int]) -> Iterator[tuple[Loc, str]]:
    """A split (`paralel`) names two or more steps written right after it, each an ordinary step
    going on to the join (the step written after the last branch), and nothing else leads into a
    branch: the run engine then knows which steps are open at once and when the join starts."""
    index = {s.no: i for i, s in enumerate(sop.langkah)}
    branch_of: dict[int, int] = {}
    for i, langkah in enumerate(sop.langkah):
        if not langkah.paralel:
            continue
        where: Loc = ("langkah", i, "paralel")
        no = langkah.no
        missing = [n for n in langkah.paralel if n not in known]
        if missing:
            yield where, _("step {no}: paralel names step {target}, which does not exist").format(no=no, target=missing[0])
            continue
        if len(langkah.paralel) < 2 or len(set(langkah.paralel)) != len(langkah.paralel):
            yield where, _("step {no}: paralel needs two or more different steps done at the same time").format(no=no)
            continue
        expected = [s.no for s in sop.langkah[i + 1:i + 1 + len(langkah.paralel)]]
        if langkah.paralel != expected:
            yield where, _("step {no}: the parallel steps must be the ones written right after it, in order "
                           "(here {expected})").format(no=no, expected=expected)
            continue
        if langkah.simbol in ("keputusan", "selesai"):
            yield ("langkah", i, "simbol"), _("step {no}: a {simbol} cannot split into parallel steps").format(
                no=no, simbol=langkah.simbol)
        if langkah.berikutnya is not None:
            yield ("langkah", i, "berikutnya"), _("step {no}: a split goes on to its paralel steps, not berikutnya").format(
                no=no)
        last = index[langkah.paralel[-1]]
        if last + 1 >= len(sop.langkah):
            yield where, _("step {no}: no step is written after the parallel steps to wait for them (the join)").format(
                no=no)
        for branch in langkah.paralel:
            j = index[branch]
            step = sop.langkah[j]
            branch_of[branch] = no
            if step.simbol != "proses":
                yield ("langkah", j, "simbol"), _("step {no} runs in parallel and must be a proses, not {simbol}").format(
                    no=branch, simbol=step.simbol)
            for field in ("berikutnya", "paralel"):
                if getattr(step, field):
                    yield ("langkah", j, field), _("step {no} runs in parallel and goes on to the step after the parallel "
                                                   "steps; it cannot have {field}").format(no=branch, field=field)
    for i, langkah in enumerate(sop.langkah):
        for field in ("berikutnya", "ya", "tidak"):
            target = getattr(langkah, field)
            if isinstance(target, int) and target in branch_of:
                yield ("langkah", i, field), _("step {no}: {field} points into the parallel step {target}; point to step "
                                               "{split}, which starts all of them").format(
                    no=langkah.no, field=field, target=target, split=branch_of[target])


def review_warnings(sop: SopDefinition) -> Iterator[tuple[Loc, str]]:
    """What a reviewer would point out without refusing the file: a lane no step uses."""
    used = {lane_id for langkah in sop.langkah for lane_id in langkah.pelaksana}
    for i, lane in enumerate(sop.pelaksana):
        if lane.id not in used:
            yield ("pelaksana", i), _("lane {lane} ({nama}) has no step: an empty column in the flowchart").format(
                lane=repr(lane.id), nama=lane.nama)


def _reachability(sop: SopDefinition) -> Iterator[tuple[Loc, str]]:
    index = {s.no: i for i, s in enumerate(sop.langkah)}
    graph = sop.graph
    for no in graph.unreachable():
        yield ("langkah", index[no]), _("step {no} cannot be reached from the start (step {first})").format(
            no=no, first=graph.first)
    for no in graph.never_finishing():
        yield ("langkah", index[no]), _("step {no} never leads to the end (a loop with no way out)").format(no=no)


_MODEL_DOCS = (
    N_("A day off of the organisation's own, on top of the national holidays and cuti bersama.\n\n"
       "Once: `tanggal: 2026-11-17`. Every year (a Hari Jadi): `tanggal: \"17-11\"` (DD-MM), or a full\n"
       "date with `setiap_tahun: true`."),
    N_("The organisation's office hours, when not the ASN week (Perpres 21/2023)."),
    N_("One pelaksana column (swimlane) of the flowchart, in the order of the source table."),
    N_("One step of the procedure (a row of the flowchart table)."),
    N_("The issuing unit: government (pemerintah), unit name and where it works (time zone)."),
    N_("An official: the jabatan (position) and, where the source gives them, name, rank and NIP."),
    N_("One SOP AP document: the identity header, the six lists, the lanes and the steps."),
)
"""The models' docstrings as the schema gives them (descriptions of its `$defs`), for the catalog;
tests/test_i18n_definition.py fails when a docstring changes and this does not."""


def sop_json_schema() -> dict[str, object]:
    """The JSON Schema of an SOP file, for editors (`sop schema`), its descriptions in the
    interface language (field names and values stay as the file writes them)."""
    schema = SopDefinition.model_json_schema()
    described: dict[str, object] = _described({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": _("SOP definition (sop)"),
        **{k: v for k, v in schema.items() if k != "title"},
    })
    return described


def _described(node: Any) -> Any:
    """`node` with every `description` (marked N_ above or on a Field) translated."""
    if isinstance(node, dict):
        return {k: _(v) if k == "description" and isinstance(v, str) else _described(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_described(v) for v in node]
    return node


# Definitions validated before -------------------------------------------------------------------


class NotTrusted(TypeError):
    """A field type the fast paths below do not handle; use validation instead."""


def from_trusted(data: dict[str, Any]) -> SopDefinition:
    """Rebuild a definition from `trusted_dump` without validating it again.

    Only for data that `sop` itself dumped from a validated definition (a cache, a pinned copy):
    the result equals what validation gave, fields set included. Raises NotTrusted when the model
    has a field type this does not know (then validate, or re-read the file).
    """
    definition: SopDefinition = _construct(SopDefinition, data)
    return definition


def trusted_dump(sop: SopDefinition) -> dict[str, Any]:
    """JSON-ready data of the fields that were set, for `from_trusted`."""
    return sop.model_dump(mode="json", exclude_unset=True)


def plain(sop: BaseModel) -> dict[str, Any]:
    """`sop.model_dump(mode="json")`, without building pydantic's serializer when it is not built yet."""
    if type(sop).__pydantic_complete__:
        return sop.model_dump(mode="json")
    try:
        return _plain(sop)
    except NotTrusted:
        return sop.model_dump(mode="json")


_PLANS: dict[type[BaseModel], dict[str, Any]] = {}


def _construct(cls: type[BaseModel], data: dict[str, Any]) -> Any:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = {name: _converter(info.annotation) for name, info in cls.__pydantic_fields__.items()}
    values = {}
    for name, value in data.items():
        convert = plan.get(name)
        if convert is None:
            raise NotTrusted(f"{cls.__name__} has no field {name!r}")
        values[name] = convert(value)
    return cls.model_construct(_fields_set=set(values), **values)


def _converter(annotation: Any) -> Any:
    """A function turning the JSON form of a value of type `annotation` back into the value."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _converter(get_args(annotation)[0])
    if origin in (Union, UnionType):
        arms = [arm for arm in get_args(annotation) if arm is not type(None)]
        if len(arms) != 1 and all(get_origin(arm) is Literal or arm in (str, int) for arm in arms):
            return lambda value: value  # JSON scalars (`tidak`: a step number or "selesai")
        if len(arms) != 1:
            return _refuse(annotation)
        inner = _converter(arms[0])
        return lambda value: None if value is None else inner(value)
    if origin is list:
        (item,) = get_args(annotation)
        convert = _converter(item)
        return lambda value: [convert(v) for v in value]
    if origin is Literal:
        return lambda value: value
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return lambda value: _construct(annotation, value)
        if annotation is date:
            return date.fromisoformat
        if annotation in (str, int, bool):
            def same(value: Any, kind: type = annotation) -> Any:
                if type(value) is not kind:
                    raise NotTrusted(f"{kind.__name__} expected, got {value!r}")
                return value

            return same
    return _refuse(annotation)


def _refuse(annotation: Any) -> Any:
    def refuse(value: Any) -> Any:
        raise NotTrusted(f"{annotation!r} for {value!r}")

    return refuse


def _plain(model: BaseModel) -> dict[str, Any]:
    return {name: _plain_value(getattr(model, name)) for name in type(model).__pydantic_fields__}


def _plain_value(value: Any) -> Any:
    if value is None or type(value) in (str, int, bool):
        return value
    if isinstance(value, BaseModel):
        return _plain(value)
    if type(value) is list:
        return [_plain_value(v) for v in value]
    if type(value) is date:
        return value.isoformat()
    raise NotTrusted(f"{type(value).__name__} value")
