"""Typed settings: config.yaml (communities, people, limits) plus secrets from the environment."""
from __future__ import annotations

import base64
import binascii
import os
import re
from collections import defaultdict
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import ConfigError
from nlp.urgency import DANGERS

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
_CLOCK = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


def parse_share(value: Any) -> timedelta | float:
    """Read '25%' as the fraction 0.25 of a limit, or a duration such as 30m."""
    if isinstance(value, str) and value.strip().endswith("%"):
        share = float(value.strip()[:-1]) / 100
        if not 0 < share < 1:
            raise ValueError(f"expected a percentage between 0% and 100%, got {value!r}")
        return share
    return parse_duration(value)


def parse_clock(value: Any) -> time:
    """Read '08:30' as a local time of day (quoted in YAML, or 08:30 would be read as a number)."""
    if isinstance(value, time):
        return value
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f'expected a time of day in quotes such as "08:30", got {value!r}')
    return time(int(match.group(1)), int(match.group(2)))


Share = Annotated[timedelta | float, BeforeValidator(parse_share)]
ClockTime = Annotated[time, BeforeValidator(parse_clock)]


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


class Spot(Strict):
    """A place in the estate that is not a building (大门口, 北门, 地下车库), and the grid that covers it."""

    name: str = Field(min_length=1, max_length=16)
    grid: str = Field(min_length=1)
    aliases: list[str] = []  # other words residents use for it (正门, 小区门口)


class Estate(Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    aliases: list[str] = []
    buildings: list[BuildingId] = Field(min_length=1)
    grids: list[Grid] = []
    spots: list[Spot] = []

    @model_validator(mode="after")
    def _spots_have_grids(self) -> "Estate":
        grids, seen = {grid.id for grid in self.grids}, set(self.buildings)
        for i, spot in enumerate(self.spots):
            if spot.grid not in grids:
                raise ValueError(f"spots[{i}] ({spot.name}) names grid {spot.grid!r}, which is not one of this "
                                 f"estate's grids ({', '.join(sorted(grids)) or 'none'})")
            for name in (spot.name, *spot.aliases):
                if name in seen:
                    raise ValueError(f"spots[{i}] ({spot.name}): {name!r} is already a building or another spot")
                seen.add(name)
        return self

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


_PHONE = re.compile(r"\+?[0-9][0-9 \-]{2,19}")


class Contact(Strict):
    """A number residents may call (社区服务站, 物业服务中心 …), given when they ask for one."""

    name: str = Field(min_length=1)
    phone: str
    hours: str = ""  # when someone answers, as residents read it: 工作日 8:30–17:30, 24小时

    @field_validator("phone")
    @classmethod
    def _a_phone_number(cls, value: str) -> str:
        if not _PHONE.fullmatch(value.strip()):
            raise ValueError(f"expected a phone number such as \"010-12345678\" or \"12345\", got {value!r}")
        return value.strip()


class Community(Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    secretary: Person
    estates: list[Estate] = Field(min_length=1)
    contacts: list[Contact] = []  # told to residents who ask for a phone number (物业电话多少)


class Limits(Strict):
    accept_within: Duration | None = None
    resolve_within: Duration | None = None
    urgent_accept_within: Duration | None = None


class Category(Limits):
    name: str = Field(min_length=1)
    department: str | None = None  # a key of `departments`: called in at the last escalation level


class Template(Strict):
    """A template message: its id and each field's value, filled from a push's fields ({number}, {place}...).

    Since 2023-05-04 WeChat shows neither `first` nor `remark`, no colours, and each keyword value at most 20
    characters on one line (docs/TEMPLATES.md): what matters goes in keyword fields, and the notifier cuts values."""

    id: str = ""
    data: dict[str, str] = {}

    @field_validator("data")
    @classmethod
    def _shown_fields_only(cls, value: dict[str, str]) -> dict[str, str]:
        hidden = [key for key in value if key in ("first", "remark")]
        if hidden:
            raise ValueError(f"{', '.join(hidden)}: WeChat no longer shows this field (since 2023-05-04); "
                             "put its value in a keyword field")
        return value


class WeChatSettings(Strict):
    task_template: Template = Template()
    notice_template: Template = Template()  # residents' progress notices outside the 48-hour window


class MenuButton(Strict):
    """A custom-menu button: a click key, or up to five sub-buttons (WeChat allows three at the top)."""

    name: str = Field(min_length=1, max_length=16)
    key: str = ""
    sub_buttons: list["MenuButton"] = Field(default=[], max_length=5)

    @model_validator(mode="after")
    def _key_or_subs(self) -> "MenuButton":
        if bool(self.key) == bool(self.sub_buttons):
            raise ValueError(f"button {self.name!r} needs either a key or sub_buttons")
        return self


class ConversationSettings(Strict):
    """How long a half-told report waits for the resident, how long later messages add to a new ticket, how long
    after a ticket closes a household can still give its verdict (a 不满意 then reopens it), and how long an open
    ticket is what the resident means when they complain of the same thing again (a chase, 催办)."""

    draft_timeout: Duration = timedelta(minutes=10)
    addendum_window: Duration = timedelta(minutes=10)
    rating_window: Duration = timedelta(days=7)
    # A complaint naming no building, of the same kind as one's own open ticket active this recently, chases it.
    chase_window: Duration = timedelta(days=7)


class WeComSettings(Strict):
    """WeCom (企业微信) app messages for staff: no 48-hour window; secrets come from MINHU_WECOM_*."""

    enabled: bool = False
    roles: list[str] = ["grid_worker", "secretary"]
    users: dict[str, str] = {}  # WeChat openid -> WeCom userid


class WebhookSettings(Strict):
    max_body_bytes: int = Field(default=65536, ge=1024, le=10 * 1024 * 1024)
    # A signed request whose timestamp is further than this from our clock is refused (a replay).
    max_clock_skew: Duration = timedelta(minutes=10)
    # With MINHU_WECHAT_AES_KEY set, only encrypted messages are taken (a plaintext body is signed by nothing);
    # true takes plaintext too, for an account still in WeChat's plaintext mode.
    accept_plaintext: bool = False


class DashboardSettings(Strict):
    """The desk behind a proxy: how many proxies in front of minhu may say who the client is (X-Forwarded-For)."""

    trusted_proxies: int = Field(default=0, ge=0, le=5)
    # The list pins open tickets this close to (or past) a deadline under the urgent ones.
    nearly_late: Duration = timedelta(hours=2)


class SimulatorSettings(Strict):
    """The demo's chat simulator at /simulator; it also refuses to run unless pushes go to the loopback stand-in."""

    enabled: bool = False


class Department(Strict):
    """A functional department (城管, 燃气公司, 供水 …), called in at the last escalation level (吹哨报到)."""

    name: str = Field(min_length=1)
    openid: str = ""  # when empty, the secretary is asked to call
    phone: str = ""


class WorkingHours(Strict):
    """When non-urgent limits count: these ISO weekdays (1 is Monday), from start to end, local time.

    `holidays` are days off although their weekday works (国庆, 春节...); `workdays` are days that work
    although their weekday does not (调休, the weekend days made up for a long holiday). Both are
    dates, listed as the State Council publishes them each year."""

    days: list[int] = Field(default=[1, 2, 3, 4, 5], min_length=1)
    start: ClockTime = time(8, 30)
    end: ClockTime = time(17, 30)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    @model_validator(mode="after")
    def _sane(self) -> "WorkingHours":
        if any(day not in range(1, 8) for day in self.days):
            raise ValueError("days are ISO weekdays, 1 (Monday) to 7 (Sunday)")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if both := sorted(self.holidays & self.workdays):
            raise ValueError(f"{', '.join(map(str, both))} listed both as a holiday and as a workday")
        return self

    def works_on(self, day: date) -> bool:
        return day in self.workdays or (day.isoweekday() in self.days and day not in self.holidays)


class FollowUp(Strict):
    """Reminders before a limit passes, then escalation one level at a time: backup, secretary, department."""

    remind_before: Share = 0.25  # of the limit, or a duration
    escalate_every: Share = 0.5  # between escalation levels once a limit has passed
    working_hours: WorkingHours | None = None
    # Households on one ticket (the reporter and the neighbours who joined) at which its grid worker is
    # told again; past the last, at every multiple of it. A burst must not bury them in pushes.
    tell_joined_at: list[int] = [2, 3, 5, 10, 20, 50, 100]
    # What a resident adds to a ticket reaches its holder at once, then at most once this often per ticket:
    # what is added meanwhile comes in one push (WeChat counts every customer-service message).
    tell_added_every: Duration = timedelta(minutes=5)

    @field_validator("tell_joined_at")
    @classmethod
    def _rising_household_counts(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("list at least one household count, e.g. [2, 5, 10]")
        if value[0] < 2 or any(b <= a for a, b in zip(value, value[1:])):
            raise ValueError("household counts start at 2 (the reporter and one neighbour) and rise")
        return value

    def tells_joined(self, households: int) -> bool:
        """Whether the grid worker hears of the neighbour who made this many households."""
        last = self.tell_joined_at[-1]
        return households in self.tell_joined_at or (households > last and households % last == 0)


class QuotaSettings(Strict):
    """What one resident may send, open and page for (staff are never held back): past these, a kind answer."""

    messages_per_minute: int = Field(default=10, ge=1)
    tickets_per_day: int = Field(default=30, ge=1)  # a local calendar day
    # The secretary's urgent pages a resident's emergencies (and words added to them) may cause; each ticket pages once.
    urgent_pages_per_hour: int = Field(default=3, ge=1)


class NoticeSettings(Strict):
    """通知公告 to residents: the template for those outside WeChat's 48-hour window, and how fast they go out."""

    # Filled from {title} {place} {time} {summary} (the notice's text). WeChat has shown neither `first` nor `remark`
    # since 2023-05-04, and shows each keyword value to 20 characters on one line (minhu cuts them so).
    template: Template = Template()
    per_minute: int = Field(default=600, ge=1, le=60000)


class OutboundWebhook(Strict):
    """A signed POST to a district system on each ticket status change; empty url: off. Secret: MINHU_OUTBOUND_WEBHOOK_SECRET."""

    url: str = ""
    timeout: Duration = timedelta(seconds=10)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"expected an http:// or https:// address, got {value!r}")
        return value


class ServiceQuestion(Strict):
    """An extra question an Open311 client answers for a category (a GeoReport v2 service attribute)."""

    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_]+$")
    description: str = Field(min_length=1)  # the question, as the city's operator reads it
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"] = "string"
    required: bool = False
    values: dict[str, str] = {}  # key: name, for the list datatypes

    @model_validator(mode="after")
    def _lists_have_values(self) -> "ServiceQuestion":
        if self.datatype.endswith("valuelist") != bool(self.values):
            raise ValueError(f"{self.code}: values are given exactly for singlevaluelist and multivaluelist")
        return self


class Open311Settings(Strict):
    """Open311 GeoReport v2: extra questions per category code for cases handed down by the city."""

    questions: dict[str, list[ServiceQuestion]] = {}

    @field_validator("questions")
    @classmethod
    def _known_categories(cls, value: dict) -> dict:
        unknown = [code for code in value if code not in CATEGORY_CODES]
        if unknown:
            raise ValueError(f"unknown categories: {', '.join(unknown)}")
        return value


class DigestSettings(Strict):
    """The secretaries' daily digest: when it is sent (local time) and the page it links to."""

    time: ClockTime = time(8, 0)
    url: str = ""  # {community} and {day} are filled in


Reply = Annotated[str, Field(min_length=1, max_length=300)]


class Replies(Strict):
    """Common replies (常用回复) residents receive: chosen on the desk, or by number in chat (完成 100001 #2)."""

    resolve: list[Reply] = Field(default=[], max_length=20)
    close: list[Reply] = Field(default=[], max_length=20)


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
    simulator: SimulatorSettings = SimulatorSettings()
    dashboard: DashboardSettings = DashboardSettings()
    nlp: dict[str, Any] = {}
    departments: dict[str, Department] = {}
    followup: FollowUp = FollowUp()
    digest: DigestSettings = DigestSettings()
    menu: list[MenuButton] = Field(default=[], max_length=3)
    # Safety advice for urgent reports: by the kind of danger (nlp.urgency.DANGERS: electric, gas...), else by
    # category code, else "default".
    advice: dict[str, str] = {}
    # The number to call while help comes, by kind of danger or category (handlers/emergency.py has the defaults).
    emergency_numbers: dict[str, str] = {}
    conversation: ConversationSettings = ConversationSettings()
    wecom: WeComSettings = WeComSettings()
    quotas: QuotaSettings = QuotaSettings()
    notices: NoticeSettings = NoticeSettings()
    open311: Open311Settings = Open311Settings()
    outbound_webhook: OutboundWebhook = OutboundWebhook()
    replies: Replies = Replies()

    @field_validator("advice", "emergency_numbers")
    @classmethod
    def _advice_for_known_categories(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [code for code in value if code not in CATEGORY_CODES and code not in DANGERS and code != "default"]
        if unknown:
            raise ValueError(f"unknown categories or dangers: {', '.join(unknown)} (dangers: {', '.join(DANGERS)})")
        return value

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
    def _known_departments(self) -> "Config":
        for code, category in self.categories.items():
            if category.department and category.department not in self.departments:
                raise ValueError(f"categories.{code}.department: {category.department!r} is not in departments")
        return self

    def category(self, code: str) -> Category:
        """A category's settings; a code config.yaml does not list is treated as `other`."""
        return self.categories.get(code) or self.categories["other"]

    def category_name(self, code: str) -> str:
        """The Chinese name residents and staff see, or the code itself for a category config.yaml does not list."""
        category = self.categories.get(code)
        return category.name if category else code

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
    """What comes only from the environment (the `minhu` command adds a `minhu serve` running beside: bot/cli/served.py)."""

    model_config = ConfigDict(frozen=True)
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com/cgi-bin/"
    redis_url: str = ""
    database_url: str = ""
    data_dir: Path = Path("var")
    secret_key: str = ""  # signs dashboard sessions; demo mode keeps a random one under the data folder
    wecom_corpid: str = ""
    wecom_secret: str = ""
    wecom_agentid: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com/cgi-bin/"
    metrics_token: str = ""  # lets /metrics answer beyond loopback, to `Authorization: Bearer <token>`
    outbound_webhook_secret: str = ""  # signs the status changes POSTed to config.yaml's outbound_webhook.url
    # Evidence in an S3-compatible bucket instead of the data folder (bot/store/blobs.py checks these at start).
    media_s3_bucket: str = ""
    media_s3_endpoint: str = ""
    media_s3_region: str = ""
    media_s3_prefix: str = ""
    media_s3_addressing_style: str = ""
    media_s3_access_key_id: str = ""  # or AWS_ACCESS_KEY_ID
    media_s3_secret_access_key: str = ""  # or AWS_SECRET_ACCESS_KEY

    @field_validator("wechat_aes_key")
    @classmethod
    def _an_encoding_aes_key(cls, value: str) -> str:
        # WeChat's EncodingAESKey: 43 characters of base64 for a 32-byte key (wechatpy fails on anything else).
        value = value.strip()
        if not value:
            return value
        if len(value) != 43:
            problem = f"got {len(value)} characters"
        else:
            try:
                if len(base64.b64decode(value + "=", validate=True)) == 32:
                    return value
            except binascii.Error:
                pass
            problem = "got 43 characters that are not a key in base64"
        raise ValueError(f"expected the account's EncodingAESKey, 43 characters of letters and digits "
                         f"(公众号后台 → 设置与开发 → 基本配置 → 服务器配置); {problem}")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Secrets":
        env = dict(os.environ) if env is None else env
        values = {field: env[f"MINHU_{field.upper()}"] for field in cls.model_fields if env.get(f"MINHU_{field.upper()}")}
        for field, standard in (("media_s3_access_key_id", "AWS_ACCESS_KEY_ID"),
                                ("media_s3_secret_access_key", "AWS_SECRET_ACCESS_KEY")):
            if field not in values and env.get(standard):  # the standard names stand in for minhu's own
                values[field] = env[standard]
        try:
            return cls(**values)
        except ValidationError as exc:  # name the variable, never echo its value (a secret)
            raise ConfigError("\n".join(f"MINHU_{str(item['loc'][0]).upper()}: {item['msg'].removeprefix('Value error, ')}"
                                        for item in exc.errors())) from None


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


# Pydantic's words for a mistake, said the way an administrator editing config.yaml reads them
# (filled from the error's context, and {got}: what the file says).
_MAPPING, _BOOL, _WHOLE = "expected a mapping (key: value lines), got {got}", "expected true or false, got {got}", \
    "expected a whole number, got {got}"
_PLAIN = {
    "extra_forbidden": "unknown key (misspelt, or under the wrong parent?)",
    "missing": "missing (it is required)",
    "list_type": "expected a list such as [a, b], got {got}",
    "dict_type": _MAPPING, "model_type": _MAPPING, "model_attributes_type": _MAPPING,
    "bool_type": _BOOL, "bool_parsing": _BOOL,
    "int_type": _WHOLE, "int_parsing": _WHOLE,
    "string_type": "expected text, got {got}",
    "greater_than_equal": "expected at least {ge}, got {got}",
    "less_than_equal": "expected at most {le}, got {got}",
    "too_short": "expected at least {min_length} item(s), got {actual_length}",
    "too_long": "expected at most {max_length} items, got {actual_length}",
    "string_too_short": "must not be empty",
    "string_too_long": "expected at most {max_length} characters, got {got}",
}


# Keys an older config.yaml may still hold, and their names now: refused naming the new key, not as unknown.
RENAMED = {("conversation", "nudge_window"): "conversation.chase_window"}


def _format_error(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: invalid configuration"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"])
        plain = _PLAIN.get(item["type"])
        facts = defaultdict(str, (item.get("ctx") or {}) | {"got": repr(item.get("input"))})
        message = (plain.format_map(facts) if plain
                   else item["msg"].removeprefix("Value error, "))
        # A check of the whole file names its own key ("categories.gas.department: …").
        lines.append(f"  {key}: {message}" if key else f"  {message}")
    return "\n".join(lines)


def config_warnings(config: Config) -> list[str]:
    """What is allowed but likely a slip, naming the key: a building in no grid goes to the secretary."""
    warnings = []
    for c, community in enumerate(config.communities):
        for e, estate in enumerate(community.estates):
            in_grids = {building for grid in estate.grids for building in grid.buildings}
            warnings += [f"communities.{c}.estates.{e}.buildings: building {building!r} is in no grid: its tickets "
                         f"go to the secretary ({community.secretary.name})"
                         for building in estate.buildings if building not in in_grids]
    return warnings


def load_config(path: Path) -> Config:
    """Read and validate config.yaml; raise ConfigError naming the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if raw is None:
        raise ConfigError(f"{path}: is empty")
    if not isinstance(raw, dict):
        got = {list: "a list", str: "text"}.get(type(raw), repr(raw))
        raise ConfigError(f"{path}: expected a mapping of settings (key: value lines) at the top level, got {got}")
    renamed = [f"  {parent}.{key}: renamed; write {now} instead" for (parent, key), now in RENAMED.items()
               if isinstance(raw.get(parent), dict) and key in raw[parent]]
    if renamed:
        raise ConfigError("\n".join([f"{path}: invalid configuration", *renamed]))
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
    own = config.category(category)
    accept = (own.urgent_accept_within or config.defaults.urgent_accept_within) if urgent else None
    accept = accept or own.accept_within or config.defaults.accept_within
    return accept, own.resolve_within or config.defaults.resolve_within
