"""NIK and KTP field validation (rules numbered in core/ktp/nik.py and check.py), with the Kemendagri region table.

Pure: no I/O except reading the shipped region table once, lazily.
"""

from bukutamu.core.ktp.check import NOT_ASKED, KtpCheck, check_guest, other_visit_findings
from bukutamu.core.ktp.fields import (
    FieldResult,
    name_key,
    parse_birth_date,
    parse_email,
    parse_name,
    parse_phone,
    parse_sex,
)
from bukutamu.core.ktp.findings import ERROR, WARNING, Finding
from bukutamu.core.ktp.mask import mask_name, mask_nik, nik_hash
from bukutamu.core.ktp.nik import NikFacts, NikResult, parse as parse_nik
from bukutamu.core.ktp.regions import Region, region_table

__all__ = [
    "ERROR", "WARNING", "NOT_ASKED", "FieldResult", "Finding", "KtpCheck", "NikFacts", "NikResult", "Region",
    "check_guest", "mask_name", "mask_nik", "name_key", "nik_hash", "other_visit_findings", "parse_birth_date",
    "parse_email", "parse_name", "parse_nik", "parse_phone", "parse_sex", "region_table",
]
