"""The admin's desk: the agents, the schema, the audit check and the policies in force."""

from screens.admin.screen import AdminDeskScreen

__all__ = ["AdminDeskScreen"]
