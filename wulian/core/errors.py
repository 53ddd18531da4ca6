"""Domain errors: every refusal carries a stable code and a translatable message."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A service refused to act.

    `code` is stable (for the API and the tests); `message` is for people, in their language.
    """

    status = 400

    def __init__(self, code: str, message: str | Promise, **params: Any) -> None:
        self.code = code
        self.message = message
        self.params = params
        super().__init__(f"{code}: {message}")

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message)}


class NotAllowed(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
