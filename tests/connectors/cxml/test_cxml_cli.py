"""`supplyhub cxml translate FILE` prints the commands a cXML document says and changes
nothing; a bad document is one line naming the element's path and the rule, exit 1, never a
traceback. `supplyhub cxml hash-secret` prints a hash the secret matches, never the secret."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cxml_samples import confirmation, envelope

from connectors.cxml.secret import secret_matches
from supplyhub.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    return tmp_path


def test_translate_prints_each_command_and_writes_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_dir / "confirmation.xml"
    path.write_bytes(envelope(confirmation()))

    status = main(["cxml", "translate", str(path), "--json"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert [line["command"] for line in lines] == ["acknowledge_purchase_order", "propose_change"]
    assert lines[0]["fields"]["po_number"] == "PO-77"
    assert sorted(p.name for p in data_dir.iterdir()) == ["confirmation.xml"]


def test_a_bad_document_is_one_line_naming_the_element_and_exit_1(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_dir / "bad.xml"
    path.write_bytes(envelope(confirmation(items='<ConfirmationItem lineNumber="-1"/>')))

    status = main(["cxml", "translate", str(path)])

    captured = capsys.readouterr()
    assert status == 1
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "supplyhub: cxml translate: /cXML/Request/ConfirmationRequest/ConfirmationItem"
        "/@lineNumber: '-1' is not a line number"
    ]


def test_a_hostile_document_is_refused_in_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_dir / "xxe.xml"
    path.write_text('<!DOCTYPE cXML [<!ENTITY x SYSTEM "file:///etc/passwd">]><cXML>&x;</cXML>')

    status = main(["cxml", "translate", str(path)])

    err = capsys.readouterr().err
    assert status == 1
    assert "entity declarations are refused" in err and "Traceback" not in err


def test_hash_secret_prints_a_hash_the_secret_matches(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("abracadabra\n"))

    status = main(["cxml", "hash-secret"])

    printed = capsys.readouterr().out.strip()
    assert status == 0
    assert "abracadabra" not in printed
    assert secret_matches("abracadabra", printed)
    assert not secret_matches("abracadabrx", printed)
