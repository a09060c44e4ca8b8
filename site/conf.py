"""Sphinx configuration of the site (``make site``): MyST-NB renders the executed notebooks, never runs them.

``mfc site build/site`` stages the executed copies and a generated landing
page next to this file's settings in ``build/site-src/`` and runs Sphinx on that folder. Everything the
pages need is bundled by sphinx-book-theme; no script, style or font is fetched from the network.
"""

project = "Missing from care"
author = "The missing-from-care contributors"
copyright = "the missing-from-care contributors; data from the sources each figure names"

extensions = ["myst_nb"]
# The notebooks were executed by `mfc run`; the site shows those outputs as they are.
nb_execution_mode = "off"
nb_code_prompt_show = "Show the code"
nb_code_prompt_hide = "Hide the code"
# Links such as [the glossary](01_glossary.ipynb) between notebooks, and to headings inside them.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]
# Tables wider than the page scroll inside their own box rather than being cut off.
nb_render_markdown_format = "myst"

exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "sphinx_book_theme"
html_title = "Missing from care"
html_theme_options = {
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
}
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_js_files = ["site.js"]  # the "On this page" button opens the page's contents (see the file)
html_show_sourcelink = False
# The sources are kept: the download button of each page offers its notebook (.ipynb).
html_copy_source = True
# No MathJax: the notebooks write their formulas in plain text, and MathJax would come from a CDN.
mathjax_path = "mathjax-is-not-bundled.js"  # a page with math would show this failed load in the browser test
# Markdown that a cell prints may start at a lower heading level than its page.
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]
# Search results without page excerpts: the excerpts are fetched page by page, which a browser refuses for
# a site opened from disk (file://). The search itself runs on the bundled index.
html_show_search_summary = False


def drop_glossary_index_entries(app, doctree) -> None:
    """Remove the index entry Sphinx adds for every glossary term.

    Sphinx's search lists an index entry as its own result, titled with its page's title, so a search for a
    term ("logit", "design effect") showed "Glossary" twice: once for the entry, once for the page's text.
    The terms stay searchable as words of the glossary page (one result), and the links to each entry are
    term references, which do not need the index.
    """
    from sphinx import addnodes

    for glossary in doctree.findall(addnodes.glossary):
        for index in list(glossary.findall(addnodes.index)):
            index.parent.remove(index)


def setup(app):
    app.connect("doctree-read", drop_glossary_index_entries)
    return {"parallel_read_safe": True}
