"""The seed report's help programs as demo data, loaded by `seed_demo` (registered in apps.py).

Following the seed report (shared/seed/000_8864819f1ffed6f1.txt):

- 展览馆社区 keeps a register of 55 residents in hardship, paired with the partner unit
  呼市代建办党支部 (quarterly rounds: the 春节 condolence drive, spring and summer visits, 中秋
  and the 重阳 drive) and, for those who need closer care, with one of three party members
  (weekly or monthly, by tier). A few party-member pairings are left overdue on purpose, and one
  resident moved away in June.
- 金宇文苑社区 runs the 党群爱心援助站: a catalogue, a year of donations, stock adjustments,
  residents' requests (public ones and ones staff filed for the community's beneficiaries),
  decisions and distributions, all through the services, so the ledger is the real thing; the
  timestamps are then moved back to the days the events happened.
- 桥华社区's 残疾人康复服务 visits a few residents with disabilities every month.

Everything happens in 2026, up to today: a run later in the year adds the visits and events
that have come due since. Rows are matched, never updated, so staff edits survive a re-run:
beneficiaries by (center, name), helpers by phone, pairings by (beneficiary, helper), programs
by (center, name), visits by (beneficiary, date, kind), the station by center, items by (name,
unit), donations by (donor, date), adjustments by (item, reason), requests by reason, and
distributions by their request or by (date, recipient). The names, phones (1350000xxxx) and ID
numbers are invented.
"""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Case, DateTimeField, Q, Value, When
from django.utils import timezone

from assistance import services
from assistance.models import (
    AidRequest,
    AidStation,
    Beneficiary,
    BeneficiaryType,
    Distribution,
    Donation,
    Frequency,
    HelpProgram,
    Item,
    Pairing,
    StockMovement,
    Visit,
    WishListItem,
)
from centers import demo_data
from centers.models import Center, Team

YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)

ZHANLANGUAN, JINYUWENYUAN, QIAOHUA = "zhanlanguan", "jinyuwenyuan", "qiaohua"
PARTNER_UNIT = "呼市代建办党支部"
#: The partner unit's co-building agreement for the year began on this day.
PARTNER_SINCE = date(2026, 1, 10)

#: Party members who pair with 展览馆社区's residents: users without a staff role.
HELPERS = [
    {"phone": "13800000011", "name": "高建民"},
    {"phone": "13800000012", "name": "白丽萍"},
    {"phone": "13800000013", "name": "乔文斌"},
]

# -- The register: (name, gender, birth year, types, tier) per community -----------------------

BENEFICIARIES = {
    ZHANLANGUAN: [
        ("赵凤兰", "f", 1936, "elderly_alone,dependent", "high"),
        ("钱永福", "m", 1941, "disabled,low_income", "high"),
        ("孙玉珍", "f", 1939, "elderly_alone", "high"),
        ("王占魁", "m", 1947, "disabled,dependent", "high"),
        ("乌云其木格", "f", 1943, "elderly_alone,low_income", "high"),
        ("刘淑芬", "f", 1934, "empty_nest,dependent", "high"),
        ("李振海", "m", 1950, "empty_nest", "medium"),
        ("张秀兰", "f", 1944, "elderly_alone", "medium"),
        ("陈德胜", "m", 1962, "disabled", "medium"),
        ("王桂珍", "f", 1946, "empty_nest", "medium"),
        ("杨树林", "m", 1958, "disabled,low_income", "medium"),
        ("周凤英", "f", 1948, "elderly_alone", "medium"),
        ("吴俊峰", "m", 1978, "disabled,low_income", "medium"),
        ("郑玉兰", "f", 1951, "empty_nest", "medium"),
        ("马福祥", "m", 1945, "elderly_alone", "medium"),
        ("冯秀珍", "f", 1949, "empty_nest,low_income", "medium"),
        ("田志明", "m", 1966, "disabled", "medium"),
        ("贾桂香", "f", 1940, "elderly_alone", "medium"),
        ("韩德才", "m", 1952, "empty_nest", "medium"),
        ("高玉芬", "f", 1955, "hardship_family,low_income", "medium"),
        ("苏日娜", "f", 1985, "disabled", "medium"),
        ("石宝山", "m", 1938, "elderly_alone", "medium"),
        ("任翠萍", "f", 1947, "empty_nest", "medium"),
        ("薛建军", "m", 1970, "low_income,hardship_family", "medium"),
        ("贺兰英", "f", 1943, "elderly_alone,disabled", "medium"),
        ("闫长江", "m", 1949, "empty_nest", "medium"),
        ("武素梅", "f", 1953, "empty_nest", "medium"),
        ("段文亮", "m", 1990, "disabled", "medium"),
        ("康秀云", "f", 1942, "elderly_alone", "medium"),
        ("侯振国", "m", 1946, "empty_nest,disabled", "medium"),
        ("白桂荣", "f", 1956, "empty_nest", "low"),
        ("邢建国", "m", 1954, "empty_nest", "low"),
        ("庞秀芳", "f", 1958, "low_income", "low"),
        ("毛金花", "f", 1950, "empty_nest", "low"),
        ("齐永强", "m", 1968, "disabled", "low"),
        ("邵淑兰", "f", 1952, "empty_nest", "low"),
        ("孟庆华", "m", 1949, "empty_nest", "low"),
        ("秦月娥", "f", 1945, "elderly_alone", "low"),
        ("尹志勇", "m", 1972, "low_income", "low"),
        ("常玉琴", "f", 1954, "empty_nest", "low"),
        ("包金山", "m", 1957, "disabled", "low"),
        ("崔凤琴", "f", 1951, "empty_nest", "low"),
        ("魏长海", "m", 1948, "empty_nest", "low"),
        ("董桂花", "f", 1953, "low_income", "low"),
        ("陶文斌", "m", 1980, "disabled,low_income", "low"),
        ("姜淑琴", "f", 1955, "empty_nest", "low"),
        ("潘荣生", "m", 1944, "elderly_alone", "low"),
        ("范丽娟", "f", 1976, "hardship_family", "low"),
        ("樊德顺", "m", 1950, "empty_nest", "low"),
        ("岳秀梅", "f", 1947, "empty_nest", "low"),
        ("娜仁托雅", "f", 1960, "disabled", "low"),
        ("卢成海", "m", 1952, "left_behind", "low"),
        ("柴玉梅", "f", 1957, "left_behind,low_income", "low"),
        ("曲振东", "m", 1946, "empty_nest", "low"),
        ("蔺秀英", "f", 1950, "elderly_alone", "low"),
    ],
    JINYUWENYUAN: [
        ("胡秀兰", "f", 1949, "elderly_alone,low_income", "medium"),
        ("牛建平", "m", 1968, "disabled,low_income", "medium"),
        ("郭彩霞", "f", 1982, "hardship_family", "medium"),
        ("裴振江", "m", 1940, "empty_nest", "low"),
        ("额尔敦", "m", 1958, "disabled", "low"),
    ],
    QIAOHUA: [
        ("哈斯巴根", "m", 1965, "disabled", "medium"),
        ("杜玉芬", "f", 1950, "disabled,elderly_alone", "medium"),
        ("邱海涛", "m", 1983, "disabled", "medium"),
        ("金淑珍", "f", 1946, "disabled,dependent", "medium"),
        ("谭立新", "m", 1971, "disabled", "low"),
        ("阎春梅", "f", 1962, "disabled", "low"),
    ],
}

#: Residential compounds of each community, for the addresses.
COMPOUNDS = {
    ZHANLANGUAN: ["展览馆小区", "展览馆东巷家属院", "中专路文化小区", "新华东街29号院"],
    JINYUWENYUAN: ["金宇文苑小区", "金宇文苑二期"],
    QIAOHUA: ["桥华小区", "桥华世纪村"],
}

#: When each community's register was drawn up (consent recorded on one of the following days).
REGISTERED_FROM = {
    ZHANLANGUAN: date(2025, 12, 1),
    JINYUWENYUAN: date(2026, 1, 5),
    QIAOHUA: date(2026, 2, 2),
}

#: Residents who left the register: (closed on, note).
CLOSED = {"石宝山": (date(2026, 6, 30), "2026年6月随女儿迁居包头市，结对帮扶结束。")}

#: Party-member pairings left overdue on purpose: the helper's last visit is on or before.
OVERDUE = {
    "王桂珍": date(2026, 8, 18),
    "田志明": date(2026, 9, 2),
    "闫长江": date(2026, 7, 24),
    "康秀云": date(2026, 9, 15),
}

NEEDS = {
    "elderly_alone": "独自居住，子女不在身边，需要定期上门探视、代购生活用品和紧急情况时的联络。",
    "empty_nest": "老两口同住，子女在外地工作，希望有人常来看看，帮忙办理就医和各类手续。",
    "disabled": "行动不便，需要康复辅具、陪同就医和日常生活上的帮助。",
    "dependent": "生活不能完全自理，需要护理照料，家属照护压力大。",
    "low_income": "享受城市低保，收入低，冬季取暖和日常开支困难，需要物资帮扶。",
    "hardship_family": "家庭遭遇变故，独自抚养子女，需要物资帮扶和子女学习方面的支持。",
    "left_behind": "子女长期在外务工，独自在家，需要邻里照应和定期探访。",
}

HEALTH_NOTES = {
    "disabled": [
        "肢体残疾二级，右腿截肢，使用助行器。",
        "视力残疾一级，需专人陪同出行。",
        "肢体残疾三级，脑梗后遗症，左侧肢体活动受限。",
        "听力残疾二级，佩戴助听器，沟通时请面对面、放慢语速。",
        "精神残疾三级，病情稳定，按时服药，由社区精防医生随访。",
        "肢体残疾二级，脊髓损伤，使用轮椅。",
    ],
    "dependent": [
        "阿尔茨海默病早期，短期记忆减退，需提醒服药。",
        "长期卧床，需要家属和护工照料，注意预防压疮。",
        "帕金森病，手抖明显，行走需搀扶。",
    ],
}

GUARDIANS = ["赵丽（女儿）", "钱宏伟（儿子）", "孙静（侄女）", "王磊（儿子）", "刘春梅（女儿）"]

# -- Visits ------------------------------------------------------------------------------------

#: What a party-member helper does on a visit, by kind.
HELPER_VISITS = {
    Visit.Kind.HOME: [
        "老人身体状况稳定，血压略高，提醒按时服药、清淡饮食。",
        "家中暖气正常，冰箱里菜不多，帮忙联系超市送菜上门。",
        "精神状态不错，聊了家常，说子女上周来过电话。",
        "腿脚不便，近一周没下楼，约好下次陪同到社区卫生服务站复查。",
        "家里收拾得很干净，提醒注意用电用气安全，检查了燃气阀门。",
        "最近睡眠不好，建议白天多到社区活动室走动，已告知社区医生。",
    ],
    Visit.Kind.COMPANY: [
        "陪老人聊天一个多小时，一起读了报纸上的新闻。",
        "陪同下楼散步，在小区花园晒了会儿太阳。",
        "帮忙用手机和外地的子女视频通话，老人很高兴。",
        "一起包了饺子，聊起年轻时在工厂上班的事。",
    ],
    Visit.Kind.REPAIR: [
        "更换了厨房漏水的水龙头。",
        "检修卫生间照明，更换灯泡两个。",
        "为燃气报警器更换电池，测试报警正常。",
        "修好了松动的门锁，给纱窗换了新纱网。",
    ],
    Visit.Kind.HEALTH: [
        "陪同社区医生上门测量血压、血糖，结果正常。",
        "社区医生上门测血压 150/90，建议复诊调整用药，已告知家属。",
    ],
    Visit.Kind.REFERRAL: [
        "协助申请居家养老服务补贴，材料已交街道民政办。",
        "联系区残联办理辅具适配评估，约好下月上门评估。",
    ],
}
#: The kinds of a helper's visits in turn: mostly home visits and company, now and then more.
HELPER_KINDS = [
    Visit.Kind.HOME,
    Visit.Kind.COMPANY,
    Visit.Kind.HOME,
    Visit.Kind.REPAIR,
    Visit.Kind.HOME,
    Visit.Kind.COMPANY,
    Visit.Kind.HEALTH,
    Visit.Kind.HOME,
    Visit.Kind.COMPANY,
    Visit.Kind.REFERRAL,
]
FOLLOW_UPS = [
    "下次走访时带上血压计。",
    "联系子女，商量冬季取暖安排。",
    "提醒社区网格员平时多留意。",
]
SMALL_GIFTS = ["水果一袋", "牛奶一箱", "鸡蛋一盒", "挂面两把"]

#: The partner unit's rounds: (first day, days, kind, program or None, items given, findings,
#: only residents born in or before this year, or None for everybody).
PARTNER_ROUNDS = [
    (
        date(2026, 1, 26),
        18,
        Visit.Kind.HOLIDAY,
        "2026年春节走访慰问",
        "大米、面粉、食用油各一份，慰问金500元",
        "共建单位党员上门拜年，送去年货和慰问金，询问冬季取暖和过年安排。",
        None,
    ),
    (
        date(2026, 5, 11),
        12,
        Visit.Kind.MATERIAL,
        None,
        "牛奶一箱、鸡蛋一盒",
        "春季走访，送去牛奶鸡蛋，了解身体和生活近况，登记了需要维修的家中设施。",
        None,
    ),
    (
        date(2026, 7, 20),
        14,
        Visit.Kind.MATERIAL,
        None,
        "电风扇一台或绿豆、白糖、藿香正气水",
        "夏季送清凉，提醒高温天少出门、多喝水，检查了家中电扇和空调。",
        None,
    ),
    (
        date(2026, 9, 21),
        5,
        Visit.Kind.HOLIDAY,
        None,
        "月饼一盒、水果一箱",
        "中秋节慰问，陪老人聊了家常，转达了共建单位的节日问候。",
        None,
    ),
    (
        date(2026, 10, 14),
        5,
        Visit.Kind.HOLIDAY,
        "2026年重阳节敬老慰问",
        "保暖内衣一套、老年营养品一份",
        "重阳节敬老慰问，为老人测量血压，讲解冬季防滑防跌倒常识。",
        1966,
    ),
    (
        date(2026, 12, 14),
        6,
        Visit.Kind.MATERIAL,
        None,
        "棉被一床、取暖补贴300元",
        "冬季送温暖，检查家中暖气和门窗保温情况。",
        None,
    ),
]

#: Help programs: (center, name, starts, ends, description).
PROGRAMS = [
    (
        ZHANLANGUAN,
        "2026年春节走访慰问",
        date(2026, 1, 26),
        date(2026, 2, 12),
        "春节前，社区联合共建单位呼市代建办党支部走访慰问辖区困难群众，"
        "为每户送去米面油和慰问金，让他们感受到党组织的温暖与关怀。",
    ),
    (
        ZHANLANGUAN,
        "2026年重阳节敬老慰问",
        date(2026, 10, 14),
        date(2026, 10, 18),
        "重阳节期间，共建单位党员走访社区60岁以上的帮扶对象，送去保暖衣物和营养品，"
        "并讲解冬季防滑防跌倒常识。",
    ),
    (
        QIAOHUA,
        "2026年全国助残日走访慰问",
        date(2026, 5, 14),
        date(2026, 5, 17),
        "全国助残日前后，残疾人康复服务的康复员和志愿者上门慰问社区残疾人，"
        "送去康复护理用品，检查辅具使用情况。",
    ),
]

REHAB_WORKER = "社区康复员石晓燕"
REHAB_VISITS = [
    (Visit.Kind.HEALTH, "上门指导康复训练，关节活动度较上月有改善，调整了训练计划。"),
    (Visit.Kind.HOME, "了解近期生活情况，检查助行器和扶手的使用，家属照护得当。"),
    (Visit.Kind.HEALTH, "到康复训练室做器械训练40分钟，测量血压正常。"),
    (Visit.Kind.REFERRAL, "协助向区残联申请辅具适配，评估已预约。"),
]

# -- The love aid station ------------------------------------------------------------------------

STATION = {
    "name": "金宇文苑社区党群爱心援助站",
    "intro": (
        "党群爱心援助站设在金宇文苑社区党群服务中心，将党员群众闲置的衣物、被褥、书籍、家电等"
        "物资收集起来，登记、消毒、整理后分发给有需要的居民，既避免资源浪费，也帮助身边的困难"
        "群众。援助站由爱心援助站志愿服务队值守。"
    ),
    "how_to_donate": (
        "1. 请捐赠干净、完好、能继续使用的物品；衣物被褥请洗净，援助站统一消毒后再发放。\n"
        "2. 食品请在保质期内且未开封；暂不接收药品、贴身内衣和大件家具。\n"
        "3. 每周六上午援助站开放日直接送到援助站；工作日可送到社区一站式服务大厅登记。\n"
        "4. 大件物品或一次捐赠较多的，请在本页留下捐赠意向，志愿者会与您联系，可上门收取。"
    ),
    "opening_hours": (
        "每周六 9:00–11:30（援助站开放日）\n工作日 8:30–12:00，14:30–17:30 在一站式服务大厅登记"
    ),
}

#: The catalogue: (name, unit, category).
ITEMS = [
    ("冬季棉衣", "件", "clothing"),
    ("羽绒服", "件", "clothing"),
    ("儿童冬装", "套", "clothing"),
    ("棉被", "床", "bedding"),
    ("床单被罩四件套", "套", "bedding"),
    ("大米（10公斤）", "袋", "food"),
    ("食用油（5升）", "桶", "food"),
    ("洗衣液", "瓶", "daily"),
    ("毛巾牙具套装", "套", "daily"),
    ("儿童绘本", "册", "books"),
    ("中小学教辅", "册", "books"),
    ("益智玩具", "件", "toys"),
    ("电暖器", "台", "appliances"),
    ("轮椅", "辆", "mobility"),
    ("助行器", "个", "mobility"),
    ("老花镜", "副", "other"),
]
WISHES = ["棉被", "羽绒服", "儿童冬装", "电暖器", "助行器"]

#: Goods are written "item quantity，item quantity"; what cannot be washed or is sealed (food,
#: daily goods, appliances) comes in without disinfection, the rest is disinfected on intake.
NOT_DISINFECTED = {"food", "daily", "appliances", "other"}

#: Donations: (received on, donor or "" for anonymous, condition, goods).
DONATIONS = [
    (date(2026, 1, 8), "大学东路街道机关党支部", "new", "大米（10公斤） 30，食用油（5升） 30"),
    (date(2026, 1, 10), "金宇文苑社区党支部", "good", "冬季棉衣 25，棉被 10"),
    (date(2026, 1, 17), "", "good", "羽绒服 8，儿童冬装 12"),
    (date(2026, 2, 7), "李女士", "new", "床单被罩四件套 6，毛巾牙具套装 20"),
    (date(2026, 3, 14), "金宇文苑小区物业服务中心", "new", "洗衣液 24，毛巾牙具套装 10"),
    (date(2026, 3, 28), "王先生", "good", "儿童绘本 60，中小学教辅 45"),
    (date(2026, 4, 18), "", "good", "益智玩具 18，儿童绘本 20"),
    (date(2026, 5, 9), "内蒙古大学青年志愿者协会", "good", "中小学教辅 80"),
    (date(2026, 5, 16), "赛罕区益善助残服务中心", "good", "轮椅 3，助行器 6"),
    (date(2026, 6, 6), "刘先生", "good", "电暖器 4"),
    (date(2026, 6, 20), "金宇文苑社区党支部", "good", "冬季棉衣 15，儿童冬装 10，儿童绘本 30"),
    (date(2026, 7, 11), "", "new", "老花镜 20"),
    (date(2026, 8, 15), "张女士", "good", "床单被罩四件套 5，毛巾牙具套装 15"),
    (date(2026, 9, 5), "大学东路街道机关党支部", "new", "大米（10公斤） 25，食用油（5升） 25"),
    (date(2026, 9, 19), "", "good", "益智玩具 10，儿童绘本 25"),
    (date(2026, 10, 10), "金宇文苑小区业主委员会", "new", "棉被 12，冬季棉衣 20"),
    (date(2026, 10, 24), "赵先生", "good", "电暖器 6，羽绒服 10"),
    (date(2026, 11, 7), "金宇文苑社区党支部", "good", "羽绒服 15，儿童冬装 14"),
    (date(2026, 11, 14), "", "new", "洗衣液 12，毛巾牙具套装 10"),
    (date(2026, 11, 21), "内蒙古大学青年志愿者协会", "good", "棉被 8，冬季棉衣 18"),
]

#: Stock counts (盘点): (day, item, signed quantity, reason).
ADJUSTMENTS = [
    (date(2026, 2, 28), "冬季棉衣", -2, "月末盘点：2件棉衣有破损，无法发放，已作废"),
    (date(2026, 6, 30), "儿童绘本", 3, "年中盘点：3册绘本接收时漏登，补录入库"),
    (date(2026, 9, 30), "大米（10公斤）", -1, "季度盘点：1袋大米包装破损受潮，已报损"),
]

#: Requests, in the order they came in. A public one has `requester_name`, `requester_phone`
#: and `items_wanted`; one staff filed has `beneficiary` and `goods`. Then: `approved` (day)
#: and `given` (day, goods), or `declined` (day, reason), or neither while it waits.
REQUESTS = [
    {
        "on": date(2026, 1, 12),
        "requester_name": "杨女士",
        "requester_phone": "13500008001",
        "reason": "家里老人冬天怕冷，被子太薄，想申请一床棉被和一件厚棉衣。",
        "items_wanted": "棉被、冬季棉衣",
        "approved": date(2026, 1, 13),
        "given": (date(2026, 1, 17), "棉被 1，冬季棉衣 1"),
    },
    {
        "on": date(2026, 1, 15),
        "beneficiary": "胡秀兰",
        "reason": "独居低保老人，冬季需要棉被和米面油。",
        "goods": "棉被 1，大米（10公斤） 1，食用油（5升） 1",
        "approved": date(2026, 1, 15),
        "given": (date(2026, 1, 16), "棉被 1，大米（10公斤） 1，食用油（5升） 1"),
    },
    {
        "on": date(2026, 2, 2),
        "requester_name": "马先生",
        "requester_phone": "13500008002",
        "reason": "刚来呼市打工，带着两个孩子，孩子缺冬衣。",
        "items_wanted": "儿童冬装",
        "approved": date(2026, 2, 3),
        "given": (date(2026, 2, 4), "儿童冬装 2"),
    },
    {
        "on": date(2026, 3, 20),
        "requester_name": "田女士",
        "requester_phone": "13500008003",
        "reason": "孩子上小学三年级，家里书少，想要一些课外书和教辅。",
        "items_wanted": "儿童绘本、中小学教辅",
        "approved": date(2026, 3, 21),
        "given": (date(2026, 3, 28), "儿童绘本 5，中小学教辅 3"),
    },
    {
        "on": date(2026, 4, 1),
        "beneficiary": "郭彩霞",
        "reason": "单亲家庭，两个孩子上学，需要冬装和学习资料。",
        "goods": "儿童冬装 2，中小学教辅 4",
        "approved": date(2026, 4, 2),
        "given": (date(2026, 4, 4), "儿童冬装 2，中小学教辅 4"),
    },
    {
        "on": date(2026, 4, 8),
        "requester_name": "周先生",
        "requester_phone": "13500008004",
        "reason": "家里电视坏了，想申请一台电视机。",
        "items_wanted": "电视机",
        "declined": (
            date(2026, 4, 9),
            "援助站暂无电视机等大件家电，已登记需求，有捐赠时优先联系您。",
        ),
    },
    {
        "on": date(2026, 5, 18),
        "beneficiary": "牛建平",
        "reason": "肢体残疾，室内行走需要助行器。",
        "goods": "助行器 1",
        "approved": date(2026, 5, 18),
        "given": (date(2026, 5, 20), "助行器 1"),
    },
    {
        "on": date(2026, 5, 20),
        "requester_name": "孙女士",
        "requester_phone": "13500008005",
        "reason": "母亲做完髋关节手术，出院后行走困难，想借用一台轮椅。",
        "items_wanted": "轮椅",
        "approved": date(2026, 5, 21),
        "given": (date(2026, 5, 22), "轮椅 1"),
    },
    {
        "on": date(2026, 7, 2),
        "requester_name": "徐先生",
        "requester_phone": "13500008006",
        "reason": "想领几桶食用油和大米。",
        "items_wanted": "食用油、大米",
        "declined": (date(2026, 7, 3), "经入户了解，家庭收入稳定，米面油优先保障低保和特困家庭。"),
    },
    {
        "on": date(2026, 9, 8),
        "beneficiary": "裴振江",
        "reason": "空巢老人，中秋节前申请米面油。",
        "goods": "大米（10公斤） 1，食用油（5升） 1",
        "approved": date(2026, 9, 9),
        "given": (date(2026, 9, 12), "大米（10公斤） 1，食用油（5升） 1"),
    },
    {
        "on": date(2026, 10, 15),
        "beneficiary": "胡秀兰",
        "reason": "视力下降，申请老花镜一副。",
        "goods": "老花镜 1",
        "declined": (date(2026, 10, 16), "社区卫生服务站已为老人免费验配老花镜，无需重复发放。"),
    },
    {
        "on": date(2026, 10, 28),
        "requester_name": "吴女士",
        "requester_phone": "13500008007",
        "reason": "家在顶楼，暖气不热，老人晚上冷，需要一台电暖器。",
        "items_wanted": "电暖器",
        "approved": date(2026, 10, 29),
        "given": (date(2026, 10, 31), "电暖器 1"),
    },
    {
        "on": date(2026, 11, 10),
        "beneficiary": "额尔敦",
        "reason": "冬季取暖困难，申请电暖器一台、棉被一床。",
        "goods": "电暖器 1，棉被 1",
        "approved": date(2026, 11, 11),
    },
    {
        "on": date(2026, 11, 20),
        "requester_name": "何先生",
        "requester_phone": "13500008008",
        "reason": "孩子冬天上学没有厚外套，想申请一件羽绒服。",
        "items_wanted": "羽绒服",
    },
    {
        "on": date(2026, 11, 24),
        "requester_name": "韩女士",
        "requester_phone": "13500008009",
        "reason": "想给家里八十多岁的老人要一件棉衣和一床棉被。",
        "items_wanted": "冬季棉衣、棉被",
    },
]

#: Distributions without a request: (day, beneficiary or recipient, goods, note). A name on
#: the register of 金宇文苑社区 is a beneficiary; any other is a recipient's name.
DISTRIBUTIONS = [
    (date(2026, 1, 31), "郭彩霞", "大米（10公斤） 1，食用油（5升） 1", "春节前送米面油"),
    (date(2026, 2, 12), "刘大爷", "冬季棉衣 1，棉被 1，大米（10公斤） 1", "春节前送温暖"),
    (date(2026, 2, 12), "裴振江", "食用油（5升） 1，大米（10公斤） 1", "春节前送米面油"),
    (date(2026, 6, 1), "金宇文苑小区儿童之家", "益智玩具 8，儿童绘本 20", "六一儿童节"),
    (date(2026, 7, 18), "冯奶奶", "老花镜 1，毛巾牙具套装 1", ""),
    (date(2026, 8, 29), "郭彩霞", "中小学教辅 6，儿童绘本 4", "开学前送学习资料"),
    (date(2026, 9, 12), "胡秀兰", "大米（10公斤） 1，食用油（5升） 1", "中秋节慰问"),
    (date(2026, 11, 7), "牛建平", "冬季棉衣 1，棉被 1，电暖器 1", "入冬送温暖"),
    (date(2026, 11, 14), "冯奶奶", "冬季棉衣 1，洗衣液 1", ""),
    (date(2026, 11, 21), "陈大爷", "羽绒服 1，棉被 1", "独居老人，家中被褥不足"),
]


def _goods(text):
    """Goods written as "item quantity，item quantity": [(item name, quantity)]."""
    return [
        (name, int(quantity)) for name, quantity in (g.rsplit(" ", 1) for g in text.split("，"))
    ]


# -- Helpers -------------------------------------------------------------------------------------


def _id_number(birth, serial):
    """An invented 18-digit ID number of 赛罕区 (150105) with a valid check digit."""
    body = f"150105{birth:%Y%m%d}{serial:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _at(day, minutes=0):
    """An aware local datetime on `day`, 9:00 plus `minutes`."""
    return timezone.make_aware(datetime.combine(day, time(9)) + timedelta(minutes=minutes))


def _actor():
    """The district admin of the demo: a manager at the root center."""
    root = demo_data.DISTRICT["slug"]
    phone = next(
        spec["phone"]
        for spec in demo_data.DEMO_USERS
        if spec["center"] == root and spec["role"] == "manager"
    )
    try:
        return get_user_model().objects.get(phone=phone)
    except get_user_model().DoesNotExist:
        raise LookupError("the assistance demo needs seed_demo's district admin") from None


def _backdate(queryset, when_by_pk, *fields):
    """Set `fields` per row ({pk: datetime}) in one UPDATE (auto_now_add wrote the load time)."""
    if when_by_pk:
        when = Case(
            *[When(pk=pk, then=Value(at)) for pk, at in when_by_pk.items()],
            output_field=DateTimeField(),
        )
        queryset.filter(pk__in=list(when_by_pk)).update(**dict.fromkeys(fields, when))


#: Foreign keys not checked one by one (each check is a query): they come from rows just read.
VISIT_KEYS = ["beneficiary", "pairing", "program", "recorded_by"]
PAIRING_KEYS = ["beneficiary", "helper_user", "helper_team"]


class _Loader:
    """One run: what exists is read once per model, what is missing is created."""

    def __init__(self, centers, today):
        self.centers = centers
        self.today = today
        # Nothing dated after today or after 2026 is created.
        self.until = min(today, YEAR_END)
        self.created = Counter()
        self._actor = None

    @property
    def actor(self):
        if self._actor is None:
            self._actor = _actor()
        return self._actor

    # -- Register, pairings, visits ---------------------------------------------------------

    def specs(self):
        """Every beneficiary of the demo as a dict of fields plus center, types, index."""
        specs, serial = [], 0
        for slug, rows in BENEFICIARIES.items():
            center = self.centers[slug]
            compounds = COMPOUNDS[slug]
            for index, (name, gender, born, types, tier) in enumerate(rows):
                serial += 1
                types = types.split(",")
                consent_on = REGISTERED_FROM[slug] + timedelta(days=(index * 3) % 38)
                closed = CLOSED.get(name)
                needs_id = bool({"low_income", "hardship_family", "disabled"} & set(types))
                health = [
                    HEALTH_NOTES[t][(index + serial) % len(HEALTH_NOTES[t])]
                    for t in ("disabled", "dependent")
                    if t in types
                ]
                guarded = tier == "high" or "dependent" in types or born <= 1940
                birth = date(born, 1 + serial % 12, 1 + (serial * 7) % 28)
                specs.append(
                    {
                        "center": center,
                        "slug": slug,
                        "index": index,
                        "types": types,
                        "name": name,
                        "gender": gender,
                        "birth_year": born,
                        "phone": f"1350000{serial:04d}",
                        "id_number": (
                            _id_number(birth, 2 * serial + (gender == "m")) if needs_id else None
                        ),
                        "address": (
                            f"{compounds[index % len(compounds)]}{1 + (index * 5) % 18}号楼"
                            f"{1 + index % 4}单元{1 + (index * 3) % 6}0{1 + index % 2}"
                        ),
                        "tier": tier,
                        "needs": NEEDS[types[0]] + (f"\n{closed[1]}" if closed else ""),
                        "health_notes": "\n".join(health),
                        "guardian_name": GUARDIANS[serial % len(GUARDIANS)] if guarded else "",
                        "guardian_phone": f"13500005{serial:03d}" if guarded else None,
                        "consent_on": consent_on,
                        "status": (
                            Beneficiary.Status.CLOSED if closed else Beneficiary.Status.ACTIVE
                        ),
                        "closed_on": closed[0] if closed else None,
                    }
                )
        return specs

    def beneficiaries(self, specs):
        """The beneficiaries by (center id, name), the missing ones created with their types."""
        existing = {
            (center_id, name): pk
            for center_id, name, pk in Beneficiary.objects.filter(
                center__in=self.centers.values()
            ).values_list("center", "name", "pk")
        }
        new = []
        for spec in specs:
            if (spec["center"].pk, spec["name"]) in existing:
                continue
            beneficiary = Beneficiary(
                center=spec["center"],
                **{name: spec[name] for name in services.BENEFICIARY_FIELDS if name in spec},
            )
            beneficiary.full_clean(validate_unique=False, validate_constraints=False)
            new.append((spec, beneficiary))
        if new:
            Beneficiary.objects.bulk_create([b for _spec, b in new])
            BeneficiaryType.objects.bulk_create(
                [BeneficiaryType(beneficiary=b, type=t) for spec, b in new for t in spec["types"]]
            )
            # Registered on the day consent was recorded.
            registered = {b.pk: _at(spec["consent_on"], spec["index"]) for spec, b in new}
            _backdate(Beneficiary.objects.all(), registered, "created_at", "updated_at")
            self.created[Beneficiary] = len(new)
            self.created[BeneficiaryType] = sum(len(spec["types"]) for spec, _b in new)
            existing.update({(b.center_id, b.name): b.pk for _spec, b in new})
        return existing

    def helpers(self):
        """The party-member helpers, created if missing, in HELPERS order."""
        User = get_user_model()
        phones = [spec["phone"] for spec in HELPERS]
        users = User.objects.in_bulk(phones, field_name="phone")
        missing = [spec for spec in HELPERS if spec["phone"] not in users]
        if missing:
            # One hash for all: hashing is deliberately slow, and the demo password is shared.
            password = make_password(demo_data.DEMO_PASSWORD)
            new = [User(phone=s["phone"], name=s["name"], password=password) for s in missing]
            for user in new:
                user.full_clean(validate_unique=False)
            User.objects.bulk_create(new)
            users.update({user.phone: user for user in new})
            self.created[User] = len(new)
        return [users[phone] for phone in phones]

    def partner_unit(self):
        try:
            return Team.objects.get(
                center=self.centers[ZHANLANGUAN], kind=Team.Kind.PARTNER, name=PARTNER_UNIT
            )
        except Team.DoesNotExist:
            raise LookupError(
                f"the assistance demo needs seed_demo's team {PARTNER_UNIT}"
            ) from None

    def plan_pairings(self, specs, pks, helpers, partner):
        """Pairings wanted at 展览馆社区: the partner unit with everybody, a party member with
        the high and medium tiers. [(spec, Pairing)] (unsaved)."""
        plan = []
        for spec in specs:
            if spec["slug"] != ZHANLANGUAN:
                continue
            beneficiary_id = pks[(spec["center"].pk, spec["name"])]
            note = "对象迁居外地，结对结束" if spec["closed_on"] else ""
            plan.append(
                (
                    spec,
                    Pairing(
                        beneficiary_id=beneficiary_id,
                        helper_team=partner,
                        started_on=PARTNER_SINCE,
                        ended_on=spec["closed_on"],
                        frequency=Frequency.QUARTERLY,
                        note=note or "共建单位结对帮扶",
                    ),
                )
            )
            if spec["tier"] == "low":
                continue
            plan.append(
                (
                    spec,
                    Pairing(
                        beneficiary_id=beneficiary_id,
                        helper_user=helpers[spec["index"] % len(helpers)],
                        started_on=spec["consent_on"] + timedelta(days=5),
                        ended_on=spec["closed_on"],
                        frequency=(
                            Frequency.WEEKLY if spec["tier"] == "high" else Frequency.MONTHLY
                        ),
                        note=note or "党员结对帮扶",
                    ),
                )
            )
        return plan

    def pairings(self, plan):
        """The planned pairings by (beneficiary id, helper user id, helper team id), the missing
        ones created."""
        existing = {
            key[:3]: key[3]
            for key in Pairing.objects.filter(
                beneficiary__in={pairing.beneficiary_id for _spec, pairing in plan}
            ).values_list("beneficiary", "helper_user", "helper_team", "pk")
        }
        new = []
        for _spec, pairing in plan:
            key = (pairing.beneficiary_id, pairing.helper_user_id, pairing.helper_team_id)
            if key in existing:
                continue
            pairing.full_clean(
                exclude=PAIRING_KEYS, validate_unique=False, validate_constraints=False
            )
            new.append(pairing)
            existing[key] = None
        if new:
            Pairing.objects.bulk_create(new)
            started = {pairing.pk: _at(pairing.started_on) for pairing in new}
            _backdate(Pairing.objects.all(), started, "created_at")
            self.created[Pairing] = len(new)
            existing.update(
                {(p.beneficiary_id, p.helper_user_id, p.helper_team_id): p.pk for p in new}
            )
        return existing

    def programs(self):
        """The help programs by name, the missing ones created."""
        existing = {
            (program.center_id, program.name): program
            for program in HelpProgram.objects.filter(
                center__in=self.centers.values(), name__in=[row[1] for row in PROGRAMS]
            )
        }
        new = []
        for slug, name, starts_on, ends_on, description in PROGRAMS:
            center = self.centers[slug]
            if (center.pk, name) in existing or starts_on > self.until:
                continue
            program = HelpProgram(
                center=center,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                description=description,
            )
            program.full_clean(validate_constraints=False)
            new.append(program)
        if new:
            HelpProgram.objects.bulk_create(new)
            self.created[HelpProgram] = len(new)
            existing.update({(p.center_id, p.name): p for p in new})
        return {name: program for (_center, name), program in existing.items()}

    def plan_visits(self, specs, pks, plan, pairing_pks, programs):
        """Every visit of the year up to `until`: dicts of Visit fields."""
        visits = []
        for spec in specs:
            beneficiary_id = pks[(spec["center"].pk, spec["name"])]
            stop = min(self.until, spec["closed_on"] or YEAR_END)
            rng = random.Random(spec["name"])
            base = {"beneficiary_id": beneficiary_id}
            if spec["slug"] == QIAOHUA:
                visits += self._rehab_visits(spec, base, stop, rng, programs)
                continue
            for _spec, pairing in (row for row in plan if row[0] is spec):
                key = (beneficiary_id, pairing.helper_user_id, pairing.helper_team_id)
                visit = {**base, "pairing_id": pairing_pks[key]}
                if pairing.helper_team_id:
                    visits += self._partner_visits(spec, visit, pairing, stop, programs)
                else:
                    helper_stop = min(stop, OVERDUE.get(spec["name"], YEAR_END))
                    visits += self._helper_visits(spec, visit, pairing, helper_stop, rng)
        return visits

    def _helper_visits(self, spec, base, pairing, stop, rng):
        step = 7 if pairing.frequency == Frequency.WEEKLY else 30 - spec["index"] % 3
        day = pairing.started_on + timedelta(days=1 + spec["index"] % 4)
        visits, turn = [], spec["index"]
        while day <= stop:
            kind = HELPER_KINDS[turn % len(HELPER_KINDS)]
            turn += 1
            visits.append(
                {
                    **base,
                    "visited_on": day,
                    "kind": kind,
                    "helper_name": pairing.helper_user.name,
                    "findings": rng.choice(HELPER_VISITS[kind]),
                    "items_given": rng.choice(SMALL_GIFTS) if rng.random() < 0.25 else "",
                    "follow_up": rng.choice(FOLLOW_UPS) if rng.random() < 0.15 else "",
                }
            )
            day += timedelta(days=step)
        return visits

    def _partner_visits(self, spec, base, pairing, stop, programs):
        visits = []
        for first, days, kind, program, items, findings, born_by in PARTNER_ROUNDS:
            day = first + timedelta(days=(spec["index"] * 7) % days)
            if day < pairing.started_on or day > stop:
                continue
            if born_by is not None and spec["birth_year"] > born_by:
                continue
            visits.append(
                {
                    **base,
                    "program": programs.get(program) if program else None,
                    "visited_on": day,
                    "kind": kind,
                    "helper_name": PARTNER_UNIT,
                    "findings": findings,
                    "items_given": items,
                    "follow_up": "",
                }
            )
        return visits

    def _rehab_visits(self, spec, base, stop, rng, programs):
        visits = []
        day = spec["consent_on"] + timedelta(days=3 + spec["index"])
        turn = spec["index"]
        while day <= stop:
            kind, findings = REHAB_VISITS[turn % len(REHAB_VISITS)]
            turn += 1
            visits.append(
                {
                    **base,
                    "visited_on": day,
                    "kind": kind,
                    "helper_name": REHAB_WORKER,
                    "findings": findings,
                    "items_given": "",
                    "follow_up": "下月继续上门指导康复训练。" if rng.random() < 0.3 else "",
                }
            )
            day += timedelta(days=28 + spec["index"] % 4)
        program = programs.get("2026年全国助残日走访慰问")
        day = date(2026, 5, 14) + timedelta(days=spec["index"] % 4)
        if program is not None and day <= stop:
            visits.append(
                {
                    **base,
                    "program": program,
                    "visited_on": day,
                    "kind": Visit.Kind.MATERIAL,
                    "helper_name": REHAB_WORKER,
                    "findings": "助残日上门慰问，检查辅具使用情况，讲解居家康复要点。",
                    "items_given": "成人护理垫一包、防滑拖鞋一双",
                    "follow_up": "",
                }
            )
        return visits

    def visits(self, planned):
        """Create the planned visits that are missing, by (beneficiary, date, kind)."""
        existing = set(
            Visit.objects.filter(
                beneficiary__in={visit["beneficiary_id"] for visit in planned}
            ).values_list("beneficiary", "visited_on", "kind")
        )
        actor = None
        new = []
        for fields in planned:
            key = (fields["beneficiary_id"], fields["visited_on"], fields["kind"])
            if key in existing:
                continue
            existing.add(key)
            actor = actor or self.actor
            visit = Visit(recorded_by=actor, **fields)
            # Field checks only: the keys come from rows read or written just now.
            visit.full_clean(exclude=VISIT_KEYS, validate_constraints=False)
            new.append(visit)
        if new:
            Visit.objects.bulk_create(new, batch_size=500)
            # Recorded the evening of the visit (or now, for a visit made today).
            now = timezone.now()
            for visit in new:
                evening = timezone.make_aware(datetime.combine(visit.visited_on, time(18)))
                visit.created_at = min(evening, now)
            Visit.objects.bulk_update(new, ["created_at"], batch_size=500)
            self.created[Visit] = len(new)

    # -- The love aid station ---------------------------------------------------------------

    def station(self):
        center = self.centers[JINYUWENYUAN]
        station = AidStation.objects.filter(center=center).first()
        items = self.items()
        if station is None:
            station = services.station_save(
                actor=self.actor,
                center=center,
                data=STATION,
                wishes=[items[name] for name in WISHES],
            )
            self.created[AidStation] = 1
            self.created[WishListItem] = len(WISHES)
        return station, items

    def items(self):
        """The catalogue by name, the missing items created."""
        existing = {
            item.name: item
            for item in Item.objects.filter(
                Q(*[Q(name=name, unit=unit) for name, unit, _c in ITEMS], _connector=Q.OR)
            )
        }
        new = [
            Item(name=name, unit=unit, category=category)
            for name, unit, category in ITEMS
            if name not in existing
        ]
        if new:
            Item.objects.bulk_create(new)
            existing.update({item.name: item for item in new})
            self.created[Item] = len(new)
        return existing

    def events(self):
        """The station's year as (day, step, event, row), in the order it happened: on one day
        goods come in first, then counts, requests, decisions and distributions."""
        events = [(row[0], 0, "donation", row) for row in DONATIONS]
        events += [(row[0], 1, "adjust", row) for row in ADJUSTMENTS]
        for row in REQUESTS:
            events.append((row["on"], 2, "request", row))
            if "approved" in row:
                events.append((row["approved"], 3, "approve", row))
            if "declined" in row:
                events.append((row["declined"][0], 3, "decline", row))
            if "given" in row:
                events.append((row["given"][0], 4, "give", row))
        events += [(row[0], 4, "distribute", row) for row in DISTRIBUTIONS]
        # A stable sort: the lists' order holds within a day and step.
        return sorted(events, key=lambda event: event[:2])

    def ledger(self, station, items, pks):
        """Play the station's year through the services, skipping what exists; a request is
        decided by the demo only in the run that created it."""
        center_id = self.centers[JINYUWENYUAN].pk
        people = {name: pk for (center, name), pk in pks.items() if center == center_id}
        donations = set(station.donations.values_list("donor_name", "received_on"))
        adjustments = set(
            station.movements.filter(kind=StockMovement.Kind.ADJUSTMENT).values_list(
                "item", "reason"
            )
        )
        requests = {request.reason: request for request in station.requests.all()}
        handed_out = set(
            station.distributions.filter(request=None).values_list(
                "distributed_on", "beneficiary", "recipient_name"
            )
        )
        stamps = {"donation": {}, "adjustment": {}, "asked": {}, "decided": {}, "distribution": {}}
        for minute, (day, _step, event, row) in enumerate(self.events()):
            if day > self.until:
                continue
            when = _at(day, minute)
            if event == "donation":
                _day, donor, condition, goods = row
                if (donor, day) in donations:
                    continue
                donation = services.donation_receive(
                    actor=self.actor,
                    station=station,
                    data={"donor_name": donor, "is_anonymous": not donor, "received_on": day},
                    lines=[
                        (items[name], n, condition, items[name].category not in NOT_DISINFECTED)
                        for name, n in _goods(goods)
                    ],
                )
                stamps["donation"][donation.pk] = when
            elif event == "adjust":
                _day, name, quantity, reason = row
                if (items[name].pk, reason) in adjustments:
                    continue
                movement = services.stock_adjust(
                    actor=self.actor,
                    station=station,
                    item=items[name],
                    quantity=quantity,
                    reason=reason,
                )
                stamps["adjustment"][movement.pk] = when
            elif event == "request":
                if row["reason"] in requests:
                    continue
                request = self._request(station, items, row, people)
                requests[row["reason"]] = request
                stamps["asked"][request.pk] = when
            elif event in ("approve", "decline"):
                request = requests.get(row["reason"])
                if request is None or request.pk not in stamps["asked"]:
                    continue
                if event == "approve":
                    request = services.aid_request_approve(actor=self.actor, request=request)
                else:
                    request = services.aid_request_decline(
                        actor=self.actor, request=request, reason=row["declined"][1]
                    )
                requests[row["reason"]] = request
                stamps["decided"][request.pk] = when
            elif event == "give":
                request = requests.get(row["reason"])
                if request is None or request.status != AidRequest.Status.APPROVED:
                    continue
                distribution = services.distribution_create(
                    actor=self.actor,
                    station=station,
                    lines=[(items[name], n) for name, n in _goods(row["given"][1])],
                    distributed_on=day,
                    request=request,
                )
                request.status = AidRequest.Status.FULFILLED
                stamps["distribution"][distribution.pk] = when
            else:
                _day, name, goods, note = row
                beneficiary_id = people.get(name)
                recipient = "" if beneficiary_id else name
                if (day, beneficiary_id, recipient) in handed_out:
                    continue
                distribution = services.distribution_create(
                    actor=self.actor,
                    station=station,
                    lines=[(items[item], n) for item, n in _goods(goods)],
                    distributed_on=day,
                    beneficiary=(
                        Beneficiary.objects.get(pk=beneficiary_id) if beneficiary_id else None
                    ),
                    recipient_name=recipient,
                    note=note,
                )
                handed_out.add((day, beneficiary_id, recipient))
                stamps["distribution"][distribution.pk] = when
        self._backdate_ledger(stamps)

    def _request(self, station, items, row, people):
        if "beneficiary" not in row:
            fields = ("requester_name", "requester_phone", "reason", "items_wanted")
            return services.aid_request_submit(
                station=station, data={name: row[name] for name in fields}
            )
        return services.aid_request_file(
            actor=self.actor,
            station=station,
            beneficiary=Beneficiary.objects.get(pk=people[row["beneficiary"]]),
            reason=row["reason"],
            lines=[(items[name], n) for name, n in _goods(row["goods"])],
        )

    def _backdate_ledger(self, stamps):
        """Move the new rows' timestamps back to the moments they happened, and count them."""
        _backdate(Donation.objects.all(), stamps["donation"], "created_at")
        _backdate(Distribution.objects.all(), stamps["distribution"], "created_at")
        _backdate(AidRequest.objects.all(), stamps["asked"], "created_at")
        _backdate(AidRequest.objects.all(), stamps["decided"], "decided_at")
        whens = [When(pk=pk, then=Value(at)) for pk, at in stamps["adjustment"].items()]
        whens += [When(donation=pk, then=Value(at)) for pk, at in stamps["donation"].items()]
        whens += [
            When(distribution=pk, then=Value(at)) for pk, at in stamps["distribution"].items()
        ]
        if whens:
            movements = StockMovement.objects.filter(
                Q(pk__in=list(stamps["adjustment"]))
                | Q(donation__in=list(stamps["donation"]))
                | Q(distribution__in=list(stamps["distribution"]))
            )
            self.created[StockMovement] = movements.count()
            movements.update(created_at=Case(*whens, output_field=DateTimeField()))
        self.created[Donation] = len(stamps["donation"])
        self.created[AidRequest] = len(stamps["asked"])
        self.created[Distribution] = len(stamps["distribution"])


@transaction.atomic
def load_demo_assistance() -> Counter:
    """Create the help programs of the demo district that are missing (see the module doc).

    Needs seed_demo's centers, the partner unit 呼市代建办党支部 and the district admin, and
    raises LookupError without them. A run with nothing to do reads each model's keys once.
    Returns a Counter of rows created per model.
    """
    centers = Center.objects.in_bulk([ZHANLANGUAN, JINYUWENYUAN, QIAOHUA], field_name="slug")
    if len(centers) < 3:
        raise LookupError("the assistance demo needs seed_demo's centers")
    loader = _Loader(centers, timezone.localdate())
    if loader.until < YEAR_START:
        return Counter()
    specs = loader.specs()
    pks = loader.beneficiaries(specs)
    plan = loader.plan_pairings(specs, pks, loader.helpers(), loader.partner_unit())
    pairing_pks = loader.pairings(plan)
    programs = loader.programs()
    loader.visits(loader.plan_visits(specs, pks, plan, pairing_pks, programs))
    station, items = loader.station()
    loader.ledger(station, items, pks)
    return +loader.created
