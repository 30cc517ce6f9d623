"""Case pages link back to the repository (edit the source file cases/<file>.md, 纠错,
推荐一个案例) only when mkdocs.yml names one (repo_url); without it, no such link at all."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import yaml

from caselib.model.cases import Case
from caselib.site import feedback

from conftest import ROOT, build_site, copy_project

REPO = "https://github.com/example/caselib"
CASE = Case(path="cases/2024-x.md", meta={"id": "2024-x", "title": "“三进”工作法"}, body="")


def test_edit_address_of_a_case_is_its_source_file():
    assert feedback.source_edit_url(REPO, "edit/main/docs/", "/repo/docs", "cases/2024-x.md") == (
        f"{REPO}/edit/main/cases/2024-x.md"
    )
    assert feedback.source_edit_url(REPO + "/", "blob/dev/docs/", "docs", "cases/a.md") == f"{REPO}/blob/dev/cases/a.md"
    assert feedback.source_edit_url("", "edit/main/docs/", "docs", "cases/a.md") is None
    assert feedback.source_edit_url(REPO, None, "docs", "cases/a.md") is None


def test_correction_link_prefills_the_issue_form_with_the_case():
    section = feedback.feedback_section(CASE, REPO, "https://example.org/lib/", f"{REPO}/edit/main/cases/2024-x.md")
    correction = section.split("[纠错](<", 1)[1].split(">)", 1)[0]
    query = parse_qs(urlsplit(correction).query)
    assert correction.startswith(f"{REPO}/issues/new?")
    assert query == {
        "template": ["correction.yml"],
        "title": ["纠错：“三进”工作法"],
        "case": ["2024-x（“三进”工作法）"],
        "url": ["https://example.org/lib/cases/2024-x/"],
    }
    assert f"[推荐一个案例](<{REPO}/issues/new?template=recommend-case.yml>)" in section
    assert f"(<{REPO}/edit/main/cases/2024-x.md>)" in section


def test_no_repository_no_links():
    assert feedback.feedback_section(CASE, "", "https://example.org/", None) == ""
    assert feedback.feedback_section(CASE, None, None, None) == ""


def test_the_issue_forms_the_links_name_exist_and_prefill_by_field_id():
    forms = ROOT / ".github" / "ISSUE_TEMPLATE"
    correction = yaml.safe_load((forms / feedback.CORRECTION_FORM).read_text(encoding="utf-8"))
    assert {item.get("id") for item in correction["body"]} >= {"case", "url", "what"}
    assert (forms / feedback.RECOMMEND_FORM).is_file()


def test_case_pages_link_to_their_source_only_with_a_repository(tmp_path):
    project = copy_project(tmp_path / "project")
    with_repo = build_site(
        project,
        tmp_path / "with",
        env={
            "CASELIB_REPO_URL": REPO,
            "CASELIB_SITE_URL": "https://example.org/lib/",
            "CASELIB_EDIT_URI": "edit/main/docs/",
        },
    )
    assert with_repo.returncode == 0, with_repo.stderr[-3000:]
    page = (tmp_path / "with" / "cases" / "2019-swpu-sili" / "index.html").read_text(encoding="utf-8")
    assert f'href="{REPO}/edit/main/cases/2019-swpu-sili.md"' in page  # the edit button and the link
    assert f'href="{REPO}/issues/new?template=correction.yml&amp;title=' in page
    assert f'href="{REPO}/issues/new?template=recommend-case.yml"' in page
    assert 'data-md-component="source"' not in page  # no request to api.github.com for stars
    about = (tmp_path / "with" / "about" / "index.html").read_text(encoding="utf-8")
    assert f'href="{REPO}/edit/main/docs/about.md"' in about
    sitemap = (tmp_path / "with" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/lib/cases/2019-swpu-sili/</loc>" in sitemap

    without = build_site(
        project, tmp_path / "without", env={"CASELIB_REPO_URL": "", "CASELIB_SITE_URL": "", "CASELIB_EDIT_URI": ""}
    )
    assert without.returncode == 0, without.stderr[-3000:]
    for path in (tmp_path / "without").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "/issues/new" not in text and "/edit/main/" not in text and "md-source" not in text, path
