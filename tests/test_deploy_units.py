"""The systemd units in deploy/: valid for systemd (systemd-analyze verify, with the clone's path replaced
by this checkout so ExecStart exists) and hardened."""
from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
CLONE = "/opt/heatpump-dashboard"
UNITS = ("heatpump-generator.service", "heatpump-sidecar.service", "heatpump-nginx.service")
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
HARDENING = {"NoNewPrivileges": "yes", "PrivateTmp": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
             "User": "heatpump", "Group": "heatpump", "Restart": "on-failure"}
WRITABLE = {"heatpump-generator.service": ["/srv/heatpump-dashboard/public"],
            "heatpump-sidecar.service": [],           # it only reads public/
            "heatpump-nginx.service": ["/var/lib/heatpump-nginx"]}


def service_section(name: str) -> dict[str, list[str]]:
    """Every key of [Service] with all its values (systemd allows a key more than once)."""
    section: dict[str, list[str]] = {}
    current = None
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            current = line.strip()
        elif current == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            section.setdefault(key.strip(), []).append(value.strip())
    return section


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed (package systemd)")
@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_verifies_the_unit_without_a_warning_about_its_lines(name, tmp_path):
    text = (DEPLOY / name).read_text(encoding="utf-8").replace(CLONE, str(ROOT))
    unit = tmp_path / name
    unit.write_text(text, encoding="utf-8")
    result = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", str(unit)], capture_output=True, text=True,
                            timeout=60, cwd=tmp_path)
    own = [line for line in (result.stdout + result.stderr).splitlines() if str(unit) in line or line.startswith(name)]
    assert result.returncode == 0, result.stderr
    assert own == [], own


@pytest.mark.parametrize("name", UNITS)
def test_the_unit_is_hardened(name):
    section = service_section(name)
    for key, value in HARDENING.items():
        assert section.get(key) == [value], f"{name}: {key}={value} missing"
    assert section.get("RestartSec"), f"{name}: RestartSec missing"
    writable = [path for value in section.get("ReadWritePaths", []) for path in value.split()]
    assert writable == WRITABLE[name], f"{name}: writable {writable}"


@pytest.mark.parametrize("name", ["heatpump-generator.service", "heatpump-sidecar.service"])
def test_a_bad_configuration_is_not_restarted(name):
    assert service_section(name).get("RestartPreventExitStatus") == ["2"]


def test_the_generator_that_cannot_publish_is_restarted():
    """Exit 3 (public/ not writable for many runs) may heal: only 2 stops the restarts."""
    from generator.core.errors import EXIT_BAD_CONFIG, EXIT_CANNOT_PUBLISH

    prevented = service_section("heatpump-generator.service")["RestartPreventExitStatus"][0].split()
    assert str(EXIT_BAD_CONFIG) in prevented and str(EXIT_CANNOT_PUBLISH) not in prevented


@pytest.mark.parametrize("name", UNITS)
def test_the_unit_uses_the_documented_paths(name):
    text = (DEPLOY / name).read_text(encoding="utf-8")
    if name != "heatpump-nginx.service":
        assert f"ExecStart={CLONE}/.venv/bin/heatpump-dashboard " in text
        assert "--config /etc/heatpump-dashboard.yaml" in text
    else:
        assert "-c /etc/heatpump-dashboard-nginx.conf -p /var/lib/heatpump-nginx" in text


@pytest.mark.parametrize("name", UNITS)
def test_the_unit_can_be_enabled_to_start_at_boot(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    assert parser.get("Install", "WantedBy") == "multi-user.target"
