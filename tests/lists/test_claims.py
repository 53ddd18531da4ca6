import threading

import pytest
from django.db import connection

from tests.lists.conftest import blank_png, sign_both, signature_png
from wulian.accounts.models import User
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.lists import services
from wulian.lists.models import Claim, Need, Project
from wulian.orgs.models import Membership, Organization


def test_a_claim_creates_a_project_and_its_agreement(world, need):
    claim = services.claim_need(world["unit_admin"], need, organization=world.unit)
    need.refresh_from_db()
    assert need.state == "claimed" and need.claimed_slots == 1
    project = claim.project
    assert project.state == "signing"
    assert project.agreement.claimant_side_name == "武汉市第一商业学校"
    assert claim.claimant_kind == "school"


def test_the_last_slot_is_refused_to_the_second_claimant(world, need):
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    with pytest.raises(Conflict) as error:
        services.claim_need(world["community_staff"], need)
    assert error.value.code == "need.taken"
    assert "已被" in str(error.value.message) or "claimed" in str(error.value.message)


def test_a_raiser_cannot_claim_their_own_need(world, need):
    with pytest.raises(NotAllowed):
        services.claim_need(world["resident"], need)


def test_claiming_for_a_unit_needs_membership(world, need):
    with pytest.raises(NotAllowed):
        services.claim_need(world["community_staff"], need, organization=world.unit)


def test_a_submitted_need_is_not_open_to_claim(world):
    draft = services.raise_need(world["resident"], world.community, services.NeedInput(title="x"))
    with pytest.raises(Conflict) as error:
        services.claim_need(world["unit_admin"], draft, organization=world.unit)
    assert error.value.code == "need.not_open"


def test_with_two_slots_two_units_claim_and_the_same_unit_not_twice(world, need):
    need.slots = 2
    need.save()
    services.claim_need(world["unit_admin"], need, organization=world.unit)
    with pytest.raises(Conflict) as error:
        services.claim_need(world["unit_contact"], need, organization=world.unit)
    assert error.value.code == "claim.duplicate"
    services.claim_need(world["community_staff"], need)
    need.refresh_from_db()
    assert need.state == "claimed" and sorted(need.claims.values_list("slot", flat=True)) == [1, 2]


def test_staff_correct_a_mistaken_claim_and_the_slot_reopens(world, need):
    claim = services.claim_need(world["unit_admin"], need, organization=world.unit)
    with pytest.raises(DomainError):
        services.cancel_claim(world["community_staff"], claim, "")
    services.cancel_claim(world["community_staff"], claim, "误点认领")
    need.refresh_from_db()
    assert need.state == "published" and need.claimed_slots == 0
    assert Project.objects.get().state == "cancelled"
    again = services.claim_need(world["community_staff"], need)
    assert again.slot == 1


def test_staff_record_a_paper_claim_for_someone_without_a_phone(world, need):
    claim = services.claim_need(
        world["community_staff"],
        need,
        claimant=world["unit_admin"],
        organization=world.unit,
        source="paper",
    )
    assert claim.recorded_by == world["community_staff"] and claim.source == "paper"


def test_a_unit_without_staff_rights_cannot_record_claims_for_others(world, need):
    with pytest.raises(NotAllowed):
        services.claim_need(world["unit_admin"], need, claimant=world["unit_contact"])


def test_both_sides_sign_and_the_agreement_freezes(world, need):
    project = services.claim_need(world["unit_admin"], need, organization=world.unit).project
    with pytest.raises(DomainError) as wrong_name:
        services.sign_agreement(
            world["resident"],
            project.agreement,
            side="need",
            typed_name="别人",
            drawn_png=signature_png(),
        )
    assert wrong_name.value.code == "signature.name_mismatch"
    with pytest.raises(DomainError) as blank:
        services.sign_agreement(
            world["resident"],
            project.agreement,
            side="need",
            typed_name="居民甲",
            drawn_png=blank_png(),
        )
    assert blank.value.code == "signature.blank"
    with pytest.raises(NotAllowed):
        services.sign_agreement(
            world["resident"],
            project.agreement,
            side="claimant",
            typed_name="居民甲",
            drawn_png=signature_png(),
        )
    sign_both(world, project)
    assert project.state == "active"
    project.agreement.refresh_from_db()
    assert project.agreement.frozen_at is not None and len(project.agreement.content_hash) == 64
    with pytest.raises(Conflict):
        services.update_agreement(world["resident"], project.agreement, scope="改一下")


def test_the_terms_can_change_until_someone_signs(world, need):
    project = services.claim_need(world["unit_admin"], need, organization=world.unit).project
    services.update_agreement(world["unit_admin"], project.agreement, scope="每月两次上门理发")
    services.sign_agreement(
        world["resident"],
        project.agreement,
        side="need",
        typed_name="居民甲",
        drawn_png=signature_png(),
    )
    with pytest.raises(Conflict) as error:
        services.update_agreement(world["unit_admin"], project.agreement, scope="每月一次")
    assert error.value.code == "agreement.signed"


def _unit_with_admin(world, i):
    org = Organization.objects.create(name=f"企业{i}", kind="enterprise", region=world.community)
    user = User.objects.create_user(f"1360000{i:04d}", "pw-123456789", real_name=f"联络人{i}")
    Membership.objects.create(organization=org, user=user, role="admin")
    return org, user


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slots", [1, 3])
def test_racing_claims_fill_exactly_the_slots(world, need, slots):
    """Real threads, each with its own database connection, race for the slots."""
    Need.objects.filter(pk=need.pk).update(slots=slots)
    claimants = [_unit_with_admin(world, i) for i in range(12)]
    barrier = threading.Barrier(len(claimants))
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(org, user):
        try:
            barrier.wait()
            services.claim_need(user, Need.objects.get(pk=need.pk), organization=org)
            result = "ok"
        except Conflict as exc:
            result = exc.code
        except Exception as exc:  # anything else is a failure of the test
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=pair) for pair in claimants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("ok") == slots, outcomes
    assert all(o in {"ok", "need.taken"} for o in outcomes), outcomes
    need.refresh_from_db()
    assert need.claimed_slots == slots and need.state == "claimed"
    assert Claim.objects.filter(need=need, state="active").count() == slots
    assert Project.objects.filter(need=need).count() == slots
