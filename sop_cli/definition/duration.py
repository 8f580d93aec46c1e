"""Mutu baku *waktu*: the standard time of a step, written as offices write it.

Accepted forms (any capitalisation and spacing):

* a whole amount of one unit: ``5 menit``, ``2 jam``, ``1 hari``, ``3 hari kerja``, ``1 minggu``;
* clock time in two units: ``2 jam 30 menit`` (also ``1 minggu 2 hari``);
* a decimal comma (Indonesian): ``0,5 jam`` (30 menit), ``1,5 jam`` (90 menit); the result must be
  a whole number of minutes (or of working days for ``minggu``);
* calendar time: ``3 hari kalender`` (calendar days, weekends and holidays included), ``1 bulan``;
* a range: ``1-2 hari``, ``30 menit - 1 jam``, ``1 s.d. 3 hari``: the deadline is the upper bound,
  and so is the forecast (an office promises the upper bound; planning with it never shows a run
  on time that is already behind);
* no fixed time: ``-``, ``sesuai jadwal``, ``menyesuaikan``, ``tentatif``: the step is tracked (its
  start, end and working time are recorded) but is never late; the forecast gives it no time.

"menit" and "jam" are office-clock time, "hari" and "minggu" are working days and weeks (5 hari),
"hari kalender" and "bulan" count the calendar; `sop_cli.worktime` turns them into deadlines.

One rule bounds every standard time (`MAX_AMOUNT`): a step lasts at most about a year. `sop
validate` and `sop start` both apply it, because both validate the definition through
`parse_waktu`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple, TypedDict

from sop_cli.i18n import N_, _

_SYNONYMS: Mapping[str, str] = MappingProxyType({
    "menit": "menit",
    "mnt": "menit",
    "jam": "jam",
    "hari": "hari",
    "hari kerja": "hari",
    "minggu": "minggu",
    "pekan": "minggu",
    "minggu kerja": "minggu",
    "hari kalender": "hari kalender",
    "bulan": "bulan",
})

UNTIMED = ("-", "sesuai jadwal", "menyesuaikan", "tentatif")
"""Texts meaning "no fixed time" (after lower-casing and collapsing spaces)."""

MAX_AMOUNT: Mapping[str, int] = MappingProxyType({
    "menit": 1950 * 60,
    "jam": 1950,
    "hari": 260,
    "minggu": 52,
    "hari kalender": 366,
    "bulan": 12,
})
"""The largest standard time per unit: about one year (260 working days of 7.5 hours)."""

# Working-day units and clock units each convert to their smallest member; calendar units do not mix.
_SCALE: Mapping[str, tuple[str, int]] = MappingProxyType({
    "menit": ("menit", 1),
    "jam": ("menit", 60),
    "hari": ("hari", 1),
    "minggu": ("hari", 5),
    "hari kalender": ("hari kalender", 1),
    "bulan": ("bulan", 1),
})

_UNIT_WORDS = "|".join(sorted((re.escape(k).replace(r"\ ", r"\s+") for k in _SYNONYMS), key=len, reverse=True))
_TERM = re.compile(rf"(\d{{1,7}}(?:[,.]\d{{1,4}})?)\s*({_UNIT_WORDS})(?![a-z])")
_NUMBER = re.compile(r"^\d{1,7}(?:,\d{1,4})?$")
_RANGE = re.compile(r"\s*(?:-|–|—|(?<![a-z])(?:s\.?\s*d\.?|s/d|sampai(?:\s+dengan)?)(?![a-z]))\s*")

ACCEPTED_FORMS = N_(
    '"5 menit", "2 jam 30 menit", "1,5 jam", "1 hari" (or "1 hari kerja"), "1 minggu", '
    '"3 hari kalender", "1 bulan", a range such as "1-2 hari" or "30 menit - 1 jam", '
    'or "-" / "sesuai jadwal" for a step with no fixed time'
)
"""The forms of a standard time, for messages (translate with `_()` at use)."""

def _any_case(pattern: str) -> str:
    """`pattern` with every letter outside an escape matching both cases ("a" -> "[aA]")."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped or not char.isalpha():
            out.append(char)
            escaped = char == "\\" and not escaped
        else:
            out.append(f"[{char}{char.upper()}]")
    return "".join(out)


_P_NUM = r"\d+(?:,\d+)?"
_P_UNIT = r"(?:menit|mnt|jam|hari(?:\s+kerja|\s+kalender)?|minggu(?:\s+kerja)?|pekan|bulan)"
_P_TO = r"(?:-|–|s\.?\s*d\.?|s/d|sampai(?:\s+dengan)?)"
_P_EXPR = rf"(?:{_P_NUM}\s*{_P_UNIT}\s*)+"
WAKTU_PATTERN = _any_case(
    rf"^\s*(?:-|sesuai\s+jadwal|menyesuaikan|tentatif"
    rf"|(?:{_P_NUM}\s*{_P_TO}\s*)?{_P_EXPR}(?:{_P_TO}\s*{_P_EXPR})?)\s*$"
)
"""A JSON Schema (ECMAScript) pattern of every accepted form, so that an editor flags a bad
`waktu` while typing; the bounds and unit mixing are checked by `sop validate`."""


class Duration(NamedTuple):
    """A parsed standard time.

    Attributes:
        value: The deadline amount (the upper bound of a range), in `unit`; 0 for no fixed time.
        unit: "menit", "jam", "hari", "minggu", "hari kalender" or "bulan".
        lower: The lower bound of a range, in `unit`; None when not a range.
        untimed: No fixed time ("sesuai jadwal"): tracked, never late; `value` is 0.
    """

    value: int
    unit: str
    lower: int | None = None
    untimed: bool = False

    def __str__(self) -> str:
        if self.untimed:
            return "sesuai jadwal"
        if self.lower is not None:
            return f"{self.lower}-{self.value} {self.unit}"
        return f"{self.value} {self.unit}"


class WaktuError(ValueError):
    """A standard time that is not one of the accepted forms, or is out of bounds."""


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).strip().lower())


def _amount(number: str, unit: str, text: str) -> tuple[int, str]:
    """One term "1,5 jam" as a whole amount of the unit it converts to (90, "menit")."""
    if "." in number:
        raise WaktuError(_("waktu {text}: write a decimal with a comma, as in \"1,5 jam\"").format(text=repr(text)))
    base, factor = _SCALE[unit]
    whole, _comma, fraction = number.partition(",")
    if not fraction:
        return int(whole), unit
    scaled = (int(whole) * 10 ** len(fraction) + int(fraction)) * factor
    if scaled % 10 ** len(fraction) or unit == base:
        message = {
            "menit": _("waktu {text}: {amount} is not a number of whole minutes; write it in a smaller unit "
                       "(e.g. \"3 jam 45 menit\" for half a day)"),
            "hari": _("waktu {text}: {amount} is not a number of whole working days; write it in a smaller unit "
                      "(e.g. \"3 jam 45 menit\" for half a day)"),
            "hari kalender": _("waktu {text}: {amount} is not a number of whole days; write it in a smaller unit "
                               "(e.g. \"3 jam 45 menit\" for half a day)"),
            "bulan": _("waktu {text}: {amount} is not a number of whole months; write it in a smaller unit "
                       "(e.g. \"3 jam 45 menit\" for half a day)"),
        }[base]
        raise WaktuError(message.format(text=repr(text), amount=f"{number} {unit}"))
    return scaled // 10 ** len(fraction), base


def _expression(part: str, text: str) -> tuple[int, str]:
    """A sum of terms, "2 jam 30 menit", as (amount, unit); one unit kept when there is one term."""
    terms = list(_TERM.finditer(part))
    if not terms or "".join(m.group(0) for m in terms).replace(" ", "") != part.replace(" ", ""):
        raise WaktuError(_("waktu {text} is not a standard time; write it as {forms}").format(
            text=repr(text), forms=_(ACCEPTED_FORMS)))
    units = [_SYNONYMS[re.sub(r"\s+", " ", m.group(2))] for m in terms]
    if len(set(units)) != len(units):
        raise WaktuError(_("waktu {text} names a unit twice").format(text=repr(text)))
    if len(terms) == 1:
        return _amount(terms[0].group(1), units[0], text)
    bases = {_SCALE[u][0] for u in units}
    if len(bases) != 1 or bases & {"hari kalender", "bulan"}:
        raise WaktuError(_("waktu {text} mixes units that do not add up (working days, clock time "
                           "and calendar time); write it in one of them").format(text=repr(text)))
    base = bases.pop()
    total = 0
    for match, unit in zip(terms, units):
        amount, amount_unit = _amount(match.group(1), unit, text)
        total += amount * (_SCALE[amount_unit][1] if amount_unit != base else 1)
    return total, base


def _common(a: tuple[int, str], b: tuple[int, str], text: str) -> tuple[int, int, str]:
    if a[1] == b[1]:
        return a[0], b[0], a[1]
    base_a, base_b = _SCALE[a[1]], _SCALE[b[1]]
    if base_a[0] != base_b[0]:
        raise WaktuError(_("waktu {text}: both ends of a range must be in the same kind of time").format(
            text=repr(text)))
    return a[0] * base_a[1], b[0] * base_b[1], base_a[0]


def parse_duration(text: str) -> Duration:
    """Parse a standard time ("15 Menit", "1-2 hari", "sesuai jadwal") into a `Duration`.

    The bounds of `MAX_AMOUNT` are not checked here, so that a run pinned by an older version
    still replays; `parse_waktu` checks them.

    Raises:
        WaktuError (a ValueError): The text is none of the accepted forms; the message quotes it.
    """
    norm = _normalise(text)
    if norm in UNTIMED or norm in ("–", "—"):
        return Duration(0, "menit", untimed=True)
    halves = _RANGE.split(norm, maxsplit=1) if not norm.startswith("-") else [norm]
    if len(halves) == 2:
        left, right = halves
        if _NUMBER.match(left):
            right_terms = list(_TERM.finditer(right))
            if len(right_terms) != 1:
                raise WaktuError(_("waktu {text}: a range like \"1-2 hari\" needs one unit after the numbers").format(
                    text=repr(text)))
            left = f"{left} {right_terms[0].group(2)}"
        low, high, unit = _common(_expression(left, text), _expression(right, text), text)
        if low <= 0:
            raise WaktuError(_("waktu {text} must be more than zero").format(text=repr(text)))
        if low > high:
            raise WaktuError(_("waktu {text}: the range goes from more to less; write the smaller end first").format(
                text=repr(text)))
        return Duration(high, unit, low if low != high else None)
    value, unit = _expression(norm, text)
    if value <= 0:
        raise WaktuError(_("waktu {text} must be more than zero").format(text=repr(text)))
    return Duration(value, unit)


def display_waktu(text: str) -> str:
    """A standard time as `sop` shows it: as written, but lower case, single spaces and one word
    per unit ("10 Menit" and "10 mnt" show as "10 menit", "2  Jam" as "2 jam")."""
    return re.sub(r"(?<![a-z])mnt(?![a-z])", "menit", _normalise(text))


def check_bounds(duration: Duration, text: str) -> Duration:
    """Refuse a standard time longer than `MAX_AMOUNT` allows (about a year)."""
    limit = MAX_AMOUNT[duration.unit]
    if duration.value > limit:
        raise WaktuError(
            _("waktu {text} is longer than a step can take: at most {limit} (about a year); split the work into "
              "steps or correct the number").format(text=repr(text), limit=f"{limit} {duration.unit}")
        )
    return duration


def parse_waktu(text: str) -> Duration:
    """`parse_duration`, then the one bound every SOP file must keep (`check_bounds`)."""
    return check_bounds(parse_duration(text), text)


MAX_WORKING_DAYS = 2000
"""The longest standard time `sop` schedules, for one step and for all steps of an SOP together:
2,000 working days, about eight years. The calendar walks day by day and gives up after ten
calendar years (`sop_cli.worktime.MAX_DAYS`); an SOP within this bound always fits inside that."""

_DAY_MINUTES = 420
"""The shortest office day that counts (Friday), so `working_days` never underestimates."""


def working_days(duration: Duration) -> int:
    """An upper bound of the working days `duration` takes (a minggu is 5 hari; clock time is
    counted in the shortest office day)."""
    if duration.unit == "minggu":
        return duration.value * 5
    if duration.unit in ("hari", "hari kalender"):
        # A calendar day is at most one working day.
        return duration.value
    if duration.unit == "bulan":
        # A month has at most 23 working days.
        return duration.value * 23
    minutes = duration.value * (60 if duration.unit == "jam" else 1)
    return -(-minutes // _DAY_MINUTES)


def too_long(duration: Duration) -> str | None:
    """Why one step's standard time is too long to schedule, or None when it is not."""
    if working_days(duration) <= MAX_WORKING_DAYS:
        return None
    return _("waktu {waktu} is longer than {days} working days (about eight years), the longest standard time "
             "sop schedules").format(waktu=duration, days=_thousands(MAX_WORKING_DAYS))


def total_too_long(durations: list[Duration]) -> str | None:
    """Why the standard times of all steps together are too long to schedule, or None."""
    total = sum(working_days(d) for d in durations)
    if total <= MAX_WORKING_DAYS:
        return None
    return _("the standard times of all steps add up to {total} working days, more than {days} (about eight "
             "years), the longest run sop schedules").format(total=_thousands(total), days=_thousands(MAX_WORKING_DAYS))


def _thousands(number: int) -> str:
    """`2,000` in English, `2.000` in Indonesian (the digit group separator of each)."""
    from sop_cli.i18n import language

    text = f"{number:,}"
    return text.replace(",", ".") if language() == "id" else text


# The monitoring form's tolerance ------------------------------------------------------------------

_PERCENT = re.compile(r"^(\d{1,3})\s*(?:%|persen)$")

TOLERANSI_FORMS = N_('working time such as "15 menit" or "1 jam", or a share of each step\'s Mutu Baku such as "10%"')
"""The forms of a tolerance, for messages (translate with `_()` at use)."""


class ToleransiView(TypedDict):
    """A tolerance as the monitoring forms' data carry it (`Toleransi.view`)."""

    text: str
    percent: int | None
    source: str


class Toleransi(NamedTuple):
    """How far past its Mutu Baku a step may end and still be judged "berjalan dengan baik" on the
    monitoring form: working time (`duration`, "15 menit") or a share of each step's Mutu Baku
    (`percent`, "10%"). It is a judgement the SOP (`toleransi:`) or the office (`sop org
    toleransi`) makes, never the tool: without one, every overrun is left to the assessor.

    Attributes:
        text: As the form states it ("15 menit", "10%").
        percent: The share of the Mutu Baku, 1-100; None for working time.
        duration: The working time; None for a share.
        source: Whose it is: "sop" (the SOP file) or "organisasi" (the office's organisation file).
    """

    text: str
    percent: int | None = None
    duration: Duration | None = None
    source: str = "sop"

    def allows(self, overrun: int, standard: int, day_minutes: int) -> bool:
        """Whether ending `overrun` working minutes past a Mutu Baku of `standard` minutes is
        within the tolerance (a day of `day_minutes`); exact, no rounding of the share."""
        if overrun <= 0:
            return True
        if self.percent is not None:
            return overrun * 100 <= standard * self.percent
        from sop_cli.worktime import duration_minutes

        assert self.duration is not None
        return overrun <= duration_minutes(self.duration, day_minutes)

    def view(self) -> ToleransiView:
        """What a form says of it: as written, the share (None for working time), whose."""
        return {"text": self.text, "percent": self.percent, "source": self.source}


def parse_toleransi(text: str, source: str = "sop") -> Toleransi:
    """A tolerance as written: working time in the units of a Mutu Baku ("15 menit", "1 jam",
    "1 hari": `parse_waktu`, no range, no calendar time, no "sesuai jadwal") or a whole percentage
    of each step's Mutu Baku from 1 to 100 ("10%", "10 persen").

    Raises:
        WaktuError (a ValueError): Any other text; the message quotes it and names the forms.
    """
    norm = _normalise(text)
    share = _PERCENT.match(norm)
    if share:
        percent = int(share.group(1))
        if not 1 <= percent <= 100:
            raise WaktuError(_("{text}: a share of the Mutu Baku is a whole percentage from 1 to 100").format(
                text=repr(text)))
        return Toleransi(f"{percent}%", percent=percent, source=source)
    try:
        duration = parse_waktu(norm)
    except WaktuError:
        duration = None
    if duration is None or duration.untimed or duration.lower is not None or duration.unit in ("hari kalender", "bulan"):
        raise WaktuError(_("{text} is not a tolerance; write {forms}").format(
            text=repr(text), forms=_(TOLERANSI_FORMS)))
    return Toleransi(display_waktu(norm), duration=duration, source=source)


def chosen_toleransi(sop: str | None, organisasi: str | None) -> Toleransi | None:
    """The tolerance a monitoring form uses: the SOP's own (`toleransi:` in its file), else the
    office's (`toleransi:` in its organisation file), else none. Both were checked when read."""
    if sop:
        return parse_toleransi(sop, "sop")
    if organisasi:
        return parse_toleransi(organisasi, "organisasi")
    return None
