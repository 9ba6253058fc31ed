"""Who is acting: an enabled agent, and the roles an action needs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.services.errors import Refused
from models import Agent, Role

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def active_agent(session: Session, agent_id: int, *roles: Role, doing: str = "do this") -> Agent:
    """The enabled agent with this id; with `roles`, one of them is required."""
    agent = session.get(Agent, agent_id)
    if agent is None or agent.disabled:
        raise Refused(f"This console user cannot {doing}.")
    if roles and agent.role not in roles:
        needed = " or ".join(role.value for role in roles)
        raise Refused(f"Only a {needed} can {doing}.")
    return agent


def usernames(session: Session, *agent_ids: int | None) -> dict[int | None, str]:
    """Usernames by agent id, for the "requested by" and "decided by" of a view (None ids skipped)."""
    wanted = [agent_id for agent_id in agent_ids if agent_id is not None]
    rows = session.execute(select(Agent.id, Agent.username).where(Agent.id.in_(wanted))) if wanted else []
    return {row.id: row.username for row in rows}
