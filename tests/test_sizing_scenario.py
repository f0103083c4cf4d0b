"""The scenario parser: every error path names the key, the value and what is allowed."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcimodel.sizing import FIELDS, Uncertain, load, loads
from hcimodel.sizing.api import example_scenario, example_text

BASE = "[pools.knowledge]\ncount = 100\n"


def _err(text):
    with pytest.raises(ValueError) as info:
        loads(text)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_minimal_scenario_takes_the_defaults():
    s = loads(BASE)
    assert s.pools["knowledge"]["count"] == 100
    assert s.pools["knowledge"]["clone"] == ("shadow_clones",)
    assert s.node["cvm_memory"] == 32 * 2**30
    assert s.protection["wan"] == 100e6
    # the profile's IOPS when steady_iops is not given (knowledge worker: 8-10, middle 9)
    assert s.pools["knowledge"]["steady_iops"] == 9.0
    assert s.uncertain() == {}


def test_units_are_parsed():
    s = loads(BASE + 'memory = "2 GiB"\n[node]\nlink = "25 Gbit/s"\nrtt = "0.5 ms"\n'
              '[protection]\ndistance = "250 km"\nrpo = "2 h"\n')
    assert s.pools["knowledge"]["memory"] == 2 * 2**30
    assert s.node["link"] == 25e9 and s.node["rtt"] == 5e-4
    assert s.protection["distance"] == 250.0 and s.protection["rpo"] == 7200.0


def test_every_default_has_a_source():
    for section, fields in FIELDS.items():
        for key, f in fields.items():
            assert f.source, f"{section}.{key}"


def test_syntax_error_names_line_and_column():
    msg = _err('[pools.a]\ncount = = 3\n')
    assert "TOML syntax error" in msg and "line 2" in msg and "column" in msg


@pytest.mark.parametrize("text, path, words", [
    ("[pool.a]\ncount = 1\n", "pool", ["unknown section", "pools"]),
    (BASE + "cuont = 3\n", "pools.knowledge.cuont", ["unknown key", "count"]),
    ("[node]\ncores = 4\n", "pools", ["missing"]),
    ("[pools.a]\nvcpu = 2\n", "pools.a.count", ["missing"]),
    ("[pools.a]\ncount = -5\n", "pools.a.count", ["-5", "whole number"]),
    ("[pools.a]\ncount = 2.5\n", "pools.a.count", ["2.5", "whole number"]),
    ("[pools.a]\ncount = true\n", "pools.a.count", ["True"]),
    ("[pools.a]\ncount = \"many\"\n", "pools.a.count", ["'many'"]),
    (BASE + "memory = 4\n", "pools.knowledge.memory", ["no unit", "GiB"]),
    (BASE + 'memory = "4 parsecs"\n', "pools.knowledge.memory", ["'4 parsecs'", "size"]),
    (BASE + 'memory = "4"\n', "pools.knowledge.memory", ["no unit"]),
    (BASE + "replica_read_fraction = 1.5\n", "pools.knowledge.replica_read_fraction",
     ["1.5", "[0, 1]"]),
    (BASE + 'profile = "gamer"\n', "pools.knowledge.profile", ["'gamer'", "'knowledge'"]),
    (BASE + 'clone = "bogus"\n', "pools.knowledge.clone", ["'bogus'", "'full_clones'"]),
    (BASE + "clone = []\n", "pools.knowledge.clone", ["[]"]),
    (BASE + 'clone = ["full_clones", "full_clones"]\n', "pools.knowledge.clone", ["distinct"]),
    (BASE + 'persistent = "yes"\n', "pools.knowledge.persistent", ["'yes'", "true or false"]),
    (BASE + "login_iops = {dist = \"normal\", min = 1, max = 2}\n",
     "pools.knowledge.login_iops.dist", ["'normal'", "'triangular'"]),
    (BASE + "login_iops = {min = 13, max = 8}\n", "pools.knowledge.login_iops.max",
     ["8", ">= min"]),
    (BASE + "login_iops = {min = 8}\n", "pools.knowledge.login_iops.max", ["missing"]),
    (BASE + "login_iops = {dist = \"triangular\", min = 8, max = 13}\n",
     "pools.knowledge.login_iops.mode", ["missing"]),
    (BASE + "login_iops = {dist = \"triangular\", min = 8, mode = 20, max = 13}\n",
     "pools.knowledge.login_iops.mode", ["20", "between"]),
    (BASE + "login_iops = {dist = \"loguniform\", min = 0, max = 13}\n",
     "pools.knowledge.login_iops.min", ["0"]),
    (BASE + "login_iops = {min = 8, max = 13, step = 1}\n",
     "pools.knowledge.login_iops.step", ["unknown key"]),
    (BASE + "login_iops = {min = -1, max = 13}\n", "pools.knowledge.login_iops.min", ["-1"]),
    (BASE + 'boot_read = {min = 420, max = "600 MB"}\n', "pools.knowledge.boot_read.min",
     ["no unit"]),
    (BASE + "[cluster]\nrf = {min = 2, max = 3}\n", "cluster.rf", ["single value"]),
    (BASE + "[cluster]\nrf = 4\n", "cluster.rf", ["4", "[2, 3]"]),
    (BASE + '[cluster]\nheadroom = "N+3"\n', "cluster.headroom", ["'N+3'", "'N+1'"]),
    (BASE + '[protection]\nmode = "sync"\n', "protection.mode", ["'sync'", "'nearsync'"]),
    (BASE + '[protection]\ndistance = "far"\n', "protection.distance", ["'far'", "km"]),
    (BASE + '[protection]\nrpo = "0 s"\n', "protection.rpo", ["'0 s'"]),
    (BASE + "[node]\ncvm_iops = 100\n", "node.cvm_iops", ["100", "1000"]),
    (BASE + '[node]\nmemory = "16 GiB"\n', "node.cvm_memory", ["node.memory"]),
    (BASE + "[node]\ncores = 8\ncvm_vcpu = 8\n", "node.cvm_vcpu", ["node.cores"]),
    (BASE + "node = 5\n", "pools.knowledge.node", ["unknown key"]),
    (BASE + "[targets]\nhit_ratio = 80\n", "targets.hit_ratio", ["80", "[0, 1]"]),
    (BASE + '[scenario]\nname = 5\n', "scenario.name", ["5", "text"]),
    ('[pools."a b"]\ncount = 1\n', "pools.a b", ["pool name"]),
    ('pools = 3\n', "pools", ["missing"]),
])
def test_errors_name_the_path_the_value_and_what_is_allowed(text, path, words):
    msg = _err(text)
    assert msg.startswith(path + ":") or msg.startswith(path + " "), msg
    for w in words:
        assert w in msg, (w, msg)


def test_section_that_is_not_a_table():
    msg = _err("node = 5\n" + BASE)
    assert msg.startswith("node: 5") and "a table" in msg


def test_uncertain_inputs():
    s = loads(BASE + 'login_iops = {min = 8, max = 13}\n'
              'boot_read = {dist = "triangular", min = "420 MB", mode = "450 MB", max = "600 MB"}\n'
              'steady_iops = {dist = "loguniform", min = 4, max = 16}\n'
              'image = {min = "10 GB", max = "10 GB"}\n')
    u = s.uncertain()
    assert set(u) == {"pools.knowledge.login_iops", "pools.knowledge.boot_read",
                      "pools.knowledge.steady_iops"}  # zero width is not uncertain
    assert u["pools.knowledge.login_iops"].nominal == 10.5
    assert u["pools.knowledge.boot_read"].nominal == 450e6
    assert math.isclose(u["pools.knowledge.steady_iops"].nominal, 8.0)
    tri = u["pools.knowledge.boot_read"]
    assert tri.ppf(0.0) == 420e6 and tri.ppf(1.0) == 600e6
    # the CDF of the triangular law at its mode is (c - a) / (b - a)
    assert math.isclose(float(tri.ppf((450 - 420) / (600 - 420))), 450e6)


def test_load_names_the_file(tmp_path):
    with pytest.raises(ValueError, match="missing.toml: cannot read"):
        load(tmp_path / "missing.toml")
    p = tmp_path / "bad.toml"
    p.write_text("[pools.a]\ncount = [\n")
    with pytest.raises(ValueError, match=r"bad.toml: TOML syntax error"):
        load(p)


def test_example_parses_and_says_what_it_is():
    text = example_text()
    assert "1,000 knowledge workers" in text and text.count("#") > 20
    s = example_scenario()
    assert s.pools["knowledge"]["count"] == 1000
    assert s.pools["knowledge"]["clone"] == ("shadow_clones", "full_clones")
    assert s.node["cvm_memory"] == 32 * 2**30 and s.protection["wan"] == 100e6
    assert s.protection["rpo"] == 3600.0
    assert isinstance(s.pools["knowledge"]["login_iops"], Uncertain)


# ------------------------------------------------------------------ fuzz
_KEYS = ["count", "profile", "persistent", "clone", "vcpu", "memory", "disk", "image",
         "login_iops", "boot_read", "cores", "cvm_memory", "link", "rf", "headroom", "rpo",
         "mode", "wan", "distance", "hit_ratio", "dist", "min", "max", "mode", "bogus"]
_SCALARS = st.one_of(
    st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.text(max_size=12),
    st.sampled_from(["4 GiB", "10 Gbit/s", "15 min", "1 h", "-3 GB", "1e400 GB", "N+1",
                     "knowledge", "shadow_clones", "async", "nearsync", "triangular",
                     "100 km", "", "0 s", "inf", "nan GB"]))
_VALUES = st.recursive(_SCALARS, lambda c: st.one_of(
    st.lists(c, max_size=3), st.dictionaries(st.sampled_from(_KEYS), c, max_size=4)),
    max_leaves=6)


def _toml(v):
    import json
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if v != v else ("inf" if v == math.inf else "-inf" if v == -math.inf
                                     else repr(v))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return "{" + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + "}"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(sections=st.dictionaries(
    st.sampled_from(["pools.a", "pools.b-2", "node", "cluster", "cache", "protection",
                     "targets", "scenario", "other"]),
    st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=5), max_size=4),
    junk=st.text(max_size=8))
def test_fuzz_parser_never_raises_anything_but_one_line_value_errors(sections, junk):
    text = "\n".join(f"[{name}]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in body.items())
                     for name, body in sections.items()) + "\n" + junk
    try:
        loads(text)
    except ValueError as err:
        assert "\n" not in str(err)
