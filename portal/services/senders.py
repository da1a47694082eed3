"""Senders of the notification outbox: an SMS gateway over HTTP and email over SMTP.

Each `send_*` delivers one message or raises (an OSError, smtplib.SMTPException or SenderError); the drain
in portal/services/notifications.py turns a raise into a retry. Both time out after TIMEOUT seconds, so a
hanging server delays the drain, never blocks it.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.parse
import urllib.request
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app

TIMEOUT = 10  # seconds


class SenderError(Exception):
    """A sender is misconfigured, or its server refused the message."""


def send(sender: str, recipient: str, subject: str, body: str, written_at: datetime | None = None) -> None:
    """Deliver one message with `sender` ("sms": the body only, or "smtp"); raise when it was not delivered.

    Raises SenderError in practice mode, which sends nothing to anyone.
    """
    if current_app.config.get("PRACTICE"):
        raise SenderError("practice mode sends nothing")
    if sender == "sms":
        send_sms(recipient, body)
    elif sender == "smtp":
        send_email(recipient, subject, body, written_at)
    else:
        raise SenderError(f"no sender {sender!r}")


def sms_request(phone: str, text: str) -> urllib.request.Request:
    """Return the POST to the gateway: `NOTIFY_SMS_TEMPLATE` with {phone} and {message} filled in.

    A template starting with "{" is JSON (the values escaped for it); any other is a URL-encoded form.
    Raises SenderError when `NOTIFY_SMS_URL` is not set.
    """
    config = current_app.config
    if not config["NOTIFY_SMS_URL"]:
        raise SenderError("NOTIFY_SMS_URL is not set")
    template = config["NOTIFY_SMS_TEMPLATE"]
    is_json = template.lstrip().startswith("{")
    if is_json:
        def escape(value):
            return json.dumps(value)[1:-1]
    else:
        escape = urllib.parse.quote_plus
    body = template.replace("{phone}", escape(phone)).replace("{message}", escape(text))
    headers = {"Content-Type": "application/json" if is_json else "application/x-www-form-urlencoded",
               "User-Agent": "loket-notify"}
    if config["NOTIFY_SMS_AUTHORIZATION"]:
        headers["Authorization"] = config["NOTIFY_SMS_AUTHORIZATION"]
    return urllib.request.Request(config["NOTIFY_SMS_URL"], data=body.encode("utf-8"), headers=headers,
                                  method="POST")


def send_sms(phone: str, text: str) -> None:
    """POST one SMS to the gateway. Raises SenderError for an answer other than 2xx, OSError when unreachable."""
    with urllib.request.urlopen(sms_request(phone, text), timeout=TIMEOUT) as response:  # noqa: S310 (configured URL)
        if not 200 <= response.status < 300:
            raise SenderError(f"gateway answered {response.status}")


def send_email(recipient: str, subject: str, text: str, written_at=None) -> None:
    """Send one plain-text email through `NOTIFY_SMTP_*`. Raises SenderError without a host, else what
    smtplib raises (SMTPException, OSError)."""
    config = current_app.config
    host, port, security = config["NOTIFY_SMTP_HOST"], config["NOTIFY_SMTP_PORT"], config["NOTIFY_SMTP_SECURITY"]
    if not host:
        raise SenderError("NOTIFY_SMTP_HOST is not set")
    if security not in ("starttls", "ssl", "none"):
        raise SenderError(f"NOTIFY_SMTP_SECURITY {security!r}: use starttls, ssl or none")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["NOTIFY_SMTP_FROM"], recipient, subject
    message["Message-ID"] = make_msgid(domain=config["NOTIFY_SMTP_FROM"].rpartition("@")[2] or None)
    if written_at is not None:
        message["Date"] = format_datetime(written_at)
    message.set_content(text)
    context = ssl.create_default_context()
    if security == "ssl":
        server = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=TIMEOUT)
    with server:
        if security == "starttls":
            server.starttls(context=context)
        if config["NOTIFY_SMTP_USER"]:
            server.login(config["NOTIFY_SMTP_USER"], config["NOTIFY_SMTP_PASSWORD"])
        server.send_message(message)
