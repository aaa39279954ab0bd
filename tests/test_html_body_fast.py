"""The fast description reader gives exactly what the html.parser reader gives."""

from __future__ import annotations

import random

import pytest

from shelfcheck.analysis.html_body import _read_html_fast, _read_html_stdlib, read_html

TYPICAL = ("<p>Stackable storage box, model 7, with a snap-on lid. Holds 12 litres; food-safe polypropylene, "
           "BPA free.</p><ul><li>Size: 15 x 11 x 8 in</li><li>Stacks three high</li><li>In the box: 1 box, "
           "1 lid</li></ul>")

CASES = [
    "", "plain text", TYPICAL, "<p>a</p>", "<P>A</P>", "<Div CLASS=x>y</DIV>",
    "</p>", "a</b>c", "<p><b>x</p>", "<ul><li>a<li>b</ul>", "<p>open", "<b><i>x",
    "<p>cut <b", "<p>cut <b class=", '<p>cut <img src="a', "<p>cut </", "text <", "text &", "x < y", "x<3",
    "a & b", "R&D dept", "&amp;", "&nbsp;x", "&#39;", "&#x27;", "&#X27;z", "&#12a;", "&#;", "&amp", "&a-b",
    "&a.b c", "Tom&Jerry;", "&#1x", "&#xg;",
    "<img src='a.jpg'>", '<img src="a.jpg" width=600 height="400">', "<img src=a/b.jpg>", "<img src=a.jpg/>",
    "<br/>", "<br />", "<br>", "<hr/><p/>", "<p/>x</p>", "<img alt=\"a > b\" src=x>", "<a title='it\"s'>q</a>",
    "<a title=\"x &amp; y\">", "<a href=x&y=1>", "<a b=\"\">", "<a b=''>", "<a b>", "<a b c=d>", "<a b = c>",
    "<a b==c>", "<a b=c=d>", '<a b="c"d="e">', "<a\nb=c\n>", "x\n<p\nclass='a\nb'>\n</p>\n<b>", "\n\n<i>\n",
    "<p\tclass=a>", "<p\vclass=a>", "<p\xa0class=a>", "<p class=a\xa0b>", "<p class=\"a\xa0b\">",
    "<!-- c --><p>x</p>", "<!DOCTYPE html><p>", "<![CDATA[x]]>", "<?xml v?>", "<!x>",
    "<script>if (a<b) {}</script><p>", "<style>p{}</style>", "<SCRIPT/>", "</script>", "<p>x</p >",
    "</ p>", "</p x>", "</>", "<p>中文描述 ☕ émoji 🎉</p>", "<p>\u3000全角</p>", "<x-y>a</x-y>", "<a:b>c</a:b>",
    "<p class=\"a\" / >", "<p/ >", "<a foo=bar/ //>", "<<p>>", "<p<b>", "a\r\nb<p>\r\nc</p>",
    "<img src=\"x.gif\"><img src=\"y.png\"/>", "<p>" * 30 + "</p>" * 29,
]


@pytest.mark.parametrize("text", CASES)
def test_edge_cases(text: str) -> None:
    expected = _read_html_stdlib(text)
    assert read_html(text) == expected
    fast = _read_html_fast(text)
    assert fast is None or fast == expected


def test_ordinary_descriptions_take_the_fast_path() -> None:
    for text in (TYPICAL, "<p>a & b</p>", "<img src=a/b.jpg width=1>", "R&amp;D<br/>\n<b>x</b>"):
        assert _read_html_fast(text) is not None


_NAMES = ["p", "P", "b", "i", "ul", "li", "LI", "img", "br", "div", "span", "x-y", "script", "style", "h1"]
_SPACES = [" ", "  ", "\n", "\t", "\r", "\f", "\v", "\xa0", ""]
_VALUES = ['"v"', "'v'", "v", '""', "''", '"a>b"', "'a\"b'", '"a&amp;b"', "a/b", "a/", '"x\ny"', "=v", "a&lt;",
           "", '"é"', "v'", "u=1"]


def _attr(rng: random.Random) -> str:
    name = rng.choice(["src", "class", "ALT", "data-x", "w", "a:b", "_z", "1x", "-"])
    if rng.random() < 0.3:
        return name
    return name + rng.choice(["", " ", "\n"]) + rng.choice(["=", "=", "==", " = "]) + rng.choice(_VALUES)


def _piece(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        return rng.choice(["text", " word ", "中文", "\n", "a < b", "x&y", "& ", "&amp;", "&#39;", "&#x2f;",
                           "&nbsp", "&#12a;", ";", ">", "é", "🎉", "-", "/"])
    if r < 0.65:
        attrs = "".join(rng.choice(_SPACES) + _attr(rng) for _ in range(rng.choice([0, 0, 1, 2, 3])))
        return ("<" + rng.choice(_NAMES) + attrs + rng.choice(["", "", " ", "\n", "\v"])
                + rng.choice([">", ">", ">", "/>", " />", "/ >", ""]))
    if r < 0.9:
        return "</" + rng.choice(["", "", "", " "]) + rng.choice(_NAMES) + rng.choice(["", " ", "\n", " x"]) + ">"
    return rng.choice(["<!-- c -->", "<!x>", "<?p?>", "<![CDATA[z]]>", "<", "&", "</>", "<!DOCTYPE x>", "<1>"])


def test_random_tag_soup() -> None:
    rng = random.Random(20261204)
    fast_taken = 0
    total = 4000
    for _ in range(total):
        text = "".join(_piece(rng) for _ in range(rng.randint(0, 14)))
        if rng.random() < 0.15:
            text = text[: rng.randint(0, len(text))]  # cut off anywhere
        expected = _read_html_stdlib(text)
        fast = _read_html_fast(text)
        if fast is not None:
            fast_taken += 1
            assert fast == expected, text
        assert read_html(text) == expected, text
    assert fast_taken > total // 10  # the comparison says something about the fast path
