"""Platform error codes in our own words: cause, fix, and whether a retry can help (en + zh).

Two kinds of code reach a seller:

* the codes sellers see in Seller Center and ERP logs: ``403-UNAUTHORIZED_CHANNEL`` (a channel
  API older than 4.1) and ``401`` (the authorization no longer holds);
* the Open API's numeric codes (``105002``, ``36009004``, ``12052105`` …).

Our table groups the common, auth and listing codes by what the seller must do; a group holds the
cause, the fix and the retry verdict in English and Chinese, and related shelfcheck finding codes
(which ``shelfcheck check`` catches before submission). The *official* message of a code is never
part of the package: it comes from the imported ``tiktok-errors`` dataset (contract §2.6) when
installed, and is shown beside our words. A code missing from our table but present in the
dataset still gets an answer: its group is inferred from the official message (and the Open API
client's classifier), and the answer says so.

Retry verdicts: ``yes`` — the same request can succeed later (back off first); ``after_fix`` —
only after the cause is fixed (an unchanged listing fails again and counts towards the 72-hour
lock); ``no`` — no edit of the request helps (prohibited category, frozen price, wrong market).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "GROUPS",
    "CODES",
    "ErrorGroup",
    "PlatformExplanation",
    "explain_platform_code",
    "is_platform_code",
    "render_platform_explanation",
]

RETRY = ("yes", "after_fix", "no")


@dataclass(frozen=True, slots=True)
class ErrorGroup:
    """Codes that share one cause and one fix."""

    key: str
    retry: str
    cause: Mapping[str, str]
    fix: Mapping[str, str]
    fixable: bool = True
    findings: tuple[str, ...] = ()


def _g(key: str, retry: str, cause_en: str, cause_zh: str, fix_en: str, fix_zh: str, *,
       fixable: bool = True, findings: tuple[str, ...] = ()) -> ErrorGroup:
    assert retry in RETRY, retry
    return ErrorGroup(key, retry, {"en": cause_en, "zh": cause_zh}, {"en": fix_en, "zh": fix_zh},
                      fixable, findings)


_GROUPS = [
    _g("channel_outdated", "after_fix",
       "The app publishing for the shop uses a channel API older than 4.1; since 2024-07-01 the "
       "platform refuses product calls from legacy channels.",
       "发布商品的应用(ERP)仍在使用 4.1 之前的渠道 API;自 2024-07-01 起平台拒绝旧版渠道的商品接口调用。",
       "Ask the ERP vendor (e.g. DianXiaoMi, Mabang) to switch the shop to the API v4.1 channel and "
       "complete the channel certification, then authorize the app again in Seller Center > "
       "Integrations > Manage Apps.",
       "请让 ERP 服务商(如店小秘、马帮)把店铺切换到 API v4.1 渠道并完成渠道认证,然后在 Seller Center > "
       "Integrations > Manage Apps 重新授权该应用。",
       findings=("channel_api_outdated",)),
    _g("reauthorize", "after_fix",
       "The shop's authorization of the app no longer holds: a new ERP or sales channel was connected "
       "after the app was authorized, or the seller revoked it, so its token is rejected.",
       "店铺对该应用的授权已失效:授权之后又接入了新的 ERP 或销售渠道,或卖家撤销了授权,因此 token 被拒绝。",
       "In Seller Center > Integrations > Manage Apps remove the old connection, then authorize the "
       "app again through OAuth 2.0 with the new app key; retry after the new token is stored.",
       "请在 Seller Center > Integrations > Manage Apps 删除旧连接,然后用新的 App Key 通过 OAuth 2.0 重新授权;"
       "保存新 token 后再重试。",
       findings=("channel_reauthorization_required",)),
    _g("token_expired", "after_fix",
       "The access token (or the token header) has expired or is not valid for this shop.",
       "access token(或 token 请求头)已过期,或不属于该店铺。",
       "Refresh the access token with the refresh token and repeat the call once; if the refresh "
       "token has expired too, the seller must authorize the app again.",
       "用 refresh token 刷新 access token 后重试一次;如果 refresh token 也已过期,需要卖家重新授权应用。"),
    _g("scope_denied", "after_fix",
       "The app, or the token, lacks the access scope (API package) this endpoint needs, e.g. "
       "product_write for creating products.",
       "应用或 token 没有该接口所需的权限范围(API 包),例如创建商品需要 product_write。",
       "Enable the API package in the Partner Center / Developer Portal, then have the seller "
       "authorize the app again so the new token carries the scope.",
       "请在 Partner Center / Developer Portal 开通对应的 API 包,再让卖家重新授权,使新 token 带上该权限。",
       findings=("app_missing_product_write",)),
    _g("signature", "after_fix",
       "The request signature does not match: wrong app secret, parameters not sorted or not all "
       "included, the body not appended, or the path changed after signing.",
       "请求签名不匹配:App Secret 不对、参数未排序或有遗漏、未拼接请求体,或签名后路径被改动。",
       "Fix the signer (check it with `shelfcheck api sign` against the official example) and the "
       "app secret in use; retrying the same request does not help.",
       "请修正签名逻辑(可用 `shelfcheck api sign` 对照官方示例校验)和所用的 App Secret;原样重试没有用。"),
    _g("clock", "after_fix",
       "The request timestamp is outside the accepted window (more than 5 minutes old or 30 seconds "
       "ahead): the machine's clock is off.",
       "请求时间戳超出允许范围(早于 5 分钟或超前 30 秒):机器时钟不准。",
       "Synchronise the clock (NTP) of the machine that calls the API, then retry.",
       "请校准调用接口的机器时钟(NTP)后重试。"),
    _g("integration_config", "after_fix",
       "The call itself is malformed for the gateway: unknown path or method, wrong API version, "
       "wrong content type, a missing or unexpected shop cipher, or an unknown app key or shop id.",
       "请求本身不符合网关要求:路径或方法不存在、API 版本不对、Content-Type 不对、shop_cipher 缺失或多余,"
       "或 app_key、shop_id 无效。",
       "This is a bug or a setting in the integration (ERP), not in the listing: correct the request "
       "(or ask the ERP vendor) and retry.",
       "这是集成(ERP)的程序或配置问题,与商品数据无关:修正请求(或联系 ERP 服务商)后重试。"),
    _g("ip_allowlist", "after_fix",
       "The calling server's IP address is not in the app's IP allow list.",
       "调用方服务器的 IP 不在应用的 IP 白名单中。",
       "Add the server's public IP to the app's allow list in the Partner Center, then retry.",
       "请在 Partner Center 把服务器公网 IP 加入应用白名单后重试。"),
    _g("rate_limited", "yes",
       "Too many requests in a short time for this app or shop.",
       "短时间内该应用或店铺的请求过多。",
       "Wait and retry with exponential backoff; spread batch uploads over time.",
       "请等待后按指数退避重试;批量上传请分散时间。"),
    _g("server_transient", "yes",
       "A temporary error inside the platform (internal error or timeout); nothing is wrong with "
       "the request.",
       "平台内部临时错误(内部错误或超时),请求本身没有问题。",
       "Retry after a short wait with backoff; if it persists for hours, contact platform support "
       "with the request_id.",
       "稍等后按退避策略重试;如果持续数小时仍失败,请带上 request_id 联系平台支持。"),
    _g("account_inactive", "no",
       "The shop or seller account is inactive, disabled, or has not finished onboarding, so no "
       "product can be created.",
       "店铺或卖家账号未激活、被停用,或尚未完成入驻,因此无法创建任何商品。",
       "Resolve the account state in Seller Center (onboarding tasks, KYC, account health); no edit "
       "of the listing helps until then.",
       "请在 Seller Center 处理账号状态(入驻任务、KYC、账号健康);在此之前修改商品没有用。",
       fixable=False, findings=("kyc_incomplete", "store_not_compliant")),
    _g("validation_generic", "after_fix",
       "A request field is invalid or missing; the official message names the field and what was "
       "expected.",
       "请求中有字段无效或缺失;官方提示会指出字段名和期望值。",
       "Correct the field named in the message (run `shelfcheck check` to find listing problems "
       "offline) and submit again.",
       "请修正提示中指出的字段(可先用 `shelfcheck check` 离线查找商品问题)后再提交。"),
    _g("category_structure", "after_fix",
       "The category id is unknown, not a leaf (last-level) category, malformed, or from the old "
       "category version.",
       "类目 ID 不存在、不是末级类目、格式错误,或属于旧版类目体系。",
       "Pick a leaf category of the current (V2) tree with Get Categories or Recommend Category and "
       "use its id.",
       "请通过 Get Categories 或 Recommend Category 选择当前(V2)类目树中的末级类目,并使用其 ID。",
       findings=("category_missing", "category_unknown")),
    _g("category_permission", "after_fix",
       "The category is invite-only or restricted, or outside the shop's main category, and this "
       "shop has not been granted access.",
       "该类目为邀约制或受限类目,或不在店铺主营类目内,而本店铺没有获得权限。",
       "Apply in Seller Center > Request Category Access (or the Qualification Center) and wait for "
       "approval, or choose a category the shop may sell in.",
       "请在 Seller Center > Request Category Access(或资质中心)申请并等待审批,或改选店铺有权限的类目。",
       findings=("category_invite_only",)),
    _g("category_closed", "no",
       "The category is prohibited on TikTok Shop or not open in this market; no document or "
       "application changes that.",
       "该类目在 TikTok Shop 禁售或在本市场未开放;任何文件或申请都无法改变。",
       "Do not resubmit: the product cannot be sold in this category here. Remove it, or list it "
       "only if it truly belongs to another, allowed category.",
       "不要再提交:该商品无法在此市场此类目销售。请下架,或仅当商品确实属于其他允许的类目时再改类目发布。",
       fixable=False, findings=("category_prohibited",)),
    _g("brand", "after_fix",
       "The brand is unknown, expired, or the shop is not authorized to sell it in this category.",
       "品牌不存在、已过期,或店铺没有在该类目销售此品牌的授权。",
       "Use a brand id from Get Brands, or upload the brand authorization in Seller Center "
       "(Qualification Center) and wait for approval; a generic product can be listed without a "
       "brand.",
       "请使用 Get Brands 返回的品牌 ID,或在 Seller Center(资质中心)上传品牌授权并等待审核;无品牌商品可以不填品牌。"),
    _g("title", "after_fix",
       "The product title is empty, too long, not English, starts with a forbidden prefix, or "
       "breaks the formatting rules (emoji, HTML escapes, control characters, long repeats).",
       "商品标题为空、过长、非英文、使用了不允许的前缀,或违反格式规则(表情符号、HTML 转义字符、控制字符、大量重复字符)。",
       "Write a plain English title of 10–255 characters without emoji or `&nbsp;`; "
       "`shelfcheck check` reports the exact problem.",
       "请使用 10–255 个字符的纯英文标题,不含表情符号或 `&nbsp;`;`shelfcheck check` 会指出具体问题。",
       findings=("title_missing", "title_too_short", "title_too_long", "title_not_english",
                 "title_format_invalid")),
    _g("description", "after_fix",
       "The description is missing, too long, not English, or its HTML is invalid (unsupported or "
       "badly nested tags, missing attributes, bad image references).",
       "商品描述缺失、过长、非英文,或 HTML 不合法(不支持的标签、嵌套错误、缺少属性、图片引用无效)。",
       "Rewrite the description in English with simple HTML (p, ul/li, strong, img with an uploaded "
       "image uri) and stay within the length and image limits.",
       "请用英文重写描述,只用简单 HTML(p、ul/li、strong,以及引用已上传图片 uri 的 img),并遵守长度和图片数量限制。"),
    _g("main_images", "after_fix",
       "A main image is missing, too small, too large, in an unsupported format or aspect ratio, "
       "there are too many, or its uri was not produced by Upload Product Image.",
       "主图缺失、尺寸过小或文件过大、格式或宽高比不支持、数量过多,或其 uri 不是通过 Upload Product Image 上传得到的。",
       "Use 3–9 square JPEG/PNG images of 1080–4000 px under 5 MB on white, uploaded with Upload "
       "Product Image; `shelfcheck check` measures each one.",
       "请使用 3–9 张 1080–4000 像素、小于 5 MB、白底的正方形 JPEG/PNG 图片,并通过 Upload Product Image 上传;"
       "`shelfcheck check` 会逐张检测。",
       findings=("main_images_too_few", "main_images_too_many", "image_wrong_size",
                 "image_file_too_large", "image_format_unsupported", "image_unreadable")),
    _g("sku_images", "after_fix",
       "A variation (sales attribute) image or size-chart image is missing, invalid, too large, or "
       "given on more than one variation.",
       "变体(销售属性)图片或尺码表图片缺失、无效、过大,或在多个变体上都设置了图片。",
       "Give images to one variation only, upload them with Upload Product Image, and follow the "
       "category rules for size charts.",
       "只给一个变体设置图片,图片通过 Upload Product Image 上传,尺码表按类目规则提供。"),
    _g("attributes", "after_fix",
       "A product or sales attribute is missing, not allowed, duplicated, too long, contains Chinese "
       "or restricted words, or references an unknown attribute or value id.",
       "商品属性或销售属性缺失、不被允许、重复、过长、含中文或违禁词,或引用了不存在的属性/属性值 ID。",
       "Fill the attributes the category requires (Get Attributes / Get Category Rules), in English, "
       "with ids from those endpoints, at most 3 variation dimensions.",
       "请按类目要求(Get Attributes / Get Category Rules)用英文填写必填属性,使用接口返回的 ID,变体维度不超过 3 个。"),
    _g("sku_price_stock", "after_fix",
       "A SKU is invalid: seller SKU too long or not allowed characters, missing or invalid price, "
       "currency, identifier code (UPC/EAN) or stock, duplicates, or too many SKUs.",
       "SKU 数据无效:seller_sku 过长或含不允许的字符,价格、币种、商品识别码(UPC/EAN)或库存缺失或无效,"
       "SKU 重复,或 SKU 数量过多。",
       "Correct the SKU fields: English seller SKU of at most 50 characters, a positive USD price, "
       "valid identifier codes, stock within limits, at most 100 SKUs per product.",
       "请修正 SKU 字段:不超过 50 个字符的英文 seller_sku、正数美元价格、有效识别码、库存在限制内,每个商品最多 100 个 SKU。",
       findings=("sku_missing", "sku_not_english", "sku_too_long", "duplicate_sku")),
    _g("price_locked", "no",
       "The price or stock is locked by an ongoing promotion and cannot be changed now.",
       "价格或库存被进行中的促销活动锁定,目前无法修改。",
       "Wait until the promotion ends (or leave it in Seller Center > Promotions), then change it; "
       "retrying before that fails the same way.",
       "请等促销结束(或在 Seller Center > Promotions 退出活动)后再修改;在此之前重试同样会失败。",
       fixable=False),
    _g("package", "after_fix",
       "The package weight or dimensions are missing, zero, malformed, or in units that do not "
       "match each other or the market.",
       "包裹重量或尺寸缺失、为零、格式错误,或单位彼此不一致、不适用于本市场。",
       "Give a positive weight and length/width/height with one unit system (POUND with INCH, or "
       "KILOGRAM with CENTIMETER).",
       "请填写正数的重量和长宽高,并使用同一套单位(POUND 配 INCH,或 KILOGRAM 配 CENTIMETER)。"),
    _g("certifications", "after_fix",
       "A qualification (certificate, test report) the category requires is missing, invalid, "
       "duplicated, or its expiry date is not valid.",
       "类目要求的资质(证书、检测报告)缺失、无效、重复,或有效期不正确。",
       "Upload the required documents (FCC report and grant, FDA registration, CPI, CPC …) in Account "
       "Settings > Compliance Documents and wait until they show Verified; then submit once.",
       "请在 Account Settings > Compliance Documents 上传所需文件(FCC 报告和证书、FDA 注册、CPI、CPC 等),"
       "等状态变为 Verified 后再提交一次。",
       findings=("missing_fcc_test_report", "missing_fda_registration", "missing_cpi", "missing_cpc",
                 "document_not_verified", "document_expired")),
    _g("manufacturer", "after_fix",
       "Manufacturer or responsible-person information is missing, unknown, not the seller's, "
       "duplicated, or lacks this market's language version; or contact information is missing.",
       "制造商或责任人信息缺失、不存在、不属于该卖家、重复,或缺少本市场语言版本;或缺少联系方式。",
       "Create the manufacturer (registered business address, not a factory name) and responsible "
       "person in Seller Center and reference their ids.",
       "请在 Seller Center 创建制造商(营业执照注册地址,而非工厂名称)和责任人信息,并引用其 ID。",
       findings=("manufacturer_address_missing", "manufacturer_address_is_factory_name",
                 "manufacturer_address_incomplete")),
    _g("warehouse_logistics", "after_fix",
       "The shop's warehouse or shipping set-up is incomplete: no (return) warehouse, a warehouse "
       "that is not the shop's, disabled or cannot ship to the market, or no usable shipping "
       "template or logistics service.",
       "店铺的仓库或物流设置不完整:没有(退货)仓库、仓库不属于本店、已停用或无法发往本市场,或没有可用的运费模板或物流服务。",
       "Complete the warehouses and shipping templates in Seller Center > Shipping (pickup and "
       "return warehouse, delivery options), then submit again.",
       "请在 Seller Center > Shipping 完成仓库与运费模板设置(发货仓、退货仓、配送方式)后再提交。"),
    _g("shop_setup", "after_fix",
       "A shop task needed for listing is not done (tax number, onboarding tasks), or the seller "
       "type does not allow this operation (a cross-border seller creating a local product).",
       "发布商品所需的店铺任务未完成(税号、入驻任务),或卖家类型不允许此操作(跨境卖家直接创建本地商品)。",
       "Finish the tasks shown on the Seller Center home page; cross-border sellers publish through "
       "global products (create the global product, then publish it to the US shop).",
       "请完成 Seller Center 首页提示的任务;跨境卖家需通过全球商品发布(先创建全球商品,再发布到美国店铺)。"),
    _g("quota", "no",
       "A shop limit is reached: the listing limit, the deposit balance, or the daily request limit "
       "for merchants.",
       "达到店铺限制:商品数量上限、保证金余额不足,或商家每日请求上限。",
       "Raise the limit in Seller Center (deposit, account level) or wait for the daily quota to "
       "reset; the listing itself is not the problem.",
       "请在 Seller Center 提升限额(保证金、店铺等级)或等待每日额度重置;问题不在商品本身。",
       fixable=False),
    _g("state_conflict", "no",
       "The product's current state does not allow the change (under review or appeal, shop "
       "integration lock, auction, draft rules).",
       "商品当前状态不允许此修改(审核或申诉中、店铺整合锁定、拍卖中、草稿规则限制)。",
       "Wait until the review or appeal ends (or withdraw the appeal), then edit; check the status in "
       "Seller Center > Products.",
       "请等审核或申诉结束(或撤回申诉)后再修改;可在 Seller Center > Products 查看状态。",
       fixable=False),
    _g("product_reference", "after_fix",
       "The product or SKU id in the request does not exist or does not belong to this shop.",
       "请求中的商品或 SKU ID 不存在,或不属于本店铺。",
       "Look the product up again (Search Products by seller SKU) and use its current ids.",
       "请重新查询商品(按 seller_sku 搜索商品)并使用当前 ID。"),
    _g("special_products", "after_fix",
       "A pre-order, backorder, made-to-order, combo, bundle or gift setting is not allowed for this "
       "seller or product, or its fields are inconsistent.",
       "预售、缺货预订、定制、组合、捆绑或赠品设置对该卖家或商品不可用,或相关字段互相矛盾。",
       "Remove the special sale setting or fill its fields consistently; check that the shop has "
       "the permission for that sale type.",
       "请去掉特殊销售设置,或一致地填写相关字段;并确认店铺具备该销售方式的权限。"),
]
GROUPS: dict[str, ErrorGroup] = {g.key: g for g in _GROUPS}


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One platform code: its group, and optionally our own short label and related findings."""

    code: str
    group: str
    label: Mapping[str, str] = field(default_factory=dict)
    findings: tuple[str, ...] = ()
    retry: str | None = None


def _codes() -> dict[str, CodeEntry]:
    table: dict[str, CodeEntry] = {}

    def add(group: str, *codes: str | tuple[str, str, str] | tuple[str, str, str, tuple[str, ...]],
            retry: str | None = None) -> None:
        for item in codes:
            if isinstance(item, str):
                table[item] = CodeEntry(item, group, retry=retry)
            else:
                code, en, zh, *rest = item
                table[code] = CodeEntry(code, group, {"en": en, "zh": zh}, tuple(rest[0]) if rest else (),
                                        retry)

    def span(start: int, end: int) -> list[str]:
        return [str(c) for c in range(start, end + 1)]

    add("channel_outdated", ("403-UNAUTHORIZED_CHANNEL", "legacy channel API refused",
                             "旧版渠道 API 被拒绝", ("channel_api_outdated",)))
    add("reauthorize", ("401", "authorization no longer valid", "授权已失效",
                        ("channel_reauthorization_required",)))
    add("token_expired", ("105002", "access token expired", "access token 已过期"),
        ("101000", "token header or category asset cipher not valid", "token 请求头或类目资产 cipher 无效"))
    add("scope_denied", ("105005", "API package (scope) not granted", "未开通接口权限(API 包)",
                         ("app_missing_product_write",)))
    add("signature", ("106001", "signature does not match", "签名不匹配"))
    add("integration_config", ("106013", "shop cipher missing", "缺少 shop_cipher"),
        ("36009009", "unknown API path", "接口路径不存在"),
        ("36009010", "HTTP method not allowed", "HTTP 方法不允许"),
        ("36009014", "API version not supported", "API 版本不受支持"),
        ("36009021", "uploaded file too large", "上传文件过大"),
        ("36009022", "wrong content type", "Content-Type 错误"),
        ("36009023", "wrong content type", "Content-Type 错误"))
    add("reauthorize", ("36004004", "authorization code invalid or used", "授权码无效或已使用"))
    add("rate_limited", ("36009002", "too many requests", "请求过多"))
    add("server_transient", ("36009003", "platform internal error", "平台内部错误"),
        ("36009007", "request timed out", "请求超时"),
        ("12001000", "product service internal error", "商品服务内部错误"),
        ("12052881", "identity service internal error", "身份服务内部错误"),
        ("33001002", "internal error", "内部错误"))
    add("validation_generic", ("36009004", "request rejected by the gateway (see the message)",
                               "请求被网关拒绝(以提示信息为准)"),
        ("98001004", "a parameter is invalid", "参数无效"),
        ("12052910", "invalid input parameters", "输入参数无效"),
        ("11050001", "invalid parameter on upload", "上传参数无效"),
        ("12052990", "the check failed", "校验未通过"))
    add("ip_allowlist", ("36009033", "caller IP not allowed", "调用 IP 不在白名单"))
    add("account_inactive", ("36009043", "shop inactive", "店铺未激活"),
        ("36009044", "seller account disabled", "卖家账号被停用"),
        ("12052700", "seller inactive", "卖家未激活"),
        ("12052995", "seller onboarding not finished", "卖家未完成入驻"),
        ("12052704", "seller id unknown", "卖家 ID 不存在"))
    add("category_structure", ("12052023", "category does not exist", "类目不存在", ("category_unknown",)),
        ("12052024", "not a leaf category", "不是末级类目", ("category_unknown",)),
        ("12052025", "category invalid", "类目无效", ("category_unknown",)),
        ("12052002", "category malformed", "类目格式错误", ("category_unknown",)),
        ("12052217", "old category version: use V2", "旧版类目:需使用 V2 类目"),
        ("12052230", "category version and id do not match", "类目版本与 ID 不匹配"),
        ("12052158", "category cannot be changed", "类目不可更改"))
    add("category_permission",
        ("12052221", "category for whitelisted sellers only", "类目仅限白名单卖家", ("category_invite_only",)),
        ("12052223", "restricted category: apply for access", "受限类目:需申请权限", ("category_invite_only",)),
        ("12052226", "restricted category: apply for access", "受限类目:需申请权限", ("category_invite_only",)),
        ("12052225", "outside the shop's main category", "不在店铺主营类目内"),
        ("12052227", "category unauthorized or unavailable", "类目未授权或不可用", ("category_invite_only",)))
    add("category_closed",
        ("12052220", "category prohibited or unsupported", "类目禁售或不受支持", ("category_prohibited",)),
        ("12052446", "category not open in this market", "类目在本市场未开放", ("category_prohibited",)))
    add("brand", ("12052026", "brand does not exist", "品牌不存在"), ("12019013", "brand id invalid", "品牌 ID 无效"),
        ("12052200", "brand expired", "品牌已过期"),
        ("12052201", "not authorized for this brand in this category", "未获该品牌在该类目的授权"),
        ("12052208", "brand authorization required", "需要品牌授权"), "12052207")
    add("title", ("12052261", "title empty", "标题为空", ("title_missing",)),
        ("12052051", "title too long", "标题过长", ("title_too_long",)),
        ("12052262", "title contains Chinese", "标题含中文", ("title_not_english",)),
        ("12052263", "title prefix not allowed", "标题前缀不允许"),
        ("12052266", "title not English", "标题非英文", ("title_not_english",)),
        ("12052931", "title formatting rules broken", "标题违反格式规则", ("title_format_invalid",)))
    add("description", ("12052015", "description required", "描述必填"),
        ("12052013", "description too long", "描述过长"),
        ("12052346", "description contains Chinese", "描述含中文"),
        ("12052351", "description not English", "描述非英文"),
        ("12052932", "description formatting rules broken", "描述违反格式规则"),
        ("12019006", "description invalid", "描述无效"),
        ("12052344", "description HTML syntax error", "描述 HTML 语法错误"),
        ("12052345", "description HTML tag not supported", "描述 HTML 标签不支持"),
        ("12052348", "description HTML tag lacks a required attribute", "描述 HTML 标签缺少必需属性"),
        ("12052349", "description HTML nesting not allowed", "描述 HTML 嵌套不允许"),
        ("12052350", "description HTML attribute not allowed", "描述 HTML 属性不允许"),
        ("12052352", "description nesting too deep", "描述嵌套过深"),
        ("12052056", "too many images in the description", "描述中图片过多"),
        "12052340", "12052341", "12052342", "12052343", "12052324")
    add("main_images", ("12052028", "main image required", "缺少主图", ("main_images_too_few",)),
        ("12052300", "main image uri not valid", "主图 uri 无效"),
        ("12052301", "main image too small", "主图尺寸过小", ("image_wrong_size",)),
        ("12052302", "main image file too large", "主图文件过大", ("image_file_too_large",)),
        ("12052304", "main image format not supported", "主图格式不支持", ("image_format_unsupported",)),
        ("12052305", "main image aspect ratio not allowed", "主图宽高比不允许", ("image_wrong_size",)),
        ("12052306", "too many main images", "主图数量过多", ("main_images_too_many",)),
        ("12052722", "image uri not uploaded to TikTok Shop", "图片 uri 未上传到 TikTok Shop"),
        ("12038002", "upload data invalid", "上传数据无效"),
        ("12038004", "image format or content not supported", "图片格式或内容不支持", ("image_unreadable",)),
        ("12038005", "file too large", "文件过大", ("image_file_too_large",)),
        ("12038014", "image dimensions out of range", "图片尺寸超出范围", ("image_wrong_size",)),
        ("12038015", "image format not supported", "图片格式不支持", ("image_format_unsupported",)),
        ("12019116", "image dimensions out of range", "图片尺寸超出范围", ("image_wrong_size",)),
        "12019103", "12019104", "12019105")
    add("sku_images", *span(12052520, 12052524), "12052528", "12052356", "12052357",
        "12052670", "12052671", "12052673", "12052128")
    add("attributes", ("12052104", "required attribute missing", "缺少必填属性"),
        "12052182", "12052183", "12052151", "12052152", "12052153", "12052240", "12052247",
        *span(12052241, 12052256), "12052525", "12052526", "12052527", "12052529", "12052550",
        "12052560", "12019019", "12052933", "12052934", "12052935")
    add("sku_price_stock", ("12052054", "seller SKU too long", "seller_sku 过长", ("sku_too_long",)),
        ("12019059", "seller SKU invalid", "seller_sku 无效", ("sku_not_english",)),
        ("12052050", "more than 100 SKUs", "SKU 超过 100 个"), "12052558",
        ("12052073", "price invalid", "价格无效"), "12052092", "12052570", "12052571", "12052572", "12052012",
        "12052375", "12052383", "12052084", "12052424", "12052591", "12052592", "12052598", "12052600",
        "12052055", "12019024", "12019028", "12052553", "12052554", "12052559")
    add("price_locked", ("12052038", "price locked by a promotion", "价格被促销锁定"), "12019045", "12052393")
    add("package", ("12019011", "package weight invalid", "包裹重量无效"), "12052181", "12052006",
        ("12019012", "package size invalid", "包裹尺寸无效"), "12052116", "12052003", "12052004", "12052005",
        "12052915", "12052916", "12019061", "12019060")
    add("certifications",
        ("12052105", "required qualification missing", "缺少必需资质",
         ("missing_fcc_test_report", "missing_fda_registration", "missing_cpi", "missing_cpc")),
        "12052650", "12052651", "12052655", "12052656", "12052657", "12052658",
        ("12052385", "certificate expiry date not valid", "证书有效期无效", ("document_expired",)))
    add("manufacturer", *span(12052282, 12052290), "12052295", "12052296", "12052365", "12052366",
        "12052216", ("12052923", "contact information required", "需要联系方式"))
    add("warehouse_logistics", ("12052115", "seller has no warehouse", "卖家没有仓库"), "12052097",
        "12052530", "12052531", "12052532",
        ("12052535", "no return warehouse set", "未设置退货仓"), "12052364",
        ("12052402", "shipping template empty", "运费模板为空"), "12052549", "12052403", "12052404",
        "12052405", "12052420", "12019022", "12052094", "12052096")
    add("shop_setup", ("12052419", "shop tasks not completed", "店铺任务未完成"),
        ("12052703", "seller tax number invalid", "卖家税号无效"))
    add("shop_setup", ("12052701", "cross-border seller cannot create a local product",
                       "跨境卖家不能直接创建本地商品"), retry="no")
    add("quota", ("12052093", "listing limit reached", "商品数量达到上限"), "12019215", "12052585")
    add("quota", ("12052109", "merchant request limit reached", "商家请求次数超限"), retry="yes")
    add("state_conflict", ("12052901", "product status does not allow this", "商品状态不允许此操作"),
        ("12052308", "an appeal is ongoing", "申诉进行中"), "12052332", "12052371", "12052488", "12052163")
    add("product_reference", "12052031", "12052032", "12052034", "12052048", "12052260", "12052557")
    add("special_products", *span(12019094, 12019100), *span(12052268, 12052278), *span(12052309, 12052313),
        "12052702", "12052712", *span(12052830, 12052864))
    return table


CODES: dict[str, CodeEntry] = _codes()

# 36009004 is one code for a dozen gateway conditions: the message decides.
_GATEWAY_VARIANTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"timestamp", re.I), "clock"),
    (re.compile(r"\bsign(ature)?\b|`sign`", re.I), "signature"),
    (re.compile(r"access_token|access-token|x-tts-access-token|\btoken\b", re.I), "token_expired"),
    (re.compile(r"app_key|cipher|shop_id|version|path", re.I), "integration_config"),
]

# For codes only the dataset knows: infer the group from the official message.
_KEYWORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"prohibit", re.I), "category_closed"),
    (re.compile(r"categor", re.I), "category_structure"),
    (re.compile(r"brand", re.I), "brand"),
    (re.compile(r"\btitle\b|product name", re.I), "title"),
    (re.compile(r"description", re.I), "description"),
    (re.compile(r"size ?chart|sale propert|sku_img|supplementary", re.I), "sku_images"),
    (re.compile(r"image|\buri\b|video|file", re.I), "main_images"),
    (re.compile(r"qualification|certif", re.I), "certifications"),
    (re.compile(r"manufacturer|responsible person", re.I), "manufacturer"),
    (re.compile(r"warehouse|shipping|logistic|delivery", re.I), "warehouse_logistics"),
    (re.compile(r"pre[- ]?sale|pre[- ]?order|backorder|combo|bundle|gift|mto|make to order", re.I),
     "special_products"),
    (re.compile(r"weight|dimension|package|parcel", re.I), "package"),
    (re.compile(r"price|currency|stock|inventory|quantity|\bsku|identifier code", re.I), "sku_price_stock"),
    (re.compile(r"attribute|propert", re.I), "attributes"),
    (re.compile(r"promotion|lock", re.I), "price_locked"),
    (re.compile(r"product id|does not exist|not exist|not belong", re.I), "product_reference"),
    (re.compile(r"status|appeal|draft", re.I), "state_conflict"),
    (re.compile(r"internal error|try again|timeout", re.I), "server_transient"),
    (re.compile(r"seller|shop|onboard|tax", re.I), "shop_setup"),
]

_KIND_GROUP = {
    "auth_expired": "token_expired", "reauthorize": "reauthorize", "scope": "scope_denied",
    "signature": "signature", "clock": "clock", "config": "integration_config",
    "rate_limited": "rate_limited", "retryable": "server_transient", "validation": "validation_generic",
    "seller_action": "shop_setup", "transport": "server_transient",
}


@dataclass(frozen=True, slots=True)
class PlatformExplanation:
    """What a platform code means, in our words, and what the official table says about it."""

    code: str
    group: str
    retry: str
    fixable: bool
    cause: Mapping[str, str]
    fix: Mapping[str, str]
    label: Mapping[str, str]
    findings: tuple[str, ...]
    official: tuple[Mapping[str, str], ...]
    source: str  # "shelfcheck" (our table) or "inferred" (group from the official message)
    dataset: str | None = None

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        """Plain data; one language when ``lang`` is given, both otherwise."""
        def pick(d: Mapping[str, str]) -> Any:
            return d.get(lang, d.get("en", "")) if lang else dict(d)

        return {"code": self.code, "group": self.group, "retry": self.retry, "fixable": self.fixable,
                "label": pick(self.label) if self.label else None, "cause": pick(self.cause),
                "fix": pick(self.fix), "findings": list(self.findings), "source": self.source,
                "official": [dict(o) for o in self.official], "dataset": self.dataset}


def normalise_code(text: str) -> str:
    """``403-unauthorized_channel`` → ``403-UNAUTHORIZED_CHANNEL``; ``Error Code 401`` → ``401``."""
    value = " ".join(str(text).split())
    value = re.sub(r"(?i)^(error\s*code\s*:?\s*|code\s*:?\s*)", "", value).strip()
    return value.upper()


def is_platform_code(text: str) -> bool:
    """True for what looks like a platform code (a number, or ``403-UNAUTHORIZED_CHANNEL``)."""
    code = normalise_code(text)
    return bool(re.fullmatch(r"\d{3,9}(-[A-Z_]+)?", code))


def _official(code: str, datasets: Any) -> tuple[tuple[Mapping[str, str], ...], str | None]:
    table = getattr(datasets, "errors", None) if datasets is not None else None
    if not table:
        return (), None
    rows = table.get(code) or []
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        key = (row.get("message", ""), row.get("endpoint", ""))
        if key in seen:
            continue
        seen.add(key)
        out.append({"message": row.get("message", ""), "endpoint": row.get("endpoint", "")})
    label = None
    provenance = getattr(datasets, "provenance", {}) or {}
    if provenance.get("tiktok-errors"):
        label = provenance["tiktok-errors"]
    return tuple(out), label


def _infer_group(code: str, messages: list[str]) -> str | None:
    text = " ".join(messages)
    for pattern, group in _KEYWORDS:
        if pattern.search(text):
            return group
    try:
        from shelfcheck.tiktok.errors import classify
    except ImportError:  # pragma: no cover - the client package is part of the project
        classify = None
    if classify is not None and code.isdigit():
        kind = classify(int(code), text)
        group = _KIND_GROUP.get(getattr(kind, "value", ""))
        if group:
            return group
    if code.startswith(("1205", "1201", "1203", "9800", "1105")):
        return "validation_generic"
    return None


def explain_platform_code(code: str, datasets: Any = None, *, message: str | None = None) -> PlatformExplanation | None:
    """Explain a platform code; ``None`` when neither our table nor the dataset knows it.

    Args:
        code: ``403-UNAUTHORIZED_CHANNEL``, ``401``, or an Open API code such as ``105002``.
        datasets: a :class:`~shelfcheck.datasets.Datasets` (for the official messages); optional.
        message: the message the platform sent with the code, when known — it decides between
            the conditions that share ``36009004``.
    """
    key = normalise_code(code)
    official, label = _official(key, datasets)
    entry = CODES.get(key)
    if entry is not None:
        group_key = entry.group
        if key == "36009004" and message:
            for pattern, variant in _GATEWAY_VARIANTS:
                if pattern.search(message):
                    group_key = variant
                    break
        group = GROUPS[group_key]
        retry = entry.retry or group.retry
        return PlatformExplanation(key, group.key, retry, group.fixable and retry != "no",
                                   group.cause, group.fix, entry.label,
                                   entry.findings or group.findings, official, "shelfcheck", label)
    if not official:
        return None
    messages = [o["message"] for o in official]
    if message:
        messages.insert(0, message)
    group_key = _infer_group(key, messages)
    if group_key is None:
        group_key = "validation_generic"
    group = GROUPS[group_key]
    return PlatformExplanation(key, group.key, group.retry, group.fixable, group.cause, group.fix, {},
                               group.findings, official, "inferred", label)


_RETRY_TEXT = {
    "en": {"yes": "yes — the same request can succeed later; back off first",
           "after_fix": "only after the fix — an unchanged retry fails the same way (and a failed "
                        "listing counts towards the 72-hour lock)",
           "no": "no — no edit of the request helps; act in Seller Center or wait"},
    "zh": {"yes": "可以——同样的请求稍后可能成功;请先退避等待",
           "after_fix": "修正后才可以——原样重试会同样失败(失败的商品提交还会计入 72 小时锁定)",
           "no": "不可以——修改请求无济于事;需在 Seller Center 处理或等待"},
}
_HEAD = {
    "en": {"cause": "Cause:", "fix": "Fix:", "retry": "Can a retry help?", "official": "Official message",
           "findings": "shelfcheck finds this before submission as:", "inferred":
           "(not in shelfcheck's own table: the group was inferred from the official message)",
           "no_dataset": "Official message: not installed (`shelfcheck data import tiktok-errors FILE`)."},
    "zh": {"cause": "原因:", "fix": "解决办法:", "retry": "重试有用吗?", "official": "官方提示",
           "findings": "shelfcheck 在提交前可检查出的对应问题:", "inferred":
           "(不在 shelfcheck 自带的表中:分类是根据官方提示推断的)",
           "no_dataset": "官方提示:未安装(`shelfcheck data import tiktok-errors FILE`)。"},
}


def render_platform_explanation(info: PlatformExplanation, lang: str = "en", *, limit: int = 6) -> str:
    """The explanation as text for people, in ``lang``."""
    head = _HEAD[lang]
    label = info.label.get(lang) if info.label else None
    lines = [f"{info.code} — {label}" if label else info.code]
    if info.source == "inferred":
        lines.append(head["inferred"])
    lines += ["", head["cause"], "  " + info.cause[lang], "", head["fix"], "  " + info.fix[lang], "",
              f"{head['retry']} {_RETRY_TEXT[lang][info.retry]}"]
    if info.findings:
        lines += ["", head["findings"] + " " + ", ".join(info.findings)]
    lines.append("")
    if info.official:
        source = f" ({info.dataset})" if info.dataset else ""
        lines.append(f"{head['official']}{source}:")
        for row in info.official[:limit]:
            text = " ".join(row["message"].split())
            lines.append(f"  - {text}" + (f"  [{row['endpoint']}]" if row.get("endpoint") else ""))
        if len(info.official) > limit:
            lines.append(f"  … +{len(info.official) - limit}")
    elif info.code.isdigit():
        lines.append(head["no_dataset"])
    return "\n".join(lines).rstrip() + "\n"
