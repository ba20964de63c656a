"""Typed settings, read once from the environment and `.env`, refusing bad values."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class AppType(StrEnum):
    SINGLE_TENANT = "SingleTenant"
    MULTI_TENANT = "MultiTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


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
    # Signs those links (Teams fetches images without credentials); defaults to one derived from the app secret.
    report_link_secret: str = Field("", validation_alias="REPORT_LINK_SECRET")
    # Proactive delivery (the outbox worker). With several instances, give each a share of the
    # app rate: Teams allows 50 requests/s per app per tenant in all.
    delivery_enabled: bool = Field(True, validation_alias="DELIVERY_ENABLED")
    delivery_app_rate: float = Field(30.0, gt=0, le=50, validation_alias="DELIVERY_APP_RATE")
    delivery_max_attempts: int = Field(5, ge=1, le=20, validation_alias="DELIVERY_MAX_ATTEMPTS")
    delivery_batch: int = Field(50, ge=1, le=1000, validation_alias="DELIVERY_BATCH")
    delivery_concurrency: int = Field(8, ge=1, le=64, validation_alias="DELIVERY_CONCURRENCY")
    delivery_lease_seconds: float = Field(300, ge=60, validation_alias="DELIVERY_LEASE_SECONDS")

    @property
    def local_mode(self) -> bool:
        return not self.app_id

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
        return value

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://localhost", "http://127.0.0.1")):
            raise ValueError("PUBLIC_URL must be an https:// address (http only for localhost)")
        return value.rstrip("/")

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
        return self
