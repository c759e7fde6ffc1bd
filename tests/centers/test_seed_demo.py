from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from centers import demo_data
from centers.models import Center, Room, Service, StaffRole, Team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot():
    """Every row of every model in the centers app, as plain values."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("centers").get_models()
    }


def parent_slugs():
    """Each center's parent slug (None for the root), from the materialized paths."""
    centers = list(Center.objects.all())
    by_path = {center.path: center for center in centers}
    return {
        center.slug: by_path[center.path[: -Center.steplen]].slug if center.depth > 1 else None
        for center in centers
    }


def test_second_run_changes_nothing():
    seed()
    first = snapshot()

    output = seed()

    second = snapshot()
    assert {label: len(rows) for label, rows in second.items()} == {
        label: len(rows) for label, rows in first.items()
    }
    assert second == first
    assert "没有需要新建的内容" in output


def test_run_with_nothing_to_do_costs_one_query_per_model(django_assert_num_queries):
    from centers.management.commands.seed_demo import load_demo

    seed()

    # savepoint; center slugs; room, exhibition, service and team keys; users; roles; release
    # (the other apps' loaders registered in demo_loaders have budgets of their own)
    with django_assert_num_queries(9):
        load_demo()


def test_rerun_restores_missing_rows_and_keeps_edits():
    seed()
    Center.objects.filter(slug="qiaohua").update(intro="社区自己写的简介")
    Room.objects.filter(center__slug="qiaohua", name="老年大学课堂").update(capacity=99)
    Service.objects.filter(center__slug="qiaohua", name="残疾人康复服务").delete()

    seed()

    qiaohua = Center.objects.get(slug="qiaohua")
    assert qiaohua.intro == "社区自己写的简介"
    assert qiaohua.rooms.get(name="老年大学课堂").capacity == 99
    assert qiaohua.services.count() == 5
    assert qiaohua.services.filter(name="残疾人康复服务").exists()


def test_builds_87_centers_at_the_expected_levels():
    seed()

    assert Center.objects.count() == 87
    assert Counter(Center.objects.values_list("level", flat=True)) == {
        Center.Level.DISTRICT: 1,
        Center.Level.STREET: 9,
        Center.Level.COMMUNITY: 64,
        Center.Level.PARK: 5,
        Center.Level.BUILDING: 8,
    }
    assert all(not problems for problems in Center.objects.find_problems())


def test_every_center_hangs_under_a_center_of_the_right_level():
    seed()
    levels = dict(Center.objects.values_list("slug", "level"))

    parents = parent_slugs()

    expected_parent_level = {
        Center.Level.STREET: Center.Level.DISTRICT,
        Center.Level.COMMUNITY: Center.Level.STREET,
        Center.Level.PARK: Center.Level.STREET,
        Center.Level.BUILDING: Center.Level.STREET,
    }
    assert parents["saihan"] is None
    for slug, level in levels.items():
        if level != Center.Level.DISTRICT:
            assert levels[parents[slug]] == expected_parent_level[level], slug


@pytest.mark.parametrize(
    ("community", "street"),
    [
        ("dataishi", "zhaowudalu"),
        ("jiankang", "renminlu"),
        ("qianjinxiang", "daxuexilu"),
        ("chuangye", "zhongzhuanlu"),
        ("zhanlanguan", "zhongzhuanlu"),
        ("huimin", "jinqiao"),
        ("jinyuwenyuan", "daxuedonglu"),
        ("wanzhengshangdu", "chilechuanlu"),
        ("qiaohua", "daxuedonglu"),
    ],
)
def test_the_reports_communities_sit_under_their_streets(community, street):
    seed()

    assert parent_slugs()[community] == street
    assert Center.objects.get(slug=community).level == Center.Level.COMMUNITY


def test_every_street_and_community_has_rooms_and_contact_details():
    seed()

    centers = Center.objects.filter(level__in=[Center.Level.STREET, Center.Level.COMMUNITY])
    assert centers.count() == 73
    for center in centers:
        assert center.rooms.count() >= 3, center.slug
        assert center.slug.isascii(), center.slug
        assert center.address and center.phone and center.intro, center.slug
        assert center.opening_hours_lines, center.slug


def test_qianjinxiang_has_six_volunteer_teams_and_fifteen_social_organisations():
    seed()

    qianjinxiang = Center.objects.get(slug="qianjinxiang")
    volunteers = qianjinxiang.teams.filter(kind=Team.Kind.VOLUNTEER)
    assert qianjinxiang.brand == "和谐家园·秀美前进"
    assert list(volunteers.values_list("name", flat=True)) == [
        "蒙古族模特队",
        "少数民族歌唱队",
        "健身操队",
        "书画队",
        "朗诵队",
        "快板队",
    ]
    assert qianjinxiang.teams.filter(kind=Team.Kind.SOCIAL_ORG).count() == 15


def test_dataishi_has_the_party_history_exhibition_with_five_halls():
    seed()

    exhibition = Center.objects.get(slug="dataishi").exhibitions.get(name="党建文史馆")

    assert [name for name, _note in exhibition.hall_list] == [
        "党史展厅",
        "民俗展厅",
        "民族特色党建",
        "廉政文化长廊",
        "荣誉墙",
    ]
    assert all(note for _name, note in exhibition.hall_list)


def test_jiankang_has_its_nine_rooms_and_brand():
    seed()

    jiankang = Center.objects.get(slug="jiankang")

    assert jiankang.brand == "宜老益少"
    assert list(jiankang.rooms.values_list("name", "kind")) == [
        ("服务大厅", Room.Kind.SERVICE_HALL),
        ("党建活动室", Room.Kind.PARTY_ACTIVITY),
        ("人大政协之家", Room.Kind.DELEGATES),
        ("谈心接待室", Room.Kind.RECEPTION),
        ("书香苑阅览室", Room.Kind.READING),
        ("党风廉政书画室", Room.Kind.CULTURE),
        ("少儿舞思乐活动室", Room.Kind.CHILDREN),
        ("为老服务活动室", Room.Kind.ELDERLY),
        ("多功能会议室", Room.Kind.MEETING),
    ]
    assert all(room.capacity for room in jiankang.rooms.all())


def test_the_reports_services_and_partners_are_there():
    seed()

    def services(slug):
        return list(Center.objects.get(slug=slug).services.values_list("name", flat=True))

    assert "“众心向和谐”居民议事站" in services("chuangye")
    assert "结对帮扶" in services("zhanlanguan")
    assert Team.objects.filter(
        center__slug="zhanlanguan", kind=Team.Kind.PARTNER, name="呼市代建办党支部"
    ).exists()
    assert "“红色邻里代表”机制" in services("huimin")
    assert "党群爱心援助站" in services("jinyuwenyuan")
    assert {"楼宇党建联盟", "金秋晚会", "年俗节"} <= set(services("wanzhengshangdu"))
    assert services("qiaohua") == [
        "社区养老服务",
        "文体娱乐服务",
        "十六点半儿童乐园服务",
        "十五分钟便民生活圈服务",
        "残疾人康复服务",
    ]
    assert Room.objects.filter(center__slug="qiaohua", name="老年大学课堂").exists()


def test_demo_users_sign_in_with_their_roles():
    seed()

    for spec in demo_data.DEMO_USERS:
        user = authenticate(phone=spec["phone"], password=demo_data.DEMO_PASSWORD)
        assert user is not None, spec["phone"]
        assert user.name == spec["name"]
        assert not user.is_staff and not user.is_superuser
        assert list(user.staff_roles.values_list("center__slug", "role")) == [
            (spec["center"], spec["role"])
        ]
    roles = set(StaffRole.objects.values_list("center__slug", "role"))
    assert {
        ("saihan", StaffRole.Role.MANAGER),
        ("zhongzhuanlu", StaffRole.Role.EDITOR),
        ("dataishi", StaffRole.Role.EDITOR),
    } <= roles
    assert StaffRole.Role.VIEWER in {role for _slug, role in roles}


def test_command_prints_the_demo_logins():
    output = seed()

    assert "演示账号" in output
    for spec in demo_data.DEMO_USERS:
        line = next(line for line in output.splitlines() if line.startswith(spec["phone"]))
        assert demo_data.DEMO_PASSWORD in line
        assert spec["name"] in line
        assert str(StaffRole.Role(spec["role"]).label) in line
