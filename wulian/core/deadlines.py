"""Deadline sweeps as tables of steps: each step runs once per object, when it falls due.

A step names the field that records it was done (a flag or a time), when it is due, and what it
does (record, tell). `run_steps` runs the due steps of one object its caller holds locked and
saves the marks in the same transaction, so a sweep killed midway loses nothing and a second
sweep (or two at once) repeats nothing. The whistle's report-by and resolve-by deadlines run on
it; bookings' confirm-by times, resolutions' notice periods and study-hour years will too.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import models, transaction

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Step(Generic[M]):
    name: str
    mark: str
    due: Callable[[M, datetime.datetime], bool]
    act: Callable[[M, datetime.datetime], None]


def run_steps(obj: M, steps: Iterable[Step[M]], now: datetime.datetime) -> list[str]:
    """Run each step not yet marked and due; mark it (True, or `now` for a time) and save."""
    done: list[str] = []
    for step in steps:
        if getattr(obj, step.mark) or not step.due(obj, now):
            continue
        field = obj._meta.get_field(step.mark)
        setattr(obj, step.mark, True if isinstance(field, models.BooleanField) else now)
        step.act(obj, now)
        done.append(step.name)
    if done:
        marks = {step.mark for step in steps if step.name in done}
        obj.save(update_fields=sorted(marks))
    return done


def sweep(
    locked: Callable[[int], M | None],
    ids: Iterable[int],
    steps: Iterable[Step[M]],
    now: datetime.datetime,
) -> dict[str, int]:
    """Each object in its own transaction: `locked(id)` fetches it under a row lock (or None
    to pass it over); returns how many times each step ran."""
    steps = list(steps)
    counts = {step.name: 0 for step in steps}
    for pk in ids:
        with transaction.atomic():
            obj = locked(pk)
            if obj is None:
                continue
            for name in run_steps(obj, steps, now):
                counts[name] += 1
    return counts
