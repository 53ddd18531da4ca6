"""A unit's webhook address is typed by a person: deliveries must not become a way into the
server's own network (SSRF). Real HTTP servers on 127.0.0.1 stand in for the robot."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from wulian.core.errors import DomainError
from wulian.notifications import channels, services
from wulian.notifications.models import Delivery
from wulian.notifications.services import notify


@pytest.fixture
def redirector(robot) -> Iterator[str]:
    """A server that answers every POST with 302 to the robot on 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(302)
            self.send_header("Location", robot.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def _webhook_delivery(world) -> Delivery:
    notify([world.unit], kind="test.hello", title="社区吹哨", body="请到42号小区", url="/x/")
    return Delivery.objects.get(channel="webhook")


class _Resolver:
    """Answers for one made-up host name (what a rebinding DNS server would do) and counts."""

    def __init__(self, monkeypatch, host: str, answers: list[list[str]]) -> None:
        self.host, self.answers, self.calls = host, answers, 0
        real = socket.getaddrinfo

        def fake(name: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if name != host:
                return real(name, port, *args, **kwargs)
            ips = self.answers[min(self.calls, len(self.answers) - 1)]
            self.calls += 1
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port),
                )
                for ip in ips
            ]

        monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_a_redirect_to_an_internal_address_is_not_followed(world, robot, redirector):
    services.set_unit_webhook(world["unit_admin"], world.unit, redirector)
    delivery = _webhook_delivery(world)
    assert services.deliver(delivery.pk).state == "failed"
    assert robot.received == [] and robot.headers == []
    delivery.refresh_from_db()
    assert "redirect" in delivery.last_error


def test_it_connects_to_the_address_it_checked_and_keeps_the_host_name(world, robot, monkeypatch):
    port = robot.url.split(":")[2].split("/")[0]
    resolver = _Resolver(monkeypatch, "robot.example", [["127.0.0.1"]])
    services.set_unit_webhook(
        world["unit_admin"], world.unit, f"http://robot.example:{port}/robot/send?key=test"
    )
    resolver.calls = 0
    assert services.deliver(_webhook_delivery(world).pk).state == "sent"
    assert resolver.calls == 1
    assert robot.headers[0]["Host"] == f"robot.example:{port}"


def test_a_name_that_also_resolves_inside_the_network_is_refused(
    world, robot, monkeypatch, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    _Resolver(monkeypatch, "robot.example", [["93.184.215.14", "127.0.0.1"]])
    with pytest.raises(DomainError) as caught:
        services.set_unit_webhook(world["unit_admin"], world.unit, "http://robot.example/x")
    assert caught.value.code == "notification.bad_webhook"


def test_each_send_checks_the_address_again(world, robot, monkeypatch, settings):
    """Rebinding: public when the unit saved it, loopback when the worker sends."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    port = robot.url.split(":")[2].split("/")[0]
    _Resolver(monkeypatch, "robot.example", [["93.184.215.14"], ["127.0.0.1"]])
    services.set_unit_webhook(
        world["unit_admin"], world.unit, f"http://robot.example:{port}/robot/send"
    )
    delivery = _webhook_delivery(world)
    assert services.deliver(delivery.pk).state == "failed"
    delivery.refresh_from_db()
    assert "not a public address" in delivery.last_error
    assert robot.received == []


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:8000/x",
        "http://10.0.0.8/x",
        "http://192.168.1.1/x",
        "http://172.16.0.1/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/x",
        "http://0.0.0.0/x",
        "http://[::1]/x",
        "http://[fe80::1]/x",
        "http://[fc00::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://224.0.0.1/x",
        "gopher://example.org/x",
        "file:///etc/passwd",
    ],
)
def test_in_production_non_global_addresses_are_refused(address, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(channels.DeliveryError) as caught:
        channels.resolve_webhook_url(address)
    assert caught.value.permanent


def test_outside_production_a_loopback_robot_is_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert channels.resolve_webhook_url("http://127.0.0.1:9/x") == ("127.0.0.1", 9, "127.0.0.1")
