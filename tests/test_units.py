import pytest
from hypothesis import given, strategies as st

from hcimodel.units import (format_bytes, format_duration, parse_bitrate, parse_bytes,
                            parse_duration)


@pytest.mark.parametrize("text, expected", [
    ("32 GiB", 32 * 2**30), ("32GiB", 32 * 2**30), ("1.5 TB", 1.5e12), ("4 KiB", 4096),
    ("420 MB", 420e6), ("512", 512.0), (1024, 1024.0), ("16 kb", 16e3),
])
def test_parse_bytes(text, expected):
    assert parse_bytes(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("10 Gbit/s", 10e9), ("10Gbps", 10e9), ("100 Mbit/s", 100e6), ("10 GbE", 10e9),
    ("5 Mbps", 5e6), (1e9, 1e9),
])
def test_parse_bitrate(text, expected):
    assert parse_bitrate(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("15 min", 900.0), ("1 h", 3600.0), ("0.2 ms", 0.2e-3), ("500 us", 500e-6),
    ("2 days", 172800.0), ("30", 30.0), ("330 s", 330.0),
])
def test_parse_duration(text, expected):
    assert parse_duration(text) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("parser, text", [
    (parse_bytes, "32 GiBs"), (parse_bytes, "lots"), (parse_bytes, "-4 GiB"),
    (parse_bitrate, "10 GHz"), (parse_duration, "15 fortnights"), (parse_duration, None),
    (parse_bytes, float("nan")), (parse_duration, float("inf")),
])
def test_bad_units_name_the_parameter(parser, text):
    with pytest.raises(ValueError, match="rtt"):
        parser(text, name="rtt")


@given(st.floats(min_value=0, max_value=1e15, allow_nan=False))
def test_bytes_roundtrip_of_plain_numbers(x):
    assert parse_bytes(repr(x) + " B") == x


def test_formatting():
    assert format_bytes(2**31) == "2.0 GiB"
    assert format_bytes(100) == "100 B"
    assert format_duration(90) == "1.5 min"
    assert format_duration(float("inf")) == "unbounded"
    assert format_duration(2e-4) == "200 µs"
    assert format_duration(0) == "0 s"
