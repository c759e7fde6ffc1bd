import pytest
from django.urls import reverse

from centers.models import AuditEntry, Center, Room, Team
from tests.factories import RoomFactory, TeamFactory

pytestmark = pytest.mark.django_db


def edit_url(slug):
    return reverse("manage:center_edit", args=[slug])


CENTER_DATA = {
    "name": "创业社区党群服务中心",
    "short_name": "创业社区",
    "brand": "众心向和谐",
    "brand_story": "",
    "intro": "居民议事站",
    "address": "中专路1号",
    "phone": "0471-6666666",
    "opening_hours": "周一至周五 8:30–17:30",
    "area_sqm": "600",
    "is_published": "on",
}


def test_anonymous_users_reach_no_staff_page(client, tree):
    for url in [
        reverse("manage:dashboard"),
        reverse("manage:center", args=["chuangye"]),
        edit_url("chuangye"),
        reverse("manage:content_add", args=["chuangye", "rooms"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_residents_get_403_at_the_console(client, resident, tree):
    client.force_login(resident)
    assert client.get(reverse("manage:dashboard")).status_code == 403
    assert client.get(reverse("manage:center", args=["chuangye"])).status_code == 404


def test_dashboard_lists_centers_in_scope(client, street_staff):
    client.force_login(street_staff)
    response = client.get(reverse("manage:dashboard"))
    assert response.status_code == 200
    assert {c.slug for c in response.context["centers"]} == {
        "zhongzhuanlu",
        "chuangye",
        "zhanlanguan",
    }
    assert "健康社区" not in response.content.decode()


def test_community_worker_edits_own_center_and_change_is_audited(client, community_worker, tree):
    client.force_login(community_worker)
    response = client.post(edit_url("chuangye"), CENTER_DATA)
    assert response.status_code == 302
    tree.community.refresh_from_db()
    assert tree.community.brand == "众心向和谐"
    entry = AuditEntry.objects.get()
    assert entry.actor == community_worker and entry.center == tree.community
    assert "服务品牌" in entry.summary
    public = client.get(reverse("centers:detail", args=["chuangye"])).content.decode()
    assert "众心向和谐" in public


def test_community_worker_cannot_see_or_change_another_community(client, community_worker, tree):
    client.force_login(community_worker)
    assert client.get(reverse("manage:center", args=["zhanlanguan"])).status_code == 404
    assert client.get(edit_url("zhanlanguan")).status_code == 404
    assert client.post(edit_url("zhanlanguan"), CENTER_DATA).status_code == 404
    assert client.get(edit_url("zhongzhuanlu")).status_code == 404
    tree.sibling.refresh_from_db()
    assert tree.sibling.brand == ""


def test_street_staff_can_change_their_communities(client, street_staff, tree):
    client.force_login(street_staff)
    response = client.post(
        edit_url("zhanlanguan"), {**CENTER_DATA, "name": "展览馆社区党群服务中心"}
    )
    assert response.status_code == 302
    assert Center.objects.get(slug="zhanlanguan").brand == "众心向和谐"
    assert client.get(edit_url("jiankang")).status_code == 404


def test_district_admin_can_change_any_center(client, district_admin, tree):
    client.force_login(district_admin)
    assert client.get(edit_url("jiankang")).status_code == 200
    assert client.get(edit_url("district")).status_code == 200


def test_viewer_role_gets_403_on_edit(client, community_viewer):
    client.force_login(community_viewer)
    assert client.get(reverse("manage:center", args=["chuangye"])).status_code == 200
    assert client.get(edit_url("chuangye")).status_code == 403
    assert client.post(edit_url("chuangye"), CENTER_DATA).status_code == 403


def test_invalid_center_form_shows_errors_not_500(client, community_worker):
    client.force_login(community_worker)
    response = client.post(edit_url("chuangye"), {**CENTER_DATA, "name": "", "area_sqm": "-3"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "area_sqm"}


def test_add_edit_and_delete_a_room(client, community_worker, tree):
    client.force_login(community_worker)
    add = reverse("manage:content_add", args=["chuangye", "rooms"])
    response = client.post(
        add, {"name": "多功能会议室", "kind": "meeting", "capacity": "60", "sort_order": "0"}
    )
    assert response.status_code == 302
    room = Room.objects.get(center=tree.community)
    edit = reverse("manage:content_edit", args=["chuangye", "rooms", room.pk])
    client.post(
        edit, {"name": "多功能会议室", "kind": "meeting", "capacity": "80", "sort_order": "0"}
    )
    room.refresh_from_db()
    assert room.capacity == 80
    delete = reverse("manage:content_delete", args=["chuangye", "rooms", room.pk])
    confirm = client.get(delete)
    assert confirm.status_code == 200 and "确认删除" in confirm.content.decode()
    assert Room.objects.filter(pk=room.pk).exists()
    assert client.post(delete).status_code == 302
    assert not Room.objects.filter(pk=room.pk).exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]


def test_content_of_another_community_answers_404(client, community_worker, tree):
    room = RoomFactory(center=tree.sibling)
    client.force_login(community_worker)
    for name in ["content_edit", "content_delete"]:
        assert (
            client.get(
                reverse(f"manage:{name}", args=["zhanlanguan", "rooms", room.pk])
            ).status_code
            == 404
        )
        # The same object through the worker's own slug is still not theirs.
        assert (
            client.post(reverse(f"manage:{name}", args=["chuangye", "rooms", room.pk])).status_code
            == 404
        )
    assert Room.objects.filter(pk=room.pk).exists()


def test_unknown_content_kind_is_404(client, community_worker):
    client.force_login(community_worker)
    assert (
        client.get(reverse("manage:content_add", args=["chuangye", "secrets"])).status_code == 404
    )


def test_duplicate_team_name_is_a_form_error(client, community_worker, tree):
    TeamFactory(center=tree.community, name="快板队", kind=Team.Kind.VOLUNTEER)
    client.force_login(community_worker)
    response = client.post(
        reverse("manage:content_add", args=["chuangye", "teams"]),
        {"name": "快板队", "kind": "volunteer", "sort_order": "0"},
    )
    assert response.status_code == 200
    assert "同名" in response.content.decode()


def test_console_views_refuse_other_methods(client, community_worker):
    client.force_login(community_worker)
    assert client.post(reverse("manage:dashboard")).status_code == 405
    assert client.put(edit_url("chuangye")).status_code == 405


def test_console_center_page_runs_fixed_queries(
    client, street_staff, tree, django_assert_num_queries
):
    client.force_login(street_staff)
    url = reverse("manage:center", args=["chuangye"])
    client.get(url)
    # 1 session, 2 user, 3 center in scope, 4 roles, 5 ancestors, 6 children,
    # 7-11 rooms, exhibitions, services, teams, photos, 12 roles for the nav (new user object).
    with django_assert_num_queries(11) as ctx:
        client.get(url)
    n = len(ctx.captured_queries)
    for _ in range(30):
        RoomFactory(center=tree.community)
        TeamFactory(center=tree.community)
    with django_assert_num_queries(n):
        client.get(url)


def test_login_lands_staff_in_the_console_and_residents_in_their_account(
    client, community_worker, resident
):
    from tests.factories import PASSWORD

    for user, target in [
        (community_worker, reverse("manage:dashboard")),
        (resident, reverse("account")),
    ]:
        response = client.post(
            reverse("login"), {"username": user.phone, "password": PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == target
        assert response.status_code == 200
        client.logout()
