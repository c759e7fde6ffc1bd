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
from icalendar import Calendar, Event, Timezone, vRecur
from icalendar.caselessdict import canonsort_keys
from icalendar.parser import Contentline
from icalendar.timezone import tzp

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


#: The properties of an event, in the order icalendar writes them.
EVENT_PROPERTIES = canonsort_keys(
    [
        "SUMMARY",
        "DTSTART",
        "DTEND",
        "DTSTAMP",
        "UID",
        "RECURRENCE-ID",
        "RRULE",
        "EXDATE",
        "CATEGORIES",
        "DESCRIPTION",
        "LAST-MODIFIED",
        "LOCATION",
        "STATUS",
        "URL",
    ],
    Event.canonical_order,
)
#: icalendar folds a content line when it reaches this many octets.
FOLD_OCTETS = 75


def _content_line(name, prop):
    """One property as icalendar writes it: parameters, escaped value, folded, CRLF-ended."""
    line = Contentline.from_parts(name, prop.params, prop)
    data = line.encode()
    # A short line needs no folding (most of them): icalendar's folding goes character by
    # character, the slowest part of writing a district's feed.
    return (data if len(data) < FOLD_OCTETS else line.to_ical()) + b"\r\n"


class _EventWriter:
    """The VEVENTs of one feed as content lines, each distinct value formatted once.

    A district's feed is tens of thousands of properties, most of them repeated (titles,
    places, categories, the same session times and rules across centers). icalendar's
    `Event.add` and `Component.to_ical` infer, wrap, sort and fold every one of them again;
    here each (property, value) goes through icalendar's value types and content lines once,
    in the order `Component.to_ical` writes them (`EVENT_PROPERTIES`).
    """

    def __init__(self):
        self.tzids = set()
        self._lines = {}
        self._categories = {}
        self._rule_starts = {}

    def rule_starts(self, activity, since):
        """The starts of the activity's rule from `since` on (recurrence.slots): the same for
        every activity with the same rule and first start (a program run at many centers)."""
        key = (activity.recurrence, activity.starts_at, since)
        starts = self._rule_starts.get(key)
        if starts is None:
            starts = self._rule_starts[key] = frozenset(recurrence.slots(activity, since=since))
        return starts

    def line(self, name, value):
        # Equal aware datetimes in different zones are written differently: the zone is
        # part of the key.
        key = (name, value, getattr(value, "tzinfo", None))
        line = self._lines.get(key)
        if line is None:
            prop = Event.types_factory.for_property(name)(value)
            self._note_tzid(prop)
            line = self._lines[key] = _content_line(name, prop)
        return line

    def rule(self, text):
        key = ("RRULE", text, None)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = _content_line("RRULE", vRecur.from_ical(text))
        return line

    def dates(self, name, values):
        prop = Event.types_factory.for_property(name)(values)
        self._note_tzid(prop)
        return _content_line(name, prop)

    def category(self, activity):
        # get_category_display translates on every call: once per category and feed.
        label = self._categories.get(activity.category)
        if label is None:
            label = self._categories[activity.category] = activity.get_category_display()
        return self.line("CATEGORIES", (label,))

    def utc(self, name, dt):
        # As Event.add does for DTSTAMP and LAST-MODIFIED (RFC 5545 wants them in UTC).
        return self.line(name, tzp.localize_utc(dt))

    def _note_tzid(self, prop):
        tzid = prop.params.get("TZID")
        if tzid:
            self.tzids.add(tzid)

    def base_event(self, activity, occurrence, *, start=None, uid=None):
        """The properties every event of an activity has, as {name: content line}."""
        start = _local(start or occurrence.starts_at)
        place = occurrence.room.name if occurrence.room_id else activity.location
        event = {
            "UID": self.line("UID", uid or _uid(activity)),
            "SUMMARY": self.line("SUMMARY", activity.title),
            "DTSTART": self.line("DTSTART", start),
            "DTEND": self.line("DTEND", start + (occurrence.ends_at - occurrence.starts_at)),
            "DTSTAMP": self.utc("DTSTAMP", activity.updated_at),
            "LAST-MODIFIED": self.utc("LAST-MODIFIED", activity.updated_at),
            "LOCATION": self.line("LOCATION", f"{activity.center.name} {place}".strip()),
            "CATEGORIES": self.category(activity),
        }
        if activity.description:
            event["DESCRIPTION"] = self.line("DESCRIPTION", activity.description)
        return event

    @staticmethod
    def to_ical(event):
        return b"".join(
            [
                b"BEGIN:VEVENT\r\n",
                *(event[name] for name in EVENT_PROPERTIES if name in event),
                b"END:VEVENT\r\n",
            ]
        )


def _events(writer, activity, base_url):
    occurrences = list(activity.occurrences.all())
    if not occurrences:
        return []
    url = writer.line("URL", base_url + activity.get_absolute_url())
    cancelled_status = writer.line("STATUS", "CANCELLED")
    if not activity.recurrence:
        occurrence = occurrences[0]
        event = writer.base_event(activity, occurrence)
        event["URL"] = url
        if occurrence.is_cancelled:
            event["STATUS"] = cancelled_status
        return [event]
    # Sessions from before the rule was changed (another time or weekday) are not instances
    # of the current rule: they go out as events of their own, so clients show them as held.
    # The occurrences come from the feed's window (selectors.feed_activities): so do the slots.
    rule_starts = writer.rule_starts(activity, occurrences[0].original_start)
    in_rule = [o for o in occurrences if o.original_start in rule_starts]
    events = []
    for occurrence in occurrences:
        if occurrence.original_start not in rule_starts:
            uid = f"{activity.uid}-{occurrence.original_start:%Y%m%dT%H%M%SZ}@dangqun"
            event = writer.base_event(activity, occurrence, uid=uid)
            event["URL"] = url
            if occurrence.is_cancelled:
                event["STATUS"] = cancelled_status
            events.append(event)
    if not in_rule:
        return events
    first = in_rule[0]
    master = writer.base_event(activity, first, start=first.original_start)
    master["RRULE"] = writer.rule(activity.recurrence.removeprefix("RRULE:"))
    master["URL"] = url
    cancelled = [_local(o.original_start) for o in in_rule if o.is_cancelled]
    if cancelled:
        master["EXDATE"] = writer.dates("EXDATE", cancelled)
    events.append(master)
    for occurrence in in_rule:
        if occurrence.is_moved and not occurrence.is_cancelled:
            override = writer.base_event(activity, occurrence)
            override["RECURRENCE-ID"] = writer.line(
                "RECURRENCE-ID", _local(occurrence.original_start)
            )
            override["URL"] = url
            events.append(override)
    return events


def ical_feed(activities, *, name=None, url=""):
    """The calendar for `activities` (occurrences prefetched) as bytes.

    The calendar's own properties and time zones are an icalendar `Calendar`; its events are
    written by `_EventWriter`, line for line what `Calendar.to_ical` writes for them.
    """
    cal = Calendar()
    cal.add("prodid", "-//dangqun//activities//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or settings.SITE_NAME)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    base_url = url.split("/activities/")[0] if "/activities/" in url else ""
    writer = _EventWriter()
    events = [
        writer.to_ical(event)
        for activity in activities
        for event in _events(writer, activity, base_url)
    ]
    # As Calendar.add_missing_timezones: a VTIMEZONE for every zone the events name.
    for tzid in sorted(writer.tzids - {"UTC"}):
        try:
            cal.add_component(Timezone.from_tzid(tzid))
        except ValueError:
            continue
    head = cal.to_ical()
    end = b"END:VCALENDAR\r\n"
    return b"".join([head.removesuffix(end), *events, end])
