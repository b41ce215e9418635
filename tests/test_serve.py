"""`python -m phm_profile serve`: Streamlit's page made to boot faster (cli.served_static): the chart bundle imported as
it starts, the server found at once."""

from pathlib import Path

from phm_profile.cli import served_static

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
    served = served_static(static)
    page = (served / "index.html").read_text()
    boot = page.index('<script type="module" crossorigin src="./static/js/index.Ab12.js"></script>')
    assert page.index('<script type="module">import("./static/js/PlotlyChart.D9Z0_fxz.js")</script>') > boot
    # the server's address set before Streamlit's code reads it: the folder of the page's own address
    setting = page.index('<script>window.__streamlit = {...window.__streamlit, BACKEND_BASE_URL: '
                         'new URL(".", window.location.href).href}</script>')
    assert setting < boot
    added = [line.strip() for line in page.splitlines() if line.strip() not in PAGE]
    assert len(added) == 2, added  # nothing else of Streamlit's page changed
    assert (served / "static").resolve() == (static / "static").resolve()
    assert (served / "favicon.png").read_bytes() == b"png"
    assert (static / "index.html").read_text() == PAGE  # Streamlit's own file untouched


def test_streamlits_files_are_served_as_they_are_when_not_as_expected(tmp_path):
    assert served_static(static_folder(tmp_path / "none", bundles=())) is None
    assert served_static(static_folder(tmp_path / "two", bundles=("PlotlyChart.a.js", "PlotlyChart.b.js"))) is None
    assert served_static(static_folder(tmp_path / "other", page="<html>no boot script</html>")) is None
    assert served_static(tmp_path / "missing") is None
    set_already = PAGE.replace("<head>", "<head><script>window.__streamlit = {}</script>")  # a host's own setting kept
    assert served_static(static_folder(tmp_path / "hosted", page=set_already)) is None
