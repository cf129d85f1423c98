"""The fake-server base over real HTTP on 127.0.0.1: routing, credentials, call log, rate limit, lifecycle."""

from __future__ import annotations

import errno
import io
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from notes_fake import GOOD_TOKEN, OTHER_TOKEN, FakeNotes

from syncd.http.clock import ManualClock
from syncd.testing import FakeServer, FakeServerError, Outcome, RateLimit, Request, Response, route
from syncd.testing.standalone import serve_until_interrupted
from syncd.testing.tls import self_signed_tls


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(clock: ManualClock) -> Iterator[FakeNotes]:
    with FakeNotes(clock=clock.monotonic) as server:
        yield server


@pytest.fixture
def client(fake: FakeNotes) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {GOOD_TOKEN}"}
    with httpx.Client(base_url=fake.base_url, headers=headers, timeout=5.0) as http:
        yield http


def test_base_url_is_loopback_on_a_free_port(fake: FakeNotes) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert int(fake.base_url.rsplit(":", 1)[1]) > 0
    assert fake.url("/notes") == fake.base_url + "/notes"


def test_start_serves_on_a_fixed_port_and_takes_it_again_after_a_stop() -> None:
    # A port the OS just handed out and released: free now, barring a race with another process.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])

    for _ in range(2):  # the second start proves a stopped emulator gives its port back at once
        fake = FakeNotes().start(port=port)
        try:
            assert fake.base_url == f"http://127.0.0.1:{port}"
            assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5.0).text == "ok"
        finally:
            fake.stop()


def test_a_fixed_port_that_is_taken_or_out_of_range_is_refused(fake: FakeNotes) -> None:
    taken = int(fake.base_url.rsplit(":", 1)[1])
    other = FakeNotes()

    with pytest.raises(OSError, match="in use") as raised:
        other.start(port=taken)
    assert raised.value.errno == errno.EADDRINUSE
    assert not other.running
    for port in (-1, 65536):
        with pytest.raises(ValueError, match="port"):
            other.start(port=port)
    # The running emulator was not disturbed.
    assert httpx.get(fake.url("/health"), timeout=5.0).text == "ok"


def test_routes_by_method_and_path_with_parameters(client: httpx.Client) -> None:
    assert client.get("/notes/1").json() == {"id": "1", "text": "first"}
    assert client.get("/notes/9").status_code == 404  # the handler's own 404
    created = client.post("/notes", json={"text": "second"})
    assert created.status_code == 201
    assert client.get("/notes/2").json()["text"] == "second"


def test_unknown_path_is_404_and_wrong_method_is_405(client: httpx.Client, fake: FakeNotes) -> None:
    assert client.get("/nowhere").status_code == 404
    assert client.delete("/notes/1").status_code == 405
    assert fake.calls.count(outcome=Outcome.NOT_FOUND) == 2


def test_request_exposes_query_headers_and_body(client: httpx.Client) -> None:
    listed = client.get("/notes", params={"q": "a b"}).json()
    assert (listed["q"], listed["who"]) == ("a b", GOOD_TOKEN)
    echoed = client.get("/health", headers={"X-Echo": "hello"})
    assert echoed.text == "ok"
    assert echoed.headers["X-Echo"] == "hello"


def test_chunked_request_body_is_read(client: httpx.Client, fake: FakeNotes) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"text": '
        yield b'"streamed"}'

    assert client.post("/notes", content=chunks()).status_code == 201
    assert fake.notes["2"] == "streamed"


def test_credential_check_refuses_with_401_except_on_open_routes(fake: FakeNotes) -> None:
    with httpx.Client(base_url=fake.base_url, timeout=5.0) as anonymous:
        assert anonymous.get("/notes").status_code == 401
        assert anonymous.get("/health").status_code == 200
    assert fake.calls.unauthorized == 1


def test_call_log_records_each_request(client: httpx.Client, fake: FakeNotes, clock: ManualClock) -> None:
    client.get("/notes", params={"q": "x"})
    clock.advance(5)
    client.get("/notes/1")
    client.get("/notes/1")
    first, second, _third = fake.calls.all()
    assert (first.method, first.path, first.route, first.status) == ("GET", "/notes", "list_notes", 200)
    assert first.query == {"q": ["x"]}
    assert first.outcome is Outcome.HANDLED
    assert first.credential == GOOD_TOKEN
    assert second.at - first.at == 5
    assert fake.calls.by_route() == {"list_notes": 1, "get_note": 2}
    assert fake.calls.count("get_note", status=200) == 2
    fake.calls.clear()
    assert len(fake.calls) == 0


def test_handler_exception_answers_500_and_is_raised_on_exit(clock: ManualClock) -> None:
    statuses: list[int] = []

    def serve_boom() -> None:
        with FakeNotes(clock=clock.monotonic) as fake:
            response = httpx.get(fake.url("/boom"), headers={"Authorization": f"Bearer {GOOD_TOKEN}"})
            statuses.append(response.status_code)

    with pytest.raises(FakeServerError, match="KeyError"):
        serve_boom()
    assert statuses == [500]


def test_a_failing_hook_answers_500_and_is_raised(clock: ManualClock) -> None:
    class BrokenAuth(FakeNotes):
        def authenticate(self, request: Request) -> str | None:
            raise RuntimeError("bug in the fake")

    fake = BrokenAuth(clock=clock.monotonic).start()
    try:
        assert httpx.get(fake.url("/notes"), timeout=5.0).status_code == 500
    finally:
        fake.stop()
    with pytest.raises(FakeServerError, match="bug in the fake"):
        fake.raise_handler_errors()


def test_the_bare_base_class_serves_404s() -> None:
    with FakeServer() as fake:
        assert httpx.get(fake.url("/anything"), timeout=5.0).status_code == 404
        assert fake.calls.by_route() == {"": 1}


class TestRateLimit:
    def test_throttles_past_the_burst_until_the_clock_refills(self, clock: ManualClock) -> None:
        limit = RateLimit(capacity=2, per_second=0.5)
        with FakeNotes(rate_limit=limit, clock=clock.monotonic) as fake, self._client(fake, GOOD_TOKEN) as http:
            assert [http.get("/notes").status_code for _ in range(3)] == [200, 200, 429]
            throttled = http.get("/notes")
            assert throttled.headers["Retry-After"] == "2"  # one token at 0.5/s
            clock.advance(2)
            assert http.get("/notes").status_code == 200
            assert fake.calls.throttled == 2

    def test_buckets_are_per_credential_by_default(self, clock: ManualClock) -> None:
        limit = RateLimit(capacity=1, per_second=1)
        with (
            FakeNotes(rate_limit=limit, clock=clock.monotonic) as fake,
            self._client(fake, GOOD_TOKEN) as good,
            self._client(fake, OTHER_TOKEN) as other,
        ):
            assert good.get("/notes").status_code == 200
            assert other.get("/notes").status_code == 200
            assert good.get("/notes").status_code == 429

    def test_a_global_bucket_is_shared(self, clock: ManualClock) -> None:
        limit = RateLimit(capacity=1, per_second=1, per_credential=False)
        with (
            FakeNotes(rate_limit=limit, clock=clock.monotonic) as fake,
            self._client(fake, GOOD_TOKEN) as good,
            self._client(fake, OTHER_TOKEN) as other,
        ):
            assert good.get("/notes").status_code == 200
            assert other.get("/notes").status_code == 429

    def test_platform_limit_is_the_default_and_can_be_replaced(self, clock: ManualClock) -> None:
        class Strict(FakeNotes):
            platform_rate_limit = RateLimit(capacity=1, per_second=1)

        fake = Strict(clock=clock.monotonic)
        assert fake.rate_limit == Strict.platform_rate_limit
        assert Strict(rate_limit=None).rate_limit is None
        fake.set_rate_limit(None)
        assert fake.rate_limit is None

    def test_subclass_shapes_its_throttle_response(self, clock: ManualClock) -> None:
        class CodeThrottled(FakeNotes):
            platform_rate_limit = RateLimit(capacity=1, per_second=1)

            def throttle_response(self, request: Request, retry_after: float) -> Response:
                return Response.json({"code": 36009002, "message": "too many requests"})

        with CodeThrottled(clock=clock.monotonic) as fake, self._client(fake, GOOD_TOKEN) as http:
            http.get("/notes")
            throttled = http.get("/notes")
            assert throttled.status_code == 200
            assert throttled.json()["code"] == 36009002
            assert fake.calls.throttled == 1

    def test_cost_based_limit_and_budget_left(self, clock: ManualClock) -> None:
        class Costly(FakeNotes):
            platform_rate_limit = RateLimit(capacity=10, per_second=1)

            def request_cost(self, request: Request) -> float:
                return float(request.arg("cost") or 1)

        with Costly(clock=clock.monotonic) as fake, self._client(fake, GOOD_TOKEN) as http:
            assert http.get("/notes", params={"cost": 6}).status_code == 200
            assert fake.budget_left(GOOD_TOKEN) == 4
            throttled = http.get("/notes", params={"cost": 6})
            assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "2")
            clock.advance(2)
            assert http.get("/notes", params={"cost": 6}).status_code == 200
            assert http.get("/notes", params={"cost": 50}).status_code == 429  # charged as the capacity
        assert FakeNotes(rate_limit=None).budget_left(GOOD_TOKEN) is None

    @staticmethod
    def _client(fake: FakeServer, token: str) -> httpx.Client:
        return httpx.Client(base_url=fake.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=5.0)


class TestLifecycle:
    def test_start_twice_and_base_url_before_start_are_errors(self) -> None:
        fake = FakeNotes()
        with pytest.raises(RuntimeError, match="not running"):
            _ = fake.base_url
        fake.start()
        try:
            with pytest.raises(RuntimeError, match="already running"):
                fake.start()
        finally:
            fake.stop()
        fake.stop()  # a second stop is harmless
        assert not fake.running

    def test_stop_is_prompt_with_an_idle_keep_alive_connection_and_leaves_no_threads(self) -> None:
        before = set(threading.enumerate())
        fake = FakeNotes().start()
        with httpx.Client(base_url=fake.base_url, timeout=5.0) as http:
            assert http.get("/health").status_code == 200  # the pooled connection stays open
            started = time.monotonic()
            fake.stop()
            assert time.monotonic() - started < 0.5
        assert set(threading.enumerate()) <= before

    def test_many_servers_start_and_stop_quickly(self) -> None:
        before = set(threading.enumerate())
        started = time.monotonic()
        with httpx.Client(timeout=5.0) as http:
            for _ in range(20):
                with FakeNotes() as fake:
                    assert http.get(fake.url("/health")).status_code == 200
        assert time.monotonic() - started < 3.0
        assert set(threading.enumerate()) <= before

    def test_routes_are_inherited_and_overridable(self) -> None:
        class Louder(FakeNotes):
            @route("GET", "/health", auth=False)
            def health(self, request: Request) -> Response:
                return Response.text("OK!")

        names = [spec.name for spec in Louder.router.routes]
        assert names.count("health") == 1
        with Louder() as fake:
            assert httpx.get(fake.url("/health"), timeout=5.0).text == "OK!"


def test_access_log_never_shows_keys_from_the_query(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG", logger="syncd.testing.fakeserver"):
        client.get("/notes", params={"consumer_secret": "cs_top_secret_value", "page": "2"})
    lines = [record.getMessage() for record in caplog.records if record.name == "syncd.testing.fakeserver"]
    assert any("page=2" in line for line in lines)
    assert not any("cs_top_secret_value" in line for line in lines)


class TestTls:
    def test_serves_https_with_the_given_certificate(self, tmp_path: Path) -> None:
        context, certificate = self_signed_tls(tmp_path)
        with FakeNotes().start(tls=context) as fake:
            assert fake.base_url.startswith("https://127.0.0.1:")
            trusting = ssl.create_default_context(cafile=str(certificate))
            assert httpx.get(fake.url("/health"), verify=trusting, timeout=5.0).text == "ok"
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                httpx.get(fake.url("/health"), timeout=5.0)  # the system's CAs do not know it
            with pytest.raises(httpx.TransportError):  # plain http to a TLS port: the handshake fails, no answer
                httpx.get(fake.url("/health").replace("https://", "http://"), timeout=5.0)
            assert fake.calls.by_route() == {"health": 1}

    def test_a_client_that_never_handshakes_stalls_neither_serving_nor_stop(self, tmp_path: Path) -> None:
        context, certificate = self_signed_tls(tmp_path)
        fake = FakeNotes().start(tls=context)
        port = int(fake.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5.0):  # connects, then says nothing
            trusting = ssl.create_default_context(cafile=str(certificate))
            assert httpx.get(fake.url("/health"), verify=trusting, timeout=5.0).text == "ok"
            started = time.monotonic()
            fake.stop()
            assert time.monotonic() - started < 3.0
        assert not fake.running


class TestServeUntilInterrupted:
    def test_prints_the_lines_serves_until_stopped_then_stops_the_fake(self) -> None:
        fake = FakeNotes().start()
        out, stop = io.StringIO(), threading.Event()
        serving = threading.Thread(
            target=serve_until_interrupted, args=(fake, ["a: 1", "b: 2"]), kwargs={"stop": stop, "out": out}
        )
        serving.start()
        try:
            assert httpx.get(fake.url("/health"), timeout=5.0).text == "ok"
            assert serving.is_alive()
        finally:
            stop.set()
            serving.join(timeout=10)
        assert not serving.is_alive()
        assert out.getvalue() == "a: 1\nb: 2\n"
        assert not fake.running

    def test_refuses_a_fake_that_is_not_running(self) -> None:
        with pytest.raises(RuntimeError, match="start FakeNotes first"):
            serve_until_interrupted(FakeNotes(), ["never printed"])

    @pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
    def test_a_standalone_process_stops_cleanly_on_a_signal(self, stop_signal: signal.Signals) -> None:
        script = (
            "from syncd.testing import FakeServer\n"
            "from syncd.testing.standalone import serve_until_interrupted\n"
            "fake = FakeServer().start()\n"
            "serve_until_interrupted(fake, [f'base_url: {fake.base_url}', 'ready'])\n"
            "print('stopped' if not fake.running else 'still running')\n"
        )
        process = subprocess.Popen(  # noqa: S603 - a fixed argv: this interpreter and this script
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip().removeprefix("base_url: ")
            assert process.stdout.readline() == "ready\n"
            assert httpx.get(base_url + "/anything", timeout=5.0).status_code == 404  # serving
            process.send_signal(stop_signal)
            rest, errors = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert (process.returncode, rest, errors) == (0, "stopped\n", "")
