"""`heatpump-dashboard nginx-config`: nginx's configuration rendered from the YAML, the repository's
nginx.conf kept equal to the documented example's rendering, and the standalone file run by real nginx."""
from __future__ import annotations

import asyncio
import json
import re
import subprocess
import tempfile
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from websockets.asyncio.client import connect

from generator.build import make_context, run_once
from generator.cli import main
from generator.config import load_config
from generator.core.errors import ConfigError
from generator.nginx_config import PREFIX_DIRS, render, site_from_config
from generator.site import bundle_missing
from generator.sources.demo import DemoSource
from tests.nginx_server import NGINX, ROOT, free_port, start_nginx, wait_until_serving
from tests.sidecar_process import CLI, start_sidecar_process

EXAMPLE = Path("deploy/heatpump-dashboard.yaml")   # relative: the rendered header names it as given
EXAMPLE_PREFIX = Path("/var/lib/heatpump-nginx")


def write_config(path: Path, **sections: dict) -> Path:
    path.write_text(yaml.safe_dump(sections), encoding="utf-8")
    return path


def test_the_committed_nginx_conf_is_the_standalone_rendering_of_the_documented_example(monkeypatch):
    monkeypatch.chdir(ROOT)
    rendered = render(load_config(EXAMPLE, {}), standalone=EXAMPLE_PREFIX, brotli=False)
    assert (ROOT / "nginx.conf").read_text(encoding="utf-8") == rendered, (
        "regenerate nginx.conf: heatpump-dashboard nginx-config --config deploy/heatpump-dashboard.yaml "
        "--standalone /var/lib/heatpump-nginx --no-brotli (as the test does, without creating the directory)")


def test_the_command_prints_listen_server_name_root_and_the_sidecar_from_the_yaml(tmp_path, capsys):
    config = write_config(tmp_path / "c.yaml", output={"public_dir": str(tmp_path / "pub")},
                          sidecar={"host": "127.0.0.1", "port": 9911},
                          nginx={"listen": "127.0.0.1:8181", "server_name": "heat.example.com"})
    assert main(["nginx-config", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "listen 127.0.0.1:8181;" in out and "server_name heat.example.com;" in out
    assert f"root {(tmp_path / 'pub').resolve()};" in out
    assert "server 127.0.0.1:9911;" in out


def test_a_relative_public_dir_becomes_an_absolute_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = render(load_config(None, {}).with_values(output__public_dir="public"))
    assert f"root {tmp_path.resolve() / 'public'};" in text


def test_the_listen_flag_overrides_nginx_listen(tmp_path, capsys):
    config = write_config(tmp_path / "c.yaml", nginx={"listen": "127.0.0.1:8181"})
    assert main(["nginx-config", "--config", str(config), "--listen", "0.0.0.0:9090"]) == 0
    out = capsys.readouterr().out
    assert "listen 0.0.0.0:9090;" in out and "8181" not in out


def test_the_http_level_lines_come_before_the_server_block(tmp_path):
    text = render(load_config(None, {}).with_values(output__public_dir=str(tmp_path)))
    assert text.index("map $uri") < text.index("upstream heatpump_sidecar") < text.index("server {")
    assert "inside nginx's http { } block" in text.split("map ", 1)[0]
    assert not re.search(r"^\s*(http|events) \{", text, re.M)


def test_a_sidecar_listening_on_every_address_is_reached_on_loopback():
    cfg = load_config(None, {}).with_values(sidecar__host="0.0.0.0", sidecar__port=8765)
    assert site_from_config(cfg).sidecar == "127.0.0.1:8765"
    assert site_from_config(cfg.with_values(sidecar__host="::")).sidecar == "[::1]:8765"


@pytest.mark.parametrize("key, value", [("nginx.server_name", "a; include /etc/shadow"),
                                        ("nginx.listen", "80 { }"),
                                        ("output.public_dir", "/srv/my dashboard/public")])
def test_a_value_nginx_would_read_otherwise_is_refused_naming_the_key(key, value):
    cfg = load_config(None, {}).with_values(**{key.replace(".", "__"): value})
    with pytest.raises(ConfigError) as err:
        render(cfg)
    assert err.value.problems[0].startswith(f"{key}: ")


def test_an_open_dashboard_asks_for_no_password(tmp_path):
    assert "auth_basic" not in render(load_config(None, {}).with_values(output__public_dir=str(tmp_path)))


def test_a_private_dashboard_asks_for_a_password_at_server_level(tmp_path):
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text("viewer:$apr1$abc$0123456789abcdefghijkl\n", encoding="utf-8")
    text = render(load_config(None, {}).with_values(output__public_dir=str(tmp_path), nginx__htpasswd=str(htpasswd)))
    server = text[text.index("server {"):]
    assert f"auth_basic_user_file {htpasswd};" in server.split("location", 1)[0]
    assert 'auth_basic "heatpump-dashboard";' in server.split("location", 1)[0]


def test_the_site_output_works_with_one_include_inside_an_http_block(tmp_path):
    site = tmp_path / "heatpump-dashboard.conf"
    site.write_text(render(load_config(None, {}).with_values(output__public_dir=str(tmp_path))), encoding="utf-8")
    main_conf = tmp_path / "nginx.conf"
    main_conf.write_text(f"include /etc/nginx/modules-enabled/*.conf;\npid {tmp_path}/nginx.pid;\nerror_log stderr;\n"
                         f"events {{}}\n"
                         f"http {{\n    include /etc/nginx/mime.types;\n    include {site};\n}}\n", encoding="utf-8")
    result = subprocess.run([NGINX, "-t", "-q", "-c", str(main_conf), "-p", "/usr/share/nginx/"],  # Debian's prefix
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr


def test_standalone_creates_the_directories_its_configuration_names(tmp_path, capsys):
    prefix = tmp_path / "nginx-prefix"
    assert main(["nginx-config", "--public-dir", str(tmp_path / "pub"), "--standalone", str(prefix)]) == 0
    out = capsys.readouterr().out
    for sub in PREFIX_DIRS:
        assert (prefix / sub).is_dir(), sub
    assert f"pid {prefix}/nginx.pid;" in out and f"error_log {prefix}/logs/error.log" in out
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        assert f"{kind}_temp_path {prefix}/tmp/" in out, kind


@pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")
def test_the_standalone_file_runs_real_nginx_serving_public_and_the_sidecar():
    """The command's own output, run as the docs say: nginx -c FILE -p DIR -g 'daemon off;'."""
    with tempfile.TemporaryDirectory(prefix="hpd-standalone-") as holder:
        base = Path(holder)
        base.chmod(0o755)  # nginx's unprivileged workers read public/ through it
        public, prefix = base / "public", base / "nginx"
        run_once(make_context(load_config(None, {}).with_values(output__public_dir=str(public)), DemoSource(seed=1)),
                 now=datetime.now(timezone.utc))
        sidecar, sidecar_port = start_sidecar_process(public)
        port = free_port()
        config = write_config(base / "c.yaml", output={"public_dir": str(public)},
                              sidecar={"port": sidecar_port}, nginx={"listen": f"127.0.0.1:{port}"})
        conf = base / "nginx.conf"
        with conf.open("w") as out:
            subprocess.run([CLI, "nginx-config", "--config", str(config), "--standalone", str(prefix)],
                           stdout=out, check=True, timeout=30)
        proc = start_nginx(conf, prefix)
        try:
            wait_until_serving(proc, port)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                assert b"<html" in response.read()
            assert asyncio.run(hello(port))["manifest"] == json.loads((public / "manifest.json").read_bytes())
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            sidecar.terminate()
            sidecar.wait(timeout=10)


async def hello(port: int) -> dict:
    async with connect(f"ws://127.0.0.1:{port}/ws", origin=f"http://127.0.0.1:{port}") as ws:
        return json.loads(await asyncio.wait_for(ws.recv(), 5))


def test_without_the_brotli_module_the_configuration_leaves_brotli_out(tmp_path, monkeypatch):
    import generator.nginx_config as module

    monkeypatch.setattr(module, "BROTLI_MODULE", tmp_path / "absent.so")
    text = render(load_config(None, {}).with_values(output__public_dir=str(tmp_path)), standalone=tmp_path / "ngx")
    assert "brotli_static" not in text and "load_module" not in text, "nginx without the module must still start"


def test_with_the_brotli_module_a_standalone_configuration_loads_it(tmp_path, monkeypatch):
    import generator.nginx_config as module

    fake = tmp_path / "ngx_http_brotli_static_module.so"
    fake.write_bytes(b"")
    monkeypatch.setattr(module, "BROTLI_MODULE", fake)
    text = render(load_config(None, {}).with_values(output__public_dir=str(tmp_path)), standalone=tmp_path / "ngx")
    assert f"load_module {fake};" in text and "brotli_static on;" in text
