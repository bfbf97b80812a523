"""Alert rules are an admin's configuration, not a channel's message: a rule sent on NATS is
refused as an unknown command (the bulk route takes the ERP's commands only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from connectors.nats.command_messages import InboundMessage, InvalidMessageError, to_command

RULE = {"name": "x", "trigger": "opened", "destination": "webhook", "target": "https://a.b/c"}


@pytest.mark.parametrize("name", ["define_alert_rule", "remove_alert_rule"])
def test_an_alert_rule_sent_on_nats_is_refused_as_an_unknown_command(name: str) -> None:
    message = InboundMessage(
        f"supplyhub.commands.{name}", {"Nats-Msg-Id": "m-1"}, json.dumps(RULE).encode()
    )

    with pytest.raises(InvalidMessageError, match=f"unknown command type '{name}'"):
        to_command(message, datetime.now(UTC))
