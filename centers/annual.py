"""The annual work report (年度工作报告) of a center's subtree; `annual_docx` writes it as .docx.

The report is written from the numbers, in the manner of the district's hand-written experience
reports (shared/seed/000_*.txt): the network of centers, their brands and rooms, activities,
residents' issues with a few public examples, help delivered, and the year's figures of every
registered report section. A section registered by a new app appears in "主要数据" with no code
here; the chapters written as prose know the three sections the district reports on by key
("activities", "deliberation", "assistance") and are left out when that section is missing.

Aggregates only: no resident's, beneficiary's, donor's or submitter's name, phone or address is
read here. The issue examples carry the public title and resolution of issues marked public.
"""

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, F, Sum, Value
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from centers import summaries
from centers.models import Center, Exhibition, Room, Service, Team
from centers.reports import Batch
from centers.sections import report_sections
from centers.selectors import ancestors_of

#: The first year a report may be asked for; later than the current year is a 404 as well.
FIRST_YEAR = 2000
#: Public examples of resolved issues quoted in the report, from the latest resolved ones.
EXAMPLES = 3
EXAMPLE_POOL = 30
EXAMPLE_LENGTH = 160
#: Brands named in the prose; the table under it lists them all.
BRANDS_IN_PROSE = 6
NUMERALS = "一二三四五六七八九十"
CENTER_SUFFIX = "党群服务中心"

#: Where each level of center works, for "covering … and every other field".
FIELDS = {
    Center.Level.STREET: gettext_lazy("街道社区"),
    Center.Level.COMMUNITY: gettext_lazy("街道社区"),
    Center.Level.PARK: gettext_lazy("产业园区"),
    Center.Level.BUILDING: gettext_lazy("商圈楼宇"),
}
#: The three tiers of the center network (区、街道、社区三级).
TIER_NAMES = {
    Center.Level.DISTRICT: gettext_lazy("区"),
    Center.Level.STREET: gettext_lazy("街道"),
    Center.Level.COMMUNITY: gettext_lazy("社区"),
}
TIER_COUNTS = {2: gettext_lazy("两"), 3: gettext_lazy("三")}
#: How each kind of team is counted in Chinese (支 teams, 家 organisations, 个 units).
TEAM_PHRASES = {
    Team.Kind.VOLUNTEER: gettext_lazy("志愿服务队%(n)s支"),
    Team.Kind.SOCIAL_ORG: gettext_lazy("社会组织%(n)s家"),
    Team.Kind.PARTNER: gettext_lazy("共建单位%(n)s个"),
}


# -- Numbers as the report prints them ----------------------------------------------------------


def plain_number(value):
    """A count or amount as text: integers as they are, other numbers to one decimal place."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        rounded = round(float(value), 1)
        return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"
    return str(value)


def plain_value(figure):
    """A figure's value without its unit: rates (unit "%", stored as 0..1) as percentages."""
    if figure.value is None:
        return ""
    if figure.unit == "%":
        return f"{float(figure.value) * 100:.1f}"
    return plain_number(figure.value)


def display_value(figure):
    """A figure's value as the report prints it: "82.4%", "399", "17.3", or "—" for none."""
    if figure.value is None:
        return "—"
    return plain_value(figure) + ("%" if figure.unit == "%" else "")


def _pct(rate):
    return f"{float(rate) * 100:.1f}%"


def _join(parts):
    return pgettext("enumeration", "、").join(str(p) for p in parts)


def _sentence(clauses):
    """Clauses (None skipped) joined into one sentence with a full stop."""
    clauses = [str(c) for c in clauses if c]
    return pgettext("clause separator", "，").join(clauses) + pgettext("full stop", "。")


def _counted(rows, phrase, *, last=()):
    """ "文体娱乐164场、综合服务96场" for (label, n) rows with n > 0, largest first; labels in
    `last` (such as "其他") go to the end."""
    rows = [(label, n) for label, n in rows if n]
    rows.sort(key=lambda row: (str(row[0]) in {str(x) for x in last}, -row[1]))
    return _join(phrase % {"label": label, "n": plain_number(n)} for label, n in rows)


def _tail(label):
    """ "残疾人" from a label such as "类型：残疾人" (the sections prefix breakdowns that way)."""
    return str(label).rpartition("：")[2]


def place_name(center):
    """赛罕区 for 赛罕区党群服务中心: the place a center serves, for prose."""
    name = center.name.removesuffix(CENTER_SUFFIX)
    return name if name and name != center.name else center.short_name


def date_label(day):
    """2026年11月28日."""
    return _("%(year)s年%(month)s月%(day)s日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def _month_day(day):
    return _("%(month)s月%(day)s日") % {"month": day.month, "day": day.day}


# -- The report's parts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table printed under a chapter: the same rows go to the page and to the .docx."""

    caption: str
    headers: tuple
    rows: list
    #: Indexes of the columns holding numbers (right-aligned).
    numeric: tuple = (1,)


@dataclass(frozen=True)
class Example:
    title: str
    center: str
    resolution: str


@dataclass
class Chapter:
    key: str
    title: str
    paragraphs: list
    examples: list = field(default_factory=list)
    tables: list = field(default_factory=list)
    number: str = ""

    @property
    def heading(self):
        return _("%(number)s、%(title)s") % {"number": self.number, "title": self.title}


@dataclass(frozen=True)
class SectionFigures:
    key: str
    title: str
    figures: list

    def values(self):
        return {f.key: f.value for f in self.figures}


@dataclass
class AnnualReport:
    center: Center
    year: int
    start: date
    end: date
    #: True for the current year, reported up to today.
    is_partial: bool
    generated_on: date
    title: str
    period_label: str
    lead: str
    chapters: list
    sections: list
    ancestors: list
    children: list

    @property
    def trail(self):
        """The center and its ancestors, root first, for the breadcrumbs."""
        return [*self.ancestors, self.center]

    @property
    def generated_label(self):
        return date_label(self.generated_on)

    @property
    def end_label(self):
        return date_label(self.end)

    @property
    def previous_year(self):
        return self.year - 1 if self.year > FIRST_YEAR else None

    @property
    def next_year(self):
        return self.year + 1 if self.year < self.generated_on.year else None


def report_years(today=None):
    """The years a report may be asked for: FIRST_YEAR up to the current one."""
    today = today or timezone.localdate()
    return range(FIRST_YEAR, today.year + 1)


def year_period(year, today):
    """The dates a year's report covers: 1 January to 31 December, or to today in the current
    year."""
    return date(year, 1, 1), min(date(year, 12, 31), today)


def section_figures(center, start, end):
    """Every registered section's figures for `center`'s subtree and the dates, as
    SectionFigures, in one reading of the summaries' state. Labels as text: a report is in one
    language, and one kept in the cache reads back far faster without thousands of lazy
    translations in it."""
    with summaries.reading():
        return [
            SectionFigures(
                key=section.key,
                title=str(section.title),
                figures=[
                    dataclasses.replace(figure, label=str(figure.label))
                    for figure in section.build(center, start, end)
                ],
            )
            for section in report_sections
        ]


def _year_bounds(start, end):
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


@dataclass
class _Network:
    by_level: dict
    area: int
    total: int
    brands: list
    rooms: dict
    teams: dict
    team_members: int
    exhibitions: list
    services: list


def _network(center):
    """The subtree's centers by level, brands, rooms, teams, exhibitions and services: two
    queries whatever the number of centers (the counts in one batch, the names in one union)."""
    in_subtree = {"center__path__startswith": center.path}
    centers = Center.objects.filter(path__startswith=center.path)
    batch = Batch()
    levels = batch.tally(centers, "level", Count("pk"), path="path")
    area = batch.aggregate(centers, path="path", sqm=Sum("area_sqm"))
    rooms = batch.tally(Room.objects.filter(**in_subtree), "kind", Count("pk"), path="path")
    teams = batch.tally(Team.objects.filter(**in_subtree), "kind", Count("pk"), path="path")
    members = batch.aggregate(
        Team.objects.filter(**in_subtree), path="path", people=Sum("member_count")
    )
    batch.run()

    # Brands (center, brand), exhibitions and services (name), each in tree order.
    names = {"brand": [], "exhibition": [], "service": []}
    rows = (
        centers.exclude(brand="")
        .annotate(part=Value("brand"), at=F("path"), sort=Value(0), first=F("short_name"))
        .values_list("part", "at", "sort", "pk", "first", "brand")
        .order_by()
        .union(
            *(
                model.objects.filter(**in_subtree)
                .annotate(
                    part=Value(part),
                    at=F("center__path"),
                    sort=F("sort_order"),
                    first=F("name"),
                    second=Value(""),
                )
                .values_list("part", "at", "sort", "pk", "first", "second")
                .order_by()
                for part, model in (("exhibition", Exhibition), ("service", Service))
            ),
            all=True,
        )
    )
    for part, *_order, first, second in sorted(rows):
        names[part].append((first, second) if part == "brand" else first)
    return _Network(
        by_level=levels[None],
        area=area[None]["sqm"] or 0,
        total=sum(levels[None].values()),
        brands=names["brand"],
        rooms=rooms[None],
        teams=teams[None],
        team_members=members[None]["people"] or 0,
        exhibitions=names["exhibition"],
        services=names["service"],
    )


def _examples(center, start, end):
    """Up to EXAMPLES issues of the subtree resolved in the period and marked public: title,
    resolution and center name only, from different centers where there are several. One query.

    `centers` never imports the other apps; the deliberation station's model is looked up by
    name, and the report simply has no examples when that app is not installed.
    """
    if not apps.is_installed("deliberation"):
        return []
    issue_model = apps.get_model("deliberation", "Issue")
    start_at, end_at = _year_bounds(start, end)
    pool = list(
        issue_model.objects.in_subtree(center)
        .publicly_resolved()
        .filter(resolved_at__gte=start_at, resolved_at__lt=end_at)
        .exclude(resolution="")
        .select_related("center")
        .only("title", "resolution", "resolved_at", "center__short_name")
        .order_by("-resolved_at", "-pk")[:EXAMPLE_POOL]
    )
    chosen, seen = [], set()
    for issue in pool:
        if issue.center_id not in seen:
            chosen.append(issue)
            seen.add(issue.center_id)
    chosen += [issue for issue in pool if issue not in chosen]
    return [
        Example(
            title=issue.title,
            center=issue.center.short_name,
            resolution=Truncator(issue.resolution).chars(EXAMPLE_LENGTH),
        )
        for issue in chosen[:EXAMPLES]
    ]


# -- Prose --------------------------------------------------------------------------------------


@dataclass
class _Words:
    """What every chapter's sentences need about the center and the period."""

    center: Center
    year: int
    place: str
    total: int
    period: str
    #: "赛罕区各党群服务中心" for a subtree, the center's own name for one center.
    who: str


def _level_phrases(network):
    return _join(
        _("%(label)s%(n)s个") % {"label": label, "n": network.by_level[value]}
        for value, label in Center.Level.choices
        if network.by_level.get(value)
    )


def _fields(network):
    """["街道社区", "产业园区", …]: the fields the subtree's centers work in."""
    fields = []
    for value in Center.Level.values:
        label = FIELDS.get(value)
        if network.by_level.get(value) and label is not None and str(label) not in fields:
            fields.append(str(label))
    return fields


def _tiers(network):
    """ "形成区、街道、社区三级党群服务中心网络" when the subtree spans two or three tiers."""
    tiers = [str(TIER_NAMES[v]) for v in TIER_NAMES if network.by_level.get(v)]
    if len(tiers) < 2:
        return None
    return _("形成%(tiers)s%(n)s级党群服务中心网络") % {
        "tiers": _join(tiers),
        "n": TIER_COUNTS[len(tiers)],
    }


def _network_sentence(words, network):
    if words.total > 1:
        clauses = [
            _("%(place)s共有党群服务中心%(total)s个，其中%(levels)s")
            % {"place": words.place, "total": words.total, "levels": _level_phrases(network)},
            _tiers(network),
        ]
        if network.area:
            clauses.append(_("建筑面积合计%(area)s平方米") % {"area": network.area})
        return _sentence(clauses)
    if network.area:
        return _("%(name)s建筑面积%(area)s平方米，面向辖区党员群众开放。") % {
            "name": words.center.name,
            "area": network.area,
        }
    return _("%(name)s面向辖区党员群众开放。") % {"name": words.center.name}


def _quoted(names):
    return "".join(_("“%(name)s”") % {"name": name} for name in names)


def _network_chapter(words, network):
    paragraphs = [_network_sentence(words, network)]
    subject = _("各中心") if words.total > 1 else _("中心")

    room_total = sum(network.rooms.values())
    if room_total:
        kinds = _counted(
            [(label, network.rooms.get(value, 0)) for value, label in Room.Kind.choices],
            _("%(label)s%(n)s间"),
            last=[Room.Kind.OTHER.label],
        )
        paragraphs.append(
            _("%(subject)s共设有功能室%(n)s间，其中%(kinds)s。")
            % {"subject": subject, "n": room_total, "kinds": kinds}
        )

    features = []
    if network.exhibitions:
        features.append(
            _("建成%(names)s等展馆%(n)s个")
            % {"names": _join(network.exhibitions[:3]), "n": len(network.exhibitions)}
        )
    if network.services:
        distinct = list(dict.fromkeys(network.services))
        features.append(
            _("开展%(names)s等重点服务%(n)s项")
            % {"names": _join(distinct[:3]), "n": len(network.services)}
        )
    if features:
        features[0] = subject + features[0]
        paragraphs.append(_sentence(features))

    if len(network.brands) > 1:
        paragraphs.append(
            _("注重提炼符合各自特点的服务主题，打造了%(brands)s%(etc)s%(n)s个服务品牌。")
            % {
                "brands": _quoted(brand for _name, brand in network.brands[:BRANDS_IN_PROSE]),
                "etc": _("等") if len(network.brands) > BRANDS_IN_PROSE else "",
                "n": len(network.brands),
            }
        )
    elif network.brands:
        paragraphs.append(
            _("%(name)s以%(brand)s为服务品牌。")
            % {"name": network.brands[0][0], "brand": _quoted([network.brands[0][1]])}
        )

    if network.teams:
        teams = _join(
            TEAM_PHRASES[value] % {"n": network.teams[value]}
            if value in TEAM_PHRASES
            else _("%(label)s%(n)s个") % {"label": label, "n": network.teams[value]}
            for value, label in Team.Kind.choices
            if network.teams.get(value)
        )
        clauses = [_("%(subject)s联系%(teams)s") % {"subject": subject, "teams": teams}]
        if network.team_members:
            clauses.append(_("成员合计%(n)s人") % {"n": network.team_members})
        clauses.append(_("共同开展服务"))
        paragraphs.append(_sentence(clauses))

    tables = []
    if words.total > 1:
        tables.append(
            Table(
                caption=_("各级党群服务中心"),
                headers=(_("层级"), _("数量（个）")),
                rows=[
                    (str(label), network.by_level[value])
                    for value, label in Center.Level.choices
                    if network.by_level.get(value)
                ]
                + [(_("合计"), words.total)],
            )
        )
    if len(network.brands) > 1:
        tables.append(
            Table(
                caption=_("服务品牌"),
                headers=(_("中心"), _("服务品牌")),
                rows=[(name, brand) for name, brand in network.brands],
                numeric=(),
            )
        )
    return Chapter("network", _("阵地建设"), paragraphs, tables=tables)


def _activities_paragraphs(words, values, figures):
    held = values.get("held") or 0
    if not held:
        return [_("%(period)s暂无活动记录。") % {"period": words.period}]
    categories = _counted(
        [(f.label, f.value or 0) for f in figures if f.key.startswith("category_")],
        _("%(label)s%(n)s场"),
    )
    first = _("%(period)s，%(who)s共举办各类活动%(held)s场") % {
        "period": words.period,
        "who": words.who,
        "held": held,
    }
    paragraphs = [_sentence([first, categories and _("其中%(c)s") % {"c": categories}])]
    clauses = []
    if values.get("signups"):
        clauses.append(_("活动报名%(n)s人次") % {"n": values["signups"]})
    if values.get("attendance_rate") is not None:
        clauses.append(_("到场率%(rate)s") % {"rate": _pct(values["attendance_rate"])})
    if values.get("participants"):
        clauses.append(_("参与群众%(n)s人次") % {"n": values["participants"]})
    if values.get("volunteer_hours"):
        clauses.append(
            _("记录志愿服务时长%(n)s小时") % {"n": plain_number(values["volunteer_hours"])}
        )
    if clauses:
        paragraphs.append(_sentence(clauses))
    return paragraphs


def _deliberation_paragraphs(words, values, figures, children, *, current_year):
    received = values.get("received") or 0
    if not received:
        paragraphs = [_("%(period)s居民议事站暂未收到居民诉求。") % {"period": words.period}]
    else:
        clauses = [
            _("%(period)s，居民议事站共收到居民诉求%(n)s件")
            % {"period": words.period, "n": received},
            _("受理%(n)s件") % {"n": values.get("accepted") or 0},
        ]
        if values.get("response_rate") is not None:
            clauses.append(
                _("其中按时受理%(n)s件，响应率%(rate)s")
                % {"n": values.get("accepted_on_time") or 0, "rate": _pct(values["response_rate"])}
            )
        resolved = _("办结%(n)s件") % {"n": values.get("resolved") or 0}
        if values.get("resolution_rate") is not None:
            resolved += _("，解决率%(rate)s") % {"rate": _pct(values["resolution_rate"])}
        clauses.append(resolved)
        paragraphs = [_sentence(clauses)]

        clauses = []
        if values.get("rated"):
            clauses.append(
                _("%(n)s件诉求收到居民评价，满意率%(rate)s")
                % {"n": values["rated"], "rate": _pct(values.get("satisfaction_rate") or 0)}
            )
        if values.get("median_days_to_resolve") is not None:
            clauses.append(
                _("从提交到办结的用时中位数为%(n)s天")
                % {"n": plain_number(values["median_days_to_resolve"])}
            )
        if clauses:
            paragraphs.append(_sentence(clauses))

        categories = _counted(
            [(f.label, f.value or 0) for f in figures if f.key.startswith("category_")],
            _("%(label)s%(n)s件"),
            last=[_("其他")],
        )
        if categories:
            paragraphs.append(_("从类别看，%(c)s。") % {"c": categories})

        branches = [
            _("%(name)s收到%(received)s件、办结%(resolved)s件")
            % {
                "name": child.short_name,
                "received": values.get(f"child_{child.slug}_received"),
                "resolved": values.get(f"child_{child.slug}_resolved") or 0,
            }
            for child in children
            if values.get(f"child_{child.slug}_received")
        ]
        if branches:
            paragraphs.append(
                _("分单位看，%(rows)s。")
                % {"rows": pgettext("list of clauses", "；").join(branches)}
            )

    if current_year and values.get("overdue"):
        paragraphs.append(
            _("目前仍有%(n)s件诉求超过受理或办结期限，需加快办理。") % {"n": values["overdue"]}
        )
    return paragraphs


def _assistance_paragraphs(words, values, figures):
    paragraphs = []
    if values.get("beneficiaries"):
        types = _counted(
            [(_tail(f.label), f.value or 0) for f in figures if f.key.startswith("type_")],
            _("%(label)s%(n)s人"),
            last=[_("其他")],
        )
        first = _("%(who)s登记在册的帮扶对象%(n)s人") % {
            "who": words.who,
            "n": values["beneficiaries"],
        }
        if types:
            first += _("，其中%(types)s（一人可有多种情况）") % {"types": types}
        tiers = _join(
            _("%(label)s%(n)s人") % {"label": _tail(f.label), "n": f.value}
            for f in figures
            if f.key.startswith("tier_") and f.value
        )
        clauses = [first]
        if tiers:
            clauses.append(_("按关注等级分，%(tiers)s") % {"tiers": tiers})
        paragraphs.append(_sentence(clauses))

    clauses = []
    if values.get("active_pairings"):
        pairing = _("组织党员、志愿者与困难群众结对帮扶%(n)s对") % {"n": values["active_pairings"]}
        if values.get("on_time_visit_rate") is not None:
            pairing += _("，按时探访率%(rate)s") % {"rate": _pct(values["on_time_visit_rate"])}
        clauses.append(pairing)
    if values.get("visits"):
        clauses.append(
            _("%(period)s走访慰问%(n)s次，覆盖帮扶对象%(people)s人")
            % {"period": words.period, "n": values["visits"], "people": values.get("visited") or 0}
        )
    if clauses:
        paragraphs.append(_sentence(clauses))

    clauses = []
    if values.get("donated"):
        clauses.append(_("党群爱心援助站接收捐赠物资%(n)s件") % {"n": values["donated"]})
    if values.get("distributions"):
        clauses.append(
            _("发放物资%(times)s次、%(n)s件")
            % {"times": values["distributions"], "n": values.get("distributed") or 0}
        )
    if values.get("stock_on_hand"):
        clauses.append(_("现有库存%(n)s件") % {"n": values["stock_on_hand"]})
    if clauses:
        paragraphs.append(_sentence(clauses))
    if values.get("residents_reached"):
        paragraphs.append(
            _("通过走访慰问和物资发放，共惠及居民%(n)s人。") % {"n": values["residents_reached"]}
        )
    if not paragraphs:
        paragraphs.append(_("%(period)s暂无帮扶服务记录。") % {"period": words.period})
    return paragraphs


def _lead(words, network, by_key):
    """The opening paragraph: the network, then the year's work in one sentence."""
    if words.total > 1:
        opening = [
            _("%(year)s年，%(place)s共有党群服务中心%(total)s个")
            % {"year": words.year, "place": words.place, "total": words.total}
        ]
        if len(_fields(network)) > 1:
            opening.append(_("覆盖%(fields)s等各个领域") % {"fields": _join(_fields(network))})
    elif network.brands:
        opening = [
            _("%(year)s年，%(name)s以%(brand)s为服务品牌")
            % {
                "year": words.year,
                "name": words.center.name,
                "brand": _quoted([network.brands[0][1]]),
            }
        ]
    else:
        opening = [
            _("%(year)s年，%(name)s面向辖区党员群众开放")
            % {"year": words.year, "name": words.center.name}
        ]
    activities = by_key.get("activities")
    if activities is not None:
        top = [
            str(f.label)
            for f in sorted(
                (f for f in activities.figures if f.key.startswith("category_") and f.value),
                key=lambda f: -f.value,
            )[:5]
        ]
        if top:
            opening.append(_("为党员群众就近就便提供%(services)s等服务") % {"services": _join(top)})
    paragraph = _sentence(opening)

    work = []
    if activities is not None:
        values = activities.values()
        if values.get("held"):
            work.append(
                _("%(who)s举办各类活动%(held)s场、参与群众%(people)s人次")
                % {
                    "who": _("各中心共") if words.total > 1 else _("中心共"),
                    "held": values["held"],
                    "people": values.get("participants") or 0,
                }
            )
    deliberation = by_key.get("deliberation")
    if deliberation is not None:
        values = deliberation.values()
        if values.get("received"):
            work.append(
                _("居民议事站收到居民诉求%(n)s件、办结%(resolved)s件")
                % {"n": values["received"], "resolved": values.get("resolved") or 0}
            )
    assistance = by_key.get("assistance")
    if assistance is not None:
        values = assistance.values()
        help_given = []
        if values.get("visits"):
            help_given.append(_("走访慰问困难群众%(n)s次") % {"n": values["visits"]})
        if values.get("distributed"):
            help_given.append(_("发放爱心物资%(n)s件") % {"n": values["distributed"]})
        if values.get("residents_reached"):
            help_given.append(_("惠及居民%(n)s人") % {"n": values["residents_reached"]})
        if help_given:
            work.append(pgettext("clause separator", "，").join(help_given))
    if work:
        paragraph += _("%(period)s，%(work)s。") % {
            "period": words.period,
            "work": pgettext("list of clauses", "；").join(work),
        }
    return paragraph


# -- The selector -------------------------------------------------------------------------------


#: How long the report of an ended year is kept at most. A change to that year's sessions,
#: sign-ups, issues, visits or goods (centers.summaries.year_version) makes it stale at once;
#: the figures "as of now" it quotes (the network of centers, beneficiaries now) are at most
#: this old.
KEEP_ENDED_YEAR_SECONDS = 3600


def kept_annual_report(*, center, year, today=None):
    """`annual_report`, kept in the cache for an ended year: its figures change only when a
    late write reaches back into it. The current year's report is always computed."""
    today = today or timezone.localdate()
    if year >= today.year:
        return annual_report(center=center, year=year, today=today)
    key = (
        f"annual-report:{summaries.year_version(year)}:{center.pk}:{center.path}:{year}"
        f":{translation.get_language()}:{today.isoformat()}"
    )
    report = cache.get(key)
    if report is None:
        report = annual_report(center=center, year=year, today=today)
        cache.set(key, report, KEEP_ENDED_YEAR_SECONDS)
    return report


def annual_report(*, center, year, today=None):
    """The annual work report of `center`'s subtree for the calendar `year`, up to today when
    it is the current year.

    Six queries of its own (the network's counts in one batch, its names in one union, the
    direct children, the summaries' state, issue examples, ancestors) plus each registered
    section's fixed number, whatever the data size. Raises ValueError for a year outside
    `report_years()`; the caller checks scope.
    """
    today = today or timezone.localdate()
    if year not in report_years(today):
        raise ValueError(f"No report for the year {year}.")
    start, end = year_period(year, today)
    is_partial = end < date(year, 12, 31)

    network = _network(center)
    children = center.children_in_order
    sections = section_figures(center, start, end)
    by_key = {s.key: s for s in sections}

    period = _("截至%(day)s") % {"day": _month_day(end)} if is_partial else _("全年")
    words = _Words(
        center=center,
        year=year,
        place=place_name(center),
        total=network.total,
        period=period,
        who=(
            _("%(place)s各党群服务中心") % {"place": place_name(center)}
            if network.total > 1
            else center.name
        ),
    )

    chapters = [_network_chapter(words, network)]
    if "activities" in by_key:
        section = by_key["activities"]
        chapters.append(
            Chapter(
                "activities",
                _("活动开展"),
                _activities_paragraphs(words, section.values(), section.figures),
            )
        )
    if "deliberation" in by_key:
        section = by_key["deliberation"]
        examples = _examples(center, start, end)
        paragraphs = _deliberation_paragraphs(
            words, section.values(), section.figures, children, current_year=is_partial
        )
        if examples:
            paragraphs.append(_("公开办结的典型议题如下："))
        chapters.append(Chapter("deliberation", _("民意办理"), paragraphs, examples=examples))
    if "assistance" in by_key:
        section = by_key["assistance"]
        chapters.append(
            Chapter(
                "assistance",
                _("帮扶服务"),
                _assistance_paragraphs(words, section.values(), section.figures),
            )
        )
    period_label = _("%(start)s至%(end)s") % {"start": date_label(start), "end": _month_day(end)}
    chapters.append(
        Chapter(
            "figures",
            _("主要数据"),
            [
                _("下表为%(period)s各项统计数据，由系统根据各中心的工作记录自动汇总。")
                % {"period": period_label}
            ],
            tables=[
                Table(
                    caption=section.title,
                    headers=(_("指标"), _("数值")),
                    rows=[(str(f.label), display_value(f)) for f in section.figures],
                )
                for section in sections
            ],
        )
    )
    for number, chapter in zip(NUMERALS, chapters, strict=False):
        chapter.number = number

    return AnnualReport(
        center=center,
        year=year,
        start=start,
        end=end,
        is_partial=is_partial,
        generated_on=today,
        title=_("%(name)s%(year)s年度工作报告") % {"name": center.name, "year": year},
        period_label=period_label,
        lead=_lead(words, network, by_key),
        chapters=chapters,
        sections=sections,
        ancestors=ancestors_of(center),
        children=children,
    )
