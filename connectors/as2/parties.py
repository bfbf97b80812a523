"""Both ends of an AS2 exchange in pyas2lib's terms: the hub (its AS2 id, key and certificate)
and a partner (its profile's AS2 terms and certificate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.as2.library import as2
from connectors.gateway.profile import As2Terms, MdnMode

MIC_ALGORITHM = "sha256"


class As2ConfigurationError(ValueError):
    """An AS2 setting or profile the hub cannot trade with: which, and why."""


@dataclass(frozen=True)
class As2Identity:
    """The hub's AS2 identity (SUPPLYHUB_AS2_ID and its key and certificate files). The key
    is kept out of every repr and log."""

    as2_id: str
    key_pem: bytes = field(default=b"", repr=False)
    certificate_pem: bytes = b""
    mdn_url: str = ""  # where partners POST asynchronous MDNs (our POST /as2)

    @classmethod
    def from_files(
        cls, as2_id: str, key: Path | None, certificate: Path | None, mdn_url: str = ""
    ) -> As2Identity:
        if (key is None) != (certificate is None):
            raise As2ConfigurationError("the AS2 key and certificate files go together")
        return cls(
            as2_id,
            key.read_bytes() if key else b"",
            certificate.read_bytes() if certificate else b"",
            mdn_url,
        )

    def organization(self, as2_id: str = "") -> Any:
        """pyas2lib's Organization: signs and decrypts with our key when we have one."""
        pair = self.key_pem + b"\n" + self.certificate_pem if self.key_pem else None
        return as2.Organization(
            as2_id or self.as2_id,
            sign_key=pair,
            decrypt_key=pair,
            mdn_url=self.mdn_url or None,
        )


def partner(terms: As2Terms) -> Any:
    """pyas2lib's Partner for a profile's AS2 terms: what we require of its messages (signed,
    encrypted) is what we do to ours."""
    certificate = Path(terms.certificate).read_bytes() if terms.certificate else None
    return as2.Partner(
        terms.their_id,
        verify_cert=certificate,
        encrypt_cert=certificate,
        validate_certs=False,  # a partner's self-signed certificate is the AS2 custom
        sign=terms.sign,
        encrypt=terms.encrypt,
        enc_alg="aes_256_cbc",
        digest_alg=MIC_ALGORITHM,
        mdn_mode={MdnMode.SYNC: "SYNC", MdnMode.ASYNC: "ASYNC"}.get(terms.mdn),
        mdn_digest_alg=MIC_ALGORITHM if terms.sign else None,
    )
