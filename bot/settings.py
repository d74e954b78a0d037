"""Configuration from the environment (ARCHITECTURE.md §5, a contract). Loaded once, at start.

A `.env` file is read; real environment variables win. Secrets are `SecretStr`, so they never
show up in logs or reprs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.web import PublicAddress

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///rounds.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    DATABASE_URL: str = DEFAULT_DATABASE_URL
    SLACK_BOT_TOKEN: SecretStr | None = None
    SLACK_SIGNING_SECRET: SecretStr | None = None
    SLACK_APP_TOKEN: SecretStr | None = None
    SLACK_MODE: Literal["socket", "http"] | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    DISCORD_TOKEN: SecretStr | None = None
    DISCORD_API_URL: str = "https://discord.com/api/v10"
    DISCORD_SHARD_COUNT: int | None = None
    DISCORD_SHARD_IDS: str | None = None
    """With a shard count, the shards this process runs (`0-3` or `0,2`); unset: all of them."""
    HTTP_HOST: str = "127.0.0.1"
    HTTP_PORT: int = 3000
    PUBLIC_URL: str | None = None
    """Where the HTTP server is reachable from outside (links to the calendar feed)."""
    LOG_LEVEL: str = "INFO"

    @property
    def public_address(self) -> PublicAddress:
        """`PUBLIC_URL`, or the server's own address when it is unset (managers are told)."""
        if self.PUBLIC_URL:
            return PublicAddress(self.PUBLIC_URL.rstrip("/"), configured=True)
        return PublicAddress(f"http://{self.HTTP_HOST}:{self.HTTP_PORT}", configured=False)

    @property
    def slack_enabled(self) -> bool:
        return self.SLACK_BOT_TOKEN is not None

    @property
    def slack_mode(self) -> str:
        if self.SLACK_MODE:
            return self.SLACK_MODE
        return "socket" if self.SLACK_APP_TOKEN else "http"

    @property
    def discord_enabled(self) -> bool:
        return bool(self.DISCORD_TOKEN)
