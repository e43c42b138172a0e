"""`heatpump-dashboard nginx-config`: nginx's configuration made from the same YAML as everything else.

Why a command rather than a file to edit: root, the sidecar's address and the listen address already
live in the YAML; printing them from it means nginx cannot point at another public/ than the
generator writes.  The lines themselves are in templates/nginx.conf.j2; the repository's nginx.conf is
its standalone rendering for the documented example (a test keeps the two equal).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from generator.config import Config
from generator.core.errors import ConfigError
from sidecar.static import CSP  # the demo server sends the same Content-Security-Policy

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "nginx.conf.j2"
# Debian's libnginx-mod-http-brotli-static: with it nginx sends the .br files the generator writes; without
# it the configuration leaves brotli out, so nginx still starts (and sends the .gz files).
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
DEBIAN_MODULES_ENABLED = Path("/etc/nginx/modules-enabled")
# Subdirectories of a standalone prefix: nginx needs them before it starts (logs) or on first use (tmp).
PREFIX_DIRS = ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi")
# Characters that end or open an nginx token: a value holding one would change the configuration.
NGINX_SYNTAX = set(';{}#"\'\\$\n\r')
HTPASSWD_FIX = ("make it with `printf 'USER:%s\\n' \"$(openssl passwd -apr1)\" > FILE` "
                "(docs/deploy.md), or remove the key")


@dataclass(frozen=True)
class NginxSite:
    """What the configuration is made of, taken from the YAML (and --listen)."""

    listen: str
    server_name: str
    root: Path
    sidecar: str            # host:port the upstream connects to
    htpasswd: Path | None


def site_from_config(cfg: Config, listen: str | None = None) -> NginxSite:
    """The site's values, checked: ConfigError naming each key whose value nginx would misread."""
    htpasswd = cfg["nginx.htpasswd"]
    site = NginxSite(
        listen=listen or cfg["nginx.listen"],
        server_name=cfg["nginx.server_name"],
        root=cfg.public_dir,
        sidecar=upstream_address(cfg["sidecar.host"], cfg["sidecar.port"]),
        htpasswd=Path(htpasswd).resolve() if htpasswd else None,
    )
    words = {"nginx.listen": site.listen, "nginx.server_name": site.server_name}   # several words are fine
    paths = {"output.public_dir": str(site.root), "nginx.htpasswd": str(site.htpasswd) if htpasswd else None}
    problems = [p for key, value in words.items() if (p := _syntax_problem(key, value, path=False))]
    problems += [p for key, value in paths.items() if value is not None and (p := _syntax_problem(key, value, path=True))]
    problems += htpasswd_problems(htpasswd)
    if problems:
        raise ConfigError(problems)
    return site


def upstream_address(host: str, port: int) -> str:
    """Where nginx reaches the sidecar: a wildcard listen address is reached on loopback."""
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _syntax_problem(key: str, value: str, *, path: bool) -> str | None:
    """Why nginx would read `value` otherwise than meant: a path is one word, the others may be several."""
    spaced = any(c.isspace() for c in value) if path else value != value.strip()
    if not value.strip() or spaced or NGINX_SYNTAX & set(value):
        return (f"{key}: {value!r} cannot be written into nginx's configuration; use a value without "
                f"{'spaces' if path else 'spaces at the ends'}, quotes, ';', '{{', '}}', '#', '$' or '\\'")
    return None


def htpasswd_problems(value: str | None) -> list[str]:
    """Why nginx could not use the htpasswd file nginx.htpasswd names (nothing when unset or fine).
    nginx only reads it on a request, so `nginx -t` would not notice; this does."""
    if not value:
        return []
    path = Path(value)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return [f"nginx.htpasswd: {path} not found; {HTPASSWD_FIX}"]
    except (OSError, UnicodeDecodeError) as exc:
        return [f"nginx.htpasswd: cannot read {path} ({exc.__class__.__name__}); "
                "check the path and that this user and nginx's (www-data) may read it"]
    if not any(_is_user_line(line) for line in lines):
        return [f"nginx.htpasswd: {path} has no user:hash line; {HTPASSWD_FIX}"]
    return []


def _is_user_line(line: str) -> bool:
    user, colon, hashed = line.strip().partition(":")
    return bool(colon and user and hashed) and not user.startswith("#")


def brotli_available(standalone: bool) -> bool:
    """Whether nginx can serve the generator's .br files: the module is installed (standalone: this
    configuration loads it), or Debian's nginx has it enabled (a site included into that nginx)."""
    if standalone:
        return BROTLI_MODULE.exists()
    return any(DEBIAN_MODULES_ENABLED.glob("*brotli*static*"))


def render(cfg: Config, *, listen: str | None = None, standalone: Path | None = None,
           brotli: bool | None = None) -> str:
    """The configuration as text: the http-level lines and the server block, or (standalone) a whole
    nginx.conf whose pid, logs and temp files live under `standalone`."""
    site = site_from_config(cfg, listen)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=False, undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    prefix = standalone_prefix(standalone) if standalone is not None else None
    arguments = ((f" --config {cfg.path}".replace("\n", " ") if cfg.path else "") + (f" --listen {listen}" if listen else "")
                 + (" --no-brotli" if brotli is False else ""))
    return env.get_template(TEMPLATE).render(
        listen=site.listen, server_name=site.server_name, root=site.root, sidecar=site.sidecar,
        htpasswd=site.htpasswd, csp=CSP, prefix=prefix, arguments=arguments,
        brotli=brotli_available(standalone is not None) if brotli is None else brotli, brotli_module=BROTLI_MODULE)


def standalone_prefix(path: Path) -> Path:
    """The prefix as an absolute path nginx can read."""
    prefix = Path(path).absolute()
    problem = _syntax_problem("--standalone", str(prefix), path=True)
    if problem:
        raise ConfigError([problem])
    return prefix


def prepare_prefix(path: Path) -> Path:
    """Create the standalone prefix and the directories the rendered configuration names."""
    prefix = standalone_prefix(path)
    for sub in PREFIX_DIRS:
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    return prefix
