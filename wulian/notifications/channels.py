"""Delivery channels behind one interface: `send(delivery)` sends or raises DeliveryError.

- email: Django's email backends (settings.EMAIL_BACKEND);
- sms: the foundation's SMS backends, through `wulian.accounts.sms.send_sms`;
- webhook: a JSON POST to the URL a unit configured for its group-chat robot. The body carries
  both our fields and the `{"msgtype": "text", "text": {"content": ...}}` shape that WeCom and
  DingTalk robots read; the header `X-Wulian-Delivery` (and the `id` field) identify the
  delivery so a receiver can drop a repeat. The address is a unit's own text, so each send
  resolves it once, refuses (in production) any name with a non-global address, connects to
  the very address it checked (Host and SNI still name the host), and never follows a redirect.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
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


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Private, loopback, link-local, multicast, reserved, shared (CGNAT), documentation…:
    anything that is not a global unicast address, also when wrapped in IPv6."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is not None and _refused(inner):
            return True
    return not address.is_global or address.is_multicast


def resolve_webhook_url(url: str) -> tuple[str, int, str]:
    """Check an address and resolve its host once: (host, port, the IP to connect to).

    Only http(s); in production (unless WEBHOOK_ALLOW_PRIVATE) every address the name resolves
    to must be global, so a name that also points inside the network is refused outright.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DeliveryError("webhook: only http and https addresses", permanent=True)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise DeliveryError("webhook: the port is not valid", permanent=True) from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise DeliveryError(f"webhook: cannot resolve {parts.hostname}: {exc}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise DeliveryError(f"webhook: cannot resolve {parts.hostname}")
    if not _allow_private():
        for address in addresses:
            if _refused(address):
                raise DeliveryError(f"webhook: {address} is not a public address", permanent=True)
    return parts.hostname, port, str(addresses[0])


def check_webhook_url(url: str) -> None:
    """Refuse what is not http(s), and (in production) hosts on private or loopback networks."""
    resolve_webhook_url(url)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now; the Host
    header still names the host."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._pinned_ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._pinned_ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate is checked against the host name (SNI too)."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._pinned_ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._pinned_ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST once to the checked address; redirects are answered, never followed."""
    host, port, ip = resolve_webhook_url(url)
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, ip, WEBHOOK_TIMEOUT_SECONDS)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"webhook: {exc}") from exc
    finally:
        connection.close()


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
    """Resolved and checked at every send, connected to the address checked, no redirects."""
    status = _post(
        delivery.address,
        json.dumps(webhook_payload(delivery), ensure_ascii=False).encode(),
        {
            "Content-Type": "application/json; charset=utf-8",
            "X-Wulian-Delivery": str(delivery.pk),
        },
    )
    if 300 <= status < 400:
        raise DeliveryError(
            f"webhook answered {status}: redirects are not followed", permanent=True
        )
    if status >= 400:
        raise DeliveryError(
            f"webhook answered {status}",
            permanent=status < 500 and status not in {408, 429},
        )


SENDERS: dict[str, Callable[[Delivery], None]] = {
    Channel.EMAIL: send_email,
    Channel.SMS: send_text_message,
    Channel.WEBHOOK: post_webhook,
}


def send(delivery: Delivery) -> None:
    SENDERS[delivery.channel](delivery)
