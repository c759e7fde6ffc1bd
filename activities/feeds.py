"""iCalendar feeds (RFC 5545) and check-in QR codes.

A district's feed is thousands of activities: seconds to render. Rendered feeds are kept in
the cache under a *feed generation* that only changes when what a feed shows changes (an
activity, a session's time or status, a room's or a center's name), not on the sign-ups that
happen all day, which make every other public page stale (centers.caching).
"""

import segno
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from activities import recurrence
from centers import caching

FEED_GENERATION_KEY = "activities-feed:generation"
#: How long a rendered feed is kept at most (a new generation makes it unreachable at once).
FEED_CACHE_SECONDS = 24 * 3600
#: Occurrence fields a sign-up writes; a feed does not show them.
SIGN_UP_FIELDS = {"confirmed_count"}


def _bump():
    caching.bump_generation(FEED_GENERATION_KEY)


def _feed_changed(sender, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= SIGN_UP_FIELDS:
        return
    # After commit, as for the page cache: a concurrent render must not keep old data under
    # the new generation.
    transaction.on_commit(_bump)


def connect_signals():
    from activities.models import Activity, Occurrence
    from centers.models import Center, Room

    for model in (Activity, Occurrence, Room, Center):
        for signal in (post_save, post_delete):
            signal.connect(
                _feed_changed, sender=model, dispatch_uid=f"feed.{model.__name__}.{signal}"
            )


#: How long one worker may take to render a feed before another may try (seconds).
RENDER_LOCK_SECONDS = 120


def cached_feed(key, render):
    """The rendered feed for `key` in the current feed generation, rendered once.

    While one worker renders a feed anew (seconds for a district), the others answer with the
    feed as it was before the last change instead of rendering it too: calendar clients poll
    every few hours, and a burst of them after an edit must not take every worker.
    """
    current = f"activities-feed:{caching.current_generation(FEED_GENERATION_KEY)}:{key}"
    body = cache.get(current)
    if body is not None:
        return body
    latest, lock = f"activities-feed:latest:{key}", f"activities-feed:rendering:{key}"
    if not cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS):
        body = cache.get(latest)
        if body is not None:
            return body
    try:
        body = render()
        cache.set_many({current: body, latest: body}, FEED_CACHE_SECONDS)
    finally:
        cache.delete(lock)
    return body


def qr_data_uri(text):
    """An SVG QR code for `text` as a data: URI (allowed by the CSP's img-src)."""
    return segno.make(text, error="m").svg_data_uri(scale=6, border=2, dark="#000", light="#fff")


def _local(dt):
    return timezone.localtime(dt)


def _uid(activity):
    return f"{activity.uid}@dangqun"


def _base_event(activity, occurrence, *, start=None, uid=None):
    start = start or occurrence.starts_at
    event = Event()
    event.add("uid", uid or _uid(activity))
    event.add("summary", activity.title)
    event.add("dtstart", _local(start))
    event.add("dtend", _local(start) + (occurrence.ends_at - occurrence.starts_at))
    event.add("dtstamp", activity.updated_at)
    event.add("last-modified", activity.updated_at)
    place = occurrence.room.name if occurrence.room_id else activity.location
    event.add("location", f"{activity.center.name} {place}".strip())
    if activity.description:
        event.add("description", activity.description)
    event.add("categories", [activity.get_category_display()])
    return event


def _events(activity, base_url):
    occurrences = list(activity.occurrences.all())
    if not occurrences:
        return []
    url = base_url + activity.get_absolute_url()
    if not activity.recurrence:
        occurrence = occurrences[0]
        event = _base_event(activity, occurrence)
        event.add("url", url)
        if occurrence.is_cancelled:
            event.add("status", "CANCELLED")
        return [event]
    # Sessions from before the rule was changed (another time or weekday) are not instances
    # of the current rule: they go out as events of their own, so clients show them as held.
    # The occurrences come from the feed's window (selectors.feed_activities): so do the slots.
    rule_starts = set(recurrence.slots(activity, since=occurrences[0].original_start))
    in_rule = [o for o in occurrences if o.original_start in rule_starts]
    events = []
    for occurrence in occurrences:
        if occurrence.original_start not in rule_starts:
            uid = f"{activity.uid}-{occurrence.original_start:%Y%m%dT%H%M%SZ}@dangqun"
            event = _base_event(activity, occurrence, uid=uid)
            event.add("url", url)
            if occurrence.is_cancelled:
                event.add("status", "CANCELLED")
            events.append(event)
    if not in_rule:
        return events
    first = in_rule[0]
    master = _base_event(activity, first, start=first.original_start)
    master.add("rrule", vRecur.from_ical(activity.recurrence.removeprefix("RRULE:")))
    master.add("url", url)
    cancelled = [_local(o.original_start) for o in in_rule if o.is_cancelled]
    if cancelled:
        master.add("exdate", cancelled)
    events.append(master)
    for occurrence in in_rule:
        if occurrence.is_moved and not occurrence.is_cancelled:
            override = _base_event(activity, occurrence)
            override.add("recurrence-id", _local(occurrence.original_start))
            override.add("url", url)
            events.append(override)
    return events


def ical_feed(activities, *, name=None, url=""):
    """The calendar for `activities` (occurrences prefetched) as bytes."""
    cal = Calendar()
    cal.add("prodid", "-//dangqun//activities//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or settings.SITE_NAME)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    base_url = url.split("/activities/")[0] if "/activities/" in url else ""
    for activity in activities:
        for event in _events(activity, base_url):
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
