"""Alembic environment: batch mode on SQLite, an injectable connection, and the app's settings for the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine

import models
from console.db import make_engine

config = context.config
target_metadata = models.Base.metadata


def _database_url() -> str:
    """-x db=URL, then a URL the caller put on the config, then the console's own settings."""
    override = context.get_x_argument(as_dictionary=True).get("db")
    if override:
        from console.settings import normalize_database_url

        return normalize_database_url(override)
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from console.settings import load_settings

    return load_settings().database_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=False,
        transaction_per_migration=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Tests may hand us an open connection (Alembic cookbook: "Sharing a Connection") or an engine.
    given = config.attributes.get("connection")
    if isinstance(given, Connection):
        _configure(given)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = given if isinstance(given, Engine) else make_engine(_database_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if engine is not given:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
