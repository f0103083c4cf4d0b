"""The ``hcimodel`` command: answers, output formats, and one-line errors for bad input."""

import contextlib
import csv
import io
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcimodel import cli, hotspot, replication, workload
from hcimodel.cluster import Cluster, SitePair

ROOT = Path(__file__).resolve().parents[1]
# small inputs so that every happy path runs in well under a second
SMALL_CACHE = ["--desktops", "5", "--base-image", "4 MiB", "--private", "1 MiB"]
MODEL_COMMANDS = {
    "hotspot": ["hotspot", "--desktops", "800", "--nodes", "4"],
    "boot": ["boot", "--desktops", "100", "400"],
    "warmup": ["warmup", "--nodes", "8", "--desktops", "400"],
    "cache": ["cache", *SMALL_CACHE],
    "rpo": ["rpo", "--interval", "1 h", "--target", "2 h"],
    "rto": ["rto", "--desktops", "500"],
}


def run(argv):
    """main(argv) in-process: (exit status, stdout, stderr).

    A bad command line ends in SystemExit(2) as with argparse, bad input found
    while running returns 2: both are exit status 2 for the shell.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exit_:
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(code, out, err, word=None):
    assert code == 2, (code, out, err)
    assert out == "", "nothing on stdout before an input error"
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hcimodel: error: ") and "Traceback" not in err
    if word is not None:
        assert word in lines[0], lines[0]


# --------------------------------------------------------------------------- happy paths

def test_hotspot_prints_the_three_strategies():
    code, out, err = run(MODEL_COMMANDS["hotspot"] + ["--rtt", "0.2 ms"])
    assert code == 0 and err == ""
    for strategy in hotspot.STRATEGIES:
        assert strategy in out
    # host memory binds: 4 nodes x floor((256 GiB - 24 GiB CVM) / 2 GiB per desktop) = 464
    assert "464   memory" in out


def test_unstable_pool_says_so_with_the_largest_stable_pool():
    code, out, _ = run(["hotspot", "--desktops", "5000", "--format", "json"])
    rows = {r["strategy"]: r for r in json.loads(out)}
    linked = rows["linked_clones"]
    assert code == 0 and linked["stable"] is False and linked["p95_read_latency_s"] is None
    assert linked["max_cvm_utilization"] > 1
    n = linked["max_stable_pool"]
    res = hotspot.steady_state([n, n + 1], "login", "linked_clones")
    assert res.stable.tolist() == [True, False]
    assert linked["max_pool_storage"] == hotspot.max_pool_size(2e-3, "login", host=None)
    assert (linked["max_pool"], linked["binding"]) == (464, "memory")
    code, out, _ = run(["hotspot", "--desktops", "5000"])
    assert "linked_clones is unstable at 5,000 desktops" in out
    assert f"the largest stable pool is {n:,} desktops" in out
    assert "inf" not in out


def test_boot_storm_duration_per_pool_and_strategy():
    code, out, err = run(["boot", "--desktops", "100", "800", "--format", "json"])
    assert code == 0 and err == ""
    rows = json.loads(out)
    assert {(r["strategy"], r["n_desktops"]) for r in rows} == {
        (s, n) for s in hotspot.STRATEGIES for n in (100, 800)}
    expected = hotspot.boot_storm([100, 800], strategy="linked_clones").duration_s
    got = [r["duration_s"] for r in rows if r["strategy"] == "linked_clones"]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    code, out, _ = run(["boot", "--strategy", "full_clones", "--desktops", "200"])
    assert code == 0 and "full_clones" in out and "linked_clones" not in out


@pytest.mark.parametrize("argv, expected", [
    (["warmup", "--nodes", "8", "--desktops", "400"], "fetched in total"),
    (["warmup", "--nodes", "3"], "never detected"),
    (["cache", *SMALL_CACHE, "--clone-type", "full"], "content"),
    (["rpo", "--interval", "1 h", "--target", "2 h"], "worst data loss"),
    (["rpo", "--interval", "10 min", "--mode", "nearsync", "--bandwidth", "2 Mbit/s"],
     "falls back"),
    (["rto", "--desktops", "500", "--planned"], "total (RTO)"),
])
def test_model_commands(argv, expected):
    code, out, _ = run(argv)
    assert code == 0 and expected in out


def test_cache_image_sizes():
    """--base-image and --private set the pool in 4 KiB blocks (defaults 10 GiB and 1 GiB)."""
    code, out, _ = run(["cache", "--desktops", "20", "--base-image", "64 MiB",
                        "--private", "8 MiB", "--ssd", "1 GiB"])
    assert code == 0
    assert "20 full clones of a 64.0 MiB base image, 8.0 MiB private each" in out
    assert "content" in out and "extent" in out
    # no private data: every read goes to the base image (a bare 0 needs no unit)
    code, out, _ = run(["cache", "--desktops", "5", "--base-image", "1 MiB", "--private", "0"])
    assert code == 0 and "0 B private each" in out
    args = cli.build_parser().parse_args(["cache"])
    assert (args.base_image, args.private) == (10 * 2**30, 2**30)


def test_nearsync_runs_on_its_own_default_interval():
    code, out, err = run(["rpo", "--mode", "nearsync", "--format", "json"])
    assert code == 0 and err == ""
    row = json.loads(out)[0]
    assert row["requested_interval_s"] == 900.0 and row["mode"] == "nearsync"


@pytest.mark.parametrize("argv", [
    ["rpo", "--target", "20 min"],                            # interval too long: near-sync
    ["rpo", "--bandwidth", "1 Mbit/s", "--target", "3 h"],    # unstable schedule
    ["rpo", "--interval", "2 h", "--target", "2.1 h"],       # a shorter interval is cheaper
])
def test_rpo_says_what_would_meet_the_target(argv):
    code, out, _ = run(argv + ["--format", "json"])
    row = json.loads(out)[0]
    assert code == 0 and row["target_met"] is False
    mode, interval, bw = (row[k] for k in ("suggested_mode", "suggested_interval_s",
                                           "suggested_bandwidth_bps"))
    res = replication.async_rpo(interval, row["n_desktops"], mode=mode,
                                sites=SitePair(bandwidth_bps=bw))
    assert bool(res.stable) and float(res.worst_loss_s) <= row["target_s"] * (1 + 1e-9)
    code, out, _ = run(argv)
    assert "to meet it: --mode" in out and "inf" not in out


def test_rpo_bandwidth_needed_at_this_interval_meets_the_target():
    code, out, _ = run(["rpo", "--interval", "1 h", "--target", "75 min", "--format", "json"])
    row = json.loads(out)[0]
    res = replication.async_rpo(3600.0, 50,
                                sites=SitePair(bandwidth_bps=row["needed_bandwidth_bps"]))
    assert float(res.worst_loss_s) == pytest.approx(75 * 60, rel=1e-9)


def test_rpo_target_no_schedule_can_meet():
    code, out, _ = run(["rpo", "--target", "30 s"])
    assert code == 0 and "synchronous replication" in out


def test_rto_phases_in_time_order():
    code, out, _ = run(["rto", "--desktops", "100"])
    labels = [line.split()[0] for line in out.splitlines()[1:] if line.startswith("  ")]
    assert labels == ["detection", "decision", "activation", "infrastructure", "power", "boot",
                      "ready", "total"]
    assert "note: activation is" in out and "activation_s is" not in out
    code, out, _ = run(["rto", "--desktops", "100", "--planned"])
    assert "final sync" in out and "  detection" not in out


def test_warnings_are_one_line_of_text():
    code, out, err = run(["rpo", "--desktops", "60"])
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hcimodel: warning: --desktops = 60 exceeds")
    assert ".py" not in err and "UserWarning" not in err


# --------------------------------------------------------------------------- formats

@pytest.mark.parametrize("name", sorted(MODEL_COMMANDS))
def test_csv_and_json_hold_the_same_records(name):
    code, out_json, _ = run(MODEL_COMMANDS[name] + ["--format", "json"])
    assert code == 0
    rows = json.loads(out_json)
    assert isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows)
    assert len(out_json.strip().splitlines()) == len(rows) + 2  # one record per line
    code, out_csv, _ = run(MODEL_COMMANDS[name] + ["--format", "csv"])
    table = list(csv.DictReader(io.StringIO(out_csv)))
    assert len(table) == len(rows) and list(table[0]) == list(rows[0])
    for r, t in zip(rows, table):
        for k, v in r.items():
            if v is None:
                assert t[k] == ""
            elif isinstance(v, bool) or isinstance(v, str):
                assert t[k] == str(v)
            else:
                assert float(t[k]) == pytest.approx(v, rel=1e-12)


@pytest.mark.parametrize("name", sorted(MODEL_COMMANDS))
def test_every_model_command_has_format_and_defaults_in_help(name):
    code, out, _ = run([name, "--help"])
    assert code == 0
    assert "--format {text,csv,json}" in out and "(default:" in out
    for markup in ("``", ":func:", ":mod:", ":math:"):
        assert markup not in out


def test_version_and_top_level_help():
    code, out, _ = run(["--version"])
    assert code == 0 and out.strip() == f"hcimodel {__import__('hcimodel').__version__}"
    code, out, _ = run(["--help"])
    assert code == 0 and "boot" in out and "``" not in out


def test_python_dash_m():
    proc = subprocess.run([sys.executable, "-m", "hcimodel", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("hcimodel ")
    proc = subprocess.run([sys.executable, "-m", "hcimodel", "rto", "--desktops",
                           "99999999999999999999999"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_start_up_imports_only_what_is_used():
    """--help imports no numpy; a hotspot run no scipy.stats, polars, numba or matplotlib."""
    code = ("import io, contextlib, sys\nfrom hcimodel.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main(['--help'])\n    except SystemExit:\n        pass\n"
            "    help_mods = set(sys.modules)\n"
            "    main(['hotspot', '--desktops', '800'])\n"
            "heavy = ['scipy.stats', 'scipy.optimize', 'polars', 'numba', 'matplotlib',"
            " 'hcimodel.figures', 'hcimodel.simulate']\n"
            "print('numpy' in help_mods, [m for m in heavy if m in sys.modules])\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.stdout.strip() == "False []", proc.stdout + proc.stderr


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("argv, word", [
    (["hotspot", "--desktops", "0"], "--desktops"),
    (["hotspot", "--rtt", "fast"], "--rtt"),
    (["hotspot", "--profile", "gamer"], "--profile"),
    (["hotspot", "--profile", "boot"], "hcimodel boot"),
    (["hotspot", "--nodes", "0"], "--nodes"),
    (["hotspot", "--cvm-iops", "-5"], "--cvm-iops"),
    (["hotspot", "--cvm-iops", "nan"], "--cvm-iops"),
    (["hotspot", "--target-ms", "-5"], "--target-ms"),
    (["hotspot", "--target-ms", "inf"], "--target-ms"),
    (["hotspot", "--nope"], "unrecognized arguments: --nope"),
    (["hotspot", "--format", "xml"], "--format"),
    (["boot", "--cvm-iops", "150"], "--cvm-iops"),
    (["boot", "--strategy", "thin"], "--strategy"),
    (["boot", "--desktops"], "--desktops"),
    (["cache", "--cvm-memory", "lots"], "--cvm-memory"),
    (["cache", "--base-image", "lots"], "--base-image"),
    (["cache", "--base-image", "0 B"], "--base-image"),
    (["cache", "--base-image", "1 TiB"], "--base-image"),
    (["cache", "--private", "-1 GiB"], "--private"),
    (["rpo", "--interval", "10 min"], "--mode nearsync"),
    (["rpo", "--interval", "30 min"], "--mode nearsync"),
    (["rpo", "--interval", "10 s"], "synchronous"),
    (["rpo", "--mode", "nearsync", "--interval", "1 h"], "--mode async"),
    (["rpo", "--mode", "sync"], "--mode"),
    (["rpo", "--bandwidth", "fast"], "--bandwidth"),
    (["rpo", "--target", "-1 h"], "--target"),
    (["rto", "--desktops", "-1"], "--desktops"),
    (["rto", "--parallelism", "0"], "--parallelism"),
    (["warmup", "--nodes", "0"], "--nodes"),
    (["warmup", "--phase", "late"], "--phase"),
    ([], "COMMAND"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_naming_the_option(argv, word):
    assert_one_line_error(*run(argv), word)


DIMENSIONED = [
    ("hotspot", "--rtt"), ("hotspot", "--link"), ("boot", "--rtt"), ("boot", "--link"),
    ("boot", "--boot-read"), ("warmup", "--link"), ("cache", "--cvm-memory"), ("cache", "--ssd"),
    ("cache", "--base-image"), ("cache", "--private"), ("rpo", "--interval"),
    ("rpo", "--bandwidth"), ("rpo", "--target"),
]


@pytest.mark.parametrize("command, option", DIMENSIONED)
def test_bare_numbers_are_refused_with_an_example(command, option):
    code, out, err = run([command, option, "32"])
    assert_one_line_error(code, out, err, option)
    assert "has no unit" in err and "e.g. '" in err


COUNTS = [("hotspot", "--desktops"), ("hotspot", "--nodes"), ("boot", "--desktops"),
          ("boot", "--nodes"), ("warmup", "--nodes"), ("warmup", "--desktops"),
          ("cache", "--desktops"), ("rpo", "--desktops"), ("rto", "--desktops"),
          ("rto", "--parallelism")]


@pytest.mark.parametrize("command, option", COUNTS)
@pytest.mark.parametrize("value", ["99999999999999999999999", str(2**63), "-" + str(2**64),
                                   "1e3", "1.5", "12abc"])
def test_huge_and_non_integer_counts_are_refused(command, option, value):
    assert_one_line_error(*run([command, option, value]), option)


def test_reproduce_out_errors(tmp_path):
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    for argv, word in [
        (["reproduce", "--out", str(a_file)], "is a file"),
        (["reproduce", "--out", "/dev/null"], "is a file"),
        (["reproduce", "--out", str(tmp_path / "no" / "such")], "does not exist"),
        (["reproduce", "--check", "--out", str(tmp_path / "missing")], "does not exist"),
        (["reproduce", "--check", "--out", str(a_file)], "not a folder"),
    ]:
        code, out, err = run(argv)
        assert_one_line_error(code, out, err, word)
        assert "differ" not in err


# --------------------------------------------------------------------------- extension

def test_a_command_defined_in_another_module_is_wired_by_its_path(monkeypatch):
    mod = types.ModuleType("hcimodel_test_plugin")

    def add_parser(sub):
        p = sub.add_parser("hello", help="say hello")
        p.add_argument("--desktops", type=cli._base.count(1, 10), default=2)
        return p

    def run_(args):
        if args.desktops == 7:
            raise ValueError("n_desktops must not be 7")
        cli._base.emit(args, [{"n_desktops": args.desktops}], [f"hello {args.desktops}"])
        return 0

    mod.add_parser, mod.run, mod.OPTIONS = add_parser, run_, {"n_desktops": "--desktops"}
    monkeypatch.setitem(sys.modules, "hcimodel_test_plugin", mod)
    monkeypatch.setattr(cli, "COMMANDS", [*cli.COMMANDS, "hcimodel_test_plugin"])
    assert run(["hello", "--desktops", "3"])[:2] == (0, "hello 3\n")
    assert json.loads(run(["hello", "--format", "json"])[1]) == [{"n_desktops": 2}]
    assert_one_line_error(*run(["hello", "--desktops", "7"]), "--desktops must not be 7")


def test_a_module_may_add_several_commands_with_add_parsers(monkeypatch):
    mod = types.ModuleType("hcimodel_test_plugins")

    def add_parsers(sub):
        for name in ("one", "two"):
            p = sub.add_parser(name)
            p.set_defaults(run=lambda args: print(args.command) or 0)

    mod.add_parsers = add_parsers
    monkeypatch.setitem(sys.modules, "hcimodel_test_plugins", mod)
    monkeypatch.setattr(cli, "COMMANDS", [*cli.COMMANDS, "hcimodel_test_plugins"])
    assert run(["two"])[:2] == (0, "two\n")
    assert_one_line_error(*run(["one", "--format", "json"]), "--format")  # none added


def test_defaults_are_the_models_defaults():
    """Defaults are written out for --help (no numpy); they must be the library's."""
    import inspect

    from hcimodel import shadowclone

    parse = cli.build_parser().parse_args
    a, c, h = parse(["hotspot"]), Cluster(), hotspot.Host()
    assert (a.nodes, a.cvm_iops, a.link) == (c.n_nodes, c.cvm_iops, c.link_bps)
    assert a.rtt == pytest.approx(c.rtt_s, rel=1e-12)
    assert (a.cores, a.host_memory, a.desktop_memory) == (h.cores, h.memory_bytes,
                                                          h.desktop_memory_bytes)
    b = parse(["boot"])
    assert b.boot_read == inspect.signature(hotspot.boot_storm).parameters[
        "boot_read_bytes"].default
    assert b.cvm_iops == c.cvm_iops
    assert parse(["rpo"]).bandwidth == SitePair().bandwidth_bps
    assert parse(["rto"]).parallelism == inspect.signature(replication.rto).parameters[
        "power_on_parallelism"].default
    assert parse(["warmup"]).link == c.link_bps  # shadowclone.warmup's default Cluster()
    assert inspect.signature(shadowclone.warmup).parameters["cluster"].default is None


def test_command_lists_match_the_library():
    from hcimodel.cli import hotspot as hotspot_cmd
    assert hotspot_cmd.STRATEGIES == hotspot.STRATEGIES
    assert set(hotspot_cmd.STEADY_PROFILES) | {"boot"} == set(workload.PROFILES)


# --------------------------------------------------------------------------- fuzz

OPTIONS = {
    "hotspot": ["--desktops", "--nodes", "--cvm-iops", "--rtt", "--link", "--profile",
                "--target-ms", "--format"],
    "boot": ["--desktops", "--nodes", "--cvm-iops", "--rtt", "--link", "--strategy",
             "--boot-read", "--format"],
    "warmup": ["--nodes", "--desktops", "--phase", "--source", "--link", "--format"],
    "cache": ["--desktops", "--clone-type", "--cvm-memory", "--rule", "--ssd", "--base-image",
              "--private", "--format"],
    "rpo": ["--mode", "--interval", "--desktops", "--bandwidth", "--target", "--format"],
    "rto": ["--desktops", "--parallelism", "--planned", "--format"],
}
# forms users type by mistake and extremes; the valid sizes among them are small
ADVERSARIAL = [
    "", " ", "-", "--", "0", "-0", "-1", "1", "3", "1.5", "nan", "inf", "-inf", "1e309",
    "1e-320", "99999999999999999999999", "-99999999999999999999999", "0x10", "1_000",
    "\u0661\u0662", "4 MiB", "1 TiB", "-4 MiB", "0 B", "5 min", "1 h", "30 min", "0.2 ms",
    "1e400 s", "10 Gbit/s", "100 Mbit/s", "1 bit/s", "10 parsecs", "GiB", "1 GiB/s", "abc",
    "login", "boot", "power", "linked_clones", "all", "json", "csv", "text", "async",
    "nearsync", "full", "map", "steady", "\x00", "\u00e9", "  2 h  ", "--nope", "-h",
]
values = (st.sampled_from(ADVERSARIAL) | st.text(max_size=8)
          | st.integers(-2**80, 2**80).map(str) | st.floats().map(repr))


@st.composite
def argv_for(draw, command):
    tokens = [command] + (SMALL_CACHE if command == "cache" else [])
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 9)) == 0:
            tokens.append(draw(values))  # a stray token
        else:
            tokens += [draw(st.sampled_from(OPTIONS[command])), draw(values)]
    return tokens


def check_outcome(argv):
    code, out, err = run(argv)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert_one_line_error(code, out, err)
    else:
        assert code == 0, (argv, code, err)
        assert all(line.startswith("hcimodel: warning: ")
                   for line in err.strip().splitlines()), (argv, err)


FUZZ = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("command", sorted(OPTIONS))
def test_fuzz_every_command_exits_0_or_2_in_one_line(command):
    FUZZ(given(argv_for(command))(check_outcome))()


@FUZZ
@given(st.lists(st.sampled_from([*OPTIONS, "--version", "--help"]) | values, max_size=4))
def test_fuzz_any_argument_list(argv):
    """Any words at all (``reproduce`` left out: its errors are tested above)."""
    if "reproduce" not in argv:
        check_outcome(argv)
