"""Database failures become SourceError with a plain message and no secret in it; names from config and
provider files cannot change what a query does."""
from __future__ import annotations

import json
import socket
import textwrap
import threading
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

from generator.core.errors import SourceError
from generator.core.ranges import Window
from generator.sources.influxql import Connection, InfluxQLSource
from generator.sources.quoting import quote_ident, quote_string
from providers import load_provider, load_provider_file
from tests.influxd import Influxd, free_port

pytestmark = pytest.mark.influxd

PASSWORD = "s3cret-Pa55word"
TOKEN = "tok-very-secret-123"
WINDOW = Window(pd.Timestamp("2024-05-01T00:00Z"), pd.Timestamp("2024-05-01T01:00Z"), "30s", "Europe/Stockholm")


def conn(url: str, database: str = "hp", username: str | None = None, password: str | None = None,
         token: str | None = None, timeout_s: float = 5.0) -> Connection:
    return Connection(url, database, None, username, password, token, timeout_s)


def failure(src: InfluxQLSource) -> str:
    with pytest.raises(SourceError) as err:
        src.series(WINDOW, bands=False)
    return str(err.value)


def test_unreachable_port_is_a_source_error():
    src = InfluxQLSource(conn(f"http://127.0.0.1:{free_port()}"), load_provider("generic"))
    message = failure(src)
    assert "cannot reach InfluxDB at http://127.0.0.1" in message and "source.url" in message


def test_unknown_database_is_a_source_error_naming_it(influxd: Influxd):
    message = failure(InfluxQLSource(conn(influxd.url, "no_such_db"), load_provider("generic")))
    assert "no database 'no_such_db'" in message and "source.database" in message


@pytest.fixture(scope="module")
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers: a hung database."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for s in held:
        s.close()
    server.close()


def test_a_database_that_does_not_answer_times_out(silent_server: int):
    src = InfluxQLSource(conn(f"http://127.0.0.1:{silent_server}", timeout_s=0.5), load_provider("generic"))
    message = failure(src)
    assert "did not answer within 0.5 s" in message and "source.timeout_s" in message


def test_refused_credentials_are_a_source_error_without_the_password(influxd_auth: Influxd):
    influxd_auth.create_database("hp")
    src = InfluxQLSource(conn(influxd_auth.url, username="admin", password=PASSWORD + "x"), load_provider("generic"))
    message = failure(src)
    assert "refused the credentials (HTTP 401" in message and "source.password" in message
    assert PASSWORD not in message


def test_missing_credentials_are_refused_too(influxd_auth: Influxd):
    message = failure(InfluxQLSource(conn(influxd_auth.url), load_provider("generic")))
    assert "refused the credentials" in message


def test_a_refused_token_is_not_in_the_message(influxd_auth: Influxd):
    message = failure(InfluxQLSource(conn(influxd_auth.url, token=TOKEN), load_provider("generic")))
    assert "refused the credentials" in message and "source.token" in message and TOKEN not in message


def test_right_credentials_read_data(influxd_auth: Influxd):
    influxd_auth.create_database("hp")
    influxd_auth.write("hp", ["heatpump,name=outdoor_temp value=4.5 1714521600"], precision="s")
    src = InfluxQLSource(conn(influxd_auth.url, username="admin", password=PASSWORD), load_provider("generic"))
    assert src.series(WINDOW, bands=False)["outdoor_temp"].iloc[0] == 4.5


def test_userinfo_in_the_url_never_reaches_a_message():
    src = InfluxQLSource(conn(f"http://admin:{PASSWORD}@127.0.0.1:{free_port()}", password=PASSWORD),
                         load_provider("generic"))
    message = failure(src)
    assert PASSWORD not in message and "admin" not in message


def test_an_answer_that_is_not_influxql_json_is_a_source_error(tmp_path: Path):
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>a login page</html>")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        message = failure(InfluxQLSource(conn(f"http://127.0.0.1:{server.server_port}"), load_provider("generic")))
    finally:
        server.shutdown()
        server.server_close()
    assert "not InfluxQL JSON" in message


# --- quoting -------------------------------------------------------------------------------------------------
def test_identifiers_and_strings_are_quoted_and_escaped():
    assert quote_ident('we"ird\\name') == '"we\\"ird\\\\name"'
    assert quote_string("it's") == "'it\\'s'"
    with pytest.raises(ValueError):
        quote_string("two\nlines")


EVIL = "x'; DROP DATABASE \"inj\"; SELECT '"


def test_a_hostile_raw_name_from_a_provider_file_is_only_a_tag_value(influxd: Influxd, tmp_path: Path):
    influxd.create_database("inj")
    escaped = EVIL.replace(" ", "\\ ").replace(",", "\\,").replace("=", "\\=")
    influxd.write("inj", [f"heatpump,name={escaped} value=21.5 1714521600"], precision="s")
    path = tmp_path / "evil.yaml"
    path.write_text(textwrap.dedent(f"""\
        name: evil
        display_name: Evil
        colours: {{primary: "#000000", accent: "#ffffff"}}
        defaults: {{flow_factor_kw_per_k: 2.7, carnot_efficiency: 0.5, aux_step_w: [], alarm_code_base: null}}
        layouts:
          evil:
            description: a hostile name
            metrics:
              outdoor_temp: {{raw: {json.dumps(EVIL)}}}
        alarms: {{latched: false, table: {{}}}}
        """), encoding="utf-8")
    provider = load_provider_file(path)
    assert provider.raw_names("name") == (EVIL,)
    src = InfluxQLSource(conn(influxd.url, "inj"), provider)
    assert src.series(WINDOW, bands=False)["outdoor_temp"].iloc[0] == 21.5
    assert src.latest().values["outdoor_temp"] == 21.5
    assert "inj" in str(influxd.query("SHOW DATABASES"))


def test_a_hostile_measurement_name_is_only_an_identifier(influxd: Influxd):
    influxd.create_database("inj2")
    src = InfluxQLSource(conn(influxd.url, "inj2"), load_provider("generic"),
                         measurement='heatpump" ; DROP DATABASE "inj2')
    frame = src.series(WINDOW, bands=False)
    values = frame[[c for c in frame.columns if not c.startswith("quality:")]]
    assert values.empty or values.isna().all().all()
    assert "inj2" in str(influxd.query("SHOW DATABASES"))


def test_a_servers_max_row_limit_does_not_cut_an_answer(tmp_path):
    with Influxd(tmp_path / "limited", max_row_limit=100) as server:
        server.create_database("many")
        t0 = int(WINDOW.start.timestamp())
        # 328 readings every 11 s: on 30-s buckets each interval comes back as a row, far past the limit
        server.write("many", [f"heatpump,name=outdoor_temp value={i % 5} {t0 + 11 * i}"
                              for i in range(int(WINDOW.seconds // 11) + 1)], precision="s")
        frame = InfluxQLSource(conn(server.url, "many"), load_provider("generic")).series(WINDOW, bands=False)
        assert frame["outdoor_temp:cov"].iloc[1:].gt(0.99).all()   # every bucket, to the last, is covered
        assert frame["outdoor_temp"].notna().all()
