"""How every command speaks: results on stdout (text, or JSON with --json), errors on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any


def fail(message: str, status: int = 1) -> int:
    """Say what went wrong on stderr, so `cmd | tool` and `--json` readers never parse it."""
    print(f"supplyhub: {message}", file=sys.stderr)
    return status


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON, for scripts")


def aware_time(text: str) -> datetime:
    """An ISO time with its UTC offset. A naive time is refused, as REST's `as_of` refuses it:
    guessing a zone would shift an auditor's answer by hours without saying so."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO time") from None
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no UTC offset; give one, e.g. {text}+00:00 or {text}Z"
        )
    return parsed
