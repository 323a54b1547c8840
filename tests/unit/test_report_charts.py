"""The charts managers read without help: checked on the matplotlib figures themselves."""

from datetime import date

import pandas as pd
import pytest

from bukutamu.report import charts


@pytest.fixture
def figure(monkeypatch):
    monkeypatch.setattr(charts, "_png", lambda fig: fig)  # keep the Figure instead of its PNG


STEPS = pd.DataFrame({
    "Langkah": [3, 5, 6, 7, 8], "Pelaku": ["Helpdesk", "Helpdesk", "Petugas", "Petugas", "Tamu"],
    "Diukur": [10, 10, 10, 10, 10], "Capaian (%)": [100.0, 100.0, 48.0, 88.0, 100.0],
    "p50 (menit)": [8.0, 0.0, 6.0, 29.0, 6.0], "p90 (menit)": [12.0, 0.0, 14.0, 63.0, 9.0],
    "Standar (menit)": [15, 5, 5, 60, 15], "Warna": ["hijau", "", "merah", "kuning", ""],
    "Catatan": ["", "otomatis", "", "", "waktu tamu menjawab"]})


def test_minutes_on_a_plain_axis_and_zero_drawn_at_zero(figure):
    ax = charts.range_chart(STEPS).axes[0]
    assert ax.get_xscale() == "linear" and ax.get_xlim()[0] == 0
    p50 = next(line for line in ax.lines if line.get_label().startswith("p50"))
    ys = list(p50.get_ydata())
    assert p50.get_xdata()[ys.index(3)] == 0  # step 5 (drawn 4th from the bottom of 5) at 0 minutes
    assert ax.get_legend().get_bbox_to_anchor().x0 >= ax.get_window_extent().x1 - 1  # legend outside


def test_bar_labels_clear_of_the_target_line_and_legend_outside(figure):
    fig = charts.attainment_chart(STEPS, 90)
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text().endswith("%")]
    assert len(labels) == 5 and all(t.get_position()[1] < 90 - 20 for t in labels)
    legend = ax.get_legend()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(fig).draw()
    assert legend.get_window_extent().x0 >= ax.get_window_extent().x1
    grey = {charts.GREY.lower()}
    from matplotlib.colors import to_hex
    colours = [to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[1] in grey and colours[4] in grey  # the program's email and the guest's time


def test_holiday_named_in_the_heatmap(figure):
    heat = pd.DataFrame(0, index=["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"], columns=range(24))
    heat.loc["Selasa", 9] = 4
    ax = charts.heatmap_chart(heat, monday=date(2026, 8, 17),
                              holidays=[(date(2026, 8, 17), "Hari Kemerdekaan Republik Indonesia")]).axes[0]
    assert "Libur: Hari Kemerdekaan Republik Indonesia" in [t.get_text() for t in ax.texts]
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["Senin 17/08 (libur)", "Selasa 18/08"]


def test_trend_with_week_dates_and_weeks_without_data_marked(figure):
    trend = pd.DataFrame({
        "Minggu": ["2026-W32", "2026-W33", "2026-W34"], "Mulai": [date(2026, 8, 3), date(2026, 8, 10),
                                                                 date(2026, 8, 17)],
        "Kunjungan": [0, 0, 480], "Capaian (%)": [float("nan"), float("nan"), 87.1],
        "Capaian petugas (%)": [float("nan"), float("nan"), 80.4], "Keterangan": ["belum ada data"] * 2 + [""]})
    fig = charts.trend_chart(trend, 90)
    ax, right = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["W32\n03/08", "W33\n10/08", "W34\n17/08"]
    assert [t.get_text() for t in ax.texts].count("belum ada data") == 2
    assert len(right.patches) == 1  # no zero-height bars for weeks without data
