"""The public activity calendar: list, week and month views, filters, query budgets."""

from datetime import datetime, time, timedelta
from itertools import islice

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, Occurrence
from centers.models import Center
from tests.factories import ActivityFactory, CenterFactory, UserFactory

pytestmark = pytest.mark.django_db

CALENDAR = reverse("activities:calendar")


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def soon(days=3, hour=9):
    return local(timezone.localdate() + timedelta(days=days), hour)


def listed_titles(response):
    return [o.activity.title for _day, occurrences in response.context["days"] for o in occurrences]


def cell_titles(response):
    return [o.activity.title for cell in response.context["cells"] for o in cell.occurrences]


# -- Views and filters ---------------------------------------------------------------------------


def test_list_view_shows_upcoming_occurrences_by_day(client, tree):
    ActivityFactory(center=tree.community, title="书法班", starts_at=soon(2, 9))
    ActivityFactory(center=tree.community, title="合唱团", starts_at=soon(2, 15))
    ActivityFactory(center=tree.community, title="电影放映", starts_at=soon(4, 19))
    ActivityFactory(center=tree.community, title="上周的讲座", starts_at=soon(-7))
    response = client.get(CALENDAR)
    assert response.status_code == 200
    days = response.context["days"]
    assert [day for day, _occurrences in days] == [
        timezone.localdate() + timedelta(days=2),
        timezone.localdate() + timedelta(days=4),
    ]
    assert listed_titles(response) == ["书法班", "合唱团", "电影放映"]
    html = response.content.decode()
    assert "书法班" in html and "上周的讲座" not in html


def test_street_filter_includes_every_center_below_it(client, tree):
    # One a day in the same week, so the week and month cells show them all.
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    building = CenterFactory(parent=tree.community, level=Center.Level.BUILDING)
    for i, (center, title) in enumerate(
        [
            (tree.street, "街道党课"),
            (tree.community, "创业社区书法班"),
            (tree.sibling, "展览馆社区合唱"),
            (tree.other_community, "健康社区义诊"),
            (tree.district, "全区运动会"),
            (building, "楼宇读书会"),
        ]
    ):
        ActivityFactory(center=center, title=title, starts_at=local(monday + timedelta(days=i), 9))
    for view in ("list", "week", "month"):
        response = client.get(
            CALENDAR, {"center": "zhongzhuanlu", "view": view, "date": monday.isoformat()}
        )
        titles = listed_titles(response) if view == "list" else cell_titles(response)
        assert titles == ["街道党课", "创业社区书法班", "展览馆社区合唱", "楼宇读书会"], view
    community = client.get(CALENDAR, {"center": "chuangye"})
    assert listed_titles(community) == ["创业社区书法班", "楼宇读书会"]
    assert "创业社区党群服务中心" in community.content.decode()
    everything = client.get(CALENDAR)
    assert len(listed_titles(everything)) == 6


def test_category_filter(client, tree):
    ActivityFactory(center=tree.community, title="党课", category=Activity.Category.PARTY)
    ActivityFactory(center=tree.community, title="广场舞", category=Activity.Category.CULTURE)
    response = client.get(CALENDAR, {"category": "party"})
    assert listed_titles(response) == ["党课"]


def test_elderly_filter_also_shows_activities_for_everybody(client, tree):
    ActivityFactory(center=tree.community, title="老年书法", audience="elderly", starts_at=soon(1))
    ActivityFactory(center=tree.community, title="社区电影", audience="all", starts_at=soon(2))
    ActivityFactory(center=tree.community, title="少儿美术", audience="children", starts_at=soon(3))
    response = client.get(CALENDAR, {"audience": "elderly"})
    assert listed_titles(response) == ["老年书法", "社区电影"]


def test_date_filter_starts_the_list_on_that_day(client, tree):
    ActivityFactory(center=tree.community, title="第一周", starts_at=soon(2))
    ActivityFactory(center=tree.community, title="第二周", starts_at=soon(9))
    response = client.get(
        CALENDAR, {"date": (timezone.localdate() + timedelta(days=5)).isoformat()}
    )
    assert listed_titles(response) == ["第二周"]


def test_month_view_puts_occurrences_on_their_local_day(client, tree):
    # 00:30 in Shanghai is still the previous day in UTC: the cell must follow local time.
    day = timezone.localdate() + timedelta(days=10)
    ActivityFactory(center=tree.community, title="凌晨观星", starts_at=local(day, 0, 30))
    response = client.get(CALENDAR, {"view": "month", "date": day.isoformat()})
    assert response.status_code == 200
    [cell] = [c for c in response.context["cells"] if c.occurrences]
    assert cell.day == day and cell.total == 1
    cells = response.context["cells"]
    assert cells[0].day.weekday() == 0 and cells[-1].day.weekday() == 6
    assert len(cells) % 7 == 0
    assert all(c.in_month == (c.day.month == day.month) for c in cells)


def test_busy_day_shows_three_and_counts_the_rest(client, tree):
    day = timezone.localdate() + timedelta(days=10)
    for hour in range(8, 13):
        ActivityFactory(center=tree.community, title=f"{hour}点活动", starts_at=local(day, hour))
    response = client.get(CALENDAR, {"view": "month", "date": day.isoformat()})
    [cell] = [c for c in response.context["cells"] if c.day == day]
    assert [o.activity.title for o in cell.occurrences] == ["8点活动", "9点活动", "10点活动"]
    assert cell.total == 5 and cell.more == 2
    assert "还有 2 场" in response.content.decode()


def test_week_view_covers_monday_to_sunday(client, tree):
    day = timezone.localdate() + timedelta(days=10)
    ActivityFactory(center=tree.community, title="周中活动", starts_at=local(day, 10))
    response = client.get(CALENDAR, {"view": "week", "date": day.isoformat()})
    cells = response.context["cells"]
    assert len(cells) == 7 and cells[0].day.weekday() == 0
    assert cells[0].day <= day <= cells[-1].day
    assert cell_titles(response) == ["周中活动"]


def test_cancelled_occurrences_are_struck_through(client, tree, community_worker):
    occurrence = ActivityFactory(center=tree.community, title="暂停的活动").occurrences.get()
    services.occurrence_cancel(actor=community_worker, occurrence=occurrence, reason="下雨")
    day = timezone.localtime(occurrence.starts_at).date().isoformat()
    marks = {"list": '<li class="occurrence is-cancelled">', "week": '<li class="is-cancelled">'}
    marks["month"] = marks["week"]
    for view, mark in marks.items():
        html = client.get(CALENDAR, {"view": view, "date": day}).content.decode()
        assert "暂停的活动" in html and mark in html, view
    detail = client.get(occurrence.activity.get_absolute_url()).content.decode()
    assert 'class="occurrence is-cancelled"' in detail


def test_unpublished_activities_never_appear(client, tree):
    hidden = ActivityFactory(center=tree.community, title="内部筹备会", is_published=False)
    ActivityFactory(center=tree.sibling, title="未公开中心的活动")
    Center.objects.filter(pk=tree.sibling.pk).update(is_published=False)
    day = soon().date().isoformat()
    for view in ("list", "week", "month"):
        html = client.get(CALENDAR, {"view": view, "date": day}).content.decode()
        assert "内部筹备会" not in html and "未公开中心的活动" not in html, view
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(hidden.occurrences.get().get_absolute_url()).status_code == 404
    center_page = client.get(reverse("centers:detail", args=["chuangye"])).content.decode()
    assert "内部筹备会" not in center_page


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"view": "year"}, "view"),
        ({"date": "99999-01-01"}, "date"),
        ({"date": "1999-12-31"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"category": "nonsense"}, "category"),
        ({"audience": "aliens"}, "audience"),
        ({"center": "不是slug"}, "center"),
        ({"view": "month", "date": "2100-12-31"}, None),
        ({"view": "week", "date": "2000-01-01"}, None),
        ({"page": "abc"}, None),
        ({"page": "99999"}, None),
    ],
)
def test_bad_filter_values_answer_200_with_the_form_error(client, tree, params, field):
    ActivityFactory(center=tree.community)
    response = client.get(CALENDAR, params)
    assert response.status_code == 200
    form = response.context["form"]
    if field:
        assert form.has_error(field)
        assert 'class="form-errors"' in response.content.decode()
    else:
        assert not form.errors


def test_unknown_center_answers_404(client, tree):
    assert client.get(CALENDAR, {"center": "no-such-center"}).status_code == 404
    assert client.get(CALENDAR, {"center": "no-such", "view": "month"}).status_code == 404


def test_a_bad_filter_keeps_the_valid_ones(client, tree):
    ActivityFactory(center=tree.community, title="创业社区书法班")
    ActivityFactory(center=tree.other_community, title="健康社区义诊")
    response = client.get(CALENDAR, {"center": "chuangye", "category": "nonsense"})
    assert response.status_code == 200
    assert response.context["form"].has_error("category")
    assert response.context["center"] == tree.community
    assert listed_titles(response) == ["创业社区书法班"]
    assert client.get(CALENDAR, {"center": "no-such", "date": "bad"}).status_code == 404


def test_list_view_pages_through_many_occurrences(client, tree):
    for i in range(35):
        ActivityFactory(center=tree.community, starts_at=soon(1) + timedelta(minutes=i))
    first = client.get(CALENDAR)
    assert first.context["page_obj"].paginator.num_pages == 2
    assert len(listed_titles(first)) == 30
    second = client.get(CALENDAR, {"page": 2})
    assert len(listed_titles(second)) == 5


def test_activity_page_shows_its_upcoming_occurrences_and_my_signup(client, tree, resident):
    activity = ActivityFactory(center=tree.community, title="插花课", capacity=10)
    occurrence = activity.occurrences.get()
    services.registration_create(user=resident, occurrence=occurrence)
    client.force_login(resident)
    response = client.get(activity.get_absolute_url())
    assert response.status_code == 200
    assert response.context["upcoming"][0].my_registration is not None
    html = response.content.decode()
    assert "插花课" in html and "报名成功" in html


# -- The center page's section -------------------------------------------------------------------


def test_center_page_shows_upcoming_activities_of_its_subtree(client, tree, community_worker):
    ActivityFactory(center=tree.community, title="创业社区书法班")
    ActivityFactory(center=tree.sibling, title="展览馆社区合唱")
    ActivityFactory(center=tree.other_community, title="健康社区义诊")
    ActivityFactory(center=tree.community, title="上周的讲座", starts_at=soon(-7))
    cancelled = ActivityFactory(center=tree.community, title="取消的活动").occurrences.get()
    services.occurrence_cancel(actor=community_worker, occurrence=cancelled, reason="下雨")
    street = client.get(reverse("centers:detail", args=["zhongzhuanlu"])).content.decode()
    assert "创业社区书法班" in street and "展览馆社区合唱" in street
    assert "健康社区义诊" not in street
    assert "上周的讲座" not in street and "取消的活动" not in street
    assert f"{CALENDAR}?center=zhongzhuanlu" in street
    assert f"{reverse('activities:feed')}?center=zhongzhuanlu" in street
    community = client.get(reverse("centers:detail", args=["chuangye"])).content.decode()
    assert "创业社区书法班" in community and "展览馆社区合唱" not in community


# -- Query budgets -------------------------------------------------------------------------------


def bulk_occurrences(activities, per_activity, *, start, step=timedelta(hours=12)):
    """`per_activity` occurrences for each activity from `start`, every `step`, in batches."""
    # Offsets keep activities apart and the slots unique per activity; every tenth is cancelled.
    rows = (
        Occurrence(
            activity=activity,
            original_start=start + k * step + timedelta(minutes=7 * i),
            starts_at=start + k * step + timedelta(minutes=7 * i),
            ends_at=start + k * step + timedelta(minutes=7 * i + 60),
            capacity=activity.capacity,
            status=Occurrence.Status.CANCELLED if k % 10 == 9 else Occurrence.Status.SCHEDULED,
        )
        for i, activity in enumerate(activities)
        for k in range(per_activity)
    )
    while batch := list(islice(rows, 5000)):
        Occurrence.objects.bulk_create(batch)


def many_activities(tree, n):
    centers = [tree.community, tree.sibling, tree.other_community, tree.street, tree.district]
    categories = Activity.Category.values
    audiences = Activity.Audience.values
    return [
        ActivityFactory(
            center=centers[i % len(centers)],
            category=categories[i % len(categories)],
            audience=audiences[i % len(audiences)],
        )
        for i in range(n)
    ]


def test_month_view_runs_fixed_queries_with_10_and_100000_occurrences(
    client, tree, django_assert_num_queries
):
    today = timezone.localdate()
    many_activities(tree, 10)
    assert Occurrence.objects.count() == 10
    url = f"{CALENDAR}?view=month&date={today.isoformat()}"
    # 1 the first three occurrences of each day (a window function), with activity, center
    # and room, 2 the number of occurrences per day.
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200
    activities = many_activities(tree, 40)
    # 40 × 2,500 every 12 hours: from a year ago to more than two years ahead.
    bulk_occurrences(
        activities, 2500, start=local(today - timedelta(days=365), 8), step=timedelta(hours=12)
    )
    assert Occurrence.objects.count() == 100_050
    with django_assert_num_queries(2):
        response = client.get(url)
    cells = [c for c in response.context["cells"] if c.in_month]
    assert sum(c.total for c in cells) > 2000
    assert all(len(c.occurrences) <= 3 for c in cells)
    # The same for one street: 1 the street, 2 first three per day, 3 counts per day.
    with django_assert_num_queries(3):
        assert client.get(url + "&center=zhongzhuanlu&category=party").status_code == 200


def test_list_view_runs_fixed_queries_with_few_and_many_occurrences(
    client, tree, django_assert_num_queries
):
    many_activities(tree, 5)
    # 1 count for the paginator, 2 the page of occurrences with activity, center and room.
    with django_assert_num_queries(2):
        assert client.get(CALENDAR).status_code == 200
    bulk_occurrences(many_activities(tree, 20), 300, start=soon(1, 8), step=timedelta(hours=5))
    with django_assert_num_queries(2):
        response = client.get(CALENDAR)
    assert len(listed_titles(response)) == 30
    # With a center: 1 the center, 2 count, 3 the page.
    with django_assert_num_queries(3):
        client.get(CALENDAR, {"center": "zhongzhuanlu", "audience": "elderly"})


def test_activity_page_runs_fixed_queries_with_few_and_many_occurrences(
    client, tree, django_assert_num_queries
):
    activity = ActivityFactory(center=tree.community, capacity=100)
    resident = UserFactory()
    services.registration_create(user=resident, occurrence=activity.occurrences.get())
    client.force_login(resident)
    url = activity.get_absolute_url()
    # 1 session, 2 user, 3 activity with center, room and organizer, 4 its upcoming
    # occurrences, 5 the resident's sign-ups for them, 6 past occurrences with a record,
    # 7 their photos, 8 the user's roles (is the console link shown?).
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
    bulk_occurrences([activity], 3000, start=soon(-400, 8), step=timedelta(hours=5))
    Occurrence.objects.filter(activity=activity, ends_at__lt=timezone.now()).update(
        summary="活动纪实", head_count=12
    )
    for occurrence in activity.occurrences.scheduled().filter(starts_at__gt=soon(5))[:20]:
        services.registration_create(user=resident, occurrence=occurrence)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["upcoming"]) == 20
    assert len(response.context["past"]) == 3


def test_occurrence_page_runs_fixed_queries(client, tree, django_assert_num_queries):
    occurrence = ActivityFactory(center=tree.community, capacity=100).occurrences.get()
    url = occurrence.get_absolute_url()
    # 1 the occurrence with activity, center, organizer and room.
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    for _ in range(20):
        services.registration_create(user=UserFactory(), occurrence=occurrence)
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
