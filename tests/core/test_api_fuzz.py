"""Schemathesis over /api/openapi.json: generated requests, anonymous and with a token, get no
5xx and answers that match the documented schema (status codes, content types, bodies)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

# Schema-valid input may still be refused by a rule (an unknown resource kind is a 400 with its
# code; a Decimal's digits are not in the JSON schema): refusals are checked for their shape and
# status instead, which the other checks do.
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.lists.test_api import _token

pytestmark = pytest.mark.django_db

# Fixed seed and few examples per operation: the run is the same every time, and short.
FUZZ = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _operations() -> list[Any]:
    from wulian.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())  # type: ignore[union-attr]  # an invalid one fails here
    return operations


def _fuzz(headers: dict[str, str]) -> list[str]:
    problems: list[str] = []
    for operation in _operations():

        @given(case=operation.as_strategy())
        @FUZZ
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried, all reported
            problems.append(f"{operation.label}: {str(exc)[:1500]}")
    return problems


@pytest.fixture(autouse=True)
def connection_kept() -> Any:
    """The WSGI handler closes the database connection after each answer, as a server should;
    the test database lives in that connection (Django's test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_the_api_answers_anonymous_requests_as_documented(world: Any) -> None:
    problems = _fuzz({})
    assert not problems, "\n\n".join(problems)


def test_the_api_answers_a_staff_token_as_documented(world: Any) -> None:
    token = _token(world["community_staff"], "fuzz-staff-key")["HTTP_AUTHORIZATION"]
    problems = _fuzz({"Authorization": token})
    assert not problems, "\n\n".join(problems)
