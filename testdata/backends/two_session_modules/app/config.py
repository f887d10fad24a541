from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", env_file=".env")

    database_url: str = "postgresql+asyncpg://intake:intake@localhost:6432/intake"
    db_pool_size: int = 10
    import_statement_timeout_ms: int = 120_000
    geocoder_url: str = "https://nominatim.openstreetmap.org"
    export_dir: str = "/var/lib/intake/exports"


settings = Settings()
