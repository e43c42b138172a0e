"""The usual design, for comparison: a websocket dashboard server that computes every viewer's charts
for that viewer on every update, the way a Dash app's callbacks or a Flask-SocketIO dashboard's
background task do (one figure computation per open page, per update).

The work per viewer is exactly ours, not a strawman: generator.build.build_range_document() (our demo
source, analytics and chart code) for the viewer's range and our live document, serialised with our
writer's JSON, once per viewer.  It is triggered by the same thing as our sidecar (a new
public/manifest.json, through sidecar/watch.py, so the trigger latency is the same) and sends one text
frame per viewer: {"type":"update","seq":N,"range":…,"document":{…},"live":{…}}.  On connect a viewer gets
a small hello without charts (the initial computation a Dash page would also do is left out, which
favours this baseline).  One process, one event loop, like Flask-SocketIO under eventlet; the
computation of one viewer never blocks the loop for more than that viewer's build.

    .venv/bin/python bench/baselines/per_viewer.py --public-dir DIR [--port 0] [--range 24h]

Prints `per-viewer baseline: ws://HOST:PORT/ws` once listening; stops on SIGTERM.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from websockets.asyncio.server import ServerConnection, serve  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

from generator.build import active_alarms, build_range_document, make_context  # noqa: E402
from generator.charts.document import live_document  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.core.ranges import BY_KEY  # noqa: E402
from generator.sources.demo import DemoSource  # noqa: E402
from generator.writer import to_json_bytes  # noqa: E402
from sidecar.watch import watch_manifest  # noqa: E402

log = logging.getLogger("baseline")


class PerViewerServer:
    def __init__(self, public: Path, range_key: str):
        self.public = public
        self.spec = BY_KEY[range_key]
        # The context only lends the config, provider and analytics parameters; nothing is published.
        cfg = load_config(None, {}).with_values(output__public_dir=tempfile.mkdtemp(prefix="baseline-unused-"))
        self.ctx = make_context(cfg, DemoSource(seed=cfg["source.seed"]))
        self.clients: set[ServerConnection] = set()
        self.seq = self.read_seq()
        self.pending = asyncio.Event()
        self.builds = 0

    def read_seq(self) -> int:
        try:
            return int(json.loads((self.public / "manifest.json").read_text(encoding="utf-8")).get("seq", 0))
        except (OSError, ValueError, AttributeError):
            return 0

    def touched(self, only_if_touched: bool) -> None:
        seq = self.read_seq()
        if seq != self.seq:
            self.seq = seq
            self.pending.set()

    async def handler(self, conn: ServerConnection) -> None:
        self.clients.add(conn)
        try:
            await conn.send(json.dumps({"type": "hello", "seq": self.seq}, separators=(",", ":")))
            async for _ in conn:  # viewers send nothing but pongs (answered by websockets)
                pass
        except ConnectionClosed:
            pass
        finally:
            self.clients.discard(conn)

    def frame_for_viewer(self, seq: int) -> bytes:
        """One viewer's callback: its range's charts and KPIs and the live values, computed for it."""
        ctx = self.ctx
        now = ctx.clock.now()
        latest = ctx.source.latest()
        document = build_range_document(ctx, self.spec, now, latest)
        live = live_document(latest, active_alarms(ctx, latest))
        self.builds += 1
        return (b'{"type":"update","seq":%d,"range":"%s","document":' % (seq, self.spec.key.encode())
                + to_json_bytes(document) + b',"live":' + to_json_bytes(live) + b"}")

    async def broadcaster(self) -> None:
        while True:
            await self.pending.wait()
            self.pending.clear()
            seq = self.seq
            for conn in list(self.clients):
                frame = self.frame_for_viewer(seq)
                try:
                    await conn.send(frame, text=True)
                except ConnectionClosed:
                    pass
                await asyncio.sleep(0)  # let the loop write, answer pings and accept between viewers


async def main_async(args: argparse.Namespace) -> None:
    server = PerViewerServer(args.public_dir.resolve(), args.range)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with serve(server.handler, args.host, args.port, compression=None, max_size=4096,
                     backlog=1024, write_limit=2**20) as ws:
        port = next(iter(ws.sockets)).getsockname()[1]
        print(f"per-viewer baseline: ws://{args.host}:{port}/ws watching {server.public}", flush=True)
        tasks = [asyncio.create_task(watch_manifest(server.public, server.touched, stop)),
                 asyncio.create_task(server.broadcaster())]
        await stop.wait()
        for task in tasks:
            task.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public-dir", type=Path, required=True, help="the dir whose manifest.json triggers updates")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--range", default="24h", help="the range every viewer looks at (the page's default)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
