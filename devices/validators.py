"""IMEI and ICCID: digits with a Luhn check digit (DEV-3, DEV-5)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def luhn_valid(digits):
    """True when the last digit of `digits` is the Luhn check digit of the others."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_imei(value):
    """15 digits, the last a Luhn check digit."""
    if not (value.isascii() and value.isdigit() and len(value) == 15):
        raise ValidationError(_("An IMEI is 15 digits."), code="imei_format")
    if not luhn_valid(value):
        raise ValidationError(
            _("The IMEI's check digit is wrong: check that it is typed correctly."),
            code="imei_check_digit",
        )


def validate_iccid(value):
    """19 or 20 digits starting with 89 (telecom), the last a Luhn check digit."""
    if not (value.isascii() and value.isdigit() and len(value) in (19, 20)):
        raise ValidationError(_("An ICCID is 19 or 20 digits."), code="iccid_format")
    if not value.startswith("89"):
        raise ValidationError(_("An ICCID starts with 89."), code="iccid_prefix")
    if not luhn_valid(value):
        raise ValidationError(
            _("The ICCID's check digit is wrong: check that it is typed correctly."),
            code="iccid_check_digit",
        )
