"""`foleyline serve --ray` options: the cluster layout they ask for, what Ray Serve is told,
and options that make no sense refused before anything starts."""

from __future__ import annotations

import argparse
import os

import pytest

from foleyline.capacity import ClusterOptions
from foleyline.errors import InvalidInput
from foleyline.server.commands.serve import add_arguments, server_config
from fresh_imports import imported_after


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_without_ray_the_server_is_the_plain_one():
    assert server_config(_parse()).cluster is None


def test_ray_options_make_the_cluster_layout():
    assert server_config(_parse("--ray", "--replicas", "2")).cluster == ClusterOptions(replicas=2)
    layout = server_config(_parse("--ray", "--ray-address", "10.0.0.5:6379", "--autoscale", "1:8",
                                  "--gpus-per-replica", "1")).cluster
    assert layout == ClusterOptions(address="10.0.0.5:6379", autoscale=(1, 8), gpus_per_replica=1.0)
    assert layout.most_replicas == 8


@pytest.mark.parametrize("argv, says", [
    (("--replicas", "2"), "--replicas"),
    (("--ray", "--autoscale", "4:1"), "MIN:MAX"),
    (("--ray", "--autoscale", "two"), "MIN:MAX"),
    (("--ray", "--replicas", "0"), "ray_replicas"),
    (("--ray", "--gpus-per-replica", "-1"), "ray_gpus_per_replica"),
])
def test_cluster_options_that_cannot_be_met_are_refused_with_the_reason(argv, says):
    with pytest.raises(InvalidInput, match=says):
        server_config(_parse(*argv))


def test_replicas_and_autoscale_exclude_each_other():
    with pytest.raises(SystemExit):
        _parse("--ray", "--replicas", "2", "--autoscale", "1:2")


def test_ray_serve_is_told_the_replicas_their_gpus_and_one_shot_each(monkeypatch):
    from foleyline.server.cluster import prepare_ray_environment

    monkeypatch.setattr(os, "environ", dict(os.environ))  # Ray's switches stay in this test
    prepare_ray_environment(ClusterOptions())  # as serve does, before Ray is first imported
    from foleyline.server.cluster.deploy import deployment_options

    fixed = deployment_options(ClusterOptions(replicas=3, gpus_per_replica=1.0))
    assert fixed == {"max_ongoing_requests": 1, "ray_actor_options": {"num_cpus": 1, "num_gpus": 1.0}, "num_replicas": 3}
    scaled = deployment_options(ClusterOptions(autoscale=(1, 4)))
    assert "num_replicas" not in scaled
    assert scaled["autoscaling_config"] == {"min_replicas": 1, "max_replicas": 4, "target_ongoing_requests": 1}


def test_the_options_are_read_without_importing_ray():
    # Ray reads its environment when imported; the server sets it first (a local Ray on loopback).
    code = """
        import argparse
        from foleyline.server.commands.serve import add_arguments, server_config
        parser = argparse.ArgumentParser()
        add_arguments(parser)
        server_config(parser.parse_args(['--ray', '--replicas', '2']))
    """
    assert imported_after(code, ("ray",)) == []


@pytest.mark.parametrize("tmpdir, ray_tmpdir", [
    ("/tmp", None),
    ("/tmp/tmp dir é", "/tmp"),                                      # Ray encodes it as ASCII
    ("/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T/", "/tmp"),   # its sockets' paths too long
])
def test_ray_keeps_its_sessions_where_it_can_start(monkeypatch, tmpdir, ray_tmpdir):
    from foleyline.server.cluster import prepare_ray_environment

    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items() if k != "RAY_TMPDIR"} | {"TMPDIR": tmpdir})
    prepare_ray_environment(ClusterOptions())
    assert os.environ.get("RAY_TMPDIR") == ray_tmpdir
