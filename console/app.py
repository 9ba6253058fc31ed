"""HotlineApp and make_app, the one factory that the CLI, `serve` and the tests build it with."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from console.binding_words import translate_bindings
from console.commands import HotlineCommands
from console.i18n import N_, _, interface_language, set_language
from console.key_order import KeysInOrder
from console.services.errors import AgentDisabled
from console.settings import Settings
from console.text import clean_text
from screens.base import HotlineScreen, ReportsWorkerFailures, WorkFailed
from screens.lock import UNLOCK_GROUP, LockScreen
from screens.login import LoginScreen

if TYPE_CHECKING:
    from console.db import Database
    from console.services.agents import AgentView
    from console.services.tickets import OpenCall
    from screens.leave_call import Leaving

# Only the login screen (and the lock screen, which shares its form) is imported before the first frame;
# everything an agent reaches after logging in is imported by `load_the_rest`, in a worker, meanwhile.
# Where each role lands after logging in, and what its "home" is, as (module, class): one desk per role.
ROLE_HOMES: dict[str, tuple[str, str]] = {
    "agent": ("screens.workspace", "WorkspaceScreen"),
    "supervisor": ("screens.escalations", "EscalationScreen"),
    "admin": ("screens.admin", "AdminDeskScreen"),
}
# The services the login and the first caller need; the screens are the ones `binding_ids` names.
AFTER_LOGIN_MODULES = ("console.services.agents", "console.services.system", "console.services.lookup")

# Palette entries Textual offers that Hotline does not: ours has Quit with its key, and a
# screenshot would write customer data to the current directory.
_DROPPED_SYSTEM_COMMANDS = frozenset({"Quit", "Screenshot"})

# A console left alone hides itself; a long shift proves who is still sitting at it.
IDLE_LOCK_SECONDS = 15 * 60
REAUTHENTICATE_SECONDS = 12 * 60 * 60
LOCK_CHECK_SECONDS = 5.0
IDLE_REASON = N_("Locked after {minutes} minutes without a key press.")
REAUTHENTICATE_REASON = N_("You logged in 12 hours ago; type your password to carry on.")
MANUAL_REASON = N_("Locked by you.")
# How long a quit waits for a draft to reach the database.
QUIT_SAVE_TIMEOUT = 5.0


class _Notice(TypedDict):
    """A toast held back while the console is locked: the arguments of `App.notify`."""

    message: str
    title: str
    severity: SeverityLevel
    timeout: float | None
    markup: bool


class HotlineApp(ReportsWorkerFailures, KeysInOrder):
    """The console: a login screen, then the screen of the agent's role (ROLE_HOMES).

    It also keeps the console locked when nobody is at it: after `idle_lock_seconds` without a key
    or mouse event, and `reauthenticate_seconds` after the password was last typed.
    """

    TITLE = N_("Hotline")
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {HotlineCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q",
            "quit",
            N_("Quit"),
            id="app.quit",
            priority=True,
            show=False,
            tooltip=N_("Close Hotline and return to the command prompt"),
        ),
        Binding(
            "ctrl+p",
            "command_palette",
            N_("Commands"),
            id="app.commands",
            priority=True,
            show=False,
            tooltip=N_("Search every action by name"),
        ),
        Binding(
            "ctrl+t",
            "toggle_dark",
            N_("Light/dark"),
            id="app.toggle_dark",
            show=False,
            tooltip=N_("Switch between the light and the dark theme"),
        ),
        Binding(
            "f1",
            "help",
            N_("Help"),
            id="app.help",
            tooltip=N_("The keys of this screen; on the demo database, the demo callers and their numbers"),
        ),
        Binding(
            "f12",
            "lock",
            N_("Lock"),
            id="app.lock",
            show=False,
            tooltip=N_("Hide the console until you type your password again"),
        ),
    ]

    def __init__(self, settings: Settings, database: Database | Callable[[], Database]) -> None:
        translate_bindings()
        super().__init__()
        self.settings = settings
        # An open database, or how to open one: `hotline run` on a SQLite file opens it (and loads
        # SQLAlchemy) in `load_the_rest`, after the login screen is drawn.
        self._database: Database | None = None if callable(database) else database
        self._open_database = database if callable(database) else None
        self._opening = threading.Lock()
        self.agent: AgentView | None = None
        # The call open on this console (set by the workspace): quitting, logging out or locking asks first.
        self.open_call: OpenCall | None = None
        self.title = _(self.TITLE)
        self.sub_title = self.database_label
        self._reported_clashes: set[frozenset[str]] = set()
        # Clocks, replaceable in tests: `clock` (monotonic seconds) times idleness, the login age
        # and the call timers; `wall_clock` says how long a caller has waited.
        self.clock: Callable[[], float] = time.monotonic
        self.wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.idle_lock_seconds: float = IDLE_LOCK_SECONDS
        self.reauthenticate_seconds: float = REAUTHENTICATE_SECONDS
        self.last_activity = self.clock()
        self.logged_in_at: float | None = None
        self.locked = False
        self._held_notices: list[_Notice] = []
        # Per agent, where their decision news last ended (an audit sequence number): kept over a log-out
        # and a change of screen, so a decision made meanwhile is still told at the next login.
        self.decisions_heard: dict[int, int] = {}
        # Only `bench/start.py` sets this (EXIT_WHEN_SHOWN_ENV): quit as soon as the login screen is drawn.
        self.exit_when_shown = False

    @property
    def database(self) -> Database:
        if self._database is None:
            with self._opening:
                if self._database is None:
                    assert self._open_database is not None
                    self._database = self._open_database()
        return self._database

    @property
    def database_opened(self) -> Database | None:
        """The database if it has been opened (for closing it), without opening it."""
        return self._database

    @property
    def database_label(self) -> str:
        """Which database this console uses, password hidden, safe to show."""
        if self._database is None:
            # Not opened yet: a SQLite file's URL (no password to hide) as SQLAlchemy would render it.
            return clean_text(f"{self.settings.database_url.partition(':')[0]} · {self.settings.database_url}")
        return clean_text(f"{self.database.dialect} · {self.database.url}")

    def on_mount(self) -> None:
        self.apply_keymap()
        self.push_screen(LoginScreen())
        self.set_interval(LOCK_CHECK_SECONDS, self.check_lock, name="lock check")

    def on_ready(self) -> None:
        """Textual has displayed the first frame (the login screen)."""
        if self.exit_when_shown:  # the start-up bench
            self.call_after_refresh(self.exit)
            return
        self.load_the_rest()

    @work(thread=True, exit_on_error=False, group="warm-up")
    def load_the_rest(self) -> None:
        """While the agent types their password: open the database, import the screens and services the
        login leads to, and load the phone metadata that the first caller's lookup would otherwise wait for."""
        self.database  # noqa: B018  (opens it here, off the event loop, if it is not open yet)
        for module in AFTER_LOGIN_MODULES:
            import_module(module)
        binding_ids()  # imports every screen that has keys, which is every screen
        translate_bindings()
        from console.services import lookup

        lookup.warm_up((self.settings.default_region, *lookup.CALLER_REGIONS))
        # What is loaded now lives as long as the console: out of the collector's reach, so that a full
        # collection never walks it between two keystrokes (about 110,000 objects, 25 ms on the 2-core
        # machine; a department's list read had a p99 of 70 ms with such collections, 11 ms without).
        gc.freeze()

    def on_unmount(self) -> None:
        gc.unfreeze()  # a process that starts another console (the tests do) collects this one's objects

    # Logging in and out

    def log_in(self, agent: AgentView) -> None:
        """Each role lands on its home (`ROLE_HOMES`): agents on the call workspace, supervisors on the
        escalation queue, admins on the admin's desk."""
        self.agent = agent
        self.logged_in_at = self.last_activity = self.clock()
        self.switch_screen(home_for(agent))
        self.release_keys()  # typed while the password was checked: they go to the home screen

    def open_workspace(self) -> None:
        if self.agent is not None:
            from screens.workspace import WorkspaceScreen

            self.switch_screen(WorkspaceScreen(self.agent))

    def open_home(self) -> None:
        if self.agent is not None:
            self.save_before_leaving()
            self.switch_screen(home_for(self.agent))

    def log_out(self) -> None:
        """Log out, after asking when a call is open (it stays open and comes back at the next login)."""
        self.leave("log_out", self.log_out_now)

    def log_out_now(self) -> None:
        self.save_before_leaving()
        self.agent = None
        self.open_call = None
        self.logged_in_at = None
        self.locked = False
        self._held_notices.clear()
        # Dialogs and the lock screen go too; the screen under them becomes the login form.
        for _screen in range(len(self.screen_stack) - 2):
            self.pop_screen()
        self.switch_screen(LoginScreen())
        self.release_keys()  # an unlock being checked is over: keys go to the login form

    def save_before_leaving(self) -> list[Worker[Any]]:
        """Ask every screen to save what must not be lost (drafts); the workers doing it."""
        workers: list[Worker[Any]] = []
        for screen in self.screen_stack:
            if isinstance(screen, HotlineScreen):
                workers.extend(screen.before_leaving())
        return workers

    # Locking

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent | events.Paste) and not event.is_forwarded:
            self.last_activity = self.clock()  # any key, paste or mouse use keeps the console open
            if isinstance(event, events.Key | events.Paste):
                await self.route_typed(event)  # in order: each key after the one before is handled
                return
        await super().on_event(event)

    def check_lock(self) -> None:
        """Lock after the idle time, or when the login is too old; run every few seconds."""
        if self.agent is None or self.locked:
            return
        now = self.clock()
        if self.logged_in_at is not None and now - self.logged_in_at >= self.reauthenticate_seconds:
            self.lock(_(REAUTHENTICATE_REASON))
        elif now - self.last_activity >= self.idle_lock_seconds:
            self.lock(_(IDLE_REASON).format(minutes=round(self.idle_lock_seconds / 60)))

    def lock(self, reason: str) -> None:
        """Save drafts, then cover everything with an opaque screen that only the password lifts."""
        if self.agent is None or self.locked:
            return
        self.save_before_leaving()
        self.clear_notifications()  # a notice could name a caller
        self.locked = True
        self.push_screen(LockScreen(self.agent, reason))

    def unlock(self, agent: AgentView) -> None:
        """The logged-in agent typed their password: show the console again as it was."""
        if not self.locked or not isinstance(self.screen, LockScreen):
            self.release_keys()
            return
        self.agent = agent
        self.locked = False
        self.logged_in_at = self.last_activity = self.clock()
        self.pop_screen()
        self.release_keys()
        held, self._held_notices = self._held_notices, []
        for notice in held:
            super().notify(**notice)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        notice: _Notice = {
            "message": message,
            "title": title,
            "severity": severity,
            "timeout": timeout,
            "markup": markup,
        }
        if self.locked:
            # Shown after the unlock: a toast on the lock screen could show a caller's details.
            self._held_notices.append(notice)
            return
        super().notify(**notice)

    # Actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "lock":
            return self.agent is not None and not self.locked
        return True

    def action_help(self) -> None:
        from screens.help import HelpDialog

        if not isinstance(self.screen, HelpDialog):
            self.push_screen(HelpDialog(self.screen))

    def action_lock(self) -> None:
        self.leave("lock", lambda: self.lock(_(MANUAL_REASON)))

    def leave(self, leaving: Leaving, go: Callable[[], object]) -> None:
        """Run `go` (quit, log out, lock) at once, or with a call open only once the agent says so."""
        from screens.leave_call import LeaveCallDialog

        call = self.open_call
        if call is None or self.agent is None:
            self.call_later(go)
            return
        if isinstance(self.screen, LeaveCallDialog):
            return  # already asking
        # On the lock screen nobody has typed a password yet: the caller is not named there.
        caller = None if self.locked else call.caller_masked or call.ticket.customer_name

        def answered(go_on: bool | None) -> None:
            if go_on:
                self.call_later(go)

        self.push_screen(LeaveCallDialog(leaving, call.ticket.ticket_id, caller), callback=answered)

    async def action_quit(self) -> None:
        """Quit, after asking when a call is open."""
        self.leave("quit", self.quit_now)

    async def quit_now(self) -> None:
        """Quit, after the draft being typed has reached the database (or a few seconds passed)."""
        # On failure or timeout, quit anyway: the last debounced save is in the database.
        with contextlib.suppress(TimeoutError, WorkerFailed, WorkerCancelled):
            await asyncio.wait_for(self._save_everything(), QUIT_SAVE_TIMEOUT)
        self.exit()

    async def _save_everything(self) -> None:
        # A save already under way may hold older text; the screen then starts one more after it.
        for _attempt in range(3):
            workers = self.save_before_leaving()
            if not workers:
                return
            await asyncio.gather(*(worker.wait() for worker in workers))
            await asyncio.sleep(0)  # let the screen see the saved message

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in _DROPPED_SYSTEM_COMMANDS:
                yield command

    # Keys

    def apply_keymap(self) -> None:
        """Remap bindings by id from the settings; an unknown id is reported, not ignored."""
        keymap = dict(self.settings.keymap)
        if not keymap:
            return  # nothing to check, and no need to import every screen to check it
        unknown = sorted(set(keymap) - set(binding_ids()))
        if unknown:
            self.notify(
                _("The keymap in your settings names unknown bindings: {unknown}. Known: {binding_ids}.").format(
                    unknown=", ".join(unknown), binding_ids=", ".join(binding_ids())
                ),
                title=_("Keymap"),
                severity="warning",
                markup=False,
            )
        self.set_keymap(keymap)

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node: DOMNode) -> None:
        ids = frozenset(binding.id or binding.action for binding in clashed_bindings)
        if ids in self._reported_clashes:
            return
        self._reported_clashes.add(ids)
        self.notify(
            _("Two actions share one key after the keymap was applied: {ids}.").format(ids=", ".join(sorted(ids))),
            title=_("Keymap"),
            severity="warning",
            markup=False,
        )

    # Failures

    def on_work_failed(self, message: WorkFailed) -> None:
        """The one place a failed worker becomes something the agent sees: a plain sentence."""
        # The details go to the Textual log (devtools), never to the screen.
        self.log.error(f"worker {message.group!r} failed", "".join(traceback.format_exception(message.error)))
        if message.group == UNLOCK_GROUP:
            return  # the lock screen says it in place; a held notice would be stale after unlock
        if isinstance(message.error, AgentDisabled):
            # An admin disabled this login while the console was open: nothing more may be done from it.
            self.lock(str(message.error))
            return
        from console.services.system import explain_failure

        self.notify(
            explain_failure(message.error),
            title=_("Not done"),
            severity="error",
            timeout=10,
            markup=False,
        )


def home_for(agent: AgentView) -> HotlineScreen:
    """The screen the agent's role lands on (a role without one of its own gets the database facts)."""
    module, name = ROLE_HOMES.get(str(agent.role), ("screens.home", "HomeScreen"))
    screen: Callable[[AgentView], HotlineScreen] = getattr(import_module(module), name)
    return screen(agent)


def binding_ids() -> list[str]:
    """Every binding id a keymap may remap (a binding two dialogs share is listed once)."""
    from screens.account import AccountScreen
    from screens.admin import AdminDeskScreen
    from screens.admin.dialogs import AddAgentDialog, ConfirmDialog, PasswordShownOnce, RoleDialog
    from screens.confirm import ConfirmAction
    from screens.escalations import EscalationScreen
    from screens.escalations.dialogs import PasswordAgain
    from screens.feedback import FeedbackDeskScreen, FeedbackDialog
    from screens.help import HelpDialog
    from screens.home import HomeScreen
    from screens.leave_call import LeaveCallDialog
    from screens.money import MoneyScreen
    from screens.new_password import NewPasswordDialog
    from screens.verify import VerifyScreen
    from screens.workspace import WorkspaceScreen
    from screens.wrap_up import WrapUpScreen

    ids: list[str] = []
    seen: set[int] = set()
    owners = (
        HotlineApp,
        LoginScreen,
        HomeScreen,
        WorkspaceScreen,
        VerifyScreen,
        AccountScreen,
        MoneyScreen,
        WrapUpScreen,
        LockScreen,
        FeedbackDialog,
        FeedbackDeskScreen,
        NewPasswordDialog,
        AdminDeskScreen,
        AddAgentDialog,
        RoleDialog,
        ConfirmDialog,
        PasswordShownOnce,
        EscalationScreen,
        ConfirmAction,
        PasswordAgain,
        LeaveCallDialog,
        HelpDialog,
    )
    for owner in owners:
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.id is not None and id(binding) not in seen:
                seen.add(id(binding))
                ids.append(binding.id)
    return ids


# The start-up bench's switch: "1" makes the console quit right after the login screen's first frame.
EXIT_WHEN_SHOWN_ENV = "HOTLINE_BENCH_EXIT_WHEN_SHOWN"


def make_app(settings: Settings, database: Database | Callable[[], Database]) -> HotlineApp:
    """The console for `settings` on `database` (migrated; open, or opened on first use), speaking the
    language the settings name (or the locale's)."""
    set_language(interface_language(settings.language))
    app = HotlineApp(settings, database)
    app.exit_when_shown = os.environ.get(EXIT_WHEN_SHOWN_ENV) == "1"
    return app
