"""Which language a caller hears and reads: the script and the customer's messages follow the caller.

The interface language is the agent's choice (console.i18n); this is the caller's. In order, the first
that names a Chinese-speaking region decides: the region of the number the caller rings from (Hong Kong,
Macau and Taiwan read Traditional Chinese, the mainland Simplified), then the customer's profile (the
region on file, then the country of the phone on file), then the hotline rung (its first language);
anyone else hears English. Customers carry no language setting of their own: the region is what the
data says about them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import phonenumbers
from sqlalchemy.orm import Session

from console.i18n import SIMPLIFIED_REGIONS, TRADITIONAL_REGIONS, language_for, translate
from console.services.rows import CallerProfile, TicketFacts
from models import Hotline, IncomingCall

ENGLISH = "en"


def language_for_region(region: str | None) -> str | None:
    """ "zh-TW" for Hong Kong, Macau and Taiwan, "zh-CN" for the mainland; None elsewhere."""
    region = (region or "").strip().upper()
    if region in TRADITIONAL_REGIONS:
        return "zh-TW"
    if region == "CN":
        return "zh-CN"
    return None


@lru_cache(maxsize=1024)
def phone_region(number: str | None) -> str | None:
    """The region of an E.164 number ("+85291234567" -> "HK"); None when it cannot be told. Kept for
    the numbers seen lately: every message to a customer asks again, and parsing a number costs more
    than the rest of choosing the language."""
    if not number or not number.startswith("+"):
        return None
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None


def line_language(languages: str | None) -> str | None:
    """The script language a hotline's first language tag stands for ("zh-HK,en" -> "zh-TW")."""
    first = (languages or "").split(",")[0].strip()
    if not first:
        return None
    tag = language_for(first)
    if tag is None:
        return None
    region = first.replace("_", "-").split("-")[-1].upper()
    if tag == "zh_Hant" or region in TRADITIONAL_REGIONS:
        return "zh-TW"
    if tag == "zh_Hans" or region in SIMPLIFIED_REGIONS:
        return "zh-CN"
    return ENGLISH


def caller_language(
    *,
    caller_number: str | None = None,
    customer: CallerProfile | None = None,
    line_languages: str | None = None,
) -> str:
    """The script language for this caller: "zh-CN", "zh-TW" or "en" (see the module's docstring)."""
    profile = (customer.region, phone_region(customer.phone_e164)) if customer is not None else ()
    for region in (phone_region(caller_number), *profile):
        language = language_for_region(region)
        if language is not None:
            return language
    return line_language(line_languages) or ENGLISH


def ticket_language(session: Session, ticket: TicketFacts | None, customer: CallerProfile | None) -> str:
    """The caller's language on this ticket: its call's number and line, and the customer's profile."""
    caller_number = line_languages = None
    if ticket is not None and ticket.call_id is not None:
        call = session.get(IncomingCall, ticket.call_id)
        if call is not None:
            caller_number = call.caller_number
            line = session.get(Hotline, call.hotline_id) if call.hotline_id is not None else None
            line_languages = line.languages if line is not None else None
    return caller_language(caller_number=caller_number, customer=customer, line_languages=line_languages)


def words_for(language: str) -> Callable[[str], str]:
    """`say(N_("..."))` in the caller's language: for scripts' companions, SMS and emails to the customer."""
    catalog = language_for(language) or "en"
    return lambda message: translate(catalog, message)
