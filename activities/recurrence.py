"""Recurring activities: RFC 5545 rules through python-dateutil, in local time."""

from datetime import timedelta

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

#: How far ahead occurrences of an open-ended rule are created.
HORIZON = timedelta(days=366)
#: The most occurrences one rule may produce (a daily rule for about three years).
MAX_OCCURRENCES = 1200


def parse_rule(rule, dtstart):
    """The dateutil rule for `rule` starting at `dtstart`; ValidationError if it is not valid."""
    text = rule.strip().removeprefix("RRULE:")
    if not text:
        raise ValidationError({"recurrence": _("重复规则为空。")})
    local_start = timezone.localtime(dtstart) if dtstart else None
    try:
        return rrulestr(text, dtstart=local_start, forceset=False, cache=False)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ValidationError(
            {"recurrence": _("重复规则无法识别，例如：FREQ=WEEKLY;BYDAY=TU;UNTIL=20270630T000000Z")}
        ) from exc


def slots(activity, *, until=None, since=None):
    """The start times the activity's rule produces (aware datetimes), or its single start;
    with `since`, only those from then on (the count limit still counts from the first)."""
    if not activity.recurrence:
        return [activity.starts_at]
    rule = parse_rule(activity.recurrence, activity.starts_at)
    limit = until or (timezone.now() + HORIZON)
    result = []
    for produced, start in enumerate(rule):
        # dateutil yields naive-local or aware values depending on UNTIL; normalise to aware.
        if timezone.is_naive(start):
            start = timezone.make_aware(start)
        if start > limit or produced >= MAX_OCCURRENCES:
            break
        if since is None or start >= since:
            result.append(start)
    return result
