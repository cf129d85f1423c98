"""What each notice makes syncd do (pure mapping, no I/O), and the order a pass runs the actions in."""

from __future__ import annotations

import pytest

from syncd.domain import WebhookKind, WebhookNotice
from syncd.web.actions import Action, Step, actions_for, job

K = WebhookKind


def notice(kind: WebhookKind, *ids: str, topic: str = "TOPIC", detail: str = "") -> WebhookNotice:
    """A notice of `kind` naming `ids`."""
    return WebhookNotice(event_id="e-1", topic=topic, kind=kind, entity_ids=ids, detail=detail)


@pytest.mark.parametrize(
    ("channel", "given", "expected"),
    [
        ("tiktok", notice(K.ORDER, "1", "2"), (Action(Step.ORDER, "1"), Action(Step.ORDER, "2"), job("stock"))),
        ("tiktok", notice(K.ORDER), (job("orders"), job("stock"))),
        ("tiktok", notice(K.RETURN, "1"), (job("returns"),)),
        ("tiktok", notice(K.PRODUCT, "9"), ()),
        ("tiktok", notice(K.FULFILMENT, "9"), ()),
        ("tiktok", notice(K.PING), ()),
        ("main", notice(K.PRODUCT, "gid://shopify/Product/1"), (job("catalog"), job("stock"))),
        ("main", notice(K.INVENTORY, "gid://shopify/InventoryItem/1"), (job("stock"),)),
        ("main", notice(K.ORDER, "5"), (job("stock"), job("fulfilment"))),
        ("main", notice(K.FULFILMENT, "5"), (job("fulfilment"),)),
        ("main", notice(K.RETURN, "5"), (job("stock"),)),
        ("main", notice(K.OTHER), ()),
        ("main", notice(K.PING, "3"), ()),
    ],
)
def test_each_notice_maps_to_its_actions(channel: str, given: WebhookNotice, expected: tuple[Action, ...]) -> None:
    assert actions_for(given, channel=channel, tiktok_channel="tiktok") == expected


def test_revoked_and_expiring_authorisations_mark_the_channel_with_the_command_to_run() -> None:
    [revoked] = actions_for(notice(K.DEAUTHORIZED, topic="app/uninstalled"), channel="main", tiktok_channel="tiktok")
    [expiring] = actions_for(
        notice(K.AUTH_EXPIRING, topic="UPCOMING_AUTHORIZATION_EXPIRATION", detail="2027-01-15T08:00:00+00:00"),
        channel="tiktok",
        tiktok_channel="tiktok",
    )

    assert (revoked.step, revoked.target, revoked.job) == (Step.REAUTH, "main", None)
    assert revoked.reason.startswith("the seller revoked syncd's authorisation (app/uninstalled)")
    assert "run `syncd auth main url`, then `syncd auth main exchange --code CODE`" in revoked.reason
    assert expiring.reason.startswith("the authorisation expires at 2027-01-15T08:00:00+00:00")
    assert "syncd auth tiktok url" in expiring.reason


def test_equal_actions_are_one_and_a_pass_runs_them_in_job_order() -> None:
    planned = {
        job("fulfilment"),
        job("stock"),
        Action(Step.ORDER, "2"),
        job("catalog"),
        Action(Step.ORDER, "1"),
        Action(Step.REAUTH, "tiktok", reason="one"),
        Action(Step.REAUTH, "tiktok", reason="another"),  # the same action: the reason is not its identity
        job("stock"),
    }

    ordered = sorted(planned, key=Action.rank)

    assert [(a.step, a.target) for a in ordered] == [
        (Step.REAUTH, "tiktok"),
        (Step.JOB, "catalog"),
        (Step.ORDER, "1"),
        (Step.ORDER, "2"),
        (Step.JOB, "stock"),
        (Step.JOB, "fulfilment"),
    ]
    assert [a.label for a in ordered] == ["reauth", "catalog", "order", "order", "stock", "fulfilment"]
