"""The whitepaper regenerates itself: its tables from code, its figures from
``hcimodel reproduce``, rendered to HTML and PDF by the installed toolchain."""

from __future__ import annotations

from pathlib import Path

import pytest

from hcimodel import cli, figures, paper

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "papers" / "whitepaper.md"
TABLES = ROOT / "papers" / "tables"


@pytest.fixture(scope="module")
def regenerated_tables(tmp_path_factory):
    out = tmp_path_factory.mktemp("tables")
    return out, paper.write_tables(out)


def test_every_table_is_regenerated_as_committed(regenerated_tables, same_numbers):
    out, written = regenerated_tables
    names = {p.stem for p in written}
    assert names == set(paper.tables())
    for name in sorted(names):
        committed = TABLES / f"{name}.csv"
        assert committed.is_file(), f"run `hcimodel paper --tables-only` and commit {name}"
        new, old = (out / f"{name}.csv").read_text(), committed.read_text()
        if new != old:  # tables carry 6 significant digits: the last may flip
            same_numbers(new, old, rtol=2e-5)


def test_every_reference_of_the_paper_exists():
    refs = paper.references(SOURCE.read_text())
    assert refs["figure"], "the paper shows figures"
    for fig in refs["figure"]:
        assert (SOURCE.parent / fig).is_file(), fig
        assert Path(fig).stem in figures.FIGURES, f"{fig} is not written by hcimodel reproduce"
    assert set(refs["table"]) <= set(paper.tables())
    assert set(paper.tables()) <= set(refs["table"]), "a table is computed but not shown"
    for inc in refs["include"]:
        assert (ROOT / inc).is_file(), inc


def test_the_paper_shows_every_model_figure_family():
    shown = {Path(f).stem for f in paper.references(SOURCE.read_text())["figure"]}
    for prefix in ("hotspot", "boot_storm", "shadow_clone", "cache", "rpo", "rto", "clones"):
        assert any(s.startswith(prefix) for s in shown), prefix


def test_the_paper_builds_to_html_and_pdf(tmp_path):
    written = paper.build(SOURCE, tmp_path, write=False)
    html = (tmp_path / "whitepaper.html").read_text()
    assert "Modelling VDI storage on hyperconverged clusters" in html
    assert "{{" not in html, "a directive was left unexpanded"
    assert html.count("<img") == len(paper.references(SOURCE.read_text())["figure"])
    assert 'src="data:image/png;base64' in html  # one self-contained file
    pdf = tmp_path / "whitepaper.pdf"
    assert pdf in written and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 100_000


def test_a_missing_table_is_named(tmp_path):
    src = tmp_path / "p.md"
    src.write_text("# t\n\n{{table no_such_table}}\n")
    with pytest.raises(FileNotFoundError, match="no_such_table"):
        paper.expand(src.read_text(), tmp_path, tmp_path)


def test_cli_paper_and_defaults(tmp_path, capsys):
    assert cli.main(["defaults", "--grep", "rtt_s", "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("parameter,value,unit,status,source")
    assert any(line.startswith("cluster.rtt_s,") for line in out[1:])
    assert cli.main(["paper", "--source", str(tmp_path / "missing.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--source" in err
