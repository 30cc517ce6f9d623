"""Generated pages as files for `mkdocs serve --dirty` (caselib.site.sourcefiles): a page's file is
rewritten exactly when the page (or the state applied after its Markdown) changed."""

from __future__ import annotations

from caselib import library
from caselib.model.cases import load_cases
from caselib.site import urls
from caselib.site.mdtext import Page
from caselib.site.sourcefiles import SourceFiles

from conftest import ROOT


def test_only_changed_pages_are_written_and_unchanged_files_are_left_alone(tmp_path):
    sources = SourceFiles(tmp_path)
    pages = [Page("a.md", "A"), Page("x/b.md", "B")]
    assert sources.update(pages) == (["a.md", "x/b.md"], [])
    before = {p.path: sources.path_of(p.path).stat().st_mtime_ns for p in pages}
    assert sources.update([Page("a.md", "A"), Page("x/b.md", "B2")]) == (["x/b.md"], [])
    assert sources.path_of("x/b.md").read_text(encoding="utf-8") == "B2"
    assert sources.path_of("a.md").stat().st_mtime_ns == before["a.md"]  # untouched: not rebuilt


def test_a_change_of_the_state_applied_after_the_markdown_rewrites_the_page(tmp_path):
    sources = SourceFiles(tmp_path)
    pages = [Page("cases/a.md", "A"), Page("models/m.md", "M")]
    sources.update(pages, {"cases/a.md": "terms 1"})
    assert sources.update(pages, {"cases/a.md": "terms 1"}) == ([], [])
    assert sources.update(pages, {"cases/a.md": "terms 2"}) == (["cases/a.md"], [])


def test_pages_no_longer_generated_are_reported_and_their_files_removed(tmp_path):
    sources = SourceFiles(tmp_path)
    sources.update([Page("a.md", "A"), Page("models/gone.md", "G")])
    assert sources.update([Page("a.md", "A")]) == ([], ["models/gone.md"])
    assert not sources.path_of("models/gone.md").exists()


def test_editing_one_case_title_rewrites_its_page_its_index_pages_and_pages_listing_it(tmp_path):
    """The real library: a new title changes the case's page, each index page of its tags, the pages
    that list it as related, and nothing else."""
    cases, _ = load_cases(ROOT / "cases")
    sources = SourceFiles(tmp_path / "pages")
    sources.update(library.generated_pages(cases))
    edited = cases[0]
    text = (ROOT / "cases" / f"{edited.id}.md").read_text(encoding="utf-8")
    copy = tmp_path / "cases"
    copy.mkdir()
    for case in cases:
        source = (ROOT / "cases" / f"{case.id}.md").read_text(encoding="utf-8")
        if case.id == edited.id:
            source = source.replace(f"title: {edited.meta['title']}", "title: 改过的标题", 1)
        (copy / f"{case.id}.md").write_text(source, encoding="utf-8")
    assert text != (copy / f"{edited.id}.md").read_text(encoding="utf-8")
    changed_cases, _ = load_cases(copy)
    written, gone = sources.update(library.generated_pages(changed_cases))
    assert gone == []
    listing = {
        page.path
        for page in library.generated_pages(changed_cases)
        if f"{edited.id}.md" in page.content or f"{edited.id}/" in page.content + page.html
    }
    assert urls.case_path(edited) in written
    assert set(written) == listing | {urls.case_path(edited)}
    assert "stats/index.md" not in written and "contributing/fields.md" not in written


def test_related_cases_are_kept_until_the_content_of_a_case_changes():
    """The plugin's memo (kept across serve rebuilds) finds related cases again after any edit, and
    gives the same as finding them afresh; unchanged cases are not searched again."""
    from dataclasses import replace

    from caselib.site.related import related

    cases, _ = load_cases(ROOT / "cases")
    memo = library.RelatedMemo()
    first = memo.related(cases)
    again, _ = load_cases(ROOT / "cases")  # read again: same content, new objects
    assert memo.related(again) == {k: [again[[c.id for c in again].index(r.id)] for r in v] for k, v in first.items()}
    assert memo.computed == 1
    edited = [
        replace(c, body=c.body + "\n党建合作社 党建合作社 党建合作社\n") if i == 0 else c for i, c in enumerate(again)
    ]
    assert library.content_key(edited) != library.content_key(again)
    assert {k: [c.id for c in v] for k, v in memo.related(edited).items()} == {
        k: [c.id for c in v] for k, v in related(edited).items()
    }
    assert memo.computed == 2


def test_a_change_of_the_html_put_in_after_rendering_rewrites_the_page(tmp_path):
    sources = SourceFiles(tmp_path)
    sources.update([Page("models/m.md", "M", html="<ul><li>a</li></ul>")])
    assert sources.update([Page("models/m.md", "M", html="<ul><li>b</li></ul>")]) == (["models/m.md"], [])
