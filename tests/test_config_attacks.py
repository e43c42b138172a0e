"""Configurations that used to break the program: absurd numbers, files that are not YAML text, YAML
that expands or repeats itself, secrets with control characters, and addresses the sidecar cannot listen
on.  Each is refused with exit code 2 and one line naming the key (or flag) and the fix, within a second:
load_config in-process for most, `heatpump-dashboard` as a subprocess (< 3 s, Python start-up included)
for a few end to end.

Why over 300 lines: one file holds every attack on the configuration, so that the ways in are listed in
one place; the bad inputs are parametrized tables, one test per behaviour.
"""
from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from generator.config import SETTINGS, configuration_doc, listen_problem, load_config
from generator.core.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
IN_PROCESS_S = 1.0
SUBPROCESS_S = 3.0


def write(tmp_path: Path, content: str | bytes, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def refused(path: Path | None, environ: dict[str, str] | None = None) -> str:
    """The one problem load_config finds, found within a second."""
    started = time.perf_counter()
    with pytest.raises(ConfigError) as err:
        load_config(path, environ or {})
    assert time.perf_counter() - started < IN_PROCESS_S
    assert len(err.value.problems) == 1, err.value.problems
    [problem] = err.value.problems
    assert "\n" not in problem and "\r" not in problem
    return problem


def cli(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """`heatpump-dashboard ARGS` as a subprocess, which must end within SUBPROCESS_S."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "generator.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=30, env={**os.environ, **(env or {})}, **kwargs)
    assert time.monotonic() - started < SUBPROCESS_S, (done.stdout, done.stderr)
    return done


def one_line(done: subprocess.CompletedProcess) -> str:
    """Exit 2 and one line on stderr (nothing on stdout): the problem."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("configuration error: ")
    return lines[0].removeprefix("configuration error: ")


# --- numbers: finite, of the right kind, within each setting's range --------------------------------------
ABSURD = [
    ("schedule:\n  interval_s: .inf\n", "schedule.interval_s", "from 1 to 86400 s"),
    ("schedule:\n  interval_s: 1.0e-9\n", "schedule.interval_s", "from 1 to 86400 s"),
    ("schedule:\n  interval_s: -30\n", "schedule.interval_s", "from 1 to 86400 s"),
    ("schedule:\n  interval_s: yes\n", "schedule.interval_s", "yes/no"),
    ("schedule:\n  live_s: .nan\n", "schedule.live_s", "from 1 to 3600 s"),
    ("schedule:\n  year_s: 1.0e+300\n", "schedule.year_s", "from 1 to 86400 s"),
    ("schedule:\n  max_publish_failures: 2.5\n", "schedule.max_publish_failures", "whole number from 1 to 1000"),
    ("source:\n  timeout_s: .inf\n", "source.timeout_s", "from 1 to 600 s"),
    ("source:\n  timeout_s: -.inf\n", "source.timeout_s", "from 1 to 600 s"),
    ("source:\n  timeout_s: .nan\n", "source.timeout_s", "from 1 to 600 s"),
    ("source:\n  timeout_s: 0\n", "source.timeout_s", "from 1 to 600 s"),
    ("source:\n  timeout_s: 1.0e+300\n", "source.timeout_s", "from 1 to 600 s"),
    ("source:\n  timeout_s: on\n", "source.timeout_s", "yes/no"),
    ("source:\n  max_gap_s: .inf\n", "source.max_gap_s", "from 1 to 604800 s"),
    ("source:\n  seed: " + "9" * 400 + "\n", "source.seed", "whole number from 0 to 4294967295"),
    ("source:\n  seed: -1\n", "source.seed", "whole number from 0 to 4294967295"),
    ("output:\n  grace_s: -1\n", "output.grace_s", "from 0 to 86400 s"),
    ("output:\n  archive_days: .inf\n", "output.archive_days", "whole number from 1 to 3650"),
    ("site:\n  stale_after_s: .inf\n", "site.stale_after_s", "from 1 to 604800 s"),
    ("sidecar:\n  port: 0\n", "sidecar.port", "whole number from 1 to 65535"),
    ("sidecar:\n  port: 70000\n", "sidecar.port", "whole number from 1 to 65535"),
    ("sidecar:\n  port: 8765.5\n", "sidecar.port", "whole number from 1 to 65535"),
    ("sidecar:\n  port: yes\n", "sidecar.port", "yes/no"),
    ("sidecar:\n  max_clients: 1.0e+300\n", "sidecar.max_clients", "whole number from 1 to 100000"),
    ("cop:\n  min_running_share: .inf\n", "cop.min_running_share", "above 0 up to 1"),
    ("cop:\n  flow_factor: .inf\n", "cop.flow_factor", "above 0 up to 100 kW/K"),
    ("cop:\n  carnot_efficiency: 1.0e+300\n", "cop.carnot_efficiency", "above 0 up to 1"),
    ("aux:\n  step_w: [3000, .inf]\n", "aux.step_w", "above 0 up to 100000 W"),
    ("alarms:\n  code_base: yes\n", "alarms.code_base", "from 0 to 1"),
    ("heat_pump:\n  nominal_heat_kw: .nan\n", "heat_pump.nominal_heat_kw", "above 0 up to 1000 kW"),
    ("hot_water:\n  min_cycle_minutes: .inf\n", "hot_water.min_cycle_minutes", "from 0 to 120 min"),
    ("price:\n  per_kwh: .nan\n", "price.per_kwh", "from 0 to 100000"),
]


@pytest.mark.parametrize("text, key, allowed", ABSURD, ids=[f"{k}={t.split(': ', 1)[1].strip()[:12]}" for t, k, _ in ABSURD])
def test_an_absurd_number_is_refused_naming_the_key_and_its_range(tmp_path, text, key, allowed):
    problem = refused(write(tmp_path, text))
    assert problem.startswith(f"{key}: ") and allowed in problem


@pytest.mark.parametrize("text", [
    "schedule:\n  interval_s: 1\n  week_s: 86400\n  live_s: 3600\n",
    "source:\n  timeout_s: 600\n  seed: 0\n  max_gap_s: 0.5e+1\n",
    "output:\n  grace_s: 0\n  archive_days: 3650\n",
    "sidecar:\n  port: 65535\n  max_clients: 1\n",
    "cop:\n  min_running_share: 1\n  flow_factor: 2.5\n  carnot_efficiency: 0.45\naux:\n  step_w: [3000, 6000]\n",
    "alarms:\n  code_base: 0\nheat_pump:\n  nominal_heat_kw: 7.5\nprice:\n  per_kwh: 0\n",
])
def test_a_number_at_the_ends_of_its_range_is_accepted(tmp_path, text):
    load_config(write(tmp_path, text), {})


def test_every_default_is_within_its_own_range():
    for setting in SETTINGS:
        assert setting.check(setting.default) is None, setting.key


def test_every_numeric_setting_states_its_range_in_the_docs():
    doc = configuration_doc()
    numeric = [s for s in SETTINGS if getattr(s.check, "allowed", None)]
    assert len(numeric) >= 20
    for setting in numeric:
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{setting.key}` |"))
        assert f"allowed: {setting.check.allowed}" in row, setting.key


@pytest.mark.parametrize("text, key", [
    ("schedule:\n  interval_s: .inf\n", "schedule.interval_s"),
    ("source:\n  timeout_s: .inf\n", "source.timeout_s"),
    ("schedule:\n  interval_s: yes\n", "schedule.interval_s"),
])
def test_check_config_refuses_an_absurd_number_with_exit_2_and_one_line(tmp_path, text, key):
    problem = one_line(cli("check-config", "--config", str(write(tmp_path, text))))
    assert problem.startswith(f"{key}: ") and "from 1 to" in problem


# --- the file itself --------------------------------------------------------------------------------------
def test_a_config_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path):
    problem = refused(write(tmp_path, "site:\n  name: Villa Ek\n  language: en\nprice:\n  currency: \xa4\n".encode("latin-1")))
    assert "line 5: not UTF-8 text" in problem and "save the file as UTF-8" in problem


def test_check_config_refuses_a_utf16_file_with_one_line(tmp_path):
    path = write(tmp_path, "site:\n  name: Villa Ek\n".encode("utf-16"))
    assert "not UTF-8 text" in one_line(cli("check-config", "--config", str(path)))


def test_a_directory_given_as_config_is_refused_naming_the_file_to_give(tmp_path):
    problem = one_line(cli("check-config", "--config", str(tmp_path)))
    assert f"config file {tmp_path}: is a directory" in problem and "give the YAML file itself" in problem


@contextmanager
def as_nobody_if_root() -> Iterator[None]:
    """Root reads every file: a file it may not read needs another effective user for a moment."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def test_an_unreadable_config_file_is_refused_saying_who_must_read_it():
    directory = Path(tempfile.mkdtemp(prefix="unreadable-config-"))  # in /tmp: nobody may look inside
    try:
        directory.chmod(0o755)
        path = write(directory, "site:\n  name: Villa Ek\n")
        path.chmod(0o000)
        with as_nobody_if_root():
            problem = refused(path)
    finally:
        shutil.rmtree(directory)
    assert problem.startswith(f"config file {path}: cannot read it (Permission denied)")
    assert "let the user that runs heatpump-dashboard read it" in problem


def test_an_oversized_config_file_is_refused_without_parsing_it(tmp_path):
    problem = refused(write(tmp_path, "site:\n  name: " + "x" * 2_000_000 + "\n"))
    assert "larger than 32 KiB" in problem


def billion_laughs(levels: int = 9, width: int = 9, kind: str = "list") -> str:
    """Nested anchors and aliases: a few hundred bytes that stand for width**levels values."""
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels + 1):
        if kind == "list":
            items = ", ".join([f"*l{level - 1}"] * width)
            lines.append(f"l{level}: &l{level} [{items}]")
        else:
            items = ", ".join(f"k{i}: *l{level - 1}" for i in range(width))
            lines.append(f"l{level}: &l{level} {{{items}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text", [
    billion_laughs(kind="list") + "sidecar:\n  allowed_origins: *l9\n",   # repr() of it in the message
    billion_laughs(kind="mapping"),                                          # _flatten() of it
    "base: &base {name: Villa Ek}\nsite:\n  <<: *base\n",                    # a merge key uses an alias too
], ids=["list-bomb", "mapping-bomb", "merge-key"])
def test_a_yaml_alias_is_refused_so_a_billion_laughs_cannot_expand(tmp_path, text):
    problem = refused(write(tmp_path, text))
    assert "alias *" in problem and "refused" in problem and "write the value out" in problem


def test_check_config_refuses_a_billion_laughs_within_a_second(tmp_path):
    path = write(tmp_path, billion_laughs(levels=12, kind="mapping"))
    assert "alias *l0 refused" in one_line(cli("check-config", "--config", str(path)))


@pytest.mark.parametrize("text", ["a: " + "[" * 30_000 + "\n", "".join("  " * i + f"k{i}:\n" for i in range(100))])
def test_yaml_nested_absurdly_deep_is_refused_fast(tmp_path, text):
    assert "nested more than 20 levels deep" in refused(write(tmp_path, text))


@pytest.mark.parametrize("text, key, line, first", [
    ("source:\n  kind: influxql\n  url: http://a:8086\n  database: hp\n  url: http://b:8086\n", "source.url", 5, 3),
    ("site:\n  name: Villa Ek\nsite:\n  language: en\n", "site", 3, 1),
    ("site: {name: a, language: en, name: b}\n", "site.name", 1, 1),
    ("source:\n  token: abc\n  token: def\n", "source.token", 3, 2),
])
def test_a_key_given_twice_is_named_with_its_line(tmp_path, text, key, line, first):
    problem = refused(write(tmp_path, text))
    assert f"line {line}: key {key} appears twice (also line {first}); keep one" in problem
    assert "abc" not in problem and "def" not in problem


@pytest.mark.parametrize("value", ['""', '"   "', "\"\\t\""])
def test_an_empty_public_dir_is_refused_as_it_would_be_the_working_directory(tmp_path, value):
    problem = refused(write(tmp_path, f"output:\n  public_dir: {value}\n"))
    assert problem.startswith("output.public_dir: ") and "give a path" in problem


def test_check_config_refuses_an_empty_public_dir_with_one_line(tmp_path):
    problem = one_line(cli("check-config", "--config", str(write(tmp_path, 'output:\n  public_dir: ""\n'))))
    assert problem.startswith("output.public_dir: ")


# --- secrets: never blank, never a control character, never shown ------------------------------------------
SECRET = "S3cr3t-Zq7"
FLUX = "source:\n  kind: flux\n  url: http://127.0.0.1:8086\n  org: o\n  bucket: b\n"
WITH_TOKEN = FLUX + "  token: t\n"


@pytest.mark.parametrize("key, env, value", [
    ("source.token", "INFLUXDB_TOKEN", f"{SECRET}\r\nX-Injected: 1"),
    ("source.token", "INFLUXDB_TOKEN", f"{SECRET}\n"),
    ("source.token", "INFLUXDB_TOKEN", f"{SECRET}\x1b[2J"),
    ("source.password", "INFLUXDB_PASSWORD", f"{SECRET}\r"),
    ("source.password", "INFLUXDB_PASSWORD", f"{SECRET}\tmore"),
], ids=["token-crlf", "token-lf", "token-escape", "password-cr", "password-tab"])
def test_a_secret_from_the_environment_with_a_control_character_is_refused_unshown(tmp_path, key, env, value):
    problem = refused(write(tmp_path, WITH_TOKEN), {env: value})
    assert problem.startswith(f"{key} (from ${env}): the value is not valid;") and "control character" in problem
    assert SECRET not in problem


@pytest.mark.parametrize("key, yaml_value", [
    ("token", f'"{SECRET}\\r\\nX-Injected: 1"'), ("token", f'"{SECRET}\\0"'), ("password", f'"{SECRET}\\u2028"'),
])
def test_a_secret_in_the_file_with_a_control_character_is_refused_unshown(tmp_path, key, yaml_value):
    problem = refused(write(tmp_path, (FLUX if key == "token" else WITH_TOKEN) + f"  {key}: {yaml_value}\n"))
    assert problem.startswith(f"source.{key}: the value is not valid;") and "control character" in problem
    assert SECRET not in problem


@pytest.mark.parametrize("key, yaml_value", [("token", '""'), ("token", '"   "'), ("password", '" "')])
def test_a_blank_secret_is_refused(tmp_path, key, yaml_value):
    problem = refused(write(tmp_path, (FLUX if key == "token" else WITH_TOKEN) + f"  {key}: {yaml_value}\n"))
    assert problem.startswith(f"source.{key}: the value is not valid;") and "empty or blanks" in problem


def test_a_token_outside_ascii_is_refused_unshown(tmp_path):
    problem = refused(write(tmp_path, FLUX), {"INFLUXDB_TOKEN": f"{SECRET}\u2019"})
    assert problem.startswith("source.token (from $INFLUXDB_TOKEN):") and "outside ASCII" in problem
    assert SECRET not in problem


@pytest.mark.parametrize("content, fix", [
    (f"{SECRET}\r\nX-Injected: 1\n".encode(), "control character"),
    (f"{SECRET}\x00rest".encode(), "control character"),
    (b"", "empty or blanks"),
    (b"  \n\n", "empty or blanks"),
    (f"{SECRET}\xff".encode("latin-1"), "not UTF-8 text"),
], ids=["crlf-inside", "nul", "empty", "blank", "latin-1"])
def test_a_token_file_with_a_bad_token_is_refused_unshown(tmp_path, content, fix):
    token_file = write(tmp_path, content, "token")
    problem = refused(write(tmp_path, FLUX + f"  token_file: {token_file}\n"))
    assert problem.startswith("source.token_file: ") and fix in problem and SECRET not in problem


def test_a_token_file_ending_in_a_line_break_is_accepted(tmp_path):
    token_file = write(tmp_path, f"{SECRET}\n", "token")
    assert load_config(write(tmp_path, FLUX + f"  token_file: {token_file}\n"), {}).token() == SECRET


def test_check_config_never_prints_a_token_with_a_line_break(tmp_path):
    done = cli("check-config", "--config", str(write(tmp_path, FLUX)),
               env={"INFLUXDB_TOKEN": f"{SECRET}\r\nX-Injected: 1"})
    problem = one_line(done)
    assert problem.startswith("source.token (from $INFLUXDB_TOKEN): ") and "control character" in problem
    assert SECRET not in done.stdout + done.stderr and "X-Injected" not in done.stdout + done.stderr


# --- where the sidecar and the demo listen ----------------------------------------------------------------
@pytest.fixture()
def busy_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_sidecar_on_a_port_in_use_given_by_the_config_exits_2_naming_sidecar_port(tmp_path, busy_port):
    config = write(tmp_path, f"sidecar:\n  port: {busy_port}\n")
    problem = one_line(cli("sidecar", "--config", str(config), "--public-dir", str(tmp_path / "public")))
    assert problem.startswith(f"sidecar.port: port {busy_port} on 127.0.0.1 is already in use")
    assert "choose another port" in problem


def test_sidecar_on_a_port_in_use_given_by_the_flag_exits_2_naming_the_flag(tmp_path, busy_port):
    problem = one_line(cli("sidecar", "--port", str(busy_port), "--public-dir", str(tmp_path / "public")))
    assert problem.startswith(f"--port: port {busy_port} on 127.0.0.1 is already in use")


def test_demo_on_a_port_in_use_exits_2_before_generating(tmp_path, busy_port):
    public = tmp_path / "public"
    problem = one_line(cli("demo", "--port", str(busy_port), "--public-dir", str(public)))
    assert problem.startswith(f"--port: port {busy_port} on 127.0.0.1 is already in use")
    assert not (public / "manifest.json").exists(), "refused before the first generation"


@pytest.mark.parametrize("host", ["no-such-host.invalid", "203.0.113.7"], ids=["unresolvable", "foreign"])
def test_sidecar_on_a_host_it_cannot_listen_on_exits_2_naming_sidecar_host(tmp_path, host):
    config = write(tmp_path, f"sidecar:\n  host: {host}\n  port: 8765\n")
    problem = one_line(cli("sidecar", "--config", str(config), "--public-dir", str(tmp_path / "public")))
    assert problem.startswith(f"sidecar.host: {host} ") and "127.0.0.1" in problem
    assert ("does not resolve" if host.endswith(".invalid") else "is not an address of this machine") in problem


def test_sidecar_with_a_foreign_host_flag_exits_2_naming_the_flag(tmp_path):
    problem = one_line(cli("sidecar", "--host", "203.0.113.7", "--public-dir", str(tmp_path / "public")))
    assert problem.startswith("--host: 203.0.113.7 is not an address of this machine")


@pytest.mark.parametrize("command", ["sidecar", "demo"])
def test_a_port_flag_out_of_range_exits_2_naming_the_flag(tmp_path, command):
    problem = one_line(cli(command, "--port", "70000", "--public-dir", str(tmp_path / "public")))
    assert problem.startswith("--port: 70000 is not valid; use a whole number from")


@pytest.mark.parametrize("host", ["localhost:8765", "http://127.0.0.1", "127.0.0.1 ", 8765])
def test_a_sidecar_host_that_is_not_a_bare_address_is_refused(tmp_path, host):
    problem = refused(write(tmp_path, f"sidecar:\n  host: {host!r}\n" if isinstance(host, str) else
                            f"sidecar:\n  host: {host}\n"))
    assert problem.startswith("sidecar.host: ")


@pytest.mark.parametrize("error, key", [
    (OSError(errno.EACCES, "Permission denied"), "sidecar.port: this user may not listen on port 80"),
    (OSError(errno.EADDRINUSE, "Address already in use"), "sidecar.port: port 80 on 127.0.0.1 is already in use"),
    (OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"), "sidecar.host: 127.0.0.1 is not an address"),
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "sidecar.host: 127.0.0.1 does not resolve"),
    (OSError(errno.ENOBUFS, "No buffer space available"), "sidecar.host or sidecar.port: cannot listen"),
])
def test_each_failure_to_listen_names_the_setting_to_change(error, key):
    assert listen_problem(error, "127.0.0.1", 80, "sidecar.host", "sidecar.port").startswith(key)
