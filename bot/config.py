"""`agora.toml`: one pydantic model per section, errors with TOML path, line and hint.

Admins edit this file by hand, so a typo must never pass silently: unknown keys are
errors, wrong types say what was expected, and every problem names the line it is
on. Secrets are never in the file; it names the environment variable that holds
them (`token_env = "DISCORD_TOKEN"`).
"""

from __future__ import annotations

import copy
import difflib
import itertools
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.i18n import N_, SUPPORTED_LOCALES, _, normalize_locale
from bot.redact import redact

DEFAULT_CONFIG_FILE = "agora.toml"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///agora.db"

S = TypeVar("S", bound=BaseModel)


class Hinted(ValueError):
    """A validator's complaint with the hint apart, so `agora check` shows both."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Section(BaseModel):
    """Base of every config section: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


_ENV_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_env_name(value: str | None) -> str | None:
    """A `*_env` key names a variable; a secret pasted there must not pass, nor be echoed."""
    if value and not _ENV_VARIABLE.fullmatch(value):
        raise Hinted(
            _("this must be the name of an environment variable, not the secret itself"),
            _(
                "letters, digits and underscore, e.g. DISCORD_TOKEN; export the secret "
                "under that name"
            ),
        )
    return value


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise Hinted(
            _("unknown time zone {value!r}", value=value),
            _("use an IANA name like Europe/Oslo"),
        ) from None
    return value


def check_language(value: str) -> str:
    if value not in SUPPORTED_LOCALES:
        raise Hinted(
            _("unsupported language {value!r}", value=value),
            _("choose one of {choices}", choices=", ".join(SUPPORTED_LOCALES)),
        )
    return value


class FeatureConfig(Section):
    """Every `[features.<name>]` section has at least `enabled`."""

    enabled: bool = True


class BotConfig(Section):
    name: str = Field("Agora community", min_length=1, max_length=100)
    language: str = "en"
    timezone: str = "UTC"
    instance_id: str | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    pid_file: str = "agora.pid"
    health_host: str = "127.0.0.1"
    health_port: int = Field(0, ge=0, le=65535)
    # Seconds without any event after which health reports "degraded" (0: never).
    health_max_event_age: int = Field(0, ge=0)
    # Channel name → language, for channels of one language community ("lv-talk" = "lv").
    channel_languages: dict[str, str] = Field(default_factory=dict)
    # Speak the language a member's Discord or Slack is set to when they have not chosen.
    use_platform_locale: bool = False

    _tz = field_validator("timezone")(check_timezone)
    _lang = field_validator("language")(check_language)

    @field_validator("channel_languages")
    @classmethod
    def _channel_languages(cls, value: dict[str, str]) -> dict[str, str]:
        return {
            name.strip().lstrip("#").lower(): check_language(lang) for name, lang in value.items()
        }

    def channel_language(self, channel_name: str | None) -> str | None:
        if not channel_name or not self.channel_languages:
            return None
        return self.channel_languages.get(channel_name.strip().lstrip("#").lower())

    def language_for(
        self, chosen: str | None, platform: str | None = None, channel: str | None = None
    ) -> str:
        """The language to speak: the member's own choice, else the channel's, else what
        their platform reports (only with `use_platform_locale`), else the community's.

        A platform's setting is a weak hint: its interface is often left in English,
        and Slack offers none of nb, lv, fi, uk (Discord no Latvian), so by default it
        never outvotes the languages an admin configured.
        """
        hint = normalize_locale(platform) if self.use_platform_locale else None
        return normalize_locale(chosen) or self.channel_language(channel) or hint or self.language


class StorageConfig(Section):
    url: str = DEFAULT_DATABASE_URL
    url_env: str | None = None
    auto_migrate: bool | None = None
    echo: bool = False
    # PostgreSQL: seconds to wait for a connection, for one statement, and for a free
    # connection from the pool before the member hears "temporarily unavailable".
    connect_timeout: float = Field(5.0, gt=0, le=300)
    command_timeout: float = Field(15.0, gt=0, le=3600)
    pool_timeout: float = Field(10.0, gt=0, le=300)

    _env = field_validator("url_env")(check_env_name)

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if re.match(r"^[a-z+]+://[^/@:]+:[^/@]+@", value):
            raise Hinted(
                _("the URL contains a password"),
                _("put the URL in an environment variable and name it with url_env instead"),
            )
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise Hinted(
                _("this database URL is not supported"),
                _("use sqlite+aiosqlite:///agora.db or postgresql+asyncpg://user@host/db"),
            )
        return value

    def resolved_url(self, env: Mapping[str, str]) -> str:
        """The URL to connect to: from `url_env` when set (keeps passwords out of files)."""
        if self.url_env:
            value = env.get(self.url_env)
            if not value:
                raise ConfigError(
                    [
                        Problem(
                            "storage.url_env",
                            None,
                            _("the environment variable {name} is not set", name=self.url_env),
                            _(
                                "export {name}=postgresql+asyncpg://user:password@host/db",
                                name=self.url_env,
                            ),
                        )
                    ]
                )
            return value
        return self.url

    def required_env(self) -> list[str]:
        """The `*_env` keys whose variables must be set to connect."""
        return ["url_env"] if self.url_env else []

    def should_auto_migrate(self, resolved_url: str | None = None) -> bool:
        """Explicit setting, else: yes for SQLite (the URL actually used), no otherwise."""
        if self.auto_migrate is not None:
            return self.auto_migrate
        return (resolved_url or self.url).startswith("sqlite")


class PrivacyConfig(Section):
    """What Agora keeps about people, and for how long. Message content is never
    stored (only facts; question texts for FAQ search), so there is no key for it."""

    activity_retention_days: int = Field(400, ge=1)
    processed_events_retention_days: int = Field(14, ge=1)
    link_code_minutes: int = Field(10, ge=1, le=120)

    @model_validator(mode="before")
    @classmethod
    def _no_content_key(cls, data: Any) -> Any:
        """Files written from an older example say `store_message_content = false`:
        that is what happens, so it is accepted; `true` was never honoured, and is
        refused rather than silently ignored."""
        if isinstance(data, dict) and "store_message_content" in data:
            data = dict(data)
            if data.pop("store_message_content") is not False:
                raise ValueError(
                    _(
                        "store_message_content is no longer a setting: Agora never stores "
                        "message content. Delete the line."
                    )
                )
        return data


class LimitsConfig(Section):
    """Abuse protection: how fast one person may use the bot (0: no limit)."""

    commands_per_minute: int = Field(20, ge=0)
    clicks_per_minute: int = Field(60, ge=0)


class Bridge(Section):
    """One Discord channel and one Slack channel that show the same announcements."""

    discord: str = Field(min_length=1)
    slack: str = Field(min_length=1)


# Names in the console community: one word, as platforms have them, short enough that
# the ids made of them ("u-alice", "c-general") fit the database's 64-character columns.
MEMBER_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,32}")
CHANNEL_NAME = re.compile(r"[A-Za-z0-9_\-]{1,50}")


def _one_word(value: str, sigil: str, pattern: re.Pattern[str], problem: str, hint: str) -> str:
    name = value.strip().lstrip(sigil)
    if not pattern.fullmatch(name):
        raise Hinted(problem, hint)
    return name


def check_member_name(value: str) -> str:
    """A console member's name as typed (`@` allowed), or Hinted saying how to write one."""
    return _one_word(
        value,
        "@",
        MEMBER_NAME,
        _("{value!r} is not a member name", value=value),
        _("one word of letters, digits, '.', '-' and '_', at most 32 characters, e.g. dave"),
    )


def check_channel_name(value: str) -> str:
    """A console channel's name as typed (`#` allowed), in lower case, or Hinted."""
    return _one_word(
        value,
        "#",
        CHANNEL_NAME,
        _("{value!r} is not a channel name", value=value),
        _("one word of letters, digits, '-' and '_', at most 50 characters, e.g. off-topic"),
    ).lower()


class ConsoleMember(Section):
    name: str
    roles: list[str] = []
    locale: str | None = None

    _name = field_validator("name")(check_member_name)


class ConsoleConfig(Section):
    enabled: bool | None = None
    seed: bool = True
    members: list[ConsoleMember] = [
        ConsoleMember(name="alice", roles=["admin"]),
        ConsoleMember(name="bob", roles=["moderator"]),
        ConsoleMember(name="carol"),
    ]
    channels: list[str] = ["general", "help", "mod-queue"]
    start_as: str = "alice"
    start_in: str = "general"

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, values: list[str]) -> list[str]:
        return [check_channel_name(value) for value in values]


# The longest an interaction waits before it is deferred: the answer's round trip to
# Discord must still fit in the 300 ms acknowledgement target.
MAX_DEFER_AFTER = 0.25


class DiscordConfig(Section):
    enabled: bool = False
    token_env: str = "DISCORD_TOKEN"
    guild_ids: list[int] = []
    shard_count: int | None = Field(None, ge=1)
    api_base_url: str | None = None
    gateway_url: str | None = None
    # The privileged intents; unset, each is asked for only when an enabled feature needs
    # it (the adapter's `intents`), true or false overrides that.
    message_content: bool | None = None
    members: bool | None = None
    # The application's id, for `agora discord invite-url` (else read from the token).
    application_id: int | None = Field(None, ge=1)
    # Seconds an interaction waits for the core's first answer before it is deferred
    # (Discord allows 3 s). Within it a reply is the response itself and a form a modal.
    # At most MAX_DEFER_AFTER: longer, a slow command leaves the member without any sign
    # of life past the acknowledgement target (300 ms p99, `make bench BENCH=discord`).
    defer_after: float = Field(0.25, ge=0, le=MAX_DEFER_AFTER)

    _env = field_validator("token_env")(check_env_name)

    def required_env(self) -> list[str]:
        """The `*_env` keys whose variables must be set to connect."""
        return ["token_env"]


# What granting reward roles as Slack user groups needs (`[slack] user_groups`).
USER_GROUP_SCOPES = ("usergroups:read", "usergroups:write")


class SlackConfig(Section):
    enabled: bool = False
    mode: Literal["http", "socket"] = "socket"
    bot_token_env: str = "SLACK_BOT_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    app_token_env: str = "SLACK_APP_TOKEN"
    host: str = "0.0.0.0"
    port: int = Field(3000, ge=0, le=65535)  # 0: any free port (tests)
    path: str = "/slack/events"
    api_base_url: str | None = None
    admin_token_env: str | None = None
    # The public HTTPS base Slack reaches in HTTP mode (only `agora slack-manifest` uses it).
    public_url: str | None = None
    # Channels (names or ids) whose member_joined_channel / member_left_channel count as
    # joining or leaving the community (a community that is a channel of a bigger
    # workspace); names are resolved when the adapter starts.
    join_channels: list[str] = []
    # Seconds between two posts in one channel (Slack allows about one per second).
    post_interval: float = Field(1.0, ge=0, le=60)
    # Seconds an event's acknowledgement waits for Agora to commit it (Slack gives 3).
    ack_within: float = Field(0.25, ge=0, le=2.5)

    _env = field_validator(
        "bot_token_env",
        "signing_secret_env",
        "app_token_env",
        "admin_token_env",
        "client_id_env",
        "client_secret_env",
    )(check_env_name)
    # Multi-workspace install (OAuth v2): every workspace installs the app itself and
    # its bot token is kept in the database; off, one workspace and `bot_token_env`.
    oauth: bool = False
    client_id_env: str = "SLACK_CLIENT_ID"
    client_secret_env: str = "SLACK_CLIENT_SECRET"
    # Bot scopes asked for at install; empty means those of `agora slack-manifest`.
    scopes: list[str] = []
    install_path: str = "/slack/install"
    redirect_uri_path: str = "/slack/oauth_redirect"
    # Slack's page where an admin approves the install; empty means the one of the
    # host `api_base_url` names (https://slack.com/oauth/v2/authorize by default).
    oauth_authorize_url: str | None = None
    # Reward roles as Slack user groups (needs usergroups:read and usergroups:write, and a
    # paid plan); off, a role on Slack is only the stored perk.
    user_groups: bool = False
    # Create a user group that does not exist yet (handle: the role name, slugified);
    # off, a role without its group stays a perk and the log says which group to create.
    create_user_groups: bool = False

    def required_env(self) -> list[str]:
        """The `*_env` keys whose variables must be set to connect in this mode."""
        keys = ["client_id_env", "client_secret_env"] if self.oauth else ["bot_token_env"]
        keys.append("signing_secret_env" if self.mode == "http" else "app_token_env")
        if self.admin_token_env:
            keys.append("admin_token_env")
        return keys

    @field_validator("install_path", "redirect_uri_path")
    @classmethod
    def _url_path(cls, value: str) -> str:
        if not re.fullmatch(r"/[A-Za-z0-9._~/-]*", value):
            raise ValueError(_("write a URL path starting with /, e.g. /slack/install"))
        return value

    @field_validator("oauth_authorize_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError(
                _("write a web address, e.g. https://slack-gov.com/oauth/v2/authorize")
            )
        return value or None

    @field_validator("scopes")
    @classmethod
    def _scope_names(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.fullmatch(r"[a-z_]+(:[a-z_.]+)?", value):
                raise ValueError(
                    _("{value!r} is not a Slack scope; write e.g. chat:write", value=value)
                )
        return values

    @model_validator(mode="after")
    def _user_group_scopes(self) -> SlackConfig:
        if self.create_user_groups and not self.user_groups:
            raise ValueError(_("create_user_groups = true needs user_groups = true"))
        missing = [s for s in USER_GROUP_SCOPES if self.scopes and s not in self.scopes]
        if self.user_groups and missing:
            raise ValueError(
                _(
                    "user_groups = true needs the scopes {missing}: add them to scopes "
                    "(and reinstall the app), or leave scopes empty for the manifest's",
                    missing=", ".join(missing),
                )
            )
        return self

    @model_validator(mode="after")
    def _oauth_needs_http(self) -> SlackConfig:
        if not self.oauth:
            return self
        if self.mode != "http":
            raise ValueError(
                _(
                    'oauth = true needs mode = "http": installers come back to '
                    "redirect_uri_path and Slack sends every workspace's events to path"
                )
            )
        if self.admin_token_env:
            raise ValueError(
                _(
                    "admin_token_env holds a token of one workspace; remove it when "
                    "oauth = true (several workspaces)"
                )
            )
        paths = [self.path, self.install_path, self.redirect_uri_path]
        if len({p.rstrip("/") or "/" for p in paths}) < len(paths):
            raise ValueError(
                _("path, install_path and redirect_uri_path must be three different paths")
            )
        return self


class PermissionsConfig(Section):
    """Selectors per level: `role:Moderator`, `user:alice`, `user:discord:GUILD:USER`."""

    admin: list[str] = ["role:admin"]
    moderator: list[str] = ["role:moderator"]
    helper: list[str] = ["role:helper"]

    @field_validator("admin", "moderator", "helper")
    @classmethod
    def _selectors(cls, values: list[str]) -> list[str]:
        for value in values:
            kind, sep, rest = value.partition(":")
            if not sep or kind not in ("role", "user") or not rest.strip():
                raise Hinted(
                    _("{value!r} is not a selector", value=value),
                    _("write role:NAME or user:NAME, e.g. role:Moderators"),
                )
        return values


class AgoraConfig(Section):
    bot: BotConfig = BotConfig()
    storage: StorageConfig = StorageConfig()
    console: ConsoleConfig = ConsoleConfig()
    discord: DiscordConfig = DiscordConfig()
    slack: SlackConfig = SlackConfig()
    permissions: PermissionsConfig = PermissionsConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    limits: LimitsConfig = LimitsConfig()
    bridges: list[Bridge] = []
    features: dict[str, FeatureConfig] = {}
    source: str | None = None

    def feature(self, name: str, model: type[FeatureConfig] = FeatureConfig) -> FeatureConfig:
        """The validated section of one feature (defaults when the file has none)."""
        found = self.features.get(name)
        if isinstance(found, model):
            return found
        return model.model_validate(found.model_dump() if found is not None else {})


# --- errors -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file: where (`features.polls.max_options`, line) and why."""

    path: str
    line: int | None
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        # Messages quote the offending value; a token pasted into the wrong key (or a
        # URL with its password) must not be echoed to the terminal or the log.
        object.__setattr__(self, "message", redact(self.message))
        object.__setattr__(self, "hint", redact(self.hint))

    def __str__(self) -> str:
        where = _("line {number}", number=self.line) + ": " if self.line else ""
        hint = " " + _("(hint: {hint})", hint=self.hint) if self.hint else ""
        return f"{where}{self.path or '(file)'}: {self.message}{hint}"


def by_line(problems: Sequence[Problem]) -> list[Problem]:
    """In file order; problems without a line (the environment, the file) last."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


class ConfigError(Exception):
    """The file's problems; `partial` is the config with the broken keys at their defaults.

    `agora check` runs the checks beyond the schema (cron strings, each feature's rules)
    on `partial`, so an admin sees every problem at once, not one pass after another.
    """

    def __init__(
        self,
        problems: Sequence[Problem],
        source: str | None = None,
        partial: AgoraConfig | None = None,
    ) -> None:
        self.problems = list(problems)
        self.source = source
        self.partial = partial
        head = f"{source}: " if source else ""
        super().__init__(head + "; ".join(str(p) for p in self.problems))


_TYPE_HINTS = {
    "bool_type": N_("write true or false (no quotes)"),
    "bool_parsing": N_("write true or false (no quotes)"),
    "int_type": N_("write a whole number without quotes"),
    "int_parsing": N_("write a whole number without quotes"),
    "int_from_float": N_("write a whole number"),
    "float_type": N_("write a number without quotes"),
    "float_parsing": N_("write a number without quotes"),
    "string_type": N_('put the value in quotes, e.g. "text"'),
    "list_type": N_('use a list in square brackets, e.g. ["a", "b"]'),
    "dict_type": N_("use a table: a [section] or { key = value }"),
    "model_type": N_("use a table: a [section] or { key = value }"),
    "missing": N_("add this key"),
    "literal_error": N_("use one of the values the message lists"),
    "greater_than": N_("use a larger value"),
    "greater_than_equal": N_("use a larger value"),
    "less_than_equal": N_("use a smaller value"),
    "string_too_short": N_("this must not be empty"),
    "string_pattern_mismatch": N_("use letters, digits, dot, dash or underscore"),
}
_ANY_HINT = N_("see config.example.toml for the expected value")


def _raised(error: Mapping[str, Any]) -> Hinted | None:
    """The `Hinted` a validator raised for this error, if it raised one."""
    raised = (error.get("ctx") or {}).get("error")
    return raised if isinstance(raised, Hinted) else None


def _hint(error: Mapping[str, Any], model: type[BaseModel] | None) -> str:
    hinted = _raised(error)
    if hinted is not None:
        return hinted.hint
    kind = str(error["type"])
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        known = list(model.model_fields) if model is not None else []
        if _SECRET_KEY.search(key):
            env = (
                f"{key}_env"
                if f"{key}_env" in known
                else next(
                    (k for k in known if k.endswith("_env") and k.startswith(key.split("_")[0])),
                    None,
                )
            )
            if env:
                return _(
                    "never put secrets in this file: set {env} to the name of an environment "
                    "variable and export the secret there",
                    env=env,
                )
            return _("never put secrets in this file; use an environment variable")
        close = difflib.get_close_matches(str(error["loc"][-1]), known, n=1)
        if close:
            return _("did you mean {name!r}?", name=close[0])
        return (
            _("known keys here: {keys}", keys=", ".join(known)) if known else _("remove this key")
        )
    return _(_TYPE_HINTS.get(kind, _ANY_HINT))


_SECRET_KEY = re.compile(r"token|secret|password|passwd|api_key", re.IGNORECASE)


def _model_at(root: type[BaseModel], loc: Sequence[Any]) -> type[BaseModel] | None:
    """The model that owns the last key of `loc` (for 'did you mean')."""
    model: type[BaseModel] | None = root
    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        annotation = field.annotation
        inner = getattr(annotation, "__args__", None)
        candidates = [annotation, *(inner or ())]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    return model


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return _("unknown key")
    hinted = _raised(error)
    if hinted is not None:
        return hinted.message
    text = str(error["msg"])
    return text.removeprefix("Value error, ")


# --- locating keys in the TOML text ---------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_key(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'""", text)
    return [p.strip("\"'") for p in parts]


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map every key path (array-of-table entries by index) to its 1-based line number.

    tomllib gives no positions, and admins need them, so this scans the lines the way
    TOML defines tables and dotted keys. Multi-line strings are skipped over.
    """
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    counters: dict[tuple[str, ...], int] = {}
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if in_string in line:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header:
            path = tuple(_split_key(header.group(2)))
            if header.group(1) == "[[":
                index = counters.get(path, -1) + 1
                counters[path] = index
                table = (*path, str(index))
            else:
                table = path
            found.setdefault(table, number)
            for i in range(1, len(table)):
                found.setdefault(table[:i], number)
            continue
        key = _KEY.match(line)
        if key:
            path = (*table, *_split_key(key.group(1)))
            found.setdefault(path, number)
            rest = line[key.end() :]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_string = quote
    return found


def _line_for(lines: Mapping[tuple[str, ...], int], loc: Sequence[Any]) -> int | None:
    path = tuple(str(p) for p in loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


# --- loading --------------------------------------------------------------------------


def _problems(
    error: ValidationError,
    model: type[BaseModel],
    prefix: tuple[str, ...],
    lines: Mapping[tuple[str, ...], int],
) -> Iterator[Problem]:
    for item in error.errors():
        loc = (*prefix, *(str(p) for p in item["loc"]))
        yield Problem(
            ".".join(loc),
            _line_for(lines, loc),
            _message(item),
            _hint(item, _model_at(model, item["loc"])),
        )


def _without(data: Mapping[str, Any], locs: Iterable[Sequence[Any]]) -> dict[str, Any] | None:
    """A copy of `data` without the keys at `locs` (a list entry takes its whole list).

    None when an error is about the document as a whole: nothing to leave out then.
    """
    if not isinstance(data, Mapping):
        return None
    pruned = copy.deepcopy(dict(data))
    for loc in locs:
        keys = list(itertools.takewhile(lambda part: not isinstance(part, int), loc))
        if not keys:
            return None
        table: Any = pruned
        for key in keys[:-1]:
            table = table.get(key) if isinstance(table, dict) else None
        if isinstance(table, dict):
            table.pop(keys[-1], None)
    return pruned


def _validated(
    model: type[S],
    data: Mapping[str, Any],
    prefix: tuple[str, ...],
    lines: Mapping[tuple[str, ...], int],
    problems: list[Problem],
) -> S | None:
    """`data` as `model`; on errors, records them and returns the rest at its defaults."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems.extend(_problems(error, model, prefix, lines))
        failed = error
    for _attempt in range(3):
        rest = _without(data, (item["loc"] for item in failed.errors()))
        if rest is None:
            return None
        try:
            return model.model_validate(rest)
        except ValidationError as again:
            data, failed = rest, again
    return None


def config_from_dict(
    data: Mapping[str, Any],
    feature_models: Mapping[str, type[FeatureConfig]],
    *,
    lines: Mapping[tuple[str, ...], int] | None = None,
    source: str | None = None,
) -> AgoraConfig:
    """Validate a parsed TOML document; collects every problem before raising."""
    lines = lines or {}
    problems: list[Problem] = []
    raw = dict(data)
    raw_features = raw.pop("features", {})
    features: dict[str, FeatureConfig] = {}
    if not isinstance(raw_features, Mapping):
        problems.append(
            Problem(
                "features", _line_for(lines, ("features",)), _("must be a table"), "[features.NAME]"
            )
        )
        raw_features = {}
    for name, section in raw_features.items():
        model = feature_models.get(name)
        if model is None:
            close = difflib.get_close_matches(name, list(feature_models), n=1)
            hint = (
                _("did you mean {name!r}?", name=close[0])
                if close
                else _("features are: {names}", names=", ".join(sorted(feature_models)))
            )
            problems.append(
                Problem(
                    f"features.{name}",
                    _line_for(lines, ("features", name)),
                    _("unknown feature"),
                    hint,
                )
            )
            continue
        found = _validated(model, section, ("features", name), lines, problems)
        if found is not None:
            features[name] = found
    config = _validated(AgoraConfig, {**raw, "source": source}, (), lines, problems)
    if config is not None:
        config = config.model_copy(update={"features": features})
    if problems or config is None:
        raise ConfigError(by_line(problems), source, partial=config)
    return config


def parse_toml(text: str, source: str | None = None) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"line (\d+)", message)
        line = int(match.group(1)) if match else None
        raise ConfigError(
            [
                Problem(
                    "",
                    line,
                    _("not valid TOML: {error}", error=message),
                    _('check quotes, brackets and "=" on that line'),
                )
            ],
            source,
        ) from None


def load_config(
    path: str | Path | None,
    feature_models: Mapping[str, type[FeatureConfig]] | None = None,
) -> AgoraConfig:
    """Read and validate a config file; `None` means the built-in defaults."""
    if feature_models is None:
        from bot.features import feature_models as discover

        feature_models = discover()
    if path is None:
        return config_from_dict({}, feature_models)
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [
                Problem(
                    "",
                    None,
                    _("no such file: {file}", file=file),
                    _("copy config.example.toml to agora.toml"),
                )
            ]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            [Problem("", None, _("cannot read {file}: {error}", file=file, error=error))]
        ) from None
    data = parse_toml(text, str(file))
    return config_from_dict(data, feature_models, lines=key_lines(text), source=str(file))
