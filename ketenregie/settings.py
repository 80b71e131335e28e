"""Configuration from the environment, prefix KETENREGIE_ (pydantic-settings)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.chain import Chain
from domain.policy import Policy

SAMPLE_CHAIN = Path(__file__).with_name("chain.yaml")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KETENREGIE_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".ketenregie")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    database_url: str | None = Field(
        None, description="Any Postgres DSN; when unset an embedded Postgres runs in data_dir/pg"
    )
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_ui_port: int = 8233
    task_queue: str = "ketenregie"
    chain_file: Path = SAMPLE_CHAIN
    time_scale: float = Field(
        1.0,
        gt=0,
        description="Multiplies every legal duration; 1 in production, e.g. 0.0001 for a demo",
    )
    decision_window_hours: float = Field(
        4.0, gt=0, description="Hours the mayor's office has before a request is escalated"
    )

    @cached_property
    def chain(self) -> Chain:
        return Chain.load(self.chain_file)

    @property
    def policy(self) -> Policy:
        return Policy.build(
            time_scale=self.time_scale, decision_window_hours=self.decision_window_hours
        )
