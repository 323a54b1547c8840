"""The phone-number plan for the KTP field checks, over the ``phonenumbers``
package (Google's libphonenumber metadata). Implements ``core.ktp.fields.PhoneNumbers``."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from bukutamu.core.ktp.fields import PhoneFacts

_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


class LibPhoneNumbers:
    def classify(self, text: str, default_region: str) -> PhoneFacts | None:
        try:
            number = phonenumbers.parse(text, default_region)
        except NumberParseException:
            return None
        region = phonenumbers.region_code_for_number(number)
        kind = phonenumbers.number_type(number)
        if region is None or kind == PhoneNumberType.UNKNOWN:  # = is_valid_number, the type computed once
            return None
        return PhoneFacts(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), region,
                          number.country_code, kind in _MOBILE_TYPES)


PHONE_NUMBERS = LibPhoneNumbers()
