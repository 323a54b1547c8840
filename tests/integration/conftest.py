"""A simulated office week written by the real engine (the `bukutamu demo` command on
the embedded store), shared by the report tests: their rows come from the engine,
never from hand-written logs that repeat the report's assumptions."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

DEMO_WEEK = "2026-W34"  # Monday 17 August 2026 is a holiday


@dataclass
class EngineWeek:
    root: Path
    stdout: str

    @property
    def env(self) -> dict:
        return {"BUKUTAMU_DATA": str(self.root / "data")}

    def cli(self, *args, check=True):
        e = {**os.environ, **self.env}
        e.pop("BUKUTAMU_CONFIG", None)
        p = subprocess.run([sys.executable, "-m", "bukutamu", *args], cwd=self.root, env=e,
                           capture_output=True, text=True, timeout=300)
        if check and p.returncode != 0:
            raise AssertionError(f"exit {p.returncode}\n{p.stdout}\n{p.stderr}")
        return p

    @property
    def settings(self):
        from bukutamu.commands.demo import demo_settings
        from bukutamu.config import load_settings
        return demo_settings(load_settings(None, env=self.env))

    def tabs(self, *names):
        """name -> (header, [row values]) as the store holds them."""
        from bukutamu.adapters.sqlite_store import SqliteSheetStore
        s = self.settings
        store = SqliteSheetStore(s.store.path, s.office.time_zone)
        try:
            snap = store.read(list(names))
            return {n: (tuple(snap.tab(n).header), [tuple(r.values) for r in snap.tab(n).rows]) for n in names}
        finally:
            store.close()

    @property
    def folder(self) -> Path:
        return self.root / "reports" / DEMO_WEEK


def run_demo(root: Path, per_day: str = "20-30", seed: int = 2026) -> EngineWeek:
    root.mkdir(parents=True, exist_ok=True)
    week = EngineWeek(root, "")
    p = week.cli("demo", "--tamu-per-hari", per_day, "--tanpa-progres", "--seed", str(seed))
    week.stdout = p.stdout
    return week


@pytest.fixture(scope="session")
def engine_week(tmp_path_factory) -> EngineWeek:
    """~100 guests over four working days (one holiday), written by the engine."""
    return run_demo(tmp_path_factory.mktemp("engine-week"))
