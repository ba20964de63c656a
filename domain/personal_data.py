"""A guard against personal data about people who use services creeping into progress updates.

Updates are shared with the working group and end up in reports, so an NHS number, a date of
birth or a name next to a postcode must not be typed into them. This is a heuristic, tuned to catch
the usual slips while leaving plan narrative ("due end of March 2026", "signed off 31/03/2026")
alone; the bot asks the author to remove the data or confirm, so a false positive costs one click.

Rules (also the answer to "why did the bot flag this?"):

* NHS number — ten digits, bare or grouped 3-3-4 with spaces or hyphens, passing the NHS modulus-11
  check. Runs of one repeated digit (0000000000 passes the check) are ignored as placeholders.
* Date of birth — a full calendar date (12/03/1948, 12-03-1948, 12.03.1948, 12 March 1948,
  March 12, 1948, 1948-03-12; day before month for numeric dates, as in the UK) dated 1900 or
  later and before today, and either preceded by "DOB", "date of birth", "birth date" or "born", or
  at least 16 years old (the youngest adults services see; plan dates are recent or in the future,
  so they never match). A two-digit year is never a full date.
* Postcode with a name — a full UK postcode in capitals ("WA7 2GW", "L1 1AA") within six words of a
  personal name: a title and surname ("Mrs Smith", "Dr. O'Neill"), an initial and surname
  ("J. Smith"), or a common given name and surname ("John Smith"). Bare capitalised pairs are not
  treated as names because addresses are full of them ("Halton Lea", "Church Street").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

FindingKind = Literal["nhs_number", "date_of_birth", "postcode_with_name"]


@dataclass(frozen=True)
class PersonalDataFinding:
    kind: FindingKind
    text: str  # the matched text, as written
    explanation: str  # one sentence an officer understands

    @property
    def label(self) -> str:
        return {
            "nhs_number": "NHS number",
            "date_of_birth": "Date of birth",
            "postcode_with_name": "Name and postcode",
        }[self.kind]


MIN_AGE_YEARS = 16  # an unlabelled date this old is more likely a birth date than a plan date
EARLIEST_YEAR = 1900
NAME_WINDOW_WORDS = 6  # "Mrs Smith, 12 High Street, Widnes WA8 7QF" has five words in between

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

# The separator is captured once and reused so "943 476-5919" (mixed) or "9434 765919" don't match.
_NHS = re.compile(r"(?<![\d-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d-])")

_DATES = (
    re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})(?P<s>[/.-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})(?![\d/.-])"),
    re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I),
)
# Looked for in the few characters before a date: "DOB:", "(d.o.b. ", "date of birth -", "born on".
_DOB_CONTEXT = re.compile(r"(?:\bd\.?o\.?b\b\.?|\bdate\s+of\s+birth|\bbirth\s*date|\bborn(?:\s+on)?)[\s:,()-]*$", re.I)

# Outward code, optional space, inward code; capitals only, as postcodes are written in addresses.
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SURNAME = r"(?:Mc|Mac|O['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
# "Victoria Road" or "George House" is an address, not a person, so these never count as surnames.
_PLACE_WORDS = _words(
    "Avenue Building Centre Close Court Crescent Drive Gardens Green Grove Hall Hill House Lane"
    " Lodge Mews Park Place Road Square Street Terrace View Walk Way Ward Unit Hospital Surgery"
)
_GIVEN_NAMES = _words(
    "Aaron Adam Ahmed Aisha Alan Alex Alexander Alice Alison Amanda Amy Andrew Angela Ann"
    " Anna Anne Anthony Arthur Barbara Ben Benjamin Beryl Betty Bill Brenda Brian Carol"
    " Caroline Catherine Charles Charlotte Chloe Chris Christine Christopher Claire Colin"
    " Daniel Dave David Deborah Denise Dennis Derek Diane Donald Dorothy Doris Edward Eileen"
    " Elizabeth Ellen Emily Emma Eric Fatima Frank Gary Geoffrey George Gillian Gordon Grace"
    " Graham Hannah Harry Harold Hazel Helen Ian Irene Jack Jacqueline James Jane Janet Jason"
    " Jean Jennifer Jessica Joan Joanne John Jonathan Joseph Joyce Julie Karen Kathleen"
    " Kenneth Kevin Laura Lee Leslie Linda Lisa Louise Lucy Margaret Maria Marie Mark Martin"
    " Mary Matthew Maureen Michael Michelle Mohammed Muhammad Nicola Norman Olivia Pamela"
    " Patricia Paul Pauline Peter Philip Priya Rachel Raymond Rebecca Richard Robert Ronald"
    " Rose Ruth Sally Samuel Sandra Sarah Sharon Sheila Simon Stephen Steven Susan Thomas Tony"
    " Tracey Valerie Victoria Wendy William Yvonne"
)
_NAME = re.compile(
    rf"\b(?:(?:Mrs|Mr|Ms|Miss|Mx|Dr|Master)\.?\s+{_SURNAME}"
    rf"|[A-Z]\.\s?{_SURNAME}"
    rf"|(?:{'|'.join(sorted(_GIVEN_NAMES))})\s+{_SURNAME})\b"
)
_WORD = re.compile(r"[\w'’]+")


def find_personal_data(text: str, *, today: date | None = None) -> list[PersonalDataFinding]:
    """Every suspected piece of personal data in ``text``, in order of appearance.

    ``today`` anchors the date-of-birth rule; callers pass the council's local date (tests fix it).
    """
    if today is None:
        today = datetime.now(UTC).date()
    findings = [*_nhs_numbers(text), *_dates_of_birth(text, today), *_postcodes_with_names(text)]
    return [f for _, f in sorted(findings, key=lambda pair: pair[0])]


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None when no valid number can end them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def _nhs_numbers(text: str) -> list[tuple[int, PersonalDataFinding]]:
    found = []
    for match in _NHS.finditer(text):
        digits = match.group(1) + match.group(3) + match.group(4)
        if len(set(digits)) == 1 or nhs_check_digit(digits[:9]) != int(digits[9]):
            continue
        explanation = "This looks like an NHS number (ten digits that pass the NHS number check)."
        found.append((match.start(), PersonalDataFinding("nhs_number", match.group(), explanation)))
    return found


def _dates_of_birth(text: str, today: date) -> list[tuple[int, PersonalDataFinding]]:
    found: dict[int, PersonalDataFinding] = {}
    for pattern in _DATES:
        for match in pattern.finditer(text):
            when = _to_date(match)
            if when is None or when.year < EARLIEST_YEAR or when >= today:
                continue
            labelled = _DOB_CONTEXT.search(text, max(0, match.start() - 20), match.start())
            if labelled:
                why = "This looks like a date of birth (a full date labelled as one)."
            elif _years_between(when, today) >= MIN_AGE_YEARS:
                why = f"This looks like a date of birth (a full date at least {MIN_AGE_YEARS} years ago)."
            else:
                continue
            found.setdefault(match.start(), PersonalDataFinding("date_of_birth", match.group(), why))
    return list(found.items())


def _to_date(match: re.Match[str]) -> date | None:
    parts = match.groupdict()
    month = _MONTHS[parts["mon"].lower()] if parts.get("mon") else int(parts["m"])
    try:
        return date(int(parts["y"]), month, int(parts["d"]))
    except ValueError:  # 31/02/1950, 13/13/1950: not a date at all
        return None


def _years_between(earlier: date, later: date) -> int:
    years = later.year - earlier.year
    return years - 1 if (later.month, later.day) < (earlier.month, earlier.day) else years


def _postcodes_with_names(text: str) -> list[tuple[int, PersonalDataFinding]]:
    names = [n for n in _NAME.finditer(text) if n.group().split()[-1] not in _PLACE_WORDS]
    found = []
    for postcode in _POSTCODE.finditer(text):
        for name in names:
            start, end = min(name.start(), postcode.start()), max(name.end(), postcode.end())
            gap = (
                text[name.end() : postcode.start()]
                if name.end() <= postcode.start()
                else text[postcode.end() : name.start()]
            )
            if len(_WORD.findall(gap)) <= NAME_WINDOW_WORDS and "\n\n" not in gap:
                explanation = (
                    f"A postcode ({postcode.group()}) next to a person's name ({name.group()}) could identify someone."
                )
                finding = PersonalDataFinding("postcode_with_name", text[start:end], explanation)
                found.append((start, finding))
                break  # one finding per postcode is enough to ask the author
    return found
