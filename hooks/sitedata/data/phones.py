"""Whether a phone number in the data is a valid UK number written in digits."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import shortnumberinfo

from sitedata.data.errors import describe

REGION = "GB"
# What a published number may hold besides digits: spaces, brackets, hyphens, dots and a leading '+'.
_PUNCTUATION = re.compile(r"[\s().+-]")


def phone_problem(text: str) -> str | None:
    """Why `text` is not a valid UK number written in digits, or None when it is."""
    if any(c.isalpha() for c in text) and any(c.isdigit() for c in text):
        # phonenumbers reads letters as keypad digits ('0800 ABC DEF' dials 0800 222 333): the page would show one
        # thing and the phone would dial another.
        meant = phonenumbers.convert_alpha_characters_in_number(text)
        return (
            f"{describe(text)} has letters in it; write the number in digits, as the phone would dial it "
            f"(the letters stand for {describe(meant)}; check that is the service's number)"
        )
    stray = sorted({c for c in _PUNCTUATION.sub("", text) if not c.isdigit() or not c.isascii()})
    if stray and not all(c.isalpha() for c in stray):
        shown = " ".join(repr(c) for c in stray)
        return f"{describe(text)} has characters other than digits, spaces and brackets ({shown}); write the number in digits"
    digits = re.sub(r"[\s()-]", "", text)
    if re.fullmatch(r"\d{3,6}", digits):
        short = phonenumbers.parse(digits, REGION)
        if shortnumberinfo.is_valid_short_number_for_region(short, REGION):
            return None
        return f"{describe(text)} is not a valid UK short number; check the digits"
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return f"{describe(text)} is not a phone number; write it as published, for example '0808 2000 247'"
    # Almost every number is a valid GB number: that one test (region code 44 lists GB first) settles it;
    # only the rest pay for trying every region that shares +44.
    if phonenumbers.is_valid_number_for_region(number, REGION):
        return None
    if not phonenumbers.is_valid_number(number):
        return f"{describe(text)} is not a valid UK phone number; check the digits (UK numbers have 10 digits after the leading 0)"
    if phonenumbers.region_code_for_number(number) not in (REGION, "GG", "JE", "IM"):
        return f"{describe(text)} is not a UK number; only UK services are listed"
    return None
