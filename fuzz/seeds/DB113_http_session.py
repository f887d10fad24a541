# path: app/clients/http.py
import requests


def get_session() -> requests.Session:
    """An HTTP session, not a database one."""
    session = requests.Session()
    session.headers["X"] = "1"
    return session
