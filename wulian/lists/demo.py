"""Demo lists for the demo world: the school's convenience services, needs from every kind of
raiser, and projects in every state. Idempotent: each item has a fixed external id."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone
from PIL import Image, ImageDraw

from wulian.accounts.models import User
from wulian.lists import services
from wulian.lists.models import Category, Need, Project, Resource
from wulian.orgs.models import Membership, Organization
from wulian.places.models import Region

# (id, provider, kind, category path, title, description, capacity, availability, weekdays, tags)
RESOURCES = [
    (
        "R001",
        "武汉市第一商业学校",
        "service",
        ("便民服务", "理发"),
        "便民理发",
        "美发专业师生为居民理发、修面，行动不便的老人可预约上门。",
        "40 人次/月",
        "每周三下午",
        "3",
        "理发、老人、上门",
    ),
    (
        "R002",
        "武汉市第一商业学校",
        "service",
        ("便民服务", "美甲手护"),
        "编发、美甲、手部护理",
        "美容专业学生为居民编发、美甲和手部护理。",
        "30 人次/月",
        "每周三下午",
        "3",
        "美甲、手护、编发",
    ),
    (
        "R003",
        "武汉市第一商业学校",
        "service",
        ("便民服务", "验光配镜"),
        "验光与清洁眼镜",
        "眼视光专业师生免费验光、清洗和调整眼镜。",
        "20 人次/周",
        "每周五上午",
        "5",
        "验光、眼镜",
    ),
    (
        "R004",
        "武汉市第一商业学校",
        "skill",
        ("便民服务", "糕点制作"),
        "糕点制作课堂",
        "烹饪专业老师教居民做糕点、炸肉圆，材料由学校提供。",
        "15 人/次",
        "每月第二个周六",
        "6",
        "糕点、肉圆、课堂",
    ),
    (
        "R005",
        "武汉市第一商业学校",
        "venue",
        ("场地设施", "活动室"),
        "学校多功能教室",
        "可容纳 60 人，有投影和音响，周末可借用。",
        "1 场/周",
        "周六、周日",
        "67",
        "场地、会议",
    ),
    (
        "R006",
        "武汉红帆电梯工程有限公司",
        "service",
        ("设施改造", "加装电梯"),
        "老旧小区加装电梯咨询",
        "免费现场勘查、出方案，协助居民协商。",
        "4 次/月",
        "工作日",
        "12345",
        "电梯、加装",
    ),
    (
        "R007",
        "武汉晴川律师事务所",
        "service",
        ("平安法治", "法律咨询"),
        "律师坐班法律咨询",
        "每月两次律师在社区坐班，解答婚姻家庭、物业纠纷等问题。",
        "2 次/月",
        "每月第一、三个周四",
        "4",
        "法律、纠纷",
    ),
    (
        "R008",
        "武汉安康体检中心江岸分部",
        "service",
        ("健康卫生", "义诊"),
        "老人免费体检",
        "为 65 岁以上老人量血压、测血糖、做心电图。",
        "50 人次/月",
        "每月中旬",
        "",
        "体检、老人",
    ),
    (
        "R009",
        "中共武汉市委网络安全和信息化委员会办公室",
        "skill",
        ("平安法治", "反诈宣传"),
        "AI 诈骗识别宣讲",
        "讲解换脸、拟声等 AI 诈骗手段，教居民和新就业群体识别。",
        "2 场/月",
        "预约",
        "",
        "反诈、AI",
    ),
    (
        "R010",
        "武汉市职业病防治院",
        "skill",
        ("健康卫生", "防暑降温"),
        "中暑防治健康科普",
        "为快递小哥、网约车司机等户外工作者讲解中暑防治。",
        "2 场/月",
        "夏季",
        "",
        "中暑、高温",
    ),
    (
        "R011",
        "平安巡逻志愿服务队",
        "volunteers",
        ("平安法治", "消防安全"),
        "夜间平安巡逻",
        "志愿者每晚在各小区巡逻，检查消防通道。",
        "8 人/天",
        "每晚 19:00–21:00",
        "1234567",
        "巡逻、消防",
    ),
    (
        "R012",
        "银龄互助志愿服务队",
        "volunteers",
        ("为老服务", "陪诊陪护"),
        "陪老人看病",
        "低龄老人陪高龄老人就医、取药。",
        "10 人次/周",
        "工作日上午",
        "12345",
        "陪诊、老人",
    ),
    (
        "R013",
        "洁美家园环境志愿服务队",
        "volunteers",
        ("环境整治", "楼道清理"),
        "楼道清理",
        "清理楼道杂物、小广告。",
        "2 次/月",
        "周末",
        "67",
        "楼道、卫生",
    ),
    (
        "R014",
        "长江数码维修中心",
        "service",
        ("便民服务", "家电维修"),
        "小家电义务维修",
        "电饭煲、电风扇、手机等小家电免费检修，只收零件费。",
        "20 件/月",
        "每月最后一个周六",
        "6",
        "维修、家电",
    ),
]

# (id, raiser (kind, name), category, title, description, compound index or None, urgency, slots,
#  beneficiaries, deadline days, state to reach)
NEEDS: list[tuple[Any, ...]] = [
    (
        "N001",
        ("resident", 0),
        ("便民服务", "理发"),
        "42号小区行动不便老人上门理发",
        "小区里有十几位老人腿脚不好，下不了楼，想请人上门理发。",
        0,
        1,
        1,
        14,
        30,
        "completed",
    ),
    (
        "N002",
        ("community", None),
        ("设施改造", "楼道粉刷"),
        "42号小区楼道粉刷",
        "楼道墙皮脱落、小广告多，需要粉刷一新。",
        0,
        0,
        1,
        286,
        60,
        "completed",
    ),
    (
        "N003",
        ("community", None),
        ("设施改造", "地锁拆除"),
        "拆除小区私装地锁",
        "私装地锁占用消防通道，需要协助拆除并做好解释。",
        0,
        1,
        1,
        286,
        45,
        "active",
    ),
    (
        "N004",
        ("resident", 1),
        ("为老服务", "陪诊陪护"),
        "独居老人陪诊",
        "母亲 82 岁独居，每月要去医院复查，子女在外地。",
        1,
        1,
        1,
        1,
        30,
        "active",
    ),
    (
        "N005",
        ("community", None),
        ("平安法治", "反诈宣传"),
        "快递小哥、网约车司机反诈和防暑宣讲",
        "新就业群体多，希望请专业单位讲 AI 诈骗和中暑防治。",
        None,
        0,
        2,
        80,
        40,
        "signing",
    ),
    (
        "N006",
        ("enterprise", "江北家政服务有限公司"),
        ("就业创业", "招聘对接"),
        "招聘社区保洁员",
        "公司需要 5 名保洁员，希望优先招本社区居民。",
        None,
        0,
        1,
        5,
        30,
        "published",
    ),
    (
        "N007",
        ("volunteer_team", "平安巡逻志愿服务队"),
        ("资金物资", "物资捐赠"),
        "巡逻马甲和手电筒",
        "队员增加了，需要 20 件反光马甲和 20 个手电筒。",
        None,
        0,
        1,
        20,
        30,
        "published",
    ),
    (
        "N008",
        ("resident", 2),
        ("便民服务", "验光配镜"),
        "老花镜验光",
        "想给家里老人配老花镜，不知道度数。",
        2,
        0,
        1,
        2,
        20,
        "published",
    ),
    (
        "N009",
        ("resident", 3),
        ("文化教育", "四点半课堂"),
        "孩子放学后没人看",
        "双职工家庭，孩子下午四点半放学，希望有人辅导作业。",
        3,
        1,
        3,
        15,
        50,
        "published",
    ),
    (
        "N010",
        ("community", None),
        ("健康卫生", "义诊"),
        "老人健康体检",
        "65 岁以上老人一年一次体检。",
        None,
        0,
        1,
        120,
        60,
        "published",
    ),
    (
        "N011",
        ("resident", 4),
        ("便民服务", "家电维修"),
        "电饭煲坏了想修",
        "电饭煲不加热了，买新的舍不得。",
        4,
        0,
        1,
        1,
        15,
        "submitted",
    ),
    (
        "N012",
        ("resident", 5),
        ("环境整治", "楼道清理"),
        "楼道堆满杂物",
        "3 栋楼道堆了很多纸箱和旧家具，有火灾隐患。",
        5,
        2,
        1,
        40,
        10,
        "submitted",
    ),
    (
        "N013",
        ("enterprise", "西马社区超市"),
        ("场地设施", "活动室"),
        "借场地办便民市集",
        "想在周末借用场地办一次便民市集。",
        None,
        0,
        1,
        None,
        30,
        "rejected",
    ),
    (
        "N014",
        ("resident", 6),
        ("便民服务", "糕点制作"),
        "想学做糕点",
        "退休了想学做糕点，给孙子做点心。",
        6,
        0,
        1,
        1,
        30,
        "done",
    ),
    (
        "N015",
        ("volunteer_team", "银龄互助志愿服务队"),
        ("党建共建", "党员志愿服务"),
        "党员志愿者服务培训",
        "新加入的党员志愿者需要一次服务技能培训。",
        None,
        0,
        1,
        25,
        40,
        "stalled",
    ),
    (
        "N016",
        ("resident", 7),
        ("便民服务", "理发"),
        "长者上门剪头发",
        "楼上的王爹爹八十多岁，腿脚不好下不了楼，头发很长了，想请人上门剪头发。",
        0,
        1,
        1,
        1,
        21,
        "published",
    ),
]


def _signature(name: str) -> bytes:
    rng = random.Random(name)
    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    points = [(20 + i * 40, rng.randint(30, 90)) for i in range(9)]
    draw.line(points, fill=(20, 20, 20, 255), width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _category(path: tuple[str, str]) -> Category | None:
    return Category.objects.filter(name=path[1], parent__name=path[0]).first()


def _admin_of(org: Organization) -> User:
    membership = Membership.objects.filter(organization=org, role="admin").select_related("user")
    first = membership.first()
    assert first is not None, f"{org} has no administrator"
    return first.user


def _sign(project: Project, need_signer: User, claim_signer: User) -> None:
    agreement = project.agreement
    services.sign_agreement(
        claim_signer,
        agreement,
        side="claimant",
        typed_name=claim_signer.real_name,
        drawn_png=_signature(claim_signer.real_name),
    )
    services.sign_agreement(
        need_signer,
        agreement,
        side="need",
        typed_name=need_signer.real_name,
        drawn_png=_signature(need_signer.real_name),
    )


def build_lists(community: Region, secretary: User) -> int:
    """Create the demo lists once; return how many items were created."""
    created = 0
    orgs = {o.name: o for o in Organization.objects.filter(region__path__startswith="/")}
    for rid, provider, kind, path, title, description, capacity, when, days, tags in RESOURCES:
        if Resource.objects.filter(community=community, external_id=rid).exists():
            continue
        org = orgs[provider]
        services.create_resource(
            secretary,
            community,
            services.ResourceInput(
                title=title,
                description=description,
                kind=kind,
                category=_category(path),
                tags=services.split_tags(tags),
                capacity_text=capacity,
                availability=when,
                weekdays=days,
            ),
            provider_org=org,
            external_id=rid,
        )
        created += 1

    residents = list(
        User.objects.filter(community=community, mobile__startswith="1390001").order_by("mobile")
    )
    aunt = User.objects.get(mobile="13900000042")
    residents.insert(0, aunt)
    school = orgs["武汉市第一商业学校"]
    claimers = [
        school,
        orgs["洁美家园环境志愿服务队"],
        orgs["平安巡逻志愿服务队"],
        orgs["银龄互助志愿服务队"],
        orgs["中共武汉市委网络安全和信息化委员会办公室"],
    ]
    today = timezone.localdate()
    for index, row in enumerate(NEEDS):
        (
            nid,
            (kind, who),
            path,
            title,
            description,
            compound_i,
            urgency,
            slots,
            people,
            days,
            goal,
        ) = row
        if Need.objects.filter(community=community, external_id=nid).exists():
            continue
        compounds = list(community.compounds.order_by("id"))
        data = services.NeedInput(
            title=title,
            description=description,
            category=_category(path),
            compound=compounds[compound_i] if compound_i is not None else None,
            urgency=urgency,
            slots=slots,
            beneficiaries=people,
            deadline=today + datetime.timedelta(days=days),
        )
        if kind == "resident":
            raiser = residents[who]
            need = services.raise_need(raiser, community, data, external_id=nid)
        elif kind == "community":
            raiser = secretary
            need = services.raise_need(
                secretary, community, data, for_org=orgs["中共江汉北路社区委员会"], external_id=nid
            )
        else:
            raiser = _admin_of(orgs[who])
            need = services.raise_need(raiser, community, data, for_org=orgs[who], external_id=nid)
        created += 1
        if goal == "submitted":
            continue
        if goal == "rejected":
            services.reject_need(secretary, need, "周末场地已排满，建议改到社区新时代文明实践站。")
            continue
        services.publish_need(secretary, need)
        if goal == "published":
            continue
        claimer = claimers[index % len(claimers)]
        if need.raised_for_id == claimer.pk:
            claimer = school
        claim_signer = _admin_of(claimer)
        claim = services.claim_need(claim_signer, need, organization=claimer)
        project = claim.project
        if goal == "signing":
            continue
        need_signer = raiser
        _sign(project, need_signer, claim_signer)
        project.refresh_from_db()
        services.add_milestone(claim_signer, project, "确定服务对象和时间", today)
        services.post_progress(claim_signer, project, "已与提出方确认需求，制定了服务安排。")
        if goal == "stalled":
            Project.objects.filter(pk=project.pk).update(
                last_activity_at=timezone.now() - datetime.timedelta(days=45)
            )
            services.mark_stalled_projects()
            continue
        if goal == "active":
            continue
        services.complete_project(
            claim_signer,
            project,
            services.Outcomes(
                summary=f"{claimer.short_name or claimer.name}完成“{title}”，居民反映很好。",
                people_served=people or 1,
                volunteer_hours=Decimal(6 + index),
                materials="",
            ),
        )
        if kind == "resident":
            services.rate_project(raiser, project, 5, "非常感谢，服务很贴心！")
    return created
