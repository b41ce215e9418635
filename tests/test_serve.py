"""`python -m phm_profile serve`: Streamlit's page with the chart bundle imported as it boots (cli.chart_bundle_preloaded)."""

from pathlib import Path

from phm_profile.cli import chart_bundle_preloaded

PAGE = ('<html><head><script>window.prerenderReady = false</script>\n'
        '<script type="module" crossorigin src="./static/js/index.Ab12.js"></script>\n'
        '<link rel="modulepreload" crossorigin href="./static/js/react-dom.X1.js"></head><body></body></html>')


def static_folder(tmp_path: Path, page: str = PAGE, bundles=("PlotlyChart.D9Z0_fxz.js",)) -> Path:
    static = tmp_path / "streamlit_static"
    (static / "static" / "js").mkdir(parents=True)
    (static / "index.html").write_text(page)
    (static / "favicon.png").write_bytes(b"png")
    for name in ("index.Ab12.js", *bundles):
        (static / "static" / "js" / name).write_text("export default 1;")
    return static


def test_the_page_imports_the_bundle_after_streamlits_own_code_and_links_everything_else(tmp_path):
    static = static_folder(tmp_path)
    served = chart_bundle_preloaded(static)
    page = (served / "index.html").read_text()
    boot = page.index('src="./static/js/index.Ab12.js"></script>')
    assert page.index('<script type="module">import("./static/js/PlotlyChart.D9Z0_fxz.js")</script>') > boot
    assert page.replace('\n    <script type="module">import("./static/js/PlotlyChart.D9Z0_fxz.js")</script>', "") == PAGE
    assert (served / "static").resolve() == (static / "static").resolve()
    assert (served / "favicon.png").read_bytes() == b"png"
    assert (static / "index.html").read_text() == PAGE  # Streamlit's own file untouched


def test_streamlits_files_are_served_as_they_are_when_not_as_expected(tmp_path):
    assert chart_bundle_preloaded(static_folder(tmp_path / "none", bundles=())) is None
    assert chart_bundle_preloaded(static_folder(tmp_path / "two", bundles=("PlotlyChart.a.js", "PlotlyChart.b.js"))) is None
    assert chart_bundle_preloaded(static_folder(tmp_path / "other", page="<html>no boot script</html>")) is None
    assert chart_bundle_preloaded(tmp_path / "missing") is None
