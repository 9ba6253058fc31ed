"""How feedback reads on screen: the choices in the dialog, a line on the card, and one piece in full.

The caller's words, names and notes come from the database: each goes through `safe_text`.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from console.i18n import _
from console.services.feedback import FeedbackLine, FeedbackView
from console.services.labels import department_choices, feedback_status_label
from console.text import safe_text

COMPLAINT = "complaint"
# The department a desk opens on: the first one the labels list.
FIRST_DEPARTMENT = "product"


def departments() -> list[tuple[str, str]]:
    """(stored value, label) of each department, in the agent's language."""
    return [(value, label) for label, value in department_choices()]


def moment(at: datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M}" if at is not None else "-"


def feedback_line(line: FeedbackLine) -> Content:
    """One piece of earlier feedback on the card: when, what kind, about what, where it went, where it stands."""
    escalated = _(" · escalated") if line.escalated else ""
    return Content.assemble(
        f"{line.recorded_at:%Y-%m-%d} ",
        (line.category_label, "bold"),
        f" ({line.area_label.lower()}) → {line.department_label}",
        (f" · {line.status_label.lower()}{escalated}", "dim"),
    )


def first_line(words: str, width: int = 60) -> str:
    """The start of the caller's words on one line, for a list."""
    text = " ".join(words.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def feedback_detail(view: FeedbackView) -> Content:
    """One piece of feedback in full: what, who recorded it, the caller's words, its escalation and history."""
    customer = view.account_masked or _("no customer")
    lines: list[Content] = [
        Content.assemble(
            (_("F{feedback_id} ").format(feedback_id=view.feedback_id), "bold"),
            f"{view.category_label} · {view.area_label} · ",
            safe_text(customer),
            (_(" · recorded by "), "dim"),
            safe_text(view.recorded_by),
            (_(" {moment} UTC").format(moment=moment(view.recorded_at)), "dim"),
        ),
        safe_text(view.words, multiline=True),
    ]
    escalation = view.escalation
    if escalation is not None:
        lines.append(
            Content.assemble(
                (_("Escalated by "), "bold $text-warning"),
                safe_text(escalation.escalated_by),
                f" {moment(escalation.escalated_at)}{_(': ')}",
                safe_text(escalation.reason),
            )
        )
        if escalation.resolved_by is not None:
            lines.append(
                Content.assemble(
                    (_("Resolved by "), "bold $text-success"),
                    safe_text(escalation.resolved_by),
                    f" {moment(escalation.resolved_at)}{_(': ')}",
                    safe_text(escalation.resolution or ""),
                )
            )
    for change in view.history:
        who = _(" by {changed_by}").format(changed_by=change.changed_by) if change.changed_by else ""
        lines.append(
            Content.assemble(
                (f"{moment(change.changed_at)}  ", "dim"),
                (feedback_status_label(change.to_status), "bold"),
                safe_text(who),
                safe_text(_(": ") + change.note if change.note else ""),
            )
        )
    return Content("\n").join(lines)
