"""The admin's desk keys, each with an id a keymap may remap and a tooltip the palette shows."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from console.i18n import N_
from screens.desk import desk_bindings

# The footer shows add, disable, reset password and the audit check (they fit 80 columns); enable,
# role and refresh are in the palette.
ADMIN_DESK_BINDINGS: list[BindingType] = [
    Binding(
        "f4",
        "add_agent",
        N_("Add agent"),
        id="admin.add_agent",
        tooltip=N_("Add a login: username, name, role, password"),
    ),
    Binding(
        "f6",
        "disable_agent",
        N_("Disable"),
        id="admin.disable_agent",
        tooltip=N_("Stop the selected login: every service refuses it from its next action"),
    ),
    Binding(
        "f7",
        "enable_agent",
        N_("Enable"),
        id="admin.enable_agent",
        show=False,
        tooltip=N_("Let the selected disabled login work again"),
    ),
    Binding(
        "f8",
        "change_role",
        N_("Role"),
        id="admin.change_role",
        show=False,
        tooltip=N_("Make the selected login an agent, a supervisor or an admin"),
    ),
    Binding(
        "f9",
        "reset_password",
        N_("Reset password"),
        id="admin.reset_password",
        tooltip=N_(
            "Give the selected login a new random password, shown once; they choose their own at the next login"
        ),
    ),
    Binding(
        "f10",
        "check_audit",
        N_("Check audit log"),
        id="admin.check_audit",
        tooltip=N_("Check every audit event's signature and link, and the newest event this machine checked before"),
    ),
    Binding(
        "f5",
        "refresh",
        N_("Refresh"),
        id="admin.refresh",
        show=False,
        tooltip=N_("Read the agents, the schema and the policies again"),
    ),
    *desk_bindings("admin"),
]
