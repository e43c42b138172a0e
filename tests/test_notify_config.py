"""The notification settings: a bad or missing key is named with its fix, and a secret never shows."""
from __future__ import annotations

import pytest

from generator.config import load_config
from generator.core.errors import ConfigError


@pytest.mark.parametrize("text, problem", [
    ("notify:\n  ntfy:\n    url: https://ntfy.sh\n",
     "notify.ntfy.topic: required when notify.ntfy.url is set; name the topic, e.g. heatpump-alarms"),
    ("notify:\n  smtp:\n    host: mail.example.com\n    from: hp@example.com\n",
     "notify.smtp.to: required when notify.smtp.host is set; give a list of recipients"),
    ("notify:\n  smtp:\n    security: tls\n",
     "notify.smtp.security: 'tls' is not valid; use one of: starttls, ssl, none"),
    ("notify:\n  smtp:\n    host: mail.example.com\n    from: hp@example.com\n    to: owner@example.com\n",
     "notify.smtp.to: 'owner@example.com' is not valid; give a list of e-mail addresses, e.g. [owner@example.com]"),
    ("notify:\n  webhook:\n    url: ftp://example.com/hook\n",
     "notify.webhook.url: the value is not valid; give a full URL such as https://example.com/hooks/heatpump"),
    ("notify:\n  ntfy:\n    url: https://ntfy.sh\n    topic: a/b\n",
     "notify.ntfy.topic: 'a/b' is not valid; use 1 to 64 letters, digits, '_' or '-', e.g. heatpump-alarms"),
])
def test_a_bad_notification_setting_names_the_key_and_the_fix(tmp_path, text, problem):
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config, {})
    assert problem in str(caught.value).splitlines()


def test_a_notification_secret_never_appears_in_an_error(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("notify:\n  webhook:\n    url: ftp://hooks.example.com/T0/secret-key\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config, {"HEATPUMP_SMTP_PASSWORD": "pw\nsecret-pw-x9", "HEATPUMP_NTFY_TOKEN": "tøken-x9"})
    text = str(caught.value)
    assert "notify.smtp.password (from $HEATPUMP_SMTP_PASSWORD): the value is not valid" in text
    assert "notify.ntfy.token (from $HEATPUMP_NTFY_TOKEN): the value is not valid" in text
    assert "notify.webhook.url: the value is not valid" in text
    assert "secret-pw-x9" not in text and "tøken-x9" not in text and "secret-key" not in text
