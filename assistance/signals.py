"""Keeps the assistance section's monthly report summary (centers.summaries) right: visits
count at their beneficiary's center, units handed out at their station's, by the month of
their date. Changes dated in the current month cost nothing."""

from django.db.models.signals import post_delete, post_init, post_save

from assistance.models import AidStation, Beneficiary, Distribution, DistributionLine, Visit
from assistance.reports import SUMMARY
from centers import summaries


def _is_past(day):
    return day is not None and day.replace(day=1) < summaries.this_month()


def _loaded(instance, *fields):
    return tuple(instance.__dict__.get(name) for name in fields)


def _remember_visit(sender, instance, **kwargs):
    instance._summary_was = _loaded(instance, "beneficiary_id", "visited_on")


def _visit_changed(sender, instance, **kwargs):
    pairs = {(instance.beneficiary_id, instance.visited_on)}
    pairs.add(getattr(instance, "_summary_was", (None, None)))
    pairs = {(b, day) for b, day in pairs if b is not None and _is_past(day)}
    if pairs:
        centers = dict(
            Beneficiary.objects.filter(pk__in={b for b, _day in pairs}).values_list(
                "pk", "center_id"
            )
        )
        summaries.refresh(SUMMARY, {(centers.get(b), day) for b, day in pairs})
    instance._summary_was = (instance.beneficiary_id, instance.visited_on)


def _remember_beneficiary(sender, instance, **kwargs):
    instance._summary_center = instance.__dict__.get("center_id")


def _beneficiary_changed(sender, instance, **kwargs):
    """A beneficiary moved to another community takes their visits' counts along."""
    was = getattr(instance, "_summary_center", None)
    if was is not None and was != instance.center_id:
        months = {
            day.replace(day=1)
            for day in Visit.objects.filter(beneficiary=instance).values_list(
                "visited_on", flat=True
            )
            if _is_past(day)
        }
        summaries.refresh(
            SUMMARY, {(center, m) for center in (was, instance.center_id) for m in months}
        )
    instance._summary_center = instance.center_id


def _remember_distribution(sender, instance, **kwargs):
    instance._summary_was = _loaded(instance, "station_id", "distributed_on")


def _distribution_cells(pairs):
    pairs = {(s, day) for s, day in pairs if s is not None and _is_past(day)}
    if not pairs:
        return set()
    centers = dict(
        AidStation.objects.filter(pk__in={s for s, _day in pairs}).values_list("pk", "center_id")
    )
    return {(centers.get(s), day) for s, day in pairs}


def _distribution_changed(sender, instance, **kwargs):
    was = getattr(instance, "_summary_was", (None, None))
    now = (instance.station_id, instance.distributed_on)
    if was != now and was[0] is not None:
        summaries.refresh(SUMMARY, _distribution_cells({was, now}))
    instance._summary_was = now


def _line_changed(sender, instance, **kwargs):
    distribution = instance._state.fields_cache.get("distribution")
    if distribution is None:
        distribution = (
            Distribution.objects.filter(pk=instance.distribution_id)
            .only("station_id", "distributed_on")
            .first()
        )
        if distribution is None:  # deleted with it
            return
    if _is_past(distribution.distributed_on):
        summaries.refresh(
            SUMMARY,
            _distribution_cells({(distribution.station_id, distribution.distributed_on)}),
        )


def connect():
    post_init.connect(_remember_visit, sender=Visit, dispatch_uid="assistance.summary.visit")
    post_init.connect(
        _remember_beneficiary, sender=Beneficiary, dispatch_uid="assistance.summary.beneficiary"
    )
    post_init.connect(
        _remember_distribution, sender=Distribution, dispatch_uid="assistance.summary.dist"
    )
    post_save.connect(
        _beneficiary_changed, sender=Beneficiary, dispatch_uid="assistance.summary.moved"
    )
    post_save.connect(
        _distribution_changed, sender=Distribution, dispatch_uid="assistance.summary.redated"
    )
    for signal in (post_save, post_delete):
        signal.connect(_visit_changed, sender=Visit, dispatch_uid=f"assistance.visit.{signal}")
        signal.connect(
            _line_changed, sender=DistributionLine, dispatch_uid=f"assistance.line.{signal}"
        )
