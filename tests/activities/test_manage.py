"""The staff console for activities: forms, scoping, cancel/move, attendance, records, exports."""

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from activities import services
from activities.forms import build_rule
from activities.models import Activity, Occurrence, Registration
from activities.recurrence import HORIZON
from centers.messaging import sms_outbox
from centers.models import AuditEntry, Notification
from tests.factories import ActivityFactory, RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "centers.messaging.LocmemSmsBackend"
    sms_outbox.clear()


def next_weekday(weekday, *, after=None):
    """The next date with `weekday` (0 = Monday) strictly after `after` (default today)."""
    after = after or timezone.localdate()
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def form_data(**overrides):
    data = {
        "title": "太极拳晨练",
        "category": "culture",
        "audience": "elderly",
        "description": "老年人太极拳，社区志愿者带练。",
        "start_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "start_time": "09:00",
        "duration_minutes": "90",
        "repeat": "",
        "repeat_until": "",
        "room": "",
        "location": "社区广场",
        "organizer": "",
        "capacity": "20",
        "registration_required": "on",
        "registration_closes_hours": "2",
        "volunteer_hours": "0",
        "is_published": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def add_url(center):
    return reverse("activities_manage:add", args=[center.slug])


def occurrence_of(**kwargs):
    return ActivityFactory(**kwargs).occurrences.get()


def shift(occurrence, *, starts_in, minutes=90):
    """Move an occurrence in the database only, to start `starts_in` from now."""
    starts_at = timezone.now() + starts_in
    Occurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=starts_at,
        original_start=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
    )
    occurrence.refresh_from_db()
    return occurrence


def signed_up(occurrence, n=1, **user_kwargs):
    return [
        services.registration_create(user=UserFactory(**user_kwargs), occurrence=occurrence)
        for _ in range(n)
    ]


# -- Creating and editing ----------------------------------------------------------------------


def test_worker_creates_a_one_off_activity_through_the_form(client, tree, community_worker):
    client.force_login(community_worker)
    day = timezone.localdate() + timedelta(days=5)
    response = client.post(add_url(tree.community), form_data(start_date=day.isoformat()))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities_manage:detail", args=[activity.pk])
    assert activity.center == tree.community and activity.created_by == community_worker
    assert activity.recurrence == ""
    occurrence = activity.occurrences.get()
    assert occurrence.starts_at == local(day, 9)
    assert occurrence.ends_at == local(day, 10, 30)
    assert occurrence.capacity == 20
    assert AuditEntry.objects.filter(action="create", object_type="activity").count() == 1


def test_weekly_activity_occurs_only_on_tuesdays_at_nine_shanghai_time(
    client, tree, community_worker
):
    client.force_login(community_worker)
    first = next_weekday(1)
    until = first + timedelta(weeks=8, days=-1)
    response = client.post(
        add_url(tree.community),
        form_data(
            start_date=first.isoformat(),
            start_time="09:00",
            repeat="WEEKLY",
            weekdays=["TU"],
            repeat_until=until.isoformat(),
        ),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert "FREQ=WEEKLY" in activity.recurrence and "BYDAY=TU" in activity.recurrence
    starts = [timezone.localtime(o.starts_at) for o in activity.occurrences.order_by("starts_at")]
    assert len(starts) == 8
    assert all(s.weekday() == 1 and (s.hour, s.minute) == (9, 0) for s in starts)
    assert str(starts[0].tzinfo) == "Asia/Shanghai"
    assert starts[0].date() == first and starts[-1].date() <= until
    # 9:00 in Shanghai is 01:00 UTC.
    assert all(o.starts_at.astimezone(timezone.UTC).hour == 1 for o in activity.occurrences.all())
    assert all(o.ends_at - o.starts_at == timedelta(minutes=90) for o in activity.occurrences.all())


def test_repeat_until_is_the_end_of_that_day_in_shanghai():
    # 30 June 2027 23:59:59 in Shanghai is 15:59:59 UTC.
    rule = build_rule(freq="WEEKLY", weekdays=["TU"], until=date(2027, 6, 30))
    assert rule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270630T155959Z"
    assert build_rule(freq="", weekdays=["TU"], until=None) == ""


def test_a_session_on_the_repeat_until_day_is_included(client, tree, community_worker):
    client.force_login(community_worker)
    first = next_weekday(1)
    until = first + timedelta(weeks=3)
    client.post(
        add_url(tree.community),
        form_data(
            start_date=first.isoformat(),
            start_time="19:30",
            repeat="WEEKLY",
            weekdays=["TU"],
            repeat_until=until.isoformat(),
        ),
    )
    last = Occurrence.objects.order_by("starts_at").last()
    assert Occurrence.objects.count() == 4
    assert last.starts_at == local(until, 19, 30)


def test_weekly_activity_on_two_weekdays(client, tree, community_worker):
    client.force_login(community_worker)
    first = next_weekday(0)
    client.post(
        add_url(tree.community),
        form_data(
            start_date=first.isoformat(),
            repeat="WEEKLY",
            weekdays=["MO", "TH"],
            repeat_until=(first + timedelta(weeks=3, days=-1)).isoformat(),
        ),
    )
    days = [timezone.localtime(o.starts_at).weekday() for o in Occurrence.objects.all()]
    assert days == [0, 3, 0, 3, 0, 3]


def test_long_rule_stops_at_the_one_year_horizon(client, tree, community_worker):
    client.force_login(community_worker)
    first = next_weekday(1)
    client.post(
        add_url(tree.community),
        form_data(
            start_date=first.isoformat(),
            repeat="WEEKLY",
            weekdays=["TU"],
            repeat_until=(first + timedelta(days=2 * 365)).isoformat(),
        ),
    )
    activity = Activity.objects.get()
    last = activity.occurrences.order_by("starts_at").last()
    assert last.starts_at <= timezone.now() + HORIZON
    assert last.starts_at > timezone.now() + HORIZON - timedelta(days=7)


def test_editing_a_weekly_activity_moves_its_future_occurrences(client, tree, community_worker):
    client.force_login(community_worker)
    first = next_weekday(1)
    until = first + timedelta(weeks=4, days=-1)
    weekly = {
        "start_date": first.isoformat(),
        "repeat": "WEEKLY",
        "weekdays": ["TU"],
        "repeat_until": until.isoformat(),
    }
    client.post(add_url(tree.community), form_data(**weekly))
    activity = Activity.objects.get()
    edit = reverse("activities_manage:edit", args=[activity.pk])
    page = client.get(edit)
    assert page.status_code == 200
    # The form shows the rule in words again.
    assert page.context["form"].initial["repeat"] == "WEEKLY"
    assert page.context["form"].initial["weekdays"] == ["TU"]
    assert page.context["form"].initial["repeat_until"] == until

    response = client.post(edit, form_data(start_time="14:30", capacity="30", **weekly))
    assert response.status_code == 302
    occurrences = list(activity.occurrences.order_by("starts_at"))
    assert len(occurrences) == 4
    assert [timezone.localtime(o.starts_at).time() for o in occurrences] == [time(14, 30)] * 4
    assert {o.capacity for o in occurrences} == {30}


def test_shortening_a_rule_cancels_signed_up_sessions_and_tells_their_residents(
    client, tree, community_worker, django_capture_on_commit_callbacks
):
    client.force_login(community_worker)
    first = next_weekday(1)
    client.post(
        add_url(tree.community),
        form_data(
            start_date=first.isoformat(),
            repeat="WEEKLY",
            weekdays=["TU"],
            repeat_until=(first + timedelta(weeks=4, days=-1)).isoformat(),
        ),
    )
    activity = Activity.objects.get()
    last = activity.occurrences.order_by("starts_at").last()
    (registration,) = signed_up(last)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("activities_manage:edit", args=[activity.pk]),
            form_data(
                start_date=first.isoformat(),
                repeat="WEEKLY",
                weekdays=["TU"],
                repeat_until=(first + timedelta(weeks=2, days=-1)).isoformat(),
            ),
        )
    last.refresh_from_db()
    assert last.status == Occurrence.Status.CANCELLED
    assert activity.occurrences.scheduled().count() == 2
    # The occurrence with nobody signed up is simply gone.
    assert activity.occurrences.count() == 3
    assert Notification.objects.get(user=registration.user).title.startswith("活动取消")
    assert [phone for phone, _text in sms_outbox] == [registration.user.phone]


def test_editing_a_running_weekly_activity_leaves_its_past_alone(tree, community_worker):
    start = (timezone.now() - timedelta(days=20)).replace(second=0, microsecond=0)
    activity = ActivityFactory(
        center=tree.community,
        starts_at=start,
        recurrence=build_rule(freq="WEEKLY", weekdays=[], until=start.date() + timedelta(weeks=6)),
    )
    now = timezone.now()
    past_before = set(activity.occurrences.filter(ends_at__lte=now).values_list("pk", "starts_at"))
    assert len(past_before) == 3
    later = start + timedelta(hours=5)
    services.activity_update(actor=community_worker, activity=activity, data={"starts_at": later})
    past_after = set(activity.occurrences.filter(ends_at__lte=now).values_list("pk", "starts_at"))
    assert past_after == past_before
    future = activity.occurrences.filter(starts_at__gt=now)
    assert {timezone.localtime(o.starts_at).time() for o in future} == {
        timezone.localtime(later).time()
    }


def test_raising_the_capacity_promotes_the_waiting_list_in_order(
    tree, community_worker, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(center=tree.community, title="插花课", capacity=1)
    occurrence = activity.occurrences.get()
    _confirmed, first, second, third = signed_up(occurrence, 4)
    assert first.status == Registration.Status.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_update(actor=community_worker, activity=activity, data={"capacity": 3})
    statuses = {
        r.pk: r.status for r in Registration.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    }
    assert statuses == {
        first.pk: Registration.Status.CONFIRMED,
        second.pk: Registration.Status.CONFIRMED,
        third.pk: Registration.Status.WAITLISTED,
    }
    occurrence.refresh_from_db()
    assert occurrence.capacity == 3 and occurrence.confirmed_count == 3
    assert set(Notification.objects.values_list("user", flat=True)) == {
        first.user_id,
        second.user_id,
    }
    assert sorted(phone for phone, _text in sms_outbox) == sorted(
        [first.user.phone, second.user.phone]
    )
    # A newcomer now waits behind the third, not ahead of them.
    (newcomer,) = signed_up(occurrence)
    assert newcomer.status == Registration.Status.WAITLISTED


def test_removing_the_limit_confirms_everybody_waiting(tree, community_worker):
    activity = ActivityFactory(center=tree.community, capacity=1)
    occurrence = activity.occurrences.get()
    signed_up(occurrence, 3)
    services.activity_update(actor=community_worker, activity=activity, data={"capacity": None})
    assert set(occurrence.registrations.values_list("status", flat=True)) == {"confirmed"}
    occurrence.refresh_from_db()
    assert occurrence.capacity is None and occurrence.confirmed_count == 3


def test_editing_keeps_a_moved_sessions_time_and_room(tree, community_worker):
    hall, studio = RoomFactory(center=tree.community), RoomFactory(center=tree.community)
    first = next_weekday(1)
    activity = ActivityFactory(
        center=tree.community,
        room=hall,
        starts_at=local(first, 9),
        recurrence=build_rule(freq="WEEKLY", weekdays=["TU"], until=first + timedelta(weeks=3)),
    )
    second = activity.occurrences.order_by("starts_at")[1]
    new_start = local(first + timedelta(weeks=1, days=1), 14)
    services.occurrence_move(
        actor=community_worker, occurrence=second, starts_at=new_start, room=studio
    )
    services.activity_update(
        actor=community_worker, activity=activity, data={"description": "新的介绍"}
    )
    second.refresh_from_db()
    assert (second.starts_at, second.room) == (new_start, studio)
    assert {o.room for o in activity.occurrences.exclude(pk=second.pk)} == {hall}


@pytest.mark.parametrize("freed_by", ["cancel", "move"])
def test_a_freed_slot_booked_by_another_activity_does_not_block_editing(
    tree, community_worker, freed_by
):
    room = RoomFactory(center=tree.community)
    first = next_weekday(1)
    activity = ActivityFactory(
        center=tree.community,
        room=room,
        starts_at=local(first, 9),
        recurrence=build_rule(freq="WEEKLY", weekdays=["TU"], until=first + timedelta(weeks=3)),
    )
    second = activity.occurrences.order_by("starts_at")[1]
    if freed_by == "cancel":
        services.occurrence_cancel(actor=community_worker, occurrence=second, reason="让出场地")
    else:
        services.occurrence_move(
            actor=community_worker,
            occurrence=second,
            starts_at=second.starts_at + timedelta(days=1),
            room=room,
        )
    ActivityFactory(center=tree.community, room=room, starts_at=second.original_start)
    services.activity_update(
        actor=community_worker, activity=activity, data={"title": "太极拳（进阶）"}
    )
    activity.refresh_from_db()
    assert activity.title == "太极拳（进阶）"


def test_capacity_of_zero_gets_a_form_error(client, tree, community_worker):
    client.force_login(community_worker)
    response = client.post(add_url(tree.community), form_data(capacity="0"))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Activity.objects.exists()


def test_activity_without_a_recorded_creator_stays_editable(client, tree, community_worker):
    # As the demo loader and the Django admin create them: created_by is empty.
    activity = ActivityFactory(center=tree.community, title="旧标题")
    assert activity.created_by is None
    client.force_login(community_worker)
    day = timezone.localtime(activity.starts_at).date().isoformat()
    response = client.post(
        reverse("activities_manage:edit", args=[activity.pk]),
        form_data(title="新标题", start_date=day),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "新标题"


def test_room_of_another_center_is_refused(client, tree, community_worker):
    client.force_login(community_worker)
    foreign = RoomFactory(center=tree.sibling)
    response = client.post(add_url(tree.community), form_data(room=str(foreign.pk)))
    assert response.status_code == 200
    assert response.context["form"].has_error("room")
    assert not Activity.objects.exists()


def test_service_refuses_a_room_of_another_center(tree, community_worker):
    from django.core.exceptions import ValidationError

    foreign = RoomFactory(center=tree.sibling)
    data = {
        "title": "读书会",
        "category": "study",
        "starts_at": timezone.now() + timedelta(days=2),
        "room": foreign,
    }
    with pytest.raises(ValidationError) as info:
        services.activity_create(actor=community_worker, center=tree.community, data=data)
    assert "room" in info.value.message_dict
    assert not Activity.objects.exists()


def test_recurring_activity_without_an_end_date_gets_a_form_error(client, tree, community_worker):
    client.force_login(community_worker)
    response = client.post(add_url(tree.community), form_data(repeat="WEEKLY", weekdays=["TU"]))
    assert response.status_code == 200
    assert response.context["form"].errors["repeat_until"] == ["重复活动请填写重复到哪一天。"]
    assert not Activity.objects.exists()


def test_activity_without_room_or_place_gets_a_form_error(client, tree, community_worker):
    client.force_login(community_worker)
    response = client.post(add_url(tree.community), form_data(location=""))
    assert response.context["form"].has_error("location")
    assert not Activity.objects.exists()


def test_double_booked_room_is_refused_with_a_clear_form_error(client, tree, community_worker):
    room = RoomFactory(center=tree.community, name="多功能厅")
    day = timezone.localdate() + timedelta(days=6)
    ActivityFactory(center=tree.community, title="合唱排练", room=room, starts_at=local(day, 9, 30))
    client.force_login(community_worker)
    response = client.post(
        add_url(tree.community),
        form_data(start_date=day.isoformat(), start_time="09:00", room=str(room.pk)),
    )
    assert response.status_code == 200
    [error] = response.context["form"].errors["room"]
    assert "多功能厅" in error and "合唱排练" in error
    assert Activity.objects.count() == 1
    # Back to back is fine: the rehearsal ends at 11:00.
    ok = client.post(
        add_url(tree.community),
        form_data(start_date=day.isoformat(), start_time="11:00", room=str(room.pk)),
    )
    assert ok.status_code == 302


def test_double_booking_on_a_repeat_day_is_refused(client, tree, community_worker):
    room = RoomFactory(center=tree.community)
    first = next_weekday(1)
    ActivityFactory(
        center=tree.community, room=room, starts_at=local(first + timedelta(weeks=2), 9)
    )
    client.force_login(community_worker)
    response = client.post(
        add_url(tree.community),
        form_data(
            start_date=first.isoformat(),
            room=str(room.pk),
            repeat="WEEKLY",
            weekdays=["TU"],
            repeat_until=(first + timedelta(weeks=5)).isoformat(),
        ),
    )
    assert response.context["form"].has_error("room")
    assert Activity.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only"
)
def test_database_refuses_two_scheduled_occurrences_in_one_room_at_once(tree):
    room = RoomFactory(center=tree.community)
    occurrence = occurrence_of(center=tree.community, room=room)
    other = ActivityFactory(
        center=tree.community, starts_at=occurrence.starts_at - timedelta(days=1)
    )
    overlap = {
        "activity": other,
        "original_start": occurrence.starts_at + timedelta(minutes=30),
        "starts_at": occurrence.starts_at + timedelta(minutes=30),
        "ends_at": occurrence.ends_at + timedelta(minutes=30),
        "room": room,
    }
    with pytest.raises(IntegrityError, match="occurrence_room_no_overlap"), transaction.atomic():
        Occurrence.objects.create(**overlap)
    # A cancelled occurrence frees the room.
    Occurrence.objects.filter(pk=occurrence.pk).update(status=Occurrence.Status.CANCELLED)
    Occurrence.objects.create(**overlap)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint exists on PostgreSQL only"
)
def test_a_booking_race_lost_at_the_constraint_is_a_form_error(tree, community_worker, monkeypatch):
    from django.core.exceptions import ValidationError

    room = RoomFactory(center=tree.community)
    taken = occurrence_of(center=tree.community, room=room)
    # As if another request booked the room between our check and our insert.
    monkeypatch.setattr(services, "_check_room", lambda *args, **kwargs: None)
    data = {
        "title": "读书会",
        "category": "study",
        "starts_at": taken.starts_at,
        "room": room,
    }
    with pytest.raises(ValidationError) as info:
        services.activity_create(actor=community_worker, center=tree.community, data=data)
    assert info.value.message_dict == {"room": ["该功能室在这段时间已被占用。"]}
    assert Activity.objects.count() == 1


# -- Scoping -------------------------------------------------------------------------------------


def staff_urls(occurrence, token="x"):
    activity = occurrence.activity
    return {
        "detail": ("get", reverse("activities_manage:detail", args=[activity.pk])),
        "edit": ("get", reverse("activities_manage:edit", args=[activity.pk])),
        "edit-post": ("post", reverse("activities_manage:edit", args=[activity.pk])),
        "occurrence": ("get", reverse("activities_manage:occurrence", args=[occurrence.pk])),
        "attendance": ("post", reverse("activities_manage:attendance", args=[occurrence.pk])),
        "cancel": ("get", reverse("activities_manage:cancel", args=[occurrence.pk])),
        "cancel-post": ("post", reverse("activities_manage:cancel", args=[occurrence.pk])),
        "move": ("get", reverse("activities_manage:move", args=[occurrence.pk])),
        "move-post": ("post", reverse("activities_manage:move", args=[occurrence.pk])),
        "record": ("get", reverse("activities_manage:record", args=[occurrence.pk])),
        "record-post": ("post", reverse("activities_manage:record", args=[occurrence.pk])),
        "export-csv": ("get", reverse("activities_manage:export", args=[occurrence.pk, "csv"])),
        "export-xlsx": ("get", reverse("activities_manage:export", args=[occurrence.pk, "xlsx"])),
    }


@pytest.mark.parametrize("persona", ["outsider", "resident"])
def test_people_outside_the_scope_get_404_on_every_staff_page(client, tree, persona, request):
    occurrence = occurrence_of(center=tree.community)
    (registration,) = signed_up(occurrence)
    client.force_login(request.getfixturevalue(persona))
    urls = staff_urls(occurrence)
    urls["add"] = ("get", add_url(tree.community))
    urls["checkin"] = (
        "post",
        reverse("activities_manage:checkin", args=[services.checkin_token(registration)]),
    )
    answers = {
        name: getattr(client, method)(url).status_code for name, (method, url) in urls.items()
    }
    assert answers == dict.fromkeys(urls, 404)
    occurrence.refresh_from_db()
    assert occurrence.status == Occurrence.Status.SCHEDULED
    registration.refresh_from_db()
    assert not registration.attended
    assert not AuditEntry.objects.filter(action="export").exists()


def test_viewer_sees_the_activity_but_may_not_change_it(client, tree, community_viewer):
    occurrence = shift(occurrence_of(center=tree.community), starts_in=timedelta(minutes=-30))
    client.force_login(community_viewer)
    urls = staff_urls(occurrence)
    answers = {
        name: getattr(client, method)(url).status_code for name, (method, url) in urls.items()
    }
    assert answers == {
        "detail": 200,
        "edit": 403,
        "edit-post": 403,
        "occurrence": 200,
        "attendance": 403,
        "cancel": 403,
        "cancel-post": 403,
        "move": 403,
        "move-post": 403,
        "record": 403,
        "record-post": 403,
        "export-csv": 200,
        "export-xlsx": 200,
    }
    assert client.get(add_url(tree.community)).status_code == 403
    occurrence.refresh_from_db()
    assert occurrence.status == Occurrence.Status.SCHEDULED


def test_viewer_sees_no_edit_buttons(client, tree, community_viewer):
    occurrence = occurrence_of(center=tree.community)
    client.force_login(community_viewer)
    detail = client.get(reverse("activities_manage:detail", args=[occurrence.activity_id]))
    assert reverse("activities_manage:edit", args=[occurrence.activity_id]) not in (
        detail.content.decode()
    )
    page = client.get(reverse("activities_manage:occurrence", args=[occurrence.pk]))
    html = page.content.decode()
    assert reverse("activities_manage:cancel", args=[occurrence.pk]) not in html
    assert "保存签到" not in html


@pytest.mark.parametrize("persona", ["street_staff", "district_admin"])
def test_staff_above_the_community_may_change_its_activities(client, tree, persona, request):
    occurrence = occurrence_of(center=tree.community)
    client.force_login(request.getfixturevalue(persona))
    assert (
        client.get(reverse("activities_manage:edit", args=[occurrence.activity_id])).status_code
        == 200
    )
    assert client.get(reverse("activities_manage:cancel", args=[occurrence.pk])).status_code == 200


def test_anonymous_visitors_are_sent_to_login(client, tree):
    occurrence = occurrence_of(center=tree.community)
    urls = staff_urls(occurrence)
    urls["list"] = ("get", reverse("activities_manage:list"))
    urls["add"] = ("get", add_url(tree.community))
    login = reverse("login")
    for name, (method, url) in urls.items():
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(login), name


def test_resident_may_not_open_the_activity_console(client, tree, resident):
    client.force_login(resident)
    assert client.get(reverse("activities_manage:list")).status_code == 403


def test_activity_list_shows_only_activities_in_scope(client, tree, street_staff):
    ActivityFactory(center=tree.community, title="创业社区书法班")
    ActivityFactory(center=tree.sibling, title="展览馆社区合唱团")
    ActivityFactory(center=tree.other_community, title="健康社区义诊")
    client.force_login(street_staff)
    response = client.get(reverse("activities_manage:list"))
    titles = {a.title for a in response.context["page_obj"]}
    assert titles == {"创业社区书法班", "展览馆社区合唱团"}
    found = client.get(reverse("activities_manage:list"), {"q": "书法"})
    assert [a.title for a in found.context["page_obj"]] == ["创业社区书法班"]


def test_activity_list_counts_upcoming_sessions_without_cancelled_ones(
    client, tree, community_worker
):
    first = next_weekday(3)
    activity = ActivityFactory(
        center=tree.community,
        starts_at=local(first, 19),
        recurrence=build_rule(freq="WEEKLY", weekdays=[], until=first + timedelta(weeks=2)),
    )
    cancelled = activity.occurrences.order_by("starts_at").first()
    services.occurrence_cancel(actor=community_worker, occurrence=cancelled, reason="停电")
    client.force_login(community_worker)
    [row] = client.get(reverse("activities_manage:list")).context["page_obj"]
    assert row.upcoming == 2


def test_attendance_refuses_get(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community)
    client.force_login(community_worker)
    assert (
        client.get(reverse("activities_manage:attendance", args=[occurrence.pk])).status_code == 405
    )


def test_staff_pages_refuse_other_methods(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community)
    client.force_login(community_worker)
    assert client.post(reverse("activities_manage:list")).status_code == 405
    assert (
        client.post(reverse("activities_manage:detail", args=[occurrence.activity_id])).status_code
        == 405
    )
    assert (
        client.post(reverse("activities_manage:occurrence", args=[occurrence.pk])).status_code
        == 405
    )
    export = reverse("activities_manage:export", args=[occurrence.pk, "csv"])
    assert client.post(export).status_code == 405


# -- Cancelling and moving an occurrence --------------------------------------------------------


def test_cancelling_an_occurrence_tells_everyone_signed_up(
    client, tree, community_worker, django_capture_on_commit_callbacks
):
    occurrence = occurrence_of(center=tree.community, title="健康讲座", capacity=1)
    confirmed, waiting = signed_up(occurrence, 2)
    client.force_login(community_worker)
    url = reverse("activities_manage:cancel", args=[occurrence.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, {"reason": "主讲专家临时有事"})
    assert response.status_code == 302
    # The two messages, and the iCalendar feeds' new generation (activities.feeds).
    assert len(callbacks) == 3
    occurrence.refresh_from_db()
    assert occurrence.status == Occurrence.Status.CANCELLED
    assert occurrence.cancel_reason == "主讲专家临时有事"
    for registration in (confirmed, waiting):
        note = Notification.objects.get(user=registration.user)
        assert note.title == "活动取消：健康讲座"
        assert "主讲专家临时有事" in note.body
        assert note.url == occurrence.get_absolute_url()
    assert sorted(phone for phone, _text in sms_outbox) == sorted(
        [confirmed.user.phone, waiting.user.phone]
    )
    assert all("活动取消：健康讲座" in text for _phone, text in sms_outbox)
    assert AuditEntry.objects.filter(object_type="occurrence", action="update").exists()

    client.logout()
    public = client.get(occurrence.get_absolute_url()).content.decode()
    assert "这场活动已取消" in public and "主讲专家临时有事" in public
    assert "我要报名" not in public


def test_no_message_is_sent_when_the_cancellation_rolls_back(
    tree, community_worker, django_capture_on_commit_callbacks
):
    occurrence = occurrence_of(center=tree.community)
    signed_up(occurrence)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.occurrence_cancel(actor=community_worker, occurrence=occurrence, reason="下雨")
    assert sms_outbox == []
    assert len(callbacks) == 2  # the message and the feeds' new generation, neither run


def test_cancelling_needs_a_reason_and_cannot_happen_twice(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community)
    client.force_login(community_worker)
    url = reverse("activities_manage:cancel", args=[occurrence.pk])
    assert client.post(url, {"reason": ""}).context["form"].has_error("reason")
    client.post(url, {"reason": "场地维修"})
    again = client.post(url, {"reason": "场地维修"})
    assert again.status_code == 200
    assert "已经取消" in again.content.decode()


def test_moving_an_occurrence_tells_everyone_the_new_time(
    client, tree, community_worker, django_capture_on_commit_callbacks
):
    room = RoomFactory(center=tree.community, name="书画室")
    occurrence = occurrence_of(center=tree.community, title="书法课", room=room)
    (registration,) = signed_up(occurrence)
    new_day = timezone.localdate() + timedelta(days=9)
    client.force_login(community_worker)
    url = reverse("activities_manage:move", args=[occurrence.pk])
    form = client.get(url).context["form"]
    # The form starts from the current time and room.
    assert form.initial["room"] == room.pk
    assert form.initial["start_date"] == timezone.localtime(occurrence.starts_at).date()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"start_date": new_day.isoformat(), "start_time": "15:00", "room": room.pk}
        )
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.starts_at == local(new_day, 15)
    assert occurrence.ends_at == local(new_day, 16, 30)
    assert occurrence.room == room and occurrence.is_moved
    new_time = f"{new_day:%Y-%m-%d} 15:00"
    note = Notification.objects.get(user=registration.user)
    assert note.title == "活动时间调整：书法课"
    assert new_time in note.body and "书画室" in note.body
    [(phone, text)] = sms_outbox
    assert phone == registration.user.phone and new_time in text

    client.logout()
    public = client.get(occurrence.get_absolute_url()).content.decode()
    assert "时间有调整" in public
    assert f"{new_day.year}年{new_day.month}月{new_day.day}日" in public


def test_moving_a_finished_occurrence_is_refused(client, tree, community_worker):
    occurrence = shift(occurrence_of(center=tree.community), starts_in=timedelta(days=-2))
    client.force_login(community_worker)
    day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        reverse("activities_manage:move", args=[occurrence.pk]),
        {"start_date": day.isoformat(), "start_time": "09:00"},
    )
    assert response.status_code == 200
    assert "已经结束" in response.content.decode()
    occurrence.refresh_from_db()
    assert not occurrence.is_moved


def test_moving_into_a_booked_room_is_refused(client, tree, community_worker):
    room = RoomFactory(center=tree.community, name="多功能厅")
    occurrence = occurrence_of(center=tree.community)
    busy = occurrence_of(center=tree.community, room=room, title="合唱排练")
    start = timezone.localtime(busy.starts_at)
    client.force_login(community_worker)
    response = client.post(
        reverse("activities_manage:move", args=[occurrence.pk]),
        {"start_date": start.date().isoformat(), "start_time": f"{start:%H:%M}", "room": room.pk},
    )
    assert response.status_code == 200
    assert "合唱排练" in response.context["form"].errors["room"][0]
    occurrence.refresh_from_db()
    assert not occurrence.is_moved


def test_moving_into_the_past_is_refused(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community)
    client.force_login(community_worker)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        reverse("activities_manage:move", args=[occurrence.pk]),
        {"start_date": yesterday.isoformat(), "start_time": "09:00"},
    )
    assert response.status_code == 200
    assert "晚于现在" in response.content.decode()


# -- Attendance and check-in -------------------------------------------------------------------


def test_tick_list_marks_attendance_and_credits_volunteer_hours(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community, volunteer_hours=Decimal("2.5"))
    came, stayed_home = signed_up(occurrence, 2)
    shift(occurrence, starts_in=timedelta(minutes=-30))
    client.force_login(community_worker)
    url = reverse("activities_manage:attendance", args=[occurrence.pk])
    response = client.post(url, {"attended": [came.pk]}, follow=True)
    assert "1 人到场" in response.content.decode()
    came.refresh_from_db()
    stayed_home.refresh_from_db()
    assert came.attended and came.checked_in_at and came.hours_credited == Decimal("2.5")
    assert not stayed_home.attended and stayed_home.hours_credited == 0

    # Un-ticking takes the credit back.
    client.post(url, {})
    came.refresh_from_db()
    assert not came.attended and came.checked_in_at is None and came.hours_credited == 0


def test_volunteer_hours_show_on_the_residents_page(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community, volunteer_hours=Decimal("1.5"))
    (registration,) = signed_up(occurrence)
    shift(occurrence, starts_in=timedelta(hours=-3))
    services.attendance_record(
        actor=community_worker, occurrence=occurrence, attended_ids=[registration.pk]
    )
    client.force_login(registration.user)
    response = client.get(reverse("activities:mine"))
    assert response.context["hours"] == Decimal("1.5")
    assert response.context["attended"] == 1


def test_attendance_long_before_the_start_is_refused(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community, volunteer_hours=Decimal("2"))
    (registration,) = signed_up(occurrence)
    shift(occurrence, starts_in=timedelta(hours=3))
    client.force_login(community_worker)
    response = client.post(
        reverse("activities_manage:attendance", args=[occurrence.pk]),
        {"attended": [registration.pk]},
        follow=True,
    )
    assert "开始前两小时内才能签到" in response.content.decode()
    registration.refresh_from_db()
    assert not registration.attended and registration.hours_credited == 0


def test_attendance_with_a_garbled_list_answers_with_a_message(client, tree, community_worker):
    occurrence = shift(occurrence_of(center=tree.community), starts_in=timedelta(minutes=-10))
    client.force_login(community_worker)
    response = client.post(
        reverse("activities_manage:attendance", args=[occurrence.pk]),
        {"attended": ["abc"]},
        follow=True,
    )
    assert response.status_code == 200
    assert "签到名单有误" in response.content.decode()


def test_attendance_of_a_cancelled_occurrence_is_refused(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community, volunteer_hours=Decimal("2"))
    (registration,) = signed_up(occurrence)
    services.occurrence_cancel(actor=community_worker, occurrence=occurrence, reason="暴雨")
    shift(occurrence, starts_in=timedelta(minutes=-30))
    client.force_login(community_worker)
    response = client.post(
        reverse("activities_manage:attendance", args=[occurrence.pk]),
        {"attended": [registration.pk]},
        follow=True,
    )
    assert "已取消" in response.content.decode()
    registration.refresh_from_db()
    assert not registration.attended and registration.hours_credited == 0


def checkin_url_for(registration):
    """The check-in URL as the resident's registration page shows it in the QR code."""
    resident_client = Client()
    resident_client.force_login(registration.user)
    page = resident_client.get(registration.get_absolute_url())
    assert page.status_code == 200
    return page.context["checkin_url"]


def test_qr_checkin_by_staff_in_scope(client, tree, street_staff):
    occurrence = occurrence_of(center=tree.community, volunteer_hours=Decimal("1"))
    (registration,) = signed_up(occurrence, name="王阿姨")
    url = checkin_url_for(registration)
    assert url.startswith("http://testserver/manage/activities/checkin/")
    shift(occurrence, starts_in=timedelta(minutes=20))
    client.force_login(street_staff)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "王阿姨" in confirm.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("activities_manage:occurrence", args=[occurrence.pk])
    registration.refresh_from_db()
    assert registration.attended and registration.hours_credited == Decimal("1")


def test_qr_checkin_long_before_the_start_is_refused_with_a_message(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community)
    (registration,) = signed_up(occurrence)
    client.force_login(community_worker)
    response = client.post(checkin_url_for(registration))
    assert response.status_code == 200
    assert "开始前两小时内才能签到" in response.content.decode()
    registration.refresh_from_db()
    assert not registration.attended


def test_qr_checkin_for_a_cancelled_occurrence_is_refused(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community, volunteer_hours=Decimal("2"))
    (registration,) = signed_up(occurrence)
    url = checkin_url_for(registration)
    services.occurrence_cancel(actor=community_worker, occurrence=occurrence, reason="暴雨")
    shift(occurrence, starts_in=timedelta(minutes=-10))
    client.force_login(community_worker)
    response = client.post(url)
    assert response.status_code == 200
    assert "已取消" in response.content.decode()
    registration.refresh_from_db()
    assert not registration.attended and registration.hours_credited == 0


def test_tampered_checkin_token_answers_400_with_a_message(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community)
    (registration,) = signed_up(occurrence)
    token = services.checkin_token(registration)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    client.force_login(community_worker)
    response = client.post(reverse("activities_manage:checkin", args=[forged]))
    assert response.status_code == 400
    assert "签到码无效" in response.content.decode()
    registration.refresh_from_db()
    assert not registration.attended


def test_checkin_of_another_communitys_resident_answers_404(client, tree, outsider):
    occurrence = occurrence_of(center=tree.community)
    (registration,) = signed_up(occurrence)
    shift(occurrence, starts_in=timedelta(minutes=10))
    client.force_login(outsider)
    url = reverse("activities_manage:checkin", args=[services.checkin_token(registration)])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    registration.refresh_from_db()
    assert not registration.attended


def test_viewer_may_not_check_residents_in(client, tree, community_viewer):
    occurrence = occurrence_of(center=tree.community)
    (registration,) = signed_up(occurrence)
    shift(occurrence, starts_in=timedelta(minutes=10))
    client.force_login(community_viewer)
    url = reverse("activities_manage:checkin", args=[services.checkin_token(registration)])
    assert client.post(url).status_code == 403
    registration.refresh_from_db()
    assert not registration.attended


# -- Post-activity record ----------------------------------------------------------------------


def test_record_is_saved_and_shown_on_the_public_activity_page(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community, title="重阳节敬老宴")
    shift(occurrence, starts_in=timedelta(hours=-3))
    client.force_login(community_worker)
    url = reverse("activities_manage:record", args=[occurrence.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"summary": "为社区80岁以上老人包饺子。", "head_count": "42"})
    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.head_count == 42 and occurrence.recorded_at
    # The record form shows what was written when opened again.
    form = client.get(url).context["form"]
    assert form.initial == {"summary": "为社区80岁以上老人包饺子。", "head_count": 42}

    client.logout()
    public = client.get(occurrence.activity.get_absolute_url()).content.decode()
    assert "为社区80岁以上老人包饺子。" in public
    assert "42 人参加" in public


def test_record_of_a_cancelled_occurrence_is_refused(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community)
    services.occurrence_cancel(actor=community_worker, occurrence=occurrence, reason="暴雨")
    shift(occurrence, starts_in=timedelta(hours=-3))
    client.force_login(community_worker)
    response = client.post(
        reverse("activities_manage:record", args=[occurrence.pk]),
        {"summary": "照常举办", "head_count": "10"},
    )
    assert response.status_code == 200
    assert "已取消" in response.content.decode()
    occurrence.refresh_from_db()
    assert occurrence.recorded_at is None


def test_record_before_the_start_is_refused(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community)
    client.force_login(community_worker)
    response = client.post(
        reverse("activities_manage:record", args=[occurrence.pk]),
        {"summary": "提前写好", "head_count": "10"},
    )
    assert response.status_code == 200
    assert "活动开始后才能填写活动纪实" in response.content.decode()
    occurrence.refresh_from_db()
    assert occurrence.recorded_at is None


# -- Exports -------------------------------------------------------------------------------------


@pytest.fixture
def roster_occurrence(tree):
    occurrence = occurrence_of(center=tree.community, title="电脑课", volunteer_hours=Decimal("1"))
    services.registration_create(
        user=UserFactory(name="张三", phone="13800001234"), occurrence=occurrence
    )
    return occurrence


def test_csv_export_has_a_bom_and_masked_phones(client, roster_occurrence, community_worker):
    client.force_login(community_worker)
    response = client.get(reverse("activities_manage:export", args=[roster_occurrence.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("电脑课")
    assert rows[1][:3] == ["序号", "姓名", "手机号码"]
    assert rows[2][:3] == ["1", "张三", "138****1234"]
    assert "13800001234" not in text
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == community_worker and entry.center == roster_occurrence.activity.center
    assert entry.object_id == str(roster_occurrence.pk)


def test_xlsx_export_opens_with_a_header_row_and_a_frozen_pane(
    client, roster_occurrence, community_worker
):
    client.force_login(community_worker)
    response = client.get(reverse("activities_manage:export", args=[roster_occurrence.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("序号", "姓名", "手机号码", "签到", "签到时间", "志愿时长（小时）")
    assert rows[2][:3] == (1, "张三", "138****1234")
    assert sheet.freeze_panes == "A3"
    assert not any("13800001234" in str(v) for row in rows for v in row)
    assert AuditEntry.objects.filter(action="export").count() == 1


def test_exports_do_not_turn_a_residents_name_into_a_formula(client, tree, community_worker):
    occurrence = occurrence_of(center=tree.community)
    evil = '=HYPERLINK("http://example.com","点我")'
    services.registration_create(user=UserFactory(name=evil), occurrence=occurrence)
    client.force_login(community_worker)
    csv_response = client.get(reverse("activities_manage:export", args=[occurrence.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[2][1] == "'" + evil
    xlsx = client.get(reverse("activities_manage:export", args=[occurrence.pk, "xlsx"]))
    cell = load_workbook(io.BytesIO(xlsx.content)).active["B3"]
    assert cell.data_type == "s" and cell.value == "'" + evil


def test_export_in_an_unknown_format_is_404_and_not_audited(
    client, roster_occurrence, community_worker
):
    client.force_login(community_worker)
    response = client.get(reverse("activities_manage:export", args=[roster_occurrence.pk, "pdf"]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


# -- Query budgets -------------------------------------------------------------------------------


def test_console_activity_list_runs_fixed_queries(
    client, tree, street_staff, django_assert_num_queries
):
    ActivityFactory(center=tree.community)
    client.force_login(street_staff)
    url = reverse("activities_manage:list")
    client.get(url)
    # 1 session, 2 user, 3 roles, 4 count for the paginator, 5 the page of activities with
    # their centers and upcoming counts, 6 centers for "new activity".
    with django_assert_num_queries(6):
        client.get(url)
    for i in range(40):
        ActivityFactory(center=tree.sibling if i % 2 else tree.community)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 41


def test_console_occurrence_page_runs_fixed_queries(
    client, tree, community_worker, django_assert_num_queries
):
    occurrence = occurrence_of(center=tree.community, capacity=100)
    signed_up(occurrence)
    client.force_login(community_worker)
    url = reverse("activities_manage:occurrence", args=[occurrence.pk])
    client.get(url)
    # 1 session, 2 user, 3 occurrence in scope with activity and center, 4 roles,
    # 5 the roster with users, 6 the record's photos.
    with django_assert_num_queries(6):
        client.get(url)
    signed_up(occurrence, 30)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["confirmed"]) == 31


def test_console_activity_page_runs_fixed_queries(
    client, tree, community_worker, django_assert_num_queries
):
    first = next_weekday(2)
    activity = ActivityFactory(
        center=tree.community,
        starts_at=local(first, 19),
        recurrence=build_rule(freq="WEEKLY", weekdays=[], until=first + timedelta(weeks=1)),
    )
    client.force_login(community_worker)
    url = reverse("activities_manage:detail", args=[activity.pk])
    client.get(url)
    # 1 session, 2 user, 3 activity in scope, 4 roles, 5 occurrences with their counts.
    with django_assert_num_queries(5):
        client.get(url)
    services.activity_update(
        actor=community_worker,
        activity=activity,
        data={
            "recurrence": build_rule(freq="DAILY", weekdays=[], until=first + timedelta(days=60))
        },
    )
    with django_assert_num_queries(5):
        response = client.get(url)
    assert len(response.context["occurrences"]) > 50


def test_record_photos_are_stored_without_exif_and_shown_publicly(client, tree, community_worker):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    occurrence = occurrence_of(center=tree.community, title="金秋晚会")
    shift(occurrence, starts_in=timedelta(hours=-3))
    img = Image.new("RGB", (640, 480), (200, 40, 40))
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (40.0, 49.0, 12.0)
    raw = io.BytesIO()
    img.save(raw, format="JPEG", exif=exif)
    client.force_login(community_worker)
    response = client.post(
        reverse("activities_manage:record", args=[occurrence.pk]),
        {
            "summary": "居民自编自演。",
            "head_count": "120",
            "photo1": SimpleUploadedFile("gala.jpg", raw.getvalue(), content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    photo = occurrence.photos.get()
    with photo.image.open("rb") as f:
        assert not Image.open(io.BytesIO(f.read())).getexif()
    client.logout()
    public = client.get(occurrence.activity.get_absolute_url()).content.decode()
    assert photo.thumbnail.url in public


def test_a_text_file_as_record_photo_is_a_form_error(client, tree, community_worker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    occurrence = occurrence_of(center=tree.community)
    shift(occurrence, starts_in=timedelta(hours=-3))
    client.force_login(community_worker)
    response = client.post(
        reverse("activities_manage:record", args=[occurrence.pk]),
        {"summary": "x", "head_count": "3", "photo1": SimpleUploadedFile("a.jpg", b"not an image")},
    )
    assert response.status_code == 200
    assert "无法识别该文件" in response.content.decode()
    assert not occurrence.photos.exists()
