"""``bukutamu ktp``: exit codes, JSON shape, the NIK only masked."""

from __future__ import annotations

import argparse
import json

import pytest

from bukutamu.commands import ktp

NIK = "6171054507859992"  # synthetic


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bukutamu")
    ktp.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["ktp", *argv])
    return args.func(args)


def test_parser_registered_with_func():
    parser = argparse.ArgumentParser(prog="bukutamu")
    sub = parser.add_subparsers(dest="command")
    ktp.add_parser(sub)
    args = parser.parse_args(["ktp", NIK])
    assert args.command == "ktp" and args.func is ktp.run


def test_valid_text(capsys):
    assert run([NIK]) == 0
    out = capsys.readouterr().out
    assert "6171********9992" in out and "SAH" in out and "Pontianak Kota" in out
    assert NIK not in out


def test_valid_json(capsys):
    assert run([NIK, "--json", "--tanggal-lahir", "1985-07-05", "--jenis-kelamin", "P", "--nama", "Siti"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "valid": True,
        "nik": "6171********9992",
        "errors": [],
        "warnings": [],
        "parsed": {
            "province": {"code": "61", "name": "Kalimantan Barat"},
            "regency": {"code": "61.71", "name": "Kota Pontianak"},
            "district": {"code": "61.71.05", "name": "Pontianak Kota"},
            "birth_date": "1985-07-05",
            "sex": "P",
            "serial": "9992",
        },
    }


def test_warnings_exit_0(capsys):
    assert run([NIK, "--json", "--jenis-kelamin", "l"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is True and [w["code"] for w in data["warnings"]] == ["nik_sex_mismatch"]
    assert set(data["warnings"][0]) == {"code", "message"}


@pytest.mark.parametrize("argv, code", [
    (["6171016902019991"], "nik_date_invalid"),  # synthetic
    (["6171"], "nik_length"),
    ([NIK, "--nama", "Siti 2"], "name_digits"),
    ([NIK, "--tanggal-lahir", "2030-01-01"], "birth_date_future"),
])
def test_errors_exit_1(capsys, argv, code):
    assert run([*argv, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is False and code in [e["code"] for e in data["errors"]]


def test_invalid_nik_text_output_masked(capsys):
    assert run(["6171016902019991"]) == 1  # synthetic
    out = capsys.readouterr().out
    assert "SALAH" in out and "6171********9991" in out and "6171016902019991" not in out  # synthetic


@pytest.mark.parametrize("bad", ["05/07/1985", "1985-02-30", "19850705", "kemarin"])
def test_bad_birth_date_exit_2(capsys, bad):
    assert run([NIK, "--tanggal-lahir", bad]) == 2
    assert "--tanggal-lahir" in capsys.readouterr().err


def test_bad_sex_is_argparse_usage_error():
    with pytest.raises(SystemExit) as caught:
        run([NIK, "--jenis-kelamin", "X"])
    assert caught.value.code == 2
