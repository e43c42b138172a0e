"""`python -m sidecar --public-dir DIR [--host H] [--port P]`: the sidecar on its own.

Prints `listening on PORT` once serving (the real port when --port is 0), exits 0 after SIGTERM.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from generator.errors import EXIT_BAD_CONFIG, ConfigError
from sidecar.server import run_sidecar


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sidecar", description="Live-push websocket sidecar")
    parser.add_argument("--public-dir", type=Path, required=True, help="directory the generator writes")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--max-clients", type=int, default=10000)
    parser.add_argument("--allowed-origin", action="append", default=[], help="repeat for several")
    parser.add_argument("--static", action="store_true", help="also serve the public directory over HTTP")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")

    def announce(port: int) -> None:
        print(f"listening on {port}", flush=True)

    try:
        asyncio.run(
            run_sidecar(
                args.public_dir,
                args.host,
                args.port,
                max_clients=args.max_clients,
                allowed_origins=args.allowed_origin,
                static=args.static,
                announce=announce,
            )
        )
    except ConfigError as exc:
        print(f"sidecar: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except OSError as exc:
        print(f"sidecar: cannot listen on {args.host}:{args.port}: {exc}; choose another --port", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
