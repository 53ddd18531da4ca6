"""Domain errors: every refusal carries a stable code and a translatable message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A service refused to act.

    `code` is stable (for the API and the tests); `message` is for people, in their language.
    """

    status = 400

    def __init__(
        self,
        code: str,
        message: str | Promise,
        *,
        fields: Mapping[str, str | Promise] | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.message = message
        #: when several things are wrong at once, what is wrong with each field (by the name
        #: of the service input's field), so a form can say it beside each one
        self.fields = dict(fields or {})
        self.params = params
        super().__init__(f"{code}: {message}")

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            found["fields"] = {name: str(text) for name, text in self.fields.items()}
        return found


def refuse_all(problems: Mapping[str, tuple[str, str | Promise]], several: str) -> None:
    """Refuse with everything wrong at once (field → (code, what is wrong)), if anything is:
    one problem keeps its own code, several take the code `several`."""
    if not problems:
        return
    codes = [code for code, _text in problems.values()]
    message = "；".join(str(text) for _code, text in problems.values())
    fields = {name: text for name, (_code, text) in problems.items()}
    raise DomainError(codes[0] if len(codes) == 1 else several, message, fields=fields)


def show_on_form(form: Any, exc: DomainError, names: Mapping[str, str] | None = None) -> None:
    """A service's refusal on the form that was sent: each field's problem beside that field
    (`names` maps a service field to the form's, where they differ), the rest above the form."""
    names = names or {}
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for name, text in exc.fields.items():
        field = names.get(name, name)
        form.add_error(field if field in form.fields else None, str(text))


class NotAllowed(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
