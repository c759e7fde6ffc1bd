import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from centers import scoping
from centers.models import Center, Room
from tests.factories import RoomFactory, UserFactory

pytestmark = pytest.mark.django_db


def _slugs(qs):
    return set(qs.values_list("slug", flat=True))


def test_a_role_covers_the_centers_whole_subtree(tree, street_staff, community_worker):
    assert _slugs(Center.objects.for_user(street_staff)) == {
        "zhongzhuanlu",
        "chuangye",
        "zhanlanguan",
    }
    assert _slugs(Center.objects.for_user(community_worker)) == {"chuangye"}


def test_district_admin_sees_the_whole_tree(tree, district_admin):
    assert Center.objects.for_user(district_admin).count() == Center.objects.count()


def test_residents_and_anonymous_users_have_no_scope(tree, resident):
    from django.contrib.auth.models import AnonymousUser

    assert not Center.objects.for_user(resident).exists()
    assert not Center.objects.for_user(AnonymousUser()).exists()


def test_inactive_staff_lose_their_scope(tree, community_worker):
    community_worker.is_active = False
    assert not Center.objects.for_user(community_worker).exists()


def test_superuser_sees_everything(tree):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert Center.objects.for_user(admin, "manage").count() == 6


def test_viewer_role_can_view_but_not_change(tree, community_viewer):
    assert _slugs(Center.objects.for_user(community_viewer, "view")) == {"chuangye"}
    assert not Center.objects.for_user(community_viewer, "change").exists()


def test_content_scoping_follows_the_center(tree, street_staff, outsider):
    mine = RoomFactory(center=tree.community)
    theirs = RoomFactory(center=tree.other_community)
    assert list(Room.objects.for_user(street_staff)) == [mine]
    assert list(Room.objects.for_user(outsider)) == [theirs]


def test_scope_is_one_query_with_a_subquery(tree, street_staff, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert len(list(Center.objects.for_user(street_staff))) == 3


def test_get_center_for_user_answers_404_outside_and_403_when_role_too_weak(
    tree, community_worker, community_viewer
):
    assert scoping.get_center_for_user(community_worker, "chuangye", "change") == tree.community
    with pytest.raises(Http404):
        scoping.get_center_for_user(community_worker, "zhanlanguan", "view")
    with pytest.raises(Http404):
        scoping.get_center_for_user(community_worker, "zhongzhuanlu", "view")
    with pytest.raises(PermissionDenied):
        scoping.get_center_for_user(community_viewer, "chuangye", "change")


def test_similar_paths_do_not_leak_scope(db):
    """A street's path is a prefix of its children's, never of a sibling's children."""
    from tests.factories import CenterFactory, StaffRoleFactory

    root = CenterFactory(level="district")
    streets = [CenterFactory(parent=root, level="street") for _ in range(12)]
    kids = {s.pk: CenterFactory(parent=s) for s in streets}
    user = StaffRoleFactory(center=streets[0]).user
    assert set(Center.objects.for_user(user).values_list("pk", flat=True)) == {
        streets[0].pk,
        kids[streets[0].pk].pk,
    }


def test_home_centers_are_the_highest_roles(tree, street_staff):
    from tests.factories import StaffRoleFactory

    StaffRoleFactory(user=street_staff, center=tree.community)
    StaffRoleFactory(user=street_staff, center=tree.other_community)
    street_staff._dangqun_roles = None
    assert [c.slug for c in scoping.home_centers(street_staff)] == ["zhongzhuanlu", "jiankang"]
