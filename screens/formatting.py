"""Small text helpers the call screens share: durations as a clock shows them, numbers to read out."""

from __future__ import annotations


def duration_text(seconds: float) -> str:
    """`m:ss`, or `h:mm:ss` from an hour on; never negative."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02}:{secs:02}"
    return f"{minutes}:{secs:02}"


def phone_text(e164: str) -> str:
    """A published number grouped for reading aloud ("+86 400 820 5588"); as given if it won't parse."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
