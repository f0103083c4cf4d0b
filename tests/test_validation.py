import warnings

import numpy as np
import pytest

from hcimodel.validation import (as_float_array, check_in_range, check_integer,
                                 check_nonnegative, check_positive, check_probability)
from hcimodel.cluster import Cluster


def test_values_are_copied_never_changed():
    x = np.array([1.0, 2.0])
    y = check_positive("rate", x)
    y[0] = 99
    assert x[0] == 1.0


@pytest.mark.parametrize("fn, value", [
    (check_positive, 0.0), (check_positive, -1), (check_positive, np.inf),
    (check_positive, [1.0, np.nan]), (check_nonnegative, -1e-9),
    (check_probability, 1.5), (as_float_array, "abc"),
])
def test_messages_name_parameter_and_value(fn, value):
    with pytest.raises(ValueError, match="arrival_rate") as err:
        fn("arrival_rate", value)
    assert "got" in str(err.value)


def test_range_is_stated():
    with pytest.raises(ValueError, match=r"\(0, inf\)"):
        check_positive("x", -2)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        check_probability("p", 2)
    assert check_in_range("x", 0.5, 0, 1, low_inclusive=False).item() == 0.5


@pytest.mark.parametrize("value", [4.5, 0, -3, True, np.nan, np.inf, [1, 2.5]])
def test_check_integer_rejects(value):
    with pytest.raises(ValueError, match="servers"):
        check_integer("servers", value)


def test_check_integer_accepts_whole_floats_and_bounds():
    assert check_integer("n", 4.0).item() == 4
    assert check_integer("n", np.int32(7)).dtype == np.int64
    with pytest.raises(ValueError, match=r"in \[0, 3\]"):
        check_integer("n", 4, minimum=0, maximum=3)


# --------------------------------------------------------------------------------------
# Issue 11: one validation path. Every example of the issue's "Found" list, as filed.
# --------------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hcimodel import hotspot, queueing, replication, shadowclone, simulate  # noqa: E402
from hcimodel.validation import (INT64_MAX, MAX_SECONDS, check_bool, check_choice,  # noqa: E402
                                 check_duration, check_finite, check_instance, check_rate,
                                 check_real_or_choice)
from hcimodel.clonepool import ClonePool  # noqa: E402

FOUND = [
    # integers of 2**63 or more: OverflowError before, now the parameter and its range
    (lambda: queueing.erlang_c(2**63, 3), r"servers must be an integer in \[1, 2\*\*63 - 1\]"),
    (lambda: replication.rto(10**20), r"n_desktops must be an integer in \[1, 2\*\*63 - 1\]"),
    (lambda: ClonePool(n_desktops=2**63), r"n_desktops must be an integer in \[1, 2\*\*63 - 1\]"),
    # a sequence where a scalar is expected: TypeError before
    (lambda: queueing.mva([1, 2, 3], [1, 2, 3], 0), "think_time_s must be a single number"),
    (lambda: simulate.lru_hits([1, 2, 3], [1, 2, 3]), "capacity must be a single number"),
    (lambda: shadowclone.warmup(100, target=(0.1, 0.2)), "target must be a single number"),
    (lambda: replication.rto(10, 5, power_on_s=[1, 2, -3]), "power_on_s must be in"),
    (lambda: replication.rto(10, 5, detection_lag_s=[1, 2]), "detection_lag_s must be a single number"),
    (lambda: hotspot.boot_storm([100, 200], boot_read_bytes=(0.1, 0.2)),
     "boot_read_bytes must be a single number"),
    (lambda: replication.async_rpo(3600.0, 10, mode=np.array(3)),
     r"mode must be one of \['async', 'nearsync'\] \(got array\(3\)\)"),
    (lambda: replication.rto(1000, 20, boot_read_bytes=1e308),
     r"boot_read_bytes must be in \(0, 9.22337e\+18\]"),
    # NaN total: now a range
    (lambda: replication.rto(1000, 20, register_s=1e308), r"register_s must be in \[0, 1e\+15\] s"),
    # silently accepted before
    (lambda: queueing.erlang_c(1, "3"), "offered_load must be a real number"),
    (lambda: queueing.erlang_c(2, True), "offered_load must be a real number"),
    (lambda: hotspot.max_pool_size(0.002, upper=0), r"upper must be an integer in \[1,"),
    (lambda: replication.rto(1000, 20, planned=(0.1, 0.2)), "planned must be True or False"),
    (lambda: hotspot.boot_storm(np.array([])), "n_desktops must be one pool size or a non-empty"),
]


@pytest.mark.parametrize("call, match", FOUND)
def test_issue_11_found_examples_raise_a_named_valueerror(call, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=match):
            call()


def test_issue_11_async_rpo_huge_scv_is_not_nan():
    # transfer_scv = 1e300 returned worst_loss_s = nan with stable = True
    r = replication.async_rpo(3600.0, 10, transfer_scv=1e300)
    assert bool(r.stable) and np.isfinite(r.wait_s)  # the wait is huge (1.4e296 s), not inf
    # the gamma's p99 is far below the mean there: worst is the mean peak age I + E[T]
    assert float(r.worst_loss_s) == float(3600.0 + r.transfer_s + r.wait_s)
    assert r.worst_loss_s >= r.mean_loss_s


def test_issue_11_worst_loss_never_below_mean_loss():
    # from SCV 1e6 the gamma p99 (I + T_99 = 3600 s) fell below the mean loss
    scv = np.array([0.0, 0.5, 1.0, 10.0, 100.0, 575.0, 600.0, 1e3, 1e6, 1e12, 1e300])
    r = replication.async_rpo(3600.0, 10, transfer_scv=scv)
    assert not np.isnan(r.worst_loss_s).any()
    assert np.all(r.worst_loss_s >= r.mean_loss_s)
    # and at least the mean peak age I + E[T] = mean + I/2 wherever finite
    fin = np.isfinite(r.mean_loss_s)
    assert np.all(r.worst_loss_s[fin] >= r.mean_loss_s[fin] + 1800.0 - 1e-9)
    # below the crossover the p99 is unchanged: SCV 1 is the exact D/M/1 p99
    # (exponential T, T_99 = E[T] ln 100)
    one = replication.async_rpo(3600.0, 10, transfer_scv=1.0)
    t_mean = float(one.transfer_s + one.wait_s)
    assert float(one.worst_loss_s) == pytest.approx(3600.0 + t_mean * np.log(100.0), rel=1e-9)


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(interval=st.floats(3600.0, 1e6), n=st.integers(1, 50),
       bandwidth=st.floats(1e5, 1e11), scv=st.floats(0.0, 1e300))
def test_worst_loss_at_least_mean_loss_property(interval, n, bandwidth, scv):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = replication.async_rpo(interval, n, bandwidth_bps=bandwidth, transfer_scv=scv)
    assert not np.isnan(r.worst_loss_s) and not np.isnan(r.mean_loss_s)
    assert r.worst_loss_s >= r.mean_loss_s


@pytest.mark.parametrize("value", [True, np.True_, "3", b"3", 1 + 2j, None, [1, [2]],
                                   {"a": 1}, object()])
def test_real_numbers_only(value):
    with pytest.raises(ValueError, match="rate must be a real number"):
        as_float_array("rate", value)


def test_numpy_scalars_and_big_python_numbers_are_real():
    assert as_float_array("x", np.float32(2.5)).item() == 2.5
    assert as_float_array("x", np.int8(3)).item() == 3.0
    assert as_float_array("x", [2**70]).item() == float(2**70)  # a big int is a real number
    assert queueing.erlang_c(np.int64(2), np.float32(1.0)) == pytest.approx(1 / 3)


@pytest.mark.parametrize("value", [2**63, 2**64, 10**20, 1e19, np.uint64(2**63),
                                   np.array([2**63], dtype=np.uint64), [1, 2**64], -2**63 - 1])
def test_integers_bounded_before_the_cast(value):
    with pytest.raises(ValueError, match=r"n must be an integer in \[.*, 2\*\*63 - 1\]"):
        check_integer("n", value, minimum=-2**63)


def test_largest_int64_is_accepted_exactly():
    assert check_integer("n", INT64_MAX, scalar=True) == INT64_MAX
    assert check_integer("n", [1, INT64_MAX]).tolist() == [1, INT64_MAX]


def test_scalar_only_parameters():
    assert check_positive("x", 2, scalar=True) == 2.0
    assert isinstance(check_integer("n", np.array(3), scalar=True), int)
    for bad in ([1.0], (1, 2), np.ones((2, 2))):
        with pytest.raises(ValueError, match="x must be a single number, not a sequence"):
            check_positive("x", bad, scalar=True)


def test_check_choice_never_hashes_the_value():
    assert check_choice("mode", np.str_("async"), ("async", "sync")) == "async"
    for bad in (np.array(3), ["async"], {"a": 1}, None, 1, b"async"):
        with pytest.raises(ValueError, match=r"mode must be one of \['async', 'sync'\]"):
            check_choice("mode", bad, ("async", "sync"))
    assert check_choice("flag", None, (None, "x")) is None


def test_check_bool_finite_duration_rate_instance_and_mixed():
    assert check_bool("planned", np.bool_(True)) is True
    for bad in (0, 1, "yes", (0.1, 0.2), None):
        with pytest.raises(ValueError, match="planned must be True or False"):
            check_bool("planned", bad)
    with pytest.raises(ValueError, match=r"x must be in \(-inf, inf\)"):
        check_finite("x", [1.0, np.inf])
    assert check_duration("t", np.inf, allow_inf=True) == np.inf
    for bad in (1e16, -1.0, np.inf):
        with pytest.raises(ValueError, match=r"t must be in \[0, 1e\+15\]"):
            check_duration("t", bad)
    assert MAX_SECONDS == 1e15
    with pytest.raises(ValueError, match=r"rate must be in \[1e-15, inf\) per s"):
        check_rate("rate", 1e-308)
    with pytest.raises(ValueError, match="cluster must be a Cluster or None"):
        check_instance("cluster", 0, Cluster, default=Cluster)
    assert isinstance(check_instance("cluster", None, Cluster,
                                     default=Cluster), Cluster)
    assert check_real_or_choice("rate", "peak", ("mean", "peak")) == "peak"
    assert check_real_or_choice("rate", 2, ("mean", "peak"), 0).item() == 2.0
    with pytest.raises(ValueError, match=r"rate must be one of \['mean', 'peak'\] or a number"):
        check_real_or_choice("rate", -1, ("mean", "peak"), 0)


def test_default_objects_are_not_taken_from_falsy_values():
    # 'cluster or Cluster()' took 0, '' and False for the default cluster
    for bad in (0, "", False, []):
        with pytest.raises(ValueError, match="cluster must be a Cluster"):
            hotspot.steady_state(10, cluster=bad)
        with pytest.raises(ValueError, match="sites must be a SitePair"):
            replication.async_rpo(3600.0, 10, sites=bad)


def test_rto_durations_broadcast_with_the_pool():
    # issue 11 found rto(10, 5, power_on_s=[1, 2, 3]) raising a TypeError; durations
    # are array_like (hcimodel.sizing draws them), so it is one RTO per value
    r = replication.rto(10, 5, power_on_s=[1, 2, 3])
    assert np.shape(r.total_s) == (3,) and np.shape(r.power_on_s) == (3,)
    assert np.all(np.diff(r.total_s) > 0)
    one = replication.rto(10, 5, power_on_s=2)
    assert float(r.total_s[1]) == float(one.total_s)
