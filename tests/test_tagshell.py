"""caselib.tagshell without MkDocs: which pages are filled in, the list split, the shell filling."""

from __future__ import annotations

import pytest

from caselib import pages, tagshell
from caselib.schema import dimensions


def test_tag_pages_are_found_by_dimension_without_overview_or_shell_pages():
    paths = ["models/四力.md", "models/index.md", "models/caselib.shell.md", "themes/乡村振兴.md",
             "cases/x.md", "stats/index.md", "models/sub/x.md"]
    assert tagshell.tag_page_paths(paths) == {"models": ["models/四力.md"], "themes": ["themes/乡村振兴.md"]}


def test_the_final_list_of_a_tag_page_is_split_into_its_items(cases):
    model = next(d for d in dimensions() if d.key == "model")
    theme = next(d for d in dimensions() if d.key == "theme")
    page = pages.tag_page(theme, "党建与业务融合", [c for c in cases if "党建与业务融合" in c.values("themes")])
    text = page.content.split("---\n", 2)[2]
    head, items = tagshell.split_list(text)
    assert head + "\n" + "\n".join(items) + "\n" == text   # the blank line between them is dropped
    assert len(items) > 1 and all(item.startswith("- **[") for item in items)
    assert "- **" not in head
    # the glossary definition (an admonition with a quote) stays in the head
    four = pages.tag_page(model, "四力", [c for c in cases if "四力" in c.values("models")]).content
    head, items = tagshell.split_list(four.split("---\n", 2)[2])
    assert "!!! abstract" in head and len(items) == 1


def test_text_not_ending_in_a_plain_list_is_not_split():
    assert tagshell.split_list("# t\n\ntext\n") == ("# t\n\ntext\n", [])
    assert tagshell.split_list("# t\n\n- a\n\nafter\n") == ("# t\n\n- a\n\nafter\n", [])


def test_fill_puts_title_and_content_in_place_of_the_placeholders():
    shell = f"<title>{tagshell.TITLE} - 站</title><h2>{tagshell.TITLE}</h2><article>{tagshell.CONTENT}</article>"
    assert tagshell.fill(shell, "模式：四力", "<h1>模式：四力</h1><p>x</p>") == (
        "<title>模式：四力 - 站</title><h2>模式：四力</h2><article><h1>模式：四力</h1><p>x</p></article>")
    # content is inserted as is, even if it holds the title placeholder's text
    assert tagshell.fill(shell, "t", f"<p>{tagshell.TITLE}</p>").endswith(f"<p>{tagshell.TITLE}</p></article>")


def test_fill_refuses_a_shell_without_one_content_placeholder_or_content_needing_a_toc():
    with pytest.raises(ValueError):
        tagshell.fill("<html></html>", "t", "<p>x</p>")
    with pytest.raises(ValueError):
        tagshell.fill(tagshell.CONTENT * 2, "t", "<p>x</p>")
    with pytest.raises(ValueError):
        tagshell.fill(tagshell.CONTENT, "t", "<h2 id=\"a\">小标题</h2>")


def test_renderer_converts_each_item_once_and_rewrites_links_like_mkdocs():
    resolved = []

    def resolve(from_path, to_path):
        resolved.append((from_path, to_path))
        return {"cases/a.md": "../../cases/a/", "models/index.md": "../"}.get(to_path)

    renderer = tagshell.Renderer(["toc"], {}, resolve)
    text = "# 模式：甲\n\n返回[全部](<index.md>)。\n\n- **[甲案例](<../cases/a.md>)**  \n  摘要\n"
    html = renderer.html("models/甲.md", text)
    assert '<a href="../">全部</a>' in html and '<a href="../../cases/a/">甲案例</a>' in html
    assert html.endswith("<li><strong><a href=\"../../cases/a/\">甲案例</a></strong><br />\n  摘要</li>\n</ul>")
    renderer.html("themes/乙.md", text.replace("模式：甲", "主题：乙").replace("index.md", "../models/index.md"))
    assert [to for _, to in resolved].count("cases/a.md") == 1   # the item was converted once
    with pytest.raises(ValueError):
        renderer.html("models/丙.md", "# 丙\n\n[x](<missing.md>)\n")


def test_front_matter_is_split_as_the_site_engine_splits_it(cases):
    from mkdocs.utils.meta import get_data
    model = next(d for d in dimensions() if d.key == "model")
    page = pages.tag_page(model, "四力", [c for c in cases if "四力" in c.values("models")])
    text, meta = get_data(page.content)
    assert tagshell.front_matter(page.content) == (meta["title"], text)
    with pytest.raises(ValueError, match="生成的页面没有标题"):
        tagshell.front_matter("# 没有页首\n")
