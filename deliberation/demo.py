"""The demo district's resident deliberation, loaded by `seed_demo` (registered in apps.py).

It follows the seed report (shared/seed/000_8864819f1ffed6f1.txt): 创业社区's “众心向和谐”
居民议事站 resolved 21 hot issues raised by residents in the demo year, among them the four the
report names; 惠民社区's “红色邻里代表” mechanism holds quarterly consultation meetings of party
members, grid workers, volunteers and resident group representatives on a blocked septic tank
and on public land taken for private use. Around them: one issue turned down with a public
reason, one duplicate merged, and open issues at several communities in every working state,
one of them overdue and one escalated to the street.

Every issue is built as staff would build it, through the services (submit, transition,
progress, rate; meeting save, decide, publish), by the demo login closest to its center; the
services stamp "now", so the times are then moved back to when the story says each step
happened, with queryset updates. The year's stories are dated in DEMO_YEAR (run the loader after
that year's last story, November); the open issues relative to the moment of loading, so that
their deadlines and the overdue flag are live. Residents are invented (phones 1370000NNNN) and
nobody is sent a message.
"""

from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from centers import demo_data, scoping
from centers.models import Center
from deliberation import services
from deliberation.models import AgendaItem, Issue, IssueEvent, Meeting, MeetingParticipant

DEMO_YEAR = 2026

S = Issue.Status
C = Issue.Category
Role = MeetingParticipant.Role

#: Invented residents who raise the issues, in story order; phones are 1370000 + 4 digits.
SUBMITTERS = [
    "刘建军",
    "陈玉兰",
    "王德胜",
    "赵秀英",
    "张国强",
    "李淑芬",
    "杨文革",
    "郭桂花",
    "高振华",
    "韩凤英",
    "马占山",
    "孟晓梅",
    "武建平",
    "薛丽娟",
    "乔永刚",
    "贺金凤",
    "田志勇",
    "云春梅",
    "温海龙",
    "任翠兰",
    "石宝柱",
    "边晓燕",
    "苏和巴特尔",
    "郝玉珍",
    "段志明",
    "康美英",
    "牛建国",
    "常红霞",
    "白乌云",
    "梁振东",
    "秦素梅",
    "侯永亮",
    "申桂英",
]

ACCEPT_NOTE = "已受理，由“众心向和谐”居民议事站办理，办结期限为{due}。"
TO_STATION = "提交“众心向和谐”居民议事站协商。"


def _local(text):
    """'MM-DD HH:MM' in the demo year, naive local time (made aware when played)."""
    return datetime.fromisoformat(f"{DEMO_YEAR}-{text}")


def _office(moment):
    """The same day within office hours: staff steps don't happen at night."""
    if moment.time() < time(8, 30):
        return moment.replace(hour=9, minute=moment.minute % 30)
    if moment.time() > time(17, 30):
        return moment.replace(hour=16, minute=moment.minute % 30)
    return moment


def _spread(steps, start, end):
    """Timed steps (kind, when, note) spread evenly between two moments, in office hours."""
    timed, previous = [], start
    for k, (kind, note) in enumerate(steps, start=1):
        when = _office(start + (end - start) * k / (len(steps) + 1))
        if when <= previous:
            when = previous + timedelta(minutes=40)
        timed.append((kind, when, note))
        previous = when
    return timed


def _hot(
    title,
    category,
    location,
    description,
    *,
    created,
    resolve_days,
    resolution,
    accept_hours=2,
    due_days=15,
    deliberation="",
    work="社区已安排专人跟进办理。",
    progress=(),
    rating="satisfied",
    comment="",
    redo=None,
):
    """A hot issue the 创业社区 station resolved: accepted `accept_hours` after it was raised,
    worked directly or after a consultation at the station (`deliberation`, its outcome),
    resolved `resolve_days` after it was raised and rated the next morning; `redo` is the
    second round after an unsatisfied rating: days, work note, resolution, rating, comment."""
    raised = _local(created)
    accepted = raised + timedelta(hours=accept_hours)
    resolved = datetime.combine(
        raised.date() + timedelta(days=resolve_days), time(16, len(title) % 45)
    )
    middle = [("deliberate", TO_STATION), ("work", "经议事站协商：" + deliberation)]
    middle = middle if deliberation else [("work", work)]
    middle += [("progress", note) for note in progress]
    steps = [("accept", accepted, due_days, ACCEPT_NOTE)]
    steps += _spread(middle, accepted, resolved)
    steps.append(("resolve", resolved, resolution))
    if rating:
        rated = datetime.combine(resolved.date() + timedelta(days=1), time(10, len(title) % 50))
        steps.append(("rate", rated, rating, comment))
        if redo:
            days, note, second, rerating, recomment = redo
            resolved_again = datetime.combine(rated.date() + timedelta(days=days), time(15, 20))
            steps.append(("work", rated + timedelta(hours=3), note))
            steps.append(("resolve", resolved_again, second))
            if rerating:
                again = resolved_again + timedelta(days=1, hours=-5)
                steps.append(("rate", again, rerating, recomment))
    return {
        "center": "chuangye",
        "title": title,
        "category": category,
        "location": location,
        "description": description,
        "created": raised,
        "steps": steps,
    }


#: The 21 hot issues 创业社区's station resolved in the demo year, the report's four included.
HOT_ISSUES = [
    _hot(
        "7号楼冬季供暖温度不达标",
        C.UTILITIES,
        "创业小区7号楼",
        "入冬以来7号楼东单元暖气一直不热，室温只有十五六度，家里有老人和婴儿，"
        "找过物业几次没有解决。",
        created="01-08 09:20",
        resolve_days=4,
        due_days=7,
        progress=["热力公司已上门检测，初步判断为管道积气、过滤器堵塞。"],
        resolution="协调热力公司对7号楼东单元供暖管道排气、清洗过滤器并调整水力平衡，"
        "入户复测室温达到20℃以上。",
        comment="暖气热了，谢谢社区。",
    ),
    _hot(
        "2号楼楼道声控灯大面积损坏",
        C.PROPERTY,
        "创业小区2号楼1—3单元",
        "2号楼三个单元的楼道声控灯坏了一大半，晚上上下楼只能打手机电筒，老人怕摔。",
        created="01-19 10:05",
        resolve_days=3,
        due_days=5,
        resolution="物业更换2号楼1—3单元损坏的声控灯18盏，并检修了楼道照明线路。",
    ),
    _hot(
        "小区南门外下水井盖破损",
        C.SAFETY,
        "创业小区南门外人行道",
        "南门外人行道上的下水井盖碎了一角，晚上看不清，已经有人崴了脚。",
        created="01-23 16:40",
        accept_hours=88,  # raised on a Friday afternoon, taken in on Tuesday: late
        resolve_days=4,
        due_days=3,
        resolution="市政设施管理所更换破损井盖并加装防坠网，施工期间设置了警示围挡。",
        comment="修得挺快。",
    ),
    _hot(
        "小区生活垃圾清运不及时",
        C.SANITATION,
        "创业小区垃圾收集点",
        "小区垃圾收集点的垃圾经常一整天没人拉，桶满了堆在地上，味道很大。",
        created="02-09 08:50",
        resolve_days=6,
        due_days=10,
        resolution="协调环卫所将清运频次由每日一次调整为早晚各一次，并在收集点增设2组分类垃圾桶。",
        rating="basic",
        comment="比以前好，节假日还是有点慢。",
    ),
    _hot(
        "老旧楼栋加装电梯意愿征集",
        C.OTHER,
        "创业小区1号楼、2号楼",
        "1号楼、2号楼住的老人多，爬楼困难，想了解加装电梯的政策，希望社区牵头征求各户意见。",
        created="02-24 14:30",
        resolve_days=35,
        due_days=40,
        deliberation="讲解加装电梯政策、补贴和费用分摊办法，由楼栋长逐户征集意见，"
        "低楼层住户的顾虑在议事站当面沟通。",
        progress=["已完成1号楼、2号楼逐户意见征集，正在汇总签字。"],
        resolution="完成1号楼、2号楼加装电梯意愿征集，两个单元业主同意率超过三分之二，"
        "已协助业主向住建部门提交加装电梯申请。",
    ),
    _hot(
        "小区门口早市占道经营",
        C.PUBLIC_SPACE,
        "创业小区北门",
        "每天早上北门口摆满了卖菜的摊位，车进不来人也不好走，散市后满地垃圾。",
        created="03-02 07:55",
        resolve_days=14,
        due_days=15,
        work="已联系街道城管中队共同到现场查看。",
        progress=["城管中队与摊贩沟通，拟在附近划定临时疏导点。"],
        resolution="协调街道城管中队在北门东侧空地划定早市临时疏导点，早7点前收摊并清扫，"
        "北门通道恢复畅通。",
        rating="basic",
    ),
    _hot(
        "煤田小区穿衣带帽工程后续问题",
        C.PROPERTY,
        "煤田小区",
        "老旧小区“穿衣带帽”改造完工后，部分楼栋外墙保温层开裂，顶层坡屋面下雨渗水，"
        "居民希望施工单位尽快返修。",
        created="03-16 09:40",
        resolve_days=38,
        due_days=40,
        deliberation="煤田小区居民代表、施工单位、物业和社区共同商定：施工单位在保修期内免费返修，"
        "居民代表全程监督，返修完成后联合验收。",
        progress=["施工单位进场，先修复3号楼、5号楼顶层渗水部位。"],
        resolution="施工单位完成6栋楼外墙保温层开裂修补和坡屋面防水返修，居民代表、物业和社区"
        "联合验收合格；保修期内再出现问题由施工单位负责。",
        rating="basic",
        comment="修好了，希望以后多回访。",
    ),
    _hot(
        "小区安装燃气申请破路审批问题",
        C.UTILITIES,
        "创业小区南侧道路",
        "小区统一安装天然气，燃气管线要破路穿过小区南侧道路，破路审批迟迟办不下来，"
        "入冬前通不了气，居民很着急。",
        created="04-07 10:15",
        resolve_days=33,
        due_days=35,
        deliberation="由社区和街道城建科协助准备材料，燃气公司向城管和市政部门申请道路挖掘许可，"
        "施工期间设置围挡、夜间不施工。",
        progress=[
            "街道城建科协助燃气公司补齐道路挖掘申请材料，已报市政部门审批。",
            "道路挖掘许可已批准，燃气公司进场施工。",
        ],
        resolution="道路挖掘许可办结，燃气管线穿越施工完成并恢复路面，小区进入入户安装阶段。",
        comment="终于能用上天然气了。",
    ),
    _hot(
        "绿化带被毁坏种菜",
        C.PUBLIC_SPACE,
        "创业小区4号楼南侧绿化带",
        "4号楼南侧的绿化带被几户居民翻了种菜，还搭了架子，影响小区环境。",
        created="04-20 15:10",
        resolve_days=24,
        due_days=30,
        deliberation="绿化带恢复为公共绿地；另在小区西北角闲置地块开辟“共享菜园”，由居民认领。",
        resolution="种菜居民自行清理了菜地，社区补种草坪和灌木；西北角共享菜园划分20块，"
        "由居民认领管理。",
    ),
    _hot(
        "金汉御园小区门前规划路的归属问题",
        C.ROADS,
        "金汉御园小区南门外规划路",
        "小区门前的规划路建成多年一直没人管，路面坑洼、没有路灯。开发商说已经移交，"
        "市政说没有接收，居民不知道该找谁。",
        created="05-11 09:00",
        resolve_days=40,
        due_days=45,
        deliberation="邀请开发商、区住建局、市政养护部门和居民代表共同查明规划路权属，"
        "明确移交手续和养护责任。",
        progress=[
            "区住建局调取规划和验收资料，确认该路为城市规划道路，应移交市政管理。",
            "开发商与市政部门完成移交手续，路面修补纳入市政年度养护计划。",
        ],
        resolution="规划路已由开发商正式移交市政部门管理养护，破损路面修补完成，新装路灯8盏。",
        comment="好几年没人管的路终于有人管了。",
    ),
    _hot(
        "电动自行车楼道飞线充电安全隐患",
        C.SAFETY,
        "创业小区各楼栋",
        "不少住户从楼上窗户拉电线下来给电动车充电，还有人把电动车推进楼道充电，很危险。",
        created="05-25 11:20",
        resolve_days=26,
        due_days=30,
        work="社区联合物业开展楼道安全排查。",
        progress=["集中充电棚选址已确定在小区东侧空地。"],
        resolution="在小区东侧建成电动自行车集中充电棚1处，设充电口40个；联合物业清理楼道，"
        "劝导拆除飞线12处。",
    ),
    _hot(
        "楼上漏水引发邻里纠纷",
        C.NEIGHBOURS,
        "创业小区3号楼",
        "楼上卫生间漏水，把我家吊顶泡坏了，找楼上几次都不给修，双方吵了好几次。",
        created="06-02 10:30",
        resolve_days=9,
        due_days=10,
        work="社区网格员和人民调解员上门了解情况。",
        resolution="经人民调解，楼上住户维修卫生间防水，并承担楼下吊顶修复费用，双方签订调解协议。",
        rating="basic",
    ),
    _hot(
        "小区广场舞音响噪音扰民",
        C.NEIGHBOURS,
        "创业小区中心广场",
        "广场舞音响声音太大，晚上九点多还在放，临街楼栋的老人孩子休息不好。",
        created="06-15 19:45",
        accept_hours=14,
        resolve_days=12,
        due_days=15,
        deliberation="约定广场活动时间为19:00—20:30，音箱音量控制在60分贝以内，舞蹈队换用定向音箱。",
        resolution="形成《小区广场文体活动公约》并张贴公示，舞蹈队换用定向音箱。",
        rating="unsatisfied",
        comment="晚上还是有人九点多放音乐。",
        redo=(
            10,
            "社区联合物业在广场安装噪声显示屏，网格员晚间巡查。",
            "广场安装噪声分贝显示屏，网格员连续两周晚间巡查，20:30以后已无人播放音乐。",
            "basic",
            "现在好多了。",
        ),
    ),
    _hot(
        "园艺所西巷雨天路面积水",
        C.DRAINAGE,
        "园艺所西巷",
        "一下雨园艺所西巷路面就积水，最深的地方没过脚踝，老人孩子出行很不方便。",
        created="07-06 08:35",
        resolve_days=18,
        due_days=20,
        deliberation="先由市政排水部门疏通西巷排水管道，再在低洼处增设雨水篦子，"
        "居民代表参与雨后复查。",
        progress=["排水管道疏通已完成。"],
        resolution="市政排水部门疏通西巷排水管道120米，低洼处新增雨水篦子4个，雨后复查路面无积水。",
        comment="这次下大雨没积水了。",
    ),
    _hot(
        "小区内僵尸车长期占用车位",
        C.PUBLIC_SPACE,
        "创业小区停车场",
        "停车场有好几辆车落满了灰、轮胎都瘪了，停了一两年没人动，小区车位本来就紧张。",
        created="08-03 14:00",
        resolve_days=21,
        due_days=30,
        progress=["社区张贴清理通知，已通过车牌联系到车主4人。"],
        resolution="车主自行挪走僵尸车4辆，无法联系的2辆由交警部门依法拖移，释放车位6个。",
    ),
    _hot(
        "6号楼下水主管道堵塞返水",
        C.DRAINAGE,
        "创业小区6号楼",
        "6号楼一楼下水道经常返水，卫生间地漏往外冒脏水，屋里全是臭味。",
        created="08-20 17:50",
        accept_hours=87,  # raised on a Thursday evening, taken in on Monday: late
        resolve_days=6,
        due_days=5,
        resolution="物业联系管道疏通公司清掏6号楼下水主管道，并更换破损管段3米。",
        rating="unsatisfied",
        comment="一楼还是反味，没有彻底解决。",
        redo=(
            8,
            "物业联系专业公司用管道内窥镜检测。",
            "检测发现一楼支管倒坡，已重新铺设支管并加装防臭地漏，连续观察一周未再返水反味。",
            "",
            "",
        ),
    ),
    _hot(
        "创业巷路灯夜间不亮",
        C.ROADS,
        "创业巷",
        "创业巷的路灯坏了半个多月，晚上一片漆黑，下夜班回家很害怕。",
        created="09-07 20:10",
        accept_hours=13,
        resolve_days=5,
        due_days=7,
        resolution="路灯管理所更换创业巷损坏灯具5盏，修复电缆接头1处。",
    ),
    _hot(
        "5号楼单元门禁损坏",
        C.PROPERTY,
        "创业小区5号楼2单元",
        "5号楼2单元门禁坏了，门一直关不上，陌生人随便进出，住户担心安全。",
        created="09-14 09:15",
        resolve_days=7,
        due_days=7,
        resolution="物业更换5号楼2单元门禁主板和电控锁，恢复刷卡开门和可视对讲功能。",
        rating="",
    ),
    _hot(
        "流浪犬夜间扰民",
        C.SAFETY,
        "创业小区西侧空地",
        "小区西边空地聚了好几只流浪狗，夜里叫个不停，还追过放学的孩子。",
        created="10-12 11:00",
        accept_hours=30,  # taken in the next afternoon, past the one-working-day limit
        resolve_days=8,
        due_days=10,
        resolution="联系区动物收容中心收容流浪犬3只，并在小区开展文明养犬宣传。",
        rating="basic",
    ),
    _hot(
        "高空抛物安全隐患",
        C.SAFETY,
        "创业小区4号楼、8号楼",
        "4号楼和8号楼下面经常有从楼上扔下来的垃圾，前几天还掉下来一个花盆，差点砸到人。",
        created="10-26 16:20",
        resolve_days=15,
        due_days=20,
        work="社区和物业入户走访，排查抛物楼层。",
        resolution="物业在4号楼、8号楼安装高空抛物监控摄像头4个，社区开展入户宣传，"
        "此后未再发生抛物。",
    ),
    _hot(
        "快递无处存放堆在单元门口",
        C.OTHER,
        "创业小区各单元门口",
        "快递员把包裹堆在单元门口就走了，经常丢件，下雨天还被淋湿。",
        created="11-02 10:40",
        resolve_days=10,
        due_days=15,
        resolution="协调快递企业在小区南门设置智能快递柜2组，并设立驿站代收点。",
        rating="",
    ),
]

#: The same year's issues the station did not take in as they came.
OTHER_ISSUES = [
    {
        "center": "chuangye",
        "title": "要求社区出资为个人车位安装地锁",
        "category": C.PUBLIC_SPACE,
        "location": "创业小区停车场",
        "description": "我家的固定车位总被别人占，希望社区出钱给我的车位装一个地锁。",
        "created": _local("05-06 15:30"),
        "steps": [
            (
                "reject",
                _local("05-07 09:40"),
                "个人车位属于业主自有财产，安装地锁不在社区公共事务和议事范围内，"
                "社区不能出资；车位被占可联系物业协调处理。",
            ),
        ],
    },
    {
        "center": "chuangye",
        "title": "园艺所西巷下雨积水严重",
        "category": C.DRAINAGE,
        "location": "园艺所西巷",
        "description": "西巷一下雨就积水，希望尽快解决。",
        "created": _local("07-07 07:50"),
        "steps": [
            (
                "merge",
                _local("07-07 09:10"),
                "园艺所西巷雨天路面积水",
                "与已受理的“园艺所西巷雨天路面积水”为同一问题，合并办理，进展请查看该议题。",
            ),
        ],
    },
]

# -- 惠民社区: the “红色邻里代表” consultation meetings --------------------------------------

HUIMIN_PLACE = "惠民社区党群服务中心多功能活动室"
MEETINGS = [
    {
        "center": "huimin",
        "title": "2026年第一季度“红色邻里”民主协商交流会",
        "held_at": _local("03-12 19:00"),
        "place": HUIMIN_PLACE,
        "participants": [
            (Role.PARTY_MEMBER, "刘**、陈**、王**、张**、赵**、李**", 6),
            (Role.GRID_WORKER, "孙**、周**", 2),
            (Role.VOLUNTEER, "吴**、郑**、冯**、何**", 4),
            (Role.RESIDENT_REP, "1至7居民小组代表", 7),
            (Role.UNIT_REP, "惠民小区物业服务中心", 1),
            (Role.STAFF, "", 2),
        ],
        "minutes": "社区党支部书记主持会议，通报3号楼化粪池堵塞、污水外溢的情况。网格员介绍了"
        "现场查看结果，居民小组代表反映了住户诉求，物业说明了清掏费用和周期。经协商一致：物业"
        "三日内组织专业队伍清掏疏通；此后每季度清掏一次，费用从小区公共收益中列支；红色邻里代表"
        "监督落实并向居民小组通报。协商结果在各楼道公示栏公示。",
    },
    {
        "center": "huimin",
        "title": "2026年第二季度“红色邻里”民主协商交流会",
        "held_at": _local("06-11 19:00"),
        "place": HUIMIN_PLACE,
        "participants": [
            (Role.PARTY_MEMBER, "刘**、陈**、王**、赵**、高**", 5),
            (Role.GRID_WORKER, "孙**、周**", 2),
            (Role.VOLUNTEER, "吴**、郑**、冯**", 3),
            (Role.RESIDENT_REP, "1至8居民小组代表", 8),
            (Role.UNIT_REP, "惠民小区物业服务中心", 1),
            (Role.STAFF, "", 2),
        ],
        "minutes": "会议协商两件公地私用问题。一是小区北侧公共绿地被个别住户圈占种菜，二是"
        "2号楼地下室公共通道堆放杂物。与会代表一致认为公共空间属于全体居民，不能私自占用；"
        "商定由红色邻里代表和网格员上门劝导，限期自行清理，逾期由物业统一清理，清理后的绿地由"
        "社区补种绿植。第一季度化粪池清掏制度落实情况一并通报：物业已按季度完成清掏。",
    },
    {
        "center": "huimin",
        "title": "2026年第三季度“红色邻里”民主协商交流会",
        "held_at": _local("09-10 19:00"),
        "place": HUIMIN_PLACE,
        "participants": [
            (Role.PARTY_MEMBER, "刘**、王**、张**、赵**、李**、高**", 6),
            (Role.GRID_WORKER, "孙**、周**", 2),
            (Role.VOLUNTEER, "吴**、冯**、何**、白**", 4),
            (Role.RESIDENT_REP, "1至8居民小组代表", 8),
            (Role.UNIT_REP, "惠民小区物业服务中心", 1),
        ],
        "minutes": "会议协商公共车位被个别住户私装地锁的问题。居民小组代表反映私装地锁14个，"
        "占用公共车位，引发邻里矛盾。经协商：私装地锁一律拆除，公共车位实行先到先停；物业出具"
        "拆除通知，红色邻里代表逐户沟通，两周内自行拆除，逾期由物业统一拆除。",
    },
]


def _after(meeting_index, minutes=75):
    return MEETINGS[meeting_index]["held_at"] + timedelta(minutes=minutes)


def _agenda_issue(title, category, location, description, *, created, meeting, decision, after):
    """A 惠民社区 issue taken to a meeting, which decided how to handle it; `after` is the
    progress and resolution that followed: (progress note, days after the meeting) …,
    (resolution, days after the meeting), (rating, comment)."""
    raised = _local(created)
    held = MEETINGS[meeting]["held_at"]
    steps = [
        ("accept", raised + timedelta(hours=2), 30, "已受理，办结期限为{due}。"),
        (
            "deliberate",
            _office(raised + timedelta(days=1)),
            "提交“红色邻里”民主协商交流会协商。",
        ),
        ("meeting", _after(meeting), MEETINGS[meeting]["title"], decision, S.IN_PROGRESS),
    ]
    *progress, (resolution, resolve_days), (rating, comment) = after
    steps += [
        ("progress", datetime.combine(held.date() + timedelta(days=days), time(10, 30)), note)
        for note, days in progress
    ]
    resolved = datetime.combine(held.date() + timedelta(days=resolve_days), time(16, 10))
    steps.append(("resolve", resolved, resolution))
    steps.append(("rate", resolved + timedelta(days=1, hours=-6), rating, comment))
    return {
        "center": "huimin",
        "title": title,
        "category": category,
        "location": location,
        "description": description,
        "created": raised,
        "steps": steps,
    }


AGENDA_ISSUES = [
    _agenda_issue(
        "3号楼化粪池堵塞污水外溢",
        C.SANITATION,
        "惠民小区3号楼北侧",
        "3号楼北侧化粪池堵了，污水从检查井漫到路面上，臭味很大，一楼住户不敢开窗。",
        created="03-03 08:40",
        meeting=0,
        decision="物业三日内组织专业队伍清掏疏通3号楼化粪池；此后每季度清掏一次，费用从小区"
        "公共收益中列支；红色邻里代表监督落实。",
        after=[
            ("物业已完成3号楼化粪池清掏，路面污水已清理消毒。", 2),
            ("化粪池清掏疏通完成，破损检查井盖已更换；季度清掏制度写入物业服务台账并公示。", 8),
            ("satisfied", "问题解决了，还定了以后怎么管。"),
        ],
    ),
    _agenda_issue(
        "小区北侧公共绿地被圈占种菜",
        C.PUBLIC_SPACE,
        "惠民小区北侧公共绿地",
        "北侧公共绿地被几户住户用栅栏围起来种菜，浇粪水有味道，其他居民没法进去活动。",
        created="05-26 10:15",
        meeting=1,
        decision="红色邻里代表和网格员上门劝导，限两周内自行清理；清理后由社区补种绿植，"
        "恢复公共绿地。",
        after=[
            ("圈占栅栏已由住户自行拆除。", 9),
            ("圈占的公共绿地已全部清理，社区补种草坪和月季，恢复公共绿地约120平方米。", 18),
            ("basic", "绿地恢复了，希望以后别再有人圈。"),
        ],
    ),
    _agenda_issue(
        "2号楼地下室公共通道堆放杂物",
        C.PUBLIC_SPACE,
        "惠民小区2号楼地下室",
        "2号楼地下室公共通道堆满了旧家具和纸箱，还停着电动车，消防通道都堵了。",
        created="06-03 16:25",
        meeting=1,
        decision="楼栋长通知住户一周内清理个人杂物，逾期由物业统一清运；通道内不得停放电动自行车。",
        after=[
            ("地下室通道杂物清运完毕，通道恢复畅通，物业每周巡查一次。", 13),
            ("satisfied", ""),
        ],
    ),
    _agenda_issue(
        "公共车位被个别住户私装地锁",
        C.PUBLIC_SPACE,
        "惠民小区地面停车场",
        "停车场的公共车位被一些住户私自装了地锁，别人没法停，还因为这个吵过架。",
        created="08-24 09:05",
        meeting=2,
        decision="私装地锁一律拆除，公共车位实行先到先停；物业出具拆除通知，红色邻里代表逐户"
        "沟通，两周内自行拆除，逾期由物业统一拆除。",
        after=[
            ("已有9个地锁由住户自行拆除。", 8),
            ("私装地锁14个已全部拆除，公共车位恢复先到先停，物业加强巡查。", 15),
            ("satisfied", "停车方便多了。"),
        ],
    ),
]


def open_issues(now):
    """Issues still at work at the moment of loading, at several communities, one per state."""
    day = timedelta(days=1)
    hour = timedelta(hours=1)
    return [
        {
            "center": "chuangye",
            "title": "创业小区东门外人行道护栏被撞坏",
            "category": C.SAFETY,
            "location": "创业小区东门外",
            "description": "东门外人行道护栏被车撞倒了两段，断口很锋利，孩子上学从这里经过。",
            "anonymous": True,
            "created": now - 2 * hour,
            "steps": [],
        },
        {
            "center": "zhanlanguan",
            "title": "展览馆东巷人行道地砖松动",
            "category": C.ROADS,
            "location": "展览馆东巷",
            "description": "东巷人行道好多地砖松了，一踩就翘起来，下雨天会溅一身泥水。",
            "created": now - 2 * day,
            "steps": [
                ("accept", now - 2 * day + 3 * hour, 15, "已受理，办结期限为{due}。"),
                ("assign", now - 2 * day + 3 * hour + 5 * timedelta(minutes=1)),
            ],
        },
        {
            "center": "huimin",
            "title": "5号楼单元门前积水结冰",
            "category": C.DRAINAGE,
            "location": "惠民小区5号楼",
            "description": "5号楼单元门前地面低洼，化雪后积水夜里结冰，老人出门容易滑倒。",
            "created": now - day,
            "steps": [("accept", now - day + 2 * hour, 10, "已受理，办结期限为{due}。")],
        },
        {
            "center": "chuangye",
            "title": "申请在小区空地划定夜间临时停车位",
            "category": C.PUBLIC_SPACE,
            "location": "创业小区西北角空地",
            "description": "小区车位太少，晚上车只能停在路边。西北角有块空地，"
            "能不能划成夜间临时车位？",
            "created": now - 6 * day,
            "steps": [
                ("accept", now - 6 * day + 2 * hour, 30, ACCEPT_NOTE),
                ("deliberate", now - 5 * day, "拟提交本月“众心向和谐”民意交流会协商，请关注。"),
            ],
        },
        {
            "center": "qianjinxiang",
            "title": "前进巷东口下水井冒水",
            "category": C.DRAINAGE,
            "location": "前进巷东口",
            "description": "前进巷东口的下水井一直往外冒水，路面结了一层冰，走路打滑。",
            "created": now - 5 * day,
            "steps": [
                ("accept", now - 5 * day + hour, 10, "已受理，办结期限为{due}。"),
                ("work", now - 4 * day, "已报市政排水部门，等待疏通。"),
                ("progress", now - 2 * day, "市政排水部门已到现场查看，下周安排疏通。"),
            ],
        },
        {
            "center": "dataishi",
            "title": "大台什小区2号楼外墙保温层脱落",
            "category": C.SAFETY,
            "location": "大台什小区2号楼",
            "description": "2号楼西侧外墙保温层大块脱落，刮风时往下掉，楼下是出入口。",
            "created": now - 32 * day,
            "steps": [
                ("accept", now - 32 * day + 4 * hour, 14, "已受理，办结期限为{due}。"),
                ("work", now - 30 * day, "已在楼下设置警戒区域，联系原施工单位维修。"),
                ("progress", now - 20 * day, "原施工单位已查看现场，正在制定维修方案。"),
            ],
        },
        {
            "center": "chuangye",
            "title": "创业小区路口增设人行横道和信号灯",
            "category": C.ROADS,
            "location": "创业小区北门外路口",
            "description": "北门外路口车多车快，没有人行横道和红绿灯，老人孩子过马路很危险。",
            "created": now - 3 * day,
            "steps": [
                ("accept", now - 3 * day + 2 * hour, 20, ACCEPT_NOTE),
                (
                    "escalate",
                    now - 3 * hour,
                    "设置人行横道和交通信号灯需交管部门审批，超出社区职权，"
                    "已上报中专路街道协调办理。",
                ),
            ],
        },
    ]


# -- Playing the stories through the services ---------------------------------------------------


@contextmanager
def _no_messages():
    """Drop the SMS and notifications the services queue for after commit: the demo's
    residents and phone numbers are invented, and a real SMS backend must not text them."""
    connection = transaction.get_connection()
    queued = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[queued:]


def _phone(number):
    return f"1370000{number + 1:04d}"


def _aware(moment):
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _date_text(day):
    return f"{day.month}月{day.day}日"


class _Player:
    """Plays stories through the services, noting when each event happened and the issue
    fields that follow from it, to put the times right afterwards."""

    def __init__(self, actors, centers):
        self.actors = actors
        self.centers = centers
        self.issues = {}  # title → issue, for the stories played in this run
        self.times = defaultdict(list)  # issue pk → the time of each of its events, in order
        self.fields = defaultdict(dict)  # issue pk → fields to backdate
        self.meetings = {}  # title → meeting created in this run

    def submit(self, story):
        center = self.centers[story["center"]]
        anonymous = story.get("anonymous", False)
        issue = services.issue_submit(
            center=center,
            data={
                "title": story["title"],
                "description": story["description"],
                "category": story["category"],
                "location": story["location"],
                "submitter_name": "" if anonymous else story["submitter"],
                "submitter_phone": "" if anonymous else story["phone"],
                "is_anonymous": anonymous,
            },
        )
        when = _aware(story["created"])
        self.issues[story["title"]] = issue
        self.times[issue.pk].append(when)
        self.fields[issue.pk].update(
            created_at=when, updated_at=when, response_due=services.next_working_day(when)
        )
        return issue

    def play(self, story, steps):
        issue = self.issues[story["title"]]
        actor = self.actors[story["center"]]
        for kind, moment, *args in steps:
            when = _aware(moment)
            issue = getattr(self, f"_{kind}")(issue, actor, when, *args)
            self.times[issue.pk].append(when)
            self.fields[issue.pk]["updated_at"] = when
        self.issues[story["title"]] = issue

    def _move(self, issue, actor, to_status, **kwargs):
        return services.issue_transition(
            actor=actor, issue=issue, to_status=to_status, expected_status=issue.status, **kwargs
        )

    def _accept(self, issue, actor, when, due_days, note):
        due = timezone.localdate(when) + timedelta(days=due_days)
        self.fields[issue.pk].setdefault("accepted_at", when)
        self.fields[issue.pk]["due_date"] = due
        # The service wants a due date from today on; the story's own is put back afterwards.
        return self._move(
            issue,
            actor,
            S.ACCEPTED,
            due_date=timezone.localdate() + timedelta(days=due_days),
            public_note=note.format(due=_date_text(due)),
        )

    def _deliberate(self, issue, actor, when, note):
        return self._move(issue, actor, S.DELIBERATING, public_note=note)

    def _work(self, issue, actor, when, note):
        return self._move(issue, actor, S.IN_PROGRESS, public_note=note)

    def _progress(self, issue, actor, when, note):
        return services.issue_progress(actor=actor, issue=issue, public_note=note)

    def _resolve(self, issue, actor, when, resolution):
        self.fields[issue.pk]["resolved_at"] = when
        return self._move(issue, actor, S.RESOLVED, resolution=resolution)

    def _rate(self, issue, actor, when, satisfaction, comment):
        self.fields[issue.pk]["rated_at"] = when
        return services.issue_rate(
            issue=issue, satisfaction=satisfaction, comment=comment, phone=issue.submitter_phone
        )

    def _reject(self, issue, actor, when, reason):
        return self._move(issue, actor, S.REJECTED, public_note=reason)

    def _merge(self, issue, actor, when, title, note):
        target = self.issues.get(title) or Issue.objects.get(center=issue.center, title=title)
        return self._move(issue, actor, S.MERGED, merged_into=target, public_note=note)

    def _escalate(self, issue, actor, when, note):
        self.fields[issue.pk]["response_due"] = services.next_working_day(when)
        return self._move(issue, actor, S.ESCALATED, public_note=note)

    def _assign(self, issue, actor, when):
        return services.issue_assign(actor=actor, issue=issue, assignee=actor)

    def _meeting(self, issue, actor, when, title, decision, to_status):
        meeting = self.meetings.get(title)
        if meeting is None:  # the meeting was there before this run: the decision alone
            return self._move(issue, actor, to_status, public_note=decision)
        item = meeting.agenda.get(issue=issue)
        services.meeting_decide(actor=actor, item=item, decision=decision, to_status=to_status)
        return Issue.objects.select_related("center").get(pk=issue.pk)

    def backdate(self):
        """Put every event and issue of this run at the time its story says; returns the
        number of events."""
        events = list(
            IssueEvent.objects.filter(issue__in=list(self.times))
            .order_by("issue", "pk")
            .only("pk", "issue_id")
        )
        by_issue = defaultdict(list)
        for event in events:
            by_issue[event.issue_id].append(event)
        for pk, times in self.times.items():
            if len(by_issue[pk]) != len(times):
                raise AssertionError(f"issue {pk}: {len(by_issue[pk])} events, {len(times)} times")
            for event, when in zip(by_issue[pk], times, strict=True):
                event.created_at = when
        IssueEvent.objects.bulk_update(events, ["created_at"], batch_size=500)
        for pk, fields in self.fields.items():
            Issue.objects.filter(pk=pk).update(**fields)
        return len(events)


def _actors(slugs):
    """The demo login closest to each center that may work there: {slug: user}, and
    {slug: center}. The community's own login if there is one, else the street's, else the
    district's."""
    user_centers = {spec["center"] for spec in demo_data.DEMO_USERS}
    centers = {c.slug: c for c in Center.objects.filter(slug__in=set(slugs) | user_centers)}
    phones = [spec["phone"] for spec in demo_data.DEMO_USERS]
    users = {user.phone: user for user in get_user_model().objects.filter(phone__in=phones)}
    logins = sorted(
        (spec for spec in demo_data.DEMO_USERS if spec["phone"] in users),
        key=lambda spec: -centers[spec["center"]].depth,
    )
    actors = {}
    for slug in slugs:
        for spec in logins:
            user = users[spec["phone"]]
            if scoping.has_perm(user, "change", centers[slug]):
                actors[slug] = user
                break
        else:
            raise RuntimeError(f"No demo login may work at {slug}: run seed_demo.")
    return actors, centers


@transaction.atomic
def load_demo_deliberation() -> Counter:
    """Create the demo issues and meetings that are missing.

    Issues are matched by title and the center they were raised at (their first event's, so
    an escalated issue is found where it started), meetings by title and center; what exists
    is never touched, so a second run creates nothing and costs two queries. Returns a Counter
    of rows created per model.
    """
    now = timezone.now()
    stories = [
        {**story, "submitter": SUBMITTERS[number % len(SUBMITTERS)], "phone": _phone(number)}
        for number, story in enumerate(
            [*HOT_ISSUES, *OTHER_ISSUES, *AGENDA_ISSUES, *open_issues(now)]
        )
    ]
    slugs = {story["center"] for story in stories} | {m["center"] for m in MEETINGS}
    raised = set(
        IssueEvent.objects.filter(
            from_status="", to_status=S.SUBMITTED, center__slug__in=slugs
        ).values_list("center__slug", "issue__title")
    )
    held = set(Meeting.objects.filter(center__slug__in=slugs).values_list("center__slug", "title"))
    stories = [s for s in stories if (s["center"], s["title"]) not in raised]
    meetings = [m for m in MEETINGS if (m["center"], m["title"]) not in held]
    created = Counter()
    if not stories and not meetings:
        return created

    actors, centers = _actors(slugs)
    player = _Player(actors, centers)
    with _no_messages():
        # Intake and everything up to the first meeting; then the meetings with their agenda;
        # then the rest of each story, meeting decisions included.
        rest = {}
        for story in stories:
            player.submit(story)
            kinds = [step[0] for step in story["steps"]]
            split = kinds.index("meeting") if "meeting" in kinds else len(kinds)
            player.play(story, story["steps"][:split])
            rest[story["title"]] = story["steps"][split:]
        decided_before = []
        for spec in meetings:
            meeting, existing = _meeting_save(spec, actors, centers, player)
            player.meetings[spec["title"]] = meeting
            decided_before += existing
        for story in stories:
            player.play(story, rest[story["title"]])
        for meeting, item, decision in decided_before:
            services.meeting_decide(
                actor=actors[meeting.center.slug], item=item, decision=decision, to_status=None
            )
        for spec in meetings:
            meeting = player.meetings[spec["title"]]
            services.meeting_publish(actor=actors[spec["center"]], meeting=meeting)
            held_at = _aware(spec["held_at"])
            Meeting.objects.filter(pk=meeting.pk).update(
                created_at=held_at - timedelta(days=6),
                published_at=held_at + timedelta(days=1, hours=-4),
            )
        created[IssueEvent] = player.backdate()

    created[Issue] = len(stories)
    created[Meeting] = len(meetings)
    created[MeetingParticipant] = sum(len(m["participants"]) for m in meetings)
    created[AgendaItem] = AgendaItem.objects.filter(
        meeting__in=list(player.meetings.values())
    ).count()
    return +created


def _meeting_save(spec, actors, centers, player):
    """Save a meeting with the agenda its stories name. Returns the meeting and, for agenda
    issues from an earlier run, (meeting, item, decision) to record without moving them."""
    title = spec["title"]
    decisions = {
        story["title"]: step[3]
        for story in AGENDA_ISSUES
        for step in story["steps"]
        if step[0] == "meeting" and step[2] == title
    }
    new = [player.issues[t] for t in decisions if t in player.issues]
    earlier = list(
        Issue.objects.filter(
            center=centers[spec["center"]],
            title__in=[t for t in decisions if t not in player.issues],
        )
    )
    meeting = services.meeting_save(
        actor=actors[spec["center"]],
        center=centers[spec["center"]],
        data={
            "title": title,
            "held_at": _aware(spec["held_at"]),
            "place": spec["place"],
            "minutes": spec["minutes"],
        },
        participants=spec["participants"],
        issues=new + earlier,
    )
    existing = [
        (
            meeting,
            meeting.agenda.select_related("meeting__center").get(issue=issue),
            decisions[issue.title],
        )
        for issue in earlier
    ]
    return meeting, existing
