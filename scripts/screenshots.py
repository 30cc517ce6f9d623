"""Take screenshots of the built site in Debian's Chromium (for docs and reviews).

Usage: python scripts/screenshots.py SITE_DIR OUT_DIR
Serves SITE_DIR on 127.0.0.1 as a static host does (an unknown path answers with 404.html), opens
each shot of SHOTS at desktop and phone widths in light and dark (the site follows the system's
colour scheme), writes OUT_DIR/<name>-<desktop|phone>-<light|dark>.png.
"""

from __future__ import annotations

import sys
import urllib.parse
from pathlib import Path
from typing import NamedTuple

from PIL import Image
from playwright.sync_api import sync_playwright

from caselib.bench.browser import CHROMIUM, CHROMIUM_ARGS, serve

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
SCHEMES = ("light", "dark")


class Shot(NamedTuple):
    path: str
    click: str | None = None  # clicked before the shot (at every size)
    phone_click: str | None = None  # clicked before the phone shot only
    hover: str | None = None  # a glossary term: the pointer on its first mention, so its tooltip shows
    sizes: tuple[str, ...] = tuple(SIZES)


def cases(*params: tuple[str, str]) -> str:
    return "/cases/?" + urllib.parse.urlencode(params)


q = urllib.parse.quote
CASE = "/cases/2019-swpu-sili/"
SHOTS = {
    "home": Shot("/"),
    # /cases/ is the one place to search and filter: keyword and facets, all in the URL
    "cases-keyword-facet": Shot(cases(("q", "两张皮"), ("province", "四川"))),
    "cases-keyword": Shot(cases(("q", "党建 业务"))),
    # no case is both in 湖南 and a 党委: the page offers to drop either condition
    "cases-empty": Shot(cases(("province", "湖南"), ("org_type", "党委"))),
    "cases-filter-drawer": Shot(cases(("province", "四川")), click="button.case-drawer-open", sizes=("phone",)),
    # on a phone the case page's 目录 is a <details> above the text (the desktop has the TOC column)
    "case": Shot(CASE, phone_click="details.caselib-toc > summary"),
    "tag": Shot("/models/" + q("四力") + "/"),
    "glossary": Shot("/glossary/#" + q("常用说法")),
    "glossary-mention": Shot("/cases/2023-hnde-qigeyouli/", hover="三亮三比"),
    "stats": Shot("/stats/"),
    "404": Shot("/no-such-page/"),
    "nav-drawer": Shot("/", click="label.md-header__button[for='__drawer']", sizes=("phone",)),
}


def settle(page) -> None:
    """Wait until no transition or animation runs (drawers slide, tooltips fade in)."""
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    page.wait_for_timeout(300)


def take(page, base: str, shot: Shot, size: str) -> None:
    page.goto(base + shot.path, wait_until="networkidle")
    for selector in (shot.click, shot.phone_click if size == "phone" else None):
        if selector:
            page.locator(selector).first.click()
            # a tap leaves focus on what was tapped; its focus ring is no part of the shot
            page.evaluate("() => document.activeElement && document.activeElement.blur()")
    if shot.hover:
        mention = page.locator("article a.caselib-term", has_text=shot.hover).first
        mention.evaluate("e => e.scrollIntoView({block: 'center'})")
        mention.hover()
        page.locator(".md-tooltip2").first.wait_for(state="visible")
    settle(page)


def save(page, target: Path) -> None:
    """Write the viewport as a 256-colour PNG (under half the bytes; text stays sharp)."""
    page.screenshot(path=str(target))
    with Image.open(target) as image:
        small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(target, optimize=True)


def main(site_dir: str, out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    server = serve(site_dir, not_found_page=True)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size, (width, height) in SIZES.items():
            for scheme in SCHEMES:
                context = browser.new_context(
                    viewport={"width": width, "height": height},
                    locale="zh-CN",
                    color_scheme=scheme,
                    device_scale_factor=1 if size == "desktop" else 2,
                    is_mobile=size == "phone",
                )
                page = context.new_page()
                for name, shot in SHOTS.items():
                    if size in shot.sizes:
                        take(page, base, shot, size)
                        target = out / f"{name}-{size}-{scheme}.png"
                        save(page, target)
                        print(target)
                context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:3])
