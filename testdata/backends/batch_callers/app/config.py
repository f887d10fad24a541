from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAYRUN_", env_file=".env")

    database_url: str = "postgresql+asyncpg://payrun:payrun@pgbouncer:6432/payrun"
    bank_api_url: str = "https://bank.example.com/api/v2"
    bank_api_token: str = ""
    scheduler_poll_seconds: int = 60


settings = Settings()
