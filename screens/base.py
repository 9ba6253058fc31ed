"""What every Hotline screen shares: the app's database, one way to run a service, one way to say a sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.content import Content
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from console.binding_words import translate_bindings
from console.services.errors import ServiceError
from console.text import safe_text

if TYPE_CHECKING:
    from console.app import HotlineApp
    from console.db import Database

ResultType = TypeVar("ResultType")
Answer = TypeVar("Answer")
Refusal = TypeVar("Refusal", bound=ServiceError)


@dataclass
class WorkFailed(Message):
    """A worker raised; the app turns `error` into one plain-language notice."""

    error: BaseException
    group: str


class ReportsWorkerFailures:
    """Mixin for screens and widgets: a worker that raised is reported to the app, never swallowed.

    `Worker.StateChanged` does not bubble, so without this a failed `exit_on_error=False` worker
    would only reach the log. Textual calls this handler as well as a subclass's own one.
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            node = cast(Screen[Any], self)
            node.app.post_message(WorkFailed(event.worker.error, event.worker.group))


@dataclass
class ServiceAnswered(Message, bubble=False):
    """A service call run by `run_service` finished: `deliver` hands its answer over on the event loop."""

    deliver: Callable[[], None]


class OnHotline(ReportsWorkerFailures):
    """Screens, dialogs and their widgets reach the console and its database through these names, and
    run every service call through `run_service`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        translate_bindings()  # before Textual copies the class's bindings into this screen or widget
        super().__init__(*args, **kwargs)

    @property
    def hotline(self) -> HotlineApp:
        return cast("HotlineApp", cast(Screen[Any], self).app)

    @property
    def database(self) -> Database:
        return self.hotline.database

    def run_service(
        self,
        call: Callable[[], Answer],
        done: Callable[[Answer], None],
        *,
        group: str,
        refused: Callable[[Refusal], None] | None = None,
        refusals: tuple[type[Refusal], ...] = (),
        latest_only: bool = False,
        exclusive: bool = True,
    ) -> Worker[None]:
        """Run `call` in a thread worker; `done(answer)` runs on the event loop with what it returned.

        A refusal of one of the `refusals` types (default: any `ServiceError` when `refused` is given)
        goes to `refused`, on the event loop too. Anything else raises in the worker and reaches the app
        as `WorkFailed`: a plain-words notice, or the lock for `AgentDisabled`. `latest_only` drops the
        answer of a call superseded by a newer one in its group (reads); writes always answer.
        """
        node = cast(DOMNode, self)
        caught: tuple[type[BaseException], ...] = refusals or ((ServiceError,) if refused is not None else ())

        def work() -> None:
            try:
                answer = call()
            except caught as refusal:
                assert refused is not None
                deliver = partial(refused, cast(Refusal, refusal))
            else:
                deliver = partial(done, answer)
            if latest_only and get_current_worker().is_cancelled:
                return
            node.post_message(ServiceAnswered(deliver))

        return node.run_worker(work, name=group, group=group, thread=True, exclusive=exclusive, exit_on_error=False)

    def on_service_answered(self, message: ServiceAnswered) -> None:
        message.deliver()

    def key_for(self, binding_id: str) -> str:
        """The key that runs a binding of this screen now (after the keymap), as the footer shows it."""
        screen = cast(Widget, self).screen
        for key, active in screen.active_bindings.items():
            if active.binding.id == binding_id:
                return screen.app.get_key_display(active.binding.with_key(key))
        return binding_id

    def notify_agent(self, text: str, *, warning: bool = True) -> None:
        """A toast for the agent; `text` is shown as it is, never as markup."""
        cast(Widget, self).notify(text, severity="warning" if warning else "information", markup=False)


class HotlineScreen(OnHotline, Screen[None]):
    """A full screen of the console."""

    def before_leaving(self) -> list[Worker[Any]]:
        """Start saving what must not be lost (a draft note) before the console locks, logs out or
        quits; returns the workers doing it so a quit can wait for them."""
        return []


class HotlineModal(OnHotline, ModalScreen[ResultType]):
    """A dialog that `dismiss`es with its typed answer."""

    async def key_f1(self) -> None:
        """Help, as on every screen: a modal screen keeps the app's keys out, so it passes this one on
        (a key the agent remapped onto f1 on a screen below still wins there)."""
        await self.run_action("app.help")


class Notice(Static):
    """A sentence to the agent in its place on a screen: foreign text is cleaned, never markup."""

    def say(self, text: str | Content, *, refusal: bool = False, style: str = "", multiline: bool = False) -> None:
        """Show `text`; a `refusal` is styled as one (the rules said no, or something failed)."""
        self.set_class(refusal, "refusal")
        self.update(text if isinstance(text, Content) else safe_text(text, style=style, multiline=multiline))
