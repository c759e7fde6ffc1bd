"""Keeps the deliberation section's monthly report summary (centers.summaries) right as issues
change: a step on an issue received in a summarised month recounts its cell, and an escalation
the cells of both centers. Issues of the current month cost nothing."""

from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

from centers import summaries
from deliberation.models import Issue
from deliberation.reports import SUMMARY


def _remember(sender, instance, **kwargs):
    instance._summary_cell = (
        instance.__dict__.get("center_id"),
        instance.__dict__.get("created_at"),
    )


def _local_month(when):
    return timezone.localtime(when, timezone.get_default_timezone()).date().replace(day=1)


def issue_cells(issue):
    """The summary cells an issue counts in now, and counted in when it was loaded."""
    cells = {(issue.center_id, _local_month(issue.created_at))}
    center_id, created_at = getattr(issue, "_summary_cell", (None, None))
    if center_id is not None and created_at is not None:
        cells.add((center_id, _local_month(created_at)))
    return cells


def _issue_changed(sender, instance, **kwargs):
    summaries.refresh(SUMMARY, issue_cells(instance))
    instance._summary_cell = (instance.center_id, instance.created_at)


def connect():
    post_init.connect(_remember, sender=Issue, dispatch_uid="deliberation.summary.init")
    for signal in (post_save, post_delete):
        signal.connect(_issue_changed, sender=Issue, dispatch_uid=f"deliberation.summary.{signal}")
