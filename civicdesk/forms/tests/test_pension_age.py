"""State Pension age against the timetables and worked examples published on GOV.UK."""

from datetime import date, timedelta

import pytest

from civicdesk.forms.pension_age import add_months, state_pension_age_on, state_pension_date


@pytest.mark.parametrize(
    ("born", "pension_date"),
    [
        # Women's pension age of 60 before the Pensions Act 1995 changes.
        (date(1950, 4, 5), date(2010, 4, 5)),
        # Pensions Act 1995 table: first and last bands.
        (date(1950, 4, 6), date(2010, 5, 6)),
        (date(1950, 5, 5), date(2010, 5, 6)),
        (date(1950, 5, 6), date(2010, 7, 6)),
        (date(1952, 4, 6), date(2014, 5, 6)),
        (date(1952, 7, 1), date(2014, 9, 6)),
        (date(1953, 4, 5), date(2016, 3, 6)),
        # Pensions Act 2011 table for women born 6 April to 5 December 1953.
        (date(1953, 4, 6), date(2016, 7, 6)),
        (date(1953, 5, 6), date(2016, 11, 6)),
        (date(1953, 12, 5), date(2018, 11, 6)),
        # The rise to 66: everyone born 6 December 1953 to 5 January 1954 on 6 March 2019.
        (date(1953, 12, 6), date(2019, 3, 6)),
        (date(1954, 1, 5), date(2019, 3, 6)),
        (date(1954, 1, 6), date(2019, 5, 6)),
        # Exactly 66 for a birth on 6 September 1954, and from 6 October 1954.
        (date(1954, 9, 6), date(2020, 9, 6)),
        (date(1954, 10, 5), date(2020, 9, 6)),
        (date(1954, 10, 6), date(2020, 10, 6)),
        (date(1960, 4, 5), date(2026, 4, 5)),
        # Pensions Act 2014: 66 years and 1 to 11 months.
        (date(1960, 4, 6), date(2026, 5, 6)),
        (date(1960, 5, 5), date(2026, 6, 5)),
        (date(1960, 5, 6), date(2026, 7, 6)),
        (date(1960, 12, 31), date(2027, 9, 30)),  # GOV.UK's worked example
        (date(1961, 1, 31), date(2027, 11, 30)),  # and its second
        (date(1961, 3, 5), date(2028, 2, 5)),
        # 67 from 6 March 1961.
        (date(1961, 3, 6), date(2028, 3, 6)),
        (date(1970, 7, 15), date(2037, 7, 15)),
        (date(1977, 4, 5), date(2044, 4, 5)),
        # Pensions Act 2007: the rise to 68 between 2044 and 2046.
        (date(1977, 4, 6), date(2044, 5, 6)),
        (date(1977, 5, 6), date(2044, 7, 6)),
        (date(1978, 3, 29), date(2046, 3, 6)),  # 67 years, 11 months and 5 days
        (date(1978, 4, 6), date(2046, 4, 6)),
        (date(1980, 1, 1), date(2048, 1, 1)),
    ],
)
def test_state_pension_date_follows_the_published_timetable(born, pension_date):
    assert state_pension_date(born) == pension_date


def test_29_february():
    # A birthday on 29 February falls on 28 February in a year without one...
    assert state_pension_date(date(1964, 2, 29)) == date(2031, 2, 28)
    # ...and on the day itself in a leap year.
    assert state_pension_date(date(1980, 2, 29)) == date(2048, 2, 29)
    assert state_pension_date(date(1960, 2, 29)) == date(2026, 2, 28)


def test_add_months_keeps_to_the_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2023, 3, 15), -3) == date(2022, 12, 15)


def test_pension_date_never_goes_backwards_for_a_later_birth():
    day = date(1950, 1, 1)
    previous = state_pension_date(day)
    while day < date(1981, 1, 1):
        day += timedelta(days=1)
        current = state_pension_date(day)
        assert current >= previous, day
        previous = current


def test_state_pension_age_on():
    born = date(1960, 12, 31)
    assert not state_pension_age_on(born, date(2027, 9, 29))
    assert state_pension_age_on(born, date(2027, 9, 30))
    assert state_pension_age_on(born, date(2030, 1, 1))
