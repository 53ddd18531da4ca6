"""The words staff write in their spreadsheets, kept as data for the importer (`io.py`).

Add a variant here when a real file uses one the importer does not know; the tests read
every entry. Labels are compared folded (full-width to half-width, traditional to simplified,
lower case, spaces, ``*`` and a trailing ``（…）`` note removed), so each is written once, in
simplified characters.
"""

from __future__ import annotations

# Header labels for each column key, besides the English key and the template's own label.
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "需求编号", "资源编号", "清单编号", "外部编号", "编码"),
    "title": (
        "标题",
        "需求名称",
        "需求标题",
        "需求事项",
        "资源名称",
        "资源标题",
        "服务名称",
        "服务项目",
        "项目名称",
        "名称",
    ),
    "description": (
        "描述",
        "需求描述",
        "需求内容",
        "具体内容",
        "详细说明",
        "详细描述",
        "资源描述",
        "资源内容",
        "服务内容",
        "内容",
    ),
    "category": ("类别", "分类", "需求类别", "需求类型", "资源类别", "服务类别", "服务类型"),
    "compound": ("小区", "所在小区", "所属小区", "小区名称", "涉及小区", "院落"),
    "raised_by": ("提出方", "需求提出方", "提出主体", "提出人类型"),
    "beneficiaries": ("受益人数", "预计受益人数", "涉及人数", "受益人群人数", "受益群众"),
    "deadline": ("截止日期", "截止时间", "完成时限", "办结时限", "期望完成时间", "期限"),
    "urgency": ("紧急程度", "是否紧急", "紧急", "缓急程度", "优先级"),
    "tags": ("标签", "关键词", "关键字"),
    "provider": (
        "提供方",
        "联系单位",
        "提供单位",
        "资源提供方",
        "单位名称",
        "共建单位",
        "驻区单位",
        "提供者",
    ),
    "provider_kind": ("单位类型", "单位性质", "提供方类型"),
    "capacity": ("容量", "服务能力", "可提供数量", "服务量", "数量"),
    "service_area": ("服务范围", "服务区域", "覆盖范围", "辐射范围"),
    "availability": ("可服务时间", "服务时间", "可提供时间", "开放时间"),
}

# Columns staff keep that are not part of a list: recognised (they help find the header row)
# and then ignored. 序号 is a running number, never an id: importing it as one would make the
# next file's row 1 overwrite this file's row 1.
KNOWN_IGNORED_HEADERS: tuple[str, ...] = (
    "序号",
    "备注",
    "说明",
    "联系人",
    "联系电话",
    "电话",
    "填报人",
    "状态",
)

# A row whose first filled cell starts with one of these is a footer, not a list entry.
FOOTER_PREFIXES: tuple[str, ...] = (
    "合计",
    "总计",
    "小计",
    "共计",
    "备注",
    "注:",
    "注：",
    "说明",
    "填表说明",
    "填报说明",
    "填表人",
    "填报人",
    "制表",
    "审核",
    "负责人",
    "以下空白",
    "以下无内容",
)

# Service areas written relative to the importing community: the level of its ancestor meant.
RELATIVE_AREAS: dict[str, str] = {
    "本社区": "community",
    "社区内": "community",
    "辖区内": "community",
    "本街道": "subdistrict",
    "全街道": "subdistrict",
    "街道内": "subdistrict",
    "本区": "district",
    "全区": "district",
    "区内": "district",
    "本市": "city",
    "全市": "city",
    "市内": "city",
}
# Wider than any region the platform holds: recorded as the whole tree (its root), and said.
WIDER_THAN_ANY_AREA: tuple[str, ...] = ("全省", "本省", "省内", "全国", "不限", "不限范围")

# Suffixes a region's name may be written without (江岸区 / 江岸, 西马街道 / 西马街 / 西马).
REGION_SUFFIXES: tuple[str, ...] = (
    "街道办事处",
    "街道",
    "社区",
    "市",
    "区",
    "县",
    "街",
    "镇",
    "乡",
)

# Yes and no, as people tick a column.
YES_WORDS: tuple[str, ...] = ("是", "对", "有", "✓", "✔", "√", "☑", "y", "yes", "true", "1")
NO_WORDS: tuple[str, ...] = ("否", "不", "无", "没有", "✗", "✘", "×", "x", "n", "no", "false", "0")

# Words around a number (30人, 约40人次, 50余户, 100人左右).
NUMBER_PREFIXES: tuple[str, ...] = ("大约", "约计", "约", "近", "逾", "超过", "共", "计", "预计")
NUMBER_SUFFIXES: tuple[str, ...] = (
    "人次",
    "人",
    "户",
    "位",
    "名",
    "个",
    "家",
    "余",
    "多",
    "左右",
    "以上",
    "+",
)
