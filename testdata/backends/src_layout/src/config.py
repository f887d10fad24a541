from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    APP_NAME: str = "Ledgerly"
    POSTGRES_USER: str = "ledgerly"
    POSTGRES_PASSWORD: str = "ledgerly"
    POSTGRES_SERVER: str = "localhost"
    POSTGRES_PORT: int = 6432
    POSTGRES_DB: str = "ledgerly"
    REDIS_URL: str = "redis://localhost:6379/1"

    @property
    def POSTGRES_URL(self) -> str:
        return (
            f"postgresql+asyncpg://{self.POSTGRES_USER}:{self.POSTGRES_PASSWORD}"
            f"@{self.POSTGRES_SERVER}:{self.POSTGRES_PORT}/{self.POSTGRES_DB}"
        )


settings = Settings()
