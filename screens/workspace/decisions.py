"""DecisionNews: what supervisors decided on what this agent asked them for, heard within seconds."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.worker import Worker

from console.services.context import Actor
from console.services.decisions import DecisionNews as News
from console.services.decisions import DecisionNotice, decisions_for
from screens.base import Notice, OnHotline

DECISIONS_GROUP = "workspace.decisions"
# How often the console asks: "within seconds" is the promise, and every agent's console asks.
DECISION_POLL_SECONDS = 2.0


class DecisionNews(OnHotline, Notice):
    """Polls the decisions on this agent's adjustments, unlock requests and lockouts; shows the latest and
    posts `Decided` for each, so the workspace can tell the agent and refresh the ticket."""

    @dataclass
    class Decided(Message):
        notice: DecisionNotice

    def __init__(self, agent_id: int) -> None:
        super().__init__(id="decision-news")
        self.agent_id = agent_id
        # Where the last answer ended; None: the first poll starts from now.
        self.cursor: int | None = None
        self._poll: Worker[None] | None = None

    def on_mount(self) -> None:
        self.display = False
        # From where this agent last heard on this console (so what was decided while they were logged
        # out, or on another screen, is told now); from now on at their first login here.
        self.cursor = self.hotline.decisions_heard.get(self.agent_id)
        self.poll()
        self.set_interval(DECISION_POLL_SECONDS, self.poll, name="decisions")

    def poll(self) -> None:
        # One poll at a time: a slow database must not pile up threads.
        if self._poll is not None and self._poll.is_running:
            return
        actor, since = Actor(self.agent_id, self.hotline.wall_clock()), self.cursor
        self._poll = self.run_service(
            lambda: decisions_for(self.database.read_sessions, actor, since),
            self.heard,
            group=DECISIONS_GROUP,
            latest_only=True,
        )

    def heard(self, news: News) -> None:
        self.cursor = self.hotline.decisions_heard[self.agent_id] = news.cursor
        for notice in news.notices:
            self.post_message(self.Decided(notice))
        if news.notices:
            latest = news.notices[-1]
            self.display = True
            self.say(latest.said, style="$text-success" if latest.approved else "$text-warning", multiline=True)
