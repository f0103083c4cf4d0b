"""`hcimodel size` and `hcimodel example`: exit codes and outputs."""

import base64
import json
import re

import pytest

from hcimodel.cli import main
from hcimodel.sizing import loads, size
from hcimodel.sizing.api import example_text
from hcimodel.sizing.report import FORMATS, render

SCENARIO = """
[scenario]
name = "cli test"
[pools.office]
count = 400
image = "200 MB"
private = "20 MB"
boot_read = "150 MB"
clone = ["shadow_clones", "full_clones"]
login_iops = {min = 8, max = 13}
[protection]
mode = "async"
rpo = "4 h"
"""


@pytest.fixture(scope="module")
def result():
    return size(loads(SCENARIO), n_draws=60, seed=7)


@pytest.fixture
def scenario_file(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(SCENARIO)
    return p


def test_example_prints_the_commented_scenario(capsys):
    assert main(["example"]) == 0
    out = capsys.readouterr().out
    assert out == example_text()
    assert loads(out).pools["knowledge"]["count"] == 1000


@pytest.mark.parametrize("fmt", FORMATS)
def test_size_writes_every_format(scenario_file, tmp_path, capsys, fmt):
    out = tmp_path / f"report.{fmt}"
    rc = main(["size", str(scenario_file), "--format", fmt, "--out", str(out), "--seed", "7",
               "--draws", "60"])
    assert rc == 0
    assert "wrote" in capsys.readouterr().out
    text = out.read_text()
    assert "cli test" in text and "pools.office.count" in text  # inputs echoed
    assert "0.1.0" in text  # package version


def test_size_prints_markdown_to_stdout(scenario_file, capsys):
    assert main(["size", str(scenario_file), "--draws", "30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Sizing: cli test")
    assert "seed 0" in out and "| shadow_clones |" in out


@pytest.mark.parametrize("argv, words", [
    (["size", "MISSING.toml"], ["MISSING.toml", "cannot read"]),
    (["size", "BAD"], ["pools.office.count", "-3"]),
    (["size", "SYNTAX"], ["TOML syntax error", "line 2"]),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, argv, words):
    (tmp_path / "BAD").write_text("[pools.office]\ncount = -3\n")
    (tmp_path / "SYNTAX").write_text("[pools.office]\ncount = \n")
    argv = [argv[0], str(tmp_path / argv[1])]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hcimodel: error:")
    assert "Traceback" not in err
    for w in words:
        assert w in err


@pytest.mark.parametrize("extra", [["--confidence", "1.5"], ["--confidence", "x"],
                                   ["--seed", "-1"], ["--format", "pdf"]])
def test_bad_options_exit_2(scenario_file, capsys, extra):
    with pytest.raises(SystemExit) as info:
        main(["size", str(scenario_file), *extra])
    assert info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_bad_out_path_exits_2(scenario_file, tmp_path, capsys):
    assert main(["size", str(scenario_file), "--draws", "10", "--out",
                 str(tmp_path / "no" / "such" / "dir" / "r.md")]) == 2
    assert "--out: cannot write" in capsys.readouterr().err


def test_json_report_round_trips(result):
    d = json.loads(render(result, "json"))
    assert d["seed"] == 7 and d["n_draws"] == 60 and d["version"] == "0.1.0"
    assert [s["strategy"] for s in d["strategies"]] == ["shadow_clones", "full_clones"]
    assert d["inputs"]["pools.office.login_iops"] == "uniform(8, 13)"


def test_csv_report_is_tidy(result):
    lines = render(result, "csv").splitlines()
    assert lines[0] == "strategy,section,metric,value"
    assert "all,meta,seed,7" in lines
    assert any(line.startswith("full_clones,answer,nodes,") for line in lines)


def test_html_report_is_self_contained_with_three_charts(result):
    page = render(result, "html")
    imgs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(imgs) == 3
    for b in imgs:
        assert base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http://" not in page and "https://" not in page  # nothing fetched
    assert "seed 7" in page and "0.1.0" in page and "[pools.office]" in page


def test_render_rejects_unknown_formats(result):
    with pytest.raises(ValueError, match="format must be one of"):
        render(result, "pdf")
