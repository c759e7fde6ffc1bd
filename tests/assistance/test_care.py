"""The staff care pages: beneficiaries, pairings, visits, help programs and the dashboard."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assistance import care_selectors
from assistance.care_forms import PairingForm, id_number_is_valid
from assistance.models import Beneficiary, BeneficiaryType, HelpProgram, Pairing, Visit
from centers.models import AuditEntry, Team
from tests.factories import BeneficiaryFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def with_check_digit(first17):
    """A resident ID number with its GB 11643 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


PRIVATE = {
    "name": "龚秀兰",
    "phone": "15847112233",
    "id_number": with_check_digit("15010219480315123"),
    "address": "幸福里小区7栋3单元501室",
    "health_notes": "右腿截肢，需要轮椅出行",
    "guardian_name": "龚建国",
    "guardian_phone": "13604711234",
}


@pytest.fixture
def beneficiary(tree):
    b = BeneficiaryFactory(center=tree.community, birth_year=1948, tier="high", **PRIVATE)
    BeneficiaryType.objects.create(beneficiary=b, type="elderly_alone")
    return b


def pair(beneficiary, *, days_ago=60, frequency="monthly", user=None, team=None, ended_on=None):
    if user is None and team is None:
        user = UserFactory()
    return Pairing.objects.create(
        beneficiary=beneficiary,
        helper_user=user,
        helper_team=team,
        started_on=TODAY() - timedelta(days=days_ago),
        ended_on=ended_on,
        frequency=frequency,
    )


def visit(beneficiary, *, days_ago=0, pairing=None, program=None, recorder=None):
    return Visit.objects.create(
        beneficiary=beneficiary,
        pairing=pairing,
        program=program,
        visited_on=TODAY() - timedelta(days=days_ago),
        kind="home",
        helper_name="李书记",
        recorded_by=recorder or UserFactory(),
    )


def program_at(center, **kwargs):
    defaults = {
        "name": "春节走访慰问",
        "starts_on": TODAY() - timedelta(days=30),
        "ends_on": TODAY() + timedelta(days=30),
    }
    return HelpProgram.objects.create(center=center, **{**defaults, **kwargs})


def beneficiary_data(**overrides):
    data = {
        "name": "龚秀兰",
        "gender": "f",
        "birth_year": "1948",
        "types": ["elderly_alone", "disabled"],
        "tier": "high",
        "status": "active",
        "phone": PRIVATE["phone"],
        "id_number": PRIVATE["id_number"],
        "address": PRIVATE["address"],
        "needs": "陪伴就医",
        "health_notes": PRIVATE["health_notes"],
        "guardian_name": PRIVATE["guardian_name"],
        "guardian_phone": PRIVATE["guardian_phone"],
        "consent_purpose": "用于社区结对帮扶、走访慰问和物资救助",
        "consent_on": TODAY().isoformat(),
        "consent_withdrawn_on": "",
    }
    data.update(overrides)
    return data


def url(name, *args):
    return reverse(f"assistance_manage:{name}", args=args)


def views_logged(beneficiary):
    return AuditEntry.objects.filter(
        action="view_personal", object_type="beneficiary", object_id=str(beneficiary.pk)
    ).count()


# -- Who may open what -----------------------------------------------------------------------


def object_pages(tree, beneficiary, pairing, program):
    """Every page that names one object: (method, url)."""
    return [
        ("get", url("beneficiary", beneficiary.pk)),
        ("get", url("beneficiary_edit", beneficiary.pk)),
        ("post", url("beneficiary_edit", beneficiary.pk)),
        ("get", url("pairing_new", beneficiary.pk)),
        ("post", url("pairing_new", beneficiary.pk)),
        ("get", url("visit_new", beneficiary.pk)),
        ("post", url("visit_new", beneficiary.pk)),
        ("post", url("pairing_end", pairing.pk)),
        ("get", url("beneficiary_new", tree.community.slug)),
        ("post", url("beneficiary_new", tree.community.slug)),
        ("get", url("program_new", tree.community.slug)),
        ("post", url("program_new", tree.community.slug)),
        ("get", url("program", program.pk)),
    ]


@pytest.fixture
def objects(tree, beneficiary):
    return object_pages(tree, beneficiary, pair(beneficiary), program_at(tree.community))


def test_anonymous_visitors_are_sent_to_log_in(client, tree, objects):
    pages = [
        *objects,
        ("get", url("dashboard")),
        ("get", url("beneficiaries")),
        ("get", url("beneficiary_export", "csv")),
        ("get", url("programs")),
    ]
    for method, page in pages:
        response = getattr(client, method)(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login")), page


def test_outsider_gets_404_on_every_object_page_and_post(client, tree, outsider, objects):
    client.force_login(outsider)
    for method, page in objects:
        assert getattr(client, method)(page).status_code == 404, (method, page)
    assert Pairing.objects.get().ended_on is None
    assert not AuditEntry.objects.filter(actor=outsider).exists()


def test_resident_gets_403_on_lists_and_404_on_objects(client, tree, resident, objects):
    client.force_login(resident)
    for page in (
        url("dashboard"),
        url("beneficiaries"),
        url("beneficiary_export", "csv"),
        url("programs"),
    ):
        assert client.get(page).status_code == 403, page
    for method, page in objects:
        assert getattr(client, method)(page).status_code == 404, (method, page)


def test_viewer_reads_but_gets_403_on_every_write(client, tree, community_viewer, beneficiary):
    pairing = pair(beneficiary)
    client.force_login(community_viewer)
    assert client.get(url("beneficiary", beneficiary.pk)).status_code == 200
    assert client.get(url("beneficiaries")).status_code == 200
    writes = [
        ("get", url("beneficiary_edit", beneficiary.pk)),
        ("post", url("beneficiary_edit", beneficiary.pk)),
        ("get", url("pairing_new", beneficiary.pk)),
        ("post", url("pairing_new", beneficiary.pk)),
        ("get", url("visit_new", beneficiary.pk)),
        ("post", url("visit_new", beneficiary.pk)),
        ("post", url("pairing_end", pairing.pk)),
        ("get", url("beneficiary_new", tree.community.slug)),
        ("post", url("beneficiary_new", tree.community.slug)),
        ("get", url("program_new", tree.community.slug)),
        ("post", url("program_new", tree.community.slug)),
    ]
    for method, page in writes:
        assert getattr(client, method)(page).status_code == 403, (method, page)
    pairing.refresh_from_db()
    assert pairing.ended_on is None


def test_viewer_sees_no_buttons_that_would_answer_403(client, tree, community_viewer, beneficiary):
    pair(beneficiary)
    client.force_login(community_viewer)
    html = client.get(url("beneficiary", beneficiary.pk)).content.decode()
    assert url("visit_new", beneficiary.pk) not in html
    assert url("beneficiary_edit", beneficiary.pk) not in html
    assert "结束结对" not in html


def test_wrong_methods_answer_405(client, tree, community_worker, beneficiary):
    pairing = pair(beneficiary)
    client.force_login(community_worker)
    assert client.get(url("pairing_end", pairing.pk)).status_code == 405
    for page in (
        url("dashboard"),
        url("beneficiaries"),
        url("beneficiary", beneficiary.pk),
        url("beneficiary_export", "csv"),
        url("programs"),
    ):
        assert client.post(page).status_code == 405, page


# -- Beneficiary register ---------------------------------------------------------------------


def test_worker_registers_a_beneficiary_with_types(client, tree, community_worker):
    client.force_login(community_worker)
    response = client.post(url("beneficiary_new", tree.community.slug), beneficiary_data())
    b = Beneficiary.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("beneficiary", b.pk)
    assert b.center == tree.community and b.phone == PRIVATE["phone"]
    assert sorted(b.types.values_list("type", flat=True)) == ["disabled", "elderly_alone"]
    entry = AuditEntry.objects.get(action="create")
    assert entry.actor == community_worker and PRIVATE["name"] not in entry.summary


def test_beneficiaries_are_registered_at_communities_only(client, tree, street_staff):
    client.force_login(street_staff)
    assert client.get(url("beneficiary_new", tree.street.slug)).status_code == 404
    assert client.get(url("beneficiary_new", tree.community.slug)).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "150102194803151230"}, "id_number"),  # wrong check character
        ({"id_number": with_check_digit("15010219500315123")}, "id_number"),  # born 1950
        ({"types": []}, "types"),
        ({"consent_on": ""}, "consent_on"),
        ({"consent_purpose": ""}, "consent_purpose"),
        ({"consent_on": (TODAY() + timedelta(days=1)).isoformat()}, "consent_on"),
        (
            {
                "consent_on": TODAY().isoformat(),
                "consent_withdrawn_on": (TODAY() - timedelta(days=1)).isoformat(),
            },
            "consent_withdrawn_on",
        ),
        ({"phone": "1234"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"birth_year": str(TODAY().year + 1)}, "birth_year"),
        ({"guardian_name": ""}, "guardian_name"),
    ],
)
def test_bad_beneficiary_input_is_a_form_error(client, tree, community_worker, overrides, field):
    client.force_login(community_worker)
    response = client.post(
        url("beneficiary_new", tree.community.slug), beneficiary_data(**overrides)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Beneficiary.objects.exists()


def test_id_number_is_optional(client, tree, community_worker):
    client.force_login(community_worker)
    client.post(url("beneficiary_new", tree.community.slug), beneficiary_data(id_number=""))
    assert Beneficiary.objects.get().id_number is None


def test_id_number_check():
    assert id_number_is_valid(PRIVATE["id_number"])
    assert id_number_is_valid(with_check_digit("11010519491231002"))  # ends in X
    assert not id_number_is_valid("11010519491231002x")
    assert not id_number_is_valid("1501021948031512")


def test_edit_form_opens_the_full_record_and_logs_it(client, tree, community_worker, beneficiary):
    client.force_login(community_worker)
    response = client.get(url("beneficiary_edit", beneficiary.pk))
    assert PRIVATE["id_number"] in response.content.decode()
    assert views_logged(beneficiary) == 1
    assert "no-store" in response["Cache-Control"]


def test_worker_edits_a_beneficiary(client, tree, community_worker, beneficiary):
    client.force_login(community_worker)
    response = client.post(
        url("beneficiary_edit", beneficiary.pk),
        beneficiary_data(tier="low", types=["disabled"], phone="13500001111"),
    )
    assert response.status_code == 302
    beneficiary.refresh_from_db()
    assert (beneficiary.tier, beneficiary.phone) == ("low", "13500001111")
    assert list(beneficiary.types.values_list("type", flat=True)) == ["disabled"]
    assert AuditEntry.objects.filter(action="update", object_id=str(beneficiary.pk)).exists()


def test_street_staff_moves_a_beneficiary_to_another_community(
    client, tree, street_staff, beneficiary
):
    client.force_login(street_staff)
    response = client.post(
        url("beneficiary_edit", beneficiary.pk),
        beneficiary_data(center=tree.sibling.slug),
    )
    assert response.status_code == 302
    beneficiary.refresh_from_db()
    assert beneficiary.center == tree.sibling


def test_the_edit_form_offers_only_communities_in_scope(client, tree, street_staff, beneficiary):
    client.force_login(street_staff)
    response = client.post(
        url("beneficiary_edit", beneficiary.pk),
        beneficiary_data(center=tree.other_community.slug),
    )
    assert response.status_code == 200
    assert "center" in response.context["form"].errors
    beneficiary.refresh_from_db()
    assert beneficiary.center == tree.community


# -- The list and its privacy ----------------------------------------------------------------


def test_list_shows_only_masked_personal_data(client, tree, community_worker, beneficiary):
    client.force_login(community_worker)
    html = client.get(url("beneficiaries")).content.decode()
    assert beneficiary.masked_name in html and "158****2233" in html
    for value in PRIVATE.values():
        assert value not in html, value
    assert "电话和身份证号加密保存，不能用来查找" in html
    assert views_logged(beneficiary) == 0


def test_list_filters(client, tree, street_staff, beneficiary):
    other = BeneficiaryFactory(center=tree.sibling, name="郝春生", tier="low", status="paused")
    BeneficiaryType.objects.create(beneficiary=other, type="disabled")
    client.force_login(street_staff)

    def listed(**params):
        page = client.get(url("beneficiaries"), params).context["page_obj"]
        return {b.pk for b in page}

    assert listed() == {beneficiary.pk, other.pk}
    assert listed(center=tree.sibling.slug) == {other.pk}
    assert listed(center=tree.street.slug) == {beneficiary.pk, other.pk}
    assert listed(type="disabled") == {other.pk}
    assert listed(tier="high") == {beneficiary.pk}
    assert listed(status="paused") == {other.pk}
    assert listed(q="秀兰") == {beneficiary.pk}
    assert listed(q=PRIVATE["phone"]) == set()
    # An unknown value is ignored rather than an error.
    assert listed(center="nowhere", tier="bogus") == {beneficiary.pk, other.pk}


def test_list_is_scoped(client, tree, outsider, beneficiary):
    mine = BeneficiaryFactory(center=tree.other_community)
    client.force_login(outsider)
    page = client.get(url("beneficiaries")).context["page_obj"]
    assert [b.pk for b in page] == [mine.pk]


def test_list_runs_fixed_queries(client, tree, street_staff, django_assert_num_queries):
    BeneficiaryFactory(center=tree.community)
    client.force_login(street_staff)
    client.get(url("beneficiaries"))
    # 1 session, 2 user, 3 roles, 4 centers in scope (the filter), 5 count for the paginator,
    # 6 the page with centers and last visits, 7 the types of the page's rows.
    with django_assert_num_queries(7):
        client.get(url("beneficiaries"))
    for i in range(40):
        b = BeneficiaryFactory(center=tree.sibling if i % 2 else tree.community)
        BeneficiaryType.objects.create(beneficiary=b, type="disabled")
        BeneficiaryType.objects.create(beneficiary=b, type="low_income")
        visit(b, days_ago=i)
    with django_assert_num_queries(7):
        response = client.get(url("beneficiaries"), {"type": "disabled"})
    assert response.context["page_obj"].paginator.count == 40


# -- The full record ---------------------------------------------------------------------------


def test_detail_shows_the_full_record_and_logs_each_view(
    client, tree, community_worker, beneficiary
):
    client.force_login(community_worker)
    response = client.get(url("beneficiary", beneficiary.pk))
    html = response.content.decode()
    for value in PRIVATE.values():
        assert value in html, value
    assert "no-store" in response["Cache-Control"]
    assert views_logged(beneficiary) == 1
    entry = AuditEntry.objects.get(action="view_personal")
    assert entry.actor == community_worker and entry.center == tree.community
    client.get(url("beneficiary", beneficiary.pk))
    assert views_logged(beneficiary) == 2


def test_detail_warns_when_consent_was_withdrawn(client, tree, community_worker, beneficiary):
    beneficiary.consent_withdrawn_on = TODAY()
    beneficiary.save()
    client.force_login(community_worker)
    html = client.get(url("beneficiary", beneficiary.pk)).content.decode()
    assert "撤回同意" in html and 'role="alert"' in html


def test_detail_runs_fixed_queries(
    client, tree, community_worker, beneficiary, django_assert_num_queries
):
    client.force_login(community_worker)
    client.get(url("beneficiary", beneficiary.pk))
    # 1 session, 2 user, 3 beneficiary in scope with center, 4 roles, 5 the access-log entry,
    # 6 pairings with their last visits and helpers, 7 visits with their programs and
    # pairings, 8 the access log, 9 types.
    with django_assert_num_queries(9):
        client.get(url("beneficiary", beneficiary.pk))
    program = program_at(tree.street)
    for i in range(5):
        p = pair(beneficiary, team=TeamFactory(center=tree.street, kind=Team.Kind.PARTNER))
        for d in range(4):
            visit(beneficiary, days_ago=i + d, pairing=p, program=program)
    with django_assert_num_queries(9):
        response = client.get(url("beneficiary", beneficiary.pk))
    assert len(response.context["record"].pairings) == 5
    assert response.context["record"].visit_count == 20


def test_phone_and_id_number_are_encrypted_in_the_database(beneficiary):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, id_number, guardian_phone FROM assistance_beneficiary WHERE id = %s",
            [beneficiary.pk],
        )
        raw = cursor.fetchone()
    assert all(raw)
    stored = " ".join(raw)
    for plain in (PRIVATE["phone"], PRIVATE["id_number"], PRIVATE["guardian_phone"]):
        assert plain not in stored
    assert "2233" not in stored and "1948" not in stored
    assert Beneficiary.objects.get().id_number == PRIVATE["id_number"]


# -- Export ------------------------------------------------------------------------------------


def test_csv_export_is_logged_and_masks_phone_and_id(client, tree, community_worker, beneficiary):
    gone = BeneficiaryFactory(center=tree.community, name="撤回者", consent_withdrawn_on=TODAY())
    BeneficiaryFactory(center=tree.other_community, name="别处的人")
    client.force_login(community_worker)
    response = client.get(url("beneficiary_export", "csv"))
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[2][2] == PRIVATE["name"] and len(rows) == 3
    assert "158****2233" in text and beneficiary.masked_id_number in text
    for value in ("phone", "id_number", "address", "health_notes", "guardian_phone"):
        assert PRIVATE[value] not in text, value
    assert gone.name not in text and "别处的人" not in text
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == community_worker and entry.center == tree.community
    assert "1 人" in entry.summary


def test_xlsx_export_follows_the_filters(client, tree, street_staff, beneficiary):
    BeneficiaryFactory(center=tree.sibling, name="=HYPERLINK(1)")
    client.force_login(street_staff)
    response = client.get(url("beneficiary_export", "xlsx"), {"center": tree.sibling.slug})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(values) == 1
    # A name that looks like a formula is written as text.
    assert values[0][2] == "'=HYPERLINK(1)"
    entry = AuditEntry.objects.get(action="export")
    assert entry.center == tree.sibling


def test_unknown_export_format_is_404(client, tree, community_worker):
    client.force_login(community_worker)
    assert client.get(url("beneficiary_export", "pdf")).status_code == 404
    assert not AuditEntry.objects.exists()


# -- Pairings ----------------------------------------------------------------------------------


def test_pair_a_staff_member_of_the_center_or_above(
    client, tree, community_worker, street_staff, beneficiary
):
    client.force_login(community_worker)
    form = client.get(url("pairing_new", beneficiary.pk)).context["form"]
    choices = set(form.fields["helper_user"].queryset)
    assert {community_worker, street_staff} <= choices
    assert form.initial["frequency"] == "weekly"  # from the high tier
    response = client.post(
        url("pairing_new", beneficiary.pk),
        {"helper_user": street_staff.pk, "started_on": TODAY().isoformat(), "frequency": "weekly"},
    )
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert (pairing.helper_user, pairing.frequency) == (street_staff, "weekly")


def test_pair_a_party_member_found_by_phone(client, tree, community_worker, beneficiary):
    member = UserFactory(phone="13700001234", name="王党员")
    client.force_login(community_worker)
    response = client.post(
        url("pairing_new", beneficiary.pk),
        {"helper_phone": "13700001234", "started_on": TODAY().isoformat(), "frequency": "monthly"},
    )
    assert response.status_code == 302
    assert Pairing.objects.get().helper_user == member


def test_pair_a_partner_unit_of_the_center_or_above(client, tree, community_worker, beneficiary):
    unit = TeamFactory(center=tree.street, kind=Team.Kind.PARTNER, name="呼市代建办党支部")
    elsewhere = TeamFactory(center=tree.other_street, kind=Team.Kind.PARTNER)
    volunteers = TeamFactory(center=tree.community, kind=Team.Kind.VOLUNTEER)
    client.force_login(community_worker)
    form = client.get(url("pairing_new", beneficiary.pk)).context["form"]
    assert list(form.fields["helper_team"].queryset) == [unit]
    for team in (elsewhere, volunteers):
        response = client.post(
            url("pairing_new", beneficiary.pk),
            {"helper_team": team.pk, "started_on": TODAY().isoformat(), "frequency": "monthly"},
        )
        assert "helper_team" in response.context["form"].errors
    client.post(
        url("pairing_new", beneficiary.pk),
        {"helper_team": unit.pk, "started_on": TODAY().isoformat(), "frequency": "monthly"},
    )
    assert Pairing.objects.get().helper_team == unit


@pytest.mark.parametrize(
    "data",
    [
        {},  # nobody
        {"helper_phone": "13799999999"},  # not registered
        {"helper_phone": "12345"},
        {"helper_user": "me", "helper_team": "unit"},  # both
    ],
)
def test_a_pairing_needs_exactly_one_known_helper(
    client, tree, community_worker, beneficiary, data
):
    unit = TeamFactory(center=tree.community, kind=Team.Kind.PARTNER)
    data = {k: {"me": community_worker.pk, "unit": unit.pk}.get(v, v) for k, v in data.items()}
    client.force_login(community_worker)
    response = client.post(
        url("pairing_new", beneficiary.pk),
        {**data, "started_on": TODAY().isoformat(), "frequency": "monthly"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Pairing.objects.exists()


def test_a_second_open_pairing_of_the_same_helper_is_a_form_error(
    client, tree, community_worker, beneficiary
):
    pair(beneficiary, user=community_worker)
    client.force_login(community_worker)
    response = client.post(
        url("pairing_new", beneficiary.pk),
        {
            "helper_user": community_worker.pk,
            "started_on": TODAY().isoformat(),
            "frequency": "monthly",
        },
    )
    assert response.status_code == 200
    assert "尚未结束的结对" in response.content.decode()
    assert Pairing.objects.count() == 1


def test_the_database_refusing_a_duplicate_pairing_is_a_form_error_too(
    client, tree, community_worker, beneficiary, monkeypatch
):
    """Two staff pairing the same helper at once both pass the checks; the database decides."""
    pair(beneficiary, user=community_worker)
    monkeypatch.setattr(PairingForm, "already_paired", lambda self: False)
    monkeypatch.setattr(Pairing, "validate_constraints", lambda self, exclude=None: None)
    client.force_login(community_worker)
    response = client.post(
        url("pairing_new", beneficiary.pk),
        {
            "helper_user": community_worker.pk,
            "started_on": TODAY().isoformat(),
            "frequency": "monthly",
        },
    )
    assert response.status_code == 200
    assert "尚未结束的结对" in response.content.decode()
    assert Pairing.objects.count() == 1


def test_an_ended_pairing_can_be_renewed(client, tree, community_worker, beneficiary):
    pair(beneficiary, user=community_worker, ended_on=TODAY() - timedelta(days=1))
    client.force_login(community_worker)
    response = client.post(
        url("pairing_new", beneficiary.pk),
        {
            "helper_user": community_worker.pk,
            "started_on": TODAY().isoformat(),
            "frequency": "monthly",
        },
    )
    assert response.status_code == 302
    assert Pairing.objects.count() == 2


def test_end_a_pairing(client, tree, community_worker, beneficiary):
    pairing = pair(beneficiary, days_ago=10)
    client.force_login(community_worker)
    response = client.post(url("pairing_end", pairing.pk), {"ended_on": TODAY().isoformat()})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.ended_on == TODAY()
    assert AuditEntry.objects.filter(action="update", object_type="pairing").exists()


@pytest.mark.parametrize("days", [11, -1, None])
def test_ending_a_pairing_on_a_bad_date_is_refused(
    client, tree, community_worker, beneficiary, days
):
    pairing = pair(beneficiary, days_ago=10)
    client.force_login(community_worker)
    ended = "" if days is None else (TODAY() - timedelta(days=days)).isoformat()
    response = client.post(url("pairing_end", pairing.pk), {"ended_on": ended}, follow=True)
    assert response.status_code == 200
    assert next(iter(response.context["messages"])).level_tag == "error"
    pairing.refresh_from_db()
    assert pairing.ended_on is None


def test_ending_an_ended_pairing_is_refused(client, tree, community_worker, beneficiary):
    pairing = pair(beneficiary, days_ago=10, ended_on=TODAY() - timedelta(days=2))
    client.force_login(community_worker)
    response = client.post(
        url("pairing_end", pairing.pk), {"ended_on": TODAY().isoformat()}, follow=True
    )
    assert "已经结束" in str(next(iter(response.context["messages"])))
    pairing.refresh_from_db()
    assert pairing.ended_on == TODAY() - timedelta(days=2)


# -- Visits ------------------------------------------------------------------------------------


def test_log_a_visit_under_the_pairing(client, tree, community_worker, beneficiary):
    helper = UserFactory(name="李书记")
    pairing = pair(beneficiary, user=helper)
    client.force_login(community_worker)
    form = client.get(url("visit_new", beneficiary.pk)).context["form"]
    assert form.initial["pairing"] == pairing.pk
    response = client.post(
        url("visit_new", beneficiary.pk),
        {
            "visited_on": TODAY().isoformat(),
            "kind": "holiday",
            "pairing": pairing.pk,
            "helper_name": "",
            "findings": "精神不错，冬季取暖正常。",
            "items_given": "米面油一套",
        },
    )
    assert response.status_code == 302
    v = Visit.objects.get()
    assert (v.pairing, v.helper_name, v.recorded_by) == (pairing, "李书记", community_worker)


def test_a_visit_without_pairing_needs_a_helper_name(client, tree, community_worker, beneficiary):
    client.force_login(community_worker)
    form = client.get(url("visit_new", beneficiary.pk)).context["form"]
    assert form.initial["helper_name"] == community_worker.name
    response = client.post(
        url("visit_new", beneficiary.pk),
        {"visited_on": TODAY().isoformat(), "kind": "home", "helper_name": ""},
    )
    assert "helper_name" in response.context["form"].errors


def test_date_inputs_carry_iso_values_the_browser_accepts(
    client, tree, community_worker, beneficiary
):
    client.force_login(community_worker)
    html = client.get(url("visit_new", beneficiary.pk)).content.decode()
    assert f'value="{TODAY().isoformat()}"' in html
    html = client.get(url("beneficiary_new", tree.community.slug)).content.decode()
    assert f'name="consent_on" value="{TODAY().isoformat()}"' in html
    assert "Select an option" not in html and "---" not in html


def test_a_visit_cannot_be_in_the_future(client, tree, community_worker, beneficiary):
    client.force_login(community_worker)
    response = client.post(
        url("visit_new", beneficiary.pk),
        {
            "visited_on": (TODAY() + timedelta(days=1)).isoformat(),
            "kind": "home",
            "helper_name": "李书记",
        },
    )
    assert "visited_on" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_visit_programs_are_the_centers_and_its_ancestors(
    client, tree, community_worker, beneficiary
):
    district_drive = program_at(tree.district, name="全区春节慰问")
    ours = program_at(tree.community, name="创业社区助老")
    program_at(tree.other_street, name="人民路街道慰问")
    program_at(tree.sibling, name="展览馆社区结对")
    client.force_login(community_worker)
    form = client.get(url("visit_new", beneficiary.pk)).context["form"]
    assert set(form.fields["program"].queryset) == {district_drive, ours}


def test_a_visit_outside_the_program_dates_is_refused(client, tree, community_worker, beneficiary):
    old = program_at(
        tree.community,
        starts_on=TODAY() - timedelta(days=60),
        ends_on=TODAY() - timedelta(days=30),
    )
    client.force_login(community_worker)
    response = client.post(
        url("visit_new", beneficiary.pk),
        {
            "visited_on": TODAY().isoformat(),
            "kind": "home",
            "helper_name": "李书记",
            "program": old.pk,
        },
    )
    assert "program" in response.context["form"].errors


# -- Dashboard: overdue and the visit rate -----------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "last_visit_days_ago", "overdue"),
    [
        ("weekly", 7, False),  # the last day of the window
        ("weekly", 8, True),
        ("monthly", 31, False),
        ("monthly", 32, True),
        ("quarterly", 92, False),
        ("quarterly", 93, True),
    ],
)
def test_overdue_at_the_window_boundary(
    tree, community_worker, beneficiary, frequency, last_visit_days_ago, overdue
):
    pairing = pair(beneficiary, days_ago=200, frequency=frequency)
    visit(beneficiary, days_ago=last_visit_days_ago, pairing=pairing)
    board = care_selectors.care_dashboard(community_worker)
    assert board.pairings_overdue == int(overdue)
    assert board.pairings_visited == int(not overdue)
    assert [p.pk for p in board.overdue] == ([pairing.pk] if overdue else [])
    assert pairing.is_overdue(TODAY() - timedelta(days=last_visit_days_ago)) == overdue


@pytest.mark.parametrize(("started_days_ago", "overdue"), [(7, False), (8, True)])
def test_a_pairing_never_visited_counts_from_its_start(
    tree, community_worker, beneficiary, started_days_ago, overdue
):
    pairing = pair(beneficiary, days_ago=started_days_ago, frequency="weekly")
    # A visit before the pairing started, and one not logged under it, do not count for it.
    visit(beneficiary, days_ago=started_days_ago + 1, pairing=pairing)
    visit(beneficiary, days_ago=0)
    board = care_selectors.care_dashboard(community_worker)
    assert board.pairings_overdue == int(overdue)
    assert board.pairings_visited == 0
    if overdue:
        assert board.overdue[0].days_late == 1
        assert board.overdue[0].last_visit_on is None


def test_visit_rate_counts_active_pairings_visited_within_their_window(
    tree, community_worker, beneficiary
):
    weekly_done = pair(beneficiary, frequency="weekly")
    visit(beneficiary, days_ago=3, pairing=weekly_done)
    visit(beneficiary, days_ago=5, pairing=weekly_done)
    weekly_late = pair(beneficiary, frequency="weekly")
    visit(beneficiary, days_ago=10, pairing=weekly_late)
    quarterly_done = pair(beneficiary, frequency="quarterly", days_ago=400)
    visit(beneficiary, days_ago=80, pairing=quarterly_done)
    pair(beneficiary, frequency="monthly", days_ago=5)  # new: not overdue, not yet visited
    # Not counted: an ended pairing, and the pairing of a paused beneficiary.
    pair(beneficiary, ended_on=TODAY() - timedelta(days=1))
    paused = BeneficiaryFactory(center=tree.community, status="paused")
    pair(paused, frequency="weekly")
    board = care_selectors.care_dashboard(community_worker)
    assert board.pairings_active == 4
    assert board.pairings_visited == 2
    assert board.pairings_overdue == 1
    assert board.visit_rate == 50


def test_dashboard_page_shows_the_figures_with_masked_names(
    client, tree, community_worker, beneficiary
):
    BeneficiaryFactory(center=tree.community, tier="low")
    BeneficiaryFactory(center=tree.other_community, tier="low")
    late = pair(beneficiary, frequency="weekly", days_ago=30)
    visit(beneficiary, days_ago=20, pairing=late)
    client.force_login(community_worker)
    response = client.get(url("dashboard"))
    board = response.context["board"]
    assert board.active_total == 2
    assert [n for _v, _l, n in board.tiers] == [1, 0, 1]
    assert board.visit_rate == 0
    assert board.month_visits == (1 if (TODAY() - timedelta(days=20)).month == TODAY().month else 0)
    html = response.content.decode()
    assert beneficiary.masked_name in html and "逾期 13 天" in html
    for value in PRIVATE.values():
        assert value not in html, value


def test_dashboard_runs_fixed_queries(client, tree, street_staff, django_assert_num_queries):
    b = BeneficiaryFactory(center=tree.community)
    pair(b)
    client.force_login(street_staff)
    client.get(url("dashboard"))
    # 1 session, 2 user, 3 roles, 4 beneficiaries by tier, 5 pairing figures, 6 overdue
    # pairings, 7 recent visits, 8 this month's visits.
    with django_assert_num_queries(8):
        client.get(url("dashboard"))
    program = program_at(tree.street)
    for i in range(30):
        b = BeneficiaryFactory(center=tree.sibling if i % 2 else tree.community, tier="high")
        p = pair(b, frequency="weekly", days_ago=40)
        visit(b, days_ago=i % 12, pairing=p, program=program)
    with django_assert_num_queries(8):
        response = client.get(url("dashboard"))
    assert response.context["board"].pairings_active == 31


# -- Help programs -----------------------------------------------------------------------------


def test_create_a_program(client, tree, street_staff):
    client.force_login(street_staff)
    response = client.post(
        url("program_new", tree.street.slug),
        {
            "name": "2026年春节走访慰问",
            "starts_on": "2026-01-20",
            "ends_on": "2026-02-20",
            "description": "走访辖区困难群众。",
        },
    )
    program = HelpProgram.objects.get()
    assert response["Location"] == url("program", program.pk)
    assert program.center == tree.street


def test_a_program_ending_before_it_starts_is_a_form_error(client, tree, street_staff):
    client.force_login(street_staff)
    response = client.post(
        url("program_new", tree.street.slug),
        {"name": "慰问", "starts_on": "2026-02-20", "ends_on": "2026-01-20"},
    )
    assert "ends_on" in response.context["form"].errors
    assert not HelpProgram.objects.exists()


def test_program_counts_distinct_residents_reached(client, tree, street_staff, beneficiary):
    program = program_at(tree.street)
    other = BeneficiaryFactory(center=tree.sibling)
    for b, n in ((beneficiary, 3), (other, 1)):
        for i in range(n):
            visit(b, days_ago=i, program=program)
    visit(beneficiary, days_ago=1)  # not under the program
    client.force_login(street_staff)
    response = client.get(url("program", program.pk))
    assert response.context["figures"] == {"visits": 4, "reached": 2, "communities": 2}
    html = response.content.decode()
    assert beneficiary.masked_name in html and PRIVATE["name"] not in html
    listed = client.get(url("programs")).context["page_obj"][0]
    assert (listed.visit_count, listed.reached) == (4, 2)


def test_a_district_program_shows_a_community_worker_only_their_visits(
    client, tree, community_worker, beneficiary
):
    drive = program_at(tree.district)
    visit(beneficiary, program=drive)
    elsewhere = BeneficiaryFactory(center=tree.other_community, name="别处的人")
    visit(elsewhere, program=drive)
    client.force_login(community_worker)
    response = client.get(url("program", drive.pk))
    assert response.status_code == 200
    assert response.context["figures"]["reached"] == 1
    assert response.context["partial"] is True
    assert elsewhere.masked_name not in response.content.decode()
    assert [p.pk for p in client.get(url("programs")).context["page_obj"]] == [drive.pk]


def test_program_list_runs_fixed_queries(client, tree, street_staff, django_assert_num_queries):
    program_at(tree.street)
    client.force_login(street_staff)
    client.get(url("programs"))
    # 1 session, 2 user, 3 roles, 4 count, 5 the page of programs, 6 their figures,
    # 7 centers for "new program".
    with django_assert_num_queries(7):
        client.get(url("programs"))
    for i in range(10):
        program = program_at(tree.community if i % 2 else tree.street, name=f"慰问{i}")
        visit(BeneficiaryFactory(center=tree.community), program=program)
    with django_assert_num_queries(7):
        client.get(url("programs"))
