# path: app/services/settings_service.py
"""Mentions db_params in a docstring only."""
import json

from fastapi import Depends

from app.dependencies import get_current_user  # not the db_params provider

# db_params = {"url": ...} was removed
LABEL = "db_params"


def get_db_params(db_params: dict | None = None) -> dict:
    # a provider's own definition is where the plumbing starts, not a use
    return db_params or {}


def describe(params: dict, info: dict) -> str:
    info["db_params"] = params
    return json.dumps(params)


def caller(conn: dict) -> str:
    return describe(conn, {"db_params": conn})


def user_route(user=Depends(get_current_user)):
    return user
