"""`supplyhub partners list | show | versions | import | rollback` on the embedded store: each
change a version, the same file again nothing, a refusal one line naming the field, and a
cXML secret never printed; the partners folder an inbox imported once per change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from composed import add_partner

from supplyhub.bootstrap import open_hub
from supplyhub.cli import main
from supplyhub.partner_desk import partner_directory
from supplyhub.settings import Settings

PROFILE: dict[str, Any] = {
    "partner": "delta", "supplier": "SUP-DELTA", "dialect": "edifact", "version": "D96A",
    "ours": {"qualifier": "ZZZ", "id": "HUB"}, "theirs": {"qualifier": "ZZZ", "id": "DELTA"},
    "edi": {"test": True, "character_set": "UNOC", "ship_to": {"D1": "PLANT-1"}},
}  # fmt: skip
CXML: dict[str, Any] = {
    "partner": "cypress", "supplier": "SUP-CYPRESS", "dialect": "cxml", "version": "1.2.045",
    "ours": {"qualifier": "NetworkID", "id": "AN-HUB"},
    "theirs": {"qualifier": "DUNS", "id": "CYPRESS-1"},
    "cxml": {"sender": {"domain": "NetworkID", "identity": "AN-CYP"}, "secret": "open-sesame"},
}  # fmt: skip


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SUPPLYHUB_DATABASE_URL", raising=False)
    return tmp_path


def written(path: Path, profile: dict[str, Any]) -> Path:
    path.write_text(json.dumps(profile))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["partners", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_file_imported_twice_is_one_version_and_a_changed_one_the_next(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = written(tmp_path / "delta.json", PROFILE)

    first = run(capsys, "import", str(file))
    again = run(capsys, "import", str(file))
    changed = run(capsys, "import", str(written(file, {**PROFILE, "transit_days": 4})), "--json")

    assert first[:2] == (0, "delta: version 1\n")
    assert again[:2] == (0, "delta: unchanged, version 1\n")
    assert json.loads(changed[1]) == {"partner": "delta", "version": 2, "written": True}


def test_versions_and_rollback_say_who_when_and_what_changed(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = written(tmp_path / "delta.json", PROFILE)
    run(capsys, "import", str(file))
    run(capsys, "import", str(written(file, {**PROFILE, "currency": "EUR"})))

    rolled = run(capsys, "rollback", "delta", "1")
    _, out, _ = run(capsys, "versions", "delta", "--json")
    shown = json.loads(run(capsys, "show", "delta", "--json")[1])

    assert rolled[:2] == (0, "delta: version 3\n")
    versions = json.loads(out)
    assert [(v["kind"], v["changed"], v["to_version"]) for v in versions] == [
        ("registered", [], None), ("revised", ["currency"], None),
        ("rolled back", ["currency"], 1),
    ]  # fmt: skip
    assert all(v["actor"].startswith("cli") for v in versions)
    assert (shown["version"], "currency" in shown["profile"]) == (3, False)


def test_list_shows_each_partner_and_never_a_secret_or_its_hash(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(written(tmp_path / "delta.json", PROFILE)))
    run(capsys, "import", str(written(tmp_path / "cypress.json", CXML)))

    listed = run(capsys, "list")
    as_json = run(capsys, "list", "--json")
    shown = run(capsys, "show", "cypress")
    said = listed[1] + as_json[1] + shown[1]

    assert listed[1].splitlines() == [
        "cypress\tSUP-CYPRESS\tcxml 1.2.045\tversion 1",
        "delta\tSUP-DELTA\tedifact D96A\tversion 1",
    ]
    assert "open-sesame" not in said and "pbkdf2" not in said
    assert '"secret_hash": "(redacted)"' in shown[1]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["show", "nobody"], "no profile for partner 'nobody'"),
        (["rollback", "nobody", "1"], "no profile for partner 'nobody'"),
        (["import", "{bad}"], "bad.json: is not JSON"),
        (["import", "{wrong}"], "edi.character_set: 'UNOZ' is not one of"),
        (["import", "{missing}"], "No such file"),
    ],
)
def test_a_refusal_is_one_line_naming_what_is_wrong_and_exits_non_zero(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    argv: list[str], said: str,
) -> None:  # fmt: skip
    (tmp_path / "bad.json").write_text("{not json")
    written(tmp_path / "wrong.json", {**PROFILE, "edi": {"character_set": "UNOZ"}})
    files = {"bad": tmp_path / "bad.json", "wrong": tmp_path / "wrong.json",
             "missing": tmp_path / "missing.json"}  # fmt: skip

    code, out, err = run(capsys, *(each.format(**files) for each in argv))

    assert code != 0 and out == ""
    assert said in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_an_inbox_file_unchanged_across_a_restart_writes_nothing_and_undoes_no_later_change(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_partner(data_dir, CXML)  # with its secret in plain: the hub keeps only the hash
    first = partner_directory(Settings(data_dir=data_dir)).profile("cypress")
    run(capsys, "import", str(written(tmp_path / "later.json", {**CXML, "currency": "USD"})))

    after_restart = partner_directory(Settings(data_dir=data_dir)).profile("cypress")
    _, out, _ = run(capsys, "versions", "cypress", "--json")

    assert first.cxml is not None and first.cxml.secret_hash.startswith("pbkdf2_sha256$")
    assert after_restart.currency == "USD"
    assert [v["actor"].split(":")[0] for v in json.loads(out)] == ["inbox", "cli"]


def test_on_postgresql_the_profiles_are_their_own_table_beside_the_hubs_log(
    tmp_path: Path, postgres_url: str
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=postgres_url)
    hub = open_hub(settings)
    directory = partner_directory(settings)
    try:
        directory.book.put("delta", PROFILE, "ada")
        seen = directory.profile("delta")
        directory.book.put("delta", {**PROFILE, "transit_days": 5}, "ada")

        assert (seen.transit_days, directory.profile("delta").transit_days) == (0, 5)
        assert hub.recorder.max_notification_id() in (None, 0)  # nothing in the hub's log
    finally:
        directory.book.register.close()
        hub.close()
