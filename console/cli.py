"""The `hotline` command: the console, demo, migrations, seeds, agents, calls, outbox, keys and the audit check."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console import schema_check
from console.i18n import UnknownLanguage, interface_language, set_language
from console.keys import KeyRing, KeysMissing, ensure_keyring, load_keyring, write_keyring
from console.logs import log_file
from console.private_files import private_folder
from console.services.errors import PasswordChangeRequired, ServiceError
from console.services.free_text import clean_text
from console.services.masking import mask_email, mask_phone
from console.settings import ENV_PREFIX, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from console.db import Database
    from console.seed.demo import DemoSeedReport
    from console.services.context import Actor

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

log = logging.getLogger("hotline.cli")


class CommandFailed(Exception):
    """Stops a command with a plain message and an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Context:
    settings: Settings
    args: argparse.Namespace

    def open_database(self) -> Database:
        return open_database(self.settings.database_url, database_keyring(self.settings))

    def database_opener(self) -> Callable[[], Database]:
        """Opens the database when first called; the keys are read (and checked) now."""
        keyring = database_keyring(self.settings)
        return lambda: open_database(self.settings.database_url, keyring)

    @contextmanager
    def database(self) -> Iterator[Database]:
        """The configured database, checked to be at head first, closed afterwards."""
        _require_current_schema(self)
        database = self.open_database()
        try:
            yield database
        finally:
            database.dispose()

    @property
    def shown_url(self) -> str:
        return shown_url(self.settings.database_url)

    def fix_flag(self) -> str:
        """The --db flag to repeat in a suggested command, when the URL came from the command line."""
        if self.settings.sources.get("database_url") == "cli":
            return f" --db {self.shown_url}"
        return ""


def database_keyring(settings: Settings) -> KeyRing:
    """The keys the database's audit log is signed with.

    A SQLite file lives on this machine, so its first use makes keys as `hotline demo` does. A
    PostgreSQL database is shared by a floor of consoles that must sign with the same keys: a console
    without them stops and says how to provide them rather than invent its own.
    """
    if settings.database_url.startswith("sqlite:"):
        return ensure_keyring(settings)
    return load_keyring(settings)


def _print(*lines: str) -> None:
    # Every line may hold database text: the same cleaning as the screens, so no escape reaches the terminal.
    for line in lines:
        print(clean_text(line, multiline=True))


# --- the console -----------------------------------------------------------------------------


def cmd_run(ctx: Context) -> int:
    # One query, the database's revision against the code's head, and no Alembic loaded. A SQLite file
    # is read with sqlite3 and opened through SQLAlchemy after the login screen is drawn.
    path = schema_check.sqlite_path(ctx.settings.database_url)
    if path is not None:
        _refuse_schema(schema_check.sqlite_revision(path), ctx)
        return _launch(ctx.settings, ctx.database_opener())
    _refuse_schema(schema_check.url_revision(ctx.settings.database_url), ctx)  # before the keys are needed
    database = ctx.open_database()
    try:
        return _launch(ctx.settings, database)
    finally:
        database.dispose()


def _refuse_schema(revision: str | None, ctx: Context) -> None:
    """Stop with the fixing command unless the database is at the code's head revision."""
    try:
        schema_check.ensure_current(revision, ctx.fix_flag())
    except schema_check.SchemaBehind as behind:
        raise CommandFailed(str(behind), EXIT_USAGE) from None


def _launch(settings: Settings, database: Database | Callable[[], Database]) -> int:
    """Run the console on `database`: open, or opened on first use (and closed here afterwards)."""
    from console.app import make_app  # Textual loads only for commands that show the console

    app = make_app(settings, database)
    try:
        app.run()
    finally:
        if callable(database) and app.database_opened is not None:
            app.database_opened.dispose()
    return EXIT_OK


def open_database(url: str, keyring: KeyRing | None = None) -> Database:
    from console.db import open_database  # SQLAlchemy loads when a command opens a database

    return open_database(url, keyring)


def shown_url(url: str) -> str:
    """The database URL with its password hidden, as SQLAlchemy renders it."""
    if url.startswith("sqlite:"):
        return url  # a file or memory: no password in it
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _unreachable(error: BaseException) -> bool:
    """A database that could not be reached or answered with an operational error (SQLAlchemy's
    OperationalError, looked up only once SQLAlchemy is loaded: a command that never opened a
    database cannot have raised it)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(error, errors.OperationalError)


def demo_database_path(settings: Settings) -> Path:
    return settings.data_dir / "demo.db"


def cmd_demo(ctx: Context) -> int:
    """Build (or reuse) the demo database with its keys, print the demo logins, launch the console."""
    from console import schema
    from console.seed.demo import seed_demo

    settings = ctx.settings
    if settings.sources.get("database_url") == "default":
        path = demo_database_path(settings)
        url = f"sqlite:///{path}"
        if ctx.args.reset and path.exists():
            schema.remove_sqlite_files(path)
            from console import verified_heads

            # A new demo log starts at event 1: the head verified on the old one no longer applies.
            verified_heads.forget(verified_heads.heads_file(settings), f"sqlite:///{path}")
    else:
        url = settings.database_url
    settings = _with_database(settings, url)
    keyring = ensure_keyring(settings)
    status = schema.schema_status(url)
    fresh = status.current is None
    if not status.up_to_date:
        schema.upgrade(url)
    database = open_database(url, keyring)
    try:
        if fresh:
            _print_demo_report(seed_demo(database, keyring), database)
        else:
            shown = shown_url(url)
            _print(f"Using the demo database at {shown} (start over with `hotline demo --reset`).")
            _print_demo_logins()
            _print_demo_callers(database)
        if ctx.args.no_console:
            return EXIT_OK
        _wait_for_enter()
        return _launch(settings, database)
    finally:
        database.dispose()


def _with_database(settings: Settings, url: str) -> Settings:
    from console.settings import with_overrides

    return with_overrides(settings, database_url=url)


def _print_demo_report(report: DemoSeedReport, database: Database) -> None:
    _print(f"Demo database ready: {report.customers} customers.")
    _print_demo_logins()
    _print_demo_callers(database)


def _print_demo_logins() -> None:
    from console.seed.demo import DEMO_AGENTS

    _print("Demo logins (for this demo only):")
    for login, _name in DEMO_AGENTS:
        _print(f"  {login.username:<12} {login.role:<11} password: {login.password}")


def _print_demo_callers(database: Database) -> None:
    """The demo callers with the numbers they ring from, and what each one's call shows."""
    from console.seed.demo import demo_callers

    _print(
        "Demo callers: ring one from another terminal with `hotline ring --demo NUMBER`"
        " (F1 in the console shows this list again):"
    )
    for caller in demo_callers(database.read_sessions):
        _print(f"  {caller.phone or '(no phone)':<18} {caller.account_number}  {caller.name}: {caller.case}")


def _wait_for_enter() -> None:
    """In a terminal, the console waits for Enter so that what was printed can be read first."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return
    try:
        input("Press Enter to open the console (Ctrl+C to stop here). ")
    except EOFError:  # Ctrl+D: nothing more to read, so no reason to wait
        print()


# --- schema ----------------------------------------------------------------------------------


def cmd_db_upgrade(ctx: Context) -> int:
    from console import schema  # Alembic loads only for the commands that use it

    backup = schema.upgrade(ctx.settings.database_url, ctx.args.revision)
    if backup is not None:
        _print(f"Backed up the database to {backup}")
    _print(f"Database at {ctx.shown_url} is at {schema.current_revision(ctx.settings.database_url)}.")
    return EXIT_OK


def cmd_db_downgrade(ctx: Context) -> int:
    from console import schema  # Alembic loads only for the commands that use it

    backup = schema.downgrade(ctx.settings.database_url, ctx.args.revision)
    if backup is not None:
        _print(f"Backed up the database to {backup}")
    current = schema.current_revision(ctx.settings.database_url)
    _print(f"Database at {ctx.shown_url} is at {current or 'base (no schema)'}.")
    return EXIT_OK


def cmd_db_current(ctx: Context) -> int:
    from console import schema  # Alembic loads only for the commands that use it

    status = schema.schema_status(ctx.settings.database_url)
    state = "up to date" if status.up_to_date else f"behind; run: hotline db upgrade{ctx.fix_flag()}"
    _print(f"current: {status.current or 'none'}", f"head:    {status.head}", state)
    return EXIT_OK


def cmd_db_check(ctx: Context) -> int:
    from console import schema  # Alembic loads only for the commands that use it

    difference = schema.check(ctx.settings.database_url)
    if difference is not None:
        raise CommandFailed(f"The models and the migrations differ: {difference}")
    _print("The models match the migrations.")
    return EXIT_OK


# --- seeds -----------------------------------------------------------------------------------


def _require_current_schema(ctx: Context) -> None:
    from console import schema

    try:
        schema.ensure_schema_current(ctx.settings.database_url, ctx.fix_flag())
    except schema.SchemaBehind as behind:
        raise CommandFailed(str(behind), EXIT_USAGE) from None


def cmd_seed_demo(ctx: Context) -> int:
    from console.seed.demo import seed_demo

    keyring = ensure_keyring(ctx.settings)
    with ctx.database() as database:
        _print_demo_report(seed_demo(database, keyring), database)
    return EXIT_OK


def cmd_seed_synthetic(ctx: Context) -> int:
    from console.seed.synthetic import seed_synthetic

    _require_current_schema(ctx)
    if ctx.args.customers <= 0:
        raise CommandFailed("--customers must be a positive number", EXIT_USAGE)
    keyring = ensure_keyring(ctx.settings)
    report = seed_synthetic(
        ctx.settings.database_url,
        customers=ctx.args.customers,
        transactions_per_customer=ctx.args.transactions_per_customer,
        keyring=keyring,
        seed=ctx.args.seed,
    )
    _print(str(report))
    return EXIT_OK


# --- agents ----------------------------------------------------------------------------------
#
# Every `agent` command is an admin acting, through the same services as the admin's desk: give the
# admin's username with --admin (or HOTLINE_ADMIN); their password is asked for without echo, or read
# from HOTLINE_ADMIN_PASSWORD. The one exception is the first admin of a database that has no enabled
# admin: `hotline agent add NAME --role admin` without --admin adds it from this machine (audited so).

ADMIN_ENV = f"{ENV_PREFIX}ADMIN"
ADMIN_PASSWORD_ENV = f"{ENV_PREFIX}ADMIN_PASSWORD"


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise CommandFailed("The two passwords differ; nothing was changed.")
    if not password:
        raise CommandFailed("No password given; nothing was changed.")
    return password


def _admin_username(ctx: Context) -> str | None:
    return getattr(ctx.args, "admin", None) or os.environ.get(ADMIN_ENV) or None


def _acting_admin(ctx: Context, database: Database) -> Actor:
    """The admin running this command, logged in with their password (a login like the console's)."""
    from console.services import agents
    from console.services.context import Actor

    username = _admin_username(ctx)
    if username is None:
        raise CommandFailed(
            f"Say which admin is acting: --admin USERNAME (or {ADMIN_ENV}); the password is asked for,"
            f" or read from {ADMIN_PASSWORD_ENV}. Nothing was changed.",
            EXIT_USAGE,
        )
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if not password:
        if not sys.stdin.isatty():
            raise CommandFailed(f"Give {username}'s password in {ADMIN_PASSWORD_ENV}, or run this in a terminal.")
        password = getpass.getpass(f"{username}'s password: ")
    now = datetime.now(UTC)
    try:
        admin = agents.authenticate(database.sessions, username, password, now)
    except PasswordChangeRequired:
        raise CommandFailed(
            f"{username}'s password was reset by an admin: log in to the console once to choose a new one,"
            " then run this again. Nothing was changed."
        ) from None
    return Actor(admin.id, now)


def cmd_agent_add(ctx: Context) -> int:
    from console.services import admin

    args = ctx.args
    with ctx.database() as database:
        if _admin_username(ctx) is None and args.role == "admin":
            password = _read_password(args)
            agent = admin.add_first_admin(
                database.sessions, args.username, password, datetime.now(UTC), display_name=args.name
            )
            _print(f"Added {agent.username} ({agent.display_name}), the first admin of this database.")
            return EXIT_OK
        actor = _acting_admin(ctx, database)
        password = _read_password(args)
        agent = admin.add_agent(database.sessions, actor, args.username, password, args.role, args.name)
    _print(f"Added {agent.role} {agent.username} ({agent.display_name}).")
    return EXIT_OK


def cmd_agent_list(ctx: Context) -> int:
    from console.services import admin

    with ctx.database() as database:
        rows = admin.list_agents(database.read_sessions, _acting_admin(ctx, database))
    _print(f"{'USERNAME':<20} {'ROLE':<11} {'STATUS':<9} {'LAST LOGIN':<17} NAME")
    for agent in rows:
        status = "disabled" if not agent.enabled else "locked" if agent.locked else "active"
        last = f"{agent.last_login_at:%Y-%m-%d %H:%M}" if agent.last_login_at else "never"
        note = "  (must choose a new password)" if agent.password_change_required else ""
        _print(
            f"{clean_text(agent.username):<20} {agent.role:<11} {status:<9} {last:<17}"
            f" {clean_text(agent.display_name)}{note}"
        )
    return EXIT_OK


def cmd_agent_disable(ctx: Context) -> int:
    from console.services import admin

    with ctx.database() as database:
        agent = admin.disable_agent(database.sessions, _acting_admin(ctx, database), ctx.args.username)
    _print(f"Disabled {agent.username}; they can no longer log in, and an open console locks at its next action.")
    return EXIT_OK


def cmd_agent_enable(ctx: Context) -> int:
    from console.services import admin

    with ctx.database() as database:
        agent = admin.enable_agent(database.sessions, _acting_admin(ctx, database), ctx.args.username)
    _print(f"Enabled {agent.username}; they can log in again.")
    return EXIT_OK


def cmd_agent_role(ctx: Context) -> int:
    from console.services import admin

    with ctx.database() as database:
        actor = _acting_admin(ctx, database)
        agent = admin.change_role(database.sessions, actor, ctx.args.username, ctx.args.role)
    _print(f"{agent.username} is now {'an' if agent.role[0] in 'aeiou' else 'a'} {agent.role}.")
    return EXIT_OK


def cmd_agent_reset_password(ctx: Context) -> int:
    from console.services import admin

    with ctx.database() as database:
        reset = admin.reset_password(database.sessions, _acting_admin(ctx, database), ctx.args.username)
    # Shown this once: the database keeps only its hash, and no log or audit event holds it.
    _print(
        f"New password for {reset.agent.username}: {reset.new_password}",
        f"It is shown this once. {reset.agent.username} must choose a new password at the next login.",
    )
    return EXIT_OK


# --- calls ----------------------------------------------------------------------------------


def cmd_ring(ctx: Context) -> int:
    """An incoming call, as a telephony system would report it: every console pops it."""
    from console.seed.demo import is_demo_database, rings_as_a_customer
    from console.services import calls

    # A number typed with spaces arrives as several words: `hotline ring +86 191 2748 7583`.
    phone = " ".join(ctx.args.phone)
    region = ctx.settings.default_region
    with ctx.database() as database:
        waiting = calls.record_incoming_call(database.sessions, phone, ctx.args.line, region, now=datetime.now(UTC))
        stranger = is_demo_database(database.read_sessions) and not rings_as_a_customer(
            database.read_sessions, phone, region
        )
    line = f" on line {waiting.line}" if waiting.line else ""
    _print(f"Call {waiting.call_id} from {waiting.caller_masked}{line} is waiting for an agent.")
    if stranger:
        _print(
            "No demo customer has this number, so the console will find nobody for it;"
            " `hotline demo --no-console` lists the demo callers' numbers."
        )
    return EXIT_OK


# --- keys and audit --------------------------------------------------------------------------


def cmd_keys_init(ctx: Context) -> int:
    path = ctx.settings.keys_file
    try:
        load_keyring(ctx.settings)
    except KeysMissing:
        write_keyring(path, KeyRing.generate())
        _print(f"Created new keys at {path} (readable by you only). Back this file up.")
        return EXIT_OK
    raise CommandFailed(f"Keys already exist at {path}; nothing was changed.")


def cmd_keys_rotate(ctx: Context) -> int:
    """Add a new Fernet key and a new audit key in front of the old ones; re-encrypt every stored secret.

    New audit events are signed with the new audit key; old events keep their key id and still verify.
    """
    from console.services.verification import reencrypt_totp_secrets

    if os.environ.get(f"{ENV_PREFIX}FERNET_KEYS"):
        raise CommandFailed(
            f"The keys come from {ENV_PREFIX}FERNET_KEYS; put a new key first in that list, then run"
            " this command with the key file instead. Nothing was changed."
        )
    path = ctx.settings.keys_file
    rotated = load_keyring(ctx.settings).with_new_fernet_key().with_new_audit_key()
    with ctx.database() as database:
        # The new ring first: it still reads every old secret, so a failure below loses nothing.
        write_keyring(path, rotated)
        count = reencrypt_totp_secrets(database.sessions, rotated, now=datetime.now(UTC))
    _print(
        f"Re-encrypted {count} authenticator secret{'s' if count != 1 else ''} under a new key.",
        f"New audit events are signed with audit key {rotated.audit_keys[0][0]}; older ones still verify.",
        f"{path} now holds {len(rotated.fernet_keys)} keys, newest first; back it up.",
    )
    return EXIT_OK


def cmd_outbox(ctx: Context) -> int:
    """What the callers' phones and mailboxes received (the demo's stand-in for SMS and email)."""
    from console.seed.demo import is_demo_database
    from console.services.outbox import recent_messages

    fernet = load_keyring(ctx.settings).fernet()
    with ctx.database() as database:
        messages = recent_messages(database.read_sessions, fernet, ctx.args.customer, ctx.args.limit)
        # Codes and addresses are the demo's to show; on a real database they stay hidden.
        demo = is_demo_database(database.read_sessions)
    if not messages:
        _print("No messages in the outbox yet.")
        return EXIT_OK
    if not demo:
        _print("Codes and recipients are masked: this is not a demo database.")
    for message in messages:
        sent = f"sent {message.sent_at:%H:%M:%S}" if message.sent_at else "not sent yet"
        recipient, body = clean_text(message.recipient), clean_text(message.body, multiline=True)
        if not demo:
            masked = mask_phone(recipient) if message.channel == "sms" else mask_email(recipient)
            recipient = masked or "(hidden)"
            body = _CODE.sub(MASKED_CODE, body)
        _print(
            f"{message.created_at:%Y-%m-%d %H:%M:%S} UTC  {message.channel.upper()} to {recipient}"
            f" ({clean_text(message.account_number or 'no account')}, {clean_text(message.kind)}, {sent})",
            f"  {body}",
        )
    return EXIT_OK


# A code in a message body: six digits standing alone.
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
MASKED_CODE = "••••••"


def cmd_demo_totp(ctx: Context) -> int:
    """The code a demo customer's authenticator shows now; refused on any database but a demo one."""
    from console.seed.demo import demo_authenticator_secret
    from console.services import otp

    settings = ctx.settings
    if settings.sources.get("database_url") == "default":
        path = demo_database_path(settings)
        if not path.exists():
            raise CommandFailed("There is no demo database yet; build it with `hotline demo`.")
        settings = _with_database(settings, f"sqlite:///{path}")
    ctx = Context(settings, ctx.args)
    keyring = load_keyring(settings)
    account = ctx.args.account.strip().upper()
    with ctx.database() as database:
        secret = demo_authenticator_secret(database.read_sessions, keyring, account)
    now = datetime.now(UTC)
    left = otp.TOTP_INTERVAL - int(now.timestamp()) % otp.TOTP_INTERVAL
    _print(f"{otp.totp(secret, now)}  ({account}'s authenticator; changes in {left} s)")
    return EXIT_OK


def cmd_audit_verify(ctx: Context) -> int:
    """Check the audit log's signatures and links, its signed head, and the head this machine verified last."""
    from console import verified_heads
    from console.services import audit

    heads_file = verified_heads.heads_file(ctx.settings)
    remembered = verified_heads.load(heads_file, ctx.settings.database_url)
    with ctx.database() as database:
        report = audit.verify_chain(database.read_sessions, remembered=remembered)
    if not report.ok:
        raise CommandFailed(
            f"The audit log is broken at event {report.broken_at_seq}: {report.problem}."
            f" The {report.events_checked} events before it are intact."
        )
    if report.head is not None:
        verified_heads.remember(heads_file, ctx.settings.database_url, report.head)
    _print(f"The audit log is intact: {report.events_checked} events checked.")
    if report.unsigned_events:
        _print(
            f"The first {report.unsigned_events} were written before the log was signed; they are checked"
            " by their hashes, and the first signed event vouches for them."
        )
    return EXIT_OK


# --- argument parsing ------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        dest="database_url",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="database URL (sqlite:///path or postgresql://...); overrides HOTLINE_DATABASE_URL",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the demo database that `hotline demo` built (instead of --db)",
    )
    common.add_argument(
        "--region",
        dest="default_region",
        default=argparse.SUPPRESS,
        metavar="CC",
        help="default phone region for numbers typed without a country code (e.g. CN)",
    )
    common.add_argument(
        "--lang",
        dest="language",
        default=argparse.SUPPRESS,
        metavar="LANG",
        help="interface language: en, zh-CN (Simplified) or zh-TW (Traditional); default from the locale",
    )

    parser = argparse.ArgumentParser(
        prog="hotline",
        description="Hotline: the console for OK Wallet's phone agents.",
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        parent: Any, name: str, handler: Callable[[Context], int], help_text: str, *more: argparse.ArgumentParser
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = parent.add_parser(
            name, help=help_text, description=help_text, parents=[common, *more]
        )
        sub.set_defaults(handler=handler)
        return sub

    add(commands, "run", cmd_run, "open the console on the configured database")
    demo = add(commands, "demo", cmd_demo, "build a demo database (once) and open the console on it")
    demo.add_argument("--reset", action="store_true", help="throw away the demo database and rebuild it")
    demo.add_argument("--no-console", action="store_true", help="build the demo database only")
    demo_actions = demo.add_subparsers(dest="demo_command", required=False, metavar="ACTION")
    demo_totp = add(
        demo_actions, "totp", cmd_demo_totp, "print a demo customer's current authenticator code (demo database only)"
    )
    demo_totp.add_argument("account", help="the demo customer's account number, e.g. OK10728163")

    db = commands.add_parser("db", help="schema migrations").add_subparsers(
        dest="db_command", required=True, metavar="ACTION"
    )
    up = add(db, "upgrade", cmd_db_upgrade, "migrate the database up (backs up a SQLite file first)")
    up.add_argument("revision", nargs="?", default="head")
    down = add(db, "downgrade", cmd_db_downgrade, "migrate the database down to REVISION")
    down.add_argument("revision")
    add(db, "current", cmd_db_current, "show the database's revision and the code's")
    add(db, "check", cmd_db_check, "exit non-zero when the models and the migrations differ")

    seed = commands.add_parser("seed", help="fill a database with data").add_subparsers(
        dest="seed_command", required=True, metavar="KIND"
    )
    add(seed, "demo", cmd_seed_demo, "about 50 demo customers, four agents, hotlines and fees")
    synthetic = add(seed, "synthetic", cmd_seed_synthetic, "large realistic data for benchmarks")
    synthetic.add_argument("--customers", type=int, required=True)
    synthetic.add_argument("--transactions-per-customer", type=int, default=5)
    synthetic.add_argument("--seed", type=int, default=0, help="random seed (same seed, same data)")

    agent = commands.add_parser(
        "agent",
        help="console accounts (an admin acting: --admin USERNAME)",
        description=(
            f"Every agent command is an admin acting: --admin USERNAME (or {ADMIN_ENV}); the admin's password"
            f" is asked for, or read from {ADMIN_PASSWORD_ENV}. On a database with no enabled admin,"
            " `agent add NAME --role admin` without --admin adds the first one."
        ),
    ).add_subparsers(dest="agent_command", required=True, metavar="ACTION")
    as_admin = argparse.ArgumentParser(add_help=False)
    as_admin.add_argument(
        "--admin",
        metavar="USERNAME",
        help=f"the admin acting (default: {ADMIN_ENV})",
    )
    roles = ["agent", "supervisor", "admin"]

    def add_agent_command(name: str, handler: Callable[[Context], int], help_text: str) -> argparse.ArgumentParser:
        return add(agent, name, handler, help_text, as_admin)

    agent_add = add_agent_command("add", cmd_agent_add, "add an agent; the new password is read without echo")
    agent_add.add_argument("username")
    agent_add.add_argument("--role", required=True, choices=roles)
    agent_add.add_argument("--name", help="display name (defaults to the username)")
    agent_add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add_agent_command("list", cmd_agent_list, "list agents with role, status and last login")
    agent_disable = add_agent_command("disable", cmd_agent_disable, "stop an agent from logging in")
    agent_disable.add_argument("username")
    agent_enable = add_agent_command("enable", cmd_agent_enable, "let a disabled agent log in again")
    agent_enable.add_argument("username")
    agent_role = add_agent_command("role", cmd_agent_role, "change an agent's role")
    agent_role.add_argument("username")
    agent_role.add_argument("role", choices=roles)
    agent_reset = add_agent_command(
        "reset-password", cmd_agent_reset_password, "give an agent a new random password, printed once"
    )
    agent_reset.add_argument("username")

    ring = add(commands, "ring", cmd_ring, "an incoming call: every logged-in console shows it")
    ring.add_argument(
        "phone",
        nargs="+",
        help="the caller's number in any common format, spaces allowed (+86 191 2748 7583), or 'withheld'",
    )
    ring.add_argument("--line", help="the hotline rung (its code, e.g. CN, HK, SG, INTL)")

    keys = commands.add_parser("keys", help="encryption keys").add_subparsers(
        dest="keys_command", required=True, metavar="ACTION"
    )
    add(keys, "init", cmd_keys_init, "create the key file if there is none")
    add(
        keys, "rotate", cmd_keys_rotate, "new encryption and audit keys; re-encrypt every stored secret (old keys kept)"
    )

    outbox = add(commands, "outbox", cmd_outbox, "recent messages to customers (what their phone or mailbox got)")
    outbox.add_argument("--customer", metavar="ACCOUNT", help="only this customer's messages")
    outbox.add_argument("--limit", type=int, default=20, help="how many messages (newest first)")

    audit_cmd = commands.add_parser("audit", help="the audit log").add_subparsers(
        dest="audit_command", required=True, metavar="ACTION"
    )
    add(audit_cmd, "verify", cmd_audit_verify, "check the audit log's signatures, links and newest event")
    return parser


_SETTING_FLAGS = ("database_url", "default_region", "language")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        flags = {name: getattr(args, name) for name in _SETTING_FLAGS if hasattr(args, name)}
        settings = load_settings(cli=flags)
        set_language(interface_language(settings.language))
        if getattr(args, "demo", False) and args.handler is not cmd_demo:
            if "database_url" in flags:
                raise CommandFailed("Give either --demo or --db, not both.", EXIT_USAGE)
            settings = _with_database(settings, f"sqlite:///{demo_database_path(settings)}")
        # The data folder holds the database, its backups, the keys and the logs: owner-only.
        private_folder(settings.data_dir)
        with log_file(settings.data_dir):
            return _run_logged(args, Context(settings, args))
    except CommandFailed as failure:
        _print_error(str(failure))
        return failure.code
    except (ServiceError, SettingsError, KeysMissing, UnknownLanguage) as error:
        _print_error(str(error))
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if not _unreachable(error):
            raise
        orig = getattr(error, "orig", None)
        reason = str(orig).strip().splitlines()[0] if orig else "no answer"
        _print_error(f"the database cannot be reached ({reason}); nothing was changed.")
        return EXIT_FAILED


def _run_logged(args: argparse.Namespace, ctx: Context) -> int:
    """Run the command with its start and how it ended in the log: a refusal by its kind only, since its
    words can quote what was typed."""
    command = args.handler.__name__.removeprefix("cmd_").replace("_", " ")
    log.info("hotline %s on %s", command, ctx.shown_url)
    try:
        return args.handler(ctx)  # type: ignore[no-any-return]
    except (CommandFailed, ServiceError, SettingsError, KeysMissing) as error:
        log.warning("hotline %s did not finish: %s", command, type(error).__name__)
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        if _unreachable(error):
            log.warning("hotline %s did not finish: %s", command, type(error).__name__)
        else:
            log.exception("hotline %s failed", command)
        raise


def _print_error(message: str) -> None:
    print(f"hotline: {clean_text(message, multiline=True)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
