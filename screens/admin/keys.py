"""The admin's desk keys, each with an id a keymap may remap and a tooltip the palette shows."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from screens.desk import desk_bindings

# The footer shows add, disable, reset password and the audit check (they fit 80 columns); enable,
# role and refresh are in the palette.
ADMIN_DESK_BINDINGS: list[BindingType] = [
    Binding(
        "f4", "add_agent", "Add agent", id="admin.add_agent", tooltip="Add a login: username, name, role, password"
    ),
    Binding(
        "f6",
        "disable_agent",
        "Disable",
        id="admin.disable_agent",
        tooltip="Stop the selected login: every service refuses it from its next action",
    ),
    Binding(
        "f7",
        "enable_agent",
        "Enable",
        id="admin.enable_agent",
        show=False,
        tooltip="Let the selected disabled login work again",
    ),
    Binding(
        "f8",
        "change_role",
        "Role",
        id="admin.change_role",
        show=False,
        tooltip="Make the selected login an agent, a supervisor or an admin",
    ),
    Binding(
        "f9",
        "reset_password",
        "Reset password",
        id="admin.reset_password",
        tooltip="Give the selected login a new random password, shown once; they choose their own at the next login",
    ),
    Binding(
        "f10",
        "check_audit",
        "Check audit log",
        id="admin.check_audit",
        tooltip="Check every audit event's signature and link, and the newest event this machine checked before",
    ),
    Binding(
        "f5",
        "refresh",
        "Refresh",
        id="admin.refresh",
        show=False,
        tooltip="Read the agents, the schema and the policies again",
    ),
    *desk_bindings("admin"),
]
