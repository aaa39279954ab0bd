"""Shop and channel rules: is this shop, and the app publishing for it, allowed to list at all?

These run once per run, only when a shop profile is given, and are reported in ``shop_findings``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from shelfcheck.findings import Hit
from shelfcheck.rules.context import ShopContext
from shelfcheck.rules.registry import rule

__all__: list[str] = []


def _version_tuple(text: str) -> tuple[int, ...] | None:
    parts = text.strip().lstrip("vV").split(".")
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        return None


def _day(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


@rule("seller_not_us", family="shop", scope="shop", reads=("channel.seller_id_prefix",))
def seller_not_us(c: ShopContext) -> Iterator[Hit]:
    """The seller ID does not start with ``US``: the shop is not a TikTok Shop US shop.

    What it checks:
        ``seller_id`` in the shop profile starts with the policy's prefix (``US``).
    Why the platform refuses it:
        Only sellers invited to the US marketplace (Seller ID with the ``US`` prefix) can list on
        TikTok Shop US; a UK or Southeast Asia shop cannot publish US listings.
    Bad:
        ``seller_id: GB1234567890``
    Good:
        ``seller_id: US1234567890``
    """
    prefix = c.policy.channel.seller_id_prefix
    seller_id = (c.shop.seller_id or "").strip()
    if not seller_id.upper().startswith(prefix.upper()):
        yield Hit("seller_id", {"value": seller_id or None, "required_prefix": prefix})


@rule("kyc_incomplete", family="shop", scope="shop")
def kyc_incomplete(c: ShopContext) -> Iterator[Hit]:
    """Identity verification (KYC) is not complete.

    What it checks:
        ``kyc_complete: true`` in the shop profile.
    Why the platform refuses it:
        A shop that has not finished KYC and basic shop set-up cannot publish products.
    Bad:
        ``kyc_complete: false`` (or not stated)
    Good:
        ``kyc_complete: true``
    """
    if c.shop.kyc_complete is not True:
        yield Hit("kyc_complete", {"value": c.shop.kyc_complete, "required": True})


@rule("store_not_compliant", family="shop", scope="shop")
def store_not_compliant(c: ShopContext) -> Iterator[Hit]:
    """The store does not show the "Your store is compliant" banner.

    What it checks:
        ``store_compliant: true`` in the shop profile (the green banner on the Seller Center
        home page).
    Why the platform refuses it:
        A store with open compliance issues is blocked from publishing; this is the first of the
        "two checks and one try".
    Bad:
        ``store_compliant: false``
    Good:
        ``store_compliant: true``
    """
    if c.shop.store_compliant is not True:
        yield Hit("store_compliant", {"value": c.shop.store_compliant, "required": True})


@rule("app_inactive", family="shop", scope="shop", reads=("channel.active_status",))
def app_inactive(c: ShopContext) -> Iterator[Hit]:
    """The publishing app (ERP) is not ``Active`` in the Developer Portal.

    What it checks:
        ``app.status`` equals the policy's active status (``Active``).
    Why the platform refuses it:
        Calls from an app that is suspended, in review or offline are refused, whatever the
        listing data.
    Bad:
        ``app: {name: DianXiaoMi, status: Suspended}``
    Good:
        ``app: {name: DianXiaoMi, status: Active}``
    """
    app = c.shop.app
    if app is None:
        return
    wanted = c.policy.channel.active_status
    if (app.status or "").strip().casefold() != wanted.casefold():
        yield Hit("app.status", {"value": app.status, "required": wanted}, {"app": app.name})


@rule("app_missing_product_write", family="shop", scope="shop", reads=("channel.required_permissions",),
      platform=("105005",))
def app_missing_product_write(c: ShopContext) -> Iterator[Hit]:
    """The publishing app lacks the ``product_write`` permission.

    What it checks:
        ``app.permissions`` contains every permission the policy requires (``product_write``).
    Why the platform refuses it:
        Without the product write scope the Open API answers every create or edit call with a
        permission error (105005).
    Bad:
        ``permissions: [product_read]``
    Good:
        ``permissions: [product_read, product_write]``
    """
    app = c.shop.app
    if app is None:
        return
    have = {p.strip().casefold() for p in app.permissions}
    missing = [p for p in c.policy.channel.required_permissions if p.casefold() not in have]
    if missing:
        yield Hit("app.permissions", {"value": list(app.permissions), "missing": missing},
                  {"app": app.name, "permission": ", ".join(missing)})


@rule("channel_api_outdated", family="shop", scope="shop",
      reads=("channel.min_api_version", "channel.legacy_cutoff"),
      platform=("403-UNAUTHORIZED_CHANNEL",))
def channel_api_outdated(c: ShopContext) -> Iterator[Hit]:
    """The app still uses a channel API older than {channel.min_api_version} after the {channel.legacy_cutoff} cut-over.

    What it checks:
        ``app.api_version`` is at least ``channel.min_api_version`` ({channel.min_api_version})
        when the as-of day is on or after ``channel.legacy_cutoff`` ({channel.legacy_cutoff}).
    Why the platform refuses it:
        From {channel.legacy_cutoff} the legacy v1.0 channel API is refused with
        ``403-UNAUTHORIZED_CHANNEL`` and the Add Product button is greyed out.
    Bad:
        ``api_version: "1.0"``
    Good:
        ``api_version: "4.1"``
    """
    app = c.shop.app
    if app is None or c.as_of < c.policy.channel.legacy_cutoff:
        return
    minimum = c.policy.channel.min_api_version
    have = _version_tuple(app.api_version or "")
    need = _version_tuple(minimum) or (0,)
    if have is None or have < need:
        yield Hit("app.api_version",
                  {"value": app.api_version, "min": minimum,
                   "cutoff": c.policy.channel.legacy_cutoff.isoformat()},
                  {"app": app.name})


@rule("channel_reauthorization_required", family="shop", scope="shop",
      platform=("401",))
def channel_reauthorization_required(c: ShopContext) -> Iterator[Hit]:
    """A system was connected after the app was authorized: the old token is no longer valid.

    What it checks:
        Every ``integrations[].connected_at`` is on or before ``app.authorized_at``.
    Why the platform refuses it:
        Switching ERP (e.g. 店小秘 to 马帮) or adding a channel invalidates the earlier
        authorization; calls fail with 401 Unauthorized until the seller removes the old
        connection and authorizes again via OAuth 2.0.
    Bad:
        ``authorized_at: 2024-06-20`` with ``{name: Mabang, connected_at: 2024-07-10}``
    Good:
        ``authorized_at: 2024-07-11`` after the last connection
    """
    app = c.shop.app
    if app is None:
        return
    authorized = _day(app.authorized_at)
    for i, integration in enumerate(c.shop.integrations):
        connected = _day(integration.connected_at)
        if connected is None:
            continue
        if authorized is None or connected > authorized:
            yield Hit(
                f"integrations[{i}].connected_at",
                {"connected_at": connected.isoformat(),
                 "authorized_at": authorized.isoformat() if authorized else None},
                {"integration": integration.name, "app": app.name},
            )
