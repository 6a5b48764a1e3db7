import datetime as dt

from diaodu.core.workdays import add_workdays, is_known_year, is_workday, workdays_between

D = dt.date


def test_spring_festival_2025_and_its_adjusted_working_weekends() -> None:
    # 2025 春节: 1月28日–2月4日 off; Sunday 1月26日 and Saturday 2月8日 are working days.
    assert is_workday(D(2025, 1, 26))
    assert not is_workday(D(2025, 1, 28))
    assert not is_workday(D(2025, 2, 4))
    assert is_workday(D(2025, 2, 8))
    # Assigned on Monday 1月27日: 2月5日, 6日, 7日 are the next three working days (not 1月30日).
    assert add_workdays(D(2025, 1, 27), 3) == D(2025, 2, 7)


def test_national_day_2025() -> None:
    # 国庆中秋 2025: 10月1日–8日 off; Sunday 9月28日 and Saturday 10月11日 are working days.
    assert is_workday(D(2025, 9, 28))
    assert not is_workday(D(2025, 10, 8))
    assert is_workday(D(2025, 10, 11))
    assert add_workdays(D(2025, 9, 30), 3) == D(2025, 10, 11)


def test_plain_weeks_and_counting() -> None:
    assert add_workdays(D(2025, 3, 7), 1) == D(2025, 3, 10)  # Friday → Monday
    assert add_workdays(D(2025, 3, 10), 0) == D(2025, 3, 10)
    assert add_workdays(D(2025, 3, 10), -1) == D(2025, 3, 7)
    assert workdays_between(D(2025, 3, 7), D(2025, 3, 14)) == 5
    assert workdays_between(D(2025, 3, 14), D(2025, 3, 7)) == -5
    assert workdays_between(D(2025, 1, 27), D(2025, 2, 6)) == 2


def test_unknown_years_fall_back_to_weekdays() -> None:
    assert not is_known_year(2040)
    assert is_known_year(2025)
    assert is_workday(D(2040, 1, 2)) and not is_workday(D(2040, 1, 7))
