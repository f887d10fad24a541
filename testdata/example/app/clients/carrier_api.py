"""HTTP clients for carrier tracking APIs (UPS, DHL, PostNL adapters)."""
import aiohttp
import requests

from app.config import settings

_TIMEOUT = aiohttp.ClientTimeout(total=10)


def get_session() -> requests.Session:
    """Return a requests session preconfigured with the carrier API key."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {settings.carrier_api_key}"
    return session


def fetch_label_pdf(tracking_number: str) -> bytes:
    """Download a shipping label (used by the synchronous print service)."""
    resp = get_session().get(f"{settings.carrier_api_url}/labels/{tracking_number}", timeout=10)
    resp.raise_for_status()
    return resp.content


class CarrierClient:
    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url or settings.carrier_api_url
        self.headers = {"Authorization": f"Bearer {settings.carrier_api_key}"}

    async def fetch_status(self, carrier: str, tracking_number: str) -> dict:
        async with aiohttp.ClientSession(timeout=_TIMEOUT, headers=self.headers) as session:
            async with session.get(f"{self.base_url}/{carrier}/track/{tracking_number}") as resp:
                resp.raise_for_status()
                return await resp.json()
