from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageDraw

from wulian.lists import services
from wulian.lists.models import Category, Need


def signature_png() -> bytes:
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(10, 80), (80, 20), (150, 80), (290, 15)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 100), (255, 255, 255, 0)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def haircut(db: Any) -> Category:
    # get_or_create: transactional tests flush the categories the migration seeded.
    parent, _ = Category.objects.get_or_create(name="便民服务", parent=None)
    return Category.objects.get_or_create(name="理发", parent=parent)[0]


@pytest.fixture
def need(world: Any, haircut: Category) -> Need:
    """A resident's need, published, with one slot."""
    raised = services.raise_need(
        world["resident"],
        world.community,
        services.NeedInput(
            title="42号小区老人上门理髮",
            description="行动不便的老人需要上门理发",
            category=haircut,
            tags=["老人", "理发"],
        ),
    )
    return services.publish_need(world["community_staff"], raised)


def sign_both(world: Any, project: Any) -> None:
    agreement = project.agreement
    services.sign_agreement(
        world["resident"], agreement, side="need", typed_name="居民甲", drawn_png=signature_png()
    )
    services.sign_agreement(
        world["unit_admin"],
        agreement,
        side="claimant",
        typed_name="管理员丙",
        drawn_png=signature_png(),
    )
    project.refresh_from_db()


@pytest.fixture
def fresh_engines() -> Any:
    """Each test starts and ends with no cached matching engine."""
    from wulian.lists import matching

    matching.clear_cache()
    yield
    matching.clear_cache()


@pytest.fixture
def barber(world: Any, haircut: Category) -> Any:
    """The school's haircuts: Wednesday afternoons, 40 visits a month."""
    import datetime

    return services.create_resource(
        world["unit_admin"],
        world.community,
        services.ResourceInput(
            title="便民理发",
            description="美发专业师生为居民理发，行动不便的老人可预约上门。",
            category=haircut,
            tags=["理发", "老人", "上门"],
            capacity_text="40 人次/月",
            weekdays="3",
            hours_from=datetime.time(14),
            hours_to=datetime.time(17),
        ),
        provider_org=world.unit,
    )
