"""Comments on exception cases over GraphQL, against a real uvicorn and the demo data: each an
`ExceptionCase.Commented` event with who, idempotent by key, refused with the field named,
never a supplier's, read from their own view and on the order's trace."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from browser import ask, bearer
from live_server import LiveHub

from api.auth import Role
from domain.exception_case import ExceptionCase

COMMENT = """mutation($key: String!, $text: String!, $idempotencyKey: String!) {
  commentOnException(idempotencyKey: $idempotencyKey, input: {key: $key, text: $text}) {
    __typename ... on Accepted { status document replayed }
    ... on InvalidInput { field rule } ... on Conflict { code detail }
    ... on Forbidden { detail } ... on NotFound { kind key } } }"""
RESOLVE = """mutation($key: String!, $idempotencyKey: String!) {
  resolveException(idempotencyKey: $idempotencyKey, input: {key: $key, resolution: "done"}) {
    __typename } }"""
CASES = """{ exceptions(status: null, first: 100) { items {
  key status supplier ownerRole document commentCount comments { at actor text } } } }"""
QUEUE_ONLY = "{ exceptions(status: null, first: 100) { items { key commentCount } } }"


def comment(live: LiveHub, role: Role, key: str, text: str, idempotency_key: str) -> Any:
    answer = ask(live, COMMENT, role, key=key, text=text, idempotencyKey=idempotency_key)
    return answer["commentOnException"]


def caught_up(live: LiveHub, role: Role = Role.ADMIN) -> dict[str, dict[str, Any]]:
    head = live.hub.recorder.max_notification_id() or 0
    assert live.read_side.runner.wait_until(head, 10)
    return {case["key"]: case for case in ask(live, CASES, role)["exceptions"]["items"]}


def a_case(live: LiveHub, **wanted: str) -> str:
    """An open case without comments (each test works its own case of the shared hub)."""
    return next(
        key for key, case in caught_up(live).items()
        if case["status"] == "open" and case["commentCount"] == 0
        and all(case[name] == value for name, value in wanted.items())
    )  # fmt: skip


def version(live: LiveHub, key: str) -> int:
    case: ExceptionCase = live.hub.repository.get(ExceptionCase.create_id(key))
    return case.version


def test_a_buyer_comments_on_a_case_and_reads_it_back_with_who_and_when(live: LiveHub) -> None:
    key = a_case(live, ownerRole="buyer")

    answer = comment(live, Role.BUYER, key, "Asked Acme for\n\ta new date", "cmt-happy-1")
    comment(live, Role.AP, key, "AP: no invoice yet", "cmt-happy-2")

    assert answer == {
        "__typename": "Accepted", "status": "applied", "document": f"exception:{key}",
        "replayed": False,
    }  # fmt: skip
    case = caught_up(live)[key]
    assert case["commentCount"] == 2
    assert [(c["actor"], c["text"]) for c in case["comments"]] == [
        ("buyer:buyer-user", "Asked Acme for\n\ta new date"),
        ("ap:ap-user", "AP: no invoice yet"),
    ]
    assert case["comments"][0]["at"] <= case["comments"][1]["at"]
    assert ask(live, CASES, Role.AUDITOR)["exceptions"]["items"]  # an auditor reads them too
    assert caught_up(live, Role.AUDITOR)[key]["comments"] == case["comments"]


def test_the_same_key_again_is_the_same_answer_and_nothing_is_appended_twice(
    live: LiveHub,
) -> None:
    key = a_case(live, ownerRole="buyer")
    comment(live, Role.BUYER, key, "once", "cmt-retry-1")
    before = version(live, key)

    again = comment(live, Role.BUYER, key, "once", "cmt-retry-1")

    assert again["replayed"] is True
    assert version(live, key) == before
    assert [c["text"] for c in caught_up(live)[key]["comments"]] == ["once"]


def test_the_same_key_with_another_text_is_a_conflict(live: LiveHub) -> None:
    key = a_case(live, ownerRole="buyer")
    comment(live, Role.BUYER, key, "first words", "cmt-conflict-1")

    other = comment(live, Role.BUYER, key, "other words", "cmt-conflict-1")

    assert other["__typename"] == "Conflict"
    assert other["code"] == "idempotency_key_reused"
    assert [c["text"] for c in caught_up(live)[key]["comments"]] == ["first words"]


def test_a_resolved_case_takes_comments_explaining_after_the_fact(live: LiveHub) -> None:
    key = a_case(live, ownerRole="ap")
    ask(live, RESOLVE, Role.AP, key=key, idempotencyKey="cmt-resolve-1")

    answer = comment(live, Role.AP, key, "credit note came later", "cmt-after-1")

    assert answer["__typename"] == "Accepted"
    case = caught_up(live)[key]
    assert (case["status"], case["commentCount"]) == ("resolved", 1)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "must not be empty"),
        ("  \n\t  ", "must not be empty"),
        ("x" * 2_001, "must be at most 2000 characters"),
        ("bell\x07 ring", "must not contain control characters"),
        ("nul\x00", "must not contain control characters"),
        ("ansi \x1b[31mred", "must not contain control characters"),
    ],
    ids=["empty", "whitespace", "too long", "bell", "nul", "escape"],
)
def test_a_comment_that_breaks_a_rule_is_refused_naming_the_text_and_nothing_is_recorded(
    live: LiveHub, text: str, rule: str
) -> None:
    key = a_case(live, ownerRole="buyer")
    before = version(live, key)

    answer = comment(live, Role.BUYER, key, text, f"cmt-bad-{len(text)}-{ord(text[-1:] or 'x')}")

    assert answer["__typename"] == "InvalidInput"
    assert answer["field"] == "text"
    assert answer["rule"].startswith(rule)
    assert version(live, key) == before


def test_a_comment_of_exactly_2000_characters_is_kept_whole(live: LiveHub) -> None:
    key = a_case(live, ownerRole="buyer")
    text = ("Lorem ipsum " * 200)[:1_999] + "."

    assert comment(live, Role.BUYER, key, text, "cmt-long-1")["__typename"] == "Accepted"
    assert caught_up(live)[key]["comments"][0]["text"] == text


def test_html_in_a_comment_is_kept_as_text_not_markup(live: LiveHub) -> None:
    key = a_case(live, ownerRole="buyer")
    text = '<img src=x onerror="alert(1)"><script>alert(2)</script> &amp; "quotes"'

    comment(live, Role.BUYER, key, text, "cmt-html-1")

    assert caught_up(live)[key]["comments"][0]["text"] == text


def test_a_comment_on_an_unknown_case_is_not_found(live: LiveHub) -> None:
    answer = comment(live, Role.BUYER, "no-such-case", "hello", "cmt-unknown-1")
    assert answer == {"__typename": "NotFound", "kind": "exception case", "key": "no-such-case"}


@pytest.mark.parametrize("supplier_of_case", ["SUP-ACME", "SUP-BOREAL"])
def test_a_supplier_may_not_comment_on_its_own_or_another_suppliers_case(
    live: LiveHub, supplier_of_case: str
) -> None:
    key = a_case(live, supplier=supplier_of_case)
    before = version(live, key)

    answer = comment(live, Role.SUPPLIER, key, "let me in", f"cmt-probe-{supplier_of_case}")

    assert answer["__typename"] == "Forbidden"
    assert version(live, key) == before


def test_an_auditor_reads_comments_but_may_not_make_one(live: LiveHub) -> None:
    key = a_case(live, ownerRole="buyer")
    answer = comment(live, Role.AUDITOR, key, "just looking", "cmt-auditor-1")
    assert answer["__typename"] == "Forbidden"
    assert caught_up(live)[key]["commentCount"] == 0


def test_a_supplier_is_shown_neither_the_comments_nor_their_count(live: LiveHub) -> None:
    # Given a comment on a case about Acme's own conduct, which Acme sees in its queue
    internal = caught_up(live)
    seen_by_acme = {case["key"] for case in ask(live, QUEUE_ONLY, Role.SUPPLIER)
                    ["exceptions"]["items"]}  # fmt: skip
    key = next(k for k in seen_by_acme if internal[k]["status"] == "open")
    comment(live, Role.BUYER, key, "Acme is late again, call them", "cmt-hidden-1")
    # When Acme reads its queue with the comments
    mine = caught_up(live, Role.SUPPLIER)
    # Then the case is there, without its comments or their count
    assert mine[key]["comments"] is None
    assert mine[key]["commentCount"] is None
    assert all(case["comments"] is None for case in mine.values())


def test_a_comment_is_on_the_trace_of_the_order_its_case_is_about(live: LiveHub) -> None:
    key, case = next(
        (key, case) for key, case in caught_up(live).items()
        if case["document"].startswith("po:") and case["commentCount"] == 0
    )  # fmt: skip
    number = case["document"].removeprefix("po:")
    comment(live, Role.BUYER, key, "on the trace", "cmt-trace-1")
    caught_up(live)

    trace = httpx.get(
        f"{live.url}/console/purchase-orders/{number}/trace", headers=bearer(live, Role.BUYER)
    )

    assert trace.status_code == 200, trace.text
    steps = trace.json()["steps"]
    commented = [s for s in steps if s["event"] == "ExceptionCase.Commented"]
    assert [(s["document"], s["actor"]) for s in commented] == [
        (f"exception:{key}", "buyer:buyer-user")
    ]


ONE_CASE = """query($key: String!) { exceptionCase(key: $key) {
  key supplier commentCount comments { actor text } } }"""


def test_one_case_is_read_by_its_key_with_its_comments(live: LiveHub) -> None:
    key = a_case(live, ownerRole="buyer")
    comment(live, Role.BUYER, key, "read me back", "cmt-one-1")
    caught_up(live)

    found = ask(live, ONE_CASE, Role.AUDITOR, key=key)["exceptionCase"]

    assert (found["key"], found["commentCount"]) == (key, 1)
    assert found["comments"] == [{"actor": "buyer:buyer-user", "text": "read me back"}]
    assert ask(live, ONE_CASE, Role.BUYER, key="no-such-case")["exceptionCase"] is None


def test_a_supplier_probing_another_suppliers_case_by_key_is_told_nothing(live: LiveHub) -> None:
    key = a_case(live, supplier="SUP-BOREAL")
    comment(live, Role.BUYER, key, "Boreal internal note", "cmt-probe-read-1")
    caught_up(live)

    assert ask(live, ONE_CASE, Role.SUPPLIER, key=key)["exceptionCase"] is None
