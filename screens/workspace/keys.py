"""The workspace's keys, each with an id a keymap may remap and a tooltip the palette shows."""

from __future__ import annotations

from textual.binding import Binding, BindingType

# Ordered by how often a call needs them. The footer shows the call flow only (take, find, verify,
# account, money, wrap up), so it fits 80 columns; the palette lists every key.
WORKSPACE_BINDINGS: list[BindingType] = [
    Binding(
        "f2",
        "claim",
        "Take call",
        id="workspace.claim",
        tooltip="Take the selected call, or the one waiting longest",
    ),
    Binding(
        "f3",
        "lookup",
        "Find",
        id="workspace.lookup",
        tooltip="Find the caller by phone, account, email, name, pinyin, initials or last 4",
    ),
    Binding(
        "f5",
        "notes",
        "Notes",
        id="workspace.notes",
        show=False,
        tooltip="Type the ticket's notes; they are saved as a draft as you type",
    ),
    Binding(
        "f8",
        "reason",
        "Reason",
        id="workspace.reason",
        show=False,
        tooltip="Choose why the customer called",
    ),
    Binding(
        "f11",
        "verify",
        "Verify",
        id="workspace.verify",
        tooltip="Verify the caller: the script to read, send a code, check their answer",
    ),
    Binding(
        "f10",
        "account",
        "Account",
        id="workspace.account",
        tooltip="The caller's account: why it is locked and unlocking it, logins, transactions, advice",
    ),
    Binding(
        "f9",
        "wrap_up",
        "Wrap up",
        id="workspace.wrap_up",
        tooltip="End the call: choose a disposition and close the ticket",
    ),
    Binding(
        "ctrl+b",
        "money",
        "Money",
        id="workspace.money",
        tooltip="Fees, the caller's statement and withdrawals, disputes and adjustments",
    ),
    Binding(
        "ctrl+f",
        "feedback",
        "Feedback",
        id="workspace.feedback",
        show=False,
        tooltip="Record the caller's feedback in their words for its department; a complaint can go to a supervisor",
    ),
    Binding(
        "f4",
        "new_ticket",
        "New ticket",
        id="workspace.new_ticket",
        show=False,
        tooltip="Open a ticket by hand, for the customer on the card if there is one",
    ),
    Binding(
        "f6",
        "my_tickets",
        "My tickets",
        id="workspace.my_tickets",
        show=False,
        tooltip="Your open and pending tickets; Enter resumes or reopens one",
    ),
    Binding(
        "f7",
        "directory",
        "Hotlines",
        id="workspace.directory",
        show=False,
        tooltip="The hotline directory: region, number, hours and languages",
    ),
    Binding(
        "escape",
        "close_panel",
        "Close panel",
        id="workspace.close_panel",
        show=False,
        tooltip="Back to the card and the ticket",
    ),
    Binding(
        "ctrl+o",
        "home",
        "Home",
        id="workspace.home",
        show=False,
        tooltip="Back to your home screen",
    ),
    Binding(
        "ctrl+l",
        "log_out",
        "Log out",
        id="workspace.log_out",
        show=False,
        tooltip="Log out and return to the login screen",
    ),
]
