"""The conformance suite can fail: deliberately broken variants of the example connector fail the check
that targets their defect, while a control check on the same variant still passes.

Each case runs the suite in a child pytest session (pytester) on a subclass of the example connector with
one defect, selecting the targeted test plus a control test that must still pass.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import httpx
import pytest

from syncd.connector import Connector
from syncd.testing import FakeServer
from syncd.testing.conformance import ConnectorConformanceSuite, conformance_suites

# pytester is off by default; a module-level pytest_plugins works wherever this module is collected from,
# whereas one in a non-root conftest.py is an error when the whole tree is collected.
pytest_plugins = ["pytester"]

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "example"
# Hypothesis's plugin costs most of a second per child session and nothing here uses it.
CHILD_OPTIONS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

TEMPLATE = """
import dataclasses
import logging

from acme_connector import AcmeConnector
from syncd.connector import WriteResult, WriteStatus
from syncd.errors import AuthError
from syncd.registry import ConnectorRegistry
import test_acme_conformance as acme


class BrokenAcme(AcmeConnector):
{body}


class TestBrokenAcme(acme.TestAcmeConformance):
    connector_class = BrokenAcme

    def registry(self):
        return ConnectorRegistry(extra={"acme": BrokenAcme})
"""

CASES = {
    "drops_last_page": (
        """
        def _read(self, *args, **kwargs):
            pages = list(super()._read(*args, **kwargs))
            yield from pages[:-1]
        """,
        "test_read_returns_every_record_once[CatalogSource]",
        "test_declares_contract",
    ),
    "ignores_rate_limit": (
        """
        def build_limiter(self, config, clock):
            return None
        """,
        "test_stays_within_rate_limit[StockSource]",
        "test_read_returns_every_record_once[StockSource]",
    ),
    "checkpoint_one_too_early": (
        """
        def read_products(self, since):
            for page in super().read_products(since):
                yield dataclasses.replace(page, checkpoint=str(int(page.checkpoint) - 1))
        """,
        "test_resume_from_each_checkpoint[CatalogSource]",
        "test_read_returns_every_record_once[CatalogSource]",
    ),
    "never_retries": (
        """
        def __init__(self, config, **kwargs):
            super().__init__(config.model_copy(update={"max_attempts": 1}), **kwargs)
        """,
        "test_read_survives_faults[CatalogSource-server_error]",
        "test_read_returns_every_record_once[CatalogSource]",
    ),
    "logs_its_token": (
        """
        def check(self):
            logging.getLogger("acme").debug("token %s", self.settings.api_token.get_secret_value())
            super().check()
        """,
        "test_no_secrets_in_logs",
        "test_check_accepts_good_credentials",
    ),
    "hides_partial_failure": (
        """
        def write_stock(self, updates):
            super().write_stock(updates)
            return [WriteResult(key=u.sku, status=WriteStatus.UPDATED) for u in updates]
        """,
        "test_write_reports_partial_failure[StockSink]",
        "test_write_returns_one_result_per_input[StockSink]",
    ),
    "swallows_auth_errors": (
        """
        def check(self):
            try:
                super().check()
            except AuthError:
                pass
        """,
        "test_check_rejects_bad_credentials",
        "test_check_accepts_good_credentials",
    ),
}


@pytest.fixture(autouse=True, scope="module")
def _warm_http_stack() -> None:
    """Make one request in this process before any child session runs.

    A child session's newly imported modules leave sys.modules when it ends, but httpx imports httpcore
    lazily and caches its exception classes on first use: had that first use been in a child, httpcore
    errors raised later in this process would escape as unmapped httpcore exceptions.
    """
    with FakeServer() as fake:
        assert httpx.get(fake.url("/"), timeout=5.0).status_code == 404


def _run(pytester: pytest.Pytester, source: str, *tests: str) -> dict[str, str]:
    """Run `tests` of the child module; the outcome of each by test name."""
    pytester.syspathinsert(EXAMPLE_DIR)
    pytester.makepyfile(test_broken=source)
    selected = [f"test_broken.py::TestBrokenAcme::{name}" for name in tests]
    recorder = pytester.inline_run(*CHILD_OPTIONS, *selected)
    outcomes: dict[str, str] = {}
    for report in recorder.getreports("pytest_runtest_logreport"):
        name = report.nodeid.rsplit("::", 1)[-1]
        if report.when == "call" or report.outcome != "passed":
            outcomes[name] = report.outcome
    return outcomes


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_connector_fails_the_targeted_check(pytester: pytest.Pytester, case: str) -> None:
    body, targeted, control = CASES[case]
    source = TEMPLATE.replace("{body}", textwrap.indent(textwrap.dedent(body), "    "))
    outcomes = _run(pytester, source, targeted, control)
    assert outcomes == {targeted: "failed", control: "passed"}


def test_the_unbroken_connector_passes_the_same_checks(pytester: pytest.Pytester) -> None:
    source = TEMPLATE.replace("{body}", "    pass")
    targeted = sorted({target for _, target, _ in CASES.values()})
    outcomes = _run(pytester, source, *targeted)
    assert outcomes == dict.fromkeys(targeted, "passed")


def test_a_suite_without_its_hooks_cannot_run(pytester: pytest.Pytester) -> None:
    pytester.syspathinsert(EXAMPLE_DIR)
    pytester.makepyfile(
        test_incomplete="""
        from acme_connector import AcmeConnector
        from syncd.testing.conformance import ConnectorConformanceSuite

        class TestIncomplete(ConnectorConformanceSuite):
            connector_class = AcmeConnector
        """
    )
    result = pytester.runpytest(*CHILD_OPTIONS, "-k", "declares_contract or check_accepts")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*TestIncomplete must override start_fake()*"])


def test_conformance_suites_lists_concrete_subclasses() -> None:
    class _Family(ConnectorConformanceSuite):  # a shared base without a connector: not a suite
        pass

    class _Member(_Family):
        connector_class = Connector

    suites = conformance_suites()
    assert _Member in suites
    assert _Family not in suites
    assert ConnectorConformanceSuite not in suites
