"""Facts about the system (which database, which schema revision) and failures in plain words."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exc, func, select

from console.db import Database, is_retryable
from console.i18n import _
from console.services.errors import ServiceError
from models import Customer

NOTHING_CHANGED = "nothing was changed"


@dataclass(frozen=True)
class DatabaseInfo:
    dialect: str
    url: str  # password hidden
    revision: str | None  # None: no Hotline schema at all
    head: str  # the revision this code expects
    customers: int | None  # None: the database has no customers table yet

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head


def describe_database(database: Database) -> DatabaseInfo:
    """Which database this console talks to and where its schema stands; one read transaction."""
    # Alembic (13 MiB resident) loads for the admin who asks, not for every console that explains a failure.
    from alembic.runtime.migration import MigrationContext

    from console.schema import head_revision

    with database.read_sessions() as session:
        revision = MigrationContext.configure(session.connection()).get_current_revision()
        customers = None
        if revision is not None:
            customers = session.scalar(select(func.count()).select_from(Customer)) or 0
    return DatabaseInfo(
        dialect=database.dialect,
        url=database.url,
        revision=revision,
        head=head_revision(),
        customers=customers,
    )


def explain_failure(error: BaseException) -> str:
    """One sentence an agent can act on; never a stack trace, SQL text or a connection string."""
    if isinstance(error, ServiceError):
        return str(error)
    if is_retryable(error):
        return _("The database is busy; nothing was changed. Try again in a moment.")
    if _schema_mismatch(error):
        return _("The database schema does not match this Hotline; nothing was changed. Ask an admin.")
    lost = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)
    if isinstance(error, lost):
        return _("The database cannot be reached; nothing was changed. Try again.")
    if isinstance(error, exc.IntegrityError):
        return _("Someone else changed this record at the same time; nothing was changed. Reload and try again.")
    if isinstance(error, exc.DBAPIError):
        return _("The database refused the request; nothing was changed. Tell your supervisor if it happens again.")
    if isinstance(error, (ConnectionError, TimeoutError)):
        return _("A connection was lost; nothing was changed. Try again.")
    return _("Something unexpected went wrong and the action stopped. Tell your supervisor if it happens again.")


# SQLSTATEs PostgreSQL uses for a missing table or column.
_UNDEFINED_SQLSTATES = frozenset({"42P01", "42703"})


def _schema_mismatch(error: BaseException) -> bool:
    """A table or column the code expects is missing: the database was not migrated."""
    if not isinstance(error, exc.DBAPIError):
        return False
    if getattr(error.orig, "sqlstate", None) in _UNDEFINED_SQLSTATES:
        return True
    text = str(error.orig)
    return text.startswith(("no such table", "no such column"))
