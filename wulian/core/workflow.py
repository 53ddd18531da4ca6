"""State machines: one table of allowed moves per model, one way to move.

Each app declares its machines once, next to its services::

    NEED_FLOW = Workflow(
        Need,
        moves={Need.State.SUBMITTED: {Need.State.PUBLISHED, Need.State.REJECTED}, ...},
        code="need.bad_state",
        refusal=_("This need is %(state)s and cannot be moved that way."),
    )

and every state change goes through `transition(...)`: it locks the row, checks the move
against the table (from → {to}), applies the other changes, saves and writes the audit entry,
all in one transaction. A service that already holds the row locked inside a larger transaction
(a claim filling the last slot) calls `Workflow.apply(...)` on the locked object instead. Views
ask `can_move(...)` for their buttons, so a precondition lives in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, Generic, NoReturn, TypeVar

from django.db import models, transaction
from django.utils.functional import Promise

from wulian.audit import services as audit
from wulian.core.errors import Conflict

M = TypeVar("M", bound=models.Model)


class Workflow(Generic[M]):
    """The allowed moves of one model's state field, read from → {to}."""

    def __init__(
        self,
        model: type[M],
        *,
        moves: Mapping[str, Collection[str]],
        code: str,
        refusal: str | Promise,
        field: str = "state",
        community: Callable[[M], Any] | None = None,
        subject: Callable[[M], models.Model] | None = None,
        describe: Callable[[M], Mapping[str, Any]] | None = None,
    ) -> None:
        """`community`, `subject` and `describe` shape the audit entry: the community it
        belongs to, the object whose timeline shows it (a unit's call shows on its whistle),
        and facts recorded on both sides (which unit)."""
        self.model = model
        self.field = field
        self.moves = {str(state): frozenset(str(to) for to in tos) for state, tos in moves.items()}
        self.code = code
        self.refusal = refusal
        self.community = community or (lambda obj: getattr(obj, "community", None))
        self.subject = subject or (lambda obj: obj)
        self.describe = describe or (lambda obj: {})
        state_field = model._meta.get_field(field)
        assert isinstance(state_field, models.Field), field
        self._state_field = state_field
        states = {str(value) for value, _label in state_field.flatchoices}
        unknown = (set(self.moves) | {to for tos in self.moves.values() for to in tos}) - states
        if unknown:
            raise ValueError(f"{model.__name__}.{field} has no state {sorted(unknown)}")

    def state_of(self, obj: M) -> str:
        return str(getattr(obj, self.field))

    def allows(self, current: str, to: str) -> bool:
        return str(to) in self.moves.get(str(current), frozenset())

    def can_move(self, obj: M, to: str) -> bool:
        """Whether the table lets `obj` move to `to` now (for buttons; services still check)."""
        return self.allows(self.state_of(obj), to)

    def next_states(self, obj: M) -> frozenset[str]:
        return self.moves.get(self.state_of(obj), frozenset())

    def check(self, obj: M, to: str) -> None:
        if not self.can_move(obj, to):
            self.refuse(obj, to)

    def refuse(self, obj: M, to: str = "") -> NoReturn:
        """Refuse a move, naming the present state (`%(state)s`) and the one asked (`%(to)s`)."""
        display = getattr(obj, f"get_{self.field}_display")()
        target = dict(self._state_field.flatchoices).get(to, to)
        raise Conflict(self.code, self.refusal % {"state": display, "to": target})

    def apply(
        self,
        obj: M,
        to: str,
        actor: Any,
        *,
        action: str,
        note: str = "",
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        **changes: Any,
    ) -> M:
        """Move an object its caller has locked inside the current transaction."""
        assert transaction.get_connection().in_atomic_block, "lock the row in a transaction"
        self.check(obj, to)
        old = self.state_of(obj)
        setattr(obj, self.field, to)
        for name, value in changes.items():
            setattr(obj, name, value)
        obj.save()
        facts = self.describe(obj)
        audit.record(
            actor,
            action,
            self.subject(obj),
            before={**facts, self.field: old, **(before or {})},
            after={**facts, self.field: str(to), **(after or {})},
            community=self.community(obj),
            note=note,
        )
        return obj


def transition(
    flow: Workflow[M],
    obj: M,
    to: str,
    actor: Any,
    *,
    action: str,
    note: str = "",
    guard: Callable[[M], None] | None = None,
    **changes: Any,
) -> M:
    """Lock `obj`, check the move (and `guard`, under the lock), change, save, audit."""
    with transaction.atomic():
        locked = flow.model._default_manager.select_for_update().get(pk=obj.pk)
        flow.check(locked, to)
        if guard is not None:
            guard(locked)
        return flow.apply(locked, to, actor, action=action, note=note, **changes)


def can_move(flow: Workflow[M], obj: M, to: str) -> bool:
    return flow.can_move(obj, to)
