"""The one-line errors in English and Chinese: one catalogue, the same keys and placeholders in
both languages, every key the code uses defined, and the command line following --lang / LANG."""

from __future__ import annotations

import ast
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest

import shelfcheck
from helpers import Workspace, write_csv
from shelfcheck.errors import InputError, Join, Msg, PolicyError, Term
from shelfcheck.i18n import LANGS, error_texts

ROOT = Path(shelfcheck.__file__).resolve().parent
_FORMATTER = string.Formatter()


def _fields(template: str) -> set[tuple[str, str | None]]:
    """The ``{name!conversion}`` fields of a template."""
    return {(name, conversion) for _, name, _, conversion in _FORMATTER.parse(template) if name is not None}


# The catalogue --------------------------------------------------------------------------------

def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    en, zh = error_texts("en"), error_texts("zh")
    assert set(en.messages) == set(zh.messages), set(en.messages) ^ set(zh.messages)
    assert set(en.joins) == set(zh.joins)
    assert set(en.terms) == set(zh.terms)
    for key, template in en.messages.items():
        assert template.strip() and zh.messages[key].strip(), key
        # the same values fill both, shown the same way ({value!r} quoted in both)
        assert _fields(template) == _fields(zh.messages[key]), key
    for word, text in en.terms.items():
        assert text == word, f"the English of a term is the word itself: {word!r}"


def _calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                found.append((str(path.relative_to(ROOT)), node.lineno, node))
    return found


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


CALLS = _calls()


def test_every_message_key_the_code_uses_is_in_both_catalogues_with_its_values() -> None:
    en, zh = error_texts("en"), error_texts("zh")
    used = set()
    for where, line, call in CALLS:
        if _name(call) != "Msg":
            continue
        assert call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str), \
            f"{where}:{line}: the key of a Msg is written out, so this test can find it"
        key = call.args[0].value
        used.add(key)
        assert key in en.messages, f"{where}:{line}: {key!r} is not in i18n/en/errors.yaml"
        assert key in zh.messages, f"{where}:{line}: {key!r} is not in i18n/zh/errors.yaml"
        if not any(k.arg is None for k in call.keywords):  # no **values
            given = {k.arg for k in call.keywords}
            wanted = {name for name, _ in _fields(en.messages[key])}
            assert given == wanted, f"{where}:{line}: {key} is filled with {sorted(given)}, uses {sorted(wanted)}"
    unused = set(en.messages) - used
    assert not unused, f"keys no code uses: {sorted(unused)}"


def test_joins_and_terms_the_code_names_are_in_the_catalogue() -> None:
    texts = error_texts("zh")
    for where, line, call in CALLS:
        name = _name(call)
        first = call.args[0] if call.args else None
        literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
        if name == "Join":
            assert literal and first.value in texts.joins, f"{where}:{line}: unknown join"
        elif name == "Term" and literal:
            assert first.value in texts.terms, f"{where}:{line}: term {first.value!r} has no translation"
        elif name == "open_table":  # the kind of a table is a term of the messages
            kinds = [k.value for k in call.keywords if k.arg == "kind"]
            for kind in kinds:
                assert isinstance(kind, ast.Constant) and kind.value in texts.terms, f"{where}:{line}"
    from shelfcheck.datasets.store import KINDS

    assert {"file", *KINDS, "tiktok-categories"} <= set(texts.terms)


# Which argument of each error carries its message.
_MESSAGE_ARG = {"InputError": 1, "PolicyError": 0, "DatasetError": 0, "LedgerError": 0, "KeyUnavailable": 0,
                "fail": 0, "_Bad": 0, "BadValue": 1, "error_for": 1,
                **{name: 1 for name in ("ApiError", "AuthExpired", "ReauthorizationRequired", "ScopeDenied",
                                        "SignatureInvalid", "ClockSkew", "ConfigurationError", "RateLimited",
                                        "RetryableError", "ValidationFailed", "SellerActionRequired",
                                        "TransportError")}}


def _text(node: ast.expr) -> bool:
    """Whether an argument is English written out (a string, an f-string, text put together)."""
    if isinstance(node, ast.IfExp):
        return _text(node.body) or _text(node.orelse)
    if isinstance(node, ast.BoolOp):
        return any(_text(value) for value in node.values)
    return isinstance(node, (ast.JoinedStr, ast.BinOp)) or (isinstance(node, ast.Constant) and bool(node.value)
                                                             and isinstance(node.value, str))


def test_no_error_is_raised_with_english_text_only() -> None:
    for where, line, call in CALLS:
        index = _MESSAGE_ARG.get(_name(call))
        if index is None:
            continue
        if len(call.args) > index:
            assert not _text(call.args[index]), f"{where}:{line}: give the error a Msg of i18n/*/errors.yaml, not text"
        for keyword in call.keywords:  # the hint of an Open API error too
            if keyword.arg == "hint":
                assert not _text(keyword.value), f"{where}:{line}: give the hint a Msg, not text"


# Rendering ------------------------------------------------------------------------------------

def test_the_english_line_is_the_same_as_before() -> None:
    error = InputError("catalog.csv", Msg("no_column", column="price"), row=5, column="price")
    assert str(error) == "catalog.csv, row 5, column 'price': no price column"
    assert error.message == "no price column"
    assert error.one_line() == error.one_line("en") == str(error)
    assert str(InputError(None, Msg("json_not_utf8"))) == "<input>: JSON must be UTF-8 text"
    assert str(InputError("a.csv", "plain text")) == "a.csv: plain text"  # library users may still pass text


def test_the_chinese_line_translates_the_prefix_and_keeps_the_data() -> None:
    error = InputError("商品 表.csv", Msg("xlsx_no_sheet", sheet="价格'表", sheets="A, B"), row=5, column="售价")
    assert error.one_line("zh") == "商品 表.csv，第 5 行，列 '售价'：没有名为 \"价格'表\" 的工作表（现有工作表：A, B）"
    assert InputError(None, Msg("json_not_utf8")).one_line("zh") == "<输入>：JSON 必须是 UTF-8 文本"
    assert InputError("x.csv", Msg("file_not_found", kind=Term("file"))).one_line("zh") == "x.csv：找不到文件"


def test_nested_messages_joins_and_errors_render_in_the_same_language() -> None:
    parts = Join("semicolon", [Msg("no_column", column="a"), Msg("no_column", column="b")])
    msg = Msg("dataset_kind_problem", kind="k", problem=parts)
    assert str(msg) == "k: no a column; no b column"
    assert msg.render("zh") == "k：没有 a 列；没有 b 列"
    error = PolicyError(Msg("policy_not_mapping", origin=Msg("policy_builtin", name="p")))
    assert str(error) == "policy p (built-in): must be a YAML mapping"
    assert error.one_line("zh") == "规则包 p（内置）：必须是 YAML 映射"
    assert Msg("data_update_failed", failures=Join("semicolon", [error, "plain"])).render("zh") \
        == "规则包 p（内置）：必须是 YAML 映射；plain"


def test_a_message_survives_pickling() -> None:
    import pickle

    msg = Msg("sku_no_row", sku="A-1")
    assert pickle.loads(pickle.dumps(msg)) == msg


# The command line -----------------------------------------------------------------------------

def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("LANG", "LC_"))}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "shelfcheck", *map(str, args)], capture_output=True, text=True,
                          env=full, timeout=120)


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture
def no_sku(ws: Workspace) -> Path:
    """A catalogue whose header has no SKU column: the error names file, row and column."""
    return write_csv(ws.root / "目录 catalog.csv", [{"title": "Box", "price": "1"}])


def test_a_catalogue_that_cannot_be_read_in_chinese_with_lang(no_sku: Path) -> None:
    line = _one_line(_run("check", no_sku, "--lang", "zh"))
    assert line.startswith(f"shelfcheck: {no_sku}，第 1 行，列 'seller_sku'：没有 seller_sku 列（可接受的表头：")
    assert "表头（第 1 行）中有：'title', 'price'" in line


def test_a_catalogue_that_cannot_be_read_in_chinese_from_lang_env(no_sku: Path) -> None:
    line = _one_line(_run("check", no_sku, env={"LANG": "zh_CN.UTF-8"}))
    assert line.startswith(f"shelfcheck: {no_sku}，第 1 行，列 'seller_sku'：没有 seller_sku 列")


def test_lang_on_the_command_line_wins_over_the_environment(no_sku: Path) -> None:
    line = _one_line(_run("check", no_sku, "--lang=en", env={"LANG": "zh_CN.UTF-8"}))
    assert line.startswith(f"shelfcheck: {no_sku}, row 1, column 'seller_sku': no seller_sku column")


def test_the_english_default_is_unchanged(no_sku: Path) -> None:
    line = _one_line(_run("check", no_sku))
    assert line == (f"shelfcheck: {no_sku}, row 1, column 'seller_sku': no seller_sku column (accepted: seller_sku, "
                    "SKU, Seller SKU, SKU Code, Variant SKU, 卖家SKU, …); the header (row 1) has: 'title', 'price' "
                    "— map your columns with --columns MAP.yaml (see `shelfcheck columns`)")


def test_a_hostile_cell_is_shown_as_it_is_in_both_languages(ws: Workspace) -> None:
    """JSON whose bad item sits on a row: the row is named, the data never translated."""
    path = ws.root / "c.json"
    path.write_text('[{"seller_sku": "A"}, "第二项 {row}"]', "utf-8")
    assert _one_line(_run("check", path)) == f"shelfcheck: {path}, row 3: item 2 is not an object"
    assert _one_line(_run("check", path, "--lang", "zh")) == f"shelfcheck: {path}，第 3 行：第 2 项不是对象"


@pytest.mark.parametrize(("args", "en", "zh"), [
    (("check", "{catalog}", "--as-of", "2024-13-01"), "--as-of: not a date in YYYY-MM-DD form: '2024-13-01'",
     "--as-of：不是 YYYY-MM-DD 格式的日期：'2024-13-01'"),
    (("rules", "--format", "pdf"), "--format: use table or json, not 'pdf'",
     "--format：请用 table 或 json，而不是 'pdf'"),
    (("check", "{catalog}", "--policy", "nope"), "no policy named 'nope': not a built-in pack (tiktok-us-2024-07) "
     "nor a file", "没有名为 'nope' 的规则包：既不是内置规则包（tiktok-us-2024-07），也不是文件"),
    (("publish", "{catalog}", "--out", "{catalog}"), "Invalid value for --out: --out needs --dry-run (a real run "
     "sends the requests instead) (see: shelfcheck publish --help)",
     "--out 的值无效：--out 需要与 --dry-run 一起使用（正式运行会直接发送请求）（参见：shelfcheck publish --help）"),
    # typer's own usage messages stay English; shelfcheck's hint after them follows the language
    (("check", "{catalog}", "--bogus"), "No such option: --bogus", "（参见：shelfcheck check --help）"),
])
def test_usage_errors_follow_the_language(ws: Workspace, args: tuple[str, ...], en: str, zh: str) -> None:
    catalog = write_csv(ws.root / "catalog.csv", [ws.listing()])
    filled = [a.format(catalog=catalog) for a in args]
    assert en in _one_line(_run(*filled))
    assert zh in _one_line(_run(*filled, "--lang", "zh"))
    assert zh in _one_line(_run(*filled, env={"LC_ALL": "zh_CN.UTF-8"}))


def test_a_bad_lang_value_is_reported_in_the_environments_language(ws: Workspace) -> None:
    catalog = write_csv(ws.root / "catalog.csv", [ws.listing()])
    assert _one_line(_run("check", catalog, "--lang", "fr")) == "shelfcheck: --lang: use en or zh, not 'fr'"
    assert _one_line(_run("check", catalog, "--lang", "fr", env={"LANG": "zh_CN.UTF-8"})) \
        == "shelfcheck: --lang：请用 en 或 zh，而不是 'fr'"


def test_lang_is_read_from_the_command_line_before_typer() -> None:
    from shelfcheck.cli.common import lang_in_argv

    assert lang_in_argv(["check", "c.csv", "--lang", "zh"]) == "zh"
    assert lang_in_argv(["check", "--lang=zh", "c.csv"]) == "zh"
    assert lang_in_argv(["check", "--lang", "fr"]) is None
    assert lang_in_argv(["check", "--lang"]) is None
    assert lang_in_argv(["check", "--", "--lang", "zh"]) is None


@pytest.mark.parametrize("lang", LANGS)
def test_interrupted_and_full_disk_lines(lang: str, ws: Workspace, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import tempfile

    from shelfcheck.cli import main as cli

    catalog = write_csv(ws.root / "catalog.csv", [ws.listing()])
    expected = {"en": ("shelfcheck: interrupted", "shelfcheck: no space left on the disk writing /tmp/r.json: "),
                "zh": ("shelfcheck: 已中断", "shelfcheck: 磁盘空间不足（写入 /tmp/r.json 时）：")}[lang]
    for error, code, start in ((KeyboardInterrupt(), 130, expected[0]),
                               (OSError(errno.ENOSPC, "No space left on device", "/tmp/r.json"), 2, expected[1])):
        def stop(*args: object, error: BaseException = error, **kwargs: object) -> None:
            raise error

        monkeypatch.setattr(cli, "app", stop)
        with pytest.raises(SystemExit) as exit_:
            cli.main(["check", str(catalog), "--lang", lang])
        assert exit_.value.code == code
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert line.startswith(start), line
        if code == 2:
            assert tempfile.gettempdir() in line
