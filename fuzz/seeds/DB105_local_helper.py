# path: app/clients/http.py
import requests
from fastapi import Depends


def get_session() -> requests.Session:
    return requests.Session()


def get_session_dependency():
    yield get_session()


async def fetch(url: str) -> str:
    s = get_session()
    get_session()
    return s.get(url).text


def route(http=Depends(get_session)):
    for client in get_session_dependency():
        return client
