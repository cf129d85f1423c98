"""What a webhook makes syncd do: each notice becomes targeted actions, and each distinct action of a pass runs once.

| channel | notice | actions |
| --- | --- | --- |
| TikTok | ORDER (order ids) | each order through the orders job (`retry_order`), then the stock job |
| TikTok | RETURN | the returns job |
| TikTok | PRODUCT, FULFILMENT, INVENTORY | nothing: the store of record owns products and stock, and TikTok's |
| | | own review or edits of a listing are repaired by `reconcile`, not by a webhook |
| store | PRODUCT | the catalog job and the stock job (WooCommerce keeps stock on the product) |
| store | INVENTORY, RETURN | the stock job |
| store | ORDER | the stock job (a store sale changes stock) and the fulfilment job |
| store | FULFILMENT | the fulfilment job |
| any | DEAUTHORIZED, AUTH_EXPIRING | the channel marked as needing re-authorisation, with the command to run |
| any | PING, OTHER | nothing |

Each action runs under its job's gate (`JobGate`), so it never overlaps the scheduled run of the same job; a
job already running is reported busy and the delivery is retried on a later pass. The catalog, stock,
fulfilment and returns jobs are incremental and cheap, so running the whole job for "something changed" is
the targeted action there. After a TikTok order the whole stock job runs rather than a push of the order's
SKUs alone: importing the order releases its reservation as the store takes the units off its own stock, so
a push before the store's stock is read again would offer the sold units on TikTok once more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from syncd.domain import WebhookKind, WebhookNotice

# Jobs in the order a pass runs them: products before the orders that need their SKUs, orders before the
# stock their reservations change.
JOB_ORDER = ("catalog", "orders", "stock", "fulfilment", "returns", "reconcile")


class Step(StrEnum):
    """What an action does."""

    REAUTH = "reauth"  # target: the channel
    JOB = "job"  # target: the job's name
    ORDER = "order"  # target: a TikTok order id


@dataclass(frozen=True, slots=True)
class Action:
    """One thing to do; equal actions asked for by several deliveries run once."""

    step: Step
    target: str = ""
    # Why, for a re-authorisation; not part of the action's identity.
    reason: str = field(default="", compare=False)

    @property
    def job(self) -> str | None:
        """The job whose gate the action runs under (None: it needs none)."""
        if self.step is Step.JOB:
            return self.target
        if self.step is Step.ORDER:
            return "orders"
        return None

    @property
    def label(self) -> str:
        """The metrics label: the step, or the job's name for a job."""
        return self.target if self.step is Step.JOB else self.step.value

    def rank(self) -> tuple[int, str]:
        """Sort key: re-authorisation first, then in job order (orders before the stock they change)."""
        if self.job is None:
            return (-1, self.target)
        return (JOB_ORDER.index(self.job) if self.job in JOB_ORDER else len(JOB_ORDER), self.target)


def job(name: str) -> Action:
    """The action of running the job `name`."""
    return Action(Step.JOB, name)


_STORE_ACTIONS: dict[WebhookKind, tuple[Action, ...]] = {
    WebhookKind.PRODUCT: (job("catalog"), job("stock")),
    WebhookKind.INVENTORY: (job("stock"),),
    WebhookKind.RETURN: (job("stock"),),
    WebhookKind.ORDER: (job("stock"), job("fulfilment")),
    WebhookKind.FULFILMENT: (job("fulfilment"),),
}


def actions_for(notice: WebhookNotice, *, channel: str, tiktok_channel: str) -> tuple[Action, ...]:
    """The actions a notice from `channel` asks for (see the module's table)."""
    if notice.kind in (WebhookKind.DEAUTHORIZED, WebhookKind.AUTH_EXPIRING):
        return (Action(Step.REAUTH, channel, reason=reauth_reason(notice, channel)),)
    if channel != tiktok_channel:
        return _STORE_ACTIONS.get(notice.kind, ())
    if notice.kind is WebhookKind.ORDER:
        if not notice.entity_ids:
            return (job("orders"), job("stock"))
        return (*(Action(Step.ORDER, order_id) for order_id in notice.entity_ids), job("stock"))
    if notice.kind is WebhookKind.RETURN:
        return (job("returns"),)
    return ()


def reauth_reason(notice: WebhookNotice, channel: str) -> str:
    """What `syncd status` and the logs say about a revoked or expiring authorisation, with what to run."""
    fix = f"run `syncd auth {channel} url`, then `syncd auth {channel} exchange --code CODE`"
    if notice.kind is WebhookKind.DEAUTHORIZED:
        return f"the seller revoked syncd's authorisation ({notice.topic}); {fix}"
    when = f" at {notice.detail}" if notice.detail else " soon"
    return f"the authorisation expires{when} ({notice.topic}); {fix}"
