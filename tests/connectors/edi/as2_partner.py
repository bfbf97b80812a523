"""An AS2 trading partner built directly on ``pyas2lib`` (not on our code): its key pair and
a self-signed certificate generated for the test session, a client that signs and encrypts
messages to the hub, and a listener on a free port that takes the hub's messages, checks them
with pyas2lib and answers with a signed MDN (or, when told, none)."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from servers import free_port

from connectors.as2.library import as2


@dataclass(frozen=True)
class KeyPair:
    key: Path
    certificate: Path

    @property
    def pem(self) -> bytes:
        return self.key.read_bytes() + self.certificate.read_bytes()


def key_pair(folder: Path, name: str) -> KeyPair:
    """An RSA key and a self-signed certificate for ``name``, written under ``folder``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pair = KeyPair(folder / f"{name}.key", folder / f"{name}.crt")
    pair.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pair.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return pair


@dataclass
class Pyas2Partner:
    """The partner's side: its organization, and the hub as its partner."""

    as2_id: str
    keys: KeyPair
    hub_id: str
    hub_certificate: Path
    mdn_url: str = ""
    received: list[bytes] = field(default_factory=list)  # payloads of the hub's messages
    receipts: list[bytes] = field(default_factory=list)  # MDNs the hub POSTed to mdn_url
    answer_mdn: bool = True
    sign_mdn: bool = True  # False: an unsigned MDN where a signed one was asked for
    later: list[tuple[dict[str, str], bytes]] = field(default_factory=list)  # async MDNs owed

    def organization(self) -> Any:
        return as2.Organization(
            self.as2_id, sign_key=self.keys.pem if self.sign_mdn else None,
            decrypt_key=self.keys.pem, mdn_url=self.mdn_url or None,
        )  # fmt: skip

    def hub(self, *, sign: bool = True, encrypt: bool = True, mdn: str = "SYNC") -> Any:
        certificate = self.hub_certificate.read_bytes()
        return as2.Partner(
            self.hub_id, verify_cert=certificate, encrypt_cert=certificate,
            validate_certs=False, sign=sign, encrypt=encrypt, enc_alg="aes_256_cbc",
            mdn_mode=mdn, mdn_digest_alg="sha256" if sign else None,
        )  # fmt: skip

    def message(self, payload: bytes, **hub: Any) -> Any:
        """A message to the hub, signed and encrypted unless told otherwise."""
        message = as2.Message(self.organization(), self.hub(**hub))
        message.build(payload, content_type="application/edi-x12")
        return message


def raw(headers: dict[str, str], body: bytes) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode() + b"\r\n" + body


@contextmanager
def listening(partner: Pyas2Partner) -> Iterator[str]:
    """The partner's AS2 URL, served until the block ends."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            message = raw(dict(self.headers.items()), body)
            if "multipart/report" in message.decode("latin-1"):  # an async MDN from the hub
                partner.receipts.append(message)
                self._answer({}, b"")
                return
            received = as2.Message()
            _, _, mdn = received.parse(
                message,
                find_org_cb=lambda _: partner.organization(),
                find_partner_cb=lambda _: partner.hub(),
            )
            partner.received.append(received.payload.get_payload(decode=True))
            if mdn is not None and mdn.mdn_mode == "ASYNC":  # the test delivers it
                partner.later.append((dict(mdn.headers), mdn.content))
                self._answer({}, b"")
            elif partner.answer_mdn and mdn is not None:
                self._answer(dict(mdn.headers), mdn.content)
            else:
                self._answer({}, b"")

        def _answer(self, headers: dict[str, str], body: bytes) -> None:
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/as2"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
