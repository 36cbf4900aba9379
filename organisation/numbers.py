"""Phone numbers: stored in E.164, shown the Swedish way (019-21 10 00), via phonenumbers."""

import functools

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def parse_number(text):
    """Any written form ("019-21 10 00", "+46 19 21 10 00", "019211000") -> "+4619211000".

    Raises ValidationError with a Swedish message for anything that is not a valid number.
    """
    raw = (text or "").strip()
    try:
        number = phonenumbers.parse(raw, settings.TELEFONI_PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number."),
            code="invalid_number",
            params={"value": raw},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_number(e164):
    """ "+4619211000" -> "019-21 10 00" (national form at home, international abroad)."""
    if not e164:
        return ""
    return _formatted(e164, settings.TELEFONI_PHONE_REGION)


def _stored(e164):
    """The PhoneNumber of a stored number as phonenumbers.parse(e164) gives it, built
    straight from the digits (parse normalises and checks free text, and was half the
    cost of formatting a number, issue 19). None unless the text is plain E.164 with a
    known country code and no leading zero after it; parse is the judge of anything else."""
    digits = e164[1:]
    if not (e164.startswith("+") and digits.isascii() and digits.isdigit()):
        return None
    for length in (1, 2, 3):  # country codes are prefix-free
        code = int(digits[:length])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[length:]
            if not national or national.startswith("0") or len(digits) > 15:
                return None
            return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return None


@functools.lru_cache(maxsize=16384)
def _formatted(e164, home_region):
    """format_number's work, remembered: a page of telesök hits formats dozens of numbers,
    the costliest part of rendering it."""
    number = _stored(e164)
    if number is None:
        try:
            number = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException:
            return e164
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == home_region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def is_mobile(e164):
    number = phonenumbers.parse(e164, None)
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def search_digits(text):
    """The digits of a number as dialled from home, for telesök's substring match (DIR-2):
    "+4619211000", "+46 19-21 10 00", "0046 19 21 10 00" and "019-21 10 00" all give
    "019211000"; "21 10 00" gives "211000"; "+47 22 ..." gives "004722...".

    Stored numbers (E.164) and typed ones go through the same function, so any written
    form of a number is a substring of the stored digits."""
    raw = (text or "").strip()
    digits = "".join(c for c in raw if c.isdigit() and c.isascii())
    if raw.startswith("+"):
        digits = "00" + digits
    region = settings.TELEFONI_PHONE_REGION
    home = "00" + str(phonenumbers.country_code_for_region(region))
    if digits.startswith(home):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        digits = ((metadata and metadata.national_prefix) or "") + digits[len(home) :]
    return digits
