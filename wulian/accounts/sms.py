"""Sending text messages through a pluggable backend (settings.SMS_BACKEND).

- ConsoleBackend prints messages (development).
- FileBackend writes one file per number under settings.SMS_FILE_PATH (development, browser tests).
- DevelopmentBackend (the development default) does both: a clear block on the console and a
  file read by the development-only page /dev/sms/.
- MemoryBackend keeps messages in `outbox` (tests).
- HttpBackend posts JSON to a gateway at settings.SMS_HTTP_URL (production): subclass it to
  adapt to a provider's format by overriding `payload` and `check`.
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    pass


@dataclass(frozen=True)
class Message:
    mobile: str
    text: str


class BaseBackend:
    def send(self, message: Message) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, message: Message) -> None:
        sys.stdout.write(f"[SMS to {message.mobile}] {message.text}\n")
        sys.stdout.flush()


class FileBackend(BaseBackend):
    def send(self, message: Message) -> None:
        folder = settings.SMS_FILE_PATH
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{message.mobile}.txt", "a", encoding="utf-8") as fh:
            fh.write(f"{timezone.now().isoformat()}\t{message.text}\n")


class DevelopmentBackend(FileBackend):
    """Development: keeps each message for the /dev/sms/ page and prints it in a clear block."""

    def send(self, message: Message) -> None:
        super().send(message)
        line = "=" * 60
        sys.stdout.write(f"\n{line}\n  SMS to {message.mobile}\n  {message.text}\n{line}\n\n")
        sys.stdout.flush()


@dataclass(frozen=True)
class SentMessage:
    mobile: str
    sent_at: str
    text: str


def recent_file_messages(limit: int = 50) -> list[SentMessage]:
    """The messages FileBackend kept, newest first (for the development page)."""
    folder = settings.SMS_FILE_PATH
    found: list[SentMessage] = []
    if not folder.is_dir():
        return found
    for path in folder.glob("*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            sent_at, _, text = line.partition("\t")
            found.append(SentMessage(path.stem, sent_at, text))
    return sorted(found, key=lambda m: m.sent_at, reverse=True)[:limit]


class MemoryBackend(BaseBackend):
    outbox: ClassVar[list[Message]] = []

    def send(self, message: Message) -> None:
        MemoryBackend.outbox.append(message)


class HttpBackend(BaseBackend):
    timeout = 10

    def payload(self, message: Message) -> dict[str, Any]:
        return {"mobile": message.mobile, "text": message.text}

    def check(self, status: int, body: bytes) -> None:
        if status >= 300:
            raise SmsError(f"gateway answered {status}: {body[:200]!r}")

    def send(self, message: Message) -> None:
        if not settings.SMS_HTTP_URL:
            raise SmsError("SMS_HTTP_URL is not set")
        request = urllib.request.Request(
            settings.SMS_HTTP_URL,
            data=json.dumps(self.payload(message)).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                self.check(response.status, response.read())
        except urllib.error.HTTPError as exc:
            self.check(exc.code, exc.read())
        except OSError as exc:
            raise SmsError(str(exc)) from exc


def get_backend() -> BaseBackend:
    backend: BaseBackend = import_string(settings.SMS_BACKEND)()
    return backend


def send_sms(mobile: str, text: str) -> None:
    get_backend().send(Message(mobile=mobile, text=text))
