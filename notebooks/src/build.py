"""Build a notebook from a ``# %%`` Python source and execute it.

Usage::

    .venv/bin/python notebooks/src/build.py notebooks/src/01_replica_hotspot.py \\
        notebooks/01_replica_hotspot.ipynb

Cells start at ``# %%`` lines; ``# %% [markdown]`` cells hold text, each line
prefixed with ``# ``. The notebook is executed from ``notebooks/`` (as nbval
runs it) and written with its outputs, figures included as inline PNG images
(the kernel runs with Jupyter's inline backend whatever ``MPLBACKEND`` says
outside), cell metadata cleared so that a rebuild changes nothing but what the
code printed and drew.
"""

import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient


def build(src: str) -> nbformat.NotebookNode:
    """Parse ``src`` (text of a ``# %%`` file) into an unexecuted notebook."""
    cells = []
    for chunk in re.split(r"^# %%", src, flags=re.M)[1:]:
        header, _, body = chunk.partition("\n")
        body = body.strip("\n")
        if header.strip().startswith("[markdown]"):
            text = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                             for line in body.splitlines())
            cells.append(nbformat.v4.new_markdown_cell(text))
        else:
            cells.append(nbformat.v4.new_code_cell(body))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main(src_path: str, out_path: str) -> None:
    with open(src_path) as f:
        nb = build(f.read())
    # figures must land in the notebook as images, as a reader's Jupyter shows them
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    start = time.time()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": "notebooks"}}).execute()
    print(f"executed in {time.time() - start:.1f} s")
    for cell in nb.cells:
        cell.metadata = {}
        for output in cell.get("outputs", []):
            if isinstance(output.get("metadata"), dict):
                output["metadata"].clear()
    nbformat.write(nb, out_path)


if __name__ == "__main__":
    main(*sys.argv[1:3])
