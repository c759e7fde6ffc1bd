"""A deterministic, city-scale dataset for benchmarks (issue 7): `generate_scale_data`.

The same seed, sizes and anchor date give the same rows (primary keys included, on an empty
database). Everything is written as plain rows through `scale.writer` (COPY on PostgreSQL), with
the invariants the services keep: confirmed counts match confirmed sign-ups and stay within
capacity, stock levels are the sum of the ledger and never negative (every `balance_after` is
the running level), issues move only along `TRANSITIONS` with one event per move, and no room
holds two scheduled occurrences at once.

Sizes follow the per-center ratios in `scale.plan`. For `--centers 2000 --years 3`: 2,000
centers (80 streets, 95 park/building centers, 1,824 communities), 82,000 accounts, 54,000
activities with 300,000 occurrences, 1,000,000 registrations, 300,000 issues (1.6 million
events), 20,000 beneficiaries (about 410,000 visits), 1,000,000 stock movements.

Time: the anchor date is the dataset's "today". Issues, visits and the stock ledger cover the
`years` before it; activities cover as many years ending three months after it, so the calendar
has upcoming sessions (sign-ups open three weeks ahead).

The phases (centers and accounts here; then `scale.activities`, `scale.issues`, `scale.care`,
`scale.stock`) each draw from their own random stream per center, so the data of one center
does not depend on the others. Primary keys are explicit, so rows can point at each other
before they are written.

Generated rows are recognisable: center slugs start with `PREFIX`, accounts have phone numbers
199xxxxxxxx and names starting with 测试; every personal detail is invented.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity, Occurrence, Registration
from assistance.demo import ITEMS
from assistance.models import (
    AidRequest,
    AidRequestLine,
    AidStation,
    Beneficiary,
    BeneficiaryType,
    Distribution,
    DistributionLine,
    Donation,
    DonationLine,
    GoodsOffer,
    HelpProgram,
    Item,
    Pairing,
    StockLevel,
    StockMovement,
    Visit,
    WishListItem,
)
from centers.demo_data import HOURS
from centers.models import Center, Exhibition, Room, Service, StaffRole, Team, User
from deliberation.models import (
    AgendaItem,
    Issue,
    IssueEvent,
    Meeting,
    MeetingParticipant,
)
from scale import words
from scale.activities import ActivitiesPhase
from scale.care import CarePhase
from scale.issues import IssuesPhase
from scale.plan import AHEAD, DAY, PARK_EVERY, RESIDENTS_PER_CENTER, YEAR_DAYS, Plan, split
from scale.stock import StockPhase
from scale.writer import Writer, reset_sequences

#: Every generated center's slug starts with this.
PREFIX = "scale-"
#: Password of every generated staff account (residents' accounts have no usable password).
STAFF_PASSWORD = "dangqun-scale"
#: The district administrator's login (a manager at the root center).
DISTRICT_ADMIN_PHONE = "19900000001"
GENERATED_USERS = Q(phone__startswith="199", name__startswith="测试")


def step_key(number):
    """The `steplen` characters treebeard uses for the `number`-th child (1-based)."""
    alphabet, key = Center.alphabet, ""
    while number:
        number, digit = divmod(number, len(alphabet))
        key = alphabet[digit] + key
    return key.rjust(Center.steplen, alphabet[0])


def key_number(key):
    alphabet = Center.alphabet
    number = 0
    for char in key:
        number = number * len(alphabet) + alphabet.index(char)
    return number


# -- What is in the database ------------------------------------------------------------------


def foreign_data():
    """Descriptions of rows the generator did not write (empty when there are none)."""
    found = []
    centers = Center.objects.exclude(slug__startswith=PREFIX).count()
    if centers:
        found.append(f"{centers} centers")
    users = User.objects.exclude(GENERATED_USERS).count()
    if users:
        found.append(f"{users} users")
    catalogue = Q(*[Q(name=name, unit=unit) for name, unit, _c in ITEMS], _connector=Q.OR)
    items = Item.objects.exclude(catalogue).count()
    if items:
        found.append(f"{items} catalogue items")
    return found


def generated_data_present():
    return (
        Center.objects.filter(slug__startswith=PREFIX).exists()
        or User.objects.filter(GENERATED_USERS).exists()
    )


def content_models():
    """Every model of the portal's apps, auto-created many-to-many tables included."""
    return [
        model
        for label in ("centers", "activities", "deliberation", "assistance")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]


class Refused(Exception):
    """The database holds data the generator must not replace."""


def make_room(*, force):
    """Empty a database that holds only generated data; refuse one with anything else.

    With `force`, generate beside other data, as long as no generated data is there too (its
    rows could not be told apart for replacing) and no account uses the generated 199 numbers.
    """
    foreign = foreign_data()
    if not foreign:
        wipe()
        return
    if not force:
        raise Refused(
            _("数据库中已有非生成的数据（%(what)s）；如确需在旁生成，请加 --force。")
            % {"what": "，".join(foreign)}
        )
    if generated_data_present():
        raise Refused(_("数据库中同时有生成的数据和其他数据，无法安全替换；请先清空数据库。"))
    if User.objects.filter(phone__startswith="199").exists():
        raise Refused(_("已有账号使用 199 号段，与生成的账号冲突。"))


@transaction.atomic
def generate_dataset(*, plan, seed, anchor, method, batch_size, force, progress):
    """Make room (see `make_room`), then write the whole dataset; returns rows per model.

    One transaction: a failure leaves the database as it was. `progress(label, total)` is a
    context manager giving a callable that advances by a number of centers.
    """
    make_room(force=force)
    if method == "copy":
        # Check foreign keys per statement: the writer flushes parents first (a pair of transfer
        # movements pointing at each other shares one COPY), and deferring millions of checks
        # to the commit would hold them all in memory.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    writer = Writer(method=method, batch_size=batch_size)
    generator = Generator(plan=plan, seed=seed, anchor=anchor, writer=writer, progress=progress)
    counts = generator.run()
    if method == "copy":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return counts


def wipe():
    """Empty every table of the portal's apps (and rows that point at them), ids restarting."""
    tables = [model._meta.db_table for model in content_models()]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    if connection.vendor == "postgresql":
        # TRUNCATE refuses a table with deferred foreign-key checks still pending from this
        # transaction (the report summaries written after an earlier run): run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# -- The generator ----------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    """One generated center and what the later phases need to know about it."""

    index: int
    id: int
    path: str
    level: str
    short: str
    slug: str
    parent: "Node | None"
    children: list = field(default_factory=list)
    staff: int = 0
    staff_name: str = ""
    residents: range = range(0)
    resident_numbers: range = range(0)
    rooms: list = field(default_factory=list)
    teams: dict = field(default_factory=dict)
    beneficiaries: list = field(default_factory=list)
    station: int | None = None


class Ids:
    """The next explicit primary key per model, starting after whatever the table holds."""

    def __init__(self):
        self.next = {}

    def take(self, model, count=1):
        if model not in self.next:
            self.next[model] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        first = self.next[model]
        self.next[model] = first + count
        return first


class Generator(ActivitiesPhase, IssuesPhase, CarePhase, StockPhase):
    """Writes the dataset phase by phase; each phase but the first lives in its own module."""

    def __init__(self, *, plan: Plan, seed: int, anchor: date, writer: Writer, progress):
        self.plan = plan
        self.seed = seed
        self.writer = writer
        self.progress = progress
        self.tz = timezone.get_default_timezone()
        self.now = datetime.combine(anchor, time(0), self.tz)
        self.window_end = self.now + AHEAD
        self.window_start = self.window_end - plan.years * YEAR_DAYS * DAY
        # Issues, visits and stock cover the years up to the anchor.
        self.history_start = self.now - plan.years * YEAR_DAYS * DAY
        self.ids = Ids()
        self.codes = set()
        self._tables()

    def rng(self, *parts):
        """An independent random stream per phase and unit: one change does not shift the rest."""
        return random.Random("/".join(str(part) for part in (self.seed, *parts)))

    def _tables(self):
        t = self.writer.table
        self.t_user = t(User, "id password phone name is_staff is_active is_superuser date_joined")
        self.t_center = t(
            Center,
            "id path depth numchild name short_name slug level brand brand_story intro address "
            "phone opening_hours area_sqm is_published updated_at",
        )
        self.t_room = t(Room, "id center_id sort_order name kind capacity description")
        self.t_exhibition = t(Exhibition, "id center_id sort_order name description halls")
        self.t_service = t(Service, "id center_id sort_order name description")
        self.t_team = t(Team, "id center_id sort_order name kind description member_count")
        self.t_role = t(StaffRole, "id user_id center_id role created_at")
        self.t_activity = t(
            Activity,
            "id uid center_id title description category audience room_id location organizer_id "
            "starts_at duration_minutes recurrence capacity registration_required "
            "volunteer_hours is_published created_by_id created_at updated_at",
        )
        self.t_occurrence = t(
            Occurrence,
            "id activity_id original_start starts_at ends_at room_id capacity confirmed_count "
            "status cancel_reason summary head_count recorded_at",
        )
        self.t_registration = t(
            Registration,
            "id occurrence_id user_id status created_at promoted_at cancelled_at attended "
            "checked_in_at hours_credited",
        )
        self.t_issue = t(
            Issue,
            "id tracking_code center_id title description category location submitter_name "
            "submitter_phone is_anonymous submitted_by_id status assigned_to_id created_at "
            "response_due accepted_at due_date resolved_at resolution public_reason "
            "merged_into_id satisfaction rating_comment rated_at is_public updated_at",
        )
        self.t_event = t(
            IssueEvent,
            "id issue_id kind actor_id from_status to_status center_id public_note "
            "internal_note created_at",
        )
        self.t_meeting = t(
            Meeting,
            "id center_id title held_at place minutes published_at created_by_id created_at",
        )
        self.t_participant = t(MeetingParticipant, "id meeting_id role names count")
        self.t_agenda = t(AgendaItem, "id meeting_id issue_id decision")
        self.t_beneficiary = t(
            Beneficiary,
            "id center_id name gender birth_year phone id_number address tier needs "
            "health_notes guardian_name guardian_phone consent_purpose consent_on "
            "consent_withdrawn_on status created_at updated_at",
        )
        self.t_btype = t(BeneficiaryType, "id beneficiary_id type")
        self.t_pairing = t(
            Pairing,
            "id beneficiary_id helper_user_id helper_team_id started_on ended_on frequency note "
            "created_at",
        )
        self.t_program = t(HelpProgram, "id center_id name starts_on ends_on description")
        self.t_visit = t(
            Visit,
            "id beneficiary_id pairing_id program_id visited_on kind helper_name findings "
            "items_given follow_up recorded_by_id created_at",
        )
        self.t_item = t(Item, "id category name unit")
        self.t_station = t(
            AidStation, "id center_id name intro how_to_donate opening_hours is_public"
        )
        self.t_wish = t(WishListItem, "id station_id item_id note")
        self.t_donation = t(
            Donation,
            "id station_id donor_name is_anonymous received_on note recorded_by_id created_at",
        )
        self.t_donation_line = t(
            DonationLine, "id donation_id item_id quantity condition disinfected"
        )
        self.t_request = t(
            AidRequest,
            "id station_id beneficiary_id requester_name requester_phone reason items_wanted "
            "status decline_reason decided_by_id decided_at created_by_id created_at",
        )
        self.t_request_line = t(AidRequestLine, "id request_id item_id quantity")
        self.t_distribution = t(
            Distribution,
            "id station_id request_id beneficiary_id recipient_name distributed_on note "
            "recorded_by_id created_at",
        )
        self.t_distribution_line = t(DistributionLine, "id distribution_id item_id quantity")
        self.t_movement = t(
            StockMovement,
            "id station_id item_id kind quantity balance_after reason actor_id donation_id "
            "distribution_id reverses_id counterpart_id created_at",
        )
        self.t_level = t(StockLevel, "id station_id item_id quantity")
        self.t_offer = t(GoodsOffer, "id station_id name phone items status created_at")

    def models(self):
        return list(self.writer.tables)

    def run(self):
        """Generate everything, phase by phase; returns the rows written per model."""
        for label, phase in [
            ("中心与账号", self.centers_and_people),
            ("活动与报名", self.activities),
            ("议题", self.issues),
            ("帮扶对象与走访", self.care),
            ("援助站与库存", self.stock),
        ]:
            with self.progress(label, self.plan.centers) as advance:
                phase(advance)
            self.writer.flush()
        reset_sequences(self.models())
        return self.writer.counts()

    # -- Centers, content and accounts ---------------------------------------------------------

    def _tree(self):
        """The center tree: the root, its streets, and under each street its share of the rest."""
        plan, rng = self.plan, self.rng("tree")
        last_root = Center.objects.filter(depth=1).order_by("-path").values_list("path", flat=True)
        root_path = step_key(key_number(last_root[0]) + 1 if last_root else 1)
        first_id = self.ids.take(Center, plan.centers)
        root = Node(0, first_id, root_path, "district", "测试区", f"{PREFIX}district", None)
        nodes = [root]
        street_names = [a + b for a in words.STREET_STEMS for b in words.STREET_SUFFIXES]
        rng.shuffle(street_names)
        community_names = [
            a + b + c
            for a in words.COMMUNITY_DIRECTIONS
            for b in words.COMMUNITY_STEMS
            for c in words.COMMUNITY_SUFFIXES
        ]
        rng.shuffle(community_names)
        below = plan.centers - 1 - plan.streets
        sizes = split(below, [1] * plan.streets)
        community_count = special_count = below_index = 0
        for s, size in enumerate(sizes):
            base = street_names[s % len(street_names)]
            short = f"{base}{s // len(street_names) + 1 if s >= len(street_names) else ''}街道"
            street = Node(
                len(nodes),
                first_id + len(nodes),
                root_path + step_key(s + 1),
                "street",
                short,
                f"{PREFIX}s{s + 1}",
                root,
            )
            nodes.append(street)
            root.children.append(street)
            for c in range(size):
                # Every PARK_EVERY-th center below the streets is a park or a building.
                below_index += 1
                if below_index % PARK_EVERY == 0 and special_count < plan.parks_and_buildings:
                    level = "park" if special_count % 2 == 0 else "building"
                    stem = words.PARK_STEMS[special_count % len(words.PARK_STEMS)]
                    number = special_count // len(words.PARK_STEMS) + 1
                    short = f"{stem}{'科技园区' if level == 'park' else '商务楼宇'}{number}"
                    special_count += 1
                else:
                    level = "community"
                    name = community_names[community_count % len(community_names)]
                    suffix = community_count // len(community_names)
                    short = f"{name}{suffix + 1 if suffix else ''}社区"
                    community_count += 1
                node = Node(
                    len(nodes),
                    first_id + len(nodes),
                    street.path + step_key(c + 1),
                    level,
                    short,
                    f"{street.slug}-c{c + 1}",
                    street,
                )
                nodes.append(node)
                street.children.append(node)
        return nodes

    def centers_and_people(self, advance):
        plan = self.plan
        self.nodes = nodes = self._tree()
        first_staff = self.ids.take(User, plan.users)
        first_resident = first_staff + plan.centers
        staff_hash = make_password(STAFF_PASSWORD, salt="dangqunscale")
        joined = self.window_start - YEAR_DAYS * DAY
        for node in nodes:
            rng = self.rng("center", node.index)
            t = self.t_center
            level = node.level
            area = {"district": 4000, "street": 1500}.get(level, 500)
            stem = node.short.removesuffix("社区").removesuffix("街道")
            brand = f"“{rng.choice(words.BRANDS)}”" if rng.random() < 0.6 else ""
            t.add(
                (
                    node.id,
                    node.path,
                    len(node.path) // Center.steplen,
                    len(node.children),
                    f"{node.short}党群服务中心",
                    node.short,
                    node.slug,
                    level,
                    brand,
                    f"{brand}服务品牌立足{stem}，把服务送到居民家门口。" if brand else "",
                    f"{node.short}党群服务中心面向辖区党员群众开放，提供党性锤炼、学习教育、"
                    "文体娱乐、综合服务、民意交流等服务。",
                    f"测试市测试区{stem}{rng.randint(1, 300)}号",
                    f"0471-{rng.randint(2000000, 6999999)}",
                    HOURS[level],
                    rng.randint(area // 2, area * 2),
                    True,
                    joined,
                )
            )
            rooms = list(words.ROOMS[level])
            if level == "community":
                rooms += rng.sample(words.EXTRA_COMMUNITY_ROOMS, rng.randint(0, 3))
            first_room = self.ids.take(Room, len(rooms))
            for i, (kind, name, capacity) in enumerate(rooms):
                self.t_room.add((first_room + i, node.id, i + 1, name, kind, capacity, ""))
                node.rooms.append((first_room + i, kind, capacity, name))
            if level in ("district", "street"):
                self.t_exhibition.add(
                    (
                        self.ids.take(Exhibition),
                        node.id,
                        1,
                        f"{node.short}党建文史馆",
                        "展示辖区党组织发展历程和基层治理成果。",
                        "序厅：党的光辉历程\n基层治理：网格化服务\n先锋风采：优秀党员事迹",
                    )
                )
            for i, (name, description) in enumerate(rng.sample(words.SERVICES, 2)):
                self.t_service.add((self.ids.take(Service), node.id, i + 1, name, description))
            teams = [
                ("volunteer", f"{node.short}志愿服务队", rng.randint(20, 80)),
                ("social_org", rng.choice(words.SOCIAL_ORGS), rng.randint(10, 40)),
                ("partner", f"测试共建单位{node.index + 1}", None),
            ]
            for i, (kind, name, members) in enumerate(teams):
                team_id = self.ids.take(Team)
                self.t_team.add((team_id, node.id, i + 1, name, kind, "", members))
                node.teams[kind] = (team_id, name)

            # Staff account and role; the root's staff member is the district administrator.
            node.staff = first_staff + node.index
            node.staff_name = f"测试工作人员{node.index + 1}"
            self.t_user.add(
                (
                    node.staff,
                    staff_hash,
                    f"1990{node.index + 1:07d}",
                    node.staff_name,
                    False,
                    True,
                    False,
                    joined,
                )
            )
            role = "manager" if level in ("district", "street") else "editor"
            self.t_role.add((self.ids.take(StaffRole), node.staff, node.id, role, joined))
            start = node.index * RESIDENTS_PER_CENTER
            node.residents = range(
                first_resident + start, first_resident + start + RESIDENTS_PER_CENTER
            )
            node.resident_numbers = range(start + 1, start + 1 + RESIDENTS_PER_CENTER)
            for user_id, number in zip(node.residents, node.resident_numbers, strict=True):
                self.t_user.add(
                    (
                        user_id,
                        "!scale",
                        f"1991{number:07d}",
                        f"测试居民{number}",
                        False,
                        True,
                        False,
                        joined + rng.randint(0, YEAR_DAYS) * DAY,
                    )
                )
            advance()
            self.writer.maybe_flush()
