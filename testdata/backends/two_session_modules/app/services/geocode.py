import httpx

from app.config import settings
from app.db.direct import timer


@timer
async def geocode(address: str) -> tuple[float, float] | None:
    async with httpx.AsyncClient(base_url=settings.geocoder_url, timeout=5.0) as client:
        response = await client.get("/search", params={"q": address, "format": "json", "limit": 1})
        response.raise_for_status()
        hits = response.json()
    if not hits:
        return None
    return float(hits[0]["lat"]), float(hits[0]["lon"])
