"""The public iCalendar feed (RFC 5545) that residents subscribe to."""

import gzip
from datetime import datetime, time, timedelta

import pytest
from dateutil.rrule import rrulestr
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities import selectors, services
from activities.forms import build_rule
from activities.models import Activity
from tests.factories import ActivityFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db

FEED = reverse("activities:feed")


def next_tuesday():
    today = timezone.localdate()
    return today + timedelta(days=(1 - today.weekday() - 1) % 7 + 1)


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def weekly_on_tuesdays(center, *, weeks=6, **kwargs):
    first = next_tuesday()
    until = first + timedelta(weeks=weeks, days=-1)
    return ActivityFactory(
        center=center,
        starts_at=local(first, 9),
        recurrence=build_rule(freq="WEEKLY", weekdays=["TU"], until=until),
        **kwargs,
    )


def rule_parts(text):
    return dict(part.split("=", 1) for part in text.split(";"))


def feed(client, **params):
    response = client.get(FEED, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content), response.content.decode()


def events(calendar, title=None):
    return [e for e in calendar.walk("VEVENT") if title is None or str(e["SUMMARY"]) == title]


def test_recurring_activity_is_one_event_with_a_rule_that_round_trips(client, tree):
    activity = weekly_on_tuesdays(tree.community, title="太极拳", weeks=6)
    calendar, _text = feed(client, center="chuangye")
    [event] = events(calendar)
    assert str(event["SUMMARY"]) == "太极拳"
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["TU"]
    [until] = rule["UNTIL"]
    assert until.utcoffset() == timedelta(0)
    # The feed's rule is the stored one, UNTIL included.
    assert rule_parts(rule.to_ical().decode()) == rule_parts(activity.recurrence)
    first = activity.occurrences.order_by("starts_at").first()
    assert event.decoded("DTSTART") == first.starts_at
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=90)
    # Expanding the rule gives exactly the occurrences in the database.
    expanded = list(rrulestr(rule.to_ical().decode(), dtstart=event.decoded("DTSTART")))
    assert expanded == [o.starts_at for o in activity.occurrences.order_by("starts_at")]


def test_times_carry_the_shanghai_zone_and_the_feed_defines_it(client, tree):
    weekly_on_tuesdays(tree.community)
    ActivityFactory(center=tree.community, title="一次性讲座")
    calendar, text = feed(client)
    for event in events(calendar):
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert event["DTEND"].params["TZID"] == "Asia/Shanghai"
    assert "DTSTART;TZID=Asia/Shanghai:" in text
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Shanghai"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"


def test_cancelled_occurrence_appears_as_an_exdate(client, tree, community_worker):
    activity = weekly_on_tuesdays(tree.community, title="合唱排练")
    second = activity.occurrences.order_by("starts_at")[1]
    services.occurrence_cancel(actor=community_worker, occurrence=second, reason="场地维修")
    calendar, _text = feed(client, center="chuangye")
    [event] = events(calendar)
    exdates = event["EXDATE"] if isinstance(event["EXDATE"], list) else [event["EXDATE"]]
    excluded = [d.dt for group in exdates for d in group.dts]
    assert excluded == [second.original_start]
    assert excluded[0].tzinfo is not None and str(excluded[0].tzinfo) == "Asia/Shanghai"


def test_cancelled_one_off_activity_is_marked_cancelled(client, tree, community_worker):
    occurrence = ActivityFactory(center=tree.community, title="义诊").occurrences.get()
    services.occurrence_cancel(actor=community_worker, occurrence=occurrence, reason="下雨")
    calendar, _text = feed(client)
    [event] = events(calendar, "义诊")
    assert str(event["STATUS"]) == "CANCELLED"


def test_moved_occurrence_is_an_override_with_the_same_uid(client, tree, community_worker):
    room = RoomFactory(center=tree.community, name="书画室")
    activity = weekly_on_tuesdays(tree.community, title="书法课", room=room)
    third = activity.occurrences.order_by("starts_at")[2]
    new_start = third.starts_at + timedelta(days=1, hours=5)
    services.occurrence_move(
        actor=community_worker, occurrence=third, starts_at=new_start, room=room
    )
    calendar, _text = feed(client, center="chuangye")
    master, override = events(calendar)
    assert "RRULE" in master and "RRULE" not in override
    assert str(override["UID"]) == str(master["UID"])
    assert override.decoded("RECURRENCE-ID") == third.original_start
    assert override["RECURRENCE-ID"].params["TZID"] == "Asia/Shanghai"
    assert override.decoded("DTSTART") == new_start
    assert override.decoded("DTEND") - override.decoded("DTSTART") == timedelta(minutes=90)
    assert "EXDATE" not in master


def test_moved_one_off_activity_shows_its_new_time(client, tree, community_worker):
    occurrence = ActivityFactory(center=tree.community, title="讲座").occurrences.get()
    new_start = (occurrence.starts_at + timedelta(days=2)).replace(second=0, microsecond=0)
    services.occurrence_move(
        actor=community_worker, occurrence=occurrence, starts_at=new_start, room=None
    )
    calendar, _text = feed(client)
    [event] = events(calendar, "讲座")
    assert event.decoded("DTSTART") == new_start
    assert "RECURRENCE-ID" not in event


def expand(calendar):
    """Every (uid, start) a calendar client shows: rules expanded, EXDATEs and overrides applied."""
    shown = {}
    for event in events(calendar):
        uid = str(event["UID"])
        if "RRULE" in event:
            starts = set(
                rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("DTSTART"))
            )
            exdates = event.get("EXDATE", [])
            for group in exdates if isinstance(exdates, list) else [exdates]:
                starts -= {d.dt for d in group.dts}
            for start in starts:
                shown.setdefault((uid, start), start)
        elif "RECURRENCE-ID" in event:
            shown[(uid, event.decoded("RECURRENCE-ID"))] = event.decoded("DTSTART")
        elif str(event.get("STATUS", "")) != "CANCELLED":
            shown[(uid, event.decoded("DTSTART"))] = event.decoded("DTSTART")
    return sorted(shown.values())


def scheduled_starts(activity):
    return sorted(
        o.starts_at
        for o in activity.occurrences.scheduled().filter(
            ends_at__gte=timezone.now() - timedelta(days=selectors.FEED_DAYS_BACK)
        )
    )


def test_feed_shows_every_scheduled_occurrence_at_its_real_time(client, tree, community_worker):
    activity = weekly_on_tuesdays(tree.community, weeks=8)
    occurrences = list(activity.occurrences.order_by("starts_at"))
    services.occurrence_cancel(actor=community_worker, occurrence=occurrences[1], reason="停电")
    services.occurrence_move(
        actor=community_worker,
        occurrence=occurrences[3],
        starts_at=occurrences[3].starts_at + timedelta(hours=6),
        room=None,
    )
    calendar, _text = feed(client)
    assert expand(calendar) == scheduled_starts(activity)


def test_feed_follows_a_running_activity_whose_time_was_changed(client, tree, community_worker):
    start = timezone.localtime(timezone.now() - timedelta(days=20)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    activity = ActivityFactory(
        center=tree.community,
        starts_at=start,
        recurrence=build_rule(freq="WEEKLY", weekdays=[], until=start.date() + timedelta(weeks=8)),
    )
    services.activity_update(
        actor=community_worker, activity=activity, data={"starts_at": start.replace(hour=15)}
    )
    activity.refresh_from_db()
    assert {timezone.localtime(o.starts_at).hour for o in activity.occurrences.all()} == {9, 15}
    calendar, _text = feed(client)
    # The three past sessions at 9:00 stay where they were; the rule now says 15:00.
    assert expand(calendar) == scheduled_starts(activity)


def test_rule_starting_off_its_weekdays_adds_no_extra_event(client, tree, community_worker):
    monday = next_tuesday() - timedelta(days=1)
    activity = ActivityFactory(
        center=tree.community,
        starts_at=local(monday, 9),
        recurrence=build_rule(freq="WEEKLY", weekdays=["TU"], until=monday + timedelta(weeks=3)),
    )
    calendar, _text = feed(client)
    assert expand(calendar) == scheduled_starts(activity)


def test_uids_are_stable_across_requests(client, tree, community_worker):
    weekly_on_tuesdays(tree.community)
    ActivityFactory(center=tree.community)
    first, _ = feed(client)
    # A change to an activity must not change its identity for calendar clients.
    activity = Activity.objects.first()
    services.activity_update(actor=community_worker, activity=activity, data={"title": "新名称"})
    second, _ = feed(client)
    uids = sorted(str(e["UID"]) for e in events(first))
    assert uids == sorted(str(e["UID"]) for e in events(second))
    assert len(set(uids)) == 2
    assert all(uid.endswith("@dangqun") for uid in uids)


def test_street_feed_includes_its_communities_and_not_another_street(client, tree):
    ActivityFactory(center=tree.street, title="街道党课")
    ActivityFactory(center=tree.community, title="创业社区书法班")
    ActivityFactory(center=tree.sibling, title="展览馆社区合唱")
    ActivityFactory(center=tree.other_community, title="健康社区义诊")
    ActivityFactory(center=tree.district, title="全区运动会")
    calendar, _text = feed(client, center="zhongzhuanlu")
    assert {str(e["SUMMARY"]) for e in events(calendar)} == {
        "街道党课",
        "创业社区书法班",
        "展览馆社区合唱",
    }
    assert "中专路街道" in str(calendar["X-WR-CALNAME"])
    district, _ = feed(client, center="district")
    assert len(events(district)) == 5


def test_feed_filters_by_category(client, tree):
    ActivityFactory(center=tree.community, title="党课", category=Activity.Category.PARTY)
    ActivityFactory(center=tree.community, title="广场舞", category=Activity.Category.CULTURE)
    calendar, _text = feed(client, center="chuangye", category="party")
    assert [str(e["SUMMARY"]) for e in events(calendar)] == ["党课"]


@pytest.mark.parametrize(
    "params",
    [{"center": "no-such-center"}, {"category": "nonsense"}, {"center": "不是slug"}],
)
def test_unknown_center_or_category_answers_404(client, tree, params):
    assert client.get(FEED, params).status_code == 404


def test_unpublished_activities_and_centers_stay_out_of_the_feed(client, tree):
    ActivityFactory(center=tree.community, title="公开活动")
    ActivityFactory(center=tree.community, title="内部筹备会", is_published=False)
    ActivityFactory(center=tree.sibling, title="未公开中心的活动")
    type(tree.sibling).objects.filter(pk=tree.sibling.pk).update(is_published=False)
    calendar, _text = feed(client)
    assert [str(e["SUMMARY"]) for e in events(calendar)] == ["公开活动"]


def test_feed_carries_no_personal_data(client, tree):
    occurrence = ActivityFactory(center=tree.community).occurrences.get()
    resident = UserFactory(name="李秀英", phone="13812345678")
    services.registration_create(user=resident, occurrence=occurrence)
    _calendar, text = feed(client)
    for private in ("李秀英", "13812345678", "138****5678"):
        assert private not in text


def test_feed_links_each_event_to_its_public_page(client, tree):
    activity = ActivityFactory(center=tree.community, location="社区广场")
    calendar, _text = feed(client)
    [event] = events(calendar)
    assert str(event["URL"]) == "http://testserver" + activity.get_absolute_url()
    assert str(event["LOCATION"]) == "创业社区党群服务中心 社区广场"


def test_feed_runs_fixed_queries(client, tree, django_assert_num_queries):
    weekly_on_tuesdays(tree.community)
    # 1 activities with their centers and rooms, 2 their occurrences.
    with django_assert_num_queries(2):
        client.get(FEED)
    for center in (tree.community, tree.sibling, tree.other_community):
        for _ in range(5):
            weekly_on_tuesdays(center)
    cache.clear()  # the rendered feed is kept until a commit changes it: measure a render
    with django_assert_num_queries(2):
        calendar, _text = feed(client)
    assert len(events(calendar)) == 16


def test_feed_is_compressed_for_clients_that_accept_gzip(client, tree):
    for week in range(40):
        weekly_on_tuesdays(tree.community, title=f"第{week}周的太极拳活动", weeks=8)
    plain = client.get(FEED).content
    response = client.get(FEED, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    body = gzip.decompress(response.content)
    assert body == plain
    assert len(response.content) * 4 < len(plain)


def test_a_long_running_activity_starts_in_the_feed_at_its_first_session_in_the_window(
    client, tree
):
    first = next_tuesday() - timedelta(weeks=30)
    activity = ActivityFactory(
        center=tree.community,
        title="长期太极拳",
        starts_at=local(first, 9),
        recurrence=build_rule(freq="WEEKLY", weekdays=["TU"], until=first + timedelta(weeks=40)),
    )
    calendar, _text = feed(client, center="chuangye")
    [event] = events(calendar, "长期太极拳")
    since = timezone.now() - timedelta(days=selectors.FEED_DAYS_BACK)
    in_window = activity.occurrences.filter(ends_at__gte=since).order_by("starts_at")
    assert event.decoded("DTSTART") == in_window.first().starts_at
    expanded = list(rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("DTSTART")))
    assert expanded == [o.starts_at for o in in_window]


def test_a_sign_up_does_not_render_the_feed_again(
    client, tree, django_assert_num_queries, django_capture_on_commit_callbacks
):
    activity = weekly_on_tuesdays(tree.community, title="太极拳", capacity=10)
    first = client.get(FEED).content
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(
            user=UserFactory(), occurrence=activity.occurrences.order_by("starts_at").first()
        )
    # No query: the rendered feed of this generation comes from the cache.
    with django_assert_num_queries(0):
        assert client.get(FEED).content == first


def test_a_changed_activity_is_in_the_feed_on_the_next_request(
    client, tree, django_capture_on_commit_callbacks
):
    activity = weekly_on_tuesdays(tree.community, title="太极拳")
    assert "太极拳" in feed(client)[1]
    with django_capture_on_commit_callbacks(execute=True):
        activity.title = "八段锦"
        activity.save()
    text = feed(client)[1]
    assert "八段锦" in text and "太极拳" not in text


def test_while_a_feed_is_rendered_elsewhere_the_previous_one_is_served(
    client, tree, django_assert_num_queries, django_capture_on_commit_callbacks
):
    activity = weekly_on_tuesdays(tree.community, title="太极拳")
    before = client.get(FEED).content
    with django_capture_on_commit_callbacks(execute=True):
        activity.title = "八段锦"
        activity.save()
    # Another worker holds the render lock of this feed: no render here, the previous feed.
    cache.set("activities-feed:rendering:http://testserver::", 1)
    with django_assert_num_queries(0):
        assert client.get(FEED).content == before
    cache.delete("activities-feed:rendering:http://testserver::")
    assert "八段锦" in feed(client)[1]
