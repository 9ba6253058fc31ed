"""Masked forms of personal data: what an agent may see before the caller is verified."""

from __future__ import annotations

MASK = "•"


def mask_phone(e164: str | None) -> str | None:
    """Country code and the last 2 digits only: "+86 •••••••••78"."""
    if not e164:
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
        country = f"+{number.country_code} "
        national = str(number.national_number)
    except phonenumbers.NumberParseException:
        country, national = "", "".join(ch for ch in e164 if ch.isdigit())
    if len(national) <= 2:
        return country + MASK * 4
    return country + MASK * (len(national) - 2) + national[-2:]


def mask_email(email: str | None) -> str | None:
    """First letter and the domain: "j•••@example.com"."""
    if not email or "@" not in email:
        return None
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}{MASK * 3}@{domain}"


def mask_id_last4(last4: str | None) -> str | None:
    """Only the last 4 characters of the ID number are ever kept in clear."""
    if not last4:
        return None
    return MASK * 4 + last4


def mask_account_number(account_number: str) -> str:
    """Account numbers are public (printed in the app) but shortened in lists: "OK••••5678"."""
    return account_number[:2] + MASK * 4 + account_number[-4:]
