"""The definition graph: an SOP's steps and how they follow each other, typed and immutable.

Every part of `sop` that asks "what comes after this step?" asks this module: the reviewer's
checks in `model` (every step reachable, every step able to finish), the run engine (which step
becomes current after an event), the forecast (the main path) and the flowchart (its arrows).
So the flow rules are written once, here:

- a `keputusan` goes on to `ya` when approved and to `tidak` when rejected, unless `tidak` is
  "selesai": then a rejection ends the process (the request is refused or returned), so that
  decision is an end as well as a step with one successor;
- a `selesai` is the end: nothing follows it;
- any other step goes on to its `berikutnya` when it has one, else to the step written after it
  (and the last step written has nothing after it);
- a step with `paralel: [3, 4]` splits the run (AND split): steps 3 and 4 (written right after
  it) all become current at once; each branch goes on to the join, the step written after the
  last branch, which becomes current only when every branch is done (AND join).

Lanes marked `eksternal: true` are outside the office (Pemohon, another OPD): a step done only by
such lanes is `Step.external` (its time is waiting, not office time). A step with `sub_sop` is done
by a run of another SOP of the catalog (`Step.sub_sop`).

The graph is built from the JSON form of a validated definition (what a run pins and the catalog
cache stores), with the standard library only: the commands typed all day (`sop status`,
`sop advance`) never import pydantic. `SopDefinition.graph` gives the same graph for a model.

Its annotations are evaluated (no `from __future__ import annotations`; `Graph.from_json`'s own
name is quoted): a NamedTuple compiles each annotation written as a string into a ForwardRef.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from sop_cli.definition.duration import Duration, parse_duration
from sop_cli.errors import StoreError
from sop_cli.i18n import _

JSON = Mapping[str, Any]
"""The JSON form of a definition or of a part of it (`SopDefinition.model_dump(mode="json")`)."""

LISTS: tuple[tuple[str, str], ...] = (
    ("dasar_hukum", "Dasar Hukum"),
    ("kualifikasi_pelaksana", "Kualifikasi Pelaksana"),
    ("keterkaitan", "Keterkaitan"),
    ("peralatan_perlengkapan", "Peralatan/Perlengkapan"),
    ("peringatan", "Peringatan"),
    ("pencatatan_pendataan", "Pencatatan dan Pendataan"),
)
"""The six lists of an SOP AP document, field name and title, in the order the document prints them
(two per row of its table: `LIST_PAIRS`)."""

LIST_PAIRS: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = tuple(zip(LISTS[::2], LISTS[1::2]))

DECISION = "keputusan"
END = "selesai"

Tidak = int | Literal["selesai"] | None
"""A decision's TIDAK: a step number, "selesai" (a rejection ends the process) or None."""


def successors(simbol: str, ya: int | None, tidak: Tidak, berikutnya: int | None,
               written_next: int | None, paralel: Sequence[int] = ()) -> tuple[int, ...]:
    """The steps that can follow a step: YA then TIDAK for a decision, every branch of a split,
    else one step or none.

    A TIDAK of "selesai" is no step: a decision with it has the YA step only (and is an end).
    A branch of a split goes on to the join: `Graph.from_json` gives it the join as `written_next`.

    Args:
        simbol: The step's symbol (`mulai`, `proses`, `keputusan`, `selesai`).
        ya, tidak, berikutnya: The step's own links (None when absent).
        written_next: The number of the step written after it in the definition (None for the last).
        paralel: The branches when the step splits the run (AND split), else empty.
    """
    if paralel:
        return tuple(paralel)
    if simbol == DECISION:
        return tuple(n for n in (ya, tidak) if isinstance(n, int))
    if simbol == END:
        return ()
    if berikutnya is not None:
        return (berikutnya,)
    return (written_next,) if written_next is not None else ()


class Step(NamedTuple):
    """One step (langkah) as the flow needs it.

    Attributes:
        no: The step number.
        kegiatan: What is done, whitespace folded to single spaces.
        lanes: The lane ids doing it, in the definition's order.
        simbol: `mulai`, `proses`, `keputusan` or `selesai`.
        waktu: The standard time as written (`2 jam`); `durasi` parsed.
        output: The Mutu Baku output.
        following: The steps that can follow it (see `successors`); YA first for a decision.
        ya, tidak: A decision's branches (None otherwise); `tidak` may be "selesai" (see `refusal_ends`).
        branches: The steps it splits the run into (`paralel`: AND split), else ().
        join: For a split, the step waiting for every branch; for a branch, the same join; else None.
        split: For a branch, the step that splits into it; else None.
        external: Done only by lanes outside the office (`eksternal`): never late, its time apart.
        sub_sop: The SOP (as named in the file) whose run does this step, else None.
    """

    no: int
    kegiatan: str
    lanes: tuple[str, ...]
    simbol: str
    waktu: str
    durasi: Duration
    output: str
    following: tuple[int, ...]
    ya: int | None = None
    tidak: Tidak = None
    branches: tuple[int, ...] = ()
    join: int | None = None
    split: int | None = None
    external: bool = False
    sub_sop: str | None = None

    @property
    def is_split(self) -> bool:
        """Whether the step splits the run into branches done at the same time (`paralel`)."""
        return bool(self.branches)

    @property
    def is_decision(self) -> bool:
        """Whether the step is a *keputusan* (approved or rejected, not simply done)."""
        return self.simbol == DECISION

    @property
    def refusal_ends(self) -> bool:
        """Whether a rejection ends the process (`tidak: selesai`): the request is refused or returned."""
        return self.is_decision and self.tidak == END


class Organisation(NamedTuple):
    """What a run shows of the issuing unit."""

    id: str
    wilayah: str
    nama: str
    pemerintah: str
    zona_waktu: str
    alias: tuple[str, ...] = ()
    days_off: tuple[date, ...] = ()


class Graph(NamedTuple):
    """An SOP definition as a graph of steps (see the module docstring for the rules).

    Attributes:
        id, nama: The SOP's id within its organisation and its name.
        org: The issuing unit.
        lanes: Lane id to lane name, in the definition's order (read-only).
        steps: Step number to `Step`, in the definition's order (read-only).
        data: The JSON form it was built from (what `RunState.sop` validates into a `SopDefinition`).
    """

    id: str
    nama: str
    org: Organisation
    lanes: Mapping[str, str]
    steps: Mapping[int, Step]
    data: JSON
    external_lanes: frozenset[str] = frozenset()

    @classmethod
    def from_json(cls, data: JSON) -> "Graph":
        """The graph of a definition's JSON form (a validated one: no checks are repeated here)."""
        org = data["organisasi"]
        rows: Sequence[JSON] = data["langkah"]
        external = frozenset(lane["id"] for lane in data["pelaksana"] if lane.get("eksternal"))
        position = {row["no"]: index for index, row in enumerate(rows)}
        split_of: dict[int, int] = {}
        join_of: dict[int, int | None] = {}
        for row in rows:
            branches = [n for n in row.get("paralel") or () if n in position]
            if branches:
                last = max(position[n] for n in branches)
                join_of[row["no"]] = rows[last + 1]["no"] if last + 1 < len(rows) else None
                split_of.update((n, row["no"]) for n in branches)
        steps: dict[int, Step] = {}
        for index, row in enumerate(rows):
            written_next = rows[index + 1]["no"] if index + 1 < len(rows) else None
            split = split_of.get(row["no"])
            if split is not None:
                written_next = join_of[split]  # a branch goes on to the join, not to the next branch
            simbol = row.get("simbol") or "proses"
            lanes = tuple(row["pelaksana"])
            steps[row["no"]] = Step(
                no=row["no"],
                kegiatan=" ".join(str(row["kegiatan"]).split()),
                lanes=lanes,
                simbol=simbol,
                waktu=row["waktu"],
                durasi=parse_duration(row["waktu"]),
                output=row.get("output") or "",
                following=successors(simbol, row.get("ya"), row.get("tidak"),
                                     None if split is not None else row.get("berikutnya"), written_next,
                                     tuple(row.get("paralel") or ())),
                ya=row.get("ya"),
                tidak=row.get("tidak"),
                branches=tuple(row.get("paralel") or ()),
                join=join_of.get(row["no"]) if row["no"] in join_of else (join_of[split] if split is not None else None),
                split=split,
                external=bool(lanes) and all(lane in external for lane in lanes),
                sub_sop=row.get("sub_sop"),
            )
        return cls(
            id=data["id"],
            nama=data["nama"],
            org=Organisation(
                id=org["id"], wilayah=org["wilayah"], nama=org["nama"], pemerintah=org["pemerintah"],
                zona_waktu=org.get("zona_waktu") or "WIB", alias=tuple(org.get("alias") or ()),
                days_off=tuple(date.fromisoformat(str(d["tanggal"])) for d in org.get("hari_libur") or ()
                               if _once(d)),
            ),
            lanes=MappingProxyType({lane["id"]: lane["nama"] for lane in data["pelaksana"]}),
            steps=MappingProxyType(steps),
            data=data,
            external_lanes=external,
        )

    # Identity ------------------------------------------------------------------------------------

    @property
    def qualified_id(self) -> str:
        """`wilayah/organisasi/id`."""
        return f"{self.org.wilayah}/{self.org.id}/{self.id}"

    @property
    def zone(self) -> str:
        """The organisation's time zone name (WIB, WITA, WIT)."""
        return self.org.zona_waktu

    def extra_days_off(self) -> list[date]:
        """The organisation's own one-off days off (`organisasi.hari_libur`); the yearly ones (and
        office hours) are in `sop_cli.worktime.office_calendar`, which a run's calendar is built with."""
        return list(self.org.days_off)

    @property
    def jenis(self) -> str:
        """"layanan" (a service: many cases, each for someone) or "perencanaan" (one run a year):
        what the file says (`jenis`), else inferred by `infer_jenis`."""
        return infer_jenis(self.data)

    # Flow ----------------------------------------------------------------------------------------

    @property
    def first(self) -> int:
        """The number of the first step (the `mulai`)."""
        return next(iter(self.steps))

    def total_minutes(self) -> int:
        """Sum of the standard times of all steps, in working minutes (one pass, no rework); steps
        done at the same time (the branches of a split) count as the longest of them."""
        from sop_cli.worktime import duration_minutes

        minutes = {no: duration_minutes(step.durasi) for no, step in self.steps.items()}
        splits = [[minutes[b] for b in step.branches] for step in self.steps.values() if step.is_split]
        return sum(minutes.values()) - sum(sum(branches) - max(branches) for branches in splits)

    @property
    def main_path(self) -> list[int]:
        """The steps from the first to the end, YA at every decision."""
        return self.path_from(self.first)

    def step(self, no: int) -> Step:
        """The step numbered `no` (StoreError: a run's log names a step its definition lacks)."""
        try:
            return self.steps[no]
        except KeyError:
            raise StoreError(_("The pinned SOP {sop} has no step {no}; the run log is damaged.").format(
                sop=self.qualified_id, no=no), details={"problem": _("its pinned SOP {sop} has no step {no}").format(
                    sop=self.qualified_id, no=no)}) from None

    def successors(self, no: int) -> tuple[int, ...]:
        """The steps that can follow step `no`, YA first for a decision; () at the end."""
        return self.step(no).following

    def next_step(self, no: int) -> int | None:
        """The step after `no` on the main path (YA at a decision); None after the end."""
        following = self.step(no).following
        return following[0] if following else None

    def after_all(self, no: int, outcome: str) -> tuple[int, ...]:
        """The steps that become current when step `no` ends with `outcome` and nothing else is open:
        every branch after a split, the join after a branch (once all branches are done: the run
        engine's part), else `after` (empty at the end)."""
        step = self.step(no)
        if step.is_split:
            return step.branches
        following = self.after(no, outcome)
        return () if following is None else (following,)

    def after(self, no: int, outcome: str) -> int | None:
        """The step that becomes current when step `no` ends with `outcome` ("rejected" takes a
        decision's TIDAK branch; anything else goes on along the main path); None at the end,
        which a rejection at a `tidak: selesai` decision also is."""
        step = self.step(no)
        if step.is_decision and outcome == "rejected":
            return None if step.refusal_ends else step.tidak  # type: ignore[return-value]
        return self.next_step(no)

    def sends_back(self, no: int) -> bool:
        """Whether a rejection at step `no` is rework: its TIDAK returns to a step from which the
        decision is reached again (a loop). A TIDAK that jumps forward to steps of its own (a
        refusal written out as steps) is a branch, and `tidak: selesai` ends the process."""
        step = self.step(no)
        if not step.is_decision or step.refusal_ends or step.tidak is None:
            return False
        return no in _closure([step.tidak], {n: s.following for n, s in self.steps.items()})  # type: ignore[list-item]

    def path_from(self, no: int) -> list[int]:
        """The steps from `no` to the end along the main path (stopping before a step repeats).

        A split is followed by all its branches, then the join; from a branch, the path goes on
        to the join (the other branches are not on it)."""
        path: list[int] = []
        current: int | None = no
        while current is not None and current not in path:
            path.append(current)
            step = self.step(current)
            if step.is_split:
                path.extend(n for n in step.branches if n not in path)
                current = step.join
            else:
                current = self.next_step(current)
        return path

    def edges(self) -> Iterator[tuple[int, int | None, str | None]]:
        """Every arrow of the flowchart: (from, to, label), the label "YA"/"TIDAK" on a decision.

        The TIDAK of a `tidak: selesai` decision is (from, None, "TIDAK"): an arrow to an end of its own.
        The arrows of a split go to each branch, and each branch's arrow to the join (no label).
        """
        for step in self.steps.values():
            for n, target in enumerate(step.following):
                yield step.no, target, (("YA" if n == 0 else "TIDAK") if step.is_decision else None)
            if step.refusal_ends:
                yield step.no, None, "TIDAK"

    def unreachable(self) -> list[int]:
        """Steps that cannot be reached from the first, in order."""
        seen = _closure([self.first], {no: s.following for no, s in self.steps.items()})
        return [no for no in self.steps if no not in seen]

    def never_finishing(self) -> list[int]:
        """Reachable steps from which no path leads to a `selesai` (a loop with no way out)."""
        reverse: dict[int, list[int]] = {no: [] for no in self.steps}
        ends = [no for no, s in self.steps.items() if s.simbol == END]
        for source, target, _label in self.edges():
            if target is None:
                ends.append(source)  # a TIDAK that ends the process
            else:
                reverse.setdefault(target, []).append(source)
        finishing = _closure(ends, reverse)
        unreachable = set(self.unreachable())
        return [no for no in self.steps if no not in unreachable and no not in finishing]


def _closure(start: Iterable[int], edges: Mapping[int, Sequence[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(start)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))
    return seen


def _once(day_off: JSON) -> bool:
    """Whether an `organisasi.hari_libur` entry is one date (not "DD-MM" nor `setiap_tahun`: yearly)."""
    return len(str(day_off["tanggal"])) == 10 and not day_off.get("setiap_tahun")


KINDS = ("layanan", "perencanaan")
"""The kinds of SOP (`jenis`): a service run as cases, a plan run once a year."""

APPLICANT_WORDS = ("pemohon", "masyarakat", "pelapor", "wajib pajak", "warga", "pengguna layanan")
"""Words in a lane's id or name that make it an applicant (someone outside asking for a service)."""


def infer_jenis(data: JSON) -> str:
    """The kind of an SOP's JSON form: its `jenis` when written, else "layanan" when its first step
    is done by an applicant lane (a request starts the process: a service), else "perencanaan"
    (what every SOP was before `jenis` existed: one run per year)."""
    written = data.get("jenis")
    if written in KINDS:
        return str(written)
    rows = data.get("langkah") or ()
    if not rows:
        return "perencanaan"
    names = {lane["id"]: f"{lane['id']} {lane['nama']}".lower().replace("-", " ").replace("_", " ")
             for lane in data.get("pelaksana") or ()}
    first_lanes = rows[0].get("pelaksana") or ()
    applicant = any(word in names.get(lane, "") for lane in first_lanes for word in APPLICANT_WORDS)
    return "layanan" if applicant else "perencanaan"
