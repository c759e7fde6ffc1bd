"""seed_demo's activities: the seed report's programs, alive on the first run."""

from datetime import time
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.test import override_settings
from django.utils import timezone

from activities import demo
from activities.models import Activity, Occurrence, Registration
from centers import demo_data
from centers.sections import demo_loaders

pytestmark = pytest.mark.django_db

REPORT_COMMUNITIES = {
    "dataishi",
    "jiankang",
    "qianjinxiang",
    "chuangye",
    "huimin",
    "zhanlanguan",
    "jinyuwenyuan",
    "wanzhengshangdu",
    "qiaohua",
}


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """`seed_demo` once for the module, in a transaction rolled back after its last test.

    Seeding takes seconds; each test still runs in a savepoint of its own (pytest-django's
    `db`), so a test that changes rows leaves the seeded district as it was for the next one.
    Returns the command's output.
    """
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        yield seed()
        transaction.set_rollback(True)


def activity(slug, title):
    return Activity.objects.select_related("room", "organizer").get(center__slug=slug, title=title)


def local_time(dt):
    return timezone.localtime(dt).time()


def snapshot():
    """Every row of the activities app, and every model's row count."""
    rows = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("activities").get_models()
    }
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    return rows, counts


def test_loader_is_registered_for_seed_demo():
    loader = demo_loaders.items["activities"]

    assert loader.load is demo.load_demo_activities


def test_programs_are_activities_at_the_reports_communities(seeded):
    keys = set(Activity.objects.values_list("center__slug", "title"))

    assert keys == {(program["center"], program["title"]) for program in demo.PROGRAMS}
    assert len(keys) == len(demo.PROGRAMS)
    assert 15 <= len(keys) <= 25
    assert {slug for slug, _title in keys} == REPORT_COMMUNITIES
    assert f"活动 {len(keys)}，" in seeded
    assert not Activity.objects.filter(is_published=False).exists()


def test_qiaohua_runs_its_school_exercise_dances_and_childrens_club(seeded):
    calligraphy = activity("qiaohua", "老年大学·书法课")
    assert calligraphy.recurrence.startswith("FREQ=WEEKLY;BYDAY=TU;UNTIL=")
    assert calligraphy.recurrence.endswith("T155959Z")
    assert local_time(calligraphy.starts_at) == time(9, 0)
    assert calligraphy.duration_minutes == 90
    assert calligraphy.capacity == 30
    assert calligraphy.audience == Activity.Audience.ELDERLY
    assert calligraphy.room.name == "老年大学课堂"

    exercise = activity("qiaohua", "社区晨练")
    assert exercise.recurrence.startswith("FREQ=DAILY;")
    assert not exercise.registration_required
    assert exercise.room is None and exercise.location == "社区广场"

    dances = activity("qiaohua", "健身舞会")
    assert "BYDAY=MO,WE,FR" in dances.recurrence
    assert local_time(dances.starts_at) == time(19, 30)

    club = activity("qiaohua", "十六点半儿童乐园")
    assert "BYDAY=MO,TU,WE,TH,FR" in club.recurrence
    assert local_time(club.starts_at) == time(16, 30)
    assert club.duration_minutes == 90
    assert club.audience == Activity.Audience.CHILDREN
    assert club.capacity == 20


def test_other_programs_follow_the_report(seeded):
    party_days = Activity.objects.filter(title="主题党日")
    assert party_days.count() >= 3
    assert {(a.category, a.audience) for a in party_days} == {
        (Activity.Category.PARTY, Activity.Audience.PARTY_MEMBERS)
    }
    assert all(a.recurrence.startswith("FREQ=MONTHLY;") for a in party_days)

    today = timezone.localdate()
    gala = activity("wanzhengshangdu", "金秋晚会")
    assert not gala.recurrence and gala.category == Activity.Category.FESTIVAL
    assert timezone.localtime(gala.starts_at).month == 9 and gala.starts_at < timezone.now()
    new_year = activity("wanzhengshangdu", "年俗节")
    assert not new_year.recurrence and new_year.category == Activity.Category.FESTIVAL
    assert timezone.localtime(new_year.starts_at).month in {1, 2}
    assert today < timezone.localdate(new_year.starts_at)

    elderly = Activity.objects.filter(center__slug="jiankang", audience="elderly")
    assert elderly.filter(title__startswith="宜老").exists()
    teams = Activity.objects.filter(center__slug="qianjinxiang", category="culture")
    assert {"蒙古族模特队", "少数民族歌唱队"} <= set(
        teams.values_list("organizer__name", flat=True)
    )
    volunteering = Activity.objects.filter(category="volunteer", volunteer_hours__gt=0)
    assert volunteering.filter(title__in=["志愿者入户探访", "环境清洁志愿服务"]).count() == 2
    assert Activity.objects.filter(center__slug="chuangye", category="opinion").exists()
    assert Activity.objects.filter(center__slug="jinyuwenyuan", category="service").exists()


def test_rooms_and_teams_belong_to_the_activitys_center(seeded):
    for item in Activity.objects.select_related("room", "organizer"):
        assert item.room_id or item.location, item.title
        if item.room_id:
            assert item.room.center_id == item.center_id, item.title
        if item.organizer_id:
            assert item.organizer.center_id == item.center_id, item.title


def test_no_two_occurrences_overlap_in_one_room(seeded):
    by_room = {}
    for occurrence in Occurrence.objects.scheduled().exclude(room=None).order_by("starts_at"):
        previous = by_room.get(occurrence.room_id)
        assert previous is None or previous.ends_at <= occurrence.starts_at, occurrence
        by_room[occurrence.room_id] = occurrence


def test_recurring_activities_have_past_and_future_occurrences(seeded):
    now = timezone.now()
    recurring = Activity.objects.exclude(recurrence="").annotate(
        past=Count("occurrences", filter=Q(occurrences__ends_at__lte=now)),
        future=Count("occurrences", filter=Q(occurrences__starts_at__gt=now)),
    )

    assert recurring.count() >= 15
    for item in recurring:
        assert item.past >= 4, item.title
        assert item.future >= 4, item.title
        assert item.occurrences.latest("starts_at").starts_at.year > now.year


def test_past_occurrences_have_attendance_and_volunteer_hours(seeded):
    now = timezone.now()
    past = Registration.objects.filter(
        occurrence__ends_at__lte=now, status=Registration.Status.CONFIRMED
    ).select_related("occurrence__activity")
    attended = past.filter(attended=True)

    assert attended.exists() and past.filter(attended=False).exists()
    assert not attended.filter(checked_in_at=None).exists()
    assert not past.filter(attended=False).exclude(checked_in_at=None).exists()
    for registration in past:
        expected = registration.occurrence.activity.volunteer_hours if registration.attended else 0
        assert registration.hours_credited == expected
        assert registration.created_at < registration.occurrence.starts_at
    hours = attended.filter(occurrence__activity__category="volunteer").aggregate(
        total=Sum("hours_credited")
    )
    assert hours["total"] > 0
    assert attended.values("occurrence__activity").distinct().count() >= 10


def test_confirmed_counts_match_sign_ups_and_stay_within_capacity(seeded):
    occurrences = Occurrence.objects.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        waiting=Count("registrations", filter=Q(registrations__status="waitlisted")),
    )

    for occurrence in occurrences:
        assert occurrence.confirmed == occurrence.confirmed_count, occurrence
        if occurrence.capacity is not None:
            assert occurrence.confirmed_count <= occurrence.capacity, occurrence
        if occurrence.waiting:
            assert occurrence.is_full, occurrence
    assert not Registration.objects.filter(
        occurrence__activity__registration_required=False
    ).exists()


def test_next_occurrences_have_sign_ups_and_one_a_waiting_list(seeded):
    future = Registration.objects.filter(occurrence__starts_at__gt=timezone.now())

    assert future.filter(status=Registration.Status.CONFIRMED).count() >= 20
    assert not future.filter(attended=True).exists()
    assert future.filter(status=Registration.Status.WAITLISTED).exists()
    assert future.values("occurrence__activity").distinct().count() >= 5


def test_some_past_occurrences_have_a_record(seeded):
    now = timezone.now()
    recorded = Occurrence.objects.exclude(summary="")

    assert recorded.count() >= 10
    assert not recorded.filter(ends_at__gt=now).exists()
    for occurrence in recorded:
        assert occurrence.head_count and occurrence.recorded_at, occurrence
        assert occurrence.ends_at <= occurrence.recorded_at <= now, occurrence
    assert recorded.filter(activity__title="金秋晚会").exists()


def test_demo_residents_sign_in_with_the_demo_password(seeded):
    for spec in demo.RESIDENTS:
        assert spec["phone"].startswith("1390000")
    first, last = demo.RESIDENTS[0], demo.RESIDENTS[-1]

    user = authenticate(phone=first["phone"], password=demo_data.DEMO_PASSWORD)
    assert user is not None and user.name == first["name"]
    assert authenticate(phone=last["phone"], password=demo_data.DEMO_PASSWORD) is not None
    assert user.registrations.exists()
    assert not user.staff_roles.exists() and not user.is_staff


def test_second_run_creates_and_changes_nothing(seeded):
    first_rows, first_counts = snapshot()

    output = seed()

    second_rows, second_counts = snapshot()
    assert second_counts == first_counts
    assert second_rows == first_rows
    assert "没有需要新建的内容" in output


def test_run_with_nothing_to_do_costs_one_query(seeded, django_assert_num_queries):
    # savepoint; existing (center slug, title) keys; release
    with django_assert_num_queries(3):
        assert demo.load_demo_activities() == {}


def test_rerun_restores_a_deleted_program_and_keeps_edits(seeded):
    Activity.objects.filter(center__slug="wanzhengshangdu", title="年俗节").delete()
    Activity.objects.filter(center__slug="qiaohua", title="健身舞会").update(
        description="改过的介绍"
    )
    count = Activity.objects.count()

    output = seed()

    assert Activity.objects.count() == count + 1
    assert activity("wanzhengshangdu", "年俗节").occurrences.get().registrations.exists()
    assert activity("qiaohua", "健身舞会").description == "改过的介绍"
    assert "活动 1，" in output


@pytest.mark.parametrize("query", ["", "?view=month", "?view=week"])
def test_calendar_shows_demo_activities(seeded, client, query):
    response = client.get("/activities/" + query)

    assert response.status_code == 200
    content = response.content.decode()
    assert "社区晨练" in content
    assert any(
        title in content for title in ["健身舞会", "十六点半儿童乐园", "党群爱心援助站开放日"]
    )
