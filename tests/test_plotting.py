"""Tests of hcimodel.plotting: style sheet, stable PNG bytes, CSV of the numbers drawn."""

import math

import matplotlib
import numpy as np
import polars as pl
import pytest
from matplotlib.figure import Figure

from hcimodel.plotting import new_figure, save_figure, style, style_path

OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]


def _figure_and_data():
    x = np.linspace(0.0, 0.95, 20)
    data = pl.DataFrame({"utilisation": x, "wait_s": x / (1.0 - x) * 1e-3})
    with style():
        fig, ax = new_figure()
        ax.plot(data["utilisation"], data["wait_s"], label="M/M/1")
        ax.set_xlabel("utilisation")
        ax.set_ylabel("mean wait (s)")
        ax.legend()
    return fig, data


def test_style_sheet_ships_with_the_package():
    with style_path() as path:
        assert path.name == "hcimodel.mplstyle" and path.is_file()


def test_style_applies_and_is_restored():
    before = matplotlib.rcParams["axes.prop_cycle"]
    with style():
        rc = matplotlib.rcParams
        assert list(rc["figure.figsize"]) == [6.4, 4.0]
        assert rc["figure.dpi"] == 150 and rc["savefig.dpi"] == 150
        assert rc["axes.grid"] is True
        assert rc["axes.spines.top"] is False and rc["axes.spines.right"] is False
        assert [c.upper() for c in rc["axes.prop_cycle"].by_key()["color"]] == OKABE_ITO
        fig, ax = new_figure()
        assert tuple(fig.get_size_inches()) == (6.4, 4.0)
        assert not ax.spines["top"].get_visible()
        assert ax.xaxis._major_tick_kw.get("gridOn", False)
    assert matplotlib.rcParams["axes.prop_cycle"] == before


def test_style_rc_overrides():
    with style({"figure.dpi": 300}):
        assert matplotlib.rcParams["figure.dpi"] == 300
        assert matplotlib.rcParams["axes.spines.top"] is False


def test_new_figure_needs_no_pyplot():
    from matplotlib._pylab_helpers import Gcf
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    n_managed = Gcf.get_num_fig_managers()
    fig, axes = new_figure(1, 2)
    assert isinstance(fig, Figure) and len(axes) == 2
    assert isinstance(fig.canvas, FigureCanvasAgg)
    assert Gcf.get_num_fig_managers() == n_managed  # not registered with pyplot


def test_png_bytes_identical_across_saves(tmp_path):
    fig, data = _figure_and_data()
    png1, csv1, svg1 = save_figure(fig, tmp_path / "a" / "fig", data)
    png2, csv2, svg2 = save_figure(fig, tmp_path / "b" / "fig.png", data)
    assert png1.name == png2.name == "fig.png" and csv1.name == "fig.csv"
    assert svg1.name == "fig.svg"
    assert png1.read_bytes() == png2.read_bytes()
    assert csv1.read_bytes() == csv2.read_bytes()
    assert svg1.read_bytes() == svg2.read_bytes()
    # a freshly drawn, identical figure gives the same bytes too
    fig3, _ = _figure_and_data()
    png3, _, svg3 = save_figure(fig3, tmp_path / "c" / "fig", data)
    assert png3.read_bytes() == png1.read_bytes()
    assert svg3.read_bytes() == svg1.read_bytes()
    raw = png1.read_bytes()
    assert raw.startswith(b"\x89PNG") and b"Software" not in raw and b"matplotlib" not in raw.lower()


def test_svg_for_print_has_no_date_nor_version(tmp_path):
    fig, data = _figure_and_data()
    _, _, svg = save_figure(fig, tmp_path / "fig.svg", data)
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "dc:date" not in text and "Matplotlib v" not in text
    # text is drawn as paths, so the file prints the same without the fonts
    assert "<text" not in text


def test_saving_leaves_the_backend_and_pyplot_alone(tmp_path):
    from matplotlib._pylab_helpers import Gcf

    backend = matplotlib.rcParams._get_backend_or_none()
    n_managed = Gcf.get_num_fig_managers()
    fig, data = _figure_and_data()
    save_figure(fig, tmp_path / "fig", data)
    assert matplotlib.rcParams._get_backend_or_none() == backend
    assert Gcf.get_num_fig_managers() == n_managed


def test_png_is_150_dpi_and_metadata_merges(tmp_path):
    from PIL import Image

    fig, data = _figure_and_data()
    png, _, _ = save_figure(fig, tmp_path / "fig", data, metadata={"Title": "M/M/1 wait"})
    with Image.open(png) as im:
        assert im.info.get("Title") == "M/M/1 wait"
        assert "Software" not in im.info
        assert round(im.info["dpi"][0]) == 150
        # cropped to the drawn content, plus a 0.05 in pad on each side
        assert 800 < im.size[0] <= (6.4 + 0.1) * 150 and 500 < im.size[1] <= (4 + 0.1) * 150


def test_csv_content_equals_the_frame(tmp_path):
    data = pl.DataFrame({
        "scenario": ["linked", "full", "linked"],
        "nodes": [4, 8, 16],
        "read_iops": [1.5e5, 2.25e5, 0.125],
        "hit_ratio": [0.5, 0.75, 1.0],
    })
    _, csv, _ = save_figure(_figure_and_data()[0], tmp_path / "fig", data)
    back = pl.read_csv(csv, schema=data.schema)
    assert back.equals(data)  # order as given, exact for values with <= 7 digits
    lines = csv.read_text().splitlines()
    assert lines[0] == "scenario,nodes,read_iops,hit_ratio"
    assert lines[1] == "linked,4,1.500000e5,5.000000e-1"


def test_csv_floats_rounded_consistently(tmp_path):
    data = pl.DataFrame({"x": [1.0 / 3.0, 2e-9 / 3.0, math.inf]})
    _, csv, _ = save_figure(_figure_and_data()[0], tmp_path / "fig", data, float_precision=3)
    assert csv.read_text().splitlines()[1:] == ["3.333e-1", "6.667e-10", "inf"]
    back = pl.read_csv(csv)["x"].to_numpy()
    np.testing.assert_allclose(back, data["x"].to_numpy(), rtol=1e-3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fig": "not a figure"}, "fig must be a matplotlib Figure"),
        ({"data": {"x": [1]}}, "data must be a polars DataFrame"),
        ({"float_precision": -1}, "float_precision"),
        ({"float_precision": 2.5}, "float_precision"),
    ],
)
def test_bad_inputs(tmp_path, kwargs, match):
    fig, data = _figure_and_data()
    args = {"fig": fig, "path": tmp_path / "fig", "data": data, **kwargs}
    with pytest.raises(ValueError, match=match):
        save_figure(**args)
    assert not (tmp_path / "fig.png").exists() and not (tmp_path / "fig.svg").exists()


def test_leaving_the_style_keeps_interactive_mode_switched_on_inside_it():
    """Jupyter's inline backend, loaded by the first figure inside the style, turns
    interactive mode on so figures show at the end of each cell: keep it on."""
    was = matplotlib.is_interactive()
    try:
        matplotlib.interactive(False)
        with style():
            matplotlib.interactive(True)
        assert matplotlib.is_interactive()
        with style():
            pass
        assert matplotlib.is_interactive()
    finally:
        matplotlib.interactive(was)
