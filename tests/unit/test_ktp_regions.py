"""The shipped region table: content, attribution, regeneration."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bukutamu.core.ktp.regions import region_table

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bukutamu" / "core" / "ktp" / "data"
SOURCE = ROOT.parent / "shared" / "reference" / "wilayah"


def test_counts_of_the_2025_edition():
    table = region_table()
    active = [e for e in table.entries.values() if e.active]
    assert sum(e.level == 1 for e in active) == 38
    assert sum(e.level == 2 for e in active) == 514
    assert sum(e.level == 3 for e in active) == 7285
    assert len(table.entries) == 8457
    assert len(table.successors) == 620


def test_kalimantan_barat():
    table = region_table()
    assert table.get("61").name == "Kalimantan Barat"
    assert sum(1 for c in table.codes(3) if c.startswith("61") and table.get(c).active) == 174
    assert table.get("6102").name == "Kabupaten Mempawah"  # Kemendagri, not BPS (6102 = Bengkayang there)


def test_regency_numbers_follow_kabupaten_kota_ranges():
    for code in region_table().codes(2):
        assert 1 <= int(code[2:]) <= 69 or 71 <= int(code[2:]) <= 99


def test_entry_and_successor():
    table = region_table()
    old = table.get("910203")
    assert (old.name, old.active, old.first_edition, old.last_edition) == ("Kurulu", False, "2015", "2021")
    assert table.successor("910203").digits == "950102"
    assert table.get("9601").first_edition == "2025"
    assert region_table() is table  # loaded once


def test_attribution_shipped():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "Copyright (c) 2017-2025 Cahya DSN" in readme and "MIT" in readme
    assert "b7ad440a1322e7be3189a16a8cac35f7d4c3d7f7" in readme
    assert "Cahya DSN" in (DATA / "LICENSE-cahyadsn-wilayah").read_text(encoding="utf-8")


@pytest.mark.skipif(not SOURCE.is_dir(), reason="shared reference not present")
def test_build_script_regenerates_the_shipped_files(tmp_path):
    spec = importlib.util.spec_from_file_location("build_region_table", ROOT / "scripts" / "build_region_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--source", str(SOURCE), "--out", str(tmp_path)]) == 0
    for name in ("wilayah.csv", "papua.csv", "README.md", "LICENSE-cahyadsn-wilayah"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
