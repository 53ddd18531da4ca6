"""`tell`: what happened, in the site's language, with what people typed left untouched."""

from __future__ import annotations

from django.utils.translation import gettext_lazy, override

from wulian.notifications.services import tell


def test_it_writes_in_the_sites_language_whatever_the_senders_language(world):
    with override("en"):
        (sent,) = tell(
            [world["resident"]],
            "need.published",
            gettext_lazy("Your need “%(title)s” is on the opportunity list."),
            url="/lists/needs/1/",
            title="修理楼道灯",
        )
    assert sent.title == "您的需求“修理楼道灯”已发布到机会清单。"
    assert sent.url == "/lists/needs/1/"


def test_what_a_person_typed_is_never_formatted(world):
    typed = "还差 50% 的工作，%(title)s 不是占位符"
    (sent,) = tell(
        [world["resident"]],
        "whistle.sent_back",
        gettext_lazy("“%(title)s” was sent back"),
        typed,
        title="井盖松动",
    )
    assert sent.title.startswith("“井盖松动”") and sent.body == typed


def test_nobody_to_tell_sends_nothing(world):
    assert tell([], "x.y", gettext_lazy("Hello")) == []
