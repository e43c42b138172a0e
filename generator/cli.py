"""The `heatpump-dashboard` command. Exit codes: 0 ok, 1 the source failed (or a check found a problem),
2 bad configuration (or a missing install step), 3 public/ could not be written."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Sequence

from generator.config import (
    Config,
    check_listen,
    listen_problem,
    load_config,
    probe_listen,
)
from generator.core.errors import (
    EXIT_BAD_CONFIG,
    EXIT_CANNOT_PUBLISH,
    EXIT_OK,
    EXIT_SOURCE_FAILED,
    BundleMissing,
    ConfigError,
    ProviderError,
    PublishError,
)

log = logging.getLogger("heatpump_dashboard")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # one line per tick is noise on a Pi's journal
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        cfg = load_config(args.config)
        if args.command == "demo":
            cfg = cfg.with_values(source__kind="demo")
        if getattr(args, "public_dir", None):
            cfg = cfg.with_values(output__public_dir=args.public_dir)
        return COMMANDS[args.command](cfg, args)
    except (ConfigError, ProviderError) as exc:
        lines = str(exc).splitlines()
        if len(lines) == 1:  # one problem: one line
            print(f"configuration error: {lines[0]}", file=sys.stderr)
            return EXIT_BAD_CONFIG
        print("configuration error:", file=sys.stderr)
        for line in lines:
            print(f"  - {line}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except BundleMissing as exc:  # an installation step was skipped
        print(f"installation error: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except PublishError as exc:  # disk full, permissions: the files already there stay as they were
        print(f"cannot publish: {exc}", file=sys.stderr)
        return EXIT_CANNOT_PUBLISH
    except KeyboardInterrupt:
        return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="heatpump-dashboard", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="YAML configuration (none: the built-in demo)")
    common.add_argument("--public-dir", metavar="DIR", help="override output.public_dir")
    common.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("check-config", parents=[common], help="validate the configuration and name every bad key")
    gen = sub.add_parser("generate", parents=[common], help="write public/ (a loop, or --once)")
    gen.add_argument("--once", action="store_true", help="one full generation, then exit")
    gen.add_argument("--clock-start", type=_utc_time, metavar="ISO",
                     help="start the clock at this UTC time, e.g. 2026-01-15T11:00:07Z (tests, screenshots)")
    side = sub.add_parser("sidecar", parents=[common], help="run the live-push websocket server (flags override the config)")
    side.add_argument("--host", help="override sidecar.host")
    side.add_argument("--port", type=int, help="override sidecar.port (0: a free port, announced)")
    side.add_argument("--max-clients", type=int, help="override sidecar.max_clients")
    side.add_argument("--allowed-origin", action="append", help="override sidecar.allowed_origins (repeat for several)")
    side.add_argument("--static", action="store_true", help="also serve the public directory over HTTP (no nginx)")
    demo = sub.add_parser("demo", parents=[common], help="simulator + generator + sidecar + static files on one port")
    demo.add_argument("--port", type=int, default=8050)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--clock-start", type=_utc_time, metavar="ISO",
                      help="start the clock at this UTC time: the same simulated hours every time")
    sub.add_parser("doctor", parents=[common], help="check the source: metrics held, mapping, coverage, COP method")
    arc = sub.add_parser("archive", parents=[common], help="write the dated snapshot of a day now")
    arc.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (default: yesterday)")
    exp = sub.add_parser("export", parents=[common], help="one self-contained HTML report of a day")
    exp.add_argument("--date", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    exp.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    ngx = sub.add_parser("nginx-config", parents=[common],
                         help="print nginx's configuration for this config (http-level lines and the server block)")
    ngx.add_argument("--listen", metavar="HOST:PORT", help="override nginx.listen")
    ngx.add_argument("--standalone", type=Path, metavar="DIR",
                     help="print a whole nginx.conf keeping pid, logs and temp files in DIR (created)")
    ngx.add_argument("--no-brotli", action="store_true",
                     help="leave brotli out even where nginx's brotli module is installed (an example for any nginx)")
    serving = sub.add_parser("check-serving", parents=[common],
                             help="check through nginx that URL serves this public dir, /healthz and the websocket")
    serving.add_argument("url", metavar="URL", help="the page's address, e.g. http://raspberrypi.local/ "
                         "(user:password@ for a private dashboard; never printed)")
    sub.add_parser("notify-test", parents=[common],
                   help="send one test message to each notification channel set up, and say which worked")
    return p


def cmd_check_config(cfg: Config, args: argparse.Namespace) -> int:
    from generator.nginx_config import htpasswd_problems
    from generator.preflight import public_dir_problems
    from providers import load_provider

    load_provider(cfg["provider"], cfg.provider_overrides())
    problems = public_dir_problems(cfg) + htpasswd_problems(cfg["nginx.htpasswd"])
    if problems:
        raise ConfigError(problems)
    where = cfg.path or "no file: the built-in demo"
    print(f"configuration ok ({where}): source {cfg['source.kind']}, provider {cfg['provider']}, "
          f"public dir {cfg.public_dir}")
    return EXIT_OK


def _utc_time(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO time such as 2026-01-15T11:00:07Z") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _context(cfg: Config, args: argparse.Namespace | None = None):
    from generator.build import make_context
    from generator.core.clock import clock_from
    from generator.sources.factory import make_cached_source

    clock = clock_from(getattr(args, "clock_start", None))
    return make_context(cfg, make_cached_source(cfg, clock), clock)


def cmd_generate(cfg: Config, args: argparse.Namespace) -> int:
    from generator.build import run_once
    from generator.lock import PublicDirLock
    from generator.scheduler import run_forever

    lock = PublicDirLock(cfg.public_dir).acquire()  # held while this process lives
    ctx = _context(cfg, args)
    if args.once:
        report = run_once(ctx)  # each failure is logged once, as it happens
        failed = f"; {len(report.errors)} failure(s), said above" if report.errors else ""
        print(f"generated into {cfg.public_dir}: {len(report.written)} file(s) written"
              f"{', manifest updated' if report.manifest_written else ', manifest unchanged'}{failed}")
        return EXIT_OK if report.ok else EXIT_SOURCE_FAILED
    code = run_forever(ctx)
    lock.release()
    return code


def cmd_sidecar(cfg: Config, args: argparse.Namespace) -> int:
    """The one way to start the sidecar: the config's sidecar.* settings, each overridden by its flag.
    Prints where it listens (the real port when --port is 0) once serving; exits 0 after SIGTERM."""
    from sidecar.origin import SettingError
    from sidecar.server import run_sidecar

    host = args.host or cfg["sidecar.host"]
    port = cfg["sidecar.port"] if args.port is None else args.port
    host_key = "--host" if args.host else "sidecar.host"  # the one to change when listening fails
    port_key = "sidecar.port" if args.port is None else "--port"
    check_listen(host, port, host_key, port_key, free_port=args.port == 0)
    listening: list[int] = []

    def announce(real: int) -> None:
        listening.append(real)
        print(f"sidecar: ws://{host}:{real}/ws watching {cfg.public_dir}", flush=True)

    try:
        asyncio.run(run_sidecar(cfg.public_dir, host, port,
                                max_clients=args.max_clients or cfg["sidecar.max_clients"],
                                allowed_origins=args.allowed_origin or cfg["sidecar.allowed_origins"],
                                static=args.static, announce=announce))
    except SettingError as exc:
        raise ConfigError(exc.problems) from None
    except OSError as exc:
        if not listening:  # could not listen: the address or port is the setting to change
            raise ConfigError([listen_problem(exc, host, port, host_key, port_key)]) from None
        print(f"sidecar: stopped: {exc}", file=sys.stderr)
        return EXIT_SOURCE_FAILED
    return EXIT_OK


def cmd_demo(cfg: Config, args: argparse.Namespace) -> int:
    """Everything in one process: the generator loop on the simulator, and on one port the static files
    of public/ plus the websocket at /ws (as nginx would put them together)."""
    from generator.build import run_once
    from generator.lock import PublicDirLock
    from generator.scheduler import start_background
    from sidecar.server import run_sidecar

    check_listen(args.host, args.port, "--host", "--port", free_port=False)
    probe_listen(args.host, args.port, "--host", "--port")  # before the first generation, not after it
    lock = PublicDirLock(cfg.public_dir).acquire()  # the demo's generator is a generator too
    ctx = _context(cfg, args)
    run_once(ctx)  # the page exists before the first browser arrives
    scheduler = start_background(ctx)
    print(f"heatpump-dashboard demo: http://{args.host}:{args.port}/  (public dir {cfg.public_dir})", flush=True)
    try:
        asyncio.run(run_sidecar(cfg.public_dir, args.host, args.port, max_clients=cfg["sidecar.max_clients"],
                                allowed_origins=cfg["sidecar.allowed_origins"], static=True))
    finally:
        scheduler.shutdown(wait=False)
        lock.release()
    return EXIT_OK


def cmd_doctor(cfg: Config, args: argparse.Namespace) -> int:
    from generator.doctor import run_doctor

    return run_doctor(cfg, sys.stdout)


def cmd_archive(cfg: Config, args: argparse.Namespace) -> int:
    from generator import archive
    from generator.build import take_archive_snapshot
    from generator.core.errors import SourceError

    ctx = _context(cfg)
    day = args.date or archive.yesterday(datetime.now(timezone.utc), cfg["site.timezone"])
    try:
        take_archive_snapshot(ctx, day)
    except SourceError as exc:
        print(f"source failed: {exc}", file=sys.stderr)
        return EXIT_SOURCE_FAILED
    archive.prune_and_index(ctx.publisher, max(day, archive.yesterday(datetime.now(timezone.utc), cfg["site.timezone"])),
                            cfg["output.archive_days"])
    print(f"archived {day.isoformat()} into {cfg.public_dir / 'archive' / day.isoformat()}")
    return EXIT_OK


def cmd_export(cfg: Config, args: argparse.Namespace) -> int:
    from generator.core.errors import SourceError
    from generator.export import export_report

    try:
        export_report(_context(cfg), args.date, args.out)
    except SourceError as exc:
        print(f"source failed: {exc}", file=sys.stderr)
        return EXIT_SOURCE_FAILED
    return EXIT_OK


def cmd_nginx_config(cfg: Config, args: argparse.Namespace) -> int:
    """Print nginx's configuration; with --standalone also create the directories it names."""
    from generator.nginx_config import prepare_prefix, render

    text = render(cfg, listen=args.listen, standalone=args.standalone, brotli=False if args.no_brotli else None)
    if args.standalone is not None:
        try:
            prepare_prefix(args.standalone)
        except OSError as exc:
            raise ConfigError([f"--standalone: cannot create {args.standalone} ({exc.strerror or exc}); "
                               "create it owned by the user that runs nginx, or choose another directory"]) from None
    sys.stdout.write(text)
    return EXIT_OK


def cmd_check_serving(cfg: Config, args: argparse.Namespace) -> int:
    from generator.check_serving import check_serving

    return check_serving(cfg, args.url, sys.stdout)


def cmd_notify_test(cfg: Config, args: argparse.Namespace) -> int:
    """One test message per configured channel (webhook, ntfy, e-mail); exit 1 when any failed."""
    from generator.notify import send_test

    results = send_test(cfg, datetime.now(timezone.utc))
    if not results:
        print("no notification channel is set up: set notify.webhook.url, notify.ntfy.url or notify.smtp.host "
              "(docs/notifications.md)", file=sys.stderr)
        return EXIT_BAD_CONFIG
    for name, problem in results:
        print(f"{name}: sent" if problem is None else f"{name}: FAILED: {problem}")
    return EXIT_OK if all(problem is None for _, problem in results) else EXIT_SOURCE_FAILED


COMMANDS = {
    "check-config": cmd_check_config,
    "generate": cmd_generate,
    "sidecar": cmd_sidecar,
    "demo": cmd_demo,
    "doctor": cmd_doctor,
    "archive": cmd_archive,
    "export": cmd_export,
    "nginx-config": cmd_nginx_config,
    "check-serving": cmd_check_serving,
    "notify-test": cmd_notify_test,
}

if __name__ == "__main__":
    sys.exit(main())
