"""What people do to a training session: one table, for the page and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from wulian.accounts.models import User
from wulian.core.actions import Action, ActionTable
from wulian.core.errors import DomainError
from wulian.training import forms, services
from wulian.training.models import Session


def _confirm(actor: User, session: Session, data: Mapping[str, Any]) -> Any:
    person = User.objects.filter(pk=data["person"], is_active=True).first()
    if person is None:
        raise DomainError("confirm.no_person", _("There is no such member."))
    return services.confirm_attendance(actor, session, person).attendance


def _check_in(actor: User, session: Session, data: Mapping[str, Any]) -> Any:
    return services.check_in(actor, session, data["token"], data["nonce"]).attendance


SESSION_ACTIONS: ActionTable[Session] = ActionTable(
    Action("check-in", _check_in, _("Checked in. Welcome!"), form=forms.CheckInForm),
    Action(
        "open",
        lambda actor, session, data: services.open_online(actor, session),
        _("The class is open; come back to confirm once the minimum time has passed."),
        level="info",
    ),
    Action(
        "confirm-online",
        lambda actor, session, data: services.confirm_online(actor, session),
        _("Your attendance of the online class is recorded."),
    ),
    Action("confirm", _confirm, _("The attendance is confirmed."), form=forms.ConfirmForm),
    Action(
        "cancel",
        lambda actor, session, data: services.cancel_session(actor, session, data["reason"]),
        _("The session is cancelled."),
        level="info",
        form=forms.ReasonForm,
    ),
)
