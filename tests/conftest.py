"""Shared personas over a small district: district → two streets → communities."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from centers.models import Center, StaffRole
from tests.factories import CenterFactory, StaffRoleFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: no page or rate-limit count carries over."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


#: Test folders that run with login throttling (django-axes) on, as in production.
AXES_ON_IN = {"security", "browser"}


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, request):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Axes refuses authenticate() without a request, and the test client's login() passes none;
    # throttling is tested in tests/security, and the browser tests log in through the real form.
    if request.node.path.relative_to(Path(__file__).parent).parts[0] not in AXES_ON_IN:
        settings.AXES_ENABLED = False
    # Password hashing is not under test; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Query budgets measure rendering; tests/centers/test_caching.py turns the page cache on.
    settings.CACHE_MIDDLEWARE_SECONDS = 0


@pytest.fixture
def tree(db):
    return make_tree()


def make_tree():
    """District → two streets → three communities (the `tree` fixture, for module fixtures)."""
    district = CenterFactory(
        name="测试区党群服务中心", short_name="区中心", slug="district", level=Center.Level.DISTRICT
    )
    street = CenterFactory(
        parent=district,
        name="中专路街道党群服务中心",
        short_name="中专路街道",
        slug="zhongzhuanlu",
        level=Center.Level.STREET,
    )
    other_street = CenterFactory(
        parent=district,
        name="人民路街道党群服务中心",
        short_name="人民路街道",
        slug="renminlu",
        level=Center.Level.STREET,
    )
    community = CenterFactory(
        parent=street,
        name="创业社区党群服务中心",
        short_name="创业社区",
        slug="chuangye",
    )
    sibling = CenterFactory(
        parent=street,
        name="展览馆社区党群服务中心",
        short_name="展览馆社区",
        slug="zhanlanguan",
    )
    other_community = CenterFactory(
        parent=other_street,
        name="健康社区党群服务中心",
        short_name="健康社区",
        slug="jiankang",
    )
    return SimpleNamespace(
        district=district,
        street=street,
        other_street=other_street,
        community=community,
        sibling=sibling,
        other_community=other_community,
    )


def _staff(center, role=StaffRole.Role.EDITOR, **kwargs):
    return StaffRoleFactory(center=center, role=role, **kwargs).user


@pytest.fixture
def district_admin(tree):
    return _staff(tree.district, StaffRole.Role.MANAGER, user__name="区管理员")


@pytest.fixture
def street_staff(tree):
    return _staff(tree.street, user__name="街道工作人员")


@pytest.fixture
def community_worker(tree):
    return _staff(tree.community, user__name="社区工作人员")


@pytest.fixture
def community_viewer(tree):
    return _staff(tree.community, StaffRole.Role.VIEWER, user__name="社区查看员")


@pytest.fixture
def outsider(tree):
    """Staff of another community: sees nothing of ours."""
    return _staff(tree.other_community, user__name="其他社区工作人员")


@pytest.fixture
def resident(db):
    return UserFactory(name="居民")


def client_for(client, user):
    client.force_login(user)
    return client
