"""One table of actions per object, shared by its page and its API.

An action has a name (the same in the page's URL and the API's: `send-back`), the form that
checks what it reads (optional; the page and the API both go through it), the one service call
it makes, and the message the page shows when it is done::

    CALL_ACTIONS = ActionTable(
        Action("sign", lambda actor, call, data: services.sign_call(actor, call),
               _("Signed for. Please report for duty in time.")),
        Action("send-back", lambda actor, call, data: services.send_back_call(
            actor, call, data.get("reason", "")), _("Sent back to the unit."), level="info"),
    )

The page calls `perform_on_page(request, CALL_ACTIONS, call, action)`; the API calls
`CALL_ACTIONS.perform(actor, call, action, payload)`. A name not in the table is a 404;
a service's refusal is a `DomainError`, which each edge turns into its own answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.functional import Promise

from wulian.core.errors import DomainError

T = TypeVar("T")


@dataclass(frozen=True)
class Action(Generic[T]):
    name: str
    run: Callable[[Any, T, Mapping[str, Any]], Any]
    #: the page's message when done; or a function of what the service returned, for an
    #: action whose outcome varies (signed up, or put on the waiting list)
    done: str | Promise | Callable[[Any], str | Promise]
    level: str = "success"
    form: type[forms.Form] | None = None
    #: keyword arguments the form needs from the object (the units a call may be re-routed to)
    form_kwargs: Callable[[T], dict[str, Any]] | None = None

    def message(self, result: Any) -> str:
        """What the person is told when it is done (`result`: what the service returned)."""
        return str(self.done(result) if callable(self.done) else self.done)

    def clean(self, obj: T, data: Mapping[str, Any], files: Any = None) -> Mapping[str, Any]:
        """What the action reads, checked by its form; a bad field refuses with its message."""
        if self.form is None:
            return data
        extra = self.form_kwargs(obj) if self.form_kwargs else {}
        form = self.form(data, files, **extra)
        if not form.is_valid():
            problems = [
                f"{form.fields[name].label if name in form.fields else ''}：{error}"
                if name != "__all__"
                else str(error)
                for name, errors in form.errors.items()
                for error in errors
            ]
            raise DomainError("invalid", "；".join(problems))
        return form.cleaned_data


class ActionTable(Generic[T]):
    def __init__(self, *actions: Action[T]) -> None:
        self.actions = {action.name: action for action in actions}

    def __contains__(self, name: object) -> bool:
        return name in self.actions

    def names(self) -> list[str]:
        return list(self.actions)

    def get(self, name: str) -> Action[T]:
        try:
            return self.actions[name]
        except KeyError:
            raise Http404 from None

    def perform(
        self, actor: Any, obj: T, name: str, data: Mapping[str, Any], files: Any = None
    ) -> Any:
        """Run the named action's service on `obj`; a refusal raises `DomainError`."""
        action = self.get(name)
        return action.run(actor, obj, action.clean(obj, data, files))


def perform_on_page(request: HttpRequest, table: ActionTable[T], obj: T, name: str) -> bool:
    """Run an action posted from a page: its message when done, the reason when refused."""
    action = table.get(name)
    try:
        result = table.perform(request.user, obj, name, request.POST, request.FILES)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        keep_input(request)
        return False
    messages.add_message(request, getattr(messages, action.level.upper()), action.message(result))
    return True


# What a refused action's form held, kept for the page the person is sent back to: the page
# is drawn again from the object (a redirect), so without this a long reason typed on a phone
# would be gone with the refusal. Files cannot be kept; passwords and the CSRF token are not.
KEPT_INPUT = "wulian.kept_input"
KEPT_LIMIT = 20_000  # characters of input kept at the most
NOT_KEPT = ("csrfmiddlewaretoken", "password", "code")


def keep_input(request: HttpRequest) -> None:
    data: dict[str, list[str]] = {}
    size = 0
    for name in request.POST:
        if name in NOT_KEPT or "password" in name:
            continue
        values = request.POST.getlist(name)
        size += sum(len(value) for value in values)
        if size > KEPT_LIMIT:
            break
        data[name] = values
    if data:
        request.session[KEPT_INPUT] = {"action": request.path, "data": data}


def kept_input(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the input a refused action kept, taken (once, when the template
    reads it) by the page that shows it; `base.html` hands it to app.js, which fills the form
    that posts to the same address back in."""

    def take() -> dict[str, Any] | None:
        session = getattr(request, "session", None)
        return session.pop(KEPT_INPUT, None) if session is not None else None

    return {"kept_input": take}
