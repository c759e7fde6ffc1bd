"""The staff side of the deliberation station: inbox, issue page, every step, contact reveal."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from centers.messaging import sms_outbox
from centers.models import AuditEntry, Center, StaffRole
from deliberation import services
from deliberation.models import Issue, IssueEvent
from tests.factories import CenterFactory, IssueFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db
S = Issue.Status
INBOX = reverse("deliberation_manage:inbox")


@pytest.fixture(autouse=True)
def _sms(settings):
    settings.SMS_BACKEND = "centers.messaging.LocmemSmsBackend"
    sms_outbox.clear()


def page_url(issue):
    return reverse("deliberation_manage:issue", args=[issue.pk])


def action_url(issue, action):
    return reverse("deliberation_manage:issue_action", args=[issue.pk, action])


def contact_url(issue):
    return reverse("deliberation_manage:issue_contact", args=[issue.pk])


def step(client, issue, action, expected_status=None, **data):
    """POST one step as the issue page would, with the status the page showed."""
    data["expected_status"] = expected_status or issue.status
    return client.post(action_url(issue, action), data)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def listed(response):
    return [issue.pk for issue in response.context["page_obj"]]


def in_future(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def issue(tree):
    return IssueFactory(
        center=tree.community, submitter_name="张建国", submitter_phone="13812345678"
    )


# -- Who may open what ----------------------------------------------------------------------------


GET_VIEWS = ["inbox", "issue"]
ACTIONS = [
    "accept",
    "reject",
    "merge",
    "escalate",
    "deliberate",
    "decide",
    "resolve",
    "assign",
    "progress",
]


def _get_url(name, issue):
    return INBOX if name == "inbox" else page_url(issue)


@pytest.mark.parametrize("name", GET_VIEWS)
def test_anonymous_visitor_is_sent_to_login(client, issue, name):
    response = client.get(_get_url(name, issue))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("action", [*ACTIONS, "contact"])
def test_anonymous_post_is_sent_to_login_and_changes_nothing(client, issue, action):
    response = step(client, issue, action)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not issue.events.exists()
    assert not AuditEntry.objects.exists()


def test_resident_gets_403_on_the_inbox_and_404_on_an_issue(client, resident, issue):
    client.force_login(resident)
    assert client.get(INBOX).status_code == 403
    assert client.get(page_url(issue)).status_code == 404
    assert step(client, issue, "accept", due_date=in_future(5)).status_code == 404
    assert client.post(contact_url(issue)).status_code == 404


def test_outsider_gets_404_for_another_communitys_issue(client, outsider, issue):
    client.force_login(outsider)
    assert client.get(page_url(issue)).status_code == 404
    assert listed(client.get(INBOX)) == []


@pytest.mark.parametrize("action", [*ACTIONS, "contact"])
def test_outsider_gets_404_on_every_action_and_nothing_changes(client, outsider, issue, action):
    client.force_login(outsider)
    response = step(client, issue, action, due_date=in_future(5), public_note="x")
    assert response.status_code == 404
    issue.refresh_from_db()
    assert issue.status == S.SUBMITTED and not issue.events.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_viewer_gets_403_on_actions(client, community_viewer, issue, action):
    client.force_login(community_viewer)
    response = step(client, issue, action, due_date=in_future(5), public_note="理由")
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.status == S.SUBMITTED and not issue.events.exists()


def test_viewer_sees_the_issue_page_without_forms(client, community_viewer, issue):
    client.force_login(community_viewer)
    response = client.get(page_url(issue))
    assert response.status_code == 200
    assert response.context["steps"] == []
    assert "只有查看权限" in response.content.decode()


@pytest.mark.parametrize("action", [*ACTIONS, "contact"])
def test_get_on_an_action_is_405(client, community_worker, issue, action):
    client.force_login(community_worker)
    assert client.get(action_url(issue, action)).status_code == 405


def test_unknown_action_is_404(client, community_worker, issue):
    client.force_login(community_worker)
    assert step(client, issue, "delete").status_code == 404


def test_post_to_the_inbox_or_issue_page_is_405(client, community_worker, issue):
    client.force_login(community_worker)
    assert client.post(INBOX).status_code == 405
    assert client.post(page_url(issue)).status_code == 405


# -- Inbox ----------------------------------------------------------------------------------------


def test_inbox_lists_issues_in_scope_newest_first(client, tree, community_worker):
    now = timezone.now()
    older = IssueFactory(center=tree.community, created_at=now - timedelta(days=2))
    newer = IssueFactory(center=tree.community, created_at=now - timedelta(hours=1))
    IssueFactory(center=tree.sibling)
    IssueFactory(center=tree.other_community)
    client.force_login(community_worker)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert listed(response) == [newer.pk, older.pk]


def test_street_inbox_covers_its_communities_only(client, tree, street_staff):
    ours = [IssueFactory(center=c) for c in (tree.street, tree.community, tree.sibling)]
    IssueFactory(center=tree.other_community)
    IssueFactory(center=tree.district)
    client.force_login(street_staff)
    assert set(listed(client.get(INBOX))) == {i.pk for i in ours}


def test_inbox_row_shows_the_issue_and_masks_the_submitter(client, tree, community_worker, issue):
    Issue.objects.filter(pk=issue.pk).update(assigned_to=community_worker)
    client.force_login(community_worker)
    html = client.get(INBOX).content.decode()
    assert issue.title in html and issue.display_code in html
    assert "排水积水" in html and "创业社区" in html and "已提交" in html
    assert "社区工作人员" in html
    assert "张**" in html and "138****5678" in html
    assert "13812345678" not in html and "张建国" not in html


def test_inbox_flags_overdue_issues(client, tree, community_worker):
    late = IssueFactory(center=tree.community, response_due=timezone.now() - timedelta(hours=2))
    IssueFactory(center=tree.community)
    client.force_login(community_worker)
    response = client.get(INBOX)
    html = response.content.decode()
    assert html.count("dm-issue is-overdue") == 1
    assert response.context["overdue_count"] == 1
    assert late.title in html


def test_inbox_summary_counts_each_status(client, tree, community_worker):
    IssueFactory.create_batch(2, center=tree.community)
    IssueFactory(center=tree.community, status=S.ACCEPTED, due_date=timezone.localdate())
    IssueFactory(center=tree.community, status=S.CLOSED)
    client.force_login(community_worker)
    response = client.get(INBOX)
    counts = {value: n for value, _label, n in response.context["status_counts"]}
    # Open states are counted (those with issues); closed ones are links without a count.
    assert {k: n for k, n in counts.items() if n is not None} == {S.SUBMITTED: 2, S.ACCEPTED: 1}
    assert counts[S.CLOSED] is None and S.IN_PROGRESS not in counts
    assert response.context["open_count"] == 3
    assert response.context["page_obj"].paginator.count == 3
    assert client.get(INBOX, {"status": "all"}).context["page_obj"].paginator.count == 4


def test_inbox_opens_on_the_open_issues(client, tree, community_worker):
    pending = IssueFactory(center=tree.community)
    done = IssueFactory(center=tree.community, status=S.CLOSED)
    client.force_login(community_worker)
    assert listed(client.get(INBOX)) == [pending.pk]
    assert set(listed(client.get(INBOX, {"status": "all"}))) == {pending.pk, done.pk}
    # The filter form's "全部" sends an empty status: every state.
    assert set(listed(client.get(INBOX, {"status": "", "q": ""}))) == {pending.pk, done.pk}


@pytest.fixture
def mixed(tree, community_worker):
    """Issues in several states, categories and centers under the street."""
    today = timezone.localdate()
    return {
        "new": IssueFactory(center=tree.community, category="roads"),
        "late": IssueFactory(
            center=tree.community, response_due=timezone.now() - timedelta(hours=1)
        ),
        "working": IssueFactory(
            center=tree.sibling,
            status=S.IN_PROGRESS,
            due_date=today - timedelta(days=1),
            assigned_to=community_worker,
        ),
        "done": IssueFactory(center=tree.community, status=S.CLOSED, category="roads"),
        "street": IssueFactory(center=tree.street, status=S.ACCEPTED, due_date=today),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "submitted"}, {"new", "late"}),
        ({"status": "open"}, {"new", "late", "working", "street"}),
        ({"status": "closed"}, {"done"}),
        ({"category": "roads"}, {"new"}),
        ({"category": "roads", "status": "all"}, {"new", "done"}),
        ({"center": "chuangye", "status": "all"}, {"new", "late", "done"}),
        ({"center": "zhongzhuanlu", "status": ""}, {"new", "late", "working", "done", "street"}),
        ({"center": "zhanlanguan"}, {"working"}),
        ({"overdue": "on"}, {"late", "working"}),
        ({"mine": "on"}, {"working"}),
        ({"status": "open", "category": "roads", "center": "chuangye"}, {"new"}),
    ],
)
def test_inbox_filters(client, street_staff, community_worker, mixed, query, expected):
    user = community_worker if "mine" in query else street_staff
    StaffRoleFactory(user=community_worker, center=mixed["working"].center)
    client.force_login(user)
    response = client.get(INBOX, query)
    assert response.status_code == 200
    assert set(listed(response)) == {mixed[key].pk for key in expected}


def test_inbox_finds_an_issue_by_its_tracking_code(client, street_staff, mixed):
    client.force_login(street_staff)
    code = mixed["late"].display_code.lower()
    assert listed(client.get(INBOX, {"q": code})) == [mixed["late"].pk]


def test_inbox_ignores_a_center_outside_the_scope(client, community_worker, mixed):
    client.force_login(community_worker)
    response = client.get(INBOX, {"center": "jiankang"})
    assert response.status_code == 200
    assert response.context["form"].errors["center"]
    assert set(listed(response)) == {mixed[k].pk for k in ("new", "late")}


def test_inbox_runs_a_fixed_number_of_queries(
    client, tree, street_staff, community_worker, django_assert_num_queries
):
    for center in (tree.community, tree.sibling, tree.street):
        IssueFactory(center=center, assigned_to=community_worker)
    client.force_login(street_staff)
    client.get(INBOX)
    # 1 session, 2 user, 3 roles, 4 the centers the filter offers, 5 counts per open status
    # with the overdue count, 6 the page with centers and assignees (the counts give the
    # paginator its count).
    with django_assert_num_queries(6):
        client.get(INBOX)
    for i in range(57):
        IssueFactory(
            center=(tree.community, tree.sibling, tree.street)[i % 3],
            assigned_to=community_worker if i % 2 else None,
            status=(S.SUBMITTED, S.ACCEPTED, S.RESOLVED)[i % 3],
        )
    # Every state: 7 the paginator's count as well.
    with django_assert_num_queries(7):
        response = client.get(INBOX, {"page": 2, "status": "all"})
    assert response.context["page_obj"].paginator.count == 60
    # A chosen center: 4 that center, 5 the centers the filter offers, 6 counts, 7 the page.
    with django_assert_num_queries(7):
        response = client.get(
            INBOX, {"status": "open", "center": "chuangye", "category": "drainage"}
        )
    assert response.context["page_obj"].paginator.count == 20


def offered(response):
    """The center filter's options as (slug, label), "全部中心" left out."""
    return [
        (value, str(label)) for value, label in response.context["form"].fields["center"].choices
    ][1:]


def center_select(response):
    """The center filter's `<select>` as rendered."""
    html = response.content.decode()
    return html[html.index('id="id_center"') :].partition("</select>")[0]


def test_district_inbox_offers_the_streets_then_the_chosen_streets_communities(
    client, tree, district_admin
):
    ours = [IssueFactory(center=c) for c in (tree.street, tree.community, tree.sibling)]
    IssueFactory(center=tree.other_community)
    IssueFactory(center=tree.district)
    client.force_login(district_admin)
    response = client.get(INBOX)
    assert offered(response) == [
        ("district", "区中心"),
        ("zhongzhuanlu", "\u3000中专路街道"),
        ("renminlu", "\u3000人民路街道"),
    ]
    assert "创业社区" not in center_select(response)
    response = client.get(INBOX, {"center": "zhongzhuanlu"})
    assert offered(response) == [
        ("district", "区中心"),
        ("zhongzhuanlu", "\u3000中专路街道"),
        ("chuangye", "\u3000\u3000创业社区"),
        ("zhanlanguan", "\u3000\u3000展览馆社区"),
        ("renminlu", "\u3000人民路街道"),
    ]
    assert '<option value="zhongzhuanlu" selected>' in center_select(response)
    assert set(listed(response)) == {i.pk for i in ours}
    response = client.get(INBOX, {"center": "chuangye"})
    assert [slug for slug, _label in offered(response)] == [
        "district",
        "zhongzhuanlu",
        "chuangye",
        "renminlu",
    ]
    assert listed(response) == [ours[1].pk]


def test_inbox_filter_explains_how_to_narrow_down(client, district_admin):
    client.force_login(district_admin)
    html = client.get(INBOX).content.decode()
    assert "先选街道并点“筛选”" in html
    assert 'aria-describedby="id_center_helptext"' in html


def test_a_deep_center_given_by_url_is_selected_with_its_ancestors(client, tree, street_staff):
    building = CenterFactory(
        parent=tree.community, short_name="金宇文苑", slug="jinyu", level=Center.Level.BUILDING
    )
    there = IssueFactory(center=building)
    IssueFactory(center=tree.community)
    client.force_login(street_staff)
    response = client.get(INBOX, {"center": "jinyu"})
    assert response.status_code == 200
    assert not response.context["form"].errors
    # The street is the top of this scope: the district above it is not offered.
    assert offered(response) == [
        ("zhongzhuanlu", "中专路街道"),
        ("chuangye", "\u3000创业社区"),
        ("jinyu", "\u3000\u3000金宇文苑"),
        ("zhanlanguan", "\u3000展览馆社区"),
    ]
    assert '<option value="jinyu" selected>' in center_select(response)
    assert listed(response) == [there.pk]


@pytest.mark.parametrize(
    "slug",
    ["renminlu", "jiankang", "district", "no-such-center", "zhong%zhuanlu", "a\x00b", "街道"],
)
def test_inbox_ignores_a_slug_outside_the_scope_or_unknown(client, tree, street_staff, slug):
    ours = [IssueFactory(center=c) for c in (tree.street, tree.community)]
    IssueFactory(center=tree.other_community)
    IssueFactory(center=tree.other_street)
    client.force_login(street_staff)
    response = client.get(INBOX, {"center": slug})
    assert response.status_code == 200
    assert response.context["form"].errors["center"]
    assert response.context["filters"]["center"] is None
    assert set(listed(response)) == {i.pk for i in ours}
    assert [s for s, _label in offered(response)] == ["zhongzhuanlu", "chuangye", "zhanlanguan"]
    html = response.content.decode()
    assert "人民路街道" not in html and "健康社区" not in html


def test_inbox_queries_do_not_grow_with_the_number_of_centers(
    client, tree, district_admin, django_assert_num_queries
):
    IssueFactory(center=tree.community)
    client.force_login(district_admin)
    client.get(INBOX)

    def render_both():
        # 1 session, 2 user, 3 roles, 4 the centers the filter offers, 5 counts per open
        # status with the overdue count, 6 the page with centers and assignees.
        with django_assert_num_queries(6):
            everything = client.get(INBOX)
        # A chosen center: 4 that center, 5 the centers offered, 6 counts, 7 the page.
        with django_assert_num_queries(7):
            chosen = client.get(INBOX, {"center": "chuangye"})
        return len(offered(everything)), len(offered(chosen))

    assert render_both() == (3, 4)
    for _i in range(20):
        street = CenterFactory(parent=tree.district, level=Center.Level.STREET)
        for _j in range(3):
            CenterFactory(parent=street)
        CenterFactory(parent=tree.street)
        CenterFactory(parent=tree.sibling, level=Center.Level.BUILDING)
    assert render_both() == (23, 24)


# -- Issue page -----------------------------------------------------------------------------------


def test_issue_page_shows_the_issue_its_timeline_and_masked_submitter(
    client, tree, community_worker, issue
):
    services.issue_transition(
        actor=community_worker,
        issue=issue,
        to_status=S.ACCEPTED,
        due_date=timezone.localdate() + timedelta(days=10),
        public_note="已受理，近期安排人员查看。",
        internal_note="联系市政排水所。",
    )
    client.force_login(community_worker)
    response = client.get(page_url(issue))
    html = response.content.decode()
    assert response.status_code == 200
    assert issue.title in html and issue.description in html and issue.display_code in html
    assert "已提交 → 已受理" in html
    assert "已受理，近期安排人员查看。" in html and "联系市政排水所。" in html
    assert "社区工作人员" in html  # the actor
    assert "张**" in html and "138****5678" in html
    assert "13812345678" not in html and "张建国" not in html
    assert "查看完整联系方式" in html


def test_issue_page_offers_the_allowed_steps_only(client, tree, community_worker, issue):
    client.force_login(community_worker)
    actions = [s["action"] for s in client.get(page_url(issue)).context["steps"]]
    assert actions == ["accept", "escalate", "merge", "reject", "assign", "progress"]
    Issue.objects.filter(pk=issue.pk).update(status=S.DELIBERATING)
    actions = [s["action"] for s in client.get(page_url(issue)).context["steps"]]
    assert actions == ["decide", "escalate", "assign", "progress"]
    Issue.objects.filter(pk=issue.pk).update(status=S.RESOLVED)
    assert client.get(page_url(issue)).context["steps"] == []


def test_escalation_names_the_parent_center(client, tree, community_worker, issue):
    client.force_login(community_worker)
    labels = [s["label"] for s in client.get(page_url(issue)).context["steps"]]
    assert "上报中专路街道" in labels


def test_district_issue_cannot_be_escalated(client, tree, district_admin):
    top = IssueFactory(center=tree.district)
    client.force_login(district_admin)
    actions = [s["action"] for s in client.get(page_url(top)).context["steps"]]
    assert "escalate" not in actions


def test_each_step_form_carries_the_status_the_page_showed(client, community_worker, issue):
    client.force_login(community_worker)
    html = client.get(page_url(issue)).content.decode()
    assert html.count('name="expected_status" value="submitted"') == 6


def test_issue_page_runs_a_fixed_number_of_queries(
    client, tree, community_worker, django_assert_num_queries
):
    issue = IssueFactory(center=tree.community)
    services.issue_transition(
        actor=community_worker,
        issue=issue,
        to_status=S.ACCEPTED,
        due_date=timezone.localdate() + timedelta(days=5),
    )
    IssueFactory.create_batch(2, center=tree.community)
    client.force_login(community_worker)
    url = page_url(issue)
    client.get(url)
    # 1 session, 2 user, 3 issue in scope with center, assignee and merge target, 4 roles,
    # 5 ancestors (breadcrumb and escalation target), 6 photos, 7 events with actors and
    # centers, 8 issues merged into it, 9 its meetings, 10 colleagues to assign,
    # 11 open issues of the center to merge into.
    with django_assert_num_queries(11):
        client.get(url)
    for i in range(60):
        services.issue_progress(
            actor=community_worker, issue=issue, public_note=f"进展{i}", internal_note="内部"
        )
    IssueFactory.create_batch(30, center=tree.community)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert len(response.context["events"]) == 61


# -- The whole path through the views -------------------------------------------------------------


def test_accept_deliberate_decide_resolve_through_the_views(client, community_worker, issue):
    client.force_login(community_worker)
    due = timezone.localdate() + timedelta(days=15)

    response = step(
        client,
        issue,
        "accept",
        due_date=due.isoformat(),
        public_note="已受理，将组织居民议事。",
        internal_note="请网格员先看现场。",
    )
    assert response.status_code == 302 and response["Location"] == page_url(issue)
    assert "已受理。" in messages_of(response)
    issue.refresh_from_db()
    assert issue.status == S.ACCEPTED and issue.due_date == due and issue.accepted_at

    response = step(client, issue, "deliberate", public_note="提交居民议事会协商。")
    issue.refresh_from_db()
    assert response.status_code == 302 and issue.status == S.DELIBERATING

    response = step(client, issue, "decide", public_note="议定由物业出资疏通排水管。")
    issue.refresh_from_db()
    assert response.status_code == 302 and issue.status == S.IN_PROGRESS

    response = step(client, issue, "resolve", resolution="排水管已疏通，雨后无积水。")
    issue.refresh_from_db()
    assert response.status_code == 302 and issue.status == S.RESOLVED
    assert issue.resolution == "排水管已疏通，雨后无积水。" and issue.resolved_at

    events = list(issue.events.order_by("created_at", "pk"))
    assert [(e.from_status, e.to_status) for e in events] == [
        (S.SUBMITTED, S.ACCEPTED),
        (S.ACCEPTED, S.DELIBERATING),
        (S.DELIBERATING, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.RESOLVED),
    ]
    assert [e.public_note for e in events] == [
        "已受理，将组织居民议事。",
        "提交居民议事会协商。",
        "议定由物业出资疏通排水管。",
        "排水管已疏通，雨后无积水。",
    ]
    assert events[0].internal_note == "请网格员先看现场。"
    assert all(e.actor == community_worker for e in events)


def test_accepted_issue_can_be_handled_directly(client, tree, community_worker):
    issue = IssueFactory(center=tree.community, status=S.ACCEPTED, due_date=timezone.localdate())
    client.force_login(community_worker)
    response = step(client, issue, "decide")
    issue.refresh_from_db()
    assert response.status_code == 302 and issue.status == S.IN_PROGRESS


def test_recording_a_decision_needs_its_text(client, tree, community_worker):
    issue = IssueFactory(center=tree.community, status=S.DELIBERATING)
    client.force_login(community_worker)
    response = step(client, issue, "decide", public_note="")
    assert response.status_code == 200
    assert response.context["steps"][0]["form"].errors["public_note"]
    issue.refresh_from_db()
    assert issue.status == S.DELIBERATING


def test_stale_page_gets_the_refresh_message_and_changes_nothing(
    client, tree, community_worker, street_staff, issue
):
    due = timezone.localdate() + timedelta(days=7)
    services.issue_transition(actor=street_staff, issue=issue, to_status=S.ACCEPTED, due_date=due)
    client.force_login(community_worker)
    response = step(
        client,
        issue,
        "accept",
        expected_status=S.SUBMITTED,
        due_date=(due + timedelta(days=20)).isoformat(),
    )
    assert response.status_code == 302 and response["Location"] == page_url(issue)
    assert any("刷新" in m for m in messages_of(response))
    issue.refresh_from_db()
    assert issue.status == S.ACCEPTED and issue.due_date == due
    assert issue.events.count() == 1


def test_stale_page_cannot_apply_a_step_still_allowed_from_the_new_state(
    client, tree, community_worker, street_staff, issue
):
    services.issue_transition(
        actor=street_staff,
        issue=issue,
        to_status=S.ACCEPTED,
        due_date=timezone.localdate() + timedelta(days=7),
    )
    client.force_login(community_worker)
    response = step(client, issue, "escalate", expected_status=S.SUBMITTED)
    assert any("刷新" in m for m in messages_of(response))
    issue.refresh_from_db()
    assert issue.status == S.ACCEPTED and issue.center == tree.community


def test_submitting_the_same_step_twice_applies_it_once(client, community_worker, issue):
    client.force_login(community_worker)
    data = {"due_date": in_future(10), "expected_status": S.SUBMITTED}
    client.post(action_url(issue, "accept"), data)
    response = client.post(action_url(issue, "accept"), data)
    assert response.status_code == 302
    assert any("刷新" in m for m in messages_of(response))
    assert issue.events.count() == 1


def test_accepting_with_a_past_due_date_shows_the_services_error(client, community_worker, issue):
    client.force_login(community_worker)
    response = step(client, issue, "accept", due_date=in_future(-1))
    assert response.status_code == 200
    form = next(s["form"] for s in response.context["steps"] if s["action"] == "accept")
    assert form.errors["due_date"] == ["办结期限不能早于今天。"]
    issue.refresh_from_db()
    assert issue.status == S.SUBMITTED


def test_accept_form_defaults_to_fifteen_days(client, community_worker, issue):
    client.force_login(community_worker)
    form = client.get(page_url(issue)).context["steps"][0]["form"]
    assert form["due_date"].value() == timezone.localdate() + timedelta(days=15)


def test_reject_needs_a_public_reason(client, community_worker, issue):
    client.force_login(community_worker)
    response = step(client, issue, "reject", public_note="")
    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.status == S.SUBMITTED
    response = step(client, issue, "reject", public_note="属于小区业主自治事项，已告知居民。")
    issue.refresh_from_db()
    assert response.status_code == 302
    assert issue.status == S.REJECTED
    assert issue.public_reason == "属于小区业主自治事项，已告知居民。"
    assert issue.events.get().public_note == issue.public_reason


def test_resolve_needs_a_resolution(client, tree, community_worker):
    issue = IssueFactory(center=tree.community, status=S.IN_PROGRESS)
    client.force_login(community_worker)
    response = step(client, issue, "resolve", resolution="")
    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.status == S.IN_PROGRESS


# -- Merging and escalation -----------------------------------------------------------------------


def test_merge_into_an_issue_named_by_tracking_code(client, tree, community_worker, issue):
    target = IssueFactory(center=tree.community)
    client.force_login(community_worker)
    response = step(
        client, issue, "merge", code=target.display_code.lower(), public_note="同一处积水。"
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == S.MERGED and issue.merged_into == target
    event = issue.events.get()
    assert (event.to_status, event.public_note) == (S.MERGED, "同一处积水。")
    page = client.get(page_url(target)).content.decode()
    assert issue.title in page  # listed as merged into the target


def test_merge_into_an_issue_picked_from_the_list(client, tree, community_worker, issue):
    target = IssueFactory(center=tree.community)
    IssueFactory(center=tree.community, status=S.CLOSED)
    client.force_login(community_worker)
    form = next(
        s["form"] for s in client.get(page_url(issue)).context["steps"] if s["action"] == "merge"
    )
    assert [pk for pk, _label in form.fields["target"].choices if pk] == [target.pk]
    step(client, issue, "merge", target=target.pk)
    issue.refresh_from_db()
    assert issue.merged_into == target


@pytest.mark.parametrize("where", ["unknown", "out_of_scope", "itself"])
def test_merge_target_must_be_another_issue_in_scope(client, tree, community_worker, issue, where):
    code = {
        "unknown": "AAAA-AAAA-AAAA",
        "out_of_scope": IssueFactory(center=tree.other_community).tracking_code,
        "itself": issue.tracking_code,
    }[where]
    client.force_login(community_worker)
    response = step(client, issue, "merge", code=code)
    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.status == S.SUBMITTED and not issue.events.exists()


def test_merging_into_a_rejected_issue_shows_the_services_error(
    client, tree, community_worker, issue
):
    target = IssueFactory(center=tree.community, status=S.REJECTED)
    client.force_login(community_worker)
    response = step(client, issue, "merge", code=target.tracking_code)
    assert response.status_code == 200
    form = next(s["form"] for s in response.context["steps"] if s["action"] == "merge")
    assert "不能合并到已合并或不予受理的议题。" in str(form.errors)


def test_escalation_moves_the_issue_from_the_community_inbox_to_the_streets(
    client, tree, community_worker, street_staff, issue
):
    client.force_login(community_worker)
    response = step(client, issue, "escalate", internal_note="涉及两个社区，需街道协调。")
    assert response.status_code == 302 and response["Location"] == INBOX
    issue.refresh_from_db()
    assert issue.status == S.ESCALATED and issue.center == tree.street
    event = issue.events.get()
    assert (event.from_status, event.to_status, event.center) == (
        S.SUBMITTED,
        S.ESCALATED,
        tree.street,
    )
    assert listed(client.get(INBOX)) == []
    assert client.get(page_url(issue)).status_code == 404
    client.force_login(street_staff)
    assert listed(client.get(INBOX)) == [issue.pk]
    assert client.get(page_url(issue)).status_code == 200


# -- Assignment and progress ----------------------------------------------------------------------


def test_colleagues_to_assign_are_editors_and_managers_at_the_center_or_above(
    client, tree, community_worker, community_viewer, street_staff, district_admin, outsider, issue
):
    sibling_worker = StaffRoleFactory(center=tree.sibling).user
    client.force_login(community_worker)
    form = next(
        s["form"] for s in client.get(page_url(issue)).context["steps"] if s["action"] == "assign"
    )
    offered = set(form.fields["assignee"].queryset)
    assert offered == {community_worker, street_staff, district_admin}
    assert not offered & {community_viewer, outsider, sibling_worker}


def test_assign_to_a_colleague_and_filter_assigned_to_me(
    client, tree, community_worker, street_staff, issue
):
    client.force_login(street_staff)
    response = step(client, issue, "assign", assignee=community_worker.pk, internal_note="请跟进")
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.assigned_to == community_worker
    event = issue.events.get()
    assert event.kind == IssueEvent.Kind.ASSIGN and event.internal_note == "请跟进"
    assert issue.status == S.SUBMITTED
    client.force_login(community_worker)
    assert listed(client.get(INBOX, {"mine": "on"})) == [issue.pk]


def test_assigning_to_someone_without_a_role_here_is_refused(
    client, community_worker, outsider, issue
):
    client.force_login(community_worker)
    response = step(client, issue, "assign", assignee=outsider.pk)
    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.assigned_to is None and not issue.events.exists()


def test_progress_note_is_posted_with_public_and_internal_text(client, community_worker, issue):
    client.force_login(community_worker)
    response = step(
        client, issue, "progress", public_note="已联系物业。", internal_note="物业经理答应周五来。"
    )
    assert response.status_code == 302
    event = issue.events.get()
    assert event.kind == IssueEvent.Kind.PROGRESS
    assert (event.public_note, event.internal_note) == ("已联系物业。", "物业经理答应周五来。")
    issue.refresh_from_db()
    assert issue.status == S.SUBMITTED


def test_empty_progress_is_a_form_error(client, community_worker, issue):
    client.force_login(community_worker)
    response = step(client, issue, "progress")
    assert response.status_code == 200
    assert not issue.events.exists()


def test_closed_issue_takes_no_more_steps(client, tree, community_worker):
    issue = IssueFactory(center=tree.community, status=S.CLOSED)
    client.force_login(community_worker)
    assert client.get(page_url(issue)).context["steps"] == []
    response = step(client, issue, "progress", public_note="还有进展")
    assert response.status_code == 302
    assert messages_of(response) == ["已结束的议题不能再添加进展。"]
    assert not issue.events.exists()


# -- The submitter's contact details --------------------------------------------------------------


def test_revealing_contact_shows_it_once_and_writes_the_access_log(client, community_worker, issue):
    client.force_login(community_worker)
    response = client.post(contact_url(issue))
    html = response.content.decode()
    assert response.status_code == 200
    assert "张建国" in html and "13812345678" in html
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.VIEW_PERSONAL
    assert entry.actor == community_worker and entry.object_id == str(issue.pk)
    assert entry.object_type == "issue"
    for url in (page_url(issue), INBOX):
        html = client.get(url).content.decode()
        assert "13812345678" not in html and "张建国" not in html
    assert AuditEntry.objects.count() == 1


def test_viewer_may_reveal_contact_and_is_logged(client, community_viewer, issue):
    client.force_login(community_viewer)
    response = client.post(contact_url(issue))
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    assert AuditEntry.objects.get().actor == community_viewer


def test_anonymous_submission_offers_no_contact_button(client, tree, community_worker):
    issue = IssueFactory(
        center=tree.community, submitter_name="", submitter_phone="", is_anonymous=True
    )
    client.force_login(community_worker)
    html = client.get(page_url(issue)).content.decode()
    assert "查看完整联系方式" not in html and "匿名" in html


def test_a_district_admin_works_any_issue(client, tree, district_admin):
    issue = IssueFactory(center=tree.other_community)
    client.force_login(district_admin)
    response = step(client, issue, "accept", due_date=in_future(3))
    issue.refresh_from_db()
    assert response.status_code == 302 and issue.status == S.ACCEPTED


def test_a_manager_role_works_issues_like_an_editor(client, tree, issue):
    manager = StaffRoleFactory(center=tree.community, role=StaffRole.Role.MANAGER).user
    client.force_login(manager)
    step(client, issue, "deliberate", expected_status=S.SUBMITTED)  # not allowed from here
    issue.refresh_from_db()
    assert issue.status == S.SUBMITTED
    step(client, issue, "accept", due_date=in_future(3))
    issue.refresh_from_db()
    assert issue.status == S.ACCEPTED
