"""Delivery channels behind one interface: `send(delivery)` sends or raises DeliveryError.

- email: Django's email backends (settings.EMAIL_BACKEND);
- sms: the foundation's SMS backends, through `wulian.accounts.sms.send_sms`;
- webhook: a JSON POST to the URL a unit configured for its group-chat robot. The body carries
  both our fields and the `{"msgtype": "text", "text": {"content": ...}}` shape that WeCom and
  DingTalk robots read; the header `X-Wulian-Delivery` (and the `id` field) identify the
  delivery so a receiver can drop a repeat.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail

from wulian.accounts.sms import SmsError, send_sms
from wulian.notifications.models import Channel, Delivery

WEBHOOK_TIMEOUT_SECONDS = 10
SMS_MAX_CHARS = 300


class DeliveryError(Exception):
    """Sending failed. A permanent failure is not retried (a refused address, a bad URL)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def absolute_url(path: str) -> str:
    base = str(getattr(settings, "SITE_URL", "")).rstrip("/")
    if not path or path.startswith(("http://", "https://")):
        return path
    return base + path if base else path


def _text(delivery: Delivery) -> str:
    notification = delivery.notification
    parts = [notification.title]
    if notification.body:
        parts.append(notification.body)
    url = absolute_url(notification.url)
    if url:
        parts.append(url)
    return "\n".join(parts)


def send_email(delivery: Delivery) -> None:
    notification = delivery.notification
    try:
        send_mail(
            notification.title,
            _text(delivery),
            settings.DEFAULT_FROM_EMAIL,
            [delivery.address],
            fail_silently=False,
        )
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"email: {exc}") from exc


def send_text_message(delivery: Delivery) -> None:
    text = " ".join(_text(delivery).split())
    if len(text) > SMS_MAX_CHARS:
        text = text[: SMS_MAX_CHARS - 1] + "…"
    try:
        send_sms(delivery.address, text)
    except SmsError as exc:
        raise DeliveryError(f"sms: {exc}") from exc


def _allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE", not settings.PRODUCTION))


def check_webhook_url(url: str) -> None:
    """Refuse what is not http(s), and (in production) hosts on private or loopback networks."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DeliveryError("webhook: only http and https addresses", permanent=True)
    if _allow_private():
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise DeliveryError(f"webhook: cannot resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DeliveryError(f"webhook: {address} is not a public address", permanent=True)


def webhook_payload(delivery: Delivery) -> dict[str, object]:
    notification = delivery.notification
    return {
        "id": delivery.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": absolute_url(notification.url),
        "urgent": notification.urgent,
        "unit": notification.organization.name if notification.organization else "",
        "created_at": notification.created_at.isoformat(),
        "msgtype": "text",
        "text": {"content": _text(delivery)},
    }


def post_webhook(delivery: Delivery) -> None:
    check_webhook_url(delivery.address)
    request = urllib.request.Request(
        delivery.address,
        data=json.dumps(webhook_payload(delivery), ensure_ascii=False).encode(),
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-Wulian-Delivery": str(delivery.pk),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        raise DeliveryError(f"webhook: {exc}") from exc
    if status >= 300:
        raise DeliveryError(
            f"webhook answered {status}",
            permanent=400 <= status < 500 and status not in {408, 429},
        )


SENDERS: dict[str, Callable[[Delivery], None]] = {
    Channel.EMAIL: send_email,
    Channel.SMS: send_text_message,
    Channel.WEBHOOK: post_webhook,
}


def send(delivery: Delivery) -> None:
    SENDERS[delivery.channel](delivery)
