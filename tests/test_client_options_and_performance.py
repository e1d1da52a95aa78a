"""MGL401-405 beyond their fixtures: how connection strings are read, Django's
function views (recognised by the module's name), and the fixes' edge cases."""

from __future__ import annotations

import warnings

import libcst as cst
import pytest

from mongolint.config import Settings
from mongolint.engine import check_text
from mongolint.fixes import fix_text
from mongolint.model import SemanticModel
from mongolint.rules.options._uri import uri_options


def _options(source: str):
    module = cst.parse_module(source)
    model = SemanticModel(module)
    expr = module.body[-1].body[0].value
    return [(o.name, o.value) for o in uri_options(model, expr)]


@pytest.mark.parametrize("source, expected", [
    ('"mongodb://h/?a=1&b=2"', [("a", "1"), ("b", "2")]),
    ('"mongodb://h/?a=1;b=2"', [("a", "1"), ("b", "2")]),
    ('"mongodb+srv://h.example.com/db?retryWrites=true"', [("retryWrites", "true")]),
    ('"mongodb://h?appName=x%20y"', [("appName", "x y")]),
    ('f"mongodb://{u}:{p}@h/?authSource={src}&maxPoolSize=5"', [("authSource", None), ("maxPoolSize", "5")]),
    ('f"mongodb://h/?{key}=1&w=2"', [("w", "2")]),
    ('"mongodb://%s/?w=%d&x=100%%" % (h, w)', [("w", None), ("x", "100%")]),
    ('"mongodb://" + h + "/?tls=true"', [("tls", "true")]),
    ('("mongodb://h/?a=1"\n "&b=2")', [("a", "1"), ("b", "2")]),
    ('URI = "mongodb://h/?a=1"\nURI', [("a", "1")]),
    ('r"mongodb://h/?a=1"', [("a", "1")]),
    ('["mongodb://a/?x=1", "mongodb://b/?y=2"]', [("x", "1"), ("y", "2")]),
])
def test_connection_strings_are_read_where_they_are_literal(source, expected):
    assert _options(source) == expected


@pytest.mark.parametrize("source", [
    'b"mongodb://h/?a=1"',  # bytes
    '"localhost:27017/?a=1"',  # no scheme
    'h + "/?a=1"',  # the scheme is not known
    'os.environ["MONGO_URI"]',
    '"mongodb://h/?a" "=1"[0]',
    '"mongodb://h/\\x3fa=1"',  # an escape: the raw text is not the value
    'URI = "mongodb://h/?a=1"\nURI = other\nURI',  # bound twice
    '"mongodb://h/?a=1&b=2;c=3"',  # mixed delimiters: PyMongo raises InvalidURI
])
def test_other_expressions_are_not_read(source):
    assert _options(source) == []


def test_an_option_name_split_across_parts_is_not_read():
    assert _options('"mongodb://h/?max" "PoolSize=5"') == []


def test_pymongo_agrees_on_how_a_query_is_split():
    from pymongo.errors import InvalidURI
    from pymongo.uri_parser import parse_uri

    with pytest.raises(InvalidURI):
        parse_uri("mongodb://h/?a=1&b=2;c=3")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = parse_uri("mongodb://h/?appName=x%20y;maxPoolSize=5")["options"]
    assert parsed["appname"] == "x y" and parsed["maxPoolSize"] == 5
    assert _options('"mongodb://h/?appName=x%20y;maxPoolSize=5"') == [("appName", "x y"), ("maxPoolSize", "5")]


DJANGO_VIEW = (
    "from django.http import JsonResponse\n"
    "from pymongo import MongoClient\n\n"
    "def order(request, order_id):\n"
    "    client = MongoClient()\n"
    "    return JsonResponse(client.shop.orders.find_one({'_id': order_id}))\n\n"
    "def helper(order_id):\n"
    "    return MongoClient()\n"
)


@pytest.mark.parametrize("module_name, expected", [
    ("shop.views", [5]),
    ("shop.views.orders", [5]),
    ("views", [5]),
    ("shop.views.tests", []),
    ("shop.test_views", []),
    ("shop.models", []),
    ("", []),
])
def test_django_function_views_are_recognised_by_the_module_name(module_name, expected):
    report = check_text("x.py", DJANGO_VIEW, Settings(select=("MGL405",)), module_name=module_name)
    assert [f.line for f in report.findings] == expected


def test_no_web_framework_no_handler():
    text = DJANGO_VIEW.replace("from django.http import JsonResponse\n", "")
    report = check_text("x.py", text, Settings(select=("MGL405",)), module_name="shop.views")
    assert report.findings == []


def _fixed(text: str, code: str, unsafe: bool) -> str:
    outcome = fix_text("x.py", text, Settings(select=(code,)), unsafe=unsafe)
    assert not outcome.internal_errors
    return outcome.text


def test_keyword_rename_is_safe_and_uri_rename_is_not():
    text = 'from pymongo import MongoClient\nMongoClient("mongodb://h/?retryWrite=true", max_pool_size=5)\n'
    safe = _fixed(text, "MGL401", unsafe=False)
    assert safe == text.replace("max_pool_size", "maxPoolSize")
    assert _fixed(text, "MGL401", unsafe=True) == safe.replace("retryWrite=", "retryWrites=")


def test_no_rename_onto_an_option_already_given():
    text = "from pymongo import MongoClient\nMongoClient(maxPoolSize=5, max_pool_size=6)\n"
    report = check_text("x.py", text, Settings(select=("MGL401",)))
    assert [f.code for f in report.findings] == ["MGL401"] and report.findings[0].fix is None
    uri = 'from pymongo import MongoClient\nMongoClient("mongodb://h/?retryWrites=true&retryWrite=false")\n'
    assert check_text("x.py", uri, Settings(select=("MGL401",))).findings[0].fix is None


def test_two_bad_options_of_one_string_are_one_finding_with_one_fix():
    text = 'from pymongo import MongoClient\nMongoClient("mongodb://h/?retryWrite=true&maxPoolSise=3")\n'
    findings = check_text("x.py", text, Settings(select=("MGL401",))).findings
    assert len(findings) == 1 and "retryWrite" in findings[0].message and "maxPoolSise" in findings[0].message
    assert 'retryWrites=true&maxPoolSize=3' in _fixed(text, "MGL401", unsafe=True)


def test_the_message_names_the_single_closest_option():
    text = "from pymongo import MongoClient\nMongoClient(connectTimeout=5000, frobnicate=1)\n"
    messages = [f.message for f in check_text("x.py", text, Settings(select=("MGL401",))).findings]
    assert "did you mean `connectTimeoutMS`?" in messages[0]
    assert "did you mean" not in messages[1]
