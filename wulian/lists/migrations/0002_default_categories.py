"""Seed the default taxonomy of needs and resources. Staff edit it afterwards."""

from django.db import migrations

TAXONOMY = {
    "为老服务": ["助餐助浴", "上门探访", "适老化改造", "陪诊陪护"],
    "便民服务": ["理发", "验光配镜", "家电维修", "缝补", "美甲手护", "糕点制作"],
    "环境整治": ["楼道清理", "垃圾分类", "绿化养护", "违章清理"],
    "设施改造": ["加装电梯", "道路修缮", "楼道粉刷", "地锁拆除", "照明"],
    "文化教育": ["四点半课堂", "兴趣班", "读书活动", "文艺演出"],
    "健康卫生": ["义诊", "健康讲座", "防暑降温", "心理疏导"],
    "平安法治": ["反诈宣传", "法律咨询", "矛盾调解", "消防安全"],
    "就业创业": ["技能培训", "招聘对接", "创业指导"],
    "关爱帮扶": ["困难家庭", "残疾人帮扶", "儿童关爱"],
    "新就业群体": ["快递小哥", "网约车司机", "外卖骑手"],
    "党建共建": ["党课", "主题党日", "党员志愿服务"],
    "场地设施": ["会议室", "活动室", "运动场地"],
    "资金物资": ["资金", "物资捐赠", "设备借用"],
}


def seed(apps, schema_editor):
    Category = apps.get_model("lists", "Category")
    for position, (name, children) in enumerate(TAXONOMY.items()):
        parent, _ = Category.objects.get_or_create(
            name=name, parent=None, defaults={"position": position}
        )
        for child_position, child in enumerate(children):
            Category.objects.get_or_create(
                name=child, parent=parent, defaults={"position": child_position}
            )


def unseed(apps, schema_editor):
    Category = apps.get_model("lists", "Category")
    Category.objects.exclude(parent=None).filter(parent__name__in=TAXONOMY).delete()
    Category.objects.filter(parent=None, name__in=TAXONOMY).delete()


class Migration(migrations.Migration):
    dependencies = [("lists", "0001_needs_resources_projects")]
    operations = [migrations.RunPython(seed, unseed)]
