"""Caller lookup: one query box that understands phones, account numbers, emails, names, pinyin and last digits."""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    select,
    true,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from console.i18n import N_, _
from console.services.actors import check_agent_state
from console.services.errors import InvalidInput
from console.services.masking import mask_account_number, mask_email, mask_phone
from console.services.plain_reads import plain_reads_of
from models import Agent, Customer, Role

DEFAULT_LIMIT = 20
_ACCOUNT = re.compile(r"^OK\d{1,8}$")
_PHONEISH = re.compile(r"^[+\d][\d\s().\-]*$")
_LAST4_ID = re.compile(r"^\d{3}[\dA-Z]$")  # CN ends in X; HK and SG IDs end in a letter
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_NAME = re.compile(r"^[a-z][a-z' .\-]*$")


class MatchKind(enum.StrEnum):
    # The values are the words the lookup says it searched by (translated where shown).
    PHONE = N_("phone")
    ACCOUNT = N_("account number")
    EMAIL = N_("email")
    NAME = N_("name")
    PINYIN = N_("pinyin")
    INITIALS = N_("initials")
    PHONE_LAST4 = N_("phone last 4")
    ID_LAST4 = N_("ID last 4")


@dataclass(frozen=True)
class CustomerMatch:
    """One candidate, showing only masked data that tells candidates apart."""

    customer_id: int
    full_name: str
    account_masked: str
    phone_masked: str | None
    email_masked: str | None
    region: str
    status: str
    matched_by: MatchKind
    exact: bool


@dataclass(frozen=True)
class LookupResult:
    query: str
    understood_as: tuple[MatchKind, ...]
    matches: tuple[CustomerMatch, ...]
    # More candidates exist than were returned: the agent should narrow the query.
    more: bool = False
    # A plain-words hint when the query could not be used as typed.
    problem: str | None = None

    @property
    def single(self) -> CustomerMatch | None:
        """The one exact match, when there is exactly one match at all (never an automatic pick otherwise)."""
        if len(self.matches) == 1 and not self.more and self.matches[0].exact:
            return self.matches[0]
        return None


@dataclass(frozen=True)
class _Probe:
    kind: MatchKind
    column: InstrumentedAttribute[str | None] | InstrumentedAttribute[str]
    value: str
    prefix: bool
    # What to tell the agent when this probe finds nobody (a phone number that is possible but not valid).
    unmatched: Callable[[], str | None] | None = None


def normalize_query(raw: str) -> str:
    """Fold full-width forms (common with Chinese input methods) and trim."""
    return unicodedata.normalize("NFKC", raw).strip()


def normalize_phone(raw: str, default_region: str) -> str | None:
    """E.164 for a valid number in any common format, else None."""
    text = normalize_query(raw)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Where the hotlines' callers ring from, most often.
CALLER_REGIONS = ("CN", "HK", "SG", "US", "GB")


def warm_up(regions: tuple[str, ...] = CALLER_REGIONS) -> None:
    """Load the phone metadata for the regions callers ring from (a few ms each on first use).

    The console calls this from a worker at start, so the first caller from Hong Kong does not pay
    for it while the agent waits.
    """
    # The library's own switch: each of its patterns compiled once and kept, not looked up in `re`'s
    # cache on every use (about 1 us of a parse).
    phonenumbers.enable_pattern_cache()
    for region in regions:
        example = phonenumbers.example_number(region)
        if example is not None:
            phonenumbers.is_valid_number(example)


def understand(raw: str, default_region: str) -> tuple[list[_Probe], str | None]:
    """What the agent probably typed, as probes from most to least specific; plus a hint if none fit."""
    query = normalize_query(raw)
    if not query:
        return [], None
    upper = query.upper().replace(" ", "")
    lower = query.lower()
    digits = re.sub(r"\D", "", query)

    if "@" in query:
        exact = "@" in lower[1:] and "." in lower.rpartition("@")[2]
        return [_Probe(MatchKind.EMAIL, Customer.email, lower, prefix=not exact)], None
    if _ACCOUNT.fullmatch(upper):
        return [_Probe(MatchKind.ACCOUNT, Customer.account_number, upper, prefix=len(upper) < 10)], None
    if len(upper) == 4 and _LAST4_ID.fullmatch(upper):
        probes = [_Probe(MatchKind.ID_LAST4, Customer.id_last4, upper, prefix=False)]
        if upper.isdigit():
            probes.insert(0, _Probe(MatchKind.PHONE_LAST4, Customer.phone_last4, upper, prefix=False))
        return probes, None
    if _PHONEISH.fullmatch(query) and digits:
        return _phone_probes(query, digits, default_region)
    if _CJK.search(query):
        name = re.sub(r"\s+", "", query)
        return [_Probe(MatchKind.NAME, Customer.full_name, name, prefix=True)], None
    if _LATIN_NAME.fullmatch(lower):
        letters = re.sub(r"[^a-z]", "", lower)
        probes = []
        if 2 <= len(letters) <= 4 and " " not in lower:
            probes.append(_Probe(MatchKind.INITIALS, Customer.name_initials, letters, prefix=False))
        probes.append(_Probe(MatchKind.PINYIN, Customer.name_pinyin, letters, prefix=True))
        return probes, None
    return [], _("Type a phone number, account number (OK…), email, name, pinyin, or last 4 digits.")


def _phone_probes(query: str, digits: str, default_region: str) -> tuple[list[_Probe], str | None]:
    """A typed phone number, parsed once. A number of a possible length is looked up even if the metadata
    says no such number is in service (one stored before the numbering plan changed is still found); the
    agent hears that it is not valid only when it finds nobody."""
    if query.startswith("00"):  # the international prefix, as agents in China and Europe dial it
        typed = "+" + digits[2:]
    elif query.startswith("+"):
        typed = "+" + digits
    else:
        typed = digits  # the separators (spaces, dashes, dots, brackets) carry nothing the parse needs
    try:
        number = phonenumbers.parse(typed, default_region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        return [], _not_a_phone(query, default_region)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def unmatched() -> str | None:
        return None if phonenumbers.is_valid_number(number) else _not_a_phone(query, default_region)

    return [_Probe(MatchKind.PHONE, Customer.phone_e164, e164, prefix=False, unmatched=unmatched)], None


def _not_a_phone(query: str, default_region: str) -> str:
    if query.startswith(("+", "00")):  # the country code is there already: the digits are what is wrong
        return _(
            "{query} is not a valid phone number. Check the digits with the caller, or type the last 4 digits."
        ).format(query=query)
    return _(
        "{query} is not a valid phone number for region {default_region}. Add the country code "
        "(+852 …) or type the last 4 digits."
    ).format(query=query, default_region=default_region)


_LAST_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # one search, not a Python loop over every character


def _prefix_upper_bound(value: str) -> str | None:
    """The smallest text above every text that starts with `value`, in code point order.

    The last character that has a successor is bumped (skipping the surrogates, which no text may
    hold) and what follows it is dropped; None when every character is U+10FFFF.
    """
    for end in range(len(value) - 1, -1, -1):
        code = ord(value[end]) + 1
        if code in _SURROGATES:
            code = _SURROGATES.stop
        if code <= _LAST_CODE_POINT:
            return value[:end] + chr(code)
    return None


def _refuse_unstorable(query: str) -> None:
    """Text neither engine can take as a parameter is refused in words, not sent to fail there."""
    if "\x00" in query:
        raise InvalidInput(_("The lookup has an invisible NUL character in it; clear the box and type it again."))
    if _LONE_SURROGATE.search(query):
        raise InvalidInput(_("The lookup has a broken character in it; clear the box and type it again."))


@functools.cache
def _statement(column_key: str, exact: bool) -> Select[*tuple[Any, ...]]:
    """One prepared query per column and pass, built once: building a select costs more than running it."""
    column: ColumnElement[str] = getattr(Customer, column_key)
    value: BindParameter[str] = bindparam("value")
    # A prefix is a range instead of LIKE, so a plain B-tree index serves it on both engines.
    condition = column == value if exact else and_(column >= value, column < bindparam("upper"), column != value)
    return select(*_CARD_COLUMNS).where(condition).order_by(column, Customer.id).limit(bindparam("room", type_=Integer))


@functools.cache
def _statement_as_agent(column_key: str, exact: bool) -> Select[Any]:
    """The same probe joined to the acting agent's row, so the first probe also answers "may this agent
    look customers up?" in the one round trip a lookup costs (a second one doubled the p99 on PostgreSQL).
    There is always one row: the agent's, with the customer columns empty when nothing matched."""
    probe = _statement(column_key, exact).add_columns(getattr(Customer, column_key).label("sort_key")).subquery()
    agents = Agent.__table__
    return (
        select(
            agents.c.disabled.label("agent_disabled"),
            agents.c.role.label("agent_role"),
            *(probe.c[column.key] for column in _CARD_COLUMNS),
        )
        .select_from(agents.outerjoin(probe, true()))
        .where(agents.c.id == bindparam("agent_id"))
        .order_by(probe.c.sort_key, probe.c.id)
    )


def find_customers(
    sessions: sessionmaker[Session],
    query: str,
    default_region: str = "CN",
    limit: int = DEFAULT_LIMIT,
    *,
    agent_id: int,
) -> LookupResult:
    """Exact matches first, then prefix matches; never more than `limit`; no automatic choice.

    Raises InvalidInput for text no database can search (a NUL, a lone surrogate); nothing else.
    The acting agent must be enabled (checked before any customer row is read).
    """
    _refuse_unstorable(query)
    probes, problem = understand(query, default_region)
    if not probes:
        return LookupResult(query, (), (), problem=problem)
    reads = plain_reads_of(sessions)
    if reads is not None:
        result = _find(reads.rows, query, probes, limit, agent_id)
    else:
        with sessions() as session:  # a factory with no single engine (one bound to a connection)
            connection = session.connection()
            result = _find(
                lambda statement, params: [tuple(row) for row in connection.execute(statement, params)],
                query,
                probes,
                limit,
                agent_id,
            )
    if not result.matches and probes[0].unmatched is not None:
        return dataclasses.replace(result, problem=probes[0].unmatched())
    return result


RowsOf = Callable[[Select[Any], dict[str, Any]], Sequence[Sequence[Any]]]


def _find(rows_of: RowsOf, query: str, probes: list[_Probe], limit: int, agent_id: int) -> LookupResult:
    found: dict[int, CustomerMatch] = {}
    more = False
    agent_checked = False
    # Every probe's exact matches rank above every probe's prefix matches.
    for exact_pass in (True, False):
        for probe in probes:
            if not exact_pass and not probe.prefix:
                continue
            room = limit - len(found)
            params: dict[str, Any] = {"value": probe.value, "room": room + 1}
            if not exact_pass:
                upper = _prefix_upper_bound(probe.value)
                if upper is None:
                    continue  # only U+10FFFF typed: no probe value is ever like that
                params["upper"] = upper
            if agent_checked:
                rows = rows_of(_statement(probe.column.key, exact_pass), params)
            else:
                params["agent_id"] = agent_id
                answer = rows_of(_statement_as_agent(probe.column.key, exact_pass), params)
                state = (bool(answer[0][0]), Role(answer[0][1])) if answer else None
                check_agent_state(state, doing=N_("look up customers"))
                rows = [row[2:] for row in answer if row[2] is not None]
                agent_checked = True
            for row in rows:
                if row[0] in found:
                    continue
                if len(found) == limit:
                    more = True
                    break
                found[row[0]] = _match(row, probe.kind, exact_pass)
            if len(found) == limit and (more or len(rows) > room):
                more = True
                break
        if more:
            break
    return LookupResult(
        query=query,
        understood_as=tuple(probe.kind for probe in probes),
        matches=tuple(found.values()),
        more=more,
    )


# Only what a pick-list row needs, in this order, fetched as plain rows (no ORM identity map on the hot path).
_CARD_COLUMNS = (
    Customer.id,
    Customer.full_name,
    Customer.account_number,
    Customer.phone_e164,
    Customer.email,
    Customer.region,
    Customer.status,
)


def _match(row: Sequence[Any], kind: MatchKind, exact: bool) -> CustomerMatch:
    """A candidate from a row of _CARD_COLUMNS, in their order."""
    customer_id, full_name, account_number, phone_e164, email, region, status = row
    return CustomerMatch(
        customer_id=customer_id,
        full_name=full_name,
        account_masked=mask_account_number(account_number),
        phone_masked=mask_phone(phone_e164),
        email_masked=mask_email(email),
        region=region,
        status=str(status),  # the stored value (a CustomerStatus through a session)
        matched_by=kind,
        exact=exact,
    )
