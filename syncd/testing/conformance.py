"""The conformance suite every connector opts into with one subclass.

```python
class TestAcme(ConnectorConformanceSuite):
    connector_class = AcmeConnector

    def start_fake(self, clock): return FakeAcme(clock=clock.monotonic)
    def make_config(self, fake, *, valid_credentials=True): return AcmeConfig(...)
    def seed(self, fake, capability, count): return fake.add_products(count)  # keys of what was seeded
```

The suite runs each check only for the capabilities the connector implements: the contract, `check()` with
good and bad credentials, paged reads (every record once, resumable from every checkpoint, incremental),
reads through injected faults, the platform's rate limit, batch writes (one result per input, partial
failures named), and no secret in any log line. Fake and connector share one `ManualClock`, so Retry-After
and limiter waits take no real time while the fake's buckets still see them pass.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from syncd.connector import CAPABILITIES, Connector, capabilities_of
from syncd.errors import AuthError
from syncd.http.clock import ManualClock
from syncd.registry import ConnectorRegistry
from syncd.testing.capabilities import (
    READ_STREAMS,
    WRITE_TARGETS,
    ReadStream,
    WriteTarget,
    implemented,
    secret_values,
)
from syncd.testing.fakeserver import FakeServer
from syncd.testing.faults import Fault

_NAME = re.compile(r"[a-z][a-z0-9_]*")
READ_FAULTS = ("server_error", "throttle", "dropped_connection", "timeout")

# (record keys, checkpoint) of each page of one read.
PageKeys = list[tuple[list[str], str | None]]


class ConnectorConformanceSuite:
    """Base of a connector's conformance tests; a subclass sets `connector_class` and implements the hooks."""

    connector_class: ClassVar[type[Connector]]
    # Records seeded for read tests; with the page size `make_config` sets, at least `min_pages` pages.
    seed_count: ClassVar[int] = 23
    min_pages: ClassVar[int] = 3
    # Records added after a full read, which a read from its last checkpoint must return.
    new_records: ClassVar[int] = 3
    # True for streams read in overlapping windows (TikTok orders by update_time): a resumed read may repeat
    # records from the checkpointed page, which the engine dedupes by key. It must still lose none.
    resume_may_overlap: ClassVar[bool] = False
    write_count: ClassVar[int] = 7
    # Enough records that reading them takes more requests than the fake's burst allows.
    rate_limit_seed_count: ClassVar[int] = 60
    # Throttled requests tolerated in the rate-limit test; 0 for a connector with a client-side limiter.
    allowed_throttles: ClassVar[int] = 0
    # How long the timeout fault holds a request; the client timeout from `make_config` must be shorter.
    timeout_fault_seconds: ClassVar[float] = 1.0
    # Shorter secrets would match ordinary log text by chance.
    min_secret_length: ClassVar[int] = 8

    # -- hooks ---------------------------------------------------------------------------------------

    # Hooks raise instead of being abstract: pytest silently skips an abstract test class, so a suite that
    # forgot one would pass by running nothing.

    def start_fake(self, clock: ManualClock) -> FakeServer:
        """A fake of the platform on `clock.monotonic`, enforcing the platform's rate limit; started or not."""
        raise self._missing("start_fake")

    def make_config(self, fake: FakeServer, *, valid_credentials: bool = True) -> BaseModel:
        """A config for the fake: small page size, client timeout under `timeout_fault_seconds`; secrets wrong
        when `valid_credentials` is False."""
        raise self._missing("make_config")

    def seed(self, fake: FakeServer, capability: type, count: int) -> list[str]:
        """Add `count` records readable through `capability` (newer than any before); return their keys.

        Keys: products and orders by external id, stock levels as `capabilities.stock_key(sku, location)`.
        """
        raise self._missing("seed", capability)

    def write_inputs(self, fake: FakeServer, capability: type, count: int) -> Sequence[Any]:
        """`count` records the fake will accept through the write `capability`, with distinct keys."""
        raise self._missing("write_inputs", capability)

    def fail_writes(self, fake: FakeServer, capability: type, keys: Sequence[str]) -> None:
        """Make the fake reject the records with these keys, and only them, in the next batch write."""
        raise self._missing("fail_writes", capability)

    def make_connector(self, config: BaseModel, fake: FakeServer, clock: ManualClock) -> Connector:
        """The connector pointed at the fake; override to hand it `clock` so its waits are virtual."""
        return self.connector_class(config, base_url=fake.base_url)

    def registry(self) -> ConnectorRegistry:
        """The registry that must resolve the connector's name to its class."""
        return ConnectorRegistry()

    def _missing(self, hook: str, capability: type | None = None) -> NotImplementedError:
        purpose = f" to test {capability.__name__}" if capability is not None else ""
        return NotImplementedError(f"{type(self).__name__} must override {hook}(){purpose}")

    # -- pytest plumbing -----------------------------------------------------------------------------

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize capability tests with the capabilities the connector class implements."""
        connector_class = getattr(type(self), "connector_class", None)
        if connector_class is None:
            raise TypeError(f"{type(self).__name__} must set connector_class")
        for argname, rows in (("read_stream", READ_STREAMS), ("write_target", WRITE_TARGETS)):
            if argname in metafunc.fixturenames:
                chosen = implemented(connector_class, rows)
                metafunc.parametrize(argname, chosen, ids=[row.name for row in chosen])

    @pytest.fixture
    def clock(self) -> ManualClock:
        """The clock fake and connector share."""
        return ManualClock()

    @pytest.fixture
    def fake(self, clock: ManualClock) -> Iterator[FakeServer]:
        """A running fake, stopped afterwards; a handler error fails the test."""
        server = self.start_fake(clock)
        if not server.running:
            server.start()
        try:
            yield server
        finally:
            server.stop()
        server.raise_handler_errors()

    @pytest.fixture
    def config(self, fake: FakeServer) -> BaseModel:
        """A valid config pointing at the fake."""
        return self.make_config(fake)

    @pytest.fixture
    def connector(self, config: BaseModel, fake: FakeServer, clock: ManualClock) -> Iterator[Connector]:
        """The connector under test, closed afterwards."""
        with self.make_connector(config, fake, clock) as made:
            yield made

    # -- helpers -------------------------------------------------------------------------------------

    @staticmethod
    def read_pages(stream: ReadStream, connector: Connector, since: str | None) -> PageKeys:
        """Read everything after `since`; the keys and checkpoint of each page (records must be domain models)."""
        pages: PageKeys = []
        for page in stream.read(connector, since):
            wrong = [type(r).__name__ for r in page.records if not isinstance(r, stream.model)]
            assert not wrong, f"{stream.method} yielded {wrong[:3]} instead of {stream.model.__name__}"
            pages.append(([stream.key(r) for r in page.records], page.checkpoint))
        return pages

    def _seed_pages(self, stream: ReadStream, fake: FakeServer, connector: Connector) -> tuple[list[str], PageKeys]:
        seeded = self.seed(fake, stream.capability, self.seed_count)
        assert len(seeded) == self.seed_count, "seed() must return one key per record it added"
        return seeded, self.read_pages(stream, connector, None)

    # -- the contract --------------------------------------------------------------------------------

    def test_declares_contract(self, connector: Connector, config: BaseModel) -> None:
        """A Connector subclass with a snake_case name, a pydantic config model, capabilities, registered."""
        cls = self.connector_class
        assert issubclass(cls, Connector)
        assert isinstance(cls.name, str), "name must be a string"
        assert _NAME.fullmatch(cls.name), f"bad connector name {cls.name!r}: use snake_case"
        assert issubclass(cls.config_model, BaseModel)
        assert isinstance(config, cls.config_model)
        assert capabilities_of(connector), "the connector implements no capability"
        for capability in CAPABILITIES:
            assert issubclass(cls, capability) == isinstance(connector, capability), capability.__name__
        assert self.registry().get(cls.name) is cls, "the registry does not resolve the name to this class"

    def test_check_accepts_good_credentials(self, connector: Connector, fake: FakeServer) -> None:
        """`check()` passes against the fake with valid credentials, after reaching it."""
        connector.check()
        assert len(fake.calls) >= 1, "check() made no request"
        assert fake.calls.unauthorized == 0

    def test_check_rejects_bad_credentials(self, fake: FakeServer, clock: ManualClock) -> None:
        """`check()` raises AuthError when the fake refuses the credentials."""
        with (
            self.make_connector(self.make_config(fake, valid_credentials=False), fake, clock) as bad,
            pytest.raises(AuthError),
        ):
            bad.check()
        assert fake.calls.unauthorized >= 1, "the fake never refused the bad credentials"

    # -- reads ---------------------------------------------------------------------------------------

    def test_read_returns_every_record_once(
        self, read_stream: ReadStream, fake: FakeServer, connector: Connector
    ) -> None:
        """A read from scratch returns each seeded record exactly once, over several pages."""
        seeded, pages = self._seed_pages(read_stream, fake, connector)
        keys = [key for page_keys, _ in pages for key in page_keys]
        assert len(pages) >= self.min_pages, f"only {len(pages)} page(s): lower the page size in make_config"
        assert sorted(set(keys)) == sorted(seeded), "records missing or unexpected"
        assert len(keys) == len(set(keys)), "a record was returned twice"
        assert pages[-1][1] is not None, "the last page has no checkpoint"

    def test_resume_from_each_checkpoint(self, read_stream: ReadStream, fake: FakeServer, connector: Connector) -> None:
        """Resuming from a page's checkpoint yields every later record and none from that page or before."""
        _, pages = self._seed_pages(read_stream, fake, connector)
        for index, (_, checkpoint) in enumerate(pages):
            if checkpoint is None:  # allowed mid-read for unsorted streams
                continue
            before = {key for page_keys, _ in pages[: index + 1] for key in page_keys}
            after = {key for page_keys, _ in pages[index + 1 :] for key in page_keys}
            resumed = {key for page_keys, _ in self.read_pages(read_stream, connector, checkpoint) for key in page_keys}
            if not self.resume_may_overlap:
                assert not resumed & before, f"resuming after page {index} re-read {sorted(resumed & before)}"
            assert after <= resumed, f"resuming after page {index} lost {sorted(after - resumed)}"

    def test_incremental_read_returns_only_new_records(
        self, read_stream: ReadStream, fake: FakeServer, connector: Connector
    ) -> None:
        """After a full read, a read from its last checkpoint returns exactly the records added since."""
        _, pages = self._seed_pages(read_stream, fake, connector)
        added = self.seed(fake, read_stream.capability, self.new_records)
        later = [key for page_keys, _ in self.read_pages(read_stream, connector, pages[-1][1]) for key in page_keys]
        if self.resume_may_overlap:
            assert set(added) <= set(later), f"the incremental read lost {sorted(set(added) - set(later))}"
        else:
            assert sorted(later) == sorted(added), "the incremental read did not return exactly the new records"

    @pytest.mark.parametrize("fault_name", READ_FAULTS)
    def test_read_survives_faults(
        self, read_stream: ReadStream, fault_name: str, fake: FakeServer, connector: Connector
    ) -> None:
        """A read that meets 5xx, throttling, a dropped connection or a timeout mid-way still returns everything."""
        seeded = self.seed(fake, read_stream.capability, self.seed_count)
        fault = fake.inject(self._read_fault(fault_name))
        keys = {key for page_keys, _ in self.read_pages(read_stream, connector, None) for key in page_keys}
        assert fake.faults.fired(fault) == fault.times, "the fault never fired: too few requests"
        assert keys == set(seeded)

    def _read_fault(self, name: str) -> Fault:
        # After the first request, so the fault lands mid-pagination and a cursor must be retried.
        if name == "server_error":
            return Fault.error(503, after=1, times=2)
        if name == "throttle":
            return Fault.throttle(retry_after=1, after=1, times=2)
        if name == "dropped_connection":
            return Fault.drop(after=1, times=2)
        return Fault.delay(self.timeout_fault_seconds, after=1, times=1)

    def test_stays_within_rate_limit(self, read_stream: ReadStream, fake: FakeServer, connector: Connector) -> None:
        """Reading more pages than the platform's burst allows is not throttled (beyond `allowed_throttles`)."""
        limit = fake.rate_limit
        assert limit is not None, "the fake enforces no rate limit: set platform_rate_limit on it"
        seeded = self.seed(fake, read_stream.capability, self.rate_limit_seed_count)
        keys = {key for page_keys, _ in self.read_pages(read_stream, connector, None) for key in page_keys}
        assert keys == set(seeded)
        assert len(fake.calls) > limit.capacity, "too few requests to test the limit: raise rate_limit_seed_count"
        assert fake.calls.throttled <= self.allowed_throttles, (
            f"{fake.calls.throttled} request(s) throttled in {len(fake.calls)}"
        )

    # -- writes --------------------------------------------------------------------------------------

    def test_write_returns_one_result_per_input(
        self, write_target: WriteTarget, fake: FakeServer, connector: Connector
    ) -> None:
        """A batch write returns exactly one successful result per input, keyed as documented; twice is fine."""
        records = self.write_inputs(fake, write_target.capability, self.write_count)
        expected = sorted(write_target.key(record) for record in records)
        for attempt in ("first", "repeated"):
            results = write_target.write(connector, records)
            assert sorted(result.key for result in results) == expected, f"{attempt} write: keys do not match"
            failed = [(r.key, r.error) for r in results if not r.ok]
            assert not failed, f"{attempt} write failed for {failed}"

    def test_write_reports_partial_failure(
        self, write_target: WriteTarget, fake: FakeServer, connector: Connector
    ) -> None:
        """When the platform rejects part of a batch, exactly those records come back failed, with a reason."""
        records = self.write_inputs(fake, write_target.capability, self.write_count)
        keys = [write_target.key(record) for record in records]
        rejected = keys[::3]
        self.fail_writes(fake, write_target.capability, rejected)
        results = write_target.write(connector, records)
        assert sorted(result.key for result in results) == sorted(keys), "not one result per input"
        failed = {r.key for r in results if not r.ok}
        assert failed == set(rejected), f"expected {sorted(rejected)} to fail, got {sorted(failed)}"
        assert all(r.error for r in results if not r.ok), "a failed result has no error message"

    # -- secrets -------------------------------------------------------------------------------------

    def test_no_secrets_in_logs(
        self,
        fake: FakeServer,
        config: BaseModel,
        connector: Connector,
        clock: ManualClock,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """No config secret appears in any log line or error message, through reads, writes and failures."""
        bad_config = self.make_config(fake, valid_credentials=False)
        secrets = secret_values(config) + secret_values(bad_config)
        assert secrets, "the config has no SecretStr field: credentials must be SecretStr"
        short = [s for s in secrets if len(s) < self.min_secret_length]
        assert not short, f"make_config must use secrets of at least {self.min_secret_length} characters"
        caplog.set_level(logging.DEBUG)
        caplog.set_level(logging.DEBUG, logger="httpx")
        shown = self._exercise(fake, connector, clock, bad_config)
        text = caplog.text + "\n".join(shown)
        leaked = [index for index, secret in enumerate(secrets) if secret in text]
        assert not leaked, f"secret(s) number {leaked} of the config appear in logs or error messages"

    def _exercise(self, fake: FakeServer, connector: Connector, clock: ManualClock, bad_config: BaseModel) -> list[str]:
        """Run every capability once, plus a failure; return the error messages seen."""
        connector.check()
        for stream in implemented(self.connector_class, READ_STREAMS):
            self.seed(fake, stream.capability, 3)
            self.read_pages(stream, connector, None)
        for target in implemented(self.connector_class, WRITE_TARGETS):
            target.write(connector, self.write_inputs(fake, target.capability, 2))
        with self.make_connector(bad_config, fake, clock) as bad, pytest.raises(AuthError) as refused:
            bad.check()
        return [str(refused.value), repr(refused.value)]


def conformance_suites() -> list[type[ConnectorConformanceSuite]]:
    """Every subclass of the suite imported so far that names a connector class.

    A `test_every_connector_has_suite` check imports the connectors' test modules first (or runs in the same
    session as them), then compares `{s.connector_class.name for s in conformance_suites()}` with the registry.
    """
    found: list[type[ConnectorConformanceSuite]] = []
    pending: list[type[ConnectorConformanceSuite]] = [ConnectorConformanceSuite]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if getattr(subclass, "connector_class", None) is not None and subclass not in found:
                found.append(subclass)
    return found
