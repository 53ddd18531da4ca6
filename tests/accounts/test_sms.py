"""The HTTP SMS backend against a real gateway stand-in on the loopback interface."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from wulian.accounts import services, sms
from wulian.core.errors import DomainError


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append(
            {"json": json.loads(body), "auth": self.headers.get("Authorization")}
        )
        self.send_response(_Gateway.status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received = []
    _Gateway.status = 200
    settings.SMS_BACKEND = "wulian.accounts.sms.HttpBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_HTTP_TOKEN = "gateway-token"
    yield _Gateway
    server.shutdown()
    server.server_close()


def test_the_http_backend_posts_the_message_with_the_token(gateway, world):
    services.request_code("13900000001", None)
    [call] = gateway.received
    assert call["auth"] == "Bearer gateway-token"
    assert call["json"]["mobile"] == "13900000001" and "五联" in call["json"]["text"]


def test_a_gateway_failure_becomes_a_clear_error_not_a_500(gateway, world, client):
    gateway.status = 502
    with pytest.raises(DomainError) as error:
        services.request_code("13900000001", None)
    assert error.value.code == "login.sms_failed"
    with pytest.raises(sms.SmsError):
        sms.send_sms("13900000001", "hello")


def test_the_page_says_when_the_message_could_not_be_sent_and_a_retry_works(gateway, world, client):
    from wulian.accounts.models import OneTimeCode

    gateway.status = 500
    page = client.post("/accounts/login/code/", {"send-mobile": "13900000001"}).content.decode()
    assert "短信发送失败" in page
    assert not OneTimeCode.objects.exists()
    gateway.status = 200
    page = client.post("/accounts/login/code/", {"send-mobile": "13900000001"}).content.decode()
    assert "验证码已发送" in page
