"""Student ids in free text, however they are written (DESIGN: "never student names or IDs").

Issue 8, defect 8: "a run of five digits" missed ids written with separators
("1.234.567", "12 345 67", "12-345-67"). A number is now digits joined by single
dots, dashes or spaces, and five digits in one number look like an ID. Dates,
school years and percentages are taken out first, so "2026-11-30", "2026-27"
and "100.00%" stay ordinary text; a slash never joins ("24/30" is a score).
"""

import re
from datetime import date

_SEPARATOR = r"[ .\-\u00a0\u202f]"
_NUMBER = re.compile(rf"\d+(?:{_SEPARATOR}\d+)*")
# A percentage stands alone: not the tail of a longer grouped number ("1 234 67%").
_ALONE = rf"(?<!\d)(?<!\d{_SEPARATOR})"
# A date neither: but a space may follow or precede it ("on 2026-11-30 12 students met").
_DATE_ALONE, _DATE_ENDS = r"(?<!\d)(?<!\d[.\-])", r"(?!\d)(?![.\-]\d)"
_PERCENT = re.compile(rf"{_ALONE}\d{{1,3}}(?:[.,]\d{{1,2}})?\s?%")  # at most 100.00%: "1234567%" is no percentage
_DATE = re.compile(rf"{_DATE_ALONE}(?:(\d{{4}})([-./])(\d{{1,2}})\2(\d{{1,2}})|(\d{{1,2}})([-./])(\d{{1,2}})\6(\d{{4}})){_DATE_ENDS}")
_SCHOOL_YEAR = re.compile(rf"{_DATE_ALONE}(\d{{4}})[-/](\d{{2}}|\d{{4}}){_DATE_ENDS}")
ID_DIGITS = 5


def _is_date(year: int, a: int, b: int) -> bool:
    """Year-month-day, or day-month / month-day around a year: any reading that is a real date."""
    if not 1900 <= year <= 2199:
        return False
    for month, day in ((a, b), (b, a)):
        try:
            date(year, month, day)
            return True
        except ValueError:
            continue
    return False


def _without_dates(text: str) -> str:
    def date_or_keep(m: re.Match) -> str:
        if m.group(1):
            ok = _is_date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        else:
            ok = _is_date(int(m.group(8)), int(m.group(5)), int(m.group(7)))
        return " date " if ok else m.group(0)

    def school_year_or_keep(m: re.Match) -> str:
        first, second = int(m.group(1)), int(m.group(2))
        following = (first + 1) % 100 if len(m.group(2)) == 2 else first + 1
        return " year " if second == following else m.group(0)

    text = _PERCENT.sub(" percent ", text)
    return _SCHOOL_YEAR.sub(school_year_or_keep, _DATE.sub(date_or_keep, text))


def looks_like_an_id(text: str) -> bool:
    """Five or more digits in one number, however they are grouped, once dates and percentages are set aside."""
    if sum(map(str.isdigit, text)) < ID_DIGITS:
        # No number in it can hold five digits: the common case, answered without the date and number
        # patterns (issue 13: these ran on every field of every Update's evidence as the worker decoded it).
        return False
    return any(sum(ch.isdigit() for ch in m.group(0)) >= ID_DIGITS for m in _NUMBER.finditer(_without_dates(text)))


def no_student_ids(text: str) -> str:
    if looks_like_an_id(text):
        raise ValueError(
            "must not contain a number of five or more digits, even written with dots, dashes or spaces "
            "(12-345-67): it looks like a student ID, and evidence is aggregate only"
        )
    return text
