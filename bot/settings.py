"""Typed settings: config.yaml (communities, people, limits) plus secrets from the environment."""
from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import ConfigError

CATEGORY_CODES = (
    "leak", "drainage", "water_supply", "parking", "lighting", "elevator", "sanitation",
    "gas", "ebike", "noise", "facilities", "greenery", "property", "safety", "other",
)
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(value: Any) -> timedelta:
    """Read '15m', '2h', '3d' (or a number of seconds) as a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return timedelta(seconds=value)
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"expected a duration such as 15m, 2h or 3d, got {value!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
BuildingId = Annotated[str, BeforeValidator(lambda v: str(v).strip() if isinstance(v, (int, str)) else v)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(Strict):
    name: str = Field(min_length=1)
    openid: str = Field(min_length=1)


class Grid(Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    buildings: list[BuildingId] = Field(min_length=1)
    worker: Person
    backup: Person | None = None


class Estate(Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    aliases: list[str] = []
    buildings: list[BuildingId] = Field(min_length=1)
    grids: list[Grid] = []

    @model_validator(mode="after")
    def _grids_cover_known_buildings(self) -> "Estate":
        known, seen = set(self.buildings), {}
        for i, grid in enumerate(self.grids):
            for building in grid.buildings:
                if building not in known:
                    raise ValueError(f"grids[{i}] ({grid.id}) lists building {building!r}, which is not in this estate's buildings")
                if building in seen:
                    raise ValueError(f"building {building!r} is in two grids: {seen[building]} and {grid.id}")
                seen[building] = grid.id
        return self


class Community(Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    secretary: Person
    estates: list[Estate] = Field(min_length=1)


class Limits(Strict):
    accept_within: Duration | None = None
    resolve_within: Duration | None = None
    urgent_accept_within: Duration | None = None


class Category(Limits):
    name: str = Field(min_length=1)


class Template(Strict):
    id: str = ""
    data: dict[str, str] = {}


class WeChatSettings(Strict):
    task_template: Template = Template()


class WebhookSettings(Strict):
    max_body_bytes: int = Field(default=65536, ge=1024, le=10 * 1024 * 1024)


class Config(Strict):
    """Everything in config.yaml, validated."""

    timezone: str = "Asia/Shanghai"
    duty: Person | None = None
    communities: list[Community] = Field(min_length=1)
    defaults: Limits = Limits(accept_within=timedelta(hours=2), resolve_within=timedelta(days=3),
                              urgent_accept_within=timedelta(minutes=15))
    categories: dict[str, Category]
    wechat: WeChatSettings = WeChatSettings()
    webhook: WebhookSettings = WebhookSettings()
    nlp: dict[str, Any] = {}

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("categories")
    @classmethod
    def _all_categories(cls, value: dict[str, Category]) -> dict[str, Category]:
        missing = [code for code in CATEGORY_CODES if code not in value]
        if missing:
            raise ValueError(f"missing categories: {', '.join(missing)}")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> "Config":
        for kind, ids in (("community", [c.id for c in self.communities]),
                          ("estate", [e.id for c in self.communities for e in c.estates]),
                          ("grid", [g.id for c in self.communities for e in c.estates for g in e.grids])):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"{kind} id used twice: {', '.join(dupes)}")
        return self


class Secrets(BaseModel):
    """What comes only from the environment."""

    model_config = ConfigDict(frozen=True)
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com/cgi-bin/"
    redis_url: str = ""
    database_url: str = ""
    data_dir: Path = Path("var")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Secrets":
        env = os.environ if env is None else env
        values = {field: env[f"MINHU_{field.upper()}"] for field in cls.model_fields if env.get(f"MINHU_{field.upper()}")}
        return cls(**values)


class Settings(BaseModel):
    """The one settings object: the validated config file and the environment."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    config: Config
    secrets: Secrets
    config_path: Path

    @property
    def database_url(self) -> str:
        return self.secrets.database_url or f"sqlite:///{(self.secrets.data_dir / 'minhu.db').resolve()}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.config.timezone)


def default_config_path() -> Path:
    """MINHU_CONFIG, else ./config.yaml, else the one beside the source tree."""
    if os.environ.get("MINHU_CONFIG"):
        return Path(os.environ["MINHU_CONFIG"])
    here = Path("config.yaml")
    return here if here.exists() else Path(__file__).resolve().parents[1] / "config.yaml"


def _format_error(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: invalid configuration"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def load_config(path: Path) -> Config:
    """Read and validate config.yaml; raise ConfigError naming the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_error(path, exc)) from exc


def load_settings(path: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Build the settings object once, at start."""
    path = path or default_config_path()
    return Settings(config=load_config(path), secrets=Secrets.from_env(env), config_path=path)


def limits_for(config: Config, category: str, urgent: bool) -> tuple[timedelta | None, timedelta | None]:
    """(accept within, resolve within) for a category, falling back to the defaults."""
    own = config.categories.get(category) or config.categories["other"]
    accept = (own.urgent_accept_within or config.defaults.urgent_accept_within) if urgent else None
    accept = accept or own.accept_within or config.defaults.accept_within
    return accept, own.resolve_within or config.defaults.resolve_within
