"""The site's Markdown settings: the one place they are written.

MkDocs gets them from the plugin (`on_config`), the checker and the booklet from `renderer()`, so
a case body is judged and printed exactly as the site renders it. mkdocs.yml names no
`markdown_extensions` (the plugin refuses a build where it does: they would reach the site but
not the checker). The list starts with the extensions MkDocs always adds, in its order.
"""

from __future__ import annotations

import markdown
from pymdownx.slugs import slugify

MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")
EXTENSIONS = [*MKDOCS_BUILTINS, "admonition", "attr_list"]


def configs() -> dict[str, dict]:
    """Options per extension, as MkDocs passes them to Python-Markdown (`mdx_configs`)."""
    return {
        "toc": {
            "permalink": "¶",
            "toc_depth": "2-4",
            # heading ids keep Chinese characters (the default drops them), lower-cased
            "slugify": slugify(case="lower"),
        }
    }


def renderer() -> markdown.Markdown:
    """A Markdown converter with the site's settings (call .reset() between documents)."""
    return markdown.Markdown(extensions=list(EXTENSIONS), extension_configs=configs())
