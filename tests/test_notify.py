"""Notifications, end to end: the real generator run (run_once) on a source whose answer the test controls,
sending to real local receivers on free loopback ports: an http.server for the webhook and for ntfy, and
aiosmtpd for e-mail.  Each receiver gets exactly one message per change, across restarts and outages."""
from __future__ import annotations

import json
import logging
import socket
import time
from datetime import datetime, timezone
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from generator.cli import main
from generator.notify import STATE_FILE
from generator.site import bundle_missing
from tests.clocks import ManualClock
from tests.notify_support import (
    ENV,
    NTFY_TOKEN,
    SMTP_PASSWORD,
    ControlledSource,
    Generator,
    HttpReceiver,
    SmtpReceiver,
)

pytestmark = pytest.mark.skipif(bool(bundle_missing()), reason="page bundle not built: run `make bundle`")

LOW_BRINE_FLOW = 1304   # Thermia (ThermIQ r13 bit 0x08): "Alarm low flow brine" / "Larm lågflöde brine"


@pytest.fixture
def receivers():
    webhook, ntfy, smtp = HttpReceiver().start(), HttpReceiver().start(), SmtpReceiver().start()
    yield webhook, ntfy, smtp
    for receiver in (webhook, ntfy, smtp):
        receiver.stop()


def write_config(tmp_path: Path, webhook: HttpReceiver, ntfy: HttpReceiver, smtp: SmtpReceiver,
                 language: str = "en", timeout_s: float = 2) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"""provider: thermia
output:
  public_dir: {tmp_path / 'public'}
site:
  name: Villa Ek
  language: {language}
  stale_after_s: 600
notify:
  timeout_s: {timeout_s}
  webhook:
    url: {webhook.url}/hooks/heatpump
  ntfy:
    url: {ntfy.url}
    topic: heatpump
  smtp:
    host: 127.0.0.1
    port: {smtp.port}
    security: none
    username: owner
    from: heatpump@example.com
    to: [owner@example.com, partner@example.com]
""", encoding="utf-8")
    return path


@pytest.fixture
def setup(tmp_path, receivers):
    webhook, ntfy, smtp = receivers
    config = write_config(tmp_path, webhook, ntfy, smtp)
    clock = ManualClock(datetime(2026, 1, 15, 11, 0, 7, tzinfo=timezone.utc))
    source = ControlledSource(clock)
    return Generator(config, clock, source), config, receivers


def counts(receivers) -> tuple[int, int, int]:
    webhook, ntfy, smtp = receivers
    return len(webhook.requests), len(ntfy.requests), len(smtp.messages)


def webhook_events(webhook: HttpReceiver) -> list[tuple[str, str, int | None]]:
    return [(p["event"], p["state"], p["code"]) for p in (json.loads(body) for _, _, body in webhook.requests)]


def test_an_alarm_is_sent_once_when_it_starts_and_once_when_it_clears_to_every_channel(setup):
    generator, _, receivers = setup
    webhook, ntfy, smtp = receivers
    assert generator.run().ok
    assert counts(receivers) == (0, 0, 0), "nothing is wrong: nothing is sent"

    generator.source.alarms = (LOW_BRINE_FLOW,)
    generator.run()
    assert counts(receivers) == (1, 1, 1)
    path, headers, body = webhook.requests[0]
    assert path == "/hooks/heatpump" and headers["Content-Type"].startswith("application/json")
    payload = json.loads(body)
    assert payload == {"id": payload["id"], "event": "alarm", "state": "started", "code": 1304,
                       "title": "Villa Ek: Alarm 1304", "text": "Alarm 1304: Alarm low flow brine",
                       "language": "en", "time": "2026-01-15T11:02:07Z", "site": "Villa Ek"}
    path, headers, body = ntfy.requests[0]
    assert path == "/heatpump" and body.decode() == "Alarm 1304: Alarm low flow brine"
    assert headers["Title"] == "Villa Ek: Alarm 1304" and headers["Priority"] == "4"
    assert headers["Tags"] == "rotating_light" and headers["Authorization"] == f"Bearer {NTFY_TOKEN}"
    recipients, mail = smtp.messages[0]
    assert recipients == ["owner@example.com", "partner@example.com"]
    assert mail["Subject"] == "Villa Ek: Alarm 1304" and mail["From"] == "heatpump@example.com"
    assert mail.get_payload(decode=True).decode().strip() == "Alarm 1304: Alarm low flow brine"
    assert smtp.logins == [("owner", SMTP_PASSWORD)], "the password comes from $HEATPUMP_SMTP_PASSWORD"

    generator.run()
    generator.run()
    assert counts(receivers) == (1, 1, 1), "an alarm still active is not sent again"

    generator.source.alarms = ()
    generator.run()
    assert counts(receivers) == (2, 2, 2)
    assert webhook_events(webhook) == [("alarm", "started", 1304), ("alarm", "cleared", 1304)]
    assert json.loads(webhook.requests[1][2])["text"] == "Alarm 1304 is no longer active: Alarm low flow brine"
    assert ntfy.requests[1][1]["Tags"] == "white_check_mark" and ntfy.requests[1][1]["Priority"] == "3"
    assert smtp.messages[1][1]["Subject"] == "Villa Ek: Alarm 1304 cleared"
    generator.run()
    assert counts(receivers) == (2, 2, 2)


def test_a_stale_source_is_sent_once_when_it_stops_answering_and_once_when_it_answers_again(setup):
    generator, _, receivers = setup
    generator.run()
    generator.source.down = True
    failed = generator.run()
    assert not failed.ok and generator.ctx.state.manifest.stale
    for _ in range(3):   # still down, within stale_after_s: the data is not old yet
        generator.run(30)
    assert counts(receivers) == (1, 1, 1)
    payload = json.loads(receivers[0].requests[0][2])
    assert (payload["event"], payload["state"]) == ("stale", "started")
    assert "cannot reach http://127.0.0.1:9" in payload["text"]

    generator.source.down = False
    assert generator.run().ok
    generator.run()
    assert counts(receivers) == (2, 2, 2)
    assert webhook_events(receivers[0]) == [("stale", "started", None), ("stale", "cleared", None)]


def test_old_data_is_sent_once_when_the_newest_sample_gets_too_old_and_once_when_new_samples_come(setup):
    generator, _, receivers = setup
    generator.run()
    generator.source.lag_s = 601   # the collector stopped: the database answers, with old samples
    generator.run()
    generator.run()
    assert generator.ctx.state.manifest.data_old and not generator.ctx.state.manifest.stale
    assert counts(receivers) == (1, 1, 1)
    payload = json.loads(receivers[0].requests[0][2])
    assert (payload["event"], payload["state"]) == ("data_old", "started")
    # sent at 11:02:07 UTC: the newest sample is 601 s older, 10:52:06 UTC, 11:52 in Stockholm (UTC+1 in January)
    assert payload["text"] == "The newest sample is from 2026-01-15 11:52, more than 10 min ago."
    generator.source.lag_s = 0
    generator.run()
    assert webhook_events(receivers[0]) == [("data_old", "started", None), ("data_old", "cleared", None)]
    assert counts(receivers) == (2, 2, 2)


def test_a_restarted_generator_does_not_send_a_condition_it_already_announced(setup):
    generator, config, receivers = setup
    generator.source.alarms = (LOW_BRINE_FLOW,)
    generator.run()
    assert counts(receivers) == (1, 1, 1)

    restarted = Generator(config, generator.clock, generator.source)   # a new process on the same public/
    restarted.run()
    restarted.run()
    assert counts(receivers) == (1, 1, 1)
    generator.source.alarms = ()
    restarted.run()
    assert counts(receivers) == (2, 2, 2), "and it still knows to send the clearing"


def test_a_receiver_that_is_down_gets_each_message_once_when_it_is_back(setup):
    generator, _, receivers = setup
    webhook, ntfy, smtp = receivers
    webhook.stop()
    smtp.stop()
    generator.source.alarms = (LOW_BRINE_FLOW,)
    generator.run()
    generator.source.alarms = ()
    generator.run()
    generator.run()
    assert counts(receivers) == (0, 2, 0), "one channel down does not hold the others back"
    state = json.loads((generator.ctx.cfg.public_dir / STATE_FILE).read_bytes())
    assert [len(state["queue"][name]) for name in ("webhook", "ntfy", "e-mail")] == [2, 0, 2]

    webhook.start()
    smtp.start()
    generator.run()
    generator.run()
    assert counts(receivers) == (2, 2, 2)
    assert webhook_events(webhook) == [("alarm", "started", 1304), ("alarm", "cleared", 1304)], "in order"
    assert [m["Subject"] for _, m in smtp.messages] == ["Villa Ek: Alarm 1304", "Villa Ek: Alarm 1304 cleared"]


def test_messages_a_down_receiver_has_not_taken_survive_a_restart(setup):
    generator, config, receivers = setup
    webhook = receivers[0]
    webhook.stop()
    generator.source.alarms = (LOW_BRINE_FLOW,)
    generator.run()
    webhook.start()
    Generator(config, generator.clock, generator.source).run()
    assert counts(receivers) == (1, 1, 1)


def test_a_receiver_that_never_answers_delays_a_run_by_at_most_the_timeout(setup):
    generator, _, receivers = setup
    webhook = receivers[0]
    webhook.stop()
    silent = socket.socket()   # takes the connection (the kernel's backlog) and never says a word
    silent.bind(("127.0.0.1", webhook.port))
    silent.listen(8)
    try:
        generator.source.alarms = (LOW_BRINE_FLOW,)
        begun = time.monotonic()
        generator.run()
        assert time.monotonic() - begun < 2 + 1.5, "notify.timeout_s is 2"
    finally:
        silent.close()   # the waiting send fails now: the message stays queued
    generator.ctx.state.notifier.wait(10)
    webhook.start()
    generator.run()
    assert counts(receivers) == (1, 1, 1)


def test_a_slow_receiver_gets_its_message_once_without_slowing_the_run(setup):
    generator, _, receivers = setup
    webhook = receivers[0]
    webhook.delay_s = 4   # longer than notify.timeout_s (2 s): the run goes on, the send too
    generator.source.alarms = (LOW_BRINE_FLOW,)
    begun = time.monotonic()
    generator.run()
    assert time.monotonic() - begun < 2 + 1.5
    generator.run()   # the send is still under way: the webhook is not asked again
    generator.ctx.state.notifier.wait(10)
    generator.run()
    generator.run()
    assert counts(receivers) == (1, 1, 1)
    state = json.loads((generator.ctx.cfg.public_dir / STATE_FILE).read_bytes())
    assert state["queue"] == {"webhook": [], "ntfy": [], "e-mail": []}, "delivered, so no longer queued"


def test_a_failing_channel_is_logged_once_while_it_lasts_and_the_log_holds_no_secret(setup, caplog):
    generator, _, receivers = setup
    receivers[0].stop()
    generator.source.alarms = (LOW_BRINE_FLOW,)
    with caplog.at_level(logging.INFO, logger="heatpump_dashboard.notify"):
        for _ in range(4):
            generator.run()
        receivers[0].start()
        generator.run()
    failures = [r.getMessage() for r in caplog.records if "not delivered" in r.getMessage()]
    assert failures == ["notification not delivered, retried next run: webhook: cannot reach the receiver "
                        "([Errno 111] Connection refused)"]
    assert any(r.getMessage() == "notifications: webhook takes messages again" for r in caplog.records)
    assert "/hooks/heatpump" not in caplog.text, "the webhook URL may hold a key: it is a secret"
    assert counts(receivers) == (1, 1, 1)


def test_messages_are_in_the_sites_language_and_a_swedish_title_reaches_ntfy_intact(tmp_path, receivers):
    webhook, ntfy, smtp = receivers
    config = write_config(tmp_path, webhook, ntfy, smtp, language="sv")
    config.write_text(config.read_text(encoding="utf-8").replace("name: Villa Ek", "name: Värmepump"), encoding="utf-8")
    clock = ManualClock(datetime(2026, 1, 15, 11, 0, 7, tzinfo=timezone.utc))
    generator = Generator(config, clock, ControlledSource(clock))
    generator.source.alarms = (LOW_BRINE_FLOW,)
    generator.run()
    assert json.loads(webhook.requests[0][2])["text"] == "Larm 1304: Larm lågflöde brine"
    assert str(make_header(decode_header(ntfy.requests[0][1]["Title"]))) == "Värmepump: Larm 1304"
    assert ntfy.requests[0][2].decode("utf-8") == "Larm 1304: Larm lågflöde brine"
    assert str(make_header(decode_header(smtp.messages[0][1]["Subject"]))) == "Värmepump: Larm 1304"


def test_without_a_channel_nothing_is_sent_or_kept(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"output:\n  public_dir: {tmp_path / 'public'}\n", encoding="utf-8")
    clock = ManualClock(datetime(2026, 1, 15, 11, 0, 7, tzinfo=timezone.utc))
    generator = Generator(config, clock, ControlledSource(clock))
    generator.source.alarms = (3,)
    generator.run()
    assert generator.ctx.state.notifier is None
    assert not (tmp_path / "public" / STATE_FILE).exists()


def test_notify_test_sends_one_message_to_each_channel_and_says_which_failed(setup, capsys, monkeypatch):
    _, config, receivers = setup
    receivers[2].stop()
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    assert main(["notify-test", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "webhook: sent" in out and "ntfy: sent" in out and "e-mail: FAILED: cannot reach 127.0.0.1" in out
    assert SMTP_PASSWORD not in out and NTFY_TOKEN not in out
    assert counts(receivers) == (1, 1, 0)
    assert json.loads(receivers[0].requests[0][2])["event"] == "test"
