"""The address analyser: street-level part, city, country, and names posing as addresses."""

from __future__ import annotations

import pytest

from shelfcheck.analysis.address import analyse_address, chinese_place, same_name

COMPLETE = [
    # Chinese script
    "中国广东省深圳市南山区高新南四道18号",
    "北京市朝阳区建国路88号, 中国",
    "中国浙江省宁波市鄞州区江南路88号",
    "中華人民共和國廣東省廣州市天河區體育西路191號",
    "中国江苏省苏州市工业园区星湖街328号",
    "上海市浦东新区张江路100弄5号楼301室，中国",
    "中国浙江省义乌市北苑街道春晗二区36幢",
    "广东深圳宝安区西乡街道固戍一路8号 中国",
    "深圳南山区科技园10栋, 中国",
    "中国广西壮族自治区南宁市青秀区民族大道100号",
    # Chinese addresses in English
    "No. 18 Gaoxin South 4th Road, Nanshan District, Shenzhen, Guangdong 518057, China",
    "No. 88 Jiangnan Road, Yinzhou District, Ningbo, Zhejiang 315100, China",
    "18 Gaoxin South 4th Rd, Nanshan, Shenzhen, PRC",
    "18 Gaoxin South 4th Rd, Nanshan Dist., Shenzhen, Guangdong, CN",
    "No.1 Xingye Road, Humen Town, Dongguan City, Guangdong Province, China",
    "3rd Floor, Building 5, No. 128 Xinhua Road, Yiwu, Zhejiang, China 322000",
    "Room 1203, 12/F, Block B, Tianan Cyber Park, Futian District, Shenzhen 518040, Guangdong, P.R.China",
    "Building A, Xinxing Industrial Park, Dongguan, Guangdong, China",
    "Room 501, Building 3, Tiancheng Industrial Park, Bao'an District, Shenzhen, P.R. China",
    "88 Zhongshan Road, Xi'an, Shaanxi, China",
    "No. 5 Jilin Road, Jilin City, Jilin, China",
    "No. 18 Gaoxin Road, Shen Zhen, People's Republic of China",
    "ＮＯ．１８　Ｇａｏｘｉｎ　Ｒｏａｄ，Ｓｈｅｎｚｈｅｎ，Ｃｈｉｎａ",
    "  No. 18   Gaoxin Road ,  Shenzhen ,   China  ",
    "No. 5, Sec. 3, Zhongxiao E. Rd., Da'an Dist., Taipei City 106, Taiwan",
    "Unit 5, 2/F, 18 Science Park Rd, Sha Tin, New Territories, Hong Kong",
    # Elsewhere
    "1600 Amphitheatre Pkwy, Mountain View, CA 94043, USA",
    "1600 Amphitheatre Parkway, Mountain View, CA 94043, United States of America",
    "1 Main Street, Springfield, IL 62701, USA",
    "200 Main St, Anytown, USA",
    "Hauptstraße 5, 10115 Berlin, Germany",
    "Musterstraße 12, 80331 München, Deutschland",
    "10 Downing Street, London SW1A 2AA, United Kingdom",
    "12 Rue de Rivoli, 75001 Paris, France",
    "Via Roma 1, 00184 Roma RM, Italy",
    "1-2-3 Shibakoen, Minato-ku, Tokyo 105-0011, Japan",
    "123 Nguyen Hue Street, District 1, Ho Chi Minh City, Vietnam",
]


@pytest.mark.parametrize("text", COMPLETE)
def test_complete_addresses(text: str) -> None:
    a = analyse_address(text)
    assert a.missing == (), a
    assert a.complete
    assert not a.is_name


# address → the parts it lacks
INCOMPLETE = [
    ("广东省深圳市南山区高新南四道18号", ("country",)),
    ("浙江省宁波市鄞州区江南路88号", ("country",)),
    ("Nanshan District, Shenzhen, China", ("street",)),
    ("中国广东省东莞市长安镇", ("street",)),
    ("中国浙江省杭州市西湖区文三路", ("street",)),          # a road without its number
    ("深圳市南山区科技园", ("street", "country")),           # 科技园 is a place, not a name
    ("No. 18 Gaoxin Road, Nanshan District, Guangdong, China", ("city",)),  # district + province
    ("No. 18 Gaoxin Road, Nanshan, Guangdong, China", ("city",)),
    ("Bao'an District, Guangdong 518000, China", ("street", "city")),
    ("Guangdong, China", ("street", "city")),
    ("China", ("street", "city")),
    ("Shenzhen, Guangdong, China", ("street",)),
    ("Shenzhen, China 518000", ("street",)),
    ("Xinxing Industrial Park, Shenzhen, China", ("street",)),
    ("No. 8, Lane 12, Jianguo Road", ("city", "country")),
    ("No. 8 China Road, Shanghai", ("country",)),          # China names the road here
    ("No. 88 Nanjing Road, Huangpu District, China", ("city",)),  # Nanjing Road is a road
    ("Zhejiang Province, PRC", ("street", "city")),
    ("Nanshan District", ("street", "city", "country")),
    ("Ningbo", ("street", "country")),
    ("Tiancheng", ("street", "city", "country")),
    ("1600 Amphitheatre Pkwy, Mountain View, CA 94043", ("country",)),
    ("5 Main Street, Downtown District, USA", ("city",)),
    ("Tokyo 105-0011, Japan", ("street",)),
]


@pytest.mark.parametrize(("text", "missing"), INCOMPLETE)
def test_incomplete_addresses(text: str, missing: tuple[str, ...]) -> None:
    a = analyse_address(text)
    assert a.missing == missing, a
    assert not a.complete
    assert not a.is_name


NAMES = [
    ("Shenzhen Tiancheng Electronics Factory", "Factory"),
    ("深圳市天成电子厂", "厂"),
    ("天成电子厂", "厂"),
    ("深圳市天成电子有限公司", "有限公司"),
    ("XX Co., Ltd.", "Co., Ltd."),
    ("Shenzhen Tiancheng Electronics Co.,Ltd", "Co.,Ltd"),
    ("Ningbo Tidyhome Plastics Co., Ltd., Ningbo, China", "Co., Ltd."),
    ("Tiancheng Technology", "Technology"),
    ("Acme Inc.", "Inc."),
    ("Muster GmbH", "GmbH"),
    ("义乌市天成商行", "商行"),
]


@pytest.mark.parametrize(("text", "marker"), NAMES)
def test_names_are_not_addresses(text: str, marker: str) -> None:
    a = analyse_address(text)
    assert a.is_name, a
    assert a.name_marker == marker
    assert a.street is None


def test_the_manufacturer_name_itself_is_a_name() -> None:
    a = analyse_address("Tiancheng", manufacturer_name="tiancheng")
    assert a.same_as_name and a.is_name
    assert not analyse_address("Tiancheng", manufacturer_name="Other Co").is_name


def test_a_name_followed_by_the_full_address_is_an_address() -> None:
    a = analyse_address("Shenzhen Tiancheng Electronics Co., Ltd., No. 18 Gaoxin South 4th Road, "
                        "Nanshan District, Shenzhen, Guangdong 518057, China")
    assert not a.is_name
    assert a.complete
    assert a.name_marker == "Co., Ltd."


def test_places_named_like_trades_are_not_names() -> None:
    for text in ("Science and Technology Park, Shenzhen, China", "华强北电子市场, 深圳市, 中国",
                 "Hi-Tech Industrial Zone, Shenzhen, China"):
        a = analyse_address(text)
        assert not a.is_name, a
        assert a.missing == ("street",), a


def test_found_parts_are_reported() -> None:
    a = analyse_address("中国广东省深圳市南山区高新南四道18号")
    assert a.found == {"street": "高新南四道18号", "city": "深圳市", "country": "China"}
    b = analyse_address("No. 18 Gaoxin South 4th Road, Nanshan District, Shenzhen, Guangdong 518057, China")
    assert b.found == {"street": "No. 18 Gaoxin South 4th Road", "city": "Shenzhen", "country": "China"}
    c = analyse_address("北京市朝阳区建国路88号, 中国")
    assert c.found == {"street": "建国路88号", "city": "北京市", "country": "China"}
    d = analyse_address("1600 Amphitheatre Pkwy, Mountain View, CA 94043, USA")
    assert d.found == {"street": "1600 Amphitheatre Pkwy", "city": "Mountain View", "country": "United States"}


@pytest.mark.parametrize(("text", "city"), [
    ("No. 1 Road, Dongguan City, China", "Dongguan City"),
    ("No. 1 Road, Xuchang Shi, Henan, China", "Xuchang Shi"),
    ("No. 1 Road, Yiwu, China", "Yiwu"),                      # county-level city
    ("No. 1 Road, Urumqi, Xinjiang, China", "Urumqi"),
    ("No. 1 Road, Harbin, China", "Harbin"),
    ("No. 1 Road, Beijing, China", "Beijing"),                # municipality
    ("中国吉林省延边朝鲜族自治州延吉市1号", "延边朝鲜族自治州"),  # prefecture-level autonomous prefecture
    ("中国上海市浦东新区1号", "上海市"),
    ("中国深圳市超市路1号", "深圳市"),
    ("中国苏州1号", "苏州"),                                     # a prefecture named without 市
])
def test_city_forms(text: str, city: str) -> None:
    assert analyse_address(text).city == city


@pytest.mark.parametrize("text", [
    "No. 1 Jilin Road, Jilin, China",        # Jilin alone is the province
    "No. 1 Road, Boluo Xian, China",         # Xian is "county" here, not Xi'an
    "No. 1 Road, Futian District, China",
    "中国广东省南山区1号",
    "中国广东省北京路1号",                     # a road named after a city
    "中国广东省城市花园1号",                    # 城市 is not a city name
])
def test_not_cities(text: str) -> None:
    assert analyse_address(text).city is None


@pytest.mark.parametrize(("text", "country"), [
    ("..., Shenzhen, P.R. China", "China"), ("..., Shenzhen, PRC", "China"),
    ("..., Shenzhen, CHN", "China"), ("中国深圳", "China"), ("深圳, 中国", "China"),
    ("..., Kowloon, HK", "Hong Kong"), ("..., Berlin, DEU", "Germany"),
    ("..., Hanoi, Viet Nam", "Vietnam"), ("..., Seoul, Republic of Korea", "South Korea"),
    ("..., Shenzhen, China 518000", "China"),
])
def test_country_forms(text: str, country: str) -> None:
    assert analyse_address(text).country == country


def test_country_inside_a_name_is_not_the_country() -> None:
    assert analyse_address("深圳市中国科技开发院1号").country is None
    assert analyse_address("1 Jordan Road, Kowloon").country is None


def test_empty_address() -> None:
    a = analyse_address("   ")
    assert a.missing == ("street", "city", "country")
    assert not a.complete and not a.is_name


def test_chinese_place() -> None:
    assert chinese_place("shenzhen") == "Shenzhen"
    assert chinese_place("Shen Zhen") == "Shenzhen"
    assert chinese_place("guangdong") == "Guangdong"
    assert chinese_place("california") is None
    assert chinese_place("an") is None


def test_same_name_ignores_case_width_and_punctuation() -> None:
    assert same_name("Tiancheng Electronics Co., Ltd.", "TIANCHENG ELECTRONICS CO LTD")
    assert same_name("天成电子厂", "天成电子厂 ")
    assert not same_name("", "")
    assert not same_name("Tiancheng", "Tiancheng Electronics")
