"""No public page carries a beneficiary's name, phone or ID number (PIPL; see DESIGN.md).

Beneficiaries are registered with pairings, visits, a help program and goods handed out by the
community's aid station; then every public page is rendered, anonymously and as a resident,
and its body is searched for every beneficiary's personal data.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assistance import services
from assistance.models import BeneficiaryType, HelpProgram, Pairing, Visit
from centers.models import Team
from tests.factories import (
    ActivityFactory,
    AidStationFactory,
    BeneficiaryFactory,
    ItemFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

PEOPLE = [
    {
        "name": "龚秀兰",
        "phone": "15847112233",
        "id_number": "150102194803151232",
        "address": "幸福里小区7栋3单元501室",
        "health_notes": "右腿截肢，需要轮椅出行",
        "guardian_name": "龚建国",
        "guardian_phone": "13604711234",
    },
    {
        "name": "郝春生",
        "phone": "13947155678",
        "id_number": "15010419520607421X",
        "address": "展览馆东路19号院2单元",
        "health_notes": "视力二级残疾",
        "guardian_name": "郝丽娜",
        "guardian_phone": "13804716789",
    },
]
#: Words from the private side that no public page may show either.
FINDINGS = "老人独居，屋顶漏水，需联系物业维修"
REQUESTER = {"name": "尤桂芝", "phone": "13314719876"}

#: Public URL prefixes that are not pages to read (forms that post, language switch, admin).
NOT_PAGES = ("admin/", "manage/", "accounts/logout/", "i18n/")


@pytest.fixture
def world(tree, community_worker):
    team = TeamFactory(center=tree.sibling, kind=Team.Kind.PARTNER, name="呼市代建办党支部")
    program = HelpProgram.objects.create(
        center=tree.street,
        name="春节走访慰问",
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate(),
    )
    people = []
    for center, data in zip((tree.community, tree.sibling), PEOPLE, strict=True):
        b = BeneficiaryFactory(center=center, birth_year=int(data["id_number"][6:10]), **data)
        BeneficiaryType.objects.create(beneficiary=b, type="disabled")
        pairing = Pairing.objects.create(
            beneficiary=b,
            helper_team=team,
            started_on=timezone.localdate() - timedelta(days=60),
            frequency="monthly",
        )
        Visit.objects.create(
            beneficiary=b,
            pairing=pairing,
            program=program,
            visited_on=timezone.localdate() - timedelta(days=3),
            kind="holiday",
            helper_name="呼市代建办党支部",
            findings=FINDINGS,
            items_given="米面油一套",
            recorded_by=community_worker,
        )
        people.append(b)
    ActivityFactory(center=tree.community, title="助老志愿服务")
    _aid_station(tree, community_worker, people[0])
    return people


def _aid_station(tree, worker, beneficiary):
    """The community's aid station gives goods to a beneficiary and hears from residents."""
    station = AidStationFactory(center=tree.community, name="创业社区党群爱心援助站")
    item = ItemFactory(name="棉被", unit="床")
    today = timezone.localdate()
    services.donation_receive(
        actor=worker,
        station=station,
        data={"donor_name": "李女士", "received_on": today},
        lines=[(item, 5, "good", True)],
    )
    request = services.aid_request_file(
        actor=worker, station=station, beneficiary=beneficiary, reason="冬季取暖", lines=[(item, 1)]
    )
    services.aid_request_approve(actor=worker, request=request)
    services.distribution_create(
        actor=worker, station=station, lines=[(item, 1)], distributed_on=today, request=request
    )
    services.aid_request_submit(
        station=station,
        data={
            "requester_name": REQUESTER["name"],
            "requester_phone": REQUESTER["phone"],
            "reason": "家里缺棉被",
        },
    )
    services.goods_offer_submit(
        station=station,
        data={"name": REQUESTER["name"], "phone": REQUESTER["phone"], "items": "旧衣物"},
    )


def _secrets(people):
    values = {FINDINGS, REQUESTER["name"], REQUESTER["phone"]}
    for b in people:
        values |= {b.name, b.masked_name, b.phone, b.id_number, b.address, b.health_notes}
        values |= {b.guardian_name, b.guardian_phone, b.phone[-8:], b.id_number[-8:]}
    return values


def assert_clean(response, people, label):
    body = response.content.decode("utf-8", errors="replace")
    leaks = sorted(v for v in _secrets(people) if v and v in body)
    assert not leaks, f"{label} shows {leaks}"


def _parameterless_public_paths():
    """Every URL of the site that takes no argument, as a path, except the non-pages."""

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if "<" in route or route.startswith("^"):
                continue
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                yield prefix + route

    return sorted(
        {
            "/" + path
            for path in walk(get_resolver().url_patterns, "")
            if not path.startswith(NOT_PAGES)
        }
    )


def _core_pages(tree):
    return [
        reverse("home"),
        reverse("centers:list"),
        reverse("centers:detail", args=[tree.community.slug]),
        reverse("centers:detail", args=[tree.sibling.slug]),
        reverse("centers:detail", args=[tree.street.slug]),
        reverse("centers:detail", args=[tree.district.slug]),
        reverse("activities:calendar"),
        reverse("activities:calendar") + "?view=month",
        reverse("activities:feed"),
        "/sitemap.xml",
        "/robots.txt",
    ]


def test_public_pages_carry_no_beneficiary_data(client, tree, world, resident):
    pages = sorted({*_core_pages(tree), *_parameterless_public_paths()})
    rendered = 0
    for visitor in (None, resident):
        if visitor:
            client.force_login(visitor)
        for page in pages:
            response = client.get(page)
            assert response.status_code in (200, 302, 403, 404, 405), page
            assert_clean(response, world, page)
            rendered += response.status_code == 200
    assert rendered > 2 * len(_core_pages(tree)) - 2


def test_error_pages_carry_no_beneficiary_data(client, tree, world, outsider, resident):
    beneficiary_page = reverse("assistance_manage:beneficiary", args=[world[0].pk])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_clean(response, world, "404 page")
    response = client.get(beneficiary_page)
    assert response.status_code == 302
    assert_clean(client.get(response["Location"]), world, "login page")
    for visitor in (outsider, resident):
        client.force_login(visitor)
        for page in (
            beneficiary_page,
            reverse("assistance_manage:beneficiary_edit", args=[world[0].pk]),
            reverse("assistance_manage:program", args=[HelpProgram.objects.get().pk]),
        ):
            response = client.get(page)
            assert response.status_code == 404, (visitor, page)
            assert_clean(response, world, f"{page} as {visitor}")
    client.force_login(resident)
    for page in ("dashboard", "beneficiaries", "programs"):
        response = client.get(reverse(f"assistance_manage:{page}"))
        assert response.status_code == 403
        assert_clean(response, world, f"{page} as a resident")
    response = client.get(reverse("assistance_manage:beneficiary_export", args=["csv"]))
    assert response.status_code == 403
    assert_clean(response, world, "export as a resident")


def test_aid_station_pages_carry_no_beneficiary_data(client, tree, world, resident):
    pages = [
        reverse("assistance:stations"),
        reverse("assistance:station", args=[tree.community.slug]),
    ]
    if client.get(pages[0]).status_code == 404:
        pytest.skip("The public aid-station pages are not built yet (they answer 404).")
    for visitor in (None, resident):
        if visitor:
            client.force_login(visitor)
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            assert_clean(response, world, page)


def test_the_staff_side_does_show_them(client, tree, world, community_worker):
    """The check above would notice a leak: the same values do appear on the staff record."""
    client.force_login(community_worker)
    response = client.get(reverse("assistance_manage:beneficiary", args=[world[0].pk]))
    body = response.content.decode()
    for value in (world[0].name, world[0].phone, world[0].id_number, FINDINGS):
        assert value in body
