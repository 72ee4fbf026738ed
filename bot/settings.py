"""Settings of the chat side: platform credentials, admins, signup credits and rate limits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    discord_bot_token: SecretStr | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str | None = None
    discord_message_content: bool = False
    """Ask Discord for the privileged MESSAGE_CONTENT intent, so plain replies in a project's thread are edits."""

    admin_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    """`platform:team:user` triples allowed to grant credits, e.g. `slack:T1:U1,discord:G1:123`."""
    signup_credits: int = Field(50, ge=0)
    """Credits a user gets the first time they use the bot."""
    user_rate_per_minute: int = Field(5, ge=1)
    """Commands one user may send per minute (bursts up to the same number)."""
    team_rate_per_minute: int = Field(60, ge=1)
    """Commands one team or guild may send per minute, all users together."""
    metrics_port: int | None = Field(None, ge=0, le=65535)
    """Port of `GET /metrics` for `autoweb worker`, `discord`, `serve` and `slack` (unset or 0: not served); never
    served on the public preview or Slack port."""
    rq_dashboard_username: str = "admin"
    rq_dashboard_password: SecretStr | None = None
    """Basic auth of `autoweb dashboard`; it refuses to start without a password."""
    host: str = "127.0.0.1"
    """Address the HTTP processes bind (slack HTTP mode, preview, dashboard, metrics): 0.0.0.0 in a container."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] | None = None
    """Overrides each command's own level (INFO for the services, WARNING for demo and console)."""
    log_format: Literal["json", "console"] = "json"
    """`json`: one JSON object per line (production); `console`: readable lines for a terminal."""

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _case(cls, value: object) -> object:
        if isinstance(value, str):
            return (
                value.upper() if value.lower() in ("debug", "info", "warning", "error", "critical") else value.lower()
            )
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value
