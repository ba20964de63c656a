"""The personal-data guard: catches NHS numbers, dates of birth, named postcodes; not plan text."""

from __future__ import annotations

from datetime import date

import pytest

from domain.personal_data import PersonalDataFinding, find_personal_data, nhs_check_digit

TODAY = date(2026, 1, 15)


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in find_personal_data(text, today=TODAY)]


def check_digit(first_nine: str) -> int | None:
    """Computed here independently of the module: weights 10..2, 11 → 0, 10 → no valid number."""
    remainder = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    return {11: 0, 10: None}.get(check, check)


def valid_nhs(first_nine: str) -> str:
    check = check_digit(first_nine)
    assert check is not None, f"{first_nine} cannot start a valid NHS number"
    return first_nine + str(check)


def prefix_with_check_ten() -> str:
    """The first nine-digit prefix (from 400000000 up) whose check digit would be 10."""
    for n in range(400_000_000, 400_001_000):
        if check_digit(str(n)) is None:
            return str(n)
    raise AssertionError("no prefix found")


# --- NHS numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("first_nine", ["943476591", "401023213", "485777345", "999000001"])
@pytest.mark.parametrize("layout", ["{0}{1}{2}", "{0} {1} {2}", "{0}-{1}-{2}"])
def test_valid_nhs_number_is_found_bare_spaced_or_hyphenated(first_nine: str, layout: str) -> None:
    number = valid_nhs(first_nine)
    written = layout.format(number[:3], number[3:6], number[6:])
    findings = find_personal_data(f"Reviewed care plan for patient {written} today.", today=TODAY)
    assert findings == [PersonalDataFinding("nhs_number", written, findings[0].explanation)]
    assert "NHS number" in findings[0].explanation


def test_module_check_digit_agrees_with_the_nhs_rule() -> None:
    for n in range(400_000_000, 400_000_300):
        assert nhs_check_digit(str(n)) == check_digit(str(n))


def test_ten_digits_failing_the_check_are_not_an_nhs_number() -> None:
    number = valid_nhs("943476591")
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    assert kinds(f"Reference {wrong} raised with finance") == []


def test_prefix_whose_check_digit_would_be_ten_never_makes_an_nhs_number() -> None:
    prefix = prefix_with_check_ten()
    assert nhs_check_digit(prefix) is None
    for last in "0123456789":
        assert kinds(f"Case {prefix}{last}") == []


@pytest.mark.parametrize(
    "text",
    [
        "Call 01928 704000 for the duty team",  # an 11-digit phone number
        "Order 94347659190 placed",  # 11 digits containing a valid number
        "943 476-5919 mixed separators",
        "Placeholder 0000000000 in the template",  # passes mod 11, but a repdigit
    ],
)
def test_digit_runs_that_are_not_nhs_numbers(text: str) -> None:
    assert kinds(text) == []


# --- Dates of birth ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mr X, DOB 12/03/1990, was reviewed",
        "date of birth: 1 May 2015",  # recent, but labelled
        "born on 04-05-2015",
        "D.O.B. 2015-05-04",
    ],
)
def test_labelled_date_of_birth_is_found(text: str) -> None:
    assert kinds(text) == ["date_of_birth"]


@pytest.mark.parametrize(
    "written",
    [
        "12/03/1948",
        "12-03-1948",
        "12.03.1948",
        "12 March 1948",
        "1948-03-12",
        "March 12, 1948",
        "12th Mar 1948",
    ],
)
def test_unlabelled_old_full_date_is_a_likely_date_of_birth(written: str) -> None:
    findings = find_personal_data(f"Resident ({written}) moved to a new placement.", today=TODAY)
    assert [(f.kind, f.text) for f in findings] == [("date_of_birth", written)]


@pytest.mark.parametrize(
    "text",
    [
        "Complete by end of March 2026.",
        "Revised deadline 31/03/2026.",
        "Signed off at DMT on 03/12/2025 and reported to scrutiny on 14 January 2026.",
        "Policy refreshed 2019-04-01 after the last inspection.",  # under 16 years, unlabelled
        "DOB 01/01/2030",  # not in the past
        "Recorded as 31/02/1950",  # not a real date
        "Archive from 12/03/1890",  # before 1900
        "DOB 12/03/48",  # two-digit year is not a full date
        "Q3 2025/26 figures show 12 of 14 reviews done",
    ],
)
def test_plan_dates_are_not_dates_of_birth(text: str) -> None:
    assert kinds(text) == []


def test_sixteen_years_is_the_boundary_for_unlabelled_dates() -> None:
    assert kinds("Opened 15/01/2010") == ["date_of_birth"]  # exactly 16 years before TODAY
    assert kinds("Opened 16/01/2010") == []


# --- Postcodes next to names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        (
            "Visited Mrs Smith, 12 High Street, Widnes WA8 7QF last week",
            "Mrs Smith, 12 High Street, Widnes WA8 7QF",
        ),
        ("John Smith lives at WA7 2GW", "John Smith lives at WA7 2GW"),
        ("Moved from L1 1AA, now with Dr. O'Neill", "L1 1AA, now with Dr. O'Neill"),
        ("J. McDonald (WA72GW) waiting", "J. McDonald (WA72GW"),
    ],
)
def test_postcode_next_to_a_name_is_found(text: str, matched: str) -> None:
    findings = find_personal_data(text, today=TODAY)
    assert [(f.kind, f.text) for f in findings] == [("postcode_with_name", matched)]
    assert "postcode" in findings[0].explanation


@pytest.mark.parametrize(
    "text",
    [
        "The hub moved to Rutland House, Halton Lea, Runcorn WA7 2GW in November.",
        "Drop-in at Victoria Road, Widnes WA8 7QF every Tuesday.",
        "Mrs Smith chaired the review panel. The new hub opens next spring at the main civic"
        " offices in Widnes, WA8 7QF.",  # the name is too far from the postcode
        "Post to john smith, wa7 2gw",  # not written as a postcode or a name
        "Postcode WA7 2GW only",
    ],
)
def test_postcode_without_a_name_nearby_is_not_flagged(text: str) -> None:
    assert kinds(text) == []


# --- Whole narratives --------------------------------------------------------------------------

PLAN_NARRATIVE = """\
WWP-01: The workforce development plan was signed off by the Adult Social Care Senior Management
Team on 03/12/2025 and presented to the Health PPB on 14 January 2026. Supervision compliance rose
from 62% to 81% in Q3 2025/26 (target 90% by end of March 2026). Two of the three vacant Principal
Social Worker posts have been recruited to; start dates are 02/02/2026 and 01/03/2026.

The Care Act 2014 eligibility audit sampled 40 cases; 36 met the standard. Actions from the CQC
local authority assessment (report published 20/11/2025) are tracked at the Improvement Board,
chaired by the Director of Adult Social Services. Contact the team at Runcorn Town Hall, Heath
Road, Runcorn WA7 5TD or on 0151 907 8306. Revised due date 30/06/2026; budget code 4410 2231 08.
"""


def test_real_plan_narrative_triggers_nothing() -> None:
    assert find_personal_data(PLAN_NARRATIVE, today=TODAY) == []


def test_findings_come_in_reading_order_with_their_text() -> None:
    nhs = valid_nhs("485777345")
    text = f"Mrs Jones WA8 7QF, NHS {nhs}, DOB 02/02/1950"
    assert [(f.kind, f.text) for f in find_personal_data(text, today=TODAY)] == [
        ("postcode_with_name", "Mrs Jones WA8 7QF"),
        ("nhs_number", nhs),
        ("date_of_birth", "02/02/1950"),
    ]


def test_today_defaults_to_the_current_date() -> None:
    assert kinds("12 March 1948") == ["date_of_birth"]
    assert [f.kind for f in find_personal_data("12 March 1948")] == ["date_of_birth"]
    assert find_personal_data("Deadline 31/03/2099") == []
