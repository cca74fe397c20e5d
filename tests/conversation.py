"""What the conversation tests share: config changes per test, and reading ticket numbers and rows."""
import re

import pytest
from sqlalchemy import select

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]
GRID1, GRID1_BACKUP, GRID2, SECRETARY = "o_demo_grid1_li", "o_demo_grid1_zhao", "o_demo_grid2_zhang", "o_demo_secretary_wang"


def number_in(reply: str) -> str:
    match = re.search(r"工单号：(\d{6})", reply or "")
    assert match, f"no ticket number in {reply!r}"
    return match.group(1)


@pytest.fixture
def config_changes():
    """Changes to config.yaml for one test (parametrize this fixture to change it)."""
    return {}


@pytest.fixture
def settings(env, tmp_path, config_changes):
    from tests.conftest import settings_for

    return settings_for(env, config_changes, tmp_path / "config.yaml")


def rows(runtime, model, *where):
    with runtime.sessions() as session:
        # In the order they were written (PostgreSQL returns rows in whatever order its plan reads them).
        return list(session.scalars(select(model).where(*where).order_by(*model.__table__.primary_key.columns)))


def ticket(runtime, number: str):
    from bot.store.models import Ticket

    (found,) = rows(runtime, Ticket, Ticket.number == number)
    return found


def numbers_in(reply: str) -> list[str]:
    """Every ticket number a reply names, in order."""
    return re.findall(r"工单号：(\d{6})", reply or "")


def by_category(wechat) -> dict:
    return {t.category: t for t in wechat.tickets()}


def pushes(fake_wechat, openid: str, *words: str) -> list[str]:
    """The pushes one person received that say all these words."""
    return [t for t in fake_wechat.texts_to(openid) if all(w in t for w in words)]


GRID3 = "o_demo_grid3_chen"
