"""Issue 7: every benchmark page runs the same, pinned number of queries at two data sizes.

Each page of `bench/run.py`'s `discover_pages()` is rendered over a small world (one batch of
everything: centers, activities with occurrences and sign-ups, issues in several states with
their events, an aid station with stock, donations and distributions, beneficiaries with
pairings and visits, this year and last year), then over the same world with many more batches
added. The count must not move, must equal the figure pinned in `EXPECTED`, and must stay
within `BUDGET` unless the page is listed in `OVER_BUDGET`. The page cache stays off
(tests/conftest.py): this is the cost of a full render.
"""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import services as activity_services
from activities.models import Occurrence, OccurrencePhoto, Registration
from assistance import services as aid_services
from assistance.models import BeneficiaryType, HelpProgram, Item, Pairing, Visit, WishListItem
from centers import summaries
from centers.models import Center, StaffRole
from deliberation import services as issue_services
from deliberation.models import AgendaItem, Issue, IssueEvent, IssuePhoto
from tests.conftest import make_tree
from tests.factories import (
    ActivityFactory,
    AidStationFactory,
    BeneficiaryFactory,
    CenterFactory,
    ExhibitionFactory,
    ItemFactory,
    RoomFactory,
    ServiceFactory,
    StaffRoleFactory,
    TeamFactory,
    UserFactory,
)
from tests.security.world import jpeg_upload

# The module's world is built in `renders`; the mark makes pytest-django create the database.
pytestmark = pytest.mark.django_db

#: The most queries a page may run, unless it is listed in OVER_BUDGET.
BUDGET = 15
#: Batches of rows in the large world (the small world is one batch).
LARGE = 10

#: Queries of one full render of each page, the same at both sizes.
EXPECTED = {
    # 1 the root center, 2 published centers per level, 3 streets and their communities.
    "home": 3,
    # 1 streets for the filter, 2 the paginator's count, 3 the page of centers, 4 their parents.
    "center directory": 4,
    # 1 the center, 2 its published children, 3 teams, 4 ancestors for the breadcrumbs, 5 rooms,
    # 6 exhibitions, 7 services, 8 photos; sections: 9 upcoming sessions, 10 issues resolved
    # this year, 11 the latest public resolved issues, 12 the latest published meetings, 13 the
    # aid station with its wish list, 14 its stock per category.
    "community page": 14,
    # 1 the district, 2 sessions per day of the month, 3 the first sessions of each day.
    "district activity month": 3,
    # 1 the activity with center, room and organiser, 2 upcoming sessions with their rooms,
    # 3 the latest recorded sessions, 4 their photos.
    "activity detail": 4,
    # 1 the district, 2 activities with sessions in the feed's window, 3 those sessions.
    "district iCalendar feed": 3,
    # 1 the issue with its center (and merged-into issue), 2 agenda items at published
    # meetings, 3 the public events, 4 photos.
    "issue tracking": 4,
    # 1 the station with its center, 2 ancestors for the breadcrumbs, 3 the wish list with
    # items, 4 stock per category, 5 this year's handed-out quantities.
    "aid station": 5,
    # 1 session, 2 user, 3 roles, 4 the centers the filter offers (the scope's top and its
    # children), 5 counts per open status with the overdue count, 6 the page with centers and
    # assignees.
    "staff issue inbox": 6,
    # 1 session, 2 user, 3 roles, 4 home centers, 5 the streets (one row each), 6 the state of
    # the monthly summaries; grouped by street, each section in one batch: activities 7 the
    # summarised months and this month's sessions with their sign-ups; issues 8 the summarised
    # months, this month's cohort and the overdue count; help and aid 9 the summarised months,
    # this month's visits and quantities handed out, active beneficiaries and pairings visited
    # on time.
    "district report dashboard": 9,
    # 1 session, 2 user, 3 roles, 4 the center in scope; network: 5 centers per level and
    # area, rooms and teams per kind, team members (one batch), 6 brands, exhibitions and
    # services (one union), 7 streets, 8 the state of the monthly summaries; activities: 9 the
    # summarised months, the rest's sessions with participants and sign-ups, and sessions per
    # category (one batch); issues: 10 the year's cohort, overdue, per category and per street
    # (one batch), 11 the median time to resolve; help and aid: 12 every figure (one batch);
    # 13 resolved public issues quoted as examples.
    "annual report": 13,
}

#: Pages pinned above BUDGET, and why; each must stay above it, so the list cannot go stale.
OVER_BUDGET = {}

#: Pages whose count grows with the data (an N+1), with the repeated query. None found.
XFAIL = {}

#: Pages seen by the district admin; the others are public.
STAFF_PAGES = {"staff issue inbox", "district report dashboard", "annual report"}


def _local(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _move(occurrence, starts_at):
    """Put a session at another time (past or future), keeping its sign-ups."""
    Occurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=starts_at,
        original_start=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
    )


def _issue(w, center, title, steps, *, last_year=False):
    """An issue submitted at `center` and moved through `steps` by staff, with its events."""
    issue = issue_services.issue_submit(
        center=center,
        data={
            "title": title,
            "description": "雨天路面积水，老人出行不便。",
            "category": Issue.Category.DRAINAGE,
            "location": "园艺所西巷",
            "submitter_name": "张大爷",
            "submitter_phone": "13700001111",
        },
    )
    for step in steps:
        extra = {"public_note": "已处理。"}
        if step == Issue.Status.ACCEPTED:
            extra["due_date"] = timezone.localdate() + timedelta(days=10)
        elif step == Issue.Status.REJECTED:
            extra["public_note"] = "不属于社区职责范围。"
        elif step == Issue.Status.RESOLVED:
            extra["resolution"] = "已疏通排水沟。"
        issue = issue_services.issue_transition(actor=w.admin, issue=issue, to_status=step, **extra)
    if steps and steps[-1] == Issue.Status.RESOLVED and title.endswith("已评价"):
        issue = issue_services.issue_rate(
            issue=issue, satisfaction="satisfied", phone="13700001111"
        )
    if last_year:
        shift = timedelta(days=365)
        Issue.objects.filter(pk=issue.pk).update(
            created_at=issue.created_at - shift,
            accepted_at=issue.accepted_at and issue.accepted_at - shift,
            resolved_at=issue.resolved_at and issue.resolved_at - shift,
            response_due=issue.response_due - shift,
        )
        for event in issue.events.all():
            IssueEvent.objects.filter(pk=event.pk).update(created_at=event.created_at - shift)
    return issue


S = Issue.Status
#: The states an issue is left in, each with the staff moves that lead there.
ISSUE_PATHS = {
    "新提交": [],
    "已受理": [S.ACCEPTED],
    "办理中": [S.ACCEPTED, S.IN_PROGRESS],
    "已办结": [S.ACCEPTED, S.IN_PROGRESS, S.RESOLVED],
    "已评价": [S.ACCEPTED, S.IN_PROGRESS, S.RESOLVED],
    "不予受理": [S.REJECTED],
}


def grow(w, n):
    """Add batch `n` of everything the pages read, across the district."""
    today = timezone.localdate()
    month_day = w.first_of_month + timedelta(days=n % 27)
    last_year_day = today.replace(year=today.year - 1, day=min(today.day, 28))

    # Centers: a new community (home, directory, reports) and a building under chuangye (its
    # page lists its children), and more of chuangye's own content.
    street = (w.tree.street, w.tree.other_street)[n % 2]
    community = CenterFactory(
        parent=street, name=f"增长社区{n}党群服务中心", short_name=f"增长社区{n}", slug=f"grown-{n}"
    )
    CenterFactory(
        parent=w.tree.community,
        name=f"增长楼宇{n}党群服务中心",
        short_name=f"增长楼宇{n}",
        slug=f"building-{n}",
        level=Center.Level.BUILDING,
    )
    chuangye = w.tree.community
    RoomFactory(center=chuangye)
    TeamFactory(center=chuangye)
    ServiceFactory(center=chuangye)
    ExhibitionFactory(center=chuangye)
    StaffRoleFactory(center=community, role=StaffRole.Role.EDITOR)

    # Activities: sessions this month at chuangye and the new community, with sign-ups; a
    # session last year with attendance; one more session of the detail page's activity.
    for center in (chuangye, community):
        activity = ActivityFactory(center=center, title=f"月度活动{n}", volunteer_hours=2)
        occurrence = activity.occurrences.get()
        for _ in range(2):
            activity_services.registration_create(user=UserFactory(), occurrence=occurrence)
        _move(occurrence, _local(month_day))
        past = ActivityFactory(center=center, title=f"去年活动{n}", volunteer_hours=1)
        held = past.occurrences.get()
        registration = activity_services.registration_create(user=UserFactory(), occurrence=held)
        Registration.objects.filter(pk=registration.pk).update(attended=True, hours_credited=1)
        _move(held, _local(last_year_day))
        Occurrence.objects.filter(pk=held.pk).update(
            summary="活动顺利举行。", head_count=12, recorded_at=timezone.now()
        )
    extra = Occurrence.objects.create(
        activity=w.activity,
        original_start=w.activity.starts_at + timedelta(weeks=n + 1),
        starts_at=w.activity.starts_at + timedelta(weeks=n + 1),
        ends_at=w.activity.starts_at + timedelta(weeks=n + 1, minutes=90),
        capacity=w.activity.capacity,
    )
    activity_services.registration_create(user=UserFactory(), occurrence=extra)
    held_at = w.activity.starts_at - timedelta(weeks=n + 1)
    held = Occurrence.objects.create(
        activity=w.activity,
        original_start=held_at,
        starts_at=held_at,
        ends_at=held_at + timedelta(minutes=90),
        summary=f"活动纪实{n}",
        head_count=8,
        recorded_at=timezone.now(),
    )
    OccurrencePhoto.objects.create(occurrence=held, image=jpeg_upload(), thumbnail=jpeg_upload())
    for _ in range(2):
        activity_services.registration_create(user=UserFactory(), occurrence=w.occurrence)

    # Issues in every state, this year and last year; the tracked issue gets more history,
    # photos and agenda items.
    for center in (chuangye, community):
        for state, steps in ISSUE_PATHS.items():
            _issue(w, center, f"议题{n}{state}", steps)
        _issue(w, center, f"去年议题{n}已办结", ISSUE_PATHS["已办结"], last_year=True)
    IssueEvent.objects.create(
        issue=w.issue,
        kind=IssueEvent.Kind.PROGRESS,
        actor=w.admin,
        center=chuangye,
        public_note=f"回访进展{n}",
    )
    IssuePhoto.objects.create(issue=w.issue, image=jpeg_upload(), thumbnail=jpeg_upload())
    meeting = issue_services.meeting_save(
        actor=w.admin,
        center=chuangye,
        data={
            "title": f"议事会{n}",
            "held_at": timezone.now() - timedelta(days=1),
            "place": "社区议事厅",
            "minutes": "议定：由物业清理排水沟。",
        },
        participants=[("resident_rep", "", 6)],
        issues=[],
    )
    AgendaItem.objects.create(meeting=meeting, issue=w.issue, decision="由物业清理排水沟。")
    issue_services.meeting_publish(actor=w.admin, meeting=meeting)

    # Care: a beneficiary at each center with a pairing and visits this year and last year.
    program = HelpProgram.objects.create(
        center=chuangye,
        name=f"帮扶活动{n}",
        starts_on=last_year_day,
        ends_on=today + timedelta(days=30),
    )
    for center in (chuangye, community):
        beneficiary = BeneficiaryFactory(center=center)
        BeneficiaryType.objects.create(beneficiary=beneficiary, type="elderly_alone")
        pairing = Pairing.objects.create(
            beneficiary=beneficiary,
            helper_user=w.admin,
            started_on=last_year_day,
            frequency="monthly",
        )
        for day in (today - timedelta(days=3), last_year_day):
            Visit.objects.create(
                beneficiary=beneficiary,
                pairing=pairing,
                program=program,
                visited_on=day,
                kind=Visit.Kind.HOME,
                helper_name="李书记",
                recorded_by=w.admin,
            )

    # The aid station: a new item on the wish list, donations this year and last year, a
    # distribution, a request and an offer; a station at the new community too.
    item = ItemFactory(name=f"物资{n}", category=Item.Category.FOOD, unit="袋")
    WishListItem.objects.create(station=w.station, item=item, note="急需")
    station = AidStationFactory(center=community, name=f"增长援助站{n}")
    for target in (w.station, station):
        for day in (today, last_year_day):
            aid_services.donation_receive(
                actor=w.admin,
                station=target,
                data={"donor_name": "李女士", "received_on": day},
                lines=[(item, 5, "good", True), (w.coat, 2, "good", True)],
            )
        aid_services.distribution_create(
            actor=w.admin,
            station=target,
            lines=[(item, 1), (w.coat, 1)],
            distributed_on=today,
            beneficiary=beneficiary,
        )
        aid_services.aid_request_submit(
            station=target,
            data={"requester_name": "王阿姨", "requester_phone": "13912345678", "reason": "冬衣"},
        )
        aid_services.goods_offer_submit(
            station=target,
            data={"name": "钱先生", "phone": "13800001111", "items": "儿童冬衣十件"},
        )


def build_world(tree, admin):
    """The anchors the pages point at, then the first batch of everything."""
    today = timezone.localdate()
    w = SimpleNamespace(tree=tree, admin=admin, first_of_month=today.replace(day=1))
    # The dashboard's period: three ended months, read from the summaries built below.
    w.summarised_from = (w.first_of_month - timedelta(days=80)).replace(day=1)
    w.activity = ActivityFactory(
        center=tree.community,
        title="规模测试活动",
        starts_at=timezone.now() + timedelta(days=3),
        capacity=10,
    )
    w.occurrence = w.activity.occurrences.get()
    w.issue = _issue(w, tree.community, "规模测试议题", [S.ACCEPTED, S.DELIBERATING])
    w.issue = issue_services.issue_transition(actor=admin, issue=w.issue, to_status=S.IN_PROGRESS)
    w.issue = issue_services.issue_transition(
        actor=admin, issue=w.issue, to_status=S.RESOLVED, resolution="已疏通排水沟。"
    )
    w.coat = ItemFactory(name="棉大衣", category=Item.Category.CLOTHING)
    w.station = AidStationFactory(center=tree.community, name="规模测试援助站")
    grow(w, 0)
    return w


def _path(page, w):
    district = w.tree.district.slug
    return {
        "home": "/",
        "center directory": "/centers/",
        "community page": f"/centers/{w.tree.community.slug}/",
        "district activity month": (
            f"/activities/?view=month&center={district}&date={w.first_of_month.isoformat()}"
        ),
        "activity detail": f"/activities/{w.activity.pk}/",
        "district iCalendar feed": f"/activities/feed.ics?center={district}",
        "issue tracking": f"/deliberation/track/{w.issue.tracking_code}/",
        "aid station": f"/assistance/stations/{w.tree.community.slug}/",
        "staff issue inbox": "/manage/deliberation/",
        # Ended months (from the monthly summaries) and this month (live): every query runs.
        "district report dashboard": (
            f"/manage/reports/?period=custom&start={w.summarised_from.isoformat()}"
            f"&end={timezone.localdate().isoformat()}"
        ),
        "annual report": f"/manage/reports/annual/{district}/{timezone.localdate().year - 1}/",
    }[page]


#: Text from the world each page shows, from batch {n}: the first, then the last.
SHOWS = {
    "home": "增长社区{n}",
    "center directory": "增长社区{n}",
    "community page": "增长楼宇{n}",
    "district activity month": "月度活动{n}",
    "activity detail": "规模测试活动",
    "district iCalendar feed": "SUMMARY:月度活动{n}",
    "issue tracking": "回访进展{n}",
    "aid station": "物资{n}",
    "staff issue inbox": "议题{n}新提交",
    "district report dashboard": "中专路街道",
    "annual report": "去年议题{n}已办结",
}


def _render(client, path):
    """One full render: status, body and the SQL of every query it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return SimpleNamespace(
        status=response.status_code,
        body=response.content.decode(),
        sql=[q["sql"] for q in captured.captured_queries],
    )


@pytest.fixture(scope="module")
def renders(django_db_setup, django_db_blocker, tmp_path_factory):
    """{page: (small render, large render)}: one world, every page at both sizes.

    Building the world dominates the run time, so it is built once: every page is rendered
    (after a warm-up render) over the small world, then again after LARGE - 1 more batches.
    Everything is rolled back at the end.
    """
    from django.core.cache import cache

    with (
        django_db_blocker.unblock(),
        override_settings(
            CACHE_MIDDLEWARE_SECONDS=0,
            AXES_ENABLED=False,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        ),
        transaction.atomic(),
    ):
        cache.clear()
        tree = make_tree()
        admin = StaffRoleFactory(
            center=tree.district, role=StaffRole.Role.MANAGER, user__name="区管理员"
        ).user
        w = build_world(tree, admin)
        for section in summaries.summaries:
            summaries.build(section)
        anonymous, staff = Client(), Client()
        staff.force_login(admin)
        clients = {page: staff if page in STAFF_PAGES else anonymous for page in EXPECTED}
        paths = {page: _path(page, w) for page in EXPECTED}
        small = {}
        for page, path in paths.items():
            clients[page].get(path)  # warm-up: per-process lookups (content types, ...) settle
            cache.clear()  # a rendered feed is kept in the cache: count a render
            small[page] = _render(clients[page], path)
        for n in range(1, LARGE):
            grow(w, n)
        result = {}
        for page, path in paths.items():
            cache.clear()
            result[page] = (small[page], _render(clients[page], path))
        transaction.set_rollback(True)
    cache.clear()
    return result


def _case(page):
    if page in XFAIL:
        return pytest.param(page, marks=pytest.mark.xfail(strict=True, reason=XFAIL[page]))
    return page


@pytest.mark.parametrize("page", [_case(page) for page in EXPECTED])
def test_page_runs_the_same_pinned_number_of_queries_at_both_sizes(page, renders):
    small, large = renders[page]
    for n, render in ((0, small), (LARGE - 1, large)):
        assert render.status == 200
        assert SHOWS[page].format(n=n) in render.body

    assert len(large.sql) == len(small.sql), "\n".join(large.sql)
    assert len(small.sql) == EXPECTED[page], "\n".join(small.sql)
    if page in OVER_BUDGET:
        assert len(small.sql) > BUDGET
    else:
        assert len(small.sql) <= BUDGET
