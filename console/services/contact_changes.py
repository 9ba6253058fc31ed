"""Changing the caller's phone or email on file, with the old contact told."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from console.i18n import N_, _
from console.services import approvals
from console.services.context import OnCall
from console.services.errors import InvalidInput
from console.services.free_text import one_line
from console.services.lookup import normalize_phone
from console.services.masking import mask_email, mask_phone
from console.services.money import lock_customer
from console.services.outbox import notify_customer
from console.services.unit_of_work import unit_of_work
from console.services.unlocks import pending_request

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ContactChange:
    field: str
    old_masked: str | None
    new_masked: str | None


def change_contact(
    sessions: sessionmaker[Session],
    call: OnCall,
    field: str,
    new_value: str,
    default_region: str = "CN",
) -> ContactChange:
    """Change the phone or email on file, for a caller who passed a factor in the last 5 minutes.

    The old contact is told, so a takeover that got this far is still noticed.
    """
    mask: Callable[[str | None], str | None]
    if field == "phone":
        value = normalize_phone(new_value, default_region)
        if value is None:
            raise InvalidInput(
                _("That is not a phone number we can use; include the country code for a foreign number.")
            )
        mask = mask_phone
    elif field == "email":
        value = one_line(new_value).strip()
        if len(value) > 254 or not _EMAIL.match(value):
            raise InvalidInput(_("That is not an email address we can use."))
        mask = mask_email
    else:
        raise InvalidInput(_("Only the phone number or the email can be changed here."))
    stale = N_("The customer's details changed meanwhile; look at the card again.")
    with unit_of_work(sessions, call, doing=N_("change contact data"), stale=stale) as uow:
        session, agent = uow.session, uow.agent
        uow.verified_caller(fresh=True)
        customer = lock_customer(session, call.caller_id)
        old = customer.phone_e164 if field == "phone" else customer.email
        if old == value:
            raise InvalidInput(_("That is already the {field} on file.").format(field=field))
        notice = (
            N_(
                "[OK Wallet] The phone number on your account was changed on a call with us. If this wasn't"
                " you, call us now."
            )
            if field == "phone"
            else N_(
                "[OK Wallet] The email on your account was changed on a call with us. If this wasn't you, call us now."
            )
        )
        notify_customer(
            session,
            customer,
            kind="contact_change",
            body=notice,
            now=call.now,
            subject=N_("OK Wallet contact details changed"),
            ticket_id=call.ticket_id,
        )
        if field == "phone":
            customer.phone_e164, customer.phone_last4 = value, value[-4:]
        else:
            customer.email = value
        session.flush()
        # A pending unlock is decided on this account as it was (its unlock notice goes to this contact):
        # whoever changes the contact meanwhile is one of its editors.
        pending = pending_request(session, call.caller_id)
        if pending is not None:
            approvals.record_edit(session, pending, agent, f"the customer's {field}", call.now)
        change = ContactChange(field, mask(old), mask(value))
        uow.note(call.ticket_id, f"Changed the {field} from {change.old_masked} to {change.new_masked}.")
        uow.record(
            "customer.contact_change",
            "customer",
            call.caller_id,
            {"field": field, "from": change.old_masked, "to": change.new_masked},
        )
        return change
