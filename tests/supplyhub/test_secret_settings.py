"""A secret comes from its setting or from the file its ``_FILE`` setting names, one rule for
every secret (the audit key, the ERP password, the webhook key)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from supplyhub.alerts import AlertsNotConfiguredError, webhook_secret
from supplyhub.audit_anchors import AuditSetupError, audit_key
from supplyhub.erp import ErpNotConfiguredError, password
from supplyhub.settings import SecretFileError, Settings


def test_the_setting_wins_over_its_file(tmp_path: Path) -> None:
    file = tmp_path / "password"
    file.write_text("from-the-file\n")
    settings = Settings(erp_password=SecretStr("from-the-setting"), erp_password_file=file)

    assert settings.secret("erp_password") == "from-the-setting"


def test_a_mounted_file_gives_its_first_line_without_the_newline(tmp_path: Path) -> None:
    file = tmp_path / "password"
    file.write_text("s3cret-from-a-mount\n")

    assert Settings(erp_password_file=file).secret("erp_password") == "s3cret-from-a-mount"


def test_neither_set_is_an_empty_secret() -> None:
    assert Settings().secret("alerts_webhook_secret") == ""


def test_a_file_that_cannot_be_read_names_its_setting_not_the_secret(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    settings = Settings(
        audit_key_file=missing, erp_password_file=missing, alerts_webhook_secret_file=missing
    )

    with pytest.raises(SecretFileError, match="SUPPLYHUB_ERP_PASSWORD_FILE: cannot read it"):
        settings.secret("erp_password")
    with pytest.raises(ErpNotConfiguredError, match="SUPPLYHUB_ERP_PASSWORD_FILE"):
        password(settings)
    with pytest.raises(AuditSetupError, match="SUPPLYHUB_AUDIT_KEY_FILE"):
        audit_key(settings)
    with pytest.raises(AlertsNotConfiguredError, match="SUPPLYHUB_ALERTS_WEBHOOK_SECRET_FILE"):
        webhook_secret(settings)
