"""What every Hotline screen shares: the app's database, and worker failures reported to the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from console.app import HotlineApp
    from console.db import Database

ResultType = TypeVar("ResultType")


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


class OnHotline(ReportsWorkerFailures):
    """Screens and dialogs reach the console and its database through these two names."""

    @property
    def hotline(self) -> HotlineApp:
        return cast("HotlineApp", cast(Screen[Any], self).app)

    @property
    def database(self) -> Database:
        return self.hotline.database


class HotlineScreen(OnHotline, Screen[None]):
    """A full screen of the console."""

    def before_leaving(self) -> list[Worker[Any]]:
        """Start saving what must not be lost (a draft note) before the console locks, logs out or
        quits; returns the workers doing it so a quit can wait for them."""
        return []


class HotlineModal(OnHotline, ModalScreen[ResultType]):
    """A dialog that `dismiss`es with its typed answer."""
