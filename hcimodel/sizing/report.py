"""Reports of a :class:`~hcimodel.sizing.SizingResult`: Markdown, CSV, JSON, HTML.

Every report echoes the inputs, the package version and the seed. The HTML
report is one self-contained file (charts as inline base64 PNG): nodes versus
the probability that the node-dependent targets hold, the nodes each limit asks for, and
the tornado ranking.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math

import numpy as np
import polars as pl

from .. import units
from .core import LIMITS, fmt_bps

__all__ = ["FORMATS", "render", "to_markdown", "to_csv", "to_json", "to_html", "figures"]

FORMATS = ("md", "csv", "json", "html")
_LIMIT_NAMES = {"minimum": "minimum cluster (RF)", "cpu": "CPU", "memory": "memory",
                "capacity": "capacity", "read_latency": "p95 read latency",
                "boot_storm": "boot storm", "rto": "RTO"}


def _n(x) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else (
        "> max" if isinstance(x, float) and math.isinf(x) else f"{int(x)}")


def _d(x) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else units.format_duration(x)


def _answer_rows(res):
    rows = []
    for s in res.strategies:
        m = s.metrics
        rows.append([
            s.strategy, _n(s.nodes), ", ".join(_LIMIT_NAMES[b] for b in s.binding) or "-",
            _n(s.nodes_at_confidence) if res.n_draws else "-",
            f"{m['desktops_per_node']:.1f}", _d(m["read_latency_p95_s"]), _d(m["boot_storm_s"]),
            f"{m['hit_ratio']:.2f}" + (f" (P {m['hit_ratio_probability']:.0%})"
                                       if "hit_ratio_probability" in m and res.n_draws else ""),
            units.format_bytes(m["cache_per_node_bytes"]),
            (f"{units.format_bytes(m['warmup_bytes'])} in {_d(m['warmup_s'])}"
             if m["warmup_bytes"] else "-"), _d(m.get("rto_s", math.nan))])
    return rows


_ANSWER_HEAD = ["strategy", "nodes", "binding limit", "nodes at confidence",
                "desktops per node", "p95 read latency", "boot storm", "hit ratio",
                "cache per node", "warm-up after an image update", "RTO"]


def _table(head, rows) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _protection_lines(res) -> list[str]:
    p = res.protection
    if not p.get("protected_desktops"):
        return [f"Nothing is replicated (mode {p.get('mode')}; floating pools need no "
                "replication)."]
    return [
        f"- {int(p['protected_desktops']):,} persistent desktops in "
        f"{int(p['protection_domains'])} protection domains, {p['mode']} snapshots every "
        f"{_d(p['interval_s'])}" + (" (NearSync fell back to hourly)" if p["fallback"] else ""),
        f"- delta per snapshot {units.format_bytes(p['delta_bytes'])}, sent in "
        f"{_d(p['transfer_s'])} over {fmt_bps(p['wan_bps'])}",
        f"- worst data loss {_d(p['worst_loss_s'])}, mean {_d(p['mean_loss_s'])}; RPO target "
        f"{_d(p['rpo_target_s'])}: {'met' if p['met'] else 'not met'}",
        f"- least WAN bandwidth for the target: {fmt_bps(p['bandwidth_needed_bps'])}"] + (
        [f"- over the uncertain inputs (the RPO does not depend on the node count): target "
         f"met with probability {p['probability_met']:.0%}; at {res.confidence:.0%} "
         f"confidence the worst loss is {_d(p['worst_loss_at_confidence_s'])} and the target "
         f"needs {fmt_bps(p['bandwidth_at_confidence_bps'])}"]
        if "probability_met" in p else [])


def _tornado_rows(res, limit=12):
    t = res.tornado
    if t.is_empty():
        return []
    first = res.strategies[0].strategy
    top = (t.filter(pl.col("strategy") == first)
           .sort(["rank", "relative_swing"], descending=[False, True])
           .group_by("input", maintain_order=True).first().sort("rank").head(limit))
    return [[r["rank"], r["input"], f"{r['low']} .. {r['high']}", _METRIC_NAMES[r["metric"]],
             f"{_value(r['metric'], r['value_low'])} .. {_value(r['metric'], r['value_high'])}",
             f"{r['relative_swing']:.1%}"]
            for r in top.iter_rows(named=True)]


_METRIC_NAMES = {"nodes": "nodes", "read_latency_p95_s": "p95 read latency",
                 "boot_storm_s": "boot storm", "rto_s": "RTO",
                 "rpo_transfer_s": "RPO transfer time", "hit_ratio": "hit ratio"}


def _value(metric: str, x: float) -> str:
    if metric.endswith("_s"):
        return _d(x)
    return _n(x) if metric == "nodes" else f"{x:.4g}"


def to_markdown(res) -> str:
    """The report as Markdown."""
    out = [f"# Sizing: {res.name}", "",
           f"hcimodel {res.version}, seed {res.seed}, "
           + (f"{res.n_draws:,} draws of {len(_uncertain(res))} uncertain inputs "
              f"({res.levels} levels each), confidence {res.confidence:.0%}"
              if res.n_draws else "no uncertain inputs (deterministic)"), "",
           "## Answer", "", _table(_ANSWER_HEAD, _answer_rows(res)), ""]
    if res.messages:
        out += ["## Targets not met", ""] + [f"- {m}" for m in res.messages] + [""]
    out += ["## Nodes each limit asks for (headroom included)", "",
            _table(["strategy"] + [_LIMIT_NAMES[k] for k in LIMITS],
                   [[s.strategy] + [_n(s.limits[k]) for k in LIMITS] for s in res.strategies]),
            "", "## Protection", ""] + _protection_lines(res) + [""]
    if res.notes:
        out += ["## Notes on assumptions", ""] + [f"- {n}" for n in res.notes] + [""]
    if res.n_draws:
        out += ["## Probability that the node-dependent targets hold", "",
                "CPU, memory, capacity, login-storm latency, boot storm and RTO, over the "
                "draws (smaller clusters: 0). The RPO does not depend on the node count: its "
                "odds are under Protection (every target together: `probability_all` in the "
                "JSON and CSV).",
                "",
                _table(["nodes"] + [s.strategy for s in res.strategies],
                       [[int(h)] + [f"{s.probability[i]:.3f}" for s in res.strategies]
                        for i, h in enumerate(res.node_range) if i >= _first_row(res)]), ""]
    if any(s.largest_pool for s in res.strategies):
        hs = sorted({h for s in res.strategies for h in s.largest_pool})
        out += ["## Largest first pool per node count", "",
                _table(["nodes"] + [s.strategy for s in res.strategies],
                       [[h] + [_n(s.largest_pool.get(h)) for s in res.strategies] for h in hs]),
                ""]
    rows = _tornado_rows(res)
    if rows:
        out += [f"## Tornado ({res.strategies[0].strategy}): each input at the ends of its "
                "range", "", _table(["rank", "input", "range", "metric most moved",
                                     "low .. high", "relative swing"], rows), ""]
    out += ["## Inputs", "", _table(["input", "value"],
                                    [[k, v] for k, v in res.inputs.items()]), ""]
    return "\n".join(out)


def _first_row(res) -> int:
    """Index of the first node count worth a row: one below the first with odds above 0."""
    nonzero = [int(np.argmax(s.probability > 0)) for s in res.strategies
               if np.any(s.probability > 0)]
    return max(min(nonzero, default=0) - 1, 0)


def _uncertain(res):
    return [k for k, v in res.inputs.items() if isinstance(v, str) and "(" in v
            and v.split("(")[0] in ("uniform", "triangular", "loguniform")]


def to_csv(res) -> str:
    """Tidy CSV: strategy, section, metric, value; with meta and input rows."""
    frame = res.to_frame().with_columns(pl.col("value").cast(pl.Utf8))
    meta = pl.DataFrame({"strategy": "all", "section": "meta",
                         "metric": ["name", "version", "seed", "confidence", "n_draws"],
                         "value": [res.name, res.version, str(res.seed), str(res.confidence),
                                   str(res.n_draws)]})
    inputs = pl.DataFrame({"strategy": "all", "section": "input",
                           "metric": list(res.inputs), "value": [str(v) for v in
                                                                 res.inputs.values()]})
    msgs = pl.DataFrame({"strategy": "all", "section": "message",
                         "metric": [f"{i + 1}" for i in range(len(res.messages))],
                         "value": list(res.messages)}, schema=frame.schema)
    notes = pl.DataFrame({"strategy": "all", "section": "note",
                          "metric": [f"{i + 1}" for i in range(len(res.notes))],
                          "value": list(res.notes)}, schema=frame.schema)
    buf = io.StringIO()
    pl.concat([meta, frame, msgs, notes, inputs]).write_csv(buf)
    return buf.getvalue()


def to_json(res) -> str:
    """The result as JSON (:meth:`SizingResult.to_dict`)."""
    return json.dumps(res.to_dict(), indent=1, ensure_ascii=False)


def figures(res):
    """The three report charts as matplotlib Figures (no pyplot state)."""
    from matplotlib.figure import Figure

    figs = []
    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    ax = fig.add_subplot()
    for s in res.strategies:
        line, = ax.step(res.node_range, s.probability, where="post",
                        label=f"{s.strategy}: node-dependent targets")
        ax.step(res.node_range, s.probability_all, where="post", ls="--", color=line.get_color(),
                label=f"{s.strategy}: with the RPO too")
    ax.axhline(res.confidence, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("nodes")
    ax.set_ylabel("probability that the targets hold")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("Nodes versus the probability that the targets hold")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    figs.append(fig)

    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    ax = fig.add_subplot()
    k = len(res.strategies)
    y = np.arange(len(LIMITS))
    for i, s in enumerate(res.strategies):
        vals = [s.limits[n] if math.isfinite(s.limits[n]) else np.nan for n in LIMITS]
        ax.barh(y + (i - (k - 1) / 2) * 0.8 / k, vals, height=0.8 / k, label=s.strategy)
    ax.set_yticks(y, [_LIMIT_NAMES[n] for n in LIMITS], fontsize=8)
    ax.set_xlabel("nodes asked for (headroom included; missing bar: above the maximum)")
    ax.set_title("Which limit binds")
    ax.legend(fontsize=7)
    fig.tight_layout()
    figs.append(fig)

    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    ax = fig.add_subplot()
    rows = _tornado_rows(res)
    if rows:
        labels = [f"{r[1].split('.')[-1]} ({r[3]})" for r in rows][::-1]
        vals = [float(r[5].rstrip("%")) for r in rows][::-1]
        ax.barh(np.arange(len(rows)), vals, color="C3")
        ax.set_yticks(np.arange(len(rows)), labels, fontsize=7)
        ax.set_xlabel("swing between the ends of the range, % of the nominal value")
    else:
        ax.text(0.5, 0.5, "no uncertain inputs", ha="center", va="center")
    ax.set_title(f"Tornado ({res.strategies[0].strategy})\nranked by the nodes each input "
                 "moves, then by swing", fontsize=10)
    fig.tight_layout()
    figs.append(fig)
    return figs


def _png(fig) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def to_html(res) -> str:
    """One self-contained HTML page with the report and its three charts."""
    def table(head, rows):
        h = "".join(f"<th>{html.escape(str(c))}</th>" for c in head)
        b = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
                    for r in rows)
        return f"<table><tr>{h}</tr>{b}</table>"

    imgs = "".join(f'<p><img alt="chart" src="data:image/png;base64,{_png(f)}"></p>'
                   for f in figures(res))
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>Sizing: {html.escape(res.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse;font-size:90%}td,th{border:1px solid #ccc;"
        "padding:2px 6px}</style></head><body>",
        f"<h1>Sizing: {html.escape(res.name)}</h1>",
        f"<p>hcimodel {html.escape(res.version)}, seed {res.seed}, {res.n_draws:,} draws, "
        f"confidence {res.confidence:.0%}</p>",
        "<h2>Answer</h2>", table(_ANSWER_HEAD, _answer_rows(res))]
    if res.messages:
        parts += ["<h2>Targets not met</h2><ul>"] + [f"<li>{html.escape(m)}</li>"
                                                    for m in res.messages] + ["</ul>"]
    parts += ["<h2>Charts</h2>", imgs, "<h2>Nodes each limit asks for</h2>",
              table(["strategy"] + [_LIMIT_NAMES[k] for k in LIMITS],
                    [[s.strategy] + [_n(s.limits[k]) for k in LIMITS] for s in res.strategies]),
              "<h2>Protection</h2><ul>"]
    parts += [f"<li>{html.escape(line[2:])}</li>" for line in _protection_lines(res)] + ["</ul>"]
    if res.notes:
        parts += ["<h2>Notes on assumptions</h2><ul>"] + [f"<li>{html.escape(n)}</li>"
                                                         for n in res.notes] + ["</ul>"]
    rows = _tornado_rows(res)
    if rows:
        parts += ["<h2>Tornado</h2>", table(["rank", "input", "range", "metric most moved",
                                             "low .. high", "relative swing"], rows)]
    parts += ["<h2>Inputs</h2>", table(["input", "value"], list(res.inputs.items())),
              "<h2>Scenario file</h2>",
              f"<pre>{html.escape(res.scenario_text)}</pre></body></html>"]
    return "\n".join(parts)


def render(res, fmt: str) -> str:
    """The report in one of :data:`FORMATS`."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    return {"md": to_markdown, "csv": to_csv, "json": to_json, "html": to_html}[fmt](res)
