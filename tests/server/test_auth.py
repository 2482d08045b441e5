"""Every call of the Foley service needs the server's token; health probes do not."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from foleyline.errors import PermissionDenied
from foleyline.plugin.client import FoleyClient
from foleyline.protos.v1 import foley_pb2 as pb
from foleyline.protos.v1 import foley_pb2_grpc as pb_grpc
from serverkit import TOKEN


def _stub(server):
    channel = grpc.insecure_channel(server.address)
    return channel, pb_grpc.FoleyStub(channel)


def test_a_call_without_the_token_is_unauthenticated(server) -> None:
    channel, stub = _stub(server)
    with channel:
        with pytest.raises(grpc.RpcError) as caught:
            stub.GetServerInfo(pb.GetServerInfoRequest(), timeout=30)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "token" in caught.value.details()


def test_a_streaming_call_without_the_token_is_unauthenticated(server) -> None:
    channel, stub = _stub(server)
    with channel:
        with pytest.raises(grpc.RpcError) as caught:
            list(stub.Generate(pb.GenerateRequest(), timeout=30))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_wrong_token_is_unauthenticated(server) -> None:
    channel, stub = _stub(server)
    with channel:
        with pytest.raises(grpc.RpcError) as caught:
            stub.ListJobs(pb.ListJobsRequest(), metadata=(("authorization", "Bearer wrong"),), timeout=30)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "does not match" in caught.value.details()


@pytest.mark.parametrize("value", [f"bearer {TOKEN}", f"BEARER {TOKEN}", f"Bearer  {TOKEN}", f"Bearer {TOKEN} "])
def test_the_scheme_is_read_in_any_case_and_the_token_without_the_spaces_around_it(server, value: str) -> None:
    # RFC 7235: the scheme is case-insensitive; a token never holds a space, so one pasted with
    # a stray space is still the token.
    channel, stub = _stub(server)
    with channel:
        stub.ListJobs(pb.ListJobsRequest(), metadata=(("authorization", value),), timeout=30)


def test_a_token_sent_without_its_scheme_is_told_the_form_to_send(server) -> None:
    channel, stub = _stub(server)
    with channel:
        with pytest.raises(grpc.RpcError) as caught:
            stub.ListJobs(pb.ListJobsRequest(), metadata=(("authorization", TOKEN),), timeout=30)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "Bearer <token>" in caught.value.details()


def test_the_client_reports_a_refused_token_as_permission_denied(server) -> None:
    with FoleyClient(server.address, "wrong") as client:
        with pytest.raises(PermissionDenied, match="refused the token"):
            client.server_info()


def test_the_right_token_is_accepted(client) -> None:
    info = client.server_info()
    assert info.default_engine == "fake"
    assert [e.name for e in info.engines] == ["fake"]


def test_health_needs_no_token_and_reports_serving(server) -> None:
    with grpc.insecure_channel(server.address) as channel:
        response = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service="foleyline.v1.Foley"), timeout=30)
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_needs_the_token(server) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    with grpc.insecure_channel(server.address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        with pytest.raises(grpc.RpcError) as caught:
            list(stub.ServerReflectionInfo(iter([request]), timeout=30))
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
        answers = list(stub.ServerReflectionInfo(iter([request]), metadata=(("authorization", f"Bearer {TOKEN}"),), timeout=30))
    names = {s.name for s in answers[0].list_services_response.service}
    assert {"foleyline.v1.Foley", "grpc.health.v1.Health"} <= names
