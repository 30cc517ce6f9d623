"""Links from a case page back to the repository: edit its source file, report an error in it
(纠错), recommend a case (推荐一个案例). Made only when the site names its repository
(`repo_url` in mkdocs.yml); without one, no link at all (never a placeholder address).
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote, urlencode

from ..model.cases import Case
from .mdtext import md_text
from .urls import case_path, page_url

RECOMMEND_FORM = "recommend-case.yml"  # .github/ISSUE_TEMPLATE/
CORRECTION_FORM = "correction.yml"


def _repo(repo_url: str | None) -> str:
    return (repo_url or "").strip().rstrip("/")


def source_edit_url(repo_url: str | None, edit_uri: str | None, docs_dir: str, source: str) -> str | None:
    """The edit address of a file of the repository (`cases/x.md`), from the site's edit address
    for its pages (`edit_uri`, e.g. edit/main/docs/: the part before the docs folder is the
    repository's root). None without a repository or an edit address."""
    repo = _repo(repo_url)
    if not repo or not edit_uri:
        return None
    root = edit_uri.rstrip("/") + "/"
    docs = posixpath.basename(docs_dir.rstrip("/")) + "/"
    if root.endswith("/" + docs) or root == docs:
        root = root[: -len(docs)]
    return f"{repo}/{root.lstrip('/')}{quote(source)}"


def issue_form_url(repo_url: str | None, form: str, **fields: str) -> str | None:
    """A new issue on the repository's form, fields prefilled (GitHub fills a form's field by its id)."""
    repo = _repo(repo_url)
    if not repo:
        return None
    return f"{repo}/issues/new?" + urlencode({"template": form, **fields})


def feedback_section(case: Case, repo_url: str | None, site_url: str | None, edit_url: str | None) -> str:
    """The end of a case page: correct it, edit its file, recommend another case (Markdown; empty
    without a repository)."""
    if not _repo(repo_url):
        return ""
    address = (site_url or "").rstrip("/") + "/" + page_url(case_path(case)) if site_url else ""
    correction = issue_form_url(
        repo_url,
        CORRECTION_FORM,
        title=f"纠错：{case.title}",
        case=f"{case.id}（{case.title}）",
        url=address or case.path,
    )
    recommend = issue_form_url(repo_url, RECOMMEND_FORM)
    links = [f"[纠错](<{correction}>)"]
    if edit_url:
        links.append(f"[修改本案例的文件 {md_text(case.path)}](<{edit_url}>)")
    links.append(f"[推荐一个案例](<{recommend}>)")
    return "\n\n---\n\n发现错误或想补充？" + " · ".join(links) + "\n"
