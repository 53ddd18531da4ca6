"""Real threads, each with its own database connection, vote for the same household at once."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from wulian.core.errors import Conflict
from wulian.council import services
from wulian.council.models import Ballot, HouseholdMember, Motion, VoteMark


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_voting_for_one_household_leave_exactly_one_ballot(cw):
    household = cw.households[0]
    people = [cw.voters[0]]
    for n in range(19):
        person = cw.person(f"1393000{n:04d}", f"家人{n}")
        HouseholdMember.objects.create(household=household, user=person, confirmed=True)
        people.append(person)
    meeting = cw.open_meeting()
    for person in people:
        cw.check_in(meeting, person)
    motion = services.add_motion(cw.chair, meeting, services.MotionInput(text="同意加装电梯"))
    services.open_ballot(cw.chair, motion, timezone.now() + datetime.timedelta(minutes=10))
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def vote(person):
        try:
            barrier.wait()
            services.cast_vote(person, Motion.objects.get(pk=motion.pk), ["yes"])
            result = "ok"
        except Conflict as exc:
            result = exc.code
        except Exception as exc:  # anything else is a failure of the test
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=vote, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("ok") == 1, outcomes
    assert sorted(set(outcomes)) == ["ok", "vote.already"], outcomes
    assert VoteMark.objects.filter(motion=motion, household=household).count() == 1
    assert Ballot.objects.filter(motion=motion).count() == 1
