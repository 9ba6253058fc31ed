"""How calls, candidates, customer cards, tickets and hotlines read in the call workspace.

Every value from the database goes through `safe_text`: shown exactly, never read as markup.
"""

from __future__ import annotations

from textual.content import Content

from console.i18n import N_, _
from console.services import labels
from console.services.calls import HotlineView, WaitingCall
from console.services.customers import CustomerCard
from console.services.labels import customer_status_label
from console.services.lookup import CustomerMatch
from console.services.tickets import NoteView, TicketView
from console.text import clean_text, pad, safe_text
from screens.feedback.text import feedback_line
from screens.formatting import duration_text, phone_text


def reason_options() -> list[tuple[str, str]]:
    """The call reasons for the ticket's Select, in the agent's language."""
    return labels.reason_choices()


def reason_label(reason: str) -> str:
    return labels.reason_label(reason)


def disposition_label(disposition: str | None) -> str:
    return "" if disposition is None else labels.disposition_label(disposition)


def call_prompt(call: WaitingCall, waited: int) -> Content:
    """One waiting call: masked caller, the line rung, and how long they have waited."""
    line = f"  {call.line}" if call.line else ""
    return Content.assemble(
        safe_text(call.caller_masked, style="bold"),
        safe_text(line),
        (_("  waiting "), "dim"),
        duration_text(waited),
    )


# Which detail matched, said briefly (only shown when a query could be either, e.g. last 4).
_SHORT_KINDS = {"phone last 4": N_("phone"), "ID last 4": N_("ID"), "initials": N_("initials"), "pinyin": N_("pinyin")}


def match_prompt(match: CustomerMatch, show_kind: bool) -> Content:
    """A candidate with the masked data that tells candidates apart, on two lines.

    The status is named only when it is not active; `show_kind` adds which detail matched.
    """
    status = "" if match.status == "active" else customer_status_label(match.status)
    kind = _(_SHORT_KINDS.get(str(match.matched_by), str(match.matched_by)))
    contact = " · ".join([match.phone_masked or _("no phone"), match.email_masked or _("no email")])
    return Content.assemble(
        safe_text(match.full_name, style="bold"),
        "  ",
        safe_text(match.account_masked),
        "  ",
        safe_text(match.region),
        (f"  {status}" if status else "", "$text-warning"),
        (f"  ({kind})" if show_kind else "", "dim"),
        "\n  ",
        safe_text(contact),
    )


def card_content(card: CustomerCard) -> Content:
    """The customer card: masked contact data only, no balances."""
    lines: list[Content] = []
    title = Content.assemble(
        safe_text(card.full_name, style="bold"),
        "  ",
        safe_text(card.account_number),
        "  ",
        safe_text(card.region),
    )
    lines.append(title)
    if card.repeat_caller:
        lines.append(
            Content.assemble(
                (_(" Repeat caller "), "bold reverse $text-warning"),
                (
                    _("  {calls_last_7_days} earlier calls in the last 7 days").format(
                        calls_last_7_days=card.calls_last_7_days
                    ),
                    "dim",
                ),
            )
        )

    def fact(label: str, value: Content | str) -> None:
        lines.append(Content.assemble((pad(label, 9), "$text-muted"), value))

    phone = card.phone_masked or _("none")
    bound = "" if card.phone_masked is None else (_(" (bound)") if card.phone_bound else _(" (not bound)"))
    fact(_("Phone"), safe_text(phone + bound))
    fact(_("Email"), safe_text(card.email_masked or _("none")))
    fact(_("ID no."), safe_text(card.id_masked or _("none")))
    status = customer_status_label(card.status)
    if card.status == "locked":
        reason = card.lock_label or _("reason not recorded")
        fact(
            _("Status"),
            Content.styled(_("{status}: {reason}").format(status=status, reason=reason), "bold $text-error"),
        )
        if card.locked_at is not None:
            fact(_("Since"), _("{locked_at:%Y-%m-%d %H:%M} UTC").format(locked_at=card.locked_at))
    else:
        fact(_("Status"), status)
    fact("2FA", Content.styled(_("On"), "$text-success") if card.two_factor else Content(_("Off")))
    disputes = _("1 dispute") if card.open_disputes == 1 else _("{count} disputes").format(count=card.open_disputes)
    tickets = (
        _("1 other ticket") if card.open_tickets == 1 else _("{count} other tickets").format(count=card.open_tickets)
    )
    fact(_("Open"), f"{disputes} · {tickets}")
    for dispute in card.disputes:
        lines.append(
            Content.assemble(
                (f"{'':<9}D{dispute.dispute_id} ", "bold"),
                safe_text(dispute.status_label),
                (_(" since {since:%Y-%m-%d}").format(since=dispute.since), "dim"),
            )
        )
    if card.feedback_count:
        lines.append(
            Content.styled(_("Feedback ({feedback_count})").format(feedback_count=card.feedback_count), "$text-muted")
        )
        lines.extend(feedback_line(line) for line in card.feedback)
    if card.recent_tickets:
        lines.append(Content.styled(_("Last tickets"), "$text-muted"))
        for past in card.recent_tickets:
            if past.status == "closed":
                outcome = disposition_label(past.disposition) or _("closed")
            else:
                outcome = clean_text(labels.ticket_status_label(past.status))
            lines.append(
                Content.assemble(
                    f"{past.opened_at:%Y-%m-%d} ",
                    pad(reason_label(past.reason), 20) + " ",
                    (outcome, "dim"),
                )
            )
    else:
        lines.append(Content.styled(_("No earlier tickets."), "$text-muted"))
    return Content("\n").join(lines)


def my_ticket_prompt(ticket: TicketView, on_screen: bool) -> Content:
    parts: list[Content | str | tuple[str, str]] = [
        (f"#{ticket.ticket_id}", "bold"),
        f"  {clean_text(labels.ticket_status_label(ticket.status))}",
    ]
    if ticket.follow_up_due is not None:
        parts.append(_(" · due {follow_up_due:%Y-%m-%d}").format(follow_up_due=ticket.follow_up_due))
    if on_screen:
        parts.append((_(" · on screen"), "$text-accent"))
    parts.append("\n  ")
    parts.append(safe_text(ticket.customer_name or _("no customer")))
    parts.append((f" · {reason_label(ticket.reason)}", "dim"))
    return Content.assemble(*parts)


def hotline_prompt(line: HotlineView) -> Content:
    return Content.assemble(
        safe_text(f"{line.code:<5}", style="bold"),
        safe_text(phone_text(line.number)),
        "  ",
        safe_text(line.region, style="dim"),
        "\n     ",
        safe_text(line.hours),
        "\n     ",
        safe_text(", ".join(line.languages)),
    )


EARLIER_NOTES_SHOWN = 3


def earlier_notes_content(notes: list[NoteView]) -> Content:
    """The last few notes saved on a ticket, newest last, one line each."""
    shown = notes[-EARLIER_NOTES_SHOWN:]
    lines = [Content.styled(_("Earlier notes ({count_notes})").format(count_notes=len(notes)), "$text-muted")]
    for note in shown:
        first_line = (note.body.strip().splitlines() or [""])[0]
        lines.append(
            Content.assemble(
                (f"{note.created_at:%m-%d %H:%M} ", "dim"),
                safe_text(first_line),
            )
        )
    return Content("\n").join(lines)
