"""The report's charts as PNG bytes (matplotlib, Agg canvas, no pyplot global state).

Deterministic: fixed size, dpi and font (DejaVu Sans ships with matplotlib), no
"Software" or date metadata, so the same week gives byte-identical PNGs.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bukutamu.report.metrics import NO_DATA

GREEN, AMBER, RED, GREY, BLUE = "#2e7d32", "#f9a825", "#c62828", "#9e9e9e", "#1565c0"
COLOURS = {"hijau": GREEN, "kuning": AMBER, "merah": RED, "": GREY}
DPI = 100
SIZE = (7.2, 3.4)  # inches: 720 x 340 px, fits a 720 px email column
_STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 11, "axes.titleweight": "bold",
    "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "bukutamu",
    "figure.dpi": DPI, "savefig.dpi": DPI, "path.simplify": True,
}
CHART_FILES = {
    "capaian": "capaian_per_langkah.png",
    "rentang": "rentang_waktu_per_langkah.png",
    "kedatangan": "kedatangan_hari_jam.png",
    "tren": "tren_mingguan.png",
}


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _figure(size: tuple[float, float] = SIZE) -> Figure:
    return Figure(figsize=size, dpi=DPI, layout="constrained")


def _no_data(ax, text: str = "Belum ada data minggu ini") -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=GREY, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])


def _label(row: pd.Series) -> str:
    return f"L{int(row['Langkah'])}\n{row['Pelaku']}"


def attainment_chart(steps: pd.DataFrame, target: float) -> bytes:
    """Attainment % per measurable step, coloured against the target (staff steps only;
    the program's email and the guest's time grey), the target line, values inside the
    bars' feet so the line never crosses them, the legend outside the plot."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_title("Capaian standar waktu per langkah SOP")
        data = steps[steps["Diukur"] > 0]
        if data.empty:
            _no_data(ax)
            return _png(fig)
        x = np.arange(len(data))
        pct = data["Capaian (%)"].to_numpy(dtype=float)
        colours = [COLOURS[c] for c in data["Warna"]]
        ax.bar(x, pct, color=colours, width=0.6)
        for xi, p in zip(x, pct):
            inside = p >= 12
            ax.text(xi, 2 if inside else p + 1.5, f"{p:.0f}%", ha="center", va="bottom", fontsize=8,
                    color="white" if inside else "#222222", fontweight="bold")
        ax.axhline(target, color=BLUE, linestyle="--", linewidth=1.2)
        from matplotlib.patches import Patch
        from matplotlib.lines import Line2D
        handles = [Line2D([], [], color=BLUE, linestyle="--", label=f"target {target:g}%"),
                   Patch(color=GREEN, label="petugas/helpdesk: ≥ target"),
                   Patch(color=AMBER, label="kurang dari 10 poin di bawah"),
                   Patch(color=RED, label="lebih rendah"),
                   Patch(color=GREY, label="email otomatis / waktu tamu")]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, frameon=False)
        ax.set_xticks(x, [_label(r) for _, r in data.iterrows()])
        ax.set_ylim(0, 105)
        ax.set_yticks([0, 20, 40, 60, 80, 100])
        ax.set_ylabel("% tercapai")
        return _png(fig)


def range_chart(steps: pd.DataFrame) -> bytes:
    """p50-p90 office minutes per step on a plain (linear) minute axis, the standard marked;
    a 0-minute step (the program's own email) is drawn at 0."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_title("Waktu per langkah: median (p50) sampai p90, menit kerja")
        data = steps[steps["Diukur"] > 0].iloc[::-1]
        if data.empty:
            _no_data(ax)
            return _png(fig)
        y = np.arange(len(data))
        p50 = np.maximum(data["p50 (menit)"].to_numpy(dtype=float), 0.0)
        p90 = np.maximum(data["p90 (menit)"].to_numpy(dtype=float), p50)
        std = data["Standar (menit)"].to_numpy(dtype=float)
        colours = [RED if b > s else GREEN for b, s in zip(p90, std)]
        ax.barh(y, p90 - p50, left=p50, height=0.5, color=colours, alpha=0.55)
        ax.plot(p50, y, "o", color="#333333", markersize=5, label="p50 (median)")
        ax.plot(p90, y, "|", color="#333333", markersize=12, label="p90")
        ax.plot(std, y, marker="D", linestyle="none", color=BLUE, markersize=6, label="standar")
        top = max(p90.max(), std.max())
        for yi, a, b, sd in zip(y, p50, p90, std):
            ax.text(max(b, sd) + top * 0.03, yi, f"{a:.1f}–{b:.1f}".replace(".", ","), va="center", fontsize=7.5,
                    color="#333333")
        ax.set_xlim(0, top * 1.22)
        ax.set_yticks(y, [_label(r).replace("\n", " ") for _, r in data.iterrows()])
        ax.set_xlabel("menit kerja")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
        return _png(fig)


def heatmap_chart(heatmap: pd.DataFrame, first_hour: int = 7, last_hour: int = 16,
                  monday: date | None = None, holidays: Sequence[tuple[date, str]] = ()) -> bytes:
    """Arrivals per weekday x hour; weekend rows only when someone came; a holiday's row
    carries its name."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_title("Kedatangan tamu per hari dan jam")
        busy = [h for h in heatmap.columns if heatmap[h].sum() > 0]
        hours = list(range(min([first_hour, *busy]), max([last_hour, *busy]) + 1))
        off = {(d - monday).days: name for d, name in holidays} if monday else {}
        rows = [i for i, d in enumerate(heatmap.index) if i < 5 or heatmap.iloc[i].sum() > 0]
        days = [heatmap.index[i] for i in rows]
        grid = heatmap.loc[days, hours].to_numpy(dtype=float)
        ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0, vmax=max(grid.max(), 1))
        for (r, c), v in np.ndenumerate(grid):
            if v:
                ax.text(c, r, f"{v:.0f}", ha="center", va="center", fontsize=8,
                        color="white" if v > grid.max() * 0.6 else "#222222")
        for r, i in enumerate(rows):
            if i in off and not grid[r].any():
                ax.text((len(hours) - 1) / 2, r, f"Libur: {off[i]}", ha="center", va="center", fontsize=8.5,
                        color="#8d6e63", style="italic")
        labels = [d + (f" {monday + timedelta(days=i):%d/%m}" if monday else "") + (" (libur)" if i in off else "")
                  for d, i in zip(days, rows)]
        ax.set_xticks(range(len(hours)), [f"{h:02d}" for h in hours])
        ax.set_yticks(range(len(days)), labels)
        ax.set_xlabel("jam kedatangan")
        ax.spines[:].set_visible(False)
        return _png(fig)


def trend_chart(trend: pd.DataFrame, target: float) -> bytes:
    """Weekly attainment of staff steps and of all steps (lines, left) and visits (bars,
    right); x labels give each week's Monday; a week without data says so instead of 0."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_title("Tren mingguan: capaian dan jumlah kunjungan")
        x = np.arange(len(trend))
        empty = (trend["Keterangan"] == NO_DATA).to_numpy() if "Keterangan" in trend else np.zeros(len(x), bool)
        right = ax.twinx()
        visits = trend["Kunjungan"].to_numpy(dtype=float)
        right.bar(x[~empty], visits[~empty], color="#cfd8dc", width=0.6, zorder=1, label="kunjungan")
        right.set_ylabel("kunjungan")
        right.set_ylim(0, max(visits.max() if len(visits) else 0, 1) * 1.15)
        right.spines["right"].set_visible(True)
        ax.set_zorder(right.get_zorder() + 1)
        ax.patch.set_visible(False)
        pct = trend["Capaian (%)"].to_numpy(dtype=float)
        staff = trend["Capaian petugas (%)"].to_numpy(dtype=float) if "Capaian petugas (%)" in trend else pct
        ax.plot(x, staff, "-o", color=BLUE, markersize=4, zorder=3, label="capaian petugas & helpdesk")
        ax.plot(x, pct, ":", marker=".", color="#546e7a", markersize=4, zorder=3, label="capaian semua langkah")
        ax.axhline(target, color=GREEN, linestyle="--", linewidth=1.1, label=f"target {target:g}%")
        known = np.concatenate([pct[np.isfinite(pct)], staff[np.isfinite(staff)]])
        low = min([target, *known]) if len(known) else target
        bottom = max(0.0, np.floor(low / 10) * 10 - 10)
        ax.set_ylim(bottom, 101)
        for xi in x[empty]:
            ax.text(xi, bottom + (101 - bottom) * 0.04, NO_DATA, rotation=90, ha="center", va="bottom",
                    fontsize=7, color=GREY)
        ax.set_ylabel("% tercapai")
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=7.5, frameon=False,
                  ncols=4)
        ax.set_xticks(x, [f"{w.split('-')[1]}\n{d:%d/%m}" for w, d in zip(trend["Minggu"], trend["Mulai"])],
                      fontsize=7.5)
        return _png(fig)


def all_charts(metrics) -> dict[str, bytes]:
    """Chart key -> PNG bytes for a WeekMetrics."""
    return {
        "capaian": attainment_chart(metrics.steps, metrics.target),
        "rentang": range_chart(metrics.steps),
        "kedatangan": heatmap_chart(metrics.heatmap, monday=metrics.week.monday, holidays=metrics.holidays),
        "tren": trend_chart(metrics.trend, metrics.target),
    }
