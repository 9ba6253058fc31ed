"""The words of the supervisor's desk: ages, and an opened item's facts, timeline and history as Content."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from console.i18n import _, sentence
from console.services.escalation_detail import EscalationDetail
from console.services.escalations import EscalationItem
from console.services.labels import approval_status_label, factor_label, transaction_kind_label
from console.text import safe_text


def age_text(seconds: float) -> str:
    """How long an item has waited, as a supervisor says it: "45 s", "12 min", "2 h 05 min"."""
    total = max(0, int(seconds))
    if total < 60:
        return _("{total} s").format(total=total)
    minutes = total // 60
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    return _("{hours} h {minutes:02d} min").format(hours=hours, minutes=minutes)


def moment(at: datetime | None) -> str:
    return _("{at:%Y-%m-%d %H:%M} UTC").format(at=at) if at is not None else "-"


def _title(text: str) -> Content:
    return Content.styled(text, "bold $primary")


def _line(label: str, value: object) -> Content:
    return Content.styled(f"{label}: ", "$text-muted") + safe_text(value)


def heading(item: EscalationItem, age_seconds: float) -> Content:
    """ "Unlock (risk lock) · OK12496058 · asked by lina 20 min ago"."""
    asked = _("asked by {asked_by}").format(asked_by=item.asked_by) if item.asked_by else _("raised by a rule")
    return (
        safe_text(item.summary, style="bold")
        + Content(" · ")
        + safe_text(item.account_number or "-")
        + Content.styled(
            _(" · {asked} {age_text} ago").format(asked=asked, age_text=age_text(age_seconds)), "$text-muted"
        )
    )


def what_happens(detail: EscalationDetail, approve_key: str, reject_key: str) -> Content:
    """What each decision does, with its key."""
    return Content("\n").join(
        [
            Content.styled(_("{approve_key} Approve: ").format(approve_key=approve_key), "bold $success")
            + safe_text(sentence(detail.approve_words)),
            Content.styled(_("{reject_key} Turn down: ").format(reject_key=reject_key), "bold $warning")
            + safe_text(sentence(detail.reject_words)),
        ]
    )


def case_facts(detail: EscalationDetail) -> Content:
    """The customer and what the item is about: the dispute with its statement row, the lock with the
    login events, or the failed verification attempts."""
    parts = [_line(_("Customer"), f"{detail.customer_name} ({detail.account_number})")] if detail.account_number else []
    parts += [_line(label, words) for label, words in detail.facts]
    if detail.edited_by:
        parts.append(_line(_("Changed by (may not decide it)"), ", ".join(detail.edited_by)))
    dispute = detail.dispute
    if dispute is not None:
        parts += [
            _title(
                _("Dispute D{dispute_id} · {status_label}").format(
                    dispute_id=dispute.dispute_id, status_label=dispute.status_label
                )
            ),
            _line(
                _("Statement row"),
                _("{replace} of {transaction_text} on {moment}, reference {reference}").format(
                    replace=transaction_kind_label(dispute.transaction_kind),
                    transaction_text=dispute.transaction_text,
                    moment=moment(dispute.transaction_at),
                    reference=dispute.reference,
                ),
            ),
            _line(_("Claimed"), dispute.claimed_text),
            _line(_("The caller says"), dispute.description),
            _line(
                _("Opened"),
                _("{moment} by {opened_by}").format(moment=moment(dispute.opened_at), opened_by=dispute.opened_by),
            ),
        ]
    lock = detail.lock
    if lock is not None:
        parts += [
            _title(_("Lock · {value}").format(value=lock.lock_label or _("not locked any more"))),
            _line(_("Locked since"), moment(lock.locked_at)),
            _line(_("Why the agent asks"), lock.request_reason),
        ]
        if detail.logins:
            parts.append(_title(_("Recent logins")))
            for login in detail.logins:
                flag = _(" · UNUSUAL") if login.unusual else ""
                outcome = "ok" if login.success else "failed"
                parts.append(
                    safe_text(f"{moment(login.occurred_at)}  {outcome:6}  {login.region} · {login.device}{flag}")
                )
    if detail.attempts:
        parts.append(_title(_("Verification attempts (last hour)")))
        for attempt in detail.attempts:
            outcome = "passed" if attempt.success else _("failed: {value}").format(value=attempt.failure_reason or "-")
            parts.append(
                safe_text(f"{moment(attempt.at)}  {factor_label(attempt.factor)}  {outcome}  ({attempt.agent})")
            )
    return Content("\n").join(parts)


def other_adjustments(detail: EscalationDetail) -> Content:
    title = _title(_("The customer's other adjustments, last 24 hours"))
    if not detail.other_adjustments:
        return title + Content.styled(_("\nnone"), "$text-muted")
    lines = [
        safe_text(
            _("{moment}  {amount_text}  {status}  dispute D{dispute_id}  asked by {requested_by}{value}").format(
                moment=moment(a.requested_at),
                amount_text=a.amount_text,
                status=approval_status_label(a.status),
                dispute_id=a.dispute_id,
                requested_by=a.requested_by,
                value=_(", decided by {decided_by}").format(decided_by=a.decided_by) if a.decided_by else "",
            )
        )
        for a in detail.other_adjustments
    ]
    return Content("\n").join([title, *lines])


def timeline(detail: EscalationDetail) -> Content:
    """The call's audit events and notes, oldest first; notes as the agent wrote them."""
    title = _title(
        _("Timeline of ticket #{ticket_id}").format(ticket_id=detail.item.ticket_id)
        if detail.item.ticket_id
        else _("Timeline")
    )
    if not detail.timeline:
        return title + Content.styled(_("\nnothing recorded"), "$text-muted")
    lines = []
    for entry in detail.timeline:
        when = Content.styled(f"{entry.at:%m-%d %H:%M}  ", "$text-muted")
        who = safe_text(entry.who or "system", style="bold")
        what = safe_text(entry.what, style="italic" if entry.is_note else "")
        lines.append(when + who + Content(": " if entry.is_note else " ") + what)
    return Content("\n").join([title, *lines])
