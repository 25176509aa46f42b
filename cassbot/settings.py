"""cassbot's configuration model: one TOML file, overridden by `CASSBOT__…` environment variables.

Every section later features use lives here, so one validation pass reports every invalid key
at start-up. Loading (file discovery, env overrides, readable errors) is in `cassbot.config`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from cassbot.registration.settings import (  # registration feature (docs/registro.md)
    CommunityRegistrationSettings,
    PanelSettings,
    PrivacySettings,
    RegistrationSettings,
)
from cassbot.tickets.settings import TicketSettings
from moderation.settings import PolicySettings

Department = Literal[
    "agua",  # ODAPAS
    "servicios",  # Servicios Públicos
    "seguridad",  # Seguridad Ciudadana
    "proteccion_civil",
    "desarrollo_economico",
    "gobierno_digital",
    "presidencia",
]
DEPARTMENT_NAMES: dict[str, str] = {
    "agua": "ODAPAS (agua potable)",
    "servicios": "Servicios Públicos",
    "seguridad": "Seguridad Ciudadana",
    "proteccion_civil": "Protección Civil",
    "desarrollo_economico": "Desarrollo Económico",
    "gobierno_digital": "Gobierno Digital",
    "presidencia": "Presidencia Municipal",
}
# enlace: first contact of a department; director: its head; presidencia: the mayor's office;
# administrador: runs the bot (all permissions, all communities).
OfficialRole = Literal["enlace", "director", "presidencia", "administrador"]
Channel = Literal["local", "whatsapp", "telegram"]

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)  # 0: any free port (tests)
    public_url: str | None = None  # how the outside world reaches us (webhooks, links)

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL such as https://cass.jilotepec.gob.mx")
        return value.rstrip("/") if value else value


class PathsSettings(Section):
    data_dir: Path = Path("var")  # database, trained models, exports; relative to the cwd


class DatabaseSettings(Section):
    url: str | None = None  # default: sqlite+aiosqlite:///<data_dir>/cassbot.db
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use sqlite+aiosqlite:///path/to/file.db or "
                "postgresql+asyncpg://user:password@host/dbname"
            )
        return value


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class Persona(Section):
    id: str
    name: str
    # The persona's mobile number: an approved registration with this number is this persona
    # in the playground (so the demo can add a registered neighbour to a simulated group).
    phone: str | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        from cassbot.phones import normalise_phone

        if value is None:
            return None
        phone = normalise_phone(value)
        if phone is None:
            raise ValueError("not a phone number")
        return phone


def _default_personas() -> list[Persona]:
    return [
        Persona(id="vecina-lupita", name="Lupita Martínez", phone="+527615550101"),
        Persona(id="vecino-beto", name="Beto Hernández", phone="+527615550102"),
        Persona(id="vecina-karla", name="Karla Ramírez", phone="+527615550103"),
        Persona(id="vecino-juan", name="Juan Pérez", phone="+527615550104"),
    ]


class LocalAdapterSettings(Section):
    """The playground: a simulated group chat in the browser."""

    enabled: bool = True
    personas: list[Persona] = Field(default_factory=_default_personas)


class WhatsAppAdapterSettings(Section):
    """WhatsApp groups through a WAHA gateway (see docs/whatsapp.md)."""

    enabled: bool = False
    base_url: str = "http://127.0.0.1:3000"
    api_key: SecretStr | None = None
    session: str = "default"
    webhook_hmac_key: SecretStr | None = None
    # --- whatsapp: gateway calls ---
    request_timeout_s: float = Field(15.0, gt=0)
    status_poll_s: float = Field(30.0, gt=0)  # how often the session's state is checked
    # Retry delay for actions while the session is not WORKING or the gateway is unreachable:
    # they wait in the outbox (without using up their attempts) and go out when it recovers.
    wait_retry_s: float = Field(30.0, gt=0)
    admin_cache_s: float = Field(300.0, ge=0)  # how long the bot's admin rights are trusted
    reconcile_interval_s: float = Field(900.0, gt=0)  # roster check against the database
    # --- whatsapp: outbound pacing (WhatsApp bans numbers that send in bursts) ---
    send_chat_interval_s: float = Field(2.0, ge=0)  # between two messages to one chat
    send_per_minute: int = Field(20, ge=1)  # all messages together
    send_burst: int = Field(2, ge=1)  # messages that may leave back to back
    moderation_chat_interval_s: float = Field(0.5, ge=0)  # deletes, removals, adds
    moderation_per_minute: int = Field(30, ge=1)
    jitter_s: float = Field(1.0, ge=0)  # random extra delay, so sends do not look scripted
    max_pacing_wait_s: float = Field(10.0, ge=0)  # longer waits go back to the outbox

    @field_validator("base_url")
    @classmethod
    def _gateway_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be WAHA's http(s) address, e.g. http://127.0.0.1:3000")
        return value.rstrip("/")

    @field_validator("session")
    @classmethod
    def _session_name(cls, value: str) -> str:
        if not re.match(r"^[A-Za-z0-9_-]{1,64}$", value):
            raise ValueError("use letters, digits, '-' or '_' (the WAHA session name)")
        return value

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> WhatsAppAdapterSettings:
        if self.enabled:
            missing = [k for k in ("api_key", "webhook_hmac_key") if getattr(self, k) is None]
            if missing:
                raise ValueError("WhatsApp is enabled but " + ", ".join(missing) + " is not set")
        return self


class TelegramAdapterSettings(Section):
    """Telegram groups through the Bot API (see docs/telegram.md)."""

    enabled: bool = False
    token: SecretStr | None = None  # from @BotFather: "123456789:AA…"
    base_url: str = "https://api.telegram.org/bot"
    webhook_secret: SecretStr | None = None  # Telegram echoes it in every webhook call
    mode: Literal["webhook", "polling"] = "webhook"
    # --- telegram: added by the Telegram adapter -------------------------------------------
    polling_timeout_s: int = Field(30, ge=1, le=50)  # getUpdates long-poll wait
    request_timeout_s: float = Field(15.0, gt=0)  # each Bot API call (connect, read, write)
    admin_refresh_s: float = Field(1800.0, ge=30)  # re-read each group's admins this often
    rate_limit_per_s: float = Field(25.0, ge=0)  # all chats together; Telegram allows ~30
    group_rate_limit_per_min: float = Field(20.0, ge=0)  # per group; Telegram allows ~20
    webhook_max_connections: int = Field(10, ge=1, le=100)  # parallel webhook deliveries

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        token = value.get_secret_value() if value is not None else None
        if token is not None and not re.fullmatch(r"\d{1,20}:[A-Za-z0-9_-]+", token):
            raise ValueError("not a bot token; @BotFather gives one like 123456789:AAH…")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        secret = value.get_secret_value() if value is not None else None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ValueError(
                "Telegram accepts 1 to 256 characters among A-Z, a-z, 0-9, _ and - "
                "(e.g. the output of: openssl rand -hex 32)"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL such as https://api.telegram.org/bot")
        return value.rstrip("/")

    # --- end telegram ------------------------------------------------------------------------

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> TelegramAdapterSettings:
        if self.enabled:
            if self.token is None:
                raise ValueError("Telegram is enabled but token is not set")
            if self.mode == "webhook" and self.webhook_secret is None:
                raise ValueError("Telegram webhook mode needs webhook_secret")
        return self


class EmailAdapterSettings(Section):
    """Outgoing e-mail through an SMTP server (notifications to officials and mailboxes)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    security: Literal["starttls", "tls", "none"] = "starttls"
    from_address: str = "cass@localhost"
    from_name: str = "CASS Jilotepec"
    timeout_s: float = Field(20.0, gt=0)

    @model_validator(mode="after")
    def _credentials_pair(self) -> EmailAdapterSettings:
        if (self.username is None) != (self.password is None):
            raise ValueError("give both username and password, or neither")
        return self


class AdaptersSettings(Section):
    local: LocalAdapterSettings = LocalAdapterSettings()
    whatsapp: WhatsAppAdapterSettings = WhatsAppAdapterSettings()
    telegram: TelegramAdapterSettings = TelegramAdapterSettings()
    email: EmailAdapterSettings = EmailAdapterSettings()


class GroupSettings(Section):
    channel: Channel
    chat_id: str
    name: str | None = None
    dry_run: bool = False  # record what the bot would do, without doing it

    @field_validator("chat_id", mode="before")
    @classmethod
    def _id_as_string(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _telegram_ids_are_numbers(self) -> GroupSettings:  # telegram
        if self.channel == "telegram" and not re.fullmatch(r"-\d{1,20}", self.chat_id):
            raise ValueError(
                "a Telegram group's chat_id is a negative number, e.g. -1001234567890 "
                "(see docs/telegram.md to find it)"
            )
        return self


class CommunitySettings(Section):
    id: str
    name: str
    groups: list[GroupSettings] = Field(default_factory=list)
    policy: PolicySettings = PolicySettings()
    registration: CommunityRegistrationSettings = CommunityRegistrationSettings()

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.match(value):
            raise ValueError("use lower-case letters, digits and dashes, e.g. 'canalejas'")
        return value


_E164 = re.compile(r"^\+?[1-9]\d{7,14}$")
_WA_ID = re.compile(r"^\d{8,20}@(c\.us|lid|s\.whatsapp\.net)$")


class OfficialSettings(Section):
    name: str
    department: Department
    communities: list[str] = Field(default_factory=lambda: ["*"])
    role: OfficialRole = "director"
    whatsapp: str | None = None  # E.164 phone or WhatsApp id ("5217611234567@c.us")
    telegram: str | None = None  # numeric Telegram user id
    email: str | None = None
    local: str | None = None  # playground persona id; derived from the name when absent

    @field_validator("whatsapp")
    @classmethod
    def _whatsapp(cls, value: str | None) -> str | None:
        if value is None:
            return None
        compact = re.sub(r"[\s\-()]", "", value)
        if not (_E164.match(compact) or _WA_ID.match(compact)):
            raise ValueError("use an E.164 phone (+5217611234567) or a WhatsApp id (…@c.us)")
        return compact

    @field_validator("telegram", mode="before")
    @classmethod
    def _telegram(cls, value: Any) -> Any:
        if isinstance(value, int):
            value = str(value)
        if value is not None and not re.match(r"^-?\d{1,20}$", str(value)):
            raise ValueError("use the numeric Telegram user id")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            raise ValueError("not an e-mail address")
        return value

    @property
    def persona_id(self) -> str:
        return self.local or "oficial-" + slugify(self.name)

    def covers(self, community_id: str) -> bool:
        return "*" in self.communities or community_id in self.communities


class OutboxSettings(Section):
    # Hold every outbound action (they stay queued and go out when unpaused), e.g. while a
    # WhatsApp number is being re-linked or during an incident.
    paused: bool = False
    poll_interval_s: float = Field(1.0, gt=0)
    max_attempts: int = Field(8, ge=1)  # transient failures before an action is given up
    backoff_base_s: float = Field(2.0, gt=0)
    backoff_max_s: float = Field(300.0, gt=0)
    execute_timeout_s: float = Field(30.0, gt=0)
    batch_size: int = Field(100, ge=1)


class ProcessingSettings(Section):
    max_parallel_groups: int = Field(8, ge=1)
    max_attempts: int = Field(3, ge=1)  # pipeline failures before an event is parked
    drain_timeout_s: float = Field(20.0, gt=0)  # graceful shutdown


class SchedulerSettings(Section):
    poll_interval_s: float = Field(1.0, gt=0)


class Settings(BaseSettings):
    """The whole configuration (see config/cassbot.example.toml for every key explained)."""

    model_config = SettingsConfigDict(
        env_prefix="CASSBOT__",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        case_sensitive=False,
    )

    server: ServerSettings = ServerSettings()
    paths: PathsSettings = PathsSettings()
    database: DatabaseSettings = DatabaseSettings()
    logging: LoggingSettings = LoggingSettings()
    adapters: AdaptersSettings = AdaptersSettings()
    outbox: OutboxSettings = OutboxSettings()
    processing: ProcessingSettings = ProcessingSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    moderation: PolicySettings = PolicySettings()
    tickets: TicketSettings = TicketSettings()  # service requests (cassbot/tickets)
    # --- registration feature (docs/registro.md) ---
    registration: RegistrationSettings = RegistrationSettings()
    panel: PanelSettings = PanelSettings()
    privacy: PrivacySettings = PrivacySettings()
    # --- end registration feature ---
    communities: list[CommunitySettings] = Field(default_factory=list)
    officials: list[OfficialSettings] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file arrives as init values; the environment overrides it.
        return (env_settings, init_settings)

    @model_validator(mode="before")
    @classmethod
    def _community_policy_inherits_defaults(cls, data: Any) -> Any:
        """A community's `policy` overrides only what it names of the `[moderation]` defaults."""
        if not isinstance(data, dict):
            return data
        defaults = data.get("moderation") or {}
        communities = data.get("communities")
        if not isinstance(defaults, dict) or not isinstance(communities, list):
            return data
        merged = []
        for community in communities:
            if isinstance(community, dict):
                own = community.get("policy") or {}
                if isinstance(own, dict):
                    community = {**community, "policy": deep_merge(defaults, own)}
            merged.append(community)
        return {**data, "communities": merged}

    @model_validator(mode="after")
    def _references_are_consistent(self) -> Settings:
        problems: list[str] = []
        ids = [c.id for c in self.communities]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            problems.append("communities: duplicated id " + ", ".join(duplicated))
        seen: set[tuple[str, str]] = set()
        for community in self.communities:
            for group in community.groups:
                key = (group.channel, group.chat_id)
                if key in seen:
                    problems.append(
                        f"communities.{community.id}.groups: {group.channel} chat "
                        f"{group.chat_id!r} belongs to more than one community"
                    )
                seen.add(key)
        known = set(ids)
        for index, official in enumerate(self.officials):
            unknown = [c for c in official.communities if c != "*" and c not in known]
            if unknown:
                problems.append(
                    f"officials[{index}].communities: unknown community " + ", ".join(unknown)
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Derived values -----------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self.paths.data_dir.expanduser().resolve()

    @property
    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{self.data_dir / 'cassbot.db'}"

    def community(self, community_id: str) -> CommunitySettings | None:
        return next((c for c in self.communities if c.id == community_id), None)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge two nested dicts; values in `override` win, tables merge key by key."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = value
    return result


def slugify(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "x"
