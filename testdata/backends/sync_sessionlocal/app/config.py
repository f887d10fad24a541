from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "postgresql+psycopg2://stockroom:stockroom@localhost:5432/stockroom"
    sql_echo: bool = False
    reservation_ttl_hours: int = 24

    class Config:
        env_file = ".env"


settings = Settings()
