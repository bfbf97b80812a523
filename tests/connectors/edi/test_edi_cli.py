"""`supplyhub edi translate FILE` prints what a file says to the hub and changes nothing; a bad
document is one line naming where and why, and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from x12.x12_samples import interchange

from supplyhub.cli import main

ANSWER = [
    "ST*855*0001",
    "BAK*00*AC*PO-77*20261204",
    "PO1*1*10*EA*2.5**BP*ITEM-1",
    "ACK*IA*10*EA*067*20261220",
    "PO1*2*10*EA*2.5**BP*ITEM-2",
    "ACK*IQ*8*EA*067*20261222",
    "SE*7*0001",
]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUPPLYHUB_DATA_DIR", str(tmp_path))
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "in.edi"
    path.write_text(text)
    return path


def test_translate_prints_each_line_in_the_partners_code_and_the_canonical_status(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(data_dir, interchange(ANSWER))

    status = main(["edi", "translate", str(path)])

    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert out == [
        "X12 855 0001 (segment 3): acknowledge_purchase_order PO-77 revision 1",
        "  line 1: IA -> accepted, quantity 10, date 2026-12-20, price 2.5",
        "  line 2: IQ -> accepted_with_changes, quantity 8, date 2026-12-22, price 2.5",
        'X12 855 0001 (segment 3): propose_change {"po_number": "PO-77", "revision": 1, '
        '"line_number": 2, "proposal_id": "000000101-0001-2", "quantity": "8", '
        '"need_by": "2026-12-22", "splits": [], "reason": "855 ACK01 IQ"}',
    ]


def test_translate_with_json_prints_one_object_a_line_that_names_the_command(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(data_dir, interchange(ANSWER))

    status = main(["edi", "translate", str(path), "--json"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert [line["command"] for line in lines] == ["acknowledge_purchase_order", "propose_change"]
    assert lines[0]["standard"] == "X12" and lines[0]["segment"] == 3
    assert [(a["source_code"], a["status"]) for a in lines[0]["fields"]["lines"]] == [
        ("IA", "accepted"),
        ("IQ", "accepted_with_changes"),
    ]


def test_translate_with_a_partner_profile_maps_its_units_and_refuses_one_it_lacks(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    partners = data_dir / "partners"
    partners.mkdir()
    profile = {
        "partner": "acme", "supplier": "SUP-1", "dialect": "x12", "version": "004010",
        "ours": {"qualifier": "ZZ", "id": "SUPPLIER"},
        "theirs": {"qualifier": "ZZ", "id": "BUYERHUB"},
        "units": {"CA": "CS"},
    }  # fmt: skip
    (partners / "acme.json").write_text(json.dumps(profile))
    path = write(data_dir, interchange(ANSWER))

    status = main(["edi", "translate", str(path), "--partner", "acme"])

    captured = capsys.readouterr()
    assert status == 1
    assert captured.out == ""
    assert captured.err == (
        "supplyhub: edi translate: X12 PO1 at segment 5: PO103 'EA' is not in the partner's "
        "units table\n"
    )


def test_a_document_past_the_domains_limits_is_one_line_naming_the_element(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = [s.replace("PO1*2*", "PO1*18446744073709551616*") for s in ANSWER]
    path = write(data_dir, interchange(huge))

    status = main(["edi", "translate", str(path)])

    captured = capsys.readouterr()
    assert status == 1
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "supplyhub: edi translate: X12 PO1 at segment 7: PO101 18446744073709551616 must be "
        "from 1 to 999999"
    ]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            interchange(ANSWER).replace("SE*7*0001", "SE*9*0001"),
            "X12 SE at segment 9: SE01 is 9 but the set has 7",
        ),
        ("UNA:+.? 'UNB+UNOC:3+A:ZZ+B:ZZ+261204:1030+1'UNH+1+ORDRSP", "EDIFACT"),
        ("hello, world", "EDI at segment 1: 'hel' begins neither X12 (ISA) nor EDIFACT"),
        ("", "EDI at segment 1: '' begins neither"),
    ],
)
def test_a_bad_document_is_one_line_on_stderr_and_a_failing_exit_never_a_traceback(
    tmp_path: Path, text: str, said: str
) -> None:
    path = write(tmp_path, text)

    done = subprocess.run(
        [str(Path(sys.executable).parent / "supplyhub"), "edi", "translate", str(path), "--json"],
        capture_output=True, text=True, check=False,
        env={"SUPPLYHUB_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip

    assert done.returncode == 1
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"supplyhub: edi translate: {said}")
