"""Page weight and load time of pages as a learner's phone sees them.

Loads each page in headless Chromium at 360x640 with Slow 3G emulated (400 ms
RTT, 400 kbit/s down and up) and a 4x CPU slowdown, through the DevTools
protocol. For each page: a first view (empty cache) and a repeat view (warm
cache), bytes transferred by resource type, requests and DOMContentLoaded. The
page is scrolled to its end before counting, so lazily loaded pictures count.

Run against a running server (see docs/benchmarks.md), for example:

    .venv/bin/python bench/pageweight.py --login faith@demo.cpd \
        --password demo-pass-2026 /accounts/login/ /

``--language sw`` reads them in Swahili (any code of settings.LANGUAGES).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, Page, sync_playwright

SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}
BUDGET = {"first_kb": 60, "js_kb": 30, "repeat_kb": 15, "dcl_ms": 3000}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANDROID_UA = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
)


@dataclass
class View:
    """What one page load cost."""

    page: str
    view: str
    bytes: int = 0
    requests: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    dcl_ms: float = 0.0
    load_ms: float = 0.0

    def kb(self, kind: str | None = None) -> float:
        value = self.bytes if kind is None else self.by_type.get(kind, 0)
        return round(value / 1024, 1)


class Recorder:
    """Collects DevTools network events for one navigation."""

    def __init__(self, cdp: CDPSession) -> None:
        self.types: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)

    def reset(self) -> None:
        self.types.clear()
        self.sizes.clear()

    def _response(self, event: dict[str, Any]) -> None:
        self.types[event["requestId"]] = event.get("type", "Other")

    def _finished(self, event: dict[str, Any]) -> None:
        self.sizes[event["requestId"]] = int(event.get("encodedDataLength", 0))

    def result(self, path: str, view: str, timing: dict[str, float]) -> View:
        by_type: dict[str, int] = defaultdict(int)
        for request_id, size in self.sizes.items():
            by_type[self.types.get(request_id, "Other")] += size
        return View(
            page=path,
            view=view,
            bytes=sum(self.sizes.values()),
            requests=len(self.sizes),
            by_type=dict(by_type),
            dcl_ms=round(timing["dcl"], 0),
            load_ms=round(timing["load"], 0),
        )


def navigation_timing(page: Page) -> dict[str, float]:
    return page.evaluate(
        """() => { const n = performance.getEntriesByType('navigation')[0];
                   return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"""
    )


def sign_in(page: Page, base: str, login: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")


def measure(
    context: BrowserContext, base: str, path: str, args: argparse.Namespace
) -> list[View]:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if args.login:
        sign_in(page, base, args.login, args.password)
    cdp.send("Network.clearBrowserCache")
    if not args.no_throttle:
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    recorder = Recorder(cdp)
    views = []
    for view in ("first", "repeat"):
        recorder.reset()
        page.goto(f"{base}{path}", wait_until="load")
        timing = navigation_timing(page)
        # Read to the end, so lazily loaded pictures are counted too.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # late responses (service worker, icons)
        views.append(recorder.result(path, view, timing))
    page.close()
    return views


def verdict(view: View) -> str:
    if view.view == "first":
        ok = view.kb() <= BUDGET["first_kb"] and view.kb("Script") <= BUDGET["js_kb"]
    else:
        ok = view.kb() <= BUDGET["repeat_kb"]
    ok = ok and view.dcl_ms <= BUDGET["dcl_ms"]
    return "PASS" if ok else "FAIL"


def report(views: list[View]) -> str:
    header = [
        "| page | view | KB | requests | HTML KB | JS KB | CSS KB | img KB "
        "| DCL ms | load ms | budget |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [
        (
            f"| `{v.page}` | {v.view} | {v.kb()} | {v.requests} | {v.kb('Document')} "
            f"| {v.kb('Script')} | {v.kb('Stylesheet')} | {v.kb('Image')} "
            f"| {v.dcl_ms:.0f} | {v.load_ms:.0f} | {verdict(v)} |"
        )
        for v in views
    ]
    return "\n".join(header + rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="page paths, e.g. / /accounts/login/")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--login", help="sign in first with this email or phone")
    parser.add_argument("--password", default="")
    parser.add_argument(
        "--chromium", default=shutil.which("chromium") or "/usr/bin/chromium"
    )
    parser.add_argument(
        "--language", help="read the pages in this language (the language cookie)"
    )
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    try:
        urllib.request.urlopen(f"{base}/accounts/login/", timeout=10)  # noqa: S310
    except (urllib.error.URLError, OSError) as exc:
        sys.stderr.write(f"cannot reach {base}: {exc}\n")
        return 2
    views: list[View] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS
        )
        for path in args.paths:
            # A fresh context per page: its own empty cache and cookies.
            context = browser.new_context(
                viewport={"width": 360, "height": 640},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                user_agent=ANDROID_UA,
                # Measure the network, not the service worker's precache.
                service_workers="block",
            )
            if args.language:
                context.add_cookies(
                    [{"name": "django_language", "value": args.language, "url": base}]
                )
            views.extend(measure(context, base, path, args))
            context.close()
        browser.close()
    out = (
        json.dumps([asdict(v) for v in views], indent=2) if args.json else report(views)
    )
    sys.stdout.write(out + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
