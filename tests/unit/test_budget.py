from datetime import date

from bukutamu.core.budget import CellBudget, budget_line, cells_per_visit, recent_rate

TODAY = date(2026, 11, 30)


def test_a_busy_office_is_projected_to_fill_its_spreadsheet_in_about_two_years():
    per_visit = cells_per_visit(register_width=34, history_rows=7000, history_width=11, visits=1000)
    assert per_visit == 34 + 7 * 11
    days = [date(2026, 11, d) for d in range(3, 31) for _ in range(150)]  # 150 a day for 4 weeks
    rate = recent_rate(days, TODAY, per_visit)
    b = CellBudget(used=500_000, per_day=rate)
    full = b.full_on(TODAY)
    assert date(2028, 6, 1) < full < date(2029, 1, 1)
    assert not b.alarming and "5%" in budget_line(b, TODAY) and "penuh sekitar" in budget_line(b, TODAY)


def test_eighty_percent_is_alarming_and_says_what_to_do():
    b = CellBudget(used=8_100_000, per_day=10_000)
    assert b.alarming
    assert "arsipkan" in budget_line(b, TODAY) and "8.100.000 dari 10.000.000" in budget_line(b, TODAY)


def test_no_recent_visits_means_no_projection():
    b = CellBudget(used=1000, per_day=recent_rate([date(2025, 1, 1)], TODAY, 100.0))
    assert b.full_on(TODAY) is None and "belum ada pertumbuhan" in budget_line(b, TODAY)
