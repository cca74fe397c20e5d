"""Staff: grid workers and secretaries from config.yaml, and those bound with a one-time code."""
from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import Staff, Ticket
from bot.domain.routing import Directory

log = logging.getLogger("minhu.staff")
INVITE_TTL = timedelta(days=7)
CACHE_SECONDS = 30
TRIES_PER_DAY = 5  # wrong codes per person per day: an 8-digit code cannot be guessed in that many


@dataclass(frozen=True)
class Member:
    """One member of staff and the grids they may act in (None: every grid, as a secretary)."""

    openid: str
    name: str
    role: str  # grid_worker | secretary
    grids: frozenset[str] | None

    def may_act_on(self, ticket: Ticket) -> bool:
        return self.grids is None or ticket.grid_id in self.grids


class StaffDirectory:
    """Who is staff: config.yaml first, then the staff table."""

    def __init__(self, directory: Directory, sessions: sessionmaker[Session], redis: Redis,
                 prefix: str = "minhu:invite:"):
        self.directory, self.sessions, self.redis, self.prefix = directory, sessions, redis, prefix
        self._config: dict[str, Member] = {}
        self._cache: tuple[float, dict[str, Member], dict[str, str | None]] | None = None
        for community in directory.config.communities:
            secretary = community.secretary
            self._config[secretary.openid] = Member(secretary.openid, secretary.name, "secretary", None)
        duty = directory.config.duty
        if duty and duty.openid not in self._config:
            # The duty officer receives what no community can: they act on every grid's tickets, as a secretary.
            self._config[duty.openid] = Member(duty.openid, duty.name, "secretary", None)
        for grid in directory.grids.values():
            for person in (grid.worker, grid.backup):
                if person and person.openid not in self._config:
                    grids = frozenset(g.id for g in directory.grids.values()
                                      if person.openid in (g.worker.openid, g.backup.openid if g.backup else None))
                    self._config[person.openid] = Member(person.openid, person.name, "grid_worker", grids)

    def member(self, openid: str) -> Member | None:
        return self._config.get(openid) or self._bound().get(openid)

    def members(self) -> list[Member]:
        """Everyone who is staff: config.yaml's people, then those bound by invite."""
        return list(self._config.values()) + [m for o, m in self._bound().items() if o not in self._config]

    def _bound(self) -> dict[str, Member]:
        """Staff bound by invite, read at most every CACHE_SECONDS (every message asks who its sender is)."""
        return self._read()[1]

    def _read(self) -> tuple[float, dict[str, Member], dict[str, str | None]]:
        """The cached staff table: its members, and each bound secretary's community (None: every community)."""
        if self._cache is None or time.monotonic() - self._cache[0] > CACHE_SECONDS:
            with self.sessions() as session:
                rows = session.scalars(select(Staff)).all()
            members = {row.openid: Member(row.openid, row.name, row.role,
                                          None if row.role == "secretary" else frozenset(filter(None, [row.grid_id])))
                       for row in rows}
            communities = {row.openid: row.community_id for row in rows
                           if row.role == "secretary" and row.openid not in self._config}
            self._cache = (time.monotonic(), members, communities)
        return self._cache

    def secretaries_of(self, community_id: str | None) -> list[str]:
        """The secretaries bound by invite who hear of this community's emergencies and get its digest."""
        return [openid for openid, community in self._read()[2].items() if community in (community_id, None)]

    def secretaries(self, secretary: str, community_id: str | None) -> list[str]:
        """Who hears what a community's secretary hears: config.yaml's `secretary` first, then those bound by
        invite, each once."""
        return list(dict.fromkeys([secretary, *self.secretaries_of(community_id)]))

    def bound_secretaries(self) -> list[tuple[Member, str | None]]:
        """Each secretary bound by invite, with their community (None: every community)."""
        _, members, communities = self._read()
        return [(members[openid], community) for openid, community in communities.items()]

    def bound_to(self, grid_id: str, session=None) -> list[str]:
        """The openids of the grid workers bound by invite to this grid, read now (a worker pushes their task); in the
        caller's session when given, to save a transaction."""
        if session is None:
            with self.sessions() as session:
                return self.bound_to(grid_id, session)
        openids = session.scalars(select(Staff.openid).where(Staff.grid_id == grid_id, Staff.role == "grid_worker")
                                  .order_by(Staff.bound_at, Staff.openid))
        return [openid for openid in openids if openid not in self._config]

    def in_config(self, openid: str) -> bool:
        """Staff by config.yaml (a code cannot change them), not by invite."""
        return openid in self._config

    def remove(self, who: str) -> list[Member]:
        """Unbind the staff bound by invite whose openid or name is `who`; config.yaml's people stay (edit the file)."""
        with self.sessions() as session:
            rows = [row for row in session.scalars(select(Staff)) if who in (row.openid, row.name)]
            removed = [Member(row.openid, row.name, row.role, None) for row in rows]
            for row in rows:
                session.delete(row)
            session.commit()
        self._cache = None
        return removed

    def title(self, openid: str | None, name: str | None, grid_id: str | None) -> str:
        """How a ticket's holder is named to residents and staff: 第一网格网格员李建国, or a secretary by name."""
        member = self.member(openid) if openid else None
        grid = self.directory.grids.get(grid_id) if grid_id else None
        if member is not None and member.role == "secretary":
            return name or member.name
        return f"{grid.name}网格员{name}" if grid else f"社区{name}"

    def role_of(self, openid: str) -> str:
        member = self.member(openid)
        return member.role if member else "resident"

    def invite(self, name: str, grid_id: str | None = None, role: str = "grid_worker",
               community_id: str | None = None) -> str:
        """A one-time code for `绑定 <code>`, kept in Redis for seven days.

        A secretary belongs to `community_id`, or to the only community of config.yaml; with several and none
        named, to every community (a sub-district's)."""
        if role == "grid_worker" and grid_id not in self.directory.grids:
            raise ValueError(f"unknown grid {grid_id!r}; known: {', '.join(self.directory.grids)}")
        communities = [c.id for c in self.directory.config.communities]
        if community_id is not None and community_id not in communities:
            raise ValueError(f"unknown community {community_id!r}; known: {', '.join(communities)}")
        if role == "secretary" and community_id is None and len(communities) == 1:
            community_id = communities[0]
        payload = json.dumps({"name": name, "grid_id": grid_id, "role": role, "community_id": community_id},
                             ensure_ascii=False)
        for _ in range(10):
            code = f"{secrets.randbelow(10 ** 8):08d}"
            if self.redis.set(self.prefix + code, payload, nx=True, ex=INVITE_TTL):
                return code
        raise RuntimeError("could not find a free invite code")

    def redeem(self, code: str, openid: str) -> Member | None:
        """Bind openid with the code, once; None for a wrong, used or expired code (or too many tries)."""
        try:
            tries = self.redis.incr(f"{self.prefix}tries:{openid}")
            if tries == 1:
                self.redis.expire(f"{self.prefix}tries:{openid}", 86400)
            if tries > TRIES_PER_DAY:
                return None
            raw = self.redis.getdel(self.prefix + code)
        except RedisError as exc:
            log.warning("invite codes unavailable: %s", exc)
            return None
        if raw is None:
            return None
        invite = json.loads(raw)
        grid = self.directory.grids.get(invite["grid_id"]) if invite["grid_id"] else None
        community = next((c.id for c in self.directory.config.communities
                          for e in c.estates if grid and grid in e.grids), invite.get("community_id"))
        with self.sessions() as session:
            row = session.get(Staff, openid) or Staff(openid=openid)
            row.name, row.role, row.grid_id = invite["name"], invite["role"], invite["grid_id"]
            row.community_id = community
            session.merge(row)
            session.commit()
        self.redis.delete(f"{self.prefix}tries:{openid}")
        self._cache = None
        return self.member(openid)
