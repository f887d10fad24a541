# path: app/tasks/relay.py
from external_queue import enqueue


def relay(payload: dict, params: dict) -> None:
    # an external callee: its parameter names are unknown
    enqueue(payload, params)
    # a positional argument that lands in a parameter with another name
    forward(params)


def forward(settings: dict) -> dict:
    return settings
