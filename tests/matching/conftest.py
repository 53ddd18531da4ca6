import pytest

from wulian.matching import Availability, Engine, ProviderRecord, ResourceRecord

from .factories import TODAY


@pytest.fixture(scope="session")
def resources() -> list[ResourceRecord]:
    return [
        ResourceRecord(
            id="haircut",
            title="义剪便民服务",
            description="美发专业师生每周三下午在文明实践站为居民理发，可上门为行动不便的老人服务",
            category=("便民服务", "理发美容"),
            tags=("理发", "老人", "上门"),
            provider_id="school",
            provider_kind="学校",
            service_area=("wuhan", "jiangan", "xima"),
            compound_id="c42",
            community_id="jhbl",
            subdistrict_id="xima",
            capacity_remaining=12,
            availability=Availability(frozenset({2}), 14, 17),
        ),
        ResourceRecord(
            id="glasses",
            title="免费验光和眼镜清洗",
            description="眼视光专业学生为居民检查视力，超声波清洗眼镜",
            category=("便民服务", "眼镜视力"),
            tags=("验光", "眼镜"),
            provider_id="school",
            service_area=("wuhan", "jiangan", "xima"),
            community_id="jhbl",
            capacity_remaining=30,
            availability=Availability(frozenset({1, 3}), 9, 11),
        ),
        ResourceRecord(
            id="law",
            title="律所公益法律咨询",
            description="遗嘱继承、赡养纠纷、合同问题免费咨询",
            category=("平安法治", "法律服务"),
            provider_id="lawfirm",
            service_area=("wuhan", "hankou", "other-subdistrict"),
            subdistrict_id="other-subdistrict",
        ),
        ResourceRecord(
            id="fraud",
            title="反诈宣讲进社区",
            description="民警讲解电信诈骗、养老诈骗手法",
            category=("平安法治", "防诈宣传"),
            tags=("防诈骗",),
            provider_id="police",
            service_area=("wuhan", "jiangan"),
            capacity_remaining=4,
            capacity_unit="场",
        ),
        ResourceRecord(
            id="full",
            title="理发",
            description="理发服务",
            category=("便民服务", "理发美容"),
            provider_id="salon",
            capacity_remaining=0,
        ),
    ]


@pytest.fixture(scope="session")
def engine(resources) -> Engine:
    providers = [ProviderRecord("school", "武汉市第一商业学校", "学校", 0.95, 4.8)]
    return Engine(resources, providers=providers, today=TODAY)
