"""The demo district, 赛罕区, and its 87 party-mass service centers, as plain Python data.

`DISTRICT` is the center tree: each node is a dict of `Center` fields plus the lists `rooms`,
`exhibitions`, `services`, `teams` (dicts of the content models' fields) and `children`.
`DEMO_USERS` are the staff logins, all with `DEMO_PASSWORD`. The loader is the `seed_demo`
management command; this module imports nothing from Django so that a Makefile or README can
print the logins without setting Django up.

The featured communities follow the seed report (shared/seed/000_8864819f1ffed6f1.txt); the rest
of the district (names, addresses, telephone numbers, social organisations) is invented.
"""

DEMO_PASSWORD = "dangqun2026"

ADDRESS_PREFIX = "呼和浩特市赛罕区"

# Opening hours by center level, one line per period.
HOURS = {
    "district": "周一至周五 8:30–12:00，14:30–18:00\n周六 9:00–16:00（团体参观请提前预约）",
    "street": "周一至周五 8:30–12:00，14:30–18:00\n周六、周日 9:00–12:00（值班）",
    "community": "周一至周五 8:30–12:00，14:30–18:00\n周六、周日 9:00–17:00",
    "park": "周一至周五 9:00–12:00，13:30–17:30",
    "building": "周一至周五 9:00–20:00\n周六 10:00–16:00",
}

SERVICE_WORDS = "党性锤炼、学习教育、文体娱乐、综合服务、民意交流"


def _room(name, kind, capacity, description=""):
    return {"name": name, "kind": kind, "capacity": capacity, "description": description}


def _service(name, description):
    return {"name": name, "description": description}


def _team(name, kind, member_count=None, description=""):
    return {"name": name, "kind": kind, "member_count": member_count, "description": description}


def _intro(short_name, area_sqm, rooms):
    room_names = "、".join(room["name"] for room in rooms)
    return (
        f"{short_name}党群服务中心建筑面积{area_sqm}平方米，设有{room_names}，"
        f"面向辖区党员群众开放，就近就便提供{SERVICE_WORDS}等服务。"
    )


# --- Rooms shared by the centers the report does not single out -------------------------------

_STREET_ROOMS = [
    _room("便民服务大厅", "service_hall", 40, "社保、民政、计生、党员组织关系转接等事项一窗受理。"),
    _room("党员教育培训室", "party_activity", 80, "街道党校课堂，承办“三会一课”示范观摩。"),
    _room("多功能会议室", "meeting", 60, "可预约召开议事协商会、联席会议。"),
    _room("新时代文明实践站", "other", 30, "志愿服务项目发布、志愿者招募与培训。"),
]

_COMMUNITY_ROOMS = [
    _room("一站式服务大厅", "service_hall", 20, "居民事务“一门受理、一站办结”。"),
    _room("党员活动室", "party_activity", 30, "主题党日、党员学习和组织生活的固定场所。"),
    _room("多功能活动室", "sports", 40, "文艺排练、健身舞、乒乓球等文体活动。"),
]

_COMMUNITY_EXTRA_ROOMS = [
    _room("图书阅览室", "reading", 20, "藏书三千余册，订阅报刊二十余种。"),
    _room("为老服务活动室", "elderly", 30, "棋牌、健康讲座、血压测量。"),
    _room("四点半课堂", "children", 25, "放学后的作业辅导和兴趣课程。"),
    _room("书画文化室", "culture", 20, "书法、国画爱好者的交流创作空间。"),
    _room("谈心接待室", "reception", 6, "倾听居民诉求，调解邻里纠纷。"),
]

_PARK_ROOMS = [
    _room("党员活动室", "party_activity", 40, "园区非公企业党员共享的组织生活场所。"),
    _room("企业服务站", "service_hall", 15, "政策咨询、人才招聘、融资对接等企业服务。"),
    _room("共享会议室", "meeting", 30, "园区企业可免费预约使用。"),
]

_BUILDING_ROOMS = [
    _room("楼宇党群服务站", "service_hall", 20, "为楼宇白领和流动党员提供组织关系接转、政策咨询。"),
    _room("职工之家", "sports", 30, "午间休息、读书分享、健身活动。"),
    _room("共享会议室", "meeting", 20, "楼宇企业可免费预约使用。"),
]


def _community_rooms(index):
    """Three standard rooms plus one that varies, so neighbouring communities differ a little."""
    return [*_COMMUNITY_ROOMS, _COMMUNITY_EXTRA_ROOMS[index % len(_COMMUNITY_EXTRA_ROOMS)]]


def _center(level, slug, name, short_name, address, phone, area_sqm, **extra):
    """One center's fields; `address` is written without the city and district."""
    return {
        "slug": slug,
        "name": name,
        "short_name": short_name,
        "level": level,
        "address": ADDRESS_PREFIX + address,
        "phone": phone,
        "opening_hours": HOURS[level],
        "area_sqm": area_sqm,
        **extra,
    }


def _community(index, slug, short_name, address, phone, area_sqm, **extra):
    """A community; without `rooms` it gets the standard ones, `index` choosing the extra room."""
    rooms = extra.pop("rooms", None) or _community_rooms(index)
    extra.setdefault("intro", _intro(short_name, area_sqm, rooms))
    name = f"{short_name}党群服务中心"
    return _center(
        "community", slug, name, short_name, address, phone, area_sqm, rooms=rooms, **extra
    )


def _park(slug, name, short_name, address, phone, area_sqm, intro):
    return _center(
        "park", slug, name, short_name, address, phone, area_sqm, intro=intro, rooms=_PARK_ROOMS
    )


def _building(slug, name, short_name, address, phone, area_sqm, intro):
    return _center(
        "building",
        slug,
        name,
        short_name,
        address,
        phone,
        area_sqm,
        intro=intro,
        rooms=_BUILDING_ROOMS,
    )


def _street(slug, short_name, address, phone, area_sqm, intro, *, featured=(), others=()):
    """A street with its featured communities first, then OTHER_COMMUNITIES[slug], then `others`."""
    rows = OTHER_COMMUNITIES[slug]
    communities = [_community(len(featured) + i, *row) for i, row in enumerate(rows)]
    return _center(
        "street",
        slug,
        f"{short_name}党群服务中心",
        short_name,
        address,
        phone,
        area_sqm,
        intro=intro,
        rooms=_STREET_ROOMS,
        children=[*featured, *communities, *others],
    )


# --- The communities the report describes ------------------------------------------------------

DATAISHI = _community(
    0,
    "dataishi",
    "大台什社区",
    "昭乌达路大台什小区综合楼1层",
    "0471-4921011",
    1200,
    brand="守望相助·红润大台什",
    brand_story=(
        "大台什社区由城中村改造而来，蒙古族、回族、满族等少数民族居民占三成以上。社区以党建文史馆"
        "为载体，把党的历史、村落变迁和民族团结故事讲给居民听，让新老居民在守望相助中融为一家。"
    ),
    intro=(
        "大台什社区党群服务中心建筑面积1200平方米，设有党建文史馆、服务大厅、党员活动室、"
        "民族团结活动室和多功能会议室。党建文史馆以图片、实物的形式展出社区的党建亮点、风土人情"
        "和民族特色，是辖区党员群众和中小学生开展党史学习教育的红色课堂。"
    ),
    rooms=[
        _room(
            "党建文史馆",
            "exhibition",
            40,
            "分为党史展厅、民俗展厅、民族特色党建、廉政文化长廊、荣誉墙。",
        ),
        _room("服务大厅", "service_hall", 20, "居民事务一站受理。"),
        _room("党员活动室", "party_activity", 40, "主题党日和“三会一课”的固定场所。"),
        _room("民族团结活动室", "culture", 30, "民族歌舞排练、民族团结进步主题宣讲。"),
        _room("多功能会议室", "meeting", 50, "居民议事、协商会议。"),
    ],
    exhibitions=[
        {
            "name": "党建文史馆",
            "description": (
                "以图片、实物的形式展出大台什社区的党建亮点、风土人情、民族特色，展现党在民主革命"
                "时期和社会主义建设时期带领各族人民团结奋斗、守望相助、不断进取的历史画卷。"
            ),
            "halls": (
                "党史展厅：以图片和实物回顾党在民主革命时期和社会主义建设时期的奋斗历程\n"
                "民俗展厅：陈列农具、老物件和传统服饰，讲述大台什从村落到社区的变迁\n"
                "民族特色党建：展示各族党员群众共建共享、守望相助的民族团结故事\n"
                "廉政文化长廊：以书画、家规家训和廉政格言弘扬清风正气\n"
                "荣誉墙：集中展示社区党组织和党员群众获得的各级荣誉"
            ),
        }
    ],
    services=[
        _service("党建文史馆讲解参观", "面向机关、学校、企业党组织和居民开放，可预约志愿讲解。"),
        _service("民族团结进步宣传", "每月举办民族团结主题宣讲和民族文化体验活动。"),
    ],
    teams=[
        _team(
            "文史馆志愿讲解队", "volunteer", 12, "由退休教师和社区党员组成，为参观群众义务讲解。"
        ),
    ],
)

JIANKANG = _community(
    0,
    "jiankang",
    "健康社区",
    "人民路健康小区8号楼",
    "0471-4922011",
    980,
    brand="宜老益少",
    brand_story=(
        "健康社区60岁以上居民占四分之一，双职工家庭的孩子放学后常常无人照看。社区党组织围绕"
        "“一老一小”设置功能室、组织志愿服务，打造“宜老益少”品牌：让老人老有所乐，"
        "让孩子少有所学。"
    ),
    intro=(
        "健康社区党群服务中心建筑面积980平方米，设有服务大厅、党建活动室、人大政协之家、"
        "谈心接待室、书香苑阅览室、党风廉政书画室、少儿舞思乐活动室、为老服务活动室、"
        "多功能会议室九个功能室，着力打造“宜老益少”品牌。"
    ),
    rooms=[
        _room("服务大厅", "service_hall", 30, "居民事务一站受理，设老年人绿色通道。"),
        _room("党建活动室", "party_activity", 40, "主题党日、党员学习和组织生活。"),
        _room("人大政协之家", "delegates", 20, "人大代表、政协委员定期接待选民，收集社情民意。"),
        _room("谈心接待室", "reception", 6, "一对一倾听诉求、调解纠纷。"),
        _room("书香苑阅览室", "reading", 30, "藏书五千余册，周末开设亲子共读。"),
        _room("党风廉政书画室", "culture", 20, "廉政书画创作与展示。"),
        _room("少儿舞思乐活动室", "children", 30, "少儿舞蹈、音乐启蒙和课后托管。"),
        _room("为老服务活动室", "elderly", 30, "棋牌、健康讲座、血压血糖测量。"),
        _room("多功能会议室", "meeting", 60, "居民议事会、报告会和培训。"),
    ],
    services=[
        _service("宜老服务", "助餐送餐、健康讲座、定期体检和高龄老人上门探访。"),
        _service("益少课堂", "放学后的作业辅导、少儿舞蹈和寒暑假公益课堂。"),
    ],
    teams=[
        _team("夕阳红志愿服务队", "volunteer", 28, "社区退休党员为独居老人提供陪伴和代办服务。"),
        _team("小候鸟课业辅导队", "volunteer", 15, "大学生志愿者为社区孩子辅导功课。"),
    ],
)

QIANJINXIANG = _community(
    0,
    "qianjinxiang",
    "前进巷社区",
    "大学西路前进巷12号",
    "0471-4923011",
    860,
    brand="和谐家园·秀美前进",
    brand_story=(
        "前进巷社区居住着蒙古族、汉族、回族等多个民族的居民。社区党组织以“和谐家园、秀美前进”"
        "为品牌，组建6支居民文艺志愿服务队伍，引进15家社会组织，打造社区蒙元特色文化。"
    ),
    intro=(
        "前进巷社区党群服务中心建筑面积860平方米，设有服务大厅、党员活动室、蒙元文化活动室、"
        "文艺排练厅和社会组织孵化室。中心结合节日特点和群众需求，常年开展蒙元文化展演、"
        "民族服饰展示和邻里节活动。"
    ),
    rooms=[
        _room("服务大厅", "service_hall", 20, "居民事务一站受理，提供蒙汉双语服务。"),
        _room("党员活动室", "party_activity", 30, "主题党日和组织生活。"),
        _room("蒙元文化活动室", "culture", 30, "陈列蒙古族服饰、乐器，开设马头琴和蒙古语兴趣课。"),
        _room("文艺排练厅", "sports", 50, "6支文艺志愿服务队的排练场地。"),
        _room("社会组织孵化室", "other", 15, "入驻社会组织的办公和项目洽谈空间。"),
    ],
    services=[
        _service("蒙元特色文化", "蒙古族服饰展示、长调和马头琴演出、那达慕趣味运动会等特色活动。"),
        _service(
            "社会组织服务对接", "15家社会组织在养老、助残、青少年、心理等领域为居民提供专业服务。"
        ),
    ],
    teams=[
        _team("蒙古族模特队", "volunteer", 18, "身着民族服饰走秀，参加社区和街道的节庆展演。"),
        _team("少数民族歌唱队", "volunteer", 22, "演唱蒙古族长调、民歌和红色歌曲。"),
        _team("健身操队", "volunteer", 35, "每天清晨在社区广场带领居民健身。"),
        _team("书画队", "volunteer", 16, "书法、国画创作，节日为居民写春联。"),
        _team("朗诵队", "volunteer", 12, "诵读红色经典，走进学校和养老机构演出。"),
        _team("快板队", "volunteer", 10, "用快板书宣传政策和文明新风。"),
        _team(
            "赛罕区乐龄居家养老服务中心",
            "social_org",
            description="助餐、助洁、助浴等居家养老服务。",
        ),
        _team(
            "赛罕区馨和社会工作服务中心",
            "social_org",
            description="困难家庭个案帮扶和社区社会工作。",
        ),
        _team(
            "赛罕区向阳花青少年成长服务中心", "social_org", description="青少年课后托管和成长辅导。"
        ),
        _team("前进巷社区马头琴文化传习社", "social_org", description="马头琴教学和演出。"),
        _team("赛罕区安心家庭教育指导中心", "social_org", description="家庭教育讲座和亲子活动。"),
        _team("赛罕区邻里和睦调解服务社", "social_org", description="邻里纠纷调解。"),
        _team("赛罕区蒙元服饰文化研究会", "social_org", description="蒙古族服饰的传承与展示。"),
        _team("赛罕区益善助残服务中心", "social_org", description="残疾人康复陪护和就业帮扶。"),
        _team("赛罕区绿色家园环保协会", "social_org", description="垃圾分类宣传和社区环境整治。"),
        _team("赛罕区康健老年健身协会", "social_org", description="老年人健身指导和赛事组织。"),
        _team("赛罕区心语心理咨询服务中心", "social_org", description="心理健康讲座和个体咨询。"),
        _team("赛罕区童心阅读推广中心", "social_org", description="绘本共读和少儿阅读推广。"),
        _team("赛罕区民族手工艺传承协会", "social_org", description="毡艺、皮艺等民族手工艺培训。"),
        _team("赛罕区惠邻便民服务社", "social_org", description="家电维修、理发等便民服务。"),
        _team("赛罕区明理法律服务中心", "social_org", description="法律咨询和普法宣传。"),
    ],
)

CHUANGYE = _community(
    0,
    "chuangye",
    "创业社区",
    "中专路创业小区5号楼",
    "0471-4924011",
    720,
    brand="众心向和谐",
    brand_story=(
        "创业社区在党群服务中心设立“众心向和谐”居民议事站，为辖区居民解决纠纷、共同议事提供平台，"
        "带领群众依法管理基层社会事务，实现党领导社会治理、依靠群众加强社会治理的良性互动。"
    ),
    rooms=[
        _room("居民议事厅", "meeting", 30, "“众心向和谐”居民议事站的协商会议场所。"),
        _room("一站式服务大厅", "service_hall", 20, "居民事务“一门受理、一站办结”。"),
        _room("党员活动室", "party_activity", 30, "主题党日和组织生活。"),
        _room("谈心接待室", "reception", 6, "倾听诉求、调解纠纷。"),
    ],
    services=[
        _service(
            "“众心向和谐”居民议事站",
            "为辖区居民解决纠纷、共同议事提供平台。一年来通过议事站解决居民提出的热点问题21件，"
            "如金汉御园小区门前规划路的归属问题、园艺所西巷雨天路面积水、煤田小区穿衣带帽工程"
            "后续问题、小区安装燃气申请破路审批问题等。",
        ),
    ],
    teams=[
        _team(
            "议事站居民代表队",
            "volunteer",
            15,
            "由楼栋长、党员和居民代表组成，参与议题征集和协商。",
        ),
    ],
)

ZHANLANGUAN = _community(
    1,
    "zhanlanguan",
    "展览馆社区",
    "中专路展览馆东巷3号",
    "0471-4924012",
    650,
    brand="困有所济·残有所助",
    brand_story=(
        "展览馆社区建立结对帮扶制度，整合驻区单位和共建单位力量，经常性开展帮困扶贫活动，"
        "为残疾人、孤寡老人和空巢老人等特殊群体送温暖。"
    ),
    services=[
        _service(
            "结对帮扶",
            "党员、共建单位与困难家庭一对一结对，定期走访慰问，提供物质帮助、精神慰藉和交友谈心等服务，"
            "切实实现困有所济、残有所助。",
        ),
    ],
    teams=[
        _team(
            "呼市代建办党支部",
            "partner",
            description="共建单位，每年不定期对社区生活困难的居民进行慰问，受益居民50余人。",
        ),
        _team("红烛帮扶志愿服务队", "volunteer", 20, "社区党员与困难群众结对，上门探访。"),
    ],
)

HUIMIN = _community(
    2,
    "huimin",
    "惠民社区",
    "金桥开发区惠民小区2号楼",
    "0471-4927011",
    600,
    brand="红色邻里",
    brand_story=(
        "惠民社区推行“红色邻里代表”机制，让社区党员、网格员、志愿者和居民小组代表成为"
        "邻里之间的“红色纽带”，把民主协商搬到居民身边。"
    ),
    services=[
        _service(
            "“红色邻里代表”机制",
            "定期在党群服务中心召开民主协商交流会议，召集社区党员、网格员、志愿者、居民小组代表等"
            "协商解决化粪池堵塞、公地私用等民生难题。",
        ),
    ],
    teams=[
        _team(
            "红色邻里代表队", "volunteer", 32, "每个居民小组推选党员和热心居民担任红色邻里代表。"
        ),
    ],
)

JINYUWENYUAN = _community(
    0,
    "jinyuwenyuan",
    "金宇文苑社区",
    "大学东路金宇文苑小区综合楼",
    "0471-4925011",
    700,
    brand="爱心援助·物尽其用",
    rooms=[
        _room("一站式服务大厅", "service_hall", 20, "居民事务“一门受理、一站办结”。"),
        _room("党员活动室", "party_activity", 30, "主题党日和组织生活。"),
        _room("党群爱心援助站", "other", 10, "闲置物资的登记、存放和发放。"),
        _room("图书阅览室", "reading", 20, "藏书三千余册。"),
    ],
    services=[
        _service(
            "党群爱心援助站",
            "将党员群众闲置的衣物、书籍、家电等物资收集起来，分发给有需求的群众，"
            "既避免资源浪费，也帮助其他居民。",
        ),
    ],
    teams=[
        _team("爱心援助站志愿服务队", "volunteer", 16, "负责物资的接收、整理和发放。"),
    ],
)

WANZHENGSHANGDU = _community(
    3,
    "wanzhengshangdu",
    "万正尚都社区",
    "敕勒川路万正尚都小区15号楼",
    "0471-4926011",
    900,
    brand="共建·共学·共办",
    brand_story=(
        "万正尚都社区以党群服务中心为主阵地，带动辖区非公企业、驻区单位、志愿队伍、居民群众开展"
        "党建共建、学习共学、活动共办，推动基层群众充分参与社会治理。"
    ),
    services=[
        _service(
            "楼宇党建联盟",
            "联合辖区商务楼宇和非公企业党组织，共享阵地、共育人才、共办活动。",
        ),
        _service("金秋晚会", "每年秋季由社区、驻区单位和居民共同筹办的文艺晚会。"),
        _service("年俗节", "春节前的写春联、包饺子、民俗展演等年俗活动。"),
    ],
    teams=[
        _team("万正商务楼宇联合党支部", "partner", description="楼宇党建联盟牵头单位。"),
        _team("尚都物业服务中心党支部", "partner", description="参与小区环境整治和民生服务。"),
        _team("敕勒川社区卫生服务站党支部", "partner", description="每月到社区义诊。"),
        _team("尚都文艺志愿服务队", "volunteer", 40, "金秋晚会和年俗节的主力演员。"),
    ],
)

QIAOHUA = _community(
    0,
    "qiaohua",
    "桥华社区",
    "大学东路桥华小区9号楼",
    "0471-4925012",
    1100,
    brand="四季文化·乐享桥华",
    brand_story=(
        "桥华社区开辟老年大学课堂，定期邀请专业教师为辖区老年人授课，形成"
        "“早有晨练活动，晚有健身舞会，冬有室内学习，夏有广场文化”的浓厚文化氛围。"
    ),
    rooms=[
        _room("一站式服务大厅", "service_hall", 20, "居民事务“一门受理、一站办结”。"),
        _room("老年大学课堂", "elderly", 40, "书法、声乐、智能手机使用等课程，由专业教师授课。"),
        _room("十六点半儿童乐园", "children", 30, "放学后的托管、阅读和游戏。"),
        _room("康复训练室", "other", 10, "为残疾人提供康复训练器材和指导。"),
        _room("文体活动室", "sports", 60, "健身舞会、文艺排练。"),
    ],
    services=[
        _service("社区养老服务", "助餐、日间照料、老年大学课堂和健康管理。"),
        _service("文体娱乐服务", "晨练、健身舞会、广场文化活动。"),
        _service("十六点半儿童乐园服务", "为双职工家庭的孩子提供放学后的看护和辅导。"),
        _service("十五分钟便民生活圈服务", "联合周边商户，步行十五分钟内满足居民日常生活需求。"),
        _service("残疾人康复服务", "康复训练、辅具借用和上门探访。"),
    ],
)


# --- The other communities, by street: slug, short name, address, telephone, floor area --------

OTHER_COMMUNITIES = {
    "zhaowudalu": [
        ("taohua", "桃花社区", "桃花路15号", "0471-4921012", 620),
        ("tengfei", "腾飞社区", "腾飞南路36号", "0471-4921013", 540),
        ("shiji", "世纪社区", "世纪七路9号", "0471-4921014", 480),
        ("fengzhou", "丰州社区", "丰州南路118号", "0471-4921015", 560),
        ("dongda", "东达社区", "昭乌达路东达小区12号楼", "0471-4921016", 450),
        ("zhaojun", "昭君社区", "昭君路27号", "0471-4921017", 500),
    ],
    "renminlu": [
        ("wenhua", "文化社区", "人民路文化小区3号楼", "0471-4922012", 520),
        ("tuanjie", "团结社区", "团结巷21号", "0471-4922013", 470),
        ("guangming", "光明社区", "光明路8号", "0471-4922014", 510),
        ("shuili", "水利社区", "人民路水利小区6号楼", "0471-4922015", 430),
        ("renmin", "人民社区", "人民路77号", "0471-4922016", 600),
        ("ankang", "安康社区", "安康街14号", "0471-4922017", 490),
    ],
    "daxuexilu": [
        ("shida", "师大社区", "大学西路师大家属院10号楼", "0471-4923012", 560),
        ("nongda", "农大社区", "昭乌达路农大家属院7号楼", "0471-4923013", 540),
        ("xuefu", "学府社区", "学府街18号", "0471-4923014", 480),
        ("xicaiyuan", "西菜园社区", "西菜园路5号", "0471-4923015", 450),
        ("qingcheng", "青城社区", "青城巷11号", "0471-4923016", 500),
        ("shuxiang", "书香社区", "大学西路书香苑小区2号楼", "0471-4923017", 520),
    ],
    "zhongzhuanlu": [
        ("yucai", "育才社区", "育才巷9号", "0471-4924013", 460),
        ("xinghua", "兴华社区", "兴华路23号", "0471-4924014", 500),
        ("heping", "和平社区", "和平巷4号", "0471-4924015", 420),
        ("kangle", "康乐社区", "中专路康乐小区1号楼", "0471-4924016", 480),
        ("zhongzhuan", "中专社区", "中专路56号", "0471-4924017", 530),
    ],
    "daxuedonglu": [
        ("dongqiao", "东桥社区", "东桥路12号", "0471-4925013", 470),
        ("chunhua", "春华社区", "春华街6号", "0471-4925014", 440),
        ("runyu", "润宇社区", "大学东路润宇小区4号楼", "0471-4925015", 520),
        ("jiayuan", "嘉园社区", "嘉园路19号", "0471-4925016", 480),
        ("dongfang", "东方社区", "东方巷8号", "0471-4925017", 510),
    ],
    "chilechuanlu": [
        ("chilechuan", "敕勒川社区", "敕勒川路敕勒川小区3号楼", "0471-4926012", 540),
        ("caoyuan", "草原社区", "草原路28号", "0471-4926013", 500),
        ("fengze", "丰泽社区", "丰泽街10号", "0471-4926014", 460),
        ("yangguang", "阳光社区", "阳光路33号", "0471-4926015", 480),
        ("jinxiu", "锦绣社区", "锦绣巷7号", "0471-4926016", 450),
        ("jingyuan", "景苑社区", "敕勒川路景苑小区5号楼", "0471-4926017", 520),
    ],
    "jinqiao": [
        ("jinsheng", "金盛社区", "金桥开发区金盛路16号", "0471-4927012", 480),
        ("fuan", "福安社区", "金桥开发区福安街9号", "0471-4927013", 450),
        ("hengchang", "恒昌社区", "金桥开发区恒昌小区2号楼", "0471-4927014", 500),
        ("ruyi", "如意社区", "金桥开发区如意路21号", "0471-4927015", 460),
        ("xingan", "兴安社区", "金桥开发区兴安南路40号", "0471-4927016", 520),
        ("mingzhu", "明珠社区", "金桥开发区明珠小区8号楼", "0471-4927017", 490),
    ],
    "wulanchabudonglu": [
        ("wulan", "乌兰社区", "乌兰察布东街乌兰小区4号楼", "0471-4928011", 500),
        ("changle", "长乐社区", "长乐巷13号", "0471-4928012", 460),
        ("yongan", "永安社区", "永安路26号", "0471-4928013", 480),
        ("lvyuan", "绿苑社区", "乌兰察布东街绿苑小区7号楼", "0471-4928014", 440),
        ("cuiyuan", "翠园社区", "翠园路5号", "0471-4928015", 470),
        ("fumin", "富民社区", "富民街31号", "0471-4928016", 510),
        ("minzu", "民族社区", "民族路18号", "0471-4928017", 530),
    ],
    "bayan": [
        ("xingfu", "幸福社区", "巴彦幸福路12号", "0471-4929011", 500),
        ("heshun", "和顺社区", "巴彦和顺街8号", "0471-4929012", 460),
        ("ruifeng", "瑞丰社区", "巴彦瑞丰小区3号楼", "0471-4929013", 480),
        ("xincheng", "新城社区", "巴彦新城路20号", "0471-4929014", 520),
        ("meijing", "美景社区", "巴彦美景小区6号楼", "0471-4929015", 450),
        ("qinyuan", "沁园社区", "巴彦沁园街15号", "0471-4929016", 470),
        ("fukang", "富康社区", "巴彦富康路9号", "0471-4929017", 490),
        ("tabu", "塔布社区", "巴彦塔布村委会旧址", "0471-4929018", 560),
    ],
}


# --- The tree -------------------------------------------------------------------------------

STREETS = [
    _street(
        "zhaowudalu",
        "昭乌达路街道",
        "昭乌达路88号",
        "0471-4921000",
        1800,
        "昭乌达路街道党群服务中心统筹辖区7个社区和商务楼宇的党建资源，"
        "以大台什社区党建文史馆为示范，打造党史学习教育的红色课堂。",
        featured=[DATAISHI],
        others=[
            _building(
                "zhaowudalu-jinrong",
                "昭乌达路金融商务楼宇党群服务中心",
                "金融商务楼宇",
                "昭乌达路166号商务中心A座3层",
                "0471-4921090",
                380,
                "服务昭乌达路沿线金融、商务楼宇的党员和白领，组织楼宇企业党建联建。",
            ),
        ],
    ),
    _street(
        "renminlu",
        "人民路街道",
        "人民路52号",
        "0471-4922000",
        1500,
        "人民路街道党群服务中心围绕“一老一小”需求整合服务资源，"
        "健康社区的“宜老益少”品牌在全区推广。",
        featured=[JIANKANG],
        others=[
            _building(
                "renminlu-shangquan",
                "人民路商圈党群服务中心",
                "人民路商圈",
                "人民路商业街中段2层",
                "0471-4922090",
                300,
                "面向商圈个体工商户、快递员、外卖骑手等新就业群体，"
                "提供歇脚、充电、饮水和组织关系接转服务。",
            ),
        ],
    ),
    _street(
        "daxuexilu",
        "大学西路街道",
        "大学西路60号",
        "0471-4923000",
        1600,
        "大学西路街道高校云集、多民族居民聚居，街道党群服务中心联合驻区高校开展共建，"
        "前进巷社区的蒙元特色文化是街道的一张名片。",
        featured=[QIANJINXIANG],
        others=[
            _building(
                "daxuexilu-wenchuang",
                "大学西路文创楼宇党群服务中心",
                "文创楼宇",
                "大学西路文创大厦5层",
                "0471-4923090",
                320,
                "服务文化创意企业和青年创业者，开展“楼宇党课”和青年交流活动。",
            ),
        ],
    ),
    _street(
        "zhongzhuanlu",
        "中专路街道",
        "中专路31号",
        "0471-4924000",
        1400,
        "中专路街道党群服务中心以居民议事和结对帮扶为特色，创业社区“众心向和谐”居民议事站"
        "和展览馆社区结对帮扶制度是街道基层治理的代表。",
        featured=[CHUANGYE, ZHANLANGUAN],
        others=[
            _building(
                "zhongzhuanlu-shangmao",
                "中专路商贸楼宇党群服务中心",
                "商贸楼宇",
                "中专路商贸中心B座2层",
                "0471-4924090",
                280,
                "服务商贸楼宇企业党员，开展政策宣讲和企业服务。",
            ),
        ],
    ),
    _street(
        "daxuedonglu",
        "大学东路街道",
        "大学东路110号",
        "0471-4925000",
        1700,
        "大学东路街道党群服务中心推动服务向“一刻钟”延伸，桥华社区五项重点服务"
        "和金宇文苑社区党群爱心援助站是街道的为民服务品牌。",
        featured=[JINYUWENYUAN, QIAOHUA],
        others=[
            _park(
                "daxuedonglu-chuangyeyuan",
                "大学东路大学生创业园党群服务中心",
                "大学生创业园",
                "大学东路创业园孵化楼1层",
                "0471-4925090",
                350,
                "服务入驻创业园的大学生创业团队，开展创业指导、政策解读和青年党员教育。",
            ),
        ],
    ),
    _street(
        "chilechuanlu",
        "敕勒川路街道",
        "敕勒川路20号",
        "0471-4926000",
        1500,
        "敕勒川路街道商圈楼宇集中，街道党群服务中心推动社区、楼宇、园区党建联建，"
        "万正尚都社区楼宇党建联盟是街道的示范。",
        featured=[WANZHENGSHANGDU],
        others=[
            _park(
                "chilechuan-kechuang",
                "敕勒川科技创新园党群服务中心",
                "科技创新园",
                "敕勒川路科创园综合楼2层",
                "0471-4926090",
                420,
                "服务园区科技企业和研发人员，推动园区企业党组织应建尽建。",
            ),
            _building(
                "wanzheng-louyu",
                "万正商圈楼宇党群服务中心",
                "万正商圈楼宇",
                "敕勒川路万正广场写字楼4层",
                "0471-4926091",
                360,
                "万正尚都社区楼宇党建联盟的楼宇阵地，服务商圈企业党员和白领。",
            ),
            _building(
                "huizhan-shangquan",
                "会展中心商圈党群服务中心",
                "会展中心商圈",
                "敕勒川路会展中心南侧商业楼2层",
                "0471-4926092",
                300,
                "服务会展中心周边商户和展会工作人员，提供休息、饮水和政策咨询。",
            ),
        ],
    ),
    # A development zone with a street-level center of its own.
    _street(
        "jinqiao",
        "金桥开发区",
        "金桥开发区管委会综合楼1层",
        "0471-4927000",
        1600,
        "金桥开发区按街道层级设置党群服务中心，统筹辖区社区、产业园区和总部楼宇的党建工作，"
        "惠民社区“红色邻里代表”机制是开发区基层民主协商的品牌。",
        featured=[HUIMIN],
        others=[
            _park(
                "jinqiao-dianshang",
                "金桥电子商务产业园党群服务中心",
                "电子商务产业园",
                "金桥开发区电商产业园服务中心3层",
                "0471-4927090",
                450,
                "服务园区电商企业和直播从业人员，开展“红色电商”培训和人才服务。",
            ),
            _park(
                "jinqiao-xincailiao",
                "金桥新材料产业园党群服务中心",
                "新材料产业园",
                "金桥开发区新材料产业园综合楼1层",
                "0471-4927091",
                400,
                "服务园区制造企业的党员和产业工人，开展技能比武和职工关爱活动。",
            ),
            _building(
                "jinqiao-zongbu",
                "金桥总部经济楼宇党群服务中心",
                "总部经济楼宇",
                "金桥开发区总部基地A座2层",
                "0471-4927092",
                330,
                "服务总部基地入驻企业，推动楼宇企业党组织联建共建。",
            ),
        ],
    ),
    _street(
        "wulanchabudonglu",
        "乌兰察布东路街道",
        "乌兰察布东街45号",
        "0471-4928000",
        1300,
        "乌兰察布东路街道党群服务中心统筹辖区7个社区的服务资源，"
        "以“社区吹哨、部门报到”推动民生难题就近解决。",
        others=[
            _building(
                "wulanchabudonglu-louyu",
                "乌兰察布东路商务楼宇党群服务中心",
                "乌兰察布东路商务楼宇",
                "乌兰察布东街商务大厦3层",
                "0471-4928090",
                290,
                "服务沿街商务楼宇的企业党员，开展楼宇党课和联谊活动。",
            ),
        ],
    ),
    _street(
        "bayan",
        "巴彦街道",
        "巴彦街道办事处综合楼",
        "0471-4929000",
        1400,
        "巴彦街道城乡结合、新建小区多，街道党群服务中心推动新建小区党组织和党群服务站点同步建设。",
        others=[
            _park(
                "bayan-wuliu",
                "巴彦现代物流园党群服务中心",
                "现代物流园",
                "巴彦现代物流园服务楼1层",
                "0471-4929090",
                380,
                "服务物流园企业职工和货车司机，设“司机之家”，提供休息、就餐和组织关系接转服务。",
            ),
        ],
    ),
]

DISTRICT = _center(
    "district",
    "saihan",
    "赛罕区党群服务中心",
    "区党群服务中心",
    "敕勒川大街政务服务中心东侧",
    "0471-4920000",
    3200,
    brand="红色阵地·温暖之家",
    brand_story=(
        "赛罕区全域推进开放式、集约化、共享性的党群服务中心建设，87个有温度、有特色、有情怀的"
        "基层党建红色阵地覆盖城市街道社区、产业园区、商圈楼宇，实现党支部“建家”、党员“回家”、"
        "阵地“安家”，取得“暖民心、聚民心、稳民心”的良好效果。"
    ),
    intro=(
        "赛罕区党群服务中心是全区党群服务中心体系的龙头，统筹区、街道、社区三级党群服务中心和"
        f"园区、楼宇党群服务站点，为党员群众提供{SERVICE_WORDS}等开放式服务。"
    ),
    rooms=[
        _room("党群服务大厅", "service_hall", 60, "党员组织关系接转、党费收缴、志愿服务登记。"),
        _room("城市基层党建展厅", "exhibition", 80, "全区党群服务中心建设成果展示。"),
        _room("党员教育培训室", "party_activity", 120, "全区党员教育培训和专题讲座。"),
        _room("多功能报告厅", "meeting", 200, "大型会议、报告会和文艺演出。"),
        _room("志愿服务工作站", "other", 20, "志愿服务项目发布和供需对接。"),
    ],
    exhibitions=[
        {
            "name": "城市基层党建展厅",
            "description": "集中展示赛罕区87个党群服务中心的建设历程和特色品牌。",
            "halls": (
                "红色阵地：87个党群服务中心覆盖街道社区、产业园区、商圈楼宇\n"
                "特色品牌：宜老益少、和谐家园·秀美前进、众心向和谐等社区品牌\n"
                "共建共治：楼宇党建联盟、红色邻里代表等基层治理实践"
            ),
        }
    ],
    services=[
        _service("党员教育培训", "为全区基层党组织提供党员教育培训课程和场地。"),
        _service("阵地资源共享", "全区党群服务中心功能室统一展示，党组织和居民团体可预约使用。"),
        _service("志愿服务对接", "发布志愿服务项目，对接志愿服务队伍和群众需求。"),
    ],
    children=STREETS,
)


# --- Demo staff logins -----------------------------------------------------------------------

DEMO_USERS = [
    {
        "phone": "13800000001",
        "name": "王建华",
        "title": "区级管理员",
        "center": "saihan",
        "role": "manager",
    },
    {
        "phone": "13800000002",
        "name": "李秀梅",
        "title": "街道工作人员",
        "center": "zhongzhuanlu",
        "role": "editor",
    },
    {
        "phone": "13800000003",
        "name": "张海燕",
        "title": "社区工作者",
        "center": "dataishi",
        "role": "editor",
    },
    {
        "phone": "13800000004",
        "name": "赵志刚",
        "title": "社区书记",
        "center": "qianjinxiang",
        "role": "manager",
    },
    {
        "phone": "13800000005",
        "name": "孙晓东",
        "title": "街道督查（只读）",
        "center": "daxuedonglu",
        "role": "viewer",
    },
]


def iter_centers(node=DISTRICT, parent_slug=None):
    """Every center of the tree as (parent slug, node), parents before their children."""
    yield parent_slug, node
    for child in node.get("children", ()):
        yield from iter_centers(child, node["slug"])
