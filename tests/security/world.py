"""One of everything, owned by the community 创业 (chuangye), for the generated access tests.

Every record a staff URL can point at exists here, made the way staff and residents make them
(through the services where a service exists). The names and numbers in `PRIVATE` are personal
data that no public page may show; `RECORDS` are chuangye's records that staff of another
community may not see. Both are distinctive so that a search of a response body finds them.
"""

import io
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from activities import services as activity_services
from activities.models import Occurrence
from assistance import services as aid_services
from assistance.models import BeneficiaryType, HelpProgram, Item, Pairing, Visit
from centers.models import StaffRole
from deliberation import services as issue_services
from deliberation.models import Issue
from tests.factories import (
    ActivityFactory,
    AidStationFactory,
    BeneficiaryFactory,
    ExhibitionFactory,
    IssueFactory,
    ItemFactory,
    PhotoFactory,
    RoomFactory,
    ServiceFactory,
    StaffRoleFactory,
    TeamFactory,
    UserFactory,
)


def with_check_digit(first17):
    """A resident ID number with its GB 11643 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


#: Personal data seeded into chuangye's records: never on a public page, never to outsiders.
PRIVATE = {
    "submitter_name": "甄秘密",
    "submitter_phone": "13811112222",
    "beneficiary_name": "龚秘兰",
    "beneficiary_phone": "15847112233",
    "beneficiary_id": with_check_digit("15010219480315123"),
    "beneficiary_address": "幸福里小区7栋3单元501室",
    "requester_name": "欧阳秘娜",
    "requester_phone": "13912345678",
    "offerer_name": "钱秘捐",
    "offerer_phone": "13800001111",
    "registrant_name": "报名秘人",
    "registrant_phone": "13600002222",
}

#: Titles of chuangye's records that only staff whose scope covers chuangye may see.
RECORDS = {
    "activity": "创业访问测试活动",
    "running": "创业访问测试进行中活动",
    "issue": "创业访问测试议题",
    "meeting": "创业访问测试议事会",
    "program": "创业访问测试帮扶活动",
    "station": "创业访问测试援助站",
}


def jpeg_upload(name="photo.jpg"):
    """A small real JPEG, as a browser would upload it."""
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _started_an_hour_ago(occurrence):
    starts_at = timezone.now() - timedelta(hours=1)
    Occurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=starts_at, original_start=starts_at, ends_at=starts_at + timedelta(minutes=90)
    )
    occurrence.refresh_from_db()
    return occurrence


def build(tree, *, worker, street_staff):
    """Everything a URL can name, at chuangye; returns it as one namespace."""
    center = tree.community
    today = timezone.localdate()
    w = SimpleNamespace(tree=tree, center=center, worker=worker, street_staff=street_staff)
    w.registrant = UserFactory(name=PRIVATE["registrant_name"], phone=PRIVATE["registrant_phone"])
    w.helper = StaffRoleFactory(center=center, role=StaffRole.Role.VIEWER).user
    Group.objects.create(name="访问测试组")

    # Center page content, one of each kind the console edits.
    w.content = {
        "rooms": RoomFactory(center=center),
        "exhibitions": ExhibitionFactory(center=center),
        "services": ServiceFactory(center=center),
        "teams": TeamFactory(center=center),
        "photos": PhotoFactory(center=center),
    }

    # Activities: one upcoming (public pages, editing), one running now (attendance, check-in).
    w.activity = ActivityFactory(center=center, title=RECORDS["activity"])
    w.occurrence = w.activity.occurrences.get()
    running = ActivityFactory(center=center, title=RECORDS["running"], volunteer_hours=2)
    w.running = running.occurrences.get()
    w.registration = activity_services.registration_create(user=w.registrant, occurrence=w.running)
    _started_an_hour_ago(w.running)

    # Deliberation: an issue in each state a staff step starts from, a meeting with an agenda.
    w.issue = issue_services.issue_submit(
        center=center,
        data={
            "title": RECORDS["issue"],
            "description": "雨天路面积水，老人出行不便。",
            "category": Issue.Category.DRAINAGE,
            "location": "园艺所西巷",
            "submitter_name": PRIVATE["submitter_name"],
            "submitter_phone": PRIVATE["submitter_phone"],
        },
    )
    private_contact = {
        "submitter_name": PRIVATE["submitter_name"],
        "submitter_phone": PRIVATE["submitter_phone"],
    }
    w.accepted = IssueFactory(center=center, status=Issue.Status.ACCEPTED, **private_contact)
    w.deliberating = IssueFactory(
        center=center, status=Issue.Status.DELIBERATING, **private_contact
    )
    w.in_progress = IssueFactory(center=center, status=Issue.Status.IN_PROGRESS, **private_contact)
    w.resolved = IssueFactory(center=center, status=Issue.Status.RESOLVED, **private_contact)
    meeting_data = {
        "title": RECORDS["meeting"],
        "held_at": timezone.now() - timedelta(days=1),
        "place": "社区议事厅",
        "minutes": "议定：由物业清理排水沟。",
    }
    w.meeting = issue_services.meeting_save(
        actor=worker,
        center=center,
        data=meeting_data,
        participants=[("party_member", "", 5), ("resident_rep", "", 8)],
        issues=[w.deliberating],
    )
    w.agenda_item = w.meeting.agenda.get()
    w.published_meeting = issue_services.meeting_save(
        actor=worker,
        center=center,
        data={**meeting_data, "title": "创业社区已公示的议事会"},
        participants=[("resident_rep", "", 6)],
        issues=[],
    )
    issue_services.meeting_publish(actor=worker, meeting=w.published_meeting)

    # Care: a beneficiary with a pairing and a visit, a help program.
    w.beneficiary = BeneficiaryFactory(
        center=center,
        name=PRIVATE["beneficiary_name"],
        phone=PRIVATE["beneficiary_phone"],
        id_number=PRIVATE["beneficiary_id"],
        address=PRIVATE["beneficiary_address"],
    )
    BeneficiaryType.objects.create(beneficiary=w.beneficiary, type="elderly_alone")
    w.pairing = Pairing.objects.create(
        beneficiary=w.beneficiary,
        helper_user=w.helper,
        started_on=today - timedelta(days=60),
        frequency="monthly",
    )
    w.program = HelpProgram.objects.create(
        center=center,
        name=RECORDS["program"],
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    w.visit = Visit.objects.create(
        beneficiary=w.beneficiary,
        pairing=w.pairing,
        program=w.program,
        visited_on=today - timedelta(days=3),
        kind=Visit.Kind.HOME,
        helper_name="李书记",
        recorded_by=worker,
    )

    # The aid station: stock from two donations, a public request and offer, a distribution.
    w.coat = ItemFactory(name="棉大衣", category=Item.Category.CLOTHING)
    w.rice = ItemFactory(name="大米", unit="袋", category=Item.Category.FOOD)
    w.station = AidStationFactory(center=center, name=RECORDS["station"])
    w.sibling_station = AidStationFactory(center=tree.sibling)

    def donate(item, quantity):
        return aid_services.donation_receive(
            actor=worker,
            station=w.station,
            data={"donor_name": "李女士", "received_on": today},
            lines=[(item, quantity, "good", True)],
        )

    w.donation = donate(w.coat, 5)
    # The rice stays untouched, so reversing its donation is allowed.
    w.movement = donate(w.rice, 3).movements.get()
    w.pending_request = aid_services.aid_request_submit(
        station=w.station,
        data={
            "requester_name": PRIVATE["requester_name"],
            "requester_phone": PRIVATE["requester_phone"],
            "reason": "冬季缺被褥",
        },
    )
    approved = aid_services.aid_request_file(
        actor=worker,
        station=w.station,
        beneficiary=w.beneficiary,
        reason="冬季御寒",
        lines=[(w.coat, 1)],
    )
    aid_services.aid_request_approve(actor=worker, request=approved)
    w.distribution = aid_services.distribution_create(
        actor=worker,
        station=w.station,
        lines=[(w.coat, 1)],
        distributed_on=today,
        request=approved,
        recipient_name=PRIVATE["beneficiary_name"],
    )
    w.offer = aid_services.goods_offer_submit(
        station=w.station,
        data={
            "name": PRIVATE["offerer_name"],
            "phone": PRIVATE["offerer_phone"],
            "items": "儿童冬衣十件",
        },
    )
    return w
