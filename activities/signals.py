"""Keeps the activities' monthly report summary (centers.summaries) right as sessions and
sign-ups change. Only changes to a month that has ended and been summarised cost anything;
the services call `refresh_occurrences` after their bulk writes, which send no signals."""

from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

from activities.models import Activity, Occurrence, Registration
from activities.reports import SUMMARY
from centers import summaries


def _month(when):
    return timezone.localtime(when).date().replace(day=1)


def refresh_occurrences(occurrences):
    """Recount the summary cells of `occurrences` (in the caller's transaction)."""
    current = summaries.this_month()
    past = [o for o in occurrences if _month(o.starts_at) < current]
    if not past:
        return
    centers = dict(
        Activity.objects.filter(pk__in={o.activity_id for o in past}).values_list("pk", "center_id")
    )
    summaries.refresh(SUMMARY, {(centers.get(o.activity_id), _month(o.starts_at)) for o in past})


def _remember_start(sender, instance, **kwargs):
    instance._summary_start = instance.__dict__.get("starts_at")


def _occurrence_changed(sender, instance, **kwargs):
    months = {_month(instance.starts_at)}
    if getattr(instance, "_summary_start", None) is not None:
        months.add(_month(instance._summary_start))
    current = summaries.this_month()
    if all(month >= current for month in months):
        return
    activity = instance._state.fields_cache.get("activity")
    center_id = (
        activity.center_id
        if activity is not None
        else Activity.objects.filter(pk=instance.activity_id)
        .values_list("center_id", flat=True)
        .first()
    )
    if center_id is None:
        return
    summaries.refresh(SUMMARY, {(center_id, month) for month in months})
    instance._summary_start = instance.starts_at


def _registration_changed(sender, instance, **kwargs):
    occurrence = instance._state.fields_cache.get("occurrence")
    if occurrence is None:
        occurrence = Occurrence.objects.filter(pk=instance.occurrence_id).first()
        if occurrence is None:  # deleted with it: the occurrence's own signal recounts
            return
    refresh_occurrences([occurrence])


def connect():
    post_init.connect(_remember_start, sender=Occurrence, dispatch_uid="activities.summary.init")
    for signal in (post_save, post_delete):
        signal.connect(_occurrence_changed, sender=Occurrence, dispatch_uid=f"act.occ.{signal}")
        signal.connect(_registration_changed, sender=Registration, dispatch_uid=f"act.reg.{signal}")
