"""Where notifications go: a webhook (a JSON POST), ntfy (a POST to server/topic with Title, Priority and
Tags headers) and e-mail over SMTP.  Standard library only (urllib, smtplib, email): three small
requests do not need a client library, and the generator's dependencies stay as they are.

Each channel delivers one Message or raises ChannelError with a line for the log that holds no secret.
Every network step has the timeout SEND_TIMEOUT_S; a run does not wait that long (notify.py sends in worker
threads and waits notify.timeout_s), so a slow receiver is given time without holding the run up.
"""
from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol

from generator.config import Config

STARTED, CLEARED = "started", "cleared"
SEND_TIMEOUT_S = 30.0   # per connect, read or SMTP step: a slow receiver still gets its message, once
# ntfy's priorities (1 min … 5 max) and emoji tags: a new alarm is the one message worth a loud phone
NTFY_PRIORITY = {("alarm", STARTED): "4", ("test", STARTED): "3"}
NTFY_TAGS = {("alarm", STARTED): "rotating_light", ("test", STARTED): "test_tube"}


@dataclass(frozen=True)
class Message:
    """One notification, as every channel sends it (the webhook's JSON is exactly these fields)."""

    id: str              # the same on every retry, so a receiver can drop a copy it already has
    event: str           # alarm, data_old, stale (test: notify-test)
    state: str           # started or cleared
    code: int | None     # the alarm code (alarm only)
    title: str           # short: the ntfy title and the e-mail subject
    text: str            # one or two sentences in site.language
    language: str        # sv or en
    time: str            # when the generator saw the change, ISO-8601 UTC
    site: str            # site.name

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Message":
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


class ChannelError(Exception):
    """A message did not get through; the text is one log line with no secret in it."""


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None:
        ...


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float, name: str) -> None:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read(4096)
    except urllib.error.HTTPError as exc:   # before URLError: it is one
        raise ChannelError(f"{name}: the receiver answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise ChannelError(f"{name}: cannot reach the receiver ({exc.reason})") from None
    except (OSError, ValueError) as exc:    # a timeout, a reset connection
        raise ChannelError(f"{name}: {exc.__class__.__name__}: {exc}") from None


@dataclass(frozen=True)
class Webhook:
    url: str
    timeout: float
    name: str = "webhook"

    def send(self, message: Message) -> None:
        body = json.dumps(message.to_json(), ensure_ascii=False).encode("utf-8")
        _post(self.url, body, {"Content-Type": "application/json; charset=utf-8",
                               "User-Agent": "heatpump-dashboard"}, self.timeout, self.name)


def header_text(text: str) -> str:
    """An HTTP header value: as is in ASCII, else an RFC 2047 encoded word (ntfy decodes them; a header
    is Latin-1 on the wire, so 'Värmepump' as is would arrive garbled)."""
    return text if text.isascii() else Header(text, "utf-8").encode()


@dataclass(frozen=True)
class Ntfy:
    url: str
    topic: str
    token: str | None
    timeout: float
    name: str = "ntfy"

    def send(self, message: Message) -> None:
        headers = {"Title": header_text(message.title),
                   "Priority": NTFY_PRIORITY.get((message.event, message.state), "3"),
                   "Tags": NTFY_TAGS.get((message.event, message.state),
                                         "white_check_mark" if message.state == CLEARED else "warning"),
                   "Content-Type": "text/plain; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        _post(f"{self.url.rstrip('/')}/{self.topic}", message.text.encode("utf-8"), headers, self.timeout, self.name)


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str        # starttls, ssl or none
    username: str | None
    password: str | None
    sender: str
    recipients: tuple[str, ...]
    timeout: float
    name: str = "e-mail"

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["Subject"] = message.title
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = make_msgid(idstring=message.id[:16], domain="heatpump-dashboard")
        mail.set_content(message.text)
        try:
            with self._connect() as smtp:
                if self.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPAuthenticationError:
            raise ChannelError(f"{self.name}: {self.host} refused the user name or password "
                               "(notify.smtp.username, $HEATPUMP_SMTP_PASSWORD)") from None
        except smtplib.SMTPException as exc:
            raise ChannelError(f"{self.name}: {self.host}: {exc.__class__.__name__}: {exc}") from None
        except OSError as exc:   # refused, timed out, a TLS failure
            raise ChannelError(f"{self.name}: cannot reach {self.host}:{self.port} "
                               f"({exc.__class__.__name__}: {exc})") from None

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def channels_of(cfg: Config) -> list[Channel]:
    """The channels the configuration sets up (checked by load_config); none: notifications are off."""
    timeout = SEND_TIMEOUT_S
    found: list[Channel] = []
    if cfg["notify.webhook.url"]:
        found.append(Webhook(cfg["notify.webhook.url"], timeout))
    if cfg["notify.ntfy.url"]:
        found.append(Ntfy(cfg["notify.ntfy.url"], cfg["notify.ntfy.topic"], cfg["notify.ntfy.token"], timeout))
    if cfg["notify.smtp.host"]:
        found.append(Smtp(cfg["notify.smtp.host"], int(cfg["notify.smtp.port"]), cfg["notify.smtp.security"],
                          cfg["notify.smtp.username"], cfg["notify.smtp.password"], cfg["notify.smtp.from"],
                          tuple(cfg["notify.smtp.to"]), timeout))
    return found
