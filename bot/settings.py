"""Typed settings, read once from the environment and `.env`, refusing bad values."""

from __future__ import annotations

from enum import StrEnum
from importlib.util import find_spec
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.engine import driver_url

MIN_LINK_SECRET_CHARS = 32


class AppType(StrEnum):
    SINGLE_TENANT = "SingleTenant"
    MULTI_TENANT = "MultiTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


class BotSdk(StrEnum):
    """Which SDK carries the Teams edge: everything above bot/teams/ is the same on both."""

    BOTBUILDER = "botbuilder"  # botbuilder-python 4.17.1, out of support since 31 December 2025
    AGENTS = "agents"  # the Microsoft 365 Agents SDK, its supported successor (the `agents` extra)


class Settings(BaseSettings):
    """Everything the bot reads from its environment.

    An empty ``MicrosoftAppId`` means *local mode*: no authentication, for the Agents Playground
    or the Bot Framework Emulator. Outside local mode the credentials must be complete.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    app_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID"))
    app_password: str = Field("", validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD"))
    app_type: AppType = Field(
        AppType.SINGLE_TENANT, validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE")
    )
    app_tenant_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"))
    bot_sdk: BotSdk = Field(BotSdk.BOTBUILDER, validation_alias="BOT_SDK")
    host: str = Field("127.0.0.1", validation_alias="HOST")
    port: int = Field(3978, ge=1, le=65535, validation_alias="PORT")
    database_url: str = Field("sqlite+aiosqlite:///./cqcbot.db", validation_alias="DATABASE_URL")
    timezone: str = Field("Europe/London", validation_alias="TIMEZONE")
    scheduler_enabled: bool = Field(True, validation_alias="SCHEDULER_ENABLED")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    log_format: Literal["text", "json"] = Field("text", validation_alias="LOG_FORMAT")
    log_access: bool = Field(False, validation_alias="LOG_ACCESS")
    # Where people's devices reach the bot (https://…): the digest links its report and charts there.
    public_url: str = Field("", validation_alias="PUBLIC_URL")
    # Signs those links (Teams fetches images without credentials); defaults to one derived from the client
    # secret. Required outside local mode when there is no client secret (UserAssignedMSI).
    report_link_secret: str = Field("", validation_alias="REPORT_LINK_SECRET")
    # How long a report or chart link works after the bot made it.
    report_link_days: int = Field(30, ge=1, le=366, validation_alias="REPORT_LINK_DAYS")
    # Where the Bot Framework publishes the keys it signs inbound tokens with (another cloud, or a test's).
    bot_openid_metadata_url: str = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration", validation_alias="BOT_OPENID_METADATA_URL"
    )
    # Proactive delivery (the outbox worker). The app rate is the ceiling for the whole deployment
    # (Teams allows 50 requests/s per app per tenant): running instances divide it between them.
    delivery_enabled: bool = Field(True, validation_alias="DELIVERY_ENABLED")
    delivery_app_rate: float = Field(50.0, gt=0, le=50, validation_alias="DELIVERY_APP_RATE")
    delivery_max_attempts: int = Field(5, ge=1, le=20, validation_alias="DELIVERY_MAX_ATTEMPTS")
    delivery_batch: int = Field(50, ge=1, le=1000, validation_alias="DELIVERY_BATCH")
    delivery_concurrency: int = Field(8, ge=1, le=64, validation_alias="DELIVERY_CONCURRENCY")
    delivery_lease_seconds: float = Field(300, ge=60, validation_alias="DELIVERY_LEASE_SECONDS")
    # Running as a service: web worker processes sharing the port, how long a SIGTERM waits for
    # sends already made to Teams, and the bearer token /metrics asks of anyone not on loopback.
    web_concurrency: int = Field(1, ge=1, le=32, validation_alias="WEB_CONCURRENCY")
    shutdown_grace_seconds: float = Field(10, gt=0, le=120, validation_alias="SHUTDOWN_GRACE_SECONDS")
    metrics_token: str = Field("", validation_alias="METRICS_TOKEN")
    # An instance that has not beaten for this long is dead: its share and its claims return.
    delivery_instance_lease_seconds: float = Field(15, ge=2, le=300, validation_alias="DELIVERY_INSTANCE_LEASE_SECONDS")

    @property
    def local_mode(self) -> bool:
        return not self.app_id

    @property
    def dashboard_in_teams(self) -> bool:
        """The tab serves Teams sign-in only outside local mode and with the tenant to check it
        against; the links that open it in Teams are given only then."""
        return not self.local_mode and bool(self.app_tenant_id)

    def serving_problems(self, workers: int) -> list[str]:
        """Combinations `cqcbot serve` refuses to start with, each naming what to change.

        Checked at start, not when parsing: the other commands run fine on such settings.
        """
        problems = []
        if workers > 1 and self.database_url.startswith("sqlite"):
            problems.append(
                f"{workers} workers on SQLite: SQLite has one writer, so several processes would queue on "
                "its lock; run one worker, or set DATABASE_URL=postgresql+asyncpg://…"
            )
        if not self.local_mode and self.public_url.startswith("http://"):
            problems.append(
                f"PUBLIC_URL={self.public_url} is plain http: outside local mode the report and chart "
                "links must be https://"
            )
        return problems

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/London)") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return driver_url(value)

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://localhost", "http://127.0.0.1")):
            raise ValueError("PUBLIC_URL must be an https:// address (http only for localhost)")
        return value.rstrip("/")

    @field_validator("bot_sdk")
    @classmethod
    def _sdk_installed(cls, value: BotSdk) -> BotSdk:
        if value is BotSdk.AGENTS and find_spec("microsoft_agents.hosting.aiohttp") is None:
            raise ValueError(
                "BOT_SDK=agents needs the Microsoft 365 Agents SDK: pip install 'cqc-improvement-bot[agents]'"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return level

    @model_validator(mode="after")
    def _complete_credentials(self) -> Settings:
        if self.local_mode:
            return self
        missing = []
        if self.app_type is not AppType.USER_ASSIGNED_MSI and not self.app_password:
            missing.append("MicrosoftAppPassword")
        if self.app_type is not AppType.MULTI_TENANT and not self.app_tenant_id:
            missing.append("MicrosoftAppTenantId")
        if missing:
            raise ValueError(
                f"MicrosoftAppId is set, so {' and '.join(missing)} must be set too "
                f"(MicrosoftAppType={self.app_type.value}); leave MicrosoftAppId empty for local mode"
            )
        if not (self.report_link_secret or self.app_password):
            # The app id is in every user's Teams app package: a key made from it could be made by anyone.
            raise ValueError(
                "REPORT_LINK_SECRET must be set: there is no client secret to sign report links with "
                f"(MicrosoftAppType={self.app_type.value}); use {MIN_LINK_SECRET_CHARS} or more random characters, "
                "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return self

    @field_validator("report_link_secret")
    @classmethod
    def _strong_link_secret(cls, value: str) -> str:
        if value and len(value) < MIN_LINK_SECRET_CHARS:
            raise ValueError(f"REPORT_LINK_SECRET must be at least {MIN_LINK_SECRET_CHARS} characters")
        return value
