# path: app/clients/http.py
import aiohttp
import requests


def get_session():
    return requests.Session()


async def fetch(url):
    async with aiohttp.ClientSession() as session:
        return await session.get(url)
