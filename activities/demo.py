"""The demo district's programs as activities, loaded by `seed_demo` (registered in apps.py).

The programs follow the seed report (shared/seed/000_8864819f1ffed6f1.txt): 桥华's 老年大学,
晨练, 健身舞会 and 十六点半儿童乐园, 健康社区's 宜老益少, 前进巷's volunteer art teams, the
monthly 主题党日, 创业社区's and 惠民社区's consultation meetings, 万正尚都's 金秋晚会 and
年俗节, 金宇文苑's aid station, and volunteer services that credit volunteer hours.

Dates are relative to the moment of loading: recurring programs began some weeks ago and run
into next year, so the calendar has a past (sign-ups, attendance, volunteer hours, records) and
a future (open sign-ups, one of them with a waiting list) on the first run. Rooms and teams are
the ones `seed_demo` creates, looked up by (center, name); so are the staff who create them.
"""

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from activities.models import Activity, Occurrence, Registration
from activities.services import _sync_occurrences, registration_create
from centers import demo_data
from centers.models import Center, Room, Team

#: Demo residents (invented names), phone 139000000NN, password `demo_data.DEMO_PASSWORD`.
RESIDENT_NAMES = [
    "刘桂兰",
    "陈淑珍",
    "杨建国",
    "黄秀英",
    "周玉梅",
    "吴国庆",
    "徐丽华",
    "孙德明",
    "马成林",
    "胡桂芳",
    "朱建平",
    "高淑英",
    "包乌兰",
    "林晓红",
    "何志强",
    "郭玉兰",
    "罗振华",
    "梁美玲",
    "宋红梅",
    "白其其格",
    "郑家豪",
    "韩立新",
    "唐淑华",
    "巴特尔",
    "于海燕",
    "董卫东",
    "萨仁高娃",
    "冯晓雨",
    "曹文博",
    "许静怡",
]
RESIDENTS = [
    {"phone": f"139{number:08d}", "name": name}
    for number, name in enumerate(RESIDENT_NAMES, start=1)
]

#: How many of a recurring program's latest past occurrences get sign-ups and attendance.
PAST_WITH_SIGNUPS = 4

WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

# Each program is a dict of Activity fields plus:
#   center (slug), room and organizer (names at that center), at ("HH:MM", local), minutes;
#   repeat: DAILY / WEEKLY (with days) / MONTHLY (with day_of_month), or a one-off `date`:
#     ("last", month, day) the latest such date before today, ("next", month, day) the next one;
#   weeks_back: how long ago the rule began (default 8); until: (month, day) next year;
#   past_signups / future_signups: residents signed up per past occurrence / for the next one;
#   records: 活动纪实 for the latest past occurrences, newest first; head_count for programs
#     without sign-ups (with sign-ups it is the number who attended).
PROGRAMS = [
    # -- 桥华社区: 老年大学, 晨练, 健身舞会, 十六点半儿童乐园 ------------------------------
    {
        "center": "qiaohua",
        "title": "老年大学·书法课",
        "description": (
            "老年大学课堂书法班，由市老年书画研究会的专业教师授课，从楷书基本笔画练起，"
            "兼顾行书欣赏与创作。笔墨纸砚由社区统一准备，零基础的老年朋友也可报名。"
        ),
        "category": "study",
        "audience": "elderly",
        "room": "老年大学课堂",
        "repeat": "WEEKLY",
        "days": "TU",
        "at": "09:00",
        "minutes": 90,
        "capacity": 30,
        "past_signups": 22,
        "future_signups": 8,
        "records": [
            "学员完成第一幅完整作品“厚德载物”，老师逐一点评后，优秀作品在老年大学课堂走廊展出。",
            "讲解楷书“横、竖、撇、捺”的基本笔法，学员逐笔临摹《九成宫醴泉铭》选字。",
        ],
    },
    {
        "center": "qiaohua",
        "title": "老年大学·智能手机使用课",
        "description": (
            "手把手教老年朋友使用智能手机：微信视频通话、手机挂号、扫码乘车、识别电信诈骗。"
            "请自带手机和充电器，志愿者一对一辅导。"
        ),
        "category": "study",
        "audience": "elderly",
        "room": "老年大学课堂",
        "repeat": "WEEKLY",
        "days": "TH",
        "at": "09:00",
        "minutes": 90,
        "capacity": 30,
        "past_signups": 20,
        "records": [
            "学习用手机预约社区卫生服务站挂号，并演练识别冒充客服、冒充公检法的诈骗电话。",
        ],
    },
    {
        "center": "qiaohua",
        "title": "社区晨练",
        "description": (
            "“早有晨练活动”：每天清晨在社区广场集体练习太极拳、八段锦和健身气功，"
            "由社区健身指导员带练，雨雪天暂停。无需报名，直接到场即可。"
        ),
        "category": "culture",
        "location": "社区广场",
        "repeat": "DAILY",
        "at": "07:00",
        "minutes": 60,
        "registration_required": False,
        "until": (12, 31),
        "head_count": 45,
        "records": [
            "晨练队集体练习二十四式太极拳和八段锦，健身指导员为新加入的居民单独纠正动作。",
        ],
    },
    {
        "center": "qiaohua",
        "title": "健身舞会",
        "description": (
            "“晚有健身舞会”：每周一、三、五晚上在文体活动室跳广场舞、交谊舞和民族舞，"
            "舞蹈骨干现场教学，欢迎居民带家人一起来跳。无需报名。"
        ),
        "category": "culture",
        "room": "文体活动室",
        "repeat": "WEEKLY",
        "days": "MO,WE,FR",
        "at": "19:30",
        "minutes": 90,
        "registration_required": False,
        "until": (12, 31),
        "head_count": 52,
        "records": [
            "新学一支蒙古族筷子舞，舞蹈骨干分解动作教学，五十多位居民参加。",
        ],
    },
    {
        "center": "qiaohua",
        "title": "十六点半儿童乐园",
        "description": (
            "为双职工家庭的孩子提供放学后的看护：志愿者辅导作业、带读绘本、组织手工和游戏，"
            "18:00 前由家长接回。请家长为孩子报名，每天 20 个名额。"
        ),
        "category": "service",
        "audience": "children",
        "room": "十六点半儿童乐园",
        "repeat": "WEEKLY",
        "days": "MO,TU,WE,TH,FR",
        "at": "16:30",
        "minutes": 90,
        "capacity": 20,
        "past_signups": 17,
        "future_signups": 12,
        "records": [
            "志愿者辅导孩子们完成当天作业后，一起读绘本《团圆》，并用彩纸制作了小灯笼。",
        ],
    },
    # -- 健康社区: 宜老益少 ---------------------------------------------------------------
    {
        "center": "jiankang",
        "title": "宜老课堂·老年健康讲座",
        "description": (
            "“宜老益少”品牌的宜老课堂：每周三上午邀请社区卫生服务站医生讲解高血压、糖尿病防治"
            "和四季养生，讲座后免费测量血压、血糖。"
        ),
        "category": "service",
        "audience": "elderly",
        "room": "为老服务活动室",
        "organizer": "夕阳红志愿服务队",
        "repeat": "WEEKLY",
        "days": "WE",
        "at": "09:30",
        "minutes": 90,
        "capacity": 30,
        "past_signups": 24,
        "future_signups": 6,
        "records": [
            "社区卫生服务站医生讲解冬季心脑血管疾病预防，讲座后为老人测量血压、更新健康档案。",
        ],
    },
    {
        "center": "jiankang",
        "title": "益少课堂·课后辅导",
        "description": (
            "“宜老益少”品牌的益少课堂：小候鸟课业辅导队的大学生志愿者每周二、四放学后"
            "为社区孩子辅导功课，穿插少儿舞蹈和音乐启蒙。"
        ),
        "category": "study",
        "audience": "children",
        "room": "少儿舞思乐活动室",
        "organizer": "小候鸟课业辅导队",
        "repeat": "WEEKLY",
        "days": "TU,TH",
        "at": "16:30",
        "minutes": 90,
        "capacity": 20,
        "past_signups": 15,
    },
    {
        "center": "jiankang",
        "title": "主题党日",
        "description": (
            "社区党委每月10日的固定主题党日：重温入党誓词、集中学习、交纳党费，"
            "并组织党员认领“宜老益少”志愿服务岗位。"
        ),
        "category": "party",
        "audience": "party_members",
        "room": "党建活动室",
        "repeat": "MONTHLY",
        "day_of_month": 10,
        "weeks_back": 26,
        "until": (12, 31),
        "at": "15:00",
        "minutes": 90,
        "capacity": 40,
        "past_signups": 26,
    },
    # -- 前进巷社区: 和谐家园·秀美前进 ----------------------------------------------------
    {
        "center": "qianjinxiang",
        "title": "蒙古族模特队服饰展演",
        "description": (
            "蒙古族模特队身着民族服饰排练走秀，展示蒙古袍、头饰和传统配饰。"
            "欢迎居民报名观摩，也欢迎有兴趣的居民加入模特队。"
        ),
        "category": "culture",
        "room": "文艺排练厅",
        "organizer": "蒙古族模特队",
        "repeat": "WEEKLY",
        "days": "WE",
        "at": "15:00",
        "minutes": 90,
        "capacity": 30,
        "past_signups": 14,
    },
    {
        "center": "qianjinxiang",
        "title": "少数民族歌唱队·长调民歌教唱",
        "description": (
            "少数民族歌唱队每周五教唱蒙古族长调、民歌和红色歌曲，零基础的居民也能跟着学，"
            "练好的曲目在社区节庆活动中演出。"
        ),
        "category": "culture",
        "room": "文艺排练厅",
        "organizer": "少数民族歌唱队",
        "repeat": "WEEKLY",
        "days": "FR",
        "at": "15:00",
        "minutes": 90,
        "capacity": 30,
        "past_signups": 16,
        "records": [
            "歌唱队教唱长调《辽阔的草原》，新学员跟唱第一段，老队员示范诺古拉（颤音）技巧。",
        ],
    },
    {
        "center": "qianjinxiang",
        "title": "主题党日",
        "description": (
            "社区党支部每月15日的固定主题党日：学习民族团结进步政策，重温入党誓词，"
            "组织党员参与社区蒙元文化志愿服务。"
        ),
        "category": "party",
        "audience": "party_members",
        "room": "党员活动室",
        "repeat": "MONTHLY",
        "day_of_month": 15,
        "weeks_back": 26,
        "until": (12, 31),
        "at": "15:00",
        "minutes": 90,
        "capacity": 30,
        "past_signups": 21,
    },
    {
        "center": "qianjinxiang",
        "title": "迎新年蒙元文化展演",
        "description": (
            "社区6支居民文艺志愿服务队伍联合献演：蒙古族模特队服饰走秀、少数民族歌唱队长调民歌、"
            "快板和朗诵，马头琴文化传习社友情助演。"
        ),
        "category": "culture",
        "room": "文艺排练厅",
        "organizer": "蒙古族模特队",
        "date": ("next", 12, 27),
        "at": "10:00",
        "minutes": 120,
        "capacity": 50,
        "future_signups": 15,
    },
    # -- 创业社区, 惠民社区: 民意交流 ------------------------------------------------------
    {
        "center": "chuangye",
        "title": "“众心向和谐”民意交流会",
        "description": (
            "“众心向和谐”居民议事站每月25日晚召开的民意交流会：居民代表、党员和物业、驻区单位"
            "面对面，征集议题，通报上月议题的办理进展。欢迎居民带着问题来。"
        ),
        "category": "opinion",
        "room": "居民议事厅",
        "organizer": "议事站居民代表队",
        "repeat": "MONTHLY",
        "day_of_month": 25,
        "weeks_back": 26,
        "until": (12, 31),
        "at": "19:00",
        "minutes": 90,
        "capacity": 30,
        "past_signups": 18,
        "records": [
            "通报园艺所西巷雨天路面积水问题的办理进展：排水管道疏通已完成；新征集议题3件。",
        ],
    },
    {
        "center": "huimin",
        "title": "“红色邻里”民主协商交流会",
        "description": (
            "“红色邻里代表”机制的定期协商会：社区党员、网格员、志愿者和居民小组代表一起"
            "协商化粪池堵塞、公地私用等民生难题，形成的意见在楼道公示。"
        ),
        "category": "opinion",
        "room": "多功能活动室",
        "organizer": "红色邻里代表队",
        "repeat": "MONTHLY",
        "day_of_month": 12,
        "weeks_back": 26,
        "until": (12, 31),
        "at": "19:00",
        "minutes": 90,
        "capacity": 40,
        "past_signups": 20,
        "records": [
            "协商3号楼化粪池堵塞问题，确定由物业每季度清掏一次，费用从小区公共收益中列支，"
            "结果已在楼道公示。",
        ],
    },
    # -- 志愿服务: volunteer hours ----------------------------------------------------------
    {
        "center": "huimin",
        "title": "环境清洁志愿服务",
        "description": (
            "每周六上午清理楼道杂物、捡拾绿地垃圾、整理非机动车，工具由社区提供。"
            "参加一次记1.5小时志愿服务时长。"
        ),
        "category": "volunteer",
        "location": "惠民小区公共区域（社区门口集合）",
        "organizer": "红色邻里代表队",
        "repeat": "WEEKLY",
        "days": "SA",
        "at": "08:30",
        "minutes": 90,
        "capacity": 20,
        "volunteer_hours": "1.5",
        "past_signups": 12,
        "future_signups": 6,
        "records": [
            "12名志愿者清理2号楼、5号楼楼道杂物，整理非机动车40余辆，清运垃圾6袋。",
        ],
    },
    {
        "center": "zhanlanguan",
        "title": "志愿者入户探访",
        "description": (
            "红烛帮扶志愿服务队每周六上午两人一组走访结对的残疾人、孤寡老人和空巢老人家庭，"
            "陪老人聊天、代购生活用品、检查水电燃气安全。出发前在社区统一领取任务。"
            "参加一次记2小时志愿服务时长。"
        ),
        "category": "volunteer",
        "location": "结对帮扶家庭（社区党群服务中心出发）",
        "organizer": "红烛帮扶志愿服务队",
        "repeat": "WEEKLY",
        "days": "SA",
        "at": "09:00",
        "minutes": 120,
        "capacity": 8,
        "volunteer_hours": "2.0",
        "past_signups": 8,
        # More than the places: the last two wait on the waiting list.
        "future_signups": 10,
        "records": [
            "4组志愿者走访8户结对家庭，为2户空巢老人更换了燃气报警器电池，代购米面油3份。",
        ],
    },
    # -- 金宇文苑社区: 综合服务 --------------------------------------------------------------
    {
        "center": "jinyuwenyuan",
        "title": "党群爱心援助站开放日",
        "description": (
            "每周六上午援助站开放：接收党员群众捐赠的闲置衣物、书籍、家电，登记整理后发放给"
            "有需要的居民。捐赠物品请保持干净完好，无需报名。"
        ),
        "category": "service",
        "room": "党群爱心援助站",
        "organizer": "爱心援助站志愿服务队",
        "repeat": "WEEKLY",
        "days": "SA",
        "at": "09:00",
        "minutes": 150,
        "registration_required": False,
        "until": (12, 31),
        "head_count": 26,
        "records": [
            "接收捐赠冬衣35件、儿童读物60余册，向12户居民发放棉衣和电暖器。",
        ],
    },
    {
        "center": "jinyuwenyuan",
        "title": "主题党日",
        "description": (
            "社区党支部每月20日的固定主题党日：集中学习、交纳党费，"
            "结合党群爱心援助站开展党员“闲置物资捐一件”活动。"
        ),
        "category": "party",
        "audience": "party_members",
        "room": "党员活动室",
        "repeat": "MONTHLY",
        "day_of_month": 20,
        "weeks_back": 26,
        "until": (12, 31),
        "at": "15:00",
        "minutes": 90,
        "capacity": 30,
        "past_signups": 18,
    },
    # -- 万正尚都社区: 节庆 -----------------------------------------------------------------
    {
        "center": "wanzhengshangdu",
        "title": "金秋晚会",
        "description": (
            "社区、驻区单位和居民共同筹办的金秋文艺晚会：尚都文艺志愿服务队的歌舞、"
            "楼宇党建联盟成员单位的节目和居民才艺展示。无需报名。"
        ),
        "category": "festival",
        "location": "万正尚都小区中心广场",
        "organizer": "尚都文艺志愿服务队",
        "date": ("last", 9, 26),
        "at": "19:00",
        "minutes": 120,
        "registration_required": False,
        "head_count": 420,
        "records": [
            "晚会演出节目16个，楼宇党建联盟5家成员单位出演节目，400余名居民到场观看。",
        ],
    },
    {
        "center": "wanzhengshangdu",
        "title": "年俗节",
        "description": (
            "春节前的年俗活动：书画爱好者现场写春联，邻里一起包饺子、剪窗花，"
            "尚都文艺志愿服务队表演民俗节目。请报名，便于准备材料。"
        ),
        "category": "festival",
        "location": "万正尚都社区党群服务中心及小区广场",
        "organizer": "尚都文艺志愿服务队",
        "date": ("next", 1, 30),
        "at": "09:30",
        "minutes": 150,
        "capacity": 80,
        "future_signups": 18,
    },
    # -- 大台什社区: 党建文史馆 --------------------------------------------------------------
    {
        "center": "dataishi",
        "title": "主题党日",
        "description": (
            "社区党委每月5日的固定主题党日：在党建文史馆重温入党誓词，集中学习，"
            "交纳党费，讨论民族团结进步创建工作。"
        ),
        "category": "party",
        "audience": "party_members",
        "room": "党员活动室",
        "repeat": "MONTHLY",
        "day_of_month": 5,
        "weeks_back": 26,
        "until": (12, 31),
        "at": "15:00",
        "minutes": 90,
        "capacity": 40,
        "past_signups": 25,
    },
    {
        "center": "dataishi",
        "title": "党建文史馆开放日",
        "description": (
            "文史馆志愿讲解队带领参观党史展厅、民俗展厅、民族特色党建、廉政文化长廊和荣誉墙，"
            "讲述大台什从村落到社区的变迁。个人请报名，团体参观请提前与社区联系。"
        ),
        "category": "study",
        "room": "党建文史馆",
        "organizer": "文史馆志愿讲解队",
        "repeat": "WEEKLY",
        "days": "SA",
        "at": "10:00",
        "minutes": 90,
        "capacity": 40,
        "past_signups": 18,
        "records": [
            "志愿讲解员带领居民和附近小学的少先队员参观党史展厅和民俗展厅，讲解老物件背后的故事。",
        ],
    },
]

ACTIVITY_FIELDS = [
    "title",
    "description",
    "category",
    "audience",
    "location",
    "capacity",
    "registration_required",
    "volunteer_hours",
]


def _relative_date(spec, today):
    """("last", month, day): the latest such date before today; ("next", …): the next one."""
    which, month, day = spec
    candidate = date(today.year, month, day)
    if which == "last":
        return candidate if candidate < today else candidate.replace(year=today.year - 1)
    return candidate if candidate > today else candidate.replace(year=today.year + 1)


def _matches(program, day):
    if program["repeat"] == "WEEKLY":
        return WEEKDAY_CODES[day.weekday()] in program["days"].split(",")
    if program["repeat"] == "MONTHLY":
        return day.day == program["day_of_month"]
    return True


def _schedule(program, today):
    """The first start (aware, local) and the RFC 5545 rule ("" for a one-off)."""
    at = time.fromisoformat(program["at"])
    if "date" in program:
        return timezone.make_aware(datetime.combine(_relative_date(program["date"], today), at)), ""
    # The rule begins on its first matching day on or after a Monday some weeks ago.
    day = today - timedelta(days=today.weekday(), weeks=program.get("weeks_back", 8))
    while not _matches(program, day):
        day += timedelta(days=1)
    month, last_day = program.get("until", (6, 30))
    # UNTIL is the end of the last local day, in UTC (as the activity form writes it).
    until = timezone.make_aware(datetime.combine(date(today.year + 1, month, last_day), time.max))
    parts = [f"FREQ={program['repeat']}"]
    if program["repeat"] == "WEEKLY":
        parts.append(f"BYDAY={program['days']}")
    parts.append(f"UNTIL={until.astimezone(timezone.UTC):%Y%m%dT%H%M%SZ}")
    return timezone.make_aware(datetime.combine(day, at)), ";".join(parts)


def _creators(slugs):
    """The demo staff login who keeps each center's activities: the nearest editor up the tree."""
    staff = {
        spec["center"]: spec["phone"]
        for spec in demo_data.DEMO_USERS
        if spec["role"] in {"editor", "manager"}
    }
    parents = {node["slug"]: parent for parent, node in demo_data.iter_centers()}
    users = get_user_model().objects.in_bulk(list(staff.values()), field_name="phone")
    creators = {}
    for slug in slugs:
        current = slug
        while current is not None and current not in staff:
            current = parents[current]
        creators[slug] = users.get(staff[current]) if current else None
    return creators


def _lookup(rows, key, what):
    try:
        return rows[key]
    except KeyError:
        raise LookupError(
            f"demo program needs {what} {key!r}; run seed_demo's centers first"
        ) from None


def _create_activities(programs, now):
    """Create the programs' activities and their occurrences; [(program, activity)]."""
    slugs = {program["center"] for program in programs}
    centers = Center.objects.in_bulk(slugs, field_name="slug")
    rooms = {
        (room.center_id, room.name): room for room in Room.objects.filter(center__slug__in=slugs)
    }
    teams = {
        (team.center_id, team.name): team for team in Team.objects.filter(center__slug__in=slugs)
    }
    creators = _creators(slugs)
    today = timezone.localdate(now)
    created = []
    for program in programs:
        center = _lookup(centers, program["center"], "center")
        starts_at, rule = _schedule(program, today)
        activity = Activity(
            center=center,
            starts_at=starts_at,
            recurrence=rule,
            duration_minutes=program["minutes"],
            created_by=creators[center.slug],
            **{name: program[name] for name in ACTIVITY_FIELDS if name in program},
        )
        if "room" in program:
            activity.room = _lookup(rooms, (center.pk, program["room"]), "room")
        if "organizer" in program:
            activity.organizer = _lookup(teams, (center.pk, program["organizer"]), "team")
        activity.full_clean()
        activity.save()
        _sync_occurrences(activity, actor=None)
        created.append((program, activity))
    return created


def _residents(now):
    """The demo residents, created if missing; (list ordered by phone, number created)."""
    User = get_user_model()
    phones = [spec["phone"] for spec in RESIDENTS]
    existing = set(User.objects.filter(phone__in=phones).values_list("phone", flat=True))
    new_users = []
    password = None
    for number, spec in enumerate(RESIDENTS):
        if spec["phone"] in existing:
            continue
        # One hash for all: hashing is deliberately slow, and the demo password is shared.
        password = password or make_password(demo_data.DEMO_PASSWORD)
        user = User(
            phone=spec["phone"],
            name=spec["name"],
            password=password,
            date_joined=now - timedelta(days=200 + 3 * number),
        )
        user.full_clean(validate_unique=False)
        new_users.append(user)
    User.objects.bulk_create(new_users)
    return list(User.objects.filter(phone__in=phones).order_by("phone")), len(new_users)


def _past_attendance(created, residents, now):
    """Sign-ups, attendance, volunteer hours and records on past occurrences; rows created."""
    past = defaultdict(list)
    for occurrence in Occurrence.objects.filter(
        activity__in=[activity for _program, activity in created], ends_at__lte=now
    ).order_by("activity", "-starts_at"):
        past[occurrence.activity_id].append(occurrence)
    registrations, touched = [], []
    for index, (program, activity) in enumerate(created):
        latest = past[activity.pk]
        attended_counts = {}
        if activity.registration_required and program.get("past_signups"):
            for k, occurrence in enumerate(latest[:PAST_WITH_SIGNUPS]):
                wanted = program["past_signups"] - k % 3
                count = min(wanted, occurrence.capacity or wanted, len(residents))
                offset = 7 * index + 5 * k
                attended = 0
                for j in range(count):
                    came = (j + k) % 7 != 3
                    attended += came
                    registrations.append(
                        Registration(
                            occurrence=occurrence,
                            user=residents[(offset + j) % len(residents)],
                            status=Registration.Status.CONFIRMED,
                            created_at=occurrence.starts_at - timedelta(days=1 + j % 5, hours=j),
                            attended=came,
                            checked_in_at=(
                                occurrence.starts_at - timedelta(minutes=2 + j % 9)
                                if came
                                else None
                            ),
                            hours_credited=activity.volunteer_hours if came else 0,
                        )
                    )
                occurrence.confirmed_count = count
                attended_counts[occurrence.pk] = attended
                touched.append(occurrence)
        for k, (summary, occurrence) in enumerate(
            zip(program.get("records", ()), latest, strict=False)
        ):
            occurrence.summary = summary
            occurrence.head_count = attended_counts.get(
                occurrence.pk, max(program.get("head_count", 0) - 3 * k, 0)
            )
            occurrence.recorded_at = min(occurrence.ends_at + timedelta(hours=2), now)
            if occurrence.pk not in attended_counts:
                touched.append(occurrence)
    Registration.objects.bulk_create(registrations)
    Occurrence.objects.bulk_update(
        touched, ["confirmed_count", "summary", "head_count", "recorded_at"], batch_size=200
    )
    return len(registrations)


def _future_signups(created, residents, now):
    """Sign-ups for the next open occurrence, through the service; rows created."""
    count = 0
    for index, (program, activity) in enumerate(created):
        if not program.get("future_signups"):
            continue
        # A margin past the deadline, so the sign-up is still open when the service checks.
        opens_until = now + timedelta(hours=activity.registration_closes_hours, minutes=10)
        occurrence = (
            activity.occurrences.filter(starts_at__gt=opens_until).order_by("starts_at").first()
        )
        if occurrence is None:
            continue
        offset = 11 * index
        for j in range(min(program["future_signups"], len(residents))):
            registration_create(
                user=residents[(offset + j) % len(residents)], occurrence=occurrence
            )
            count += 1
    return count


@transaction.atomic
def load_demo_activities() -> Counter:
    """Create the demo programs that are missing, matched by (center slug, title).

    An existing activity is never touched, so staff edits survive a re-run, and a run with
    nothing to do costs one query (plus the savepoint). A newly created program gets its
    occurrences, sign-ups with attendance on its latest past occurrences, and sign-ups for its
    next one; the demo residents who sign up are created with it if they are missing.
    Returns a Counter of rows created per model.
    """
    existing = set(
        Activity.objects.filter(
            center__slug__in={program["center"] for program in PROGRAMS}
        ).values_list("center__slug", "title")
    )
    missing = [p for p in PROGRAMS if (p["center"], p["title"]) not in existing]
    created = Counter()
    if not missing:
        return created
    now = timezone.now()
    activities = _create_activities(missing, now)
    created[Activity] = len(activities)
    created[Occurrence] = Occurrence.objects.filter(
        activity__in=[activity for _program, activity in activities]
    ).count()
    residents, created[get_user_model()] = _residents(now)
    created[Registration] = _past_attendance(activities, residents, now)
    created[Registration] += _future_signups(activities, residents, now)
    # Counter keeps zero entries; seed_demo reports every key it gets.
    return +created
