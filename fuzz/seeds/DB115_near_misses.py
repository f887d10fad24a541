# path: app/tasks/fine_io.py
import aiohttp
import requests
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db.session import engine, get_session


def connect(url):
    return url


def sync_export():
    with Session(engine.sync_engine) as s:  # expect: DB102
        return s.execute(text("SELECT 1")).all()


async def fine() -> None:
    connect("x")
    with requests.Session() as http:
        http.get("https://example.com")
    async with aiohttp.ClientSession() as client:
        await client.get("https://example.com")
    async with get_session() as session:
        await session.execute(text("SELECT 1"))
    await engine.dispose()
