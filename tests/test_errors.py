"""foleyline.errors: one table between the package's errors and gRPC status codes, read both
ways: the code the server answers a failure with is the code the client turns back into it."""

from __future__ import annotations

import grpc
import pytest

from foleyline import errors
from foleyline.plugin.client import translate
from foleyline.server.status import status_code


class _RpcError(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


@pytest.mark.parametrize("cls, code", errors.STATUS_CODES, ids=lambda v: getattr(v, "__name__", v))
def test_a_failure_crosses_the_api_as_itself(cls, code):
    answered = status_code(cls("what was wrong; what to do"))
    assert answered == grpc.StatusCode[code]
    received = translate(_RpcError(answered, "what was wrong; what to do"), "127.0.0.1:1")
    assert type(received) is cls
    assert errors.error_class(code) is cls


def test_a_subclass_is_answered_with_its_parents_code():
    class BadNotes(errors.InvalidInput):
        pass

    assert status_code(BadNotes("x")) == grpc.StatusCode.INVALID_ARGUMENT


def test_unlisted_errors_and_bugs():
    assert status_code(errors.FoleylineError("x")) == grpc.StatusCode.FAILED_PRECONDITION
    assert status_code(KeyError("x")) == grpc.StatusCode.INTERNAL
    assert errors.error_class("INTERNAL") is errors.FoleylineError


@pytest.mark.parametrize("code, cls", sorted(errors.ALSO_MEANS.items()))
def test_codes_grpc_itself_produces_mean_the_same_errors(code, cls):
    assert type(translate(_RpcError(grpc.StatusCode[code], "x"), "127.0.0.1:1")) is cls
