"""The live protocol's frames, built once per manifest, and how client messages are classified.

Server → client: `hello` on connect, `update` when public/manifest.json changes, `pong` on request.
Client → server: at most `{"type": "ping"}`; everything else is ignored and counted.
docs/live-protocol.md is the description for people.
"""
from __future__ import annotations

import json
from enum import Enum

WS_PATH = "/ws"
HEALTH_PATH = "/healthz"

# Largest client frame accepted; bigger ones close the connection with 1009 (message too big).
MAX_CLIENT_MESSAGE_BYTES = 1024

PONG_FRAME = '{"type":"pong"}'


def compact_json(value: object) -> str:
    """The one serialisation used on the wire: no spaces, UTF-8 kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def hello_frame(manifest_json: str) -> str:
    """`manifest_json` is the manifest already serialised (or "null" before the first one exists)."""
    return '{"type":"hello","manifest":' + manifest_json + "}"


def update_frame(manifest_json: str) -> str:
    return '{"type":"update","manifest":' + manifest_json + "}"


class ClientMessage(Enum):
    PING = "ping"
    IGNORED = "ignored"


def classify(message: str | bytes) -> ClientMessage:
    """Constant work: frames are at most MAX_CLIENT_MESSAGE_BYTES, and only a text ping is answered."""
    if not isinstance(message, str):
        return ClientMessage.IGNORED
    try:
        parsed = json.loads(message)
    except (ValueError, RecursionError):
        return ClientMessage.IGNORED
    if isinstance(parsed, dict) and parsed.get("type") == "ping":
        return ClientMessage.PING
    return ClientMessage.IGNORED
