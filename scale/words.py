"""Vocabulary for the scale dataset: place names, titles and notes. Plain data, no Django."""

from decimal import Decimal

STREET_STEMS = [
    "昭乌达",
    "人民",
    "大学",
    "中专",
    "敕勒川",
    "金桥",
    "长乐",
    "和平",
    "兴安",
    "锡林",
    "新华",
    "东风",
    "团结",
    "光明",
    "乌兰",
    "呼伦",
    "青城",
    "如意",
    "丰州",
    "阿尔丁",
]
STREET_SUFFIXES = ["路", "东路", "西路", "南路", "北路", "大街"]

COMMUNITY_DIRECTIONS = ["", "东", "西", "南", "北"]
COMMUNITY_STEMS = [
    "大台什",
    "健康",
    "前进",
    "创业",
    "惠民",
    "展览",
    "金宇",
    "万正",
    "桥华",
    "幸福",
    "和谐",
    "康乐",
    "安居",
    "丰泽",
    "锦绣",
    "春华",
    "秋实",
    "朝阳",
    "晨光",
    "星河",
    "翠柳",
    "银河",
    "紫荆",
    "丁香",
    "海棠",
    "青松",
    "松林",
    "枫林",
    "富康",
    "永安",
    "兴盛",
    "民主",
    "友谊",
    "育才",
    "文化",
    "体育",
    "工农",
    "电力",
    "铁路",
    "园艺",
    "石羊",
    "桃园",
    "杏林",
    "明珠",
    "怡园",
    "嘉园",
    "恒大",
    "长青",
    "吉祥",
    "德润",
    "润宇",
    "书香",
    "聚贤",
    "双树",
    "三合",
    "四季",
    "五里",
    "六合",
    "七彩",
    "八一",
]
COMMUNITY_SUFFIXES = [
    "",
    "里",
    "巷",
    "苑",
    "园",
    "新村",
    "家园",
    "花园",
    "新城",
    "小区",
    "雅居",
    "佳苑",
    "嘉园",
    "华庭",
    "名邸",
]
PARK_STEMS = ["金桥", "如意", "敕勒川", "鸿盛", "沙尔沁", "巴彦", "新城", "东岸"]
BRANDS = ["红色邻里", "e家亲", "心连心", "暖心驿站", "邻里守望", "党群连心桥", "幸福加油站"]

ROOMS = {
    "district": [
        ("service_hall", "政务服务大厅", 80),
        ("party_activity", "党员教育中心", 120),
        ("meeting", "多功能报告厅", 200),
        ("exhibition", "党建展厅", 60),
        ("culture", "书画室", 30),
        ("reading", "图书馆", 60),
    ],
    "street": [
        ("service_hall", "便民服务大厅", 40),
        ("party_activity", "党员教育培训室", 80),
        ("meeting", "多功能会议室", 60),
        ("other", "新时代文明实践站", 30),
    ],
    "community": [
        ("service_hall", "一站式服务大厅", 20),
        ("party_activity", "党员活动室", 30),
        ("sports", "多功能活动室", 40),
    ],
    "park": [
        ("party_activity", "党员活动室", 40),
        ("service_hall", "企业服务站", 15),
        ("meeting", "共享会议室", 30),
    ],
    "building": [
        ("service_hall", "楼宇党群服务站", 20),
        ("sports", "职工之家", 30),
        ("meeting", "共享会议室", 20),
    ],
}
EXTRA_COMMUNITY_ROOMS = [
    ("reading", "图书阅览室", 20),
    ("elderly", "为老服务活动室", 30),
    ("children", "四点半课堂", 25),
    ("culture", "书画文化室", 20),
    ("reception", "谈心接待室", 6),
]
SERVICES = [
    ("政策咨询", "社保、医保、民政、就业等政策一窗解答。"),
    ("代办帮办", "为老年人和行动不便的居民上门代办事项。"),
    ("法律援助", "律师每周驻点，提供免费法律咨询。"),
    ("心理疏导", "专业社工提供心理咨询与情绪疏导。"),
    ("就业指导", "发布岗位信息，开展技能培训。"),
    ("老年助餐", "为辖区老年人提供平价午餐。"),
]
SOCIAL_ORGS = ["夕阳红文艺队", "邻里互助会", "青少年成长服务社", "巾帼志愿协会", "老年书画协会"]

#: Weekly classes: (title, category, audience, room kinds, capacity range).
WEEKLY_CLASSES = [
    ("老年大学·书法课", "study", "elderly", ("culture", "party_activity", "sports"), (12, 20)),
    ("老年大学·智能手机使用课", "study", "elderly", ("reading", "meeting", "sports"), (8, 14)),
    ("宜老课堂·健康讲座", "study", "elderly", ("elderly", "meeting", "sports"), (20, 30)),
    ("益少课堂·课后辅导", "service", "children", ("children", "reading", "sports"), (8, 15)),
    ("国画兴趣班", "culture", "all", ("culture", "sports"), (8, 12)),
    ("太极拳学习班", "culture", "elderly", ("sports",), (15, 25)),
    ("合唱团排练", "culture", "all", ("sports", "meeting"), (20, 30)),
]
#: Fortnightly Saturday activities: (title, category, audience).
FORTNIGHTLY = [
    ("健身舞会", "culture", "all"),
    ("社区电影放映", "culture", "all"),
    ("亲子阅读会", "culture", "children"),
    ("棋牌联谊赛", "culture", "elderly"),
    ("邻里茶话会", "opinion", "all"),
]
#: One-off activities: (title, category, audience, capacity range or None, volunteer hours,
#: room kinds or None for an outdoor place, outdoor place).
ONE_OFFS = [
    ("环境清洁志愿服务", "volunteer", "all", (15, 30), Decimal("2.0"), None, "小区公共区域"),
    ("志愿者入户探访", "volunteer", "all", (8, 12), Decimal("1.5"), None, "辖区困难家庭"),
    ("垃圾分类宣传志愿服务", "volunteer", "all", (10, 20), Decimal("2.0"), None, "小区出入口"),
    ("党群爱心援助站开放日", "service", "all", None, Decimal(0), ("service_hall",), ""),
    ("义诊进社区", "service", "elderly", (30, 60), Decimal(0), ("service_hall", "meeting"), ""),
    ("防范电信诈骗宣传讲座", "study", "all", (30, 50), Decimal(0), ("meeting", "sports"), ""),
    ("消防安全应急演练", "service", "all", None, Decimal(0), None, "小区广场"),
    ("金秋晚会", "festival", "all", None, Decimal(0), None, "社区广场"),
    ("年俗节", "festival", "all", (40, 80), Decimal(0), ("sports", "meeting"), ""),
    ("重阳节敬老联欢会", "festival", "elderly", (30, 60), Decimal(0), ("sports", "elderly"), ""),
    ("“红色邻里”民主协商交流会", "opinion", "all", None, Decimal(0), ("meeting",), ""),
    ("少儿科普实验课", "study", "children", (15, 25), Decimal(0), ("children", "sports"), ""),
]
CANCEL_REASONS = ["天气原因，改期举办", "场地临时维修", "授课老师临时有事", "与上级活动时间冲突"]
RECORD_SUMMARIES = [
    "活动按计划开展，居民参与积极，现场秩序良好。",
    "本次活动邀请辖区党员志愿者协助，居民反响热烈。",
    "活动结束后收集居民意见建议，将在下次活动中改进。",
]

#: Issue templates: (category, title with {place}).
ISSUE_TITLES = [
    ("drainage", "{place}雨后积水严重"),
    ("drainage", "{place}下水井冒水"),
    ("roads", "{place}路面坑洼不平"),
    ("roads", "{place}人行道地砖松动"),
    ("property", "{place}电梯经常故障"),
    ("property", "{place}单元门禁损坏"),
    ("utilities", "{place}暖气不热"),
    ("utilities", "{place}夜间路灯不亮"),
    ("sanitation", "{place}垃圾清运不及时"),
    ("sanitation", "{place}楼道堆放杂物"),
    ("public_space", "申请在{place}增设健身器材"),
    ("public_space", "{place}绿地缺少休息座椅"),
    ("safety", "{place}消防通道被占用"),
    ("safety", "{place}外墙保温层脱落"),
    ("neighbours", "{place}楼上漏水影响楼下住户"),
    ("other", "建议{place}附近增加老年助餐点"),
]
ISSUE_DESCRIPTIONS = [
    "这个问题已经持续一段时间了，给居民出行和生活带来不便，希望社区协调解决。",
    "多位邻居反映过这个情况，之前联系过物业但没有解决，请帮忙跟进。",
    "老人和孩子经过时存在安全隐患，希望尽快处理。",
]
RESOLUTIONS = [
    "已协调物业完成维修，经回访居民确认问题解决。",
    "已联系相关部门现场处置，并纳入日常巡查。",
    "经居民议事会协商确定方案，已组织施工完成。",
]
REJECT_REASONS = [
    "该事项属于业主个人财产纠纷，建议通过人民调解或法律途径解决。",
    "该事项不在本中心受理范围，已告知居民向相关部门反映。",
]
PROGRESS_NOTES = ["已现场查看，正在联系施工单位。", "维修材料已到位，近期施工。"]

BENEFICIARY_NEEDS = [
    "行动不便，需要定期上门探望和代购生活用品。",
    "独自居住，需要关注身体状况和冬季取暖。",
    "家庭收入低，需要物资帮扶和政策申领帮助。",
    "子女在外地，需要精神慰藉和陪伴。",
]
HEALTH_NOTES = ["高血压，需按时服药", "腿脚不便，出行需搀扶", "听力下降", "二级肢体残疾", ""]
VISIT_FINDINGS = [
    "身体状况稳定，生活基本能自理。",
    "家中暖气正常，冰箱食物充足。",
    "近期血压偏高，已提醒按时服药并复查。",
    "情绪较好，希望多参加社区活动。",
]
VISIT_ITEMS = ["大米一袋、食用油一桶", "棉被一床", "慰问金及米面油", "生活用品一套"]
DONOR_UNITS = ["测试爱心企业", "测试共建单位", "测试物业服务中心", "测试志愿者协会"]
GOODS_OFFER_ITEMS = ["八成新的儿童冬装若干件", "闲置轮椅一辆", "书籍约三十册", "全新棉被两床"]
