"""The task queue: work that runs outside a request (django-tasks, the backport of Django 6's
built-in tasks, with the django-tasks-db database backend).

How an app uses it (staff notifications, questionnaire sends, ...):

* Define the task in the app's ``tasks.py`` with ``django_tasks.task``; arguments and return
  values must be JSON.
* Enqueue it with ``the_task.enqueue(...)`` inside the action's ``transaction.atomic`` block:
  with the database backend the task row commits or rolls back together with the change, so a
  task never runs for a change that did not happen, and is never lost for one that did.
* Work to be done once a day: decorate the task with :func:`daily` as well (outermost). The
  worker enqueues a daily task whenever none was enqueued in the last 24 hours (one that failed
  is retried after an hour). There is no cron syntax: daily means "at most once a day, starting
  when the worker first sees it due".
* Work to be done every few seconds or minutes (the questionnaire sender): decorate the task
  with :func:`every` (outermost). Each worker tick enqueues it when no run of it is waiting
  and none was enqueued within the interval. Several workers may each enqueue one: such a task
  must be safe to run twice at once (claim its rows atomically, as ``measurement.sends`` does).

Settings: ``TASKS`` in ``ketaclinic/settings.py`` (database backend); the test settings use the
immediate backend, which runs a task at once in the caller's thread. The worker is
``ketaclinic worker`` (``ketaclinic/ops/worker.py``); ``ketaclinic serve`` starts one beside
the web server.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, TypeVar

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks import TaskResultStatus
from django_tasks.base import Task

logger = logging.getLogger(__name__)

DAY = dt.timedelta(hours=24)
RETRY_AFTER_FAILURE = dt.timedelta(hours=1)

_daily: list[Task[Any, Any]] = []
TaskT = TypeVar("TaskT", bound=Task[Any, Any])


def daily(task: TaskT) -> TaskT:
    """Register ``task`` (a ``@task()`` without arguments) to run once a day."""
    if task.module_path not in {t.module_path for t in _daily}:
        _daily.append(task)
    return task


_periodic: dict[str, tuple[Task[Any, Any], dt.timedelta]] = {}


def every(interval: dt.timedelta) -> Any:
    """Register a task (a ``@task()`` without arguments) to run every ``interval``."""

    def register(task: TaskT) -> TaskT:
        _periodic[task.module_path] = (task, interval)
        return task

    return register


def periodic_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic task with no run waiting and none enqueued within its interval
    (a run left "running" by a killed worker blocks it for one interval only)."""
    from django_tasks_db.models import DBTaskResult

    autodiscover_modules("tasks")
    moment = now or timezone.now()
    enqueued = []
    for path, (task, interval) in _periodic.items():
        rows = DBTaskResult.objects.filter(task_path=path)
        if rows.filter(status=TaskResultStatus.READY).exists():
            continue
        if rows.filter(enqueued_at__gt=moment - interval).exists():
            continue
        task.enqueue()
        enqueued.append(path)
    return enqueued


def daily_tasks() -> list[Task[Any, Any]]:
    """The registered daily tasks, after importing every installed app's ``tasks`` module."""
    autodiscover_modules("tasks")
    return list(_daily)


def is_due(task: Task[Any, Any], now: dt.datetime | None = None) -> bool:
    """No run of ``task`` was enqueued in the last 24 h, except failures over an hour old."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    moment = now or timezone.now()
    recent = DBTaskResult.objects.filter(
        task_path=task.module_path, enqueued_at__gt=moment - DAY
    ).filter(
        ~Q(status=TaskResultStatus.FAILED)
        | Q(finished_at__isnull=True)
        | Q(finished_at__gt=moment - RETRY_AFTER_FAILURE)
    )
    return not recent.exists()


def schedule_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every daily task that is due; returns their paths."""
    enqueued = []
    for task in daily_tasks():
        if is_due(task, now):
            task.enqueue()
            enqueued.append(task.module_path)
            logger.info("Enqueued the daily task %s", task.module_path)
    return enqueued
