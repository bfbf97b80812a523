"""The hub's outbound cXML secrets from the settings: `default` inline, others named in a file;
never in a repr, nor in the error a broken file gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from supplyhub.cxml import SecretsFileError, cxml_secrets
from supplyhub.settings import Settings


def test_the_inline_secret_is_default_and_the_file_names_the_others(tmp_path: Path) -> None:
    named = tmp_path / "cxml.json"
    named.write_text(json.dumps({"acme": "open-sesame"}))
    settings = Settings(data_dir=tmp_path, cxml_secret=SecretStr("abracadabra"),
                        cxml_secrets_file=named)  # fmt: skip

    secrets = cxml_secrets(settings)

    assert (secrets.get("default"), secrets.get("acme"), secrets.get("other")) == (
        "abracadabra", "open-sesame", None,
    )  # fmt: skip
    assert "abracadabra" not in repr(secrets) and "open-sesame" not in repr(secrets)
    assert "abracadabra" not in repr(settings)


def test_no_inline_secret_means_no_default(tmp_path: Path) -> None:
    assert cxml_secrets(Settings(data_dir=tmp_path)).get("default") is None


@pytest.mark.parametrize("content", ['{"acme": ["open-sesame"]}', '["open-sesame"]', "open-sesame"])
def test_a_secrets_file_that_is_no_object_of_names_is_refused_without_its_content(
    tmp_path: Path, content: str
) -> None:
    named = tmp_path / "cxml.json"
    named.write_text(content)

    with pytest.raises(SecretsFileError) as refused:
        cxml_secrets(Settings(data_dir=tmp_path, cxml_secrets_file=named))

    assert str(refused.value).startswith(str(named))
    assert "open-sesame" not in str(refused.value)
