from django_tasks import task


@task()
def sweep_activities_task() -> str:
    return ""
