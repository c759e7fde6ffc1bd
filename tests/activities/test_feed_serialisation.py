"""The feed's own event writer says what icalendar's components said, byte for byte.

`activities.feeds.ical_feed` writes its events line by line (a district's feed is thousands of
them); `reference_feed` below is the feed as it was written before, with icalendar's `Event`,
`Calendar.add_missing_timezones` and `Calendar.to_ical`. Both are given the same activities.
"""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from activities import feeds, recurrence, selectors, services
from activities.forms import build_rule
from tests.factories import ActivityFactory, RoomFactory

pytestmark = pytest.mark.django_db

URL = "http://testserver/activities/feed.ics?center=district"


def _local(dt):
    return timezone.localtime(dt)


def _reference_event(activity, occurrence, *, start=None, uid=None):
    start = start or occurrence.starts_at
    event = Event()
    event.add("uid", uid or f"{activity.uid}@dangqun")
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


def _reference_events(activity, base_url):
    occurrences = list(activity.occurrences.all())
    if not occurrences:
        return []
    url = base_url + activity.get_absolute_url()
    if not activity.recurrence:
        occurrence = occurrences[0]
        event = _reference_event(activity, occurrence)
        event.add("url", url)
        if occurrence.is_cancelled:
            event.add("status", "CANCELLED")
        return [event]
    rule_starts = set(recurrence.slots(activity, since=occurrences[0].original_start))
    in_rule = [o for o in occurrences if o.original_start in rule_starts]
    events = []
    for occurrence in occurrences:
        if occurrence.original_start not in rule_starts:
            uid = f"{activity.uid}-{occurrence.original_start:%Y%m%dT%H%M%SZ}@dangqun"
            event = _reference_event(activity, occurrence, uid=uid)
            event.add("url", url)
            if occurrence.is_cancelled:
                event.add("status", "CANCELLED")
            events.append(event)
    if not in_rule:
        return events
    first = in_rule[0]
    master = _reference_event(activity, first, start=first.original_start)
    master.add("rrule", vRecur.from_ical(activity.recurrence.removeprefix("RRULE:")))
    master.add("url", url)
    cancelled = [_local(o.original_start) for o in in_rule if o.is_cancelled]
    if cancelled:
        master.add("exdate", cancelled)
    events.append(master)
    for occurrence in in_rule:
        if occurrence.is_moved and not occurrence.is_cancelled:
            override = _reference_event(activity, occurrence)
            override.add("recurrence-id", _local(occurrence.original_start))
            override.add("url", url)
            events.append(override)
    return events


def reference_feed(activities, *, name=None, url=""):
    """The feed as icalendar's components write it (the implementation before the writer)."""
    cal = Calendar()
    cal.add("prodid", "-//dangqun//activities//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or settings.SITE_NAME)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    base_url = url.split("/activities/")[0] if "/activities/" in url else ""
    for activity in activities:
        for event in _reference_events(activity, base_url):
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def next_weekday(weekday):
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def activities(tree, community_worker, district_admin):
    """A district's worth of cases: rules with cancelled and moved sessions, a rule changed
    while running, the same programme at two centers, one-offs (cancelled, moved), a
    multi-day event, and text that needs escaping and folding (or only just not)."""
    tuesday = next_weekday(1)
    room = RoomFactory(center=tree.community, name="书画室; 二楼, 东侧")
    weekly = ActivityFactory(
        center=tree.community,
        title="太极拳, 初级; 班",
        description="第一行\n第二行：带反斜杠\\和逗号,分号;" + "长" * 40 + "\\",
        room=room,
        starts_at=local(tuesday, 9),
        recurrence=build_rule(freq="WEEKLY", weekdays=["TU"], until=tuesday + timedelta(weeks=7)),
    )
    sessions = list(weekly.occurrences.order_by("starts_at"))
    services.occurrence_cancel(actor=community_worker, occurrence=sessions[1], reason="停电")
    services.occurrence_move(
        actor=community_worker,
        occurrence=sessions[3],
        starts_at=sessions[3].starts_at + timedelta(days=1, hours=5),
        room=None,
    )
    services.occurrence_cancel(actor=community_worker, occurrence=sessions[5], reason="下雨")

    started = timezone.localtime(timezone.now() - timedelta(days=20)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    changed = ActivityFactory(
        center=tree.community,
        title="书法课",
        starts_at=started,
        recurrence=build_rule(
            freq="WEEKLY", weekdays=[], until=started.date() + timedelta(weeks=8)
        ),
    )
    services.activity_update(
        actor=community_worker, activity=changed, data={"starts_at": started.replace(hour=15)}
    )

    for center in (tree.sibling, tree.other_community):
        ActivityFactory(
            center=center,
            title="主题党日",
            category="party",
            description="欢迎辖区居民参加。",
            starts_at=local(tuesday, 14, 30),
            recurrence="FREQ=MONTHLY;COUNT=4;BYDAY=1TU",
        )
    monthly = ActivityFactory(
        center=tree.street,
        title="主题党日",
        category="party",
        starts_at=local(tuesday, 14, 30),
        recurrence="FREQ=MONTHLY;COUNT=4;BYDAY=1TU",
    )
    services.occurrence_cancel(
        actor=district_admin, occurrence=monthly.occurrences.order_by("starts_at")[0], reason="x"
    )

    ActivityFactory(center=tree.community, title="一次性讲座", description="")
    # "SUMMARY:" and the title: 74 octets stay on one line, 75 are folded.
    for length in (66, 67):
        ActivityFactory(center=tree.community, title="x" * length)
    cancelled = ActivityFactory(center=tree.community, title="义诊").occurrences.get()
    services.occurrence_cancel(actor=community_worker, occurrence=cancelled, reason="下雨")
    moved = ActivityFactory(center=tree.community, title="讲座").occurrences.get()
    services.occurrence_move(
        actor=community_worker,
        occurrence=moved,
        starts_at=(moved.starts_at + timedelta(days=2)).replace(second=0, microsecond=0),
        room=None,
    )
    ActivityFactory(
        center=tree.district,
        title="全区运动会（三天）",
        starts_at=local(tuesday + timedelta(days=10), 8),
        duration_minutes=3 * 24 * 60 + 90,
    )
    return list(selectors.feed_activities(center=tree.district))


def properties(calendar):
    """Every component of a parsed calendar with its properties as written."""
    return [
        (
            component.name,
            sorted(
                (name, value.to_ical(), sorted(getattr(value, "params", {}).items()))
                for name, values in component.property_items(recursive=False)
                if name not in ("BEGIN", "END")
                for value in (values if isinstance(values, list) else [values])
            ),
        )
        for component in calendar.walk()
    ]


@pytest.mark.parametrize("zone", [settings.TIME_ZONE, "Europe/Berlin"])
def test_the_feed_writes_what_icalendars_components_wrote(activities, zone):
    with timezone.override(zone):
        written = feeds.ical_feed(activities, name="测试区党群服务中心", url=URL)
        before = reference_feed(activities, name="测试区党群服务中心", url=URL)
    ours, theirs = Calendar.from_ical(written), Calendar.from_ical(before)
    assert len(ours.walk("VEVENT")) == len(theirs.walk("VEVENT")) == 15
    assert {str(e["UID"]) for e in ours.walk("VEVENT")} == {
        str(e["UID"]) for e in theirs.walk("VEVENT")
    }
    assert [tz.tz_name for tz in ours.timezones] == [zone]
    assert properties(ours) == properties(theirs)
    # Same properties in the same order, escaped and folded the same way.
    assert written == before
