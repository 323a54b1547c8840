"""The bad-input corpus: one row per kind of bad (or odd but valid) input.

Data only. ``tests/corpus/test_bad_input.py`` puts every row of ``CASES`` in one batch with a
set of good guests, on both stores (embedded: CSV through ``bukutamu import-csv``; Google:
a row submitted to the Sheets fake the way Google Forms does), runs the real engine cycle
and checks what a user sees. File-level kinds (a CSV's quoting, headers, date order) are in
``FILE_CASES``; sheet-layout kinds (headers of the form tab) in ``LAYOUTS``.

A held-back corpus can be dropped in without touching the tests: put a module
``tests/corpus/extra_*.py`` defining ``CASES`` (a list of ``Case`` or of dicts with the same
fields), or point ``$BUKUTAMU_CORPUS`` at such a ``.py`` or at a ``.json`` list of dicts.

Fields are keyed by register column key (``nik``, ``nama``, ``telepon`` …, see
``bukutamu/core/schema.py``). A string may name the row's own good values in braces:
``{nik}`` (a valid synthetic NIK unique to the row), ``{nik_fullwidth}``, ``{nama}`` … (see
``derived``). ``Typed(v)`` is a value the sheet holds as a typed cell (Google path only; the
CSV path writes ``str(v)``). ``None`` is an empty cell.

``expect``: what the row must become, after the first cycle
  OK     registered, MENUNGGU VERIFIKASI, Cek KTP ``OK``
  WARN   registered, MENUNGGU VERIFIKASI, Cek KTP ``PERINGATAN: …`` matching ``says``
  ERROR  registered, PERLU PERBAIKAN, Cek KTP/Catatan matching ``says``
  DUP    registered as DUPLIKAT (the same NIK earlier the same day)
  SKIP   not imported; ``bukutamu import-csv`` names the line and says ``says`` (CSV path)
  NOTE   not registered; ``[Sistem] Catatan`` says ``says`` (sheet path)
  MANUAL registered from a row without a usable form timestamp; Catatan says ``says``
  BLANK  ignored: no visit, no note, no message
``says`` is a case-insensitive regular expression. ``google=(expect, says)`` overrides both for
the Sheets path, where a cell is typed by USER_ENTERED (a leading ``=`` makes a formula the
fake shows as ``#N/A``). All NIKs are synthetic (serials 9991–9999).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

OK, WARN, ERROR, DUP, SKIP, NOTE, MANUAL, BLANK = "OK", "WARN", "ERROR", "DUP", "SKIP", "NOTE", "MANUAL", "BLANK"
BOTH = ("sqlite", "google")


@dataclass(frozen=True)
class Typed:
    """A typed cell value (number, boolean) as the sheet holds it."""

    value: object


@dataclass(frozen=True)
class Case:
    kind: str
    fields: Mapping[str, object]
    expect: str
    says: str = ""
    google: tuple[str, str] | None = None
    stores: tuple[str, ...] = BOTH
    blank_base: bool = False  # start from an empty row, not from a good guest

    def for_store(self, store: str) -> tuple[str, str]:
        if store == "google" and self.google:
            return self.google
        return self.expect, self.says


# Payloads thrown at every free-text field. (kind, value, expectation when the field is the name)
NAME_CHARS = (WARN, "karakter selain huruf")
NAME_DIGITS = (ERROR, "angka")
INJECTIONS: tuple[tuple[str, str, tuple[str, str]], ...] = (
    ("formula_equals", '=HYPERLINK("http://contoh.invalid/?q="&A1;"klik")', NAME_DIGITS),
    ("formula_plus", "+cmd|' /C calc'!A", NAME_CHARS),
    ("formula_minus", "-2+3+cmd|' /C calc'!A0", NAME_DIGITS),
    ("formula_at", "@SUM(A1:A9)", NAME_DIGITS),
    ("formula_importxml", "=IMPORTXML(CONCAT(\"http://contoh.invalid/?\";A2);\"//a\")", NAME_DIGITS),
    ("formula_tab_lead", "\t=1+1", NAME_DIGITS),
    ("html_script", "<script>alert('x')</script>Budi", NAME_CHARS),
    ("html_img_onerror", '<img src=x onerror="alert(1)">', NAME_DIGITS),
    ("html_entity", "Budi &amp; &lt;b&gt;Santoso&lt;/b&gt;", NAME_CHARS),
    ("header_injection", "Budi\r\nBcc: korban@contoh.invalid\r\nSubject: palsu", NAME_CHARS),
    ("crlf_double", "Budi\r\n\r\n<h1>isi palsu</h1>", NAME_DIGITS),
    ("lf_only", "Budi\nSantoso", NAME_CHARS),
    ("nul_byte", "Budi\x00Santoso", NAME_CHARS),
    ("ansi_escape", "\x1b[2J\x1b[31mBudi\x1b[0m", NAME_DIGITS),
    ("bell", "Budi\x07\x07\x07", NAME_CHARS),
    ("bidi_override", "Budi \u202eosotnaS", NAME_CHARS),
    ("bidi_isolate", "\u2066Budi\u2069 \u200fSantoso", NAME_CHARS),
    ("zero_width", "Bu\u200bdi\u200c San\u2060toso\ufeff", NAME_CHARS),
    ("c1_control", "Budi\x85\x9bSantoso", NAME_CHARS),
    ("unicode_line_sep", "Budi\u2028Santoso\u2029", NAME_CHARS),
)
FREE_TEXT = ("nama", "instansi", "keperluan", "petugas_dituju", "bidang")


def _injection_cases() -> list[Case]:
    out = []
    for field_key in FREE_TEXT:
        for kind, value, name_expect in INJECTIONS:
            expect, says = name_expect if field_key == "nama" else (OK, "")
            google = None
            if value.startswith("=") and field_key == "nama":
                google = (WARN, "karakter selain huruf")  # the fake shows a formula as #N/A
            out.append(Case(f"{field_key}:{kind}", {field_key: value}, expect, says, google))
    return out


NIK_CASES = [
    Case("nik:arabic_indic_digits", {"nik": "{nik_arabic}"}, ERROR, "NIK memuat angka bukan 0-9"),
    Case("nik:fullwidth_digits", {"nik": "{nik_fullwidth}"}, ERROR, "NIK memuat angka bukan 0-9"),
    Case("nik:devanagari_digits", {"nik": "{nik_devanagari}"}, ERROR, "NIK memuat angka bukan 0-9"),
    Case("nik:spaced_groups", {"nik": "{nik_spaced}"}, OK),
    Case("nik:dotted_groups", {"nik": "{nik_dotted}"}, OK),
    Case("nik:dashed_groups", {"nik": "{nik_dashed}"}, OK),
    Case("nik:nbsp_groups", {"nik": "{nik_nbsp}"}, ERROR, "NIK"),
    Case("nik:zero_width_inside", {"nik": "{nik_zw}"}, ERROR, "NIK"),
    Case("nik:15_digits", {"nik": "{nik15}"}, ERROR, "NIK harus 16 angka"),
    Case("nik:17_digits", {"nik": "{nik17}"}, ERROR, "NIK harus 16 angka"),
    Case("nik:letter_o_for_zero", {"nik": "{nik_letter}"}, ERROR, "NIK"),
    Case("nik:scientific_text", {"nik": "6.17101E+15"}, ERROR, "teks"),
    Case("nik:scientific_text_id_locale", {"nik": "6,17101E+15"}, ERROR, "teks"),
    Case("nik:typed_number", {"nik": Typed(6171010101909991)}, ERROR, "teks",  # synthetic
         stores=("google",)),
    Case("nik:typed_float", {"nik": Typed(6.17101010190999e15)}, ERROR, "teks", stores=("google",)),
    Case("nik:blank", {"nik": ""}, ERROR, "NIK kosong"),
    Case("nik:serial_0000", {"nik": "{nik_serial0}"}, ERROR, "0000"),
    Case("nik:unknown_province", {"nik": "{nik_province99}"}, ERROR, "provinsi"),
    Case("nik:day_72", {"nik": "6171017201909991", "tanggal_lahir": "", "jenis_kelamin": ""},  # synthetic
         ERROR, "NIK"),
    Case("nik:31_april", {"nik": "6171013104909991", "tanggal_lahir": "", "jenis_kelamin": ""},  # synthetic
         ERROR, "NIK"),
    Case("nik:29_feb_2001", {"nik": "6171016902019991", "tanggal_lahir": "", "jenis_kelamin": ""},  # synthetic
         ERROR, "NIK"),
    Case("nik:leading_apostrophe", {"nik": "'{nik}"}, ERROR, "NIK"),
    Case("nik:formula", {"nik": "={nik}"}, ERROR, "NIK", google=(ERROR, "NIK")),
    Case("nik:html", {"nik": "<b>{nik}</b>"}, ERROR, "NIK"),
    Case("nik:trailing_newline", {"nik": "{nik}\n"}, OK),
    Case("nik:bidi_wrapped", {"nik": "\u202e{nik}\u202c"}, ERROR, "NIK"),
    Case("nik:10kb", {"nik": "6" * 10240}, ERROR, "NIK harus 16 angka"),
    Case("nik:age_under_17", {"nik": "{nik_young}", "tanggal_lahir": "", "jenis_kelamin": ""},
         WARN, "17"),
]

NAME_CASES = [
    Case("nama:digits_inside", {"nama": "Budi 2 Santoso"}, ERROR, "angka"),
    Case("nama:number_only", {"nama": "12345"}, ERROR, "angka"),
    Case("nama:typed_number", {"nama": Typed(12345)}, ERROR, "angka", stores=("google",)),
    Case("nama:typed_boolean", {"nama": "TRUE"}, OK, google=(OK, "")),
    Case("nama:arabic_indic_digit", {"nama": "Budi \u0663"}, ERROR, "angka"),
    Case("nama:61_letters", {"nama": "A" * 30 + " " + "B" * 30}, WARN, "60"),
    Case("nama:10kb", {"nama": ("Budi Santoso " * 800)[:10240]}, WARN, "60"),
    Case("nama:cyrillic_lookalike", {"nama": "\u0412udi Santoso"}, WARN, "karakter selain huruf"),
    Case("nama:greek_lookalike", {"nama": "Budi Sant\u03bfso"}, WARN, "karakter selain huruf"),
    Case("nama:fullwidth_letters", {"nama": "\uff22\uff55\uff44\uff49 Santoso"}, WARN, "karakter selain huruf"),
    Case("nama:combining_accent", {"nama": "Budi\u0301 Santoso"}, WARN, "karakter selain huruf"),
    Case("nama:emoji", {"nama": "Budi Santoso \U0001f600"}, WARN, "karakter selain huruf"),
    Case("nama:spaces_only", {"nama": "   "}, ERROR, "Nama kosong"),
    Case("nama:blank", {"nama": ""}, ERROR, "Nama kosong"),
    Case("nama:apostrophe", {"nama": "Ni'mah Hasanah"}, OK),
    Case("nama:titles", {"nama": "Dr. Budi Santoso, S.Kom"}, OK),
    Case("nama:lower_case", {"nama": "budi santoso"}, OK),
    Case("nama:leading_minus_word", {"nama": "-Budi Santoso"}, OK),
    Case("nama:dotted_letters", {"nama": "Mu\u1e25ammad Ridwan"}, WARN, "karakter selain huruf"),
]

OTHER_FIELD_CASES = [
    Case("telepon:arabic_indic_digits", {"telepon": "\u0660\u0668\u0661\u0662\u0663\u0664\u0665\u0666"
                                                    "\u0667\u0668\u0669\u0660"}, WARN, "angka bukan 0-9"),
    Case("telepon:fullwidth_digits", {"telepon": "\uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17"
                                                 "\uff18\uff19\uff10"}, WARN, "angka bukan 0-9"),
    Case("telepon:letters", {"telepon": "nol delapan satu dua"}, ERROR, "HP"),
    Case("telepon:formula", {"telepon": "=62812345678"}, WARN, "HP"),
    Case("telepon:plus62", {"telepon": "+6281234567890"}, OK),
    Case("telepon:spaced", {"telepon": "0812-3456 7890"}, OK),
    Case("telepon:10kb", {"telepon": "0812" * 2560}, ERROR, "HP"),
    Case("telepon:script", {"telepon": "<script>0812</script>"}, ERROR, "HP"),
    Case("telepon:lost_leading_zero", {"telepon": Typed(81234567890)}, WARN, "0 di depan", stores=("google",)),
    Case("email:header_injection", {"email": "a@contoh.invalid\r\nBcc: korban@contoh.invalid"}, WARN, "Email"),
    Case("email:two_addresses", {"email": "a@contoh.invalid, b@contoh.invalid"}, WARN, "Email"),
    Case("email:no_at", {"email": "budi.contoh.invalid"}, WARN, "Email"),
    Case("email:html", {"email": "<a@contoh.invalid>"}, WARN, "Email"),
    Case("email:fullwidth_at", {"email": "budi\uff20contoh.invalid"}, WARN, "Email"),
    Case("email:10kb", {"email": "a" * 10230 + "@contoh.invalid"}, WARN, "Email"),
    Case("jenis_kelamin:unknown", {"jenis_kelamin": "Lainnya"}, ERROR, "Jenis kelamin"),
    Case("jenis_kelamin:number", {"jenis_kelamin": "1"}, ERROR, "Jenis kelamin"),
    Case("jenis_kelamin:letter", {"jenis_kelamin": "{sex_letter}"}, OK),
    Case("jenis_kelamin:pria_wanita", {"jenis_kelamin": "{sex_pria_wanita}"}, OK),
    Case("tanggal_lahir:iso", {"tanggal_lahir": "{dob_iso}"}, OK),
    Case("tanggal_lahir:us_order", {"nik": "6171012512909995", "tanggal_lahir": "12/25/1990"},  # synthetic
         ERROR, "Tanggal lahir"),
    Case("tanggal_lahir:words", {"tanggal_lahir": "satu Januari"}, ERROR, "Tanggal lahir"),
    Case("tanggal_lahir:future", {"tanggal_lahir": "01/01/2999"}, ERROR, "Tanggal lahir"),
    Case("tanggal_lahir:31_feb", {"tanggal_lahir": "31/02/1990"}, ERROR, "Tanggal lahir"),
    Case("tanggal_lahir:typed_serial", {"tanggal_lahir": Typed("{dob_serial}")}, OK, stores=("google",)),
    Case("tanggal_lahir:huge_serial", {"tanggal_lahir": Typed(1e12)}, ERROR, "Tanggal lahir",
         stores=("google",)),
    Case("keperluan:multiline_ok", {"keperluan": "Konsultasi\nbaris kedua\r\nbaris ketiga"}, OK),
    Case("keperluan:10kb", {"keperluan": "konsultasi " * 931}, OK),
    Case("keperluan:40k_chars", {"keperluan": "k" * 40000}, OK),
    Case("keperluan:number", {"keperluan": "12345"}, OK),
    Case("instansi:number", {"instansi": "2026"}, OK),
    Case("extra:unknown_question", {"_extra": "=1+1"}, OK),
]

TIMESTAMP_CASES = [
    Case("timestamp:gmt_plus_99", {"timestamp": "2026/11/27 8:30:15 AM GMT+99"}, SKIP, "stempel waktu",
         google=(MANUAL, "stempel waktu")),
    Case("timestamp:year_9999_gmt_minus_12", {"timestamp": "31/12/9999 23:59:59 GMT-12"}, SKIP,
         "stempel waktu", google=(MANUAL, "stempel waktu")),
    Case("timestamp:words", {"timestamp": "kemarin sore"}, SKIP, "stempel waktu.*tidak dikenali",
         google=(MANUAL, "stempel waktu")),
    Case("timestamp:year_1900", {"timestamp": "01/01/1900 08:00:00"}, SKIP, "rentang",
         google=(MANUAL, "stempel waktu")),
    Case("timestamp:13th_hour_pm", {"timestamp": "2026/11/27 13:30:15 PM GMT+7"}, SKIP, "stempel waktu",
         google=(MANUAL, "stempel waktu")),
    Case("timestamp:iso_t", {"timestamp": "2026-11-27T08:{mm}:00"}, OK),
    Case("timestamp:dotted_time", {"timestamp": "27/11/2026 08.{mm}.00"}, OK,
         google=(MANUAL, "stempel waktu")),
    Case("timestamp:gmt_zero", {"timestamp": "2026/11/27 1:{mm}:00 AM GMT+0"}, OK,
         google=(MANUAL, "stempel waktu")),
    Case("timestamp:us_order", {"timestamp": "11/27/2026 08:{mm}:00"}, SKIP, "bulan/hari/tahun.*--bulan-dulu",
         google=(MANUAL, "stempel waktu")),
    Case("timestamp:us_order_again", {"timestamp": "11/27/2026 09:{mm}:00"}, SKIP,
         "bulan/hari/tahun.*--bulan-dulu", google=(MANUAL, "stempel waktu")),
    Case("timestamp:bidi_wrapped", {"timestamp": "\u202e27/11/2026 08:{mm}:00\u202c"}, OK,
         google=(MANUAL, "stempel waktu")),
    Case("timestamp:huge_serial", {"timestamp": Typed(1e12)}, MANUAL, "stempel waktu", stores=("google",)),
    Case("timestamp:negative_serial", {"timestamp": Typed(-5.5)}, MANUAL, "stempel waktu", stores=("google",)),
]

ROW_SHAPE_CASES = [
    Case("row:blank", {}, BLANK, blank_base=True),
    Case("row:whitespace_only", {"nama": "  ", "instansi": " \t ", "keperluan": "\u00a0"}, BLANK, blank_base=True),
    Case("row:timestamp_only", {"timestamp": "{stamp}"}, ERROR, "NIK kosong", blank_base=True,
         google=(ERROR, "NIK kosong")),
    Case("row:nik_and_name_only", {"nik": "{nik}", "nama": "{nama}"}, SKIP, "stempel waktu",
         blank_base=True, google=(MANUAL, "manual|stempel waktu")),
    Case("row:name_only", {"nama": "{nama}"}, SKIP, "stempel waktu", blank_base=True,
         google=(NOTE, "belum lengkap")),
    Case("row:keperluan_only", {"keperluan": "Konsultasi"}, SKIP, "stempel waktu", blank_base=True,
         google=(NOTE, "belum lengkap")),
    Case("row:stray_comma_shift", {"_shift": True}, SKIP, "kolom padahal judul", stores=("sqlite",)),
    Case("row:field_over_csv_limit", {"keperluan": "x" * 131_073}, SKIP, "melebihi batas", stores=("sqlite",)),
    Case("row:field_over_cell_limit_name", {"nama": "A" * 60_000}, SKIP, "melebihi batas", stores=("sqlite",)),
    Case("row:same_nik_twice", {"nik": "{nik_of_first_good}"}, DUP),
]

CASES: list[Case] = (_injection_cases() + NIK_CASES + NAME_CASES + OTHER_FIELD_CASES + TIMESTAMP_CASES
                     + ROW_SHAPE_CASES)


@dataclass(frozen=True)
class FileCase:
    """A whole CSV that is wrong as a file: (header, rows) built by the test from good guests."""

    kind: str
    transform: str  # what the test does to a good CSV (see test_bad_input.FILE_TRANSFORMS)
    exit_code: int  # import-csv's exit code
    imported: int | None  # rows imported (None: all good rows)
    says: str = ""  # regex on stderr+stdout
    args: tuple[str, ...] = ()


FILE_CASES = [
    FileCase("file:unterminated_quote_at_end", "open_quote_last", 1, 0,
             r"baris 5: tanda kutip.*Tidak ada yang diimpor"),
    FileCase("file:unterminated_quote_swallows_next", "open_quote_merge", 1, -2, r"baris 3–4: tanda kutip"),
    FileCase("file:duplicated_header", "dup_header", 1, 0, r'"Nama Lengkap" muncul 2 kali'),
    FileCase("file:duplicated_header_alias", "dup_header_alias", 1, 0, r'"Nama Lengkap" muncul 2 kali'),
    FileCase("file:missing_nik_header", "drop_nik", 1, 0, r'Kolom "NIK" tidak ada'),
    FileCase("file:blank_headers", "blank_headers", 0, None),
    FileCase("file:reordered_headers", "reorder", 0, None),
    FileCase("file:extra_columns", "extra_columns", 0, None, "tidak dipakai"),
    FileCase("file:header_odd_spacing_case_bom_zw", "odd_headers", 0, None),
    FileCase("file:all_month_first", "us_dates", 1, 0, r"bulan/hari/tahun.*--bulan-dulu"),
    FileCase("file:all_month_first_with_option", "us_dates", 0, None, "", ("--bulan-dulu",)),
    FileCase("file:day_first_with_month_first_option", "plain", 1, 0, r"hari/bulan/tahun.*tanpa --bulan-dulu",
             ("--bulan-dulu",)),
    FileCase("file:empty", "empty", 1, 0, "kosong"),
    FileCase("file:header_only", "header_only", 0, 0, "0 baris diimpor"),
    FileCase("file:latin1", "latin1", 1, 0, "UTF-8"),
    FileCase("file:semicolon_delimited", "semicolons", 1, 0, "tidak ada di CSV"),
    FileCase("file:crlf_and_bom", "crlf_bom", 0, None),
    FileCase("file:nul_bytes", "nul_in_field", 0, None),
    FileCase("file:directory", "directory", 1, 0, "folder"),
]


@dataclass(frozen=True)
class Layout:
    """A form tab whose headers are odd (Sheets path and embedded store alike)."""

    kind: str
    transform: str
    refuses: str = ""  # regex: the cycle stops with this message and writes nothing


LAYOUTS = [
    Layout("layout:duplicated_required_header", "dup_nama", refuses="muncul 2 kali"),
    Layout("layout:blank_header_columns", "blank_cols"),
    Layout("layout:reordered_columns", "reorder"),
    Layout("layout:extra_question_columns", "extra_cols"),
    Layout("layout:renamed_required_header", "rename_nik", refuses='"NIK"'),
]


def derived(nik: str, name: str, dob, stamp: str, minute: int) -> dict[str, str]:
    """Values a case may name in braces, from the row's own good guest."""
    arabic = str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669")
    full = str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")
    deva = str.maketrans("0123456789", "\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f")
    groups = [nik[:6], nik[6:12], nik[12:]]
    from bukutamu.core.cells import EPOCH
    from datetime import datetime
    return {
        "nik": nik, "nama": name, "stamp": stamp, "mm": f"{minute % 60:02d}",
        "nik_arabic": nik.translate(arabic), "nik_fullwidth": nik.translate(full),
        "nik_devanagari": nik.translate(deva),
        "nik_spaced": " ".join(groups), "nik_dotted": ".".join(groups), "nik_dashed": "-".join(groups),
        "nik_nbsp": "\u00a0".join(groups), "nik_zw": nik[:8] + "\u200b" + nik[8:],
        "nik15": nik[:-1], "nik17": nik + "7", "nik_letter": nik[:5] + "O" + nik[6:],
        "nik_serial0": nik[:12] + "0000", "nik_province99": "99" + nik[2:],
        "nik_young": nik[:6] + f"{dob.day:02d}{dob.month:02d}" + "11" + nik[12:],
        "dob_iso": dob.isoformat(),
        "sex_letter": "P" if int(nik[6:8]) > 40 else "L",
        "sex_pria_wanita": "Wanita" if int(nik[6:8]) > 40 else "Pria",
        "dob_serial": str((datetime(dob.year, dob.month, dob.day) - EPOCH).days),
    }
