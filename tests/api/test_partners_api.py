"""Trading partners' profiles over REST: admin only, every change a version, the same document
again nothing, a rollback a new version the gateway reads at once (no restart), and a cXML
secret never given back in any form."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from composed import Composed, add_partner, composed
from fastapi.testclient import TestClient

from api.auth import Role
from supplyhub.settings import Settings

PARTNER, SUPPLIER = "boreal", "SUP-BOREAL"
PROFILE: dict[str, Any] = {
    "partner": PARTNER, "supplier": SUPPLIER, "dialect": "x12", "version": "004010",
    "ours": {"qualifier": "ZZ", "id": "BUYERHUB"}, "theirs": {"qualifier": "ZZ", "id": "BOREAL"},
    "units": {"EA": "EA"}, "currency": "EUR",
}  # fmt: skip
CXML: dict[str, Any] = {
    "partner": "cypress", "supplier": "SUP-CYPRESS", "dialect": "cxml", "version": "1.2.045",
    "ours": {"qualifier": "NetworkID", "id": "AN-HUB"},
    "theirs": {"qualifier": "DUNS", "id": "CYPRESS-1"},
    "cxml": {"sender": {"domain": "NetworkID", "identity": "AN-CYP"}, "secret": "open-sesame"},
}  # fmt: skip


@dataclass
class Hub:
    client: TestClient
    composed: Composed
    admin: dict[str, str]

    def put(self, profile: dict[str, Any], partner: str = PARTNER) -> Any:
        return self.client.put(f"/api/v1/partners/{partner}", json=profile, headers=self.admin)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with composed(Settings(data_dir=tmp_path, dev_mode=True)) as hub, TestClient(hub.app) as c:
        yield Hub(c, hub, hub.bearer(Role.ADMIN, "ada"))


def interchange_855(control: int) -> bytes:
    """Boreal's 855 accepting line 1 of PO-RB-1: ten EA."""
    isa = ["00", " " * 10, "00", " " * 10, "ZZ", "BOREAL".ljust(15), "ZZ", "BUYERHUB".ljust(15),
           "261204", "1030", "U", "00401", f"{control:09d}", "0", "P", ">"]  # fmt: skip
    body = ["ST*855*0001", "BAK*00*AD*PO-RB-1*20261204", "PO1*1*10*EA*2.5**BP*ITEM-1",
            "ACK*IA*10*EA*067*20261220", "CTT*1", "SE*6*0001"]  # fmt: skip
    segments = ["ISA*" + "*".join(isa),
                f"GS*PR*BOREAL*BUYERHUB*20261204*1030*{control}*X*004010", *body,
                f"GE*1*{control}", f"IEA*1*{control:09d}"]  # fmt: skip
    return ("~\n".join(segments) + "~\n").encode()


def register_supplier(hub: Hub) -> dict[str, str]:
    erp = hub.composed.bearer(Role.CONNECTOR, "erp")
    answer = hub.client.put(
        f"/api/v1/suppliers/{SUPPLIER}", json={"name": "Boreal"},
        headers={**erp, "Idempotency-Key": "sup-boreal"},
    )  # fmt: skip
    assert answer.status_code in (200, 201), answer.text
    return erp


def release_order(hub: Hub) -> None:
    erp = register_supplier(hub)
    line = {"line_number": 1, "item": "ITEM-1", "quantity": "10", "uom": "EA",
            "unit_price": "2.5", "need_by": "2026-12-20", "ship_to": "PLANT-1"}  # fmt: skip
    answer = hub.client.post(
        "/api/v1/purchase-orders",
        json={"po_number": "PO-RB-1", "supplier": SUPPLIER, "currency": "EUR", "lines": [line]},
        headers={**erp, "Idempotency-Key": "po-rb-1"},
    )
    assert answer.status_code == 201, answer.text


def test_a_profile_put_is_version_1_and_the_same_document_again_writes_nothing(hub: Hub) -> None:
    first = hub.put(PROFILE)
    again = hub.put(PROFILE)
    changed = hub.put({**PROFILE, "currency": "PLN"})

    assert first.status_code == 200, first.text
    assert first.json() == {"partner": PARTNER, "version": 1, "written": True}
    assert again.json() == {"partner": PARTNER, "version": 1, "written": False}
    assert changed.json() == {"partner": PARTNER, "version": 2, "written": True}
    shown = hub.client.get(f"/api/v1/partners/{PARTNER}", headers=hub.admin).json()
    assert (shown["version"], shown["profile"]["currency"]) == (2, "PLN")


def test_the_versions_say_when_who_and_which_fields_changed(hub: Hub) -> None:
    hub.put(PROFILE)
    hub.put({**PROFILE, "currency": "PLN", "units": {"EA": "EA", "CS": "CA"}})
    hub.client.post(f"/api/v1/partners/{PARTNER}/rollback", json={"version": 1},
                    headers=hub.admin)  # fmt: skip

    answer = hub.client.get(f"/api/v1/partners/{PARTNER}/versions", headers=hub.admin)

    versions = answer.json()["versions"]
    assert [(v["version"], v["kind"], v["actor"]) for v in versions] == [
        (1, "registered", "ada"), (2, "revised", "ada"), (3, "rolled back", "ada"),
    ]  # fmt: skip
    assert versions[1]["changed"] == ["currency", "units.CS"]
    assert versions[2]["to_version"] == 1
    assert all(v["at"] for v in versions)


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.BUYER, Role.CONNECTOR, Role.AUDITOR])
def test_only_an_admin_may_read_or_change_profiles(hub: Hub, role: Role) -> None:
    hub.put(PROFILE)
    register_supplier(hub)  # a supplier's token is good only for a supplier the hub knows
    other = hub.composed.bearer(role, "eve", SUPPLIER if role is Role.SUPPLIER else "")

    put = hub.client.put(f"/api/v1/partners/{PARTNER}", json=PROFILE, headers=other)
    listed = hub.client.get("/api/v1/partners", headers=other)
    shown = hub.client.get(f"/api/v1/partners/{PARTNER}", headers=other)
    rolled = hub.client.post(f"/api/v1/partners/{PARTNER}/rollback", json={"version": 1},
                             headers=other)  # fmt: skip

    assert [each.status_code for each in (put, listed, shown, rolled)] == [403] * 4


def test_a_wrong_profile_is_refused_naming_the_field_and_nothing_is_written(hub: Hub) -> None:
    no_dialect = {key: value for key, value in PROFILE.items() if key != "dialect"}

    missing = hub.put(no_dialect)
    bad_terms = hub.put({**PROFILE, "edi": {"character_set": "UNOZ"}})
    elsewhere = hub.put({**PROFILE, "partner": "someone-else"})

    assert missing.status_code == 422 and "dialect" in missing.text
    assert bad_terms.status_code == 422 and "edi.character_set" in bad_terms.text
    assert elsewhere.status_code == 422 and "partner" in elsewhere.text
    assert hub.client.get(f"/api/v1/partners/{PARTNER}", headers=hub.admin).status_code == 404


def test_a_rollback_to_a_version_that_does_not_exist_is_refused(hub: Hub) -> None:
    hub.put(PROFILE)

    answer = hub.client.post(f"/api/v1/partners/{PARTNER}/rollback", json={"version": 7},
                             headers=hub.admin)  # fmt: skip

    assert answer.status_code == 422 and "version" in answer.text


def test_a_cxml_secret_is_stored_hashed_and_never_given_back(hub: Hub) -> None:
    put = hub.put(CXML, "cypress")
    again = hub.put(CXML, "cypress")  # the same secret: the same version
    shown = hub.client.get("/api/v1/partners/cypress", headers=hub.admin)
    edited = {
        **shown.json()["profile"],
        "cxml": {**shown.json()["profile"]["cxml"], "endpoint": "https://cypress.example/cxml"},
    }
    kept = hub.put(edited, "cypress")  # sent back redacted: the stored hash is kept
    answers = [
        shown,
        hub.client.get("/api/v1/partners", headers=hub.admin),
        hub.client.get("/api/v1/partners/cypress/versions", headers=hub.admin),
    ]

    assert (put.json()["version"], again.json()["written"]) == (1, False)
    assert kept.json() == {"partner": "cypress", "version": 2, "written": True}
    assert shown.json()["profile"]["cxml"]["secret_hash"] == "(redacted)"
    assert not any("open-sesame" in a.text or "pbkdf2" in a.text for a in answers)
    directory = hub.composed.app.state.cxml.partners
    stored = directory.profile("cypress").cxml
    assert stored.secret_hash.startswith("pbkdf2_sha256$")


def test_a_translation_refused_by_version_4s_mapping_works_again_after_rollback_to_3(
    hub: Hub,
) -> None:
    release_order(hub)
    for currency in ("EUR", "PLN", "USD"):  # versions 1 to 3 speak EA
        hub.put({**PROFILE, "currency": currency})
    partner = hub.composed.bearer(Role.CONNECTOR, PARTNER)
    hub.put({**PROFILE, "currency": "USD", "units": {"CS": "CA"}})  # version 4: no EA

    refused = hub.client.post("/api/v1/edi", content=interchange_855(11), headers=partner)
    rolled = hub.client.post(f"/api/v1/partners/{PARTNER}/rollback", json={"version": 3},
                             headers=hub.admin)  # fmt: skip
    taken = hub.client.post("/api/v1/edi", content=interchange_855(12), headers=partner)

    assert refused.status_code == 422 and "units" in refused.headers["Supplyhub-Refusal"]
    assert rolled.json() == {"partner": PARTNER, "version": 5, "written": True}
    assert taken.status_code == 200, taken.text
    assert taken.json()["results"][0]["outcome"]["status"] == "applied", taken.text


def test_a_profile_file_in_the_inbox_is_imported_and_a_changed_one_is_its_next_version(
    hub: Hub,
) -> None:
    add_partner(hub.composed.settings.data_dir, PROFILE)
    first = hub.client.get(f"/api/v1/partners/{PARTNER}", headers=hub.admin)
    hub.client.get(f"/api/v1/partners/{PARTNER}", headers=hub.admin)  # the same file: nothing
    add_partner(hub.composed.settings.data_dir, {**PROFILE, "currency": "PLN"})
    seen_by_the_gateway = hub.composed.app.state.edi.partners.profile(PARTNER)

    versions = hub.client.get(f"/api/v1/partners/{PARTNER}/versions", headers=hub.admin).json()

    assert first.json()["version"] == 1
    assert seen_by_the_gateway.currency == "PLN"
    assert [(v["version"], v["actor"]) for v in versions["versions"]] == [
        (1, f"inbox:{PARTNER}.json"), (2, f"inbox:{PARTNER}.json"),
    ]  # fmt: skip
