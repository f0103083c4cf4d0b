"""Build a notebook from a python file with '# %%' cells ('# %% [markdown]' for text), execute it in place."""
import sys, re, time
import nbformat
from nbclient import NotebookClient

src, out = sys.argv[1], sys.argv[2]
text = open(src).read()
cells = []
for chunk in re.split(r"^# %%", text, flags=re.M)[1:]:
    header, _, body = chunk.partition("\n")
    body = body.strip("\n")
    if header.strip().startswith("[markdown]"):
        md = "\n".join(l[2:] if l.startswith("# ") else l.lstrip("#") for l in body.splitlines())
        cells.append(nbformat.v4.new_markdown_cell(md))
    else:
        cells.append(nbformat.v4.new_code_cell(body))
nb = nbformat.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
t = time.time()
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}).execute()
print(f"executed in {time.time()-t:.1f} s")
for c in nb.cells:
    c.metadata = {}
    if c.cell_type == "code":
        for o in c.outputs:
            o.get("metadata", {}).clear() if isinstance(o.get("metadata"), dict) else None
nbformat.write(nb, out)
