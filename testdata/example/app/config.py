"""Application settings, loaded from the environment (PARCELWISE_*)."""
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARCELWISE_", env_file=".env")

    database_url: str = "postgresql+asyncpg://parcelwise:parcelwise@localhost:5432/parcelwise"
    db_pool_size: int = 10
    sql_echo: bool = False

    carrier_api_url: str = "https://carriers.parcelwise.io/v1"
    carrier_api_key: str = ""

    report_retention_days: int = 30


settings = Settings()
