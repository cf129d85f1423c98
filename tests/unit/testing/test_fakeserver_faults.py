"""Each scripted fault kind, seen by a real httpx client over 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from notes_fake import GOOD_TOKEN, FakeNotes

from syncd.testing import Fault, FaultKind, Outcome, Request

AUTH = {"Authorization": f"Bearer {GOOD_TOKEN}"}


@pytest.fixture
def fake() -> Iterator[FakeNotes]:
    with FakeNotes(seed=7) as server:
        yield server


@pytest.fixture
def client(fake: FakeNotes) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.base_url, headers=AUTH, timeout=5.0) as http:
        yield http


def test_status_fault_answers_its_status_and_body_then_is_spent(client: httpx.Client, fake: FakeNotes) -> None:
    fault = fake.inject(Fault.error(503, b"down for maintenance"))
    failed = client.get("/notes")
    assert (failed.status_code, failed.text) == (503, "down for maintenance")
    assert client.get("/notes").status_code == 200
    assert fake.faults.fired(fault) == 1
    assert fake.calls.count(outcome=Outcome.FAULT, fault="status") == 1


def test_throttle_fault_uses_the_fakes_throttle_response(client: httpx.Client, fake: FakeNotes) -> None:
    fake.inject(Fault.throttle(retry_after=3))
    throttled = client.get("/notes")
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "3"


def test_unauthorized_fault_answers_401_with_good_credentials(client: httpx.Client, fake: FakeNotes) -> None:
    fake.inject(Fault.unauthorized())
    assert client.get("/notes").status_code == 401
    assert client.get("/notes").status_code == 200


def test_drop_closes_the_connection_without_a_response(client: httpx.Client, fake: FakeNotes) -> None:
    fake.inject(Fault.drop())
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/notes")
    assert client.get("/notes").status_code == 200
    dropped = fake.calls.all()[0]
    assert (dropped.status, dropped.fault) == (None, "drop")


def test_delay_past_the_client_timeout_times_out_and_is_logged(fake: FakeNotes) -> None:
    fake.inject(Fault.delay(2.0))
    started = time.monotonic()
    with httpx.Client(base_url=fake.base_url, headers=AUTH, timeout=0.1) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("/notes")
        assert time.monotonic() - started < 1.0
        assert http.get("/notes").status_code == 200
    assert fake.calls.count(fault="delay") == 1


def test_delay_with_respond_answers_late(client: httpx.Client, fake: FakeNotes) -> None:
    fake.inject(Fault.delay(0.05, respond=True))
    started = time.monotonic()
    assert client.get("/notes").status_code == 200
    assert time.monotonic() - started >= 0.05
    late = fake.calls.all()[0]
    assert (late.status, late.fault) == (200, "delay")


def test_malformed_sends_half_the_body_after_running_the_handler(client: httpx.Client, fake: FakeNotes) -> None:
    fake.inject(Fault.malformed(route="add_note"))
    response = client.post("/notes", json={"text": "kept"})
    assert response.status_code == 201
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert fake.notes["2"] == "kept"  # the side effect happened; only the answer was cut


def test_route_method_and_predicate_filters(client: httpx.Client, fake: FakeNotes) -> None:
    fake.inject(Fault.error(500, route="get_note", method="GET", when=lambda r: r.path_params["note_id"] == "1"))
    assert client.get("/notes").status_code == 200
    client.post("/notes", json={"text": "two"})
    assert client.get("/notes/2").status_code == 200
    assert client.get("/notes/1").status_code == 500


def test_after_and_times_pick_which_requests_fail(client: httpx.Client, fake: FakeNotes) -> None:
    fake.inject(Fault.error(502, after=2, times=2))
    assert [client.get("/notes").status_code for _ in range(6)] == [200, 200, 502, 502, 200, 200]
    assert fake.faults.pending() == []


def test_faults_apply_first_in_first_out(client: httpx.Client, fake: FakeNotes) -> None:
    fake.inject(Fault.error(500))
    fake.inject(Fault.error(503, times=None))
    assert [client.get("/notes").status_code for _ in range(3)] == [500, 503, 503]
    fake.faults.clear()
    assert client.get("/notes").status_code == 200


def test_probability_is_seeded_and_reproducible() -> None:
    def run(seed: int) -> list[int]:
        with FakeNotes(seed=seed) as fake, httpx.Client(base_url=fake.base_url, headers=AUTH) as http:
            fake.inject(Fault.error(500, times=None, probability=0.3))
            return [http.get("/notes").status_code for _ in range(40)]

    first, again, other = run(1), run(1), run(2)
    assert first == again
    assert first != other
    assert 3 <= first.count(500) <= 25


def test_fault_arguments_are_validated() -> None:
    with pytest.raises(ValueError, match="times"):
        Fault.error(500, times=0)
    with pytest.raises(ValueError, match="probability"):
        Fault.drop(probability=0.0)
    assert Fault.drop().kind is FaultKind.DROP


def test_stop_is_prompt_while_a_delay_holds_a_request() -> None:
    fake = FakeNotes().start()
    arrived = threading.Event()

    def signal(request: Request) -> bool:
        arrived.set()
        return True

    fake.inject(Fault.delay(30.0, when=signal))
    errors: list[Exception] = []

    def call() -> None:
        try:
            httpx.get(fake.url("/notes"), headers=AUTH, timeout=60.0)
        except httpx.HTTPError as exc:
            errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    assert arrived.wait(5)
    started = time.monotonic()
    fake.stop()
    caller.join(timeout=5)
    assert time.monotonic() - started < 1.0
    assert not caller.is_alive()
    assert len(errors) == 1


def test_handlers_see_a_routed_request(fake: FakeNotes) -> None:
    seen: list[Request] = []

    def spy(request: Request) -> bool:
        seen.append(request)
        return False

    fake.inject(Fault.drop(when=spy))
    httpx.get(fake.url("/notes/1"), headers=AUTH, timeout=5.0)
    assert seen[0].route == "get_note"
    assert seen[0].path_params == {"note_id": "1"}
