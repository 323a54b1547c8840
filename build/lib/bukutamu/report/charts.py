"""The report's charts as PNG bytes (matplotlib, Agg canvas, no pyplot global state).

Deterministic: fixed size, dpi and font (DejaVu Sans ships with matplotlib), no
"Software" or date metadata, so the same week gives byte-identical PNGs.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

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
    """Attainment % per measurable step, coloured against the target, with the target line."""
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
        colours = [GREY if note.startswith("waktu tamu") else COLOURS[c]
                   for note, c in zip(data["Catatan"], data["Warna"])]
        ax.bar(x, pct, color=colours, width=0.6)
        for xi, p in zip(x, pct):
            ax.text(xi, p + 1.5, f"{p:.0f}%", ha="center", va="bottom", fontsize=8)
        ax.axhline(target, color=BLUE, linestyle="--", linewidth=1.2, label=f"target {target:g}%")
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.set_xticks(x, [_label(r) for _, r in data.iterrows()])
        ax.set_ylim(0, 118)
        ax.set_yticks([0, 20, 40, 60, 80, 100])
        ax.set_ylabel("% tercapai")
        return _png(fig)


def range_chart(steps: pd.DataFrame) -> bytes:
    """p50-p90 office minutes per step (log scale), the standard marked."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_title("Waktu per langkah: median (p50) sampai p90, menit kerja")
        data = steps[steps["Diukur"] > 0].iloc[::-1]
        if data.empty:
            _no_data(ax)
            return _png(fig)
        y = np.arange(len(data))
        p50 = np.maximum(data["p50 (menit)"].to_numpy(dtype=float), 0.1)
        p90 = np.maximum(data["p90 (menit)"].to_numpy(dtype=float), p50)
        std = data["Standar (menit)"].to_numpy(dtype=float)
        colours = [RED if b > s else GREEN for b, s in zip(p90, std)]
        ax.barh(y, p90 - p50, left=p50, height=0.5, color=colours, alpha=0.55)
        ax.plot(p50, y, "o", color="#333333", markersize=5, label="p50")
        ax.plot(p90, y, "|", color="#333333", markersize=12, label="p90")
        ax.plot(std, y, marker="D", linestyle="none", color=BLUE, markersize=6, label="standar")
        ax.set_xscale("log")
        ticks = [t for t in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 960)
                 if t <= max(p90.max(), std.max()) * 1.6]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.set_xlim(min(p50.min(), std.min()) / 1.6, max(p90.max(), std.max()) * 1.6)
        ax.set_yticks(y, [_label(r).replace("\n", " ") for _, r in data.iterrows()])
        ax.set_xlabel("menit kerja (skala log)")
        ax.legend(loc="lower right", fontsize=8, frameon=False, ncols=3)
        return _png(fig)


def heatmap_chart(heatmap: pd.DataFrame, first_hour: int = 7, last_hour: int = 16) -> bytes:
    """Arrivals per weekday x hour; weekend rows only when someone came."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_title("Kedatangan tamu per hari dan jam")
        busy = [h for h in heatmap.columns if heatmap[h].sum() > 0]
        hours = list(range(min([first_hour, *busy]), max([last_hour, *busy]) + 1))
        days = [d for i, d in enumerate(heatmap.index) if i < 5 or heatmap.loc[d].sum() > 0]
        grid = heatmap.loc[days, hours].to_numpy(dtype=float)
        ax.imshow(grid, aspect="auto", cmap="Blues", vmin=0, vmax=max(grid.max(), 1))
        for (r, c), v in np.ndenumerate(grid):
            if v:
                ax.text(c, r, f"{v:.0f}", ha="center", va="center", fontsize=8,
                        color="white" if v > grid.max() * 0.6 else "#222222")
        ax.set_xticks(range(len(hours)), [f"{h:02d}" for h in hours])
        ax.set_yticks(range(len(days)), days)
        ax.set_xlabel("jam kedatangan")
        ax.spines[:].set_visible(False)
        return _png(fig)


def trend_chart(trend: pd.DataFrame, target: float) -> bytes:
    """Weekly attainment (line, left) and visits (bars, right)."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure()
        ax = fig.add_subplot()
        ax.set_title("Tren mingguan: capaian dan jumlah kunjungan")
        x = np.arange(len(trend))
        right = ax.twinx()
        right.bar(x, trend["Kunjungan"].to_numpy(dtype=float), color="#cfd8dc", width=0.6, zorder=1)
        right.set_ylabel("kunjungan")
        right.spines["right"].set_visible(True)
        ax.set_zorder(right.get_zorder() + 1)
        ax.patch.set_visible(False)
        pct = trend["Capaian (%)"].to_numpy(dtype=float)
        ax.plot(x, pct, "-o", color=BLUE, markersize=4, zorder=3)
        ax.axhline(target, color=GREEN, linestyle="--", linewidth=1.1, label=f"target {target:g}%")
        ax.legend(loc="lower left", fontsize=8, frameon=False)
        known = pct[np.isfinite(pct)]
        low = min([target, *known]) if len(known) else target
        ax.set_ylim(max(0.0, np.floor(low / 10) * 10 - 10), 101)
        ax.set_ylabel("% tercapai")
        ax.set_xticks(x, [w.split("-")[1] for w in trend["Minggu"]])
        return _png(fig)


def all_charts(metrics) -> dict[str, bytes]:
    """Chart key -> PNG bytes for a WeekMetrics."""
    return {
        "capaian": attainment_chart(metrics.steps, metrics.target),
        "rentang": range_chart(metrics.steps),
        "kedatangan": heatmap_chart(metrics.heatmap),
        "tren": trend_chart(metrics.trend, metrics.target),
    }
