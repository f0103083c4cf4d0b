"""Every default of the domain models has a source (hcimodel/defaults.toml)."""

from __future__ import annotations

import inspect

from hcimodel import defaults, replication
from hcimodel.cluster import Cluster


def test_every_default_has_a_source():
    table = defaults.defaults_table()
    missing = table.filter(table["status"] == "missing")["parameter"].to_list()
    assert not missing, f"defaults with no source in hcimodel/defaults.toml: {missing}"


def test_no_source_names_a_default_that_is_gone():
    keys = {r["key"] for r in defaults.collect_defaults()}
    stale = sorted(set(defaults.sources()) - keys)
    assert not stale, f"hcimodel/defaults.toml names defaults that no longer exist: {stale}"


def test_values_come_from_the_code():
    table = defaults.defaults_table()
    row = table.filter(table["parameter"] == "replication.rto.decision_s")
    assert row["value"].to_list() == [inspect.signature(replication.rto).parameters["decision_s"].default]
    rtt = table.filter(table["parameter"] == "cluster.rtt_s")["value"].to_list()
    assert rtt == [Cluster().rtt_s]
    assert set(table["unit"]) <= {"1", "s", "byte", "bit/s", "byte/s", "1/s", "km"}


def test_controls_are_not_defaults():
    params = set(defaults.defaults_table()["parameter"])
    assert not any(p.split(".")[-1] in defaults.CONTROLS for p in params)


def test_sequence_defaults_are_listed_element_by_element():
    # the infrastructure phase's services (named pairs) and the simulated domains (numbers)
    table = defaults.defaults_table()
    for name, seconds in replication.INFRASTRUCTURE:
        row = table.filter(table["parameter"] == f"replication.rto.infrastructure_s.{name}")
        assert row["value"].to_list() == [seconds] and row["unit"].to_list() == ["s"]
        assert row["status"].to_list() == ["assumed"]
    grid = table.filter(table["parameter"] == "replication.rto.activation_s_per_pd")["value"]
    sweep = inspect.signature(replication.activation_sensitivity).parameters[
        "activation_s_per_pd"].default
    assert set(grid) == {*sweep, inspect.signature(replication.rto).parameters[
        "activation_s_per_pd"].default}
    assert table.filter(table["parameter"] == "replication.simulate.domains")["value"].to_list() \
        == [50.0]


def test_object_defaults_list_what_they_set():
    """A dataclass default (PoolLife's cluster and parent) lists the numbers it sets
    apart from its class's defaults, each with a source."""
    rows = {r["key"]: r["value"] for r in defaults.collect_defaults()}
    assert rows["clones.cluster.n_nodes"] == 8.0
    assert rows["clones.parent.alpha"] == 0.9
    assert "clones.cluster.rtt_s" not in rows  # the Cluster's own default: listed there
