import pytest

from hcimodel import cli


def test_hotspot_command_prints_the_three_strategies(capsys):
    assert cli.main(["hotspot", "--desktops", "800", "--rtt", "0.2 ms"]) == 0
    out = capsys.readouterr().out
    for strategy in ("linked_clones", "shadow_clones", "full_clones"):
        assert strategy in out
    assert "464" in out  # largest pool: host memory binds (116 per node), storage allows more


@pytest.mark.parametrize("argv, word", [
    (["hotspot", "--desktops", "0"], "n_desktops"),
    (["hotspot", "--rtt", "fast"], "--rtt"),
    (["hotspot", "--profile", "gamer"], "profile"),
    (["hotspot", "--nodes", "0"], "n_nodes"),
    (["hotspot", "--cvm-iops", "-5"], "cvm_iops"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, word):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hcimodel: error:") and word in lines[0]
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("argv, expected", [
    (["warmup", "--nodes", "8", "--desktops", "400"], "fetched in total"),
    (["warmup", "--nodes", "3"], "never detected"),
    (["cache", "--desktops", "50", "--clone-type", "full"], "content"),
    (["rpo", "--interval", "1 h", "--target", "2 h"], "worst data loss"),
    (["rpo", "--interval", "10 min", "--mode", "nearsync", "--bandwidth", "10 Mbit/s"],
     "falls back"),
    (["rto", "--desktops", "500", "--planned"], "total (RTO)"),
])
def test_model_commands(capsys, argv, expected):
    assert cli.main(argv) == 0
    assert expected in capsys.readouterr().out


def test_cache_image_sizes(capsys):
    """--base-image and --private set the pool in 4 KiB blocks (defaults 10 GiB and 1 GiB)."""
    assert cli.main(["cache", "--desktops", "20", "--base-image", "64 MiB",
                     "--private", "8 MiB", "--ssd", "1 GiB"]) == 0
    out = capsys.readouterr().out
    assert "20 full clones of a 64.0 MiB base image, 8.0 MiB private each" in out
    assert "content" in out and "extent" in out
    # no private data: every read goes to the base image
    assert cli.main(["cache", "--desktops", "5", "--base-image", "1 MiB", "--private", "0"]) == 0
    assert "0 B private each" in capsys.readouterr().out
    args = cli._parser().parse_args(["cache"])
    assert (args.base_image, args.private) == ("10 GiB", "1 GiB")


@pytest.mark.parametrize("argv, word", [
    (["cache", "--cvm-memory", "lots"], "--cvm-memory"),
    (["cache", "--base-image", "lots"], "--base-image"),
    (["cache", "--base-image", "0 B"], "--base-image"),
    (["cache", "--private", "-1 GiB"], "--private"),
    (["rpo", "--interval", "10 min"], "interval_s"),
    (["rpo", "--bandwidth", "fast"], "--bandwidth"),
    (["rto", "--desktops", "-1"], "n_desktops"),
    (["warmup", "--nodes", "0"], "n_nodes"),
])
def test_model_commands_fail_in_one_line(capsys, argv, word):
    assert cli.main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and word in lines[0]
