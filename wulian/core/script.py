"""Pages in traditional script show people's text in traditional script too.

Names, titles, descriptions, categories, compounds and organisations are stored as people typed
them (mostly simplified). With zh-Hant active, `TraditionalScriptMiddleware` converts the text
of an HTML page with OpenCC s2t as it leaves, the way Chinese Wikipedia shows one text in the
reader's variant. Stored text never changes: tags are left as they are (so an input's value, a
link or an id is never touched) and so is everything inside <textarea>, <script> and <style>,
so a form sends back exactly what is stored. Search folds both scripts (wulian.core.text.fold),
so it finds either. Conversions of text pieces are cached: most pieces repeat from page to page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from wulian.core.text import to_traditional

TRADITIONAL = {"zh-hant", "zh-tw", "zh-hk", "zh-mo"}
# Elements whose text is never converted (what a form sends back, code), and comments.
_RAW = re.compile(r"<(textarea|script|style|pre)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
# Text between two tags that holds at least one Han character.
_TEXT = re.compile(r">([^<>]*?[\u4e00-\u9fff][^<>]*)(?=<)")
_CACHED_UP_TO = 2000  # characters; longer pieces (a long description) are converted each time


@lru_cache(maxsize=20000)
def _cached(text: str) -> str:
    return to_traditional(text)


def _convert(match: re.Match[str]) -> str:
    text = match.group(1)
    return ">" + (_cached(text) if len(text) <= _CACHED_UP_TO else to_traditional(text))


def _convert_outside_tags(piece: str) -> str:
    # The piece lies between tags: bracket it so its first and last text are found too.
    return _TEXT.sub(_convert, f">{piece}<")[1:-1]


def to_traditional_html(html: str) -> str:
    """The page with its text (not its tags, form contents or scripts) in traditional script."""
    out: list[str] = []
    done = 0
    for raw in _RAW.finditer(html):
        out.append(_convert_outside_tags(html[done : raw.start()]))
        out.append(raw.group(0))
        done = raw.end()
    out.append(_convert_outside_tags(html[done:]))
    return "".join(out)


class TraditionalScriptMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            translation.get_language() in TRADITIONAL
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not response.has_header("Content-Encoding")
        ):
            charset = response.charset or "utf-8"
            html = response.content.decode(charset)
            response.content = to_traditional_html(html).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
