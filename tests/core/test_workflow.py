"""The one way to move a state machine: table checked under the lock, change saved, audited."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from wulian.audit.models import AuditEntry
from wulian.core.errors import Conflict, DomainError
from wulian.core.workflow import Workflow, transition
from wulian.orgs.models import Partnership
from wulian.orgs.services import PARTNERSHIP_FLOW


def test_it_moves_saves_and_audits_in_one_step(world):
    staff = world["community_staff"]
    moved = transition(
        PARTNERSHIP_FLOW,
        world.partnership,
        Partnership.Status.ACTIVE,
        staff,
        action="orgs.partnership_status_changed",
        note="双方已签字",
    )
    assert Partnership.objects.get(pk=moved.pk).status == Partnership.Status.ACTIVE
    entry = AuditEntry.objects.filter(action="orgs.partnership_status_changed").get()
    assert entry.before == {"status": "proposed"} and entry.after == {"status": "active"}
    assert entry.actor == staff and entry.note == "双方已签字"
    assert entry.community == world.community


def test_it_refuses_a_move_the_table_does_not_allow_and_changes_nothing(world):
    with pytest.raises(Conflict) as refused, override("zh-hans"):
        transition(
            PARTNERSHIP_FLOW,
            world.partnership,
            Partnership.Status.SUSPENDED,
            world["community_staff"],
            action="orgs.partnership_status_changed",
        )
    assert refused.value.code == "partnership.bad_move"
    assert "不能变更为" in str(refused.value.message)
    assert Partnership.objects.get(pk=world.partnership.pk).status == Partnership.Status.PROPOSED
    assert not AuditEntry.objects.filter(action="orgs.partnership_status_changed").exists()


def test_a_guard_is_checked_under_the_lock_and_its_refusal_rolls_back(world):
    def never(locked: Partnership) -> None:
        raise DomainError("partnership.not_now", "not now")

    with pytest.raises(DomainError) as refused:
        transition(
            PARTNERSHIP_FLOW,
            world.partnership,
            Partnership.Status.ACTIVE,
            None,
            action="orgs.partnership_status_changed",
            guard=never,
        )
    assert refused.value.code == "partnership.not_now"
    assert Partnership.objects.get(pk=world.partnership.pk).status == Partnership.Status.PROPOSED


def test_buttons_ask_the_same_table(world):
    assert PARTNERSHIP_FLOW.can_move(world.partnership, Partnership.Status.ACTIVE)
    assert not PARTNERSHIP_FLOW.can_move(world.partnership, Partnership.Status.SUSPENDED)
    assert PARTNERSHIP_FLOW.next_states(world.partnership) == {"active", "ended"}


def test_a_table_naming_a_state_the_model_lacks_is_refused_at_once():
    with pytest.raises(ValueError, match="no state"):
        Workflow(
            Partnership,
            field="status",
            moves={"proposed": {"signed"}},
            code="x",
            refusal="x",
        )
