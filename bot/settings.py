"""Configuration from the environment (prefix ``NOMINEE_``) or a ``.env`` file.

Kept free of aiogram on purpose: the command line reads settings for commands that never talk
to Telegram, and importing aiogram costs seconds.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOMINEE_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./data")
    # Empty means "an SQLite file in data_dir" (filled in below, so it follows NOMINEE_DATA_DIR).
    database_url: str = ""
    redis_url: str | None = None
    bot_token: SecretStr | None = None
    api_server: str | None = None  # Bot API base URL, e.g. a local telegram-bot-api server
    default_language: str = "zh"
    bot_username: str | None = None  # for invitation links; asked from Telegram when unset
    throttle_rate: int = 30  # events a user may send per throttle_window seconds; 0 turns throttling off
    throttle_window: float = 3.0
    reminders: bool = True  # NOMINEE_REMINDERS=off: this process sends no reminders (another one does)
    reminder_rate: int = 30  # messages a reminder round sends at most in any 1.02 s (Telegram: about 30 a second)
    today: date | None = None  # NOMINEE_TODAY pins the campaign date (demos, the sandbox, end-to-end tests)
    # NOMINEE_OFFICE_IDS=123,456: Telegram user ids seated as office staff when the bot starts, of
    # NOMINEE_OFFICE_CAMPAIGN (needed only when more than one campaign is loaded)
    office_ids: Annotated[tuple[int, ...], NoDecode] = ()
    office_campaign: str | None = None
    # `nominee-bot webhook`: the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (1-256 of
    # A-Z a-z 0-9 _ -), and how long a process may hold an update before a retry may take it over
    webhook_secret: SecretStr | None = None
    update_lease: float = 30.0

    @field_validator("office_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        """Comma- or space-separated ids as typed in an environment file ("123, 456")."""
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(",", " ").split())
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            # Absolute, so the bot and the CLI find the same file whatever their working directory.
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir.resolve() / 'nominee.db'}"
        return self

    @property
    def files_dir(self) -> Path:
        """Uploaded photos and attachments; created when the first file is stored."""
        return self.data_dir.resolve() / "files"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


__all__ = ["Settings", "get_settings"]
