"""Consultation meetings in the console: schedule, participants, agenda, decisions, publish."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from centers.models import AuditEntry
from deliberation import services
from deliberation.models import AgendaItem, Issue, Meeting, MeetingParticipant
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db
S = Issue.Status
LIST = reverse("deliberation_manage:meetings")


def new_url(center):
    return reverse("deliberation_manage:meeting_new", args=[center.slug])


def meeting_url(meeting, name="meeting"):
    return reverse(f"deliberation_manage:{name}", args=[meeting.pk])


def decide_url(item):
    return reverse("deliberation_manage:meeting_decide", args=[item.meeting_id, item.pk])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(issues=(), **overrides):
    day = timezone.localdate() + timedelta(days=3)
    data = {
        "title": "创业社区居民议事会",
        "held_date": day.isoformat(),
        "held_time": "19:30",
        "place": "社区议事厅",
        "minutes": "",
        "issues": [i.pk for i in issues],
        "party_member-names": "王建华、李秀英",
        "party_member-count": "",
        "grid_worker-names": "",
        "grid_worker-count": "3",
        "volunteer-names": "",
        "volunteer-count": "",
        "resident_rep-names": "赵大姐",
        "resident_rep-count": "6",
        "unit_rep-names": "",
        "unit_rep-count": "0",
        "staff-names": "",
        "staff-count": "1",
    }
    data.update(overrides)
    return data


def make_meeting(center, actor, issues=(), minutes=""):
    return services.meeting_save(
        actor=actor,
        center=center,
        data={
            "title": "居民议事会",
            "held_at": timezone.now() - timedelta(days=1),
            "place": "议事厅",
            "minutes": minutes,
        },
        participants=[("party_member", "", 5), ("resident_rep", "", 8)],
        issues=list(issues),
    )


@pytest.fixture
def deliberating(tree):
    return IssueFactory(center=tree.community, status=S.DELIBERATING, title="化粪池堵塞")


@pytest.fixture
def meeting(tree, community_worker, deliberating):
    return make_meeting(tree.community, community_worker, [deliberating])


# -- Creating and editing -------------------------------------------------------------------------


def test_worker_creates_a_meeting_with_participants_and_agenda(
    client, tree, community_worker, deliberating
):
    accepted = IssueFactory(center=tree.community, status=S.ACCEPTED, due_date=timezone.localdate())
    client.force_login(community_worker)
    response = client.post(new_url(tree.community), form_data([deliberating, accepted]))
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting_url(meeting)
    assert meeting.center == tree.community and meeting.created_by == community_worker
    held = timezone.localtime(meeting.held_at)
    assert (held.date(), held.time()) == (timezone.localdate() + timedelta(days=3), time(19, 30))
    rows = {p.role: (p.names, p.count) for p in meeting.participants.all()}
    assert rows == {
        MeetingParticipant.Role.PARTY_MEMBER: ("王建华、李秀英", 2),  # counted from the names
        MeetingParticipant.Role.GRID_WORKER: ("", 3),
        MeetingParticipant.Role.RESIDENT_REP: ("赵大姐", 6),
        MeetingParticipant.Role.STAFF: ("", 1),
    }
    assert set(meeting.agenda.values_list("issue", flat=True)) == {deliberating.pk, accepted.pk}
    assert AuditEntry.objects.filter(action="create", object_type="meeting").count() == 1


def test_new_meeting_offers_open_issues_at_the_center_and_below(
    client, tree, street_staff, deliberating
):
    sibling_issue = IssueFactory(center=tree.sibling)
    IssueFactory(center=tree.community, status=S.CLOSED)
    IssueFactory(center=tree.other_community)
    client.force_login(street_staff)
    response = client.get(new_url(tree.street))
    offered = {pk for pk, _label in response.context["agenda_form"].fields["issues"].choices}
    assert offered == {deliberating.pk, sibling_issue.pk}
    response = client.get(new_url(tree.community))
    offered = {pk for pk, _label in response.context["agenda_form"].fields["issues"].choices}
    assert offered == {deliberating.pk}


def test_meeting_form_lists_a_row_per_participant_role(client, tree, community_worker):
    client.force_login(community_worker)
    html = client.get(new_url(tree.community)).content.decode()
    for _value, label in MeetingParticipant.Role.choices:
        assert str(label) in html
    assert 'name="resident_rep-count"' in html and 'name="resident_rep-names"' in html


def test_agenda_issue_from_another_community_is_refused(client, tree, community_worker):
    foreign = IssueFactory(center=tree.other_community)
    client.force_login(community_worker)
    response = client.post(new_url(tree.community), form_data([foreign]))
    assert response.status_code == 200
    assert response.context["agenda_form"].errors["issues"]
    assert not Meeting.objects.exists()


def test_fewer_people_than_names_is_a_form_error(client, tree, community_worker):
    client.force_login(community_worker)
    response = client.post(new_url(tree.community), form_data(**{"party_member-count": "1"}))
    assert response.status_code == 200
    assert response.context["participant_errors"]
    assert not Meeting.objects.exists()


def test_missing_title_and_date_are_form_errors(client, tree, community_worker):
    client.force_login(community_worker)
    response = client.post(new_url(tree.community), form_data(title="", held_date=""))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "held_date"}
    assert not Meeting.objects.exists()


def test_editing_keeps_decided_items_and_drops_undecided_ones(
    client, tree, community_worker, deliberating
):
    other = IssueFactory(center=tree.community)
    meeting = make_meeting(tree.community, community_worker, [deliberating, other])
    decided = meeting.agenda.get(issue=deliberating)
    services.meeting_decide(actor=community_worker, item=decided, decision="先疏通", to_status=None)
    client.force_login(community_worker)
    page = client.get(meeting_url(meeting, "meeting_edit"))
    assert page.context["form"]["title"].value() == "居民议事会"
    assert set(page.context["agenda_form"]["issues"].value()) == {deliberating.pk, other.pk}
    response = client.post(
        meeting_url(meeting, "meeting_edit"),
        form_data([], title="居民议事会（第二次）", minutes="会议纪要"),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "居民议事会（第二次）" and meeting.minutes == "会议纪要"
    assert list(meeting.agenda.values_list("issue", flat=True)) == [deliberating.pk]
    assert meeting.participants.count() == 4


# -- Decisions ------------------------------------------------------------------------------------


def test_decision_moves_the_issue_on(client, community_worker, meeting, deliberating):
    item = meeting.agenda.get()
    client.force_login(community_worker)
    response = client.post(
        decide_url(item), {"decision": "由物业出资疏通化粪池。", "to_status": S.IN_PROGRESS}
    )
    assert response.status_code == 302 and response["Location"] == meeting_url(meeting)
    item.refresh_from_db()
    deliberating.refresh_from_db()
    assert item.decision == "由物业出资疏通化粪池。"
    assert deliberating.status == S.IN_PROGRESS
    event = deliberating.events.get()
    assert (event.from_status, event.to_status) == (S.DELIBERATING, S.IN_PROGRESS)
    assert "由物业出资疏通化粪池。" in event.public_note and meeting.title in event.public_note


def test_decision_without_a_move_only_records_the_text(
    client, community_worker, meeting, deliberating
):
    item = meeting.agenda.get()
    client.force_login(community_worker)
    client.post(decide_url(item), {"decision": "下次会议再议。", "to_status": ""})
    item.refresh_from_db()
    deliberating.refresh_from_db()
    assert item.decision == "下次会议再议。"
    assert deliberating.status == S.DELIBERATING and not deliberating.events.exists()


def test_decision_offers_only_moves_that_need_nothing_more(
    client, tree, community_worker, deliberating
):
    submitted = IssueFactory(center=tree.community)
    meeting = make_meeting(tree.community, community_worker, [deliberating, submitted])
    client.force_login(community_worker)
    agenda = client.get(meeting_url(meeting)).context["agenda"]
    choices = {
        item.issue_id: [v for v, _label in item.form.fields["to_status"].choices if v]
        for item in agenda
    }
    assert choices[deliberating.pk] == [S.IN_PROGRESS, S.ESCALATED]
    assert choices[submitted.pk] == [S.REJECTED, S.ESCALATED]


def test_empty_decision_is_a_form_error(client, community_worker, meeting, deliberating):
    item = meeting.agenda.get()
    client.force_login(community_worker)
    response = client.post(decide_url(item), {"decision": "", "to_status": S.IN_PROGRESS})
    assert response.status_code == 200
    deliberating.refresh_from_db()
    assert deliberating.status == S.DELIBERATING


def test_decision_on_an_item_of_another_meeting_is_404(
    client, tree, community_worker, meeting, deliberating
):
    other = make_meeting(tree.community, community_worker, [deliberating])
    item = other.agenda.get()
    client.force_login(community_worker)
    url = reverse("deliberation_manage:meeting_decide", args=[meeting.pk, item.pk + 1000])
    assert client.post(url, {"decision": "x"}).status_code == 404


# -- Publishing -----------------------------------------------------------------------------------


def test_publishing_requires_minutes(client, community_worker, meeting):
    client.force_login(community_worker)
    response = client.post(meeting_url(meeting, "meeting_publish"))
    assert response.status_code == 302
    assert messages_of(response) == ["请先填写会议纪要再公示。"]
    meeting.refresh_from_db()
    assert meeting.published_at is None


def test_publishing_a_meeting_with_minutes(client, tree, community_worker, deliberating):
    meeting = make_meeting(tree.community, community_worker, [deliberating], minutes="议定疏通。")
    client.force_login(community_worker)
    response = client.post(meeting_url(meeting, "meeting_publish"))
    assert response.status_code == 302 and messages_of(response) == ["会议结果已公示。"]
    meeting.refresh_from_db()
    assert meeting.published_at is not None
    assert AuditEntry.objects.filter(summary__startswith="公示协商会议结果").count() == 1
    html = client.get(meeting_url(meeting)).content.decode()
    assert "已公示" in html and meeting.get_absolute_url() in html


# -- Access ---------------------------------------------------------------------------------------


def _urls(meeting, tree):
    return {
        "list": LIST,
        "new": new_url(tree.community),
        "detail": meeting_url(meeting),
        "edit": meeting_url(meeting, "meeting_edit"),
    }


@pytest.mark.parametrize("name", ["list", "new", "detail", "edit"])
def test_anonymous_visitor_is_sent_to_login(client, tree, meeting, name):
    response = client.get(_urls(meeting, tree)[name])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_post_is_sent_to_login_and_changes_nothing(client, meeting):
    item = meeting.agenda.get()
    for url in (decide_url(item), meeting_url(meeting, "meeting_publish")):
        response = client.post(url, {"decision": "x"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    item.refresh_from_db()
    meeting.refresh_from_db()
    assert item.decision == "" and meeting.published_at is None


@pytest.mark.parametrize("name", ["new", "detail", "edit"])
def test_outsider_gets_404(client, tree, outsider, meeting, name):
    client.force_login(outsider)
    assert client.get(_urls(meeting, tree)[name]).status_code == 404


def test_outsider_gets_404_on_decide_and_publish(client, outsider, meeting):
    client.force_login(outsider)
    item = meeting.agenda.get()
    assert client.post(decide_url(item), {"decision": "x"}).status_code == 404
    assert client.post(meeting_url(meeting, "meeting_publish")).status_code == 404


def test_resident_gets_403_on_the_list_and_404_on_a_meeting(client, tree, resident, meeting):
    client.force_login(resident)
    assert client.get(LIST).status_code == 403
    assert client.get(meeting_url(meeting)).status_code == 404
    assert client.get(new_url(tree.community)).status_code == 404
    assert client.post(decide_url(meeting.agenda.get()), {"decision": "x"}).status_code == 404
    assert client.post(meeting_url(meeting, "meeting_publish")).status_code == 404


def test_viewer_reads_but_gets_403_on_changes(client, tree, community_viewer, meeting):
    client.force_login(community_viewer)
    response = client.get(meeting_url(meeting))
    assert response.status_code == 200
    assert all(item.form is None for item in response.context["agenda"])
    assert client.get(new_url(tree.community)).status_code == 403
    assert client.get(meeting_url(meeting, "meeting_edit")).status_code == 403
    item = meeting.agenda.get()
    assert client.post(decide_url(item), {"decision": "x"}).status_code == 403
    assert client.post(meeting_url(meeting, "meeting_publish")).status_code == 403
    item.refresh_from_db()
    assert item.decision == ""


def test_get_on_decide_and_publish_is_405(client, community_worker, meeting):
    client.force_login(community_worker)
    assert client.get(decide_url(meeting.agenda.get())).status_code == 405
    assert client.get(meeting_url(meeting, "meeting_publish")).status_code == 405


def test_meeting_list_shows_meetings_in_scope(client, tree, community_worker, outsider, meeting):
    foreign = make_meeting(tree.other_community, outsider)
    client.force_login(community_worker)
    response = client.get(LIST)
    shown = list(response.context["page_obj"])
    assert shown == [meeting]
    assert shown[0].agenda_count == 1 and shown[0].people_count == 13
    assert foreign not in shown


def test_meeting_list_runs_a_fixed_number_of_queries(
    client, tree, street_staff, community_worker, django_assert_num_queries
):
    make_meeting(
        tree.community, community_worker, IssueFactory.create_batch(2, center=tree.community)
    )
    client.force_login(street_staff)
    client.get(LIST)
    # 1 session, 2 user, 3 roles, 4 the paginator's count, 5 the page with centers and
    # agenda/participant totals, 6 centers for "new meeting".
    with django_assert_num_queries(6):
        client.get(LIST)
    for center in (tree.community, tree.sibling, tree.street) * 10:
        make_meeting(center, street_staff, IssueFactory.create_batch(2, center=center))
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert response.context["page_obj"].paginator.count == 31


def test_meeting_page_runs_a_fixed_number_of_queries(
    client, tree, community_worker, django_assert_num_queries
):
    meeting = make_meeting(
        tree.community, community_worker, IssueFactory.create_batch(3, center=tree.community)
    )
    client.force_login(community_worker)
    url = meeting_url(meeting)
    client.get(url)
    # 1 session, 2 user, 3 meeting in scope with center, 4 roles, 5 ancestors,
    # 6 participants, 7 agenda with issues and their centers.
    with django_assert_num_queries(7):
        client.get(url)
    make_meeting(
        tree.community, community_worker, IssueFactory.create_batch(30, center=tree.community)
    )
    services.meeting_save(
        actor=community_worker,
        center=tree.community,
        meeting=meeting,
        data={},
        participants=[("volunteer", "", 4)],
        issues=list(Issue.objects.all()),
    )
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["agenda"]) == 33
    assert AgendaItem.objects.filter(meeting=meeting).count() == 33


def test_meeting_held_at_is_local_time(client, tree, community_worker):
    client.force_login(community_worker)
    client.post(new_url(tree.community), form_data(held_time="09:00"))
    meeting = Meeting.objects.get()
    day = timezone.localdate() + timedelta(days=3)
    assert meeting.held_at == timezone.make_aware(datetime.combine(day, time(9, 0)))
