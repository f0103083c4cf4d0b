import numpy as np
import pytest

from hcimodel.validation import (as_float_array, check_in_range, check_integer,
                                 check_nonnegative, check_positive, check_probability)


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
