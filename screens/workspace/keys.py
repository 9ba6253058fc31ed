"""The workspace's keys, each with an id a keymap may remap and a tooltip the palette shows."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from console.i18n import N_

# Ordered by how often a call needs them. The footer shows the call flow only (take, find, verify,
# account, money, wrap up), so it fits 80 columns; the palette lists every key.
WORKSPACE_BINDINGS: list[BindingType] = [
    Binding(
        "f2",
        "claim",
        N_("Take call"),
        id="workspace.claim",
        tooltip=N_("Take the selected call, or the one waiting longest"),
    ),
    Binding(
        "f3",
        "lookup",
        N_("Find"),
        id="workspace.lookup",
        tooltip=N_("Find the caller by phone, account, email, name, pinyin, initials or last 4"),
    ),
    Binding(
        "f5",
        "notes",
        N_("Notes"),
        id="workspace.notes",
        show=False,
        tooltip=N_("Type the ticket's notes; they are saved as a draft as you type"),
    ),
    Binding(
        "f8",
        "reason",
        N_("Reason"),
        id="workspace.reason",
        show=False,
        tooltip=N_("Choose why the customer called"),
    ),
    Binding(
        "f11",
        "verify",
        N_("Verify"),
        id="workspace.verify",
        tooltip=N_("Verify the caller: the script to read, send a code, check their answer"),
    ),
    Binding(
        "f10",
        "account",
        N_("Account"),
        id="workspace.account",
        tooltip=N_("The caller's account: why it is locked and unlocking it, logins, transactions, advice"),
    ),
    Binding(
        "f9",
        "wrap_up",
        N_("Wrap up"),
        id="workspace.wrap_up",
        tooltip=N_("End the call: choose a disposition and close the ticket"),
    ),
    Binding(
        "ctrl+b",
        "money",
        N_("Money"),
        id="workspace.money",
        tooltip=N_("Fees, the caller's statement and withdrawals, disputes and adjustments"),
    ),
    Binding(
        "ctrl+f",
        "feedback",
        N_("Feedback"),
        id="workspace.feedback",
        show=False,
        tooltip=N_(
            "Record the caller's feedback in their words for its department; a complaint can go to a supervisor"
        ),
    ),
    Binding(
        "f4",
        "new_ticket",
        N_("New ticket"),
        id="workspace.new_ticket",
        show=False,
        tooltip=N_("Open a ticket by hand, for the customer on the card if there is one"),
    ),
    Binding(
        "f6",
        "my_tickets",
        N_("My tickets"),
        id="workspace.my_tickets",
        show=False,
        tooltip=N_("Your open and pending tickets; Enter resumes or reopens one"),
    ),
    Binding(
        "f7",
        "directory",
        N_("Hotlines"),
        id="workspace.directory",
        show=False,
        tooltip=N_("The hotline directory: region, number, hours and languages"),
    ),
    Binding(
        "escape",
        "close_panel",
        N_("Close panel"),
        id="workspace.close_panel",
        show=False,
        tooltip=N_("Back to the card and the ticket"),
    ),
    Binding(
        "ctrl+o",
        "home",
        N_("Home"),
        id="workspace.home",
        show=False,
        tooltip=N_("Back to your home screen"),
    ),
    Binding(
        "ctrl+l",
        "log_out",
        N_("Log out"),
        id="workspace.log_out",
        show=False,
        tooltip=N_("Log out and return to the login screen"),
    ),
]
