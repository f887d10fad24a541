from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    DATABASE_URL: str = "postgresql+asyncpg://fieldnotes:fieldnotes@localhost:5432/fieldnotes"
    DB_POOL_SIZE: int = 10
    ECHO_SQL: bool = False
    REDIS_URL: str = "redis://localhost:6379/0"
    DIGEST_HOUR_UTC: int = 7


settings = Settings()
