"""What showing people's text in traditional script costs a page (zh-Hant, OpenCC s2t).

    .venv/bin/python -m bench.script_cost [--rounds 30]

Builds the demo world in a throwaway SQLite database, then renders the busiest pages as
community staff in zh-Hant with and without the conversion (wulian.core.script), alternating
the two, and prints one JSON line: each page's median time both ways and the extra cost.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    os.environ["WULIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="wulian-bench-")
    os.environ.setdefault("WULIAN_ENV", "test")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "wulian.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client, override_settings

    call_command("migrate", verbosity=0)
    from wulian.accounts.models import User
    from wulian.events.models import ReleaseEvent
    from wulian.lists.models import Need
    from wulian.site.demo import DemoBuilder

    DemoBuilder().build()
    staff = User.objects.get(mobile="13800000001")
    need = Need.objects.order_by("id").first()
    event = ReleaseEvent.objects.order_by("id").first()
    assert need is not None and event is not None
    pages = ["/", "/lists/needs/", f"/lists/needs/{need.pk}/", "/lists/resources/"]
    pages.append(f"/events/{event.pk}/")
    plain = [m for m in settings.MIDDLEWARE if not m.endswith("TraditionalScriptMiddleware")]

    def client() -> Client:
        made = Client()
        made.force_login(staff)
        made.cookies["wulian_language"] = "zh-hant"
        return made

    converting = client()
    with override_settings(MIDDLEWARE=plain):
        as_stored = client()
        for url in pages:  # warm both, and check the conversion does something
            answer = as_stored.get(url)
            assert answer.status_code == 200, (url, answer.status_code)
    for url in pages:
        assert converting.get(url).status_code == 200

    times: dict[str, dict[str, list[float]]] = {url: {"with": [], "without": []} for url in pages}
    for _ in range(args.rounds):
        for url in pages:
            start = time.perf_counter()
            converting.get(url)
            times[url]["with"].append(time.perf_counter() - start)
            with override_settings(MIDDLEWARE=plain):
                start = time.perf_counter()
                as_stored.get(url)
                times[url]["without"].append(time.perf_counter() - start)
    result: dict[str, object] = {"machine": platform.platform(), "rounds": args.rounds}
    total_with = total_without = 0.0
    for url, runs in times.items():
        with_ms = statistics.median(runs["with"]) * 1000
        without_ms = statistics.median(runs["without"]) * 1000
        total_with += with_ms
        total_without += without_ms
        result[url] = {
            "with_ms": round(with_ms, 1),
            "without_ms": round(without_ms, 1),
            "extra_pct": round((with_ms / without_ms - 1) * 100, 1),
        }
    result["all_pages_extra_pct"] = round((total_with / total_without - 1) * 100, 1)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
