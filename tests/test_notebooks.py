"""Every committed notebook is a finished story: executed, figures visible, no checks in its cells.

nbval re-executes the notebooks and compares their *text* outputs strictly;
it does not compare image bytes (``image/png`` is in its skip list unless
``--nbdime``), so these tests check what nbval cannot: that a cell which draws
holds an image, that every code cell was run, and that reader cells hold no
``assert`` (the checks live in ``tests/test_notebook_claims.py``).
"""

import ast
import base64
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: A code cell draws if it calls a ``draw_*`` figure function or pyplot.
DRAWS = re.compile(r"\bdraw_\w+\(|\bplt\.(subplots|figure|show|plot)\(|\.plot\(")
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")


def _code_cells(path):
    nb = nbformat.read(path, as_version=4)
    return [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]


def _images(cell):
    return [o["data"][t] for o in cell.get("outputs", []) if "data" in o
            for t in IMAGE_TYPES if t in o["data"]]


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    for name in ("01_replica_hotspot.ipynb", "02_shadow_clone_warmup.ipynb",
                 "03_content_cache.ipynb", "04_rpo_rto.ipynb"):
        assert name in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_code_cell_was_executed_in_order(path):
    counts = []
    for i, cell in _code_cells(path):
        assert cell.execution_count is not None, f"{path.name} cell {i} was never executed"
        counts.append(cell.execution_count)
    assert counts == sorted(counts), f"{path.name}: cells executed out of order {counts}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_that_draws_shows_its_figure(path):
    for i, cell in _code_cells(path):
        if not DRAWS.search(cell.source):
            continue
        images = _images(cell)
        assert images, f"{path.name} cell {i} draws but holds no image output"
        for data in images:
            if isinstance(data, str) and not data.lstrip().startswith("<"):
                raw = base64.b64decode(data)
                assert raw.startswith(b"\x89PNG") and len(raw) > 5_000, f"{path.name} cell {i}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_figure_left_unrendered(path):
    """A ``<Figure size ...>`` text without its image means the backend did not render it."""
    for i, cell in _code_cells(path):
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain", "")
            if isinstance(text, list):
                text = "".join(text)
            if text.startswith("<Figure size"):
                assert any(t in out["data"] for t in IMAGE_TYPES), f"{path.name} cell {i}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_errors_in_outputs(path):
    for i, cell in _code_cells(path):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{path.name} cell {i}: {out.get('ename')}"
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = "".join(out.get("text", ""))
                assert "Traceback" not in text, f"{path.name} cell {i}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_reader_cells_hold_no_asserts(path):
    for i, cell in _code_cells(path):
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        tree = ast.parse(source)
        asserts = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        assert not asserts, (f"{path.name} cell {i} holds assert statements (lines {asserts}); "
                             "state the agreement in a sentence or table and check it in tests")


def test_sanitize_rules_touch_no_figure_or_number_text():
    """The sanitize rules only hide addresses and timings, never numbers the notebooks state."""
    text = (ROOT / "notebooks" / "sanitize.cfg").read_text()
    regexes = [line.split(":", 1)[1].strip() for line in text.splitlines()
               if line.startswith("regex:")]
    assert regexes
    for rx in regexes:
        for sample in ("<Figure size 960x600 with 1 Axes>", "Monte Carlo 1.234 ms",
                       "closed form 67.82 min", "0.8534"):
            assert not re.search(rx, sample), (rx, sample)
