"""Test kit shipped for connector authors: a fake-server base for platform emulators, and (in
`syncd.testing.conformance`, which needs pytest) the conformance suite every connector opts into."""

from syncd.testing.calllog import Call, CallLog, Outcome
from syncd.testing.fakeserver import FakeServer, FakeServerError
from syncd.testing.faults import Fault, FaultKind, FaultPlan
from syncd.testing.routing import Request, Response, route
from syncd.testing.throttle import RateLimit

__all__ = [
    "Call",
    "CallLog",
    "FakeServer",
    "FakeServerError",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "Outcome",
    "RateLimit",
    "Request",
    "Response",
    "route",
]
