"""format_number builds a stored number's PhoneNumber from its digits (issue 19) instead
of parsing it: the result must be what parsing gives, for every kind of number."""

import phonenumbers
import pytest

from organisation import numbers
from organisation.numbers import format_number


def parsed_and_formatted(e164, home="SE"):
    number = phonenumbers.parse(e164, None)
    at_home = phonenumbers.region_code_for_number(number) == home
    kind = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if at_home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, kind)


STORED = [
    "+4619211000",  # Örebro fixed
    "+46701234567",  # mobile
    "+468123456",  # Stockholm, short
    "+46771123456",  # non-geographic
    "+4690123456",  # Umeå
    "+12025550123",  # NANP, shared country code
    "+447911123456",  # UK mobile
    "+4722123456",  # Norway
    "+358401234567",  # Finland, three-digit code
    "+3906698321",  # Italy: the national number keeps its leading zero
    "+8613812345678",  # China
]


@pytest.mark.parametrize("e164", STORED)
def test_a_stored_number_formats_as_parsing_it_would(e164):
    numbers._formatted.cache_clear()
    assert format_number(e164) == parsed_and_formatted(e164)


def test_swedish_numbers_are_national_and_foreign_ones_international():
    assert format_number("+4619211000") == "019-21 10 00"
    assert format_number("+46701234567") == "070-123 45 67"
    assert format_number("+4722123456") == "+47 22 12 34 56"


@pytest.mark.parametrize(
    "text", ["+3906698321", "+0046192110", "+999123456", "+46", "019211000", "+46 19 21", ""]
)
def test_only_plain_e164_takes_the_short_way(text):
    """A leading zero after the country code, an unknown country code or anything but
    '+' and digits goes to phonenumbers.parse, which is the judge of it."""
    assert numbers._stored(text) is None
    numbers._formatted.cache_clear()
    format_number(text)  # never raises


def test_the_short_way_builds_what_parse_builds():
    for e164 in STORED:
        built = numbers._stored(e164)
        if built is not None:
            assert built == phonenumbers.parse(e164, None), e164
