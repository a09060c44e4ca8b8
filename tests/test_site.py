"""The HTML site index lists each executed notebook that has an HTML copy."""

from helpers.runner import load_catalogue
from helpers.site import write_index


def test_index_links_every_html_copy(tmp_path):
    runs = load_catalogue()
    for run in runs[:3]:
        (tmp_path / f"{run.name}.html").write_text("<html></html>")
    text = write_index(tmp_path).read_text()
    for run in runs[:3]:
        assert f'href="{run.name}.html"' in text
    assert f'href="{runs[3].name}.html"' not in text
    assert "report_id=heading-back-to-harm" in text
