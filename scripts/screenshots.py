"""Take screenshots of the built site in Debian's Chromium (for docs and reviews).

Usage: python scripts/screenshots.py SITE_DIR OUT_DIR
Serves SITE_DIR on 127.0.0.1, opens each page at desktop and phone widths, writes PNGs to OUT_DIR.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
import urllib.parse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
PAGES = {
    "home": "/",
    "case": "/cases/2019-swpu-sili/",
    "model-index": "/models/" + urllib.parse.quote("四力") + "/",
    "glossary": "/glossary/",
    "stats": "/stats/",
    "search": "/search/?" + urllib.parse.urlencode([("q", "两张皮")]),
    "cases-filtered": "/cases/?" + urllib.parse.urlencode([("province", "四川"), ("theme", "党建与业务融合")]),
}
# Pages shot with the pointer on a glossary-term mention, so its tooltip shows.
HOVER = {"glossary-mention": ("/cases/2023-hnde-qigeyouli/", "三亮三比")}
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(site_dir: str, out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_QuietHandler, directory=site_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, (width, height) in SIZES.items():
            context = browser.new_context(
                viewport={"width": width, "height": height},
                locale="zh-CN",
                device_scale_factor=1 if size == "desktop" else 2,
                is_mobile=size == "phone",
            )
            page = context.new_page()
            for name, path in PAGES.items():
                page.goto(base + path, wait_until="networkidle")
                target = out / f"{name}-{size}.png"
                page.screenshot(path=str(target), full_page=False)
                print(target)
            for name, (path, term) in HOVER.items():
                page.goto(base + path, wait_until="networkidle")
                mention = page.locator("article a.caselib-term", has_text=term)
                mention.evaluate("e => e.scrollIntoView({block: 'center'})")
                mention.hover()
                page.locator(".md-tooltip2").first.wait_for(state="visible")
                # the tooltip fades in: shoot when its transition has ended
                page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
                page.wait_for_timeout(300)
                target = out / f"{name}-{size}.png"
                page.screenshot(path=str(target), full_page=False)
                print(target)
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:3])
