import datetime

import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.lists.conftest import sign_both
from wulian.lists import services
from wulian.lists.models import Project


def test_the_sweep_marks_a_silent_project_stalled_and_progress_revives_it(world, need, capsys):
    project = services.claim_need(world["unit_admin"], need, organization=world.unit).project
    sign_both(world, project)
    call_command("lists", "sweep")
    assert "0 needs expired, 0 projects stalled" in capsys.readouterr().out
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        call_command("lists", "sweep")
        assert "1 projects stalled" in capsys.readouterr().out
        project.refresh_from_db()
        assert project.state == Project.State.STALLED
        services.post_progress(world["unit_admin"], project, "重新开始上门服务")
    project.refresh_from_db()
    assert project.state == Project.State.ACTIVE


def test_a_stalled_project_can_still_be_completed(world, need):
    project = services.claim_need(world["unit_admin"], need, organization=world.unit).project
    sign_both(world, project)
    Project.objects.filter(pk=project.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=60)
    )
    assert [p.pk for p in services.mark_stalled_projects()] == [project.pk]
    done = services.complete_project(
        world["unit_admin"], project, services.Outcomes(summary="完成")
    )
    assert done.state == Project.State.COMPLETED


def test_the_worker_schedules_the_lists_sweep(world):
    from wulian.lists.tasks import sweep_lists_task
    from wulian.notifications.scheduler import periodic_task_paths

    assert "wulian.lists.tasks.sweep_lists_task" in periodic_task_paths()
    assert sweep_lists_task.call() == "0 needs expired, 0 projects stalled"
