"""State Pension age by date of birth, from the timetables published on GOV.UK.

The day someone reaches State Pension age depends only on their date of birth for everyone
born on or after 6 December 1953. Before that, women's pension age rose from 60 to 65 while
men's stayed at 65; the concessionary bus pass (ENCTS) uses the women's pension age for
everybody, so that is the timetable used here for people born before 6 December 1953.

The timetable, in order of date of birth:

- born before 6 April 1950: 60th birthday (women's pension age before the Pensions Act 1995);
- 6 April 1950 to 5 April 1953: the Pensions Act 1995 table, each month of births two months
  later than the one before, from 6 May 2010 to 6 March 2016;
- 6 April 1953 to 5 December 1953: the Pensions Act 2011 table, from 6 July 2016 to
  6 November 2018 (four months a step);
- 6 December 1953 to 5 October 1954: the Pensions Act 2011 rise to 66, from 6 March 2019 to
  6 September 2020 (two months a step);
- 6 October 1954 to 5 April 1960: 66th birthday;
- 6 April 1960 to 5 March 1961: the Pensions Act 2014 rise to 67, at 66 years and 1 month
  up to 66 years and 11 months (a date that does not exist, such as 31 September, becomes the
  last day of the month: born 31 December 1960, pension age on 30 September 2027);
- 6 March 1961 to 5 April 1977: 67th birthday;
- 6 April 1977 to 5 April 1978: the Pensions Act 2007 rise to 68, from 6 May 2044 to
  6 March 2046 (two months a step);
- born on or after 6 April 1978: 68th birthday.

Someone born on 29 February reaches an age in a year without one on 28 February: the same
rule as the published month-end example above.
"""

import calendar
from datetime import date

__all__ = ["add_months", "state_pension_age_on", "state_pension_date"]


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months; a day the month lacks becomes its last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _birth_month_index(date_of_birth: date, first: date) -> int:
    """Which monthly band (6th of one month to 5th of the next) from `first` a birth falls in."""
    months = (date_of_birth.year - first.year) * 12 + (date_of_birth.month - first.month)
    if date_of_birth.day < 6:
        months -= 1
    return months


def state_pension_date(date_of_birth: date) -> date:
    """The day the person born on `date_of_birth` reaches State Pension age."""
    dob = date_of_birth
    if dob < date(1950, 4, 6):
        return add_months(dob, 60 * 12)
    if dob < date(1953, 4, 6):
        # Pensions Act 1995: 6 May 2010 for the first band, then two months later each band.
        band = _birth_month_index(dob, date(1950, 4, 6))
        return add_months(date(2010, 5, 6), 2 * band)
    if dob < date(1953, 12, 6):
        # Pensions Act 2011 (women): 6 July 2016, then four months later each band.
        band = _birth_month_index(dob, date(1953, 4, 6))
        return add_months(date(2016, 7, 6), 4 * band)
    if dob < date(1954, 10, 6):
        # Pensions Act 2011 (everyone): 6 March 2019, then two months later each band.
        band = _birth_month_index(dob, date(1953, 12, 6))
        return add_months(date(2019, 3, 6), 2 * band)
    if dob < date(1960, 4, 6):
        return add_months(dob, 66 * 12)
    if dob < date(1961, 3, 6):
        # Pensions Act 2014: 66 years and 1 month, then one month more each band.
        band = _birth_month_index(dob, date(1960, 4, 6))
        return add_months(dob, 66 * 12 + band + 1)
    if dob < date(1977, 4, 6):
        return add_months(dob, 67 * 12)
    if dob < date(1978, 4, 6):
        # Pensions Act 2007: 6 May 2044, then two months later each band.
        band = _birth_month_index(dob, date(1977, 4, 6))
        return add_months(date(2044, 5, 6), 2 * band)
    return add_months(dob, 68 * 12)


def state_pension_age_on(dob: date, on: date) -> bool:
    """Whether the person born on `dob` has reached State Pension age on the day `on`."""
    return on >= state_pension_date(dob)
