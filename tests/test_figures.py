"""Figures are data: regenerating them gives the committed CSVs, byte for byte."""

import subprocess
from pathlib import Path

import pytest

from hcimodel import cli, figures

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "papers" / "figures"


def _committed_text(path: Path) -> str:
    """The committed version of a file (git HEAD), or the file on disk outside git."""
    rel = path.relative_to(ROOT).as_posix()
    try:
        return subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return path.read_text()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    skipped = []
    written = figures.reproduce(out, skipped=skipped)
    return out, written, dict(skipped)


def test_every_figure_has_png_and_csv(regenerated):
    out, written, skipped = regenerated
    names = {p.stem for p in written}
    assert names | set(skipped) == set(figures.FIGURES)
    for name in names:
        assert (out / f"{name}.png").stat().st_size > 10_000
        assert (out / f"{name}.csv").stat().st_size > 100


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_regenerated_csv_matches_the_committed_one(regenerated, name):
    out, _, skipped = regenerated
    if name in skipped:
        pytest.skip(f"{name} needs real data: {skipped[name]}")
    assert (COMMITTED / f"{name}.csv").exists(), f"run `hcimodel reproduce` and commit {name}"
    assert (out / f"{name}.csv").read_text() == _committed_text(COMMITTED / f"{name}.csv")


def test_a_figure_without_its_data_is_skipped_not_fatal(tmp_path, monkeypatch):
    def missing(out_dir):
        raise FileNotFoundError("trace.vscsi not found; set HCIMODEL_DATA")

    monkeypatch.setitem(figures.FIGURES, "needs_data", missing)
    skipped = []
    figures.reproduce(tmp_path, ["needs_data"], skipped=skipped)
    assert skipped == [("needs_data", "trace.vscsi not found; set HCIMODEL_DATA")]
    with pytest.raises(FileNotFoundError):
        figures.reproduce(tmp_path, ["needs_data"])


def test_unknown_figure_is_one_clear_line(capsys):
    assert cli.main(["reproduce", "--out", "/tmp/x", "no_such_figure"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no_such_figure" in err[0]
