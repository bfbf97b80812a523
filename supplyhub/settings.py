"""Typed configuration, read once from SUPPLYHUB_* environment variables by each entry point."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.database import is_postgres

if TYPE_CHECKING:
    from api.settings import ApiSettings

DEV_JWT_SECRET = "supplyhub-development-secret-change-me-now"


class SecretFileError(OSError):
    """A secret's ``_FILE`` setting names a file that cannot be read: says which setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPLYHUB_", frozen=True)

    data_dir: Path = Field(
        default=Path(".supplyhub"), description="Where the embedded SQLite store lives."
    )
    database_url: str = Field(
        default="", description="postgresql://user:pass@host:port/db; empty means embedded SQLite."
    )
    database_schema: str = Field(
        default="supplyhub", description="PostgreSQL schema, created if missing."
    )
    lock_timeout_seconds: int = Field(default=5, ge=1, description="PostgreSQL lock wait limit.")
    pool_size: int = Field(default=5, ge=1)
    nats_url: str = Field(default="", description="nats://host:port; empty means NATS is off.")
    # --- event backbone (issue 5) ---
    nats_stream_events: str = Field(default="SUPPLYHUB_EVENTS", description="Outbound stream.")
    nats_stream_commands: str = Field(default="SUPPLYHUB_COMMANDS", description="Inbound stream.")
    nats_inbound_durable: str = Field(default="supplyhub-inbound", description="Inbound consumer.")
    relay_batch_size: int = Field(default=1000, ge=1, description="Events per publish window.")
    inbound_batch_size: int = Field(default=100, ge=1, description="Commands per fetch.")
    inbound_max_attempts: int = Field(default=5, ge=1, description="Tries before a dead letter.")
    # --- workers that survive faults (issue 17) ---
    inbound_ack_wait_seconds: float = Field(
        default=30.0, gt=0, description="Until JetStream redelivers an unacked command."
    )
    inbound_hold_seconds: float = Field(
        default=120.0, gt=0, description="How long a command waits for its predecessor."
    )
    worker_retry_initial_seconds: float = Field(
        default=0.1, gt=0, description="First pause after a transient failure of a worker."
    )
    worker_retry_max_seconds: float = Field(
        default=5.0, gt=0, description="Longest pause between a worker's retries."
    )
    worker_heartbeat_max_age_seconds: float = Field(
        default=30.0, gt=0, description="`worker NAME --health` fails on an older heartbeat."
    )
    # --- the EDI gateway's worker (issue 13) ---
    edi_batch_size: int = Field(default=100, ge=1, description="Events read per step.")
    edi_poll_seconds: float = Field(
        default=1.0, gt=0, description="Pause between steps of `worker edi` when idle."
    )
    edi_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Longest wait for a partner's HTTP answer."
    )
    # --- cXML outbound (issue 14): the hub's own shared secrets at its suppliers ---
    cxml_secret: SecretStr = Field(
        default=SecretStr(""),
        description="The hub's shared secret named `default` in OrderRequests; never logged.",
    )
    cxml_secrets_file: Path | None = Field(
        default=None,
        description="A JSON object of secret name -> the hub's shared secret, for profiles "
        "whose `cxml.outbound_secret` names one.",
    )
    edi_drop_dir: Path | None = Field(
        default=None, description="Root of the drop directory (inbound/, processed/, failed/)."
    )
    edi_drop_settle_seconds: float = Field(
        default=2.0, ge=0, description="A dropped file untouched this long is read."
    )
    # --- AS2 (issue 13; docs/edi.md): the hub's own identity; the key is never logged ---
    as2_id: str = Field(default="", description="The hub's AS2 identifier; empty: no AS2.")
    as2_key_file: Path | None = Field(
        default=None, description="PEM private key that signs our messages and decrypts theirs."
    )
    as2_certificate_file: Path | None = Field(
        default=None, description="PEM certificate partners verify and encrypt to."
    )
    as2_mdn_url: str = Field(
        default="", description="Our POST /as2 URL partners send asynchronous MDNs to."
    )
    tolerance_quantity_pct: Decimal = Decimal("5")
    tolerance_days_early: int = 3
    tolerance_days_late: int = 2
    tolerance_price_pct: Decimal = Decimal("2")
    log_level: str = "INFO"
    # --- API (issue 4) ---
    jwt_secret: str = Field(
        default=DEV_JWT_SECRET,
        min_length=32,
        description="HS256 key for bearer tokens; the default is for development only, and "
        "`serve` refuses it outside development mode.",
    )
    jwt_max_lifetime_seconds: int = Field(
        default=24 * 3600,
        ge=60,
        description="The longest a bearer token may live (exp - iat, and exp - now); a "
        "longer-lived token is refused, and `token create` will not make one.",
    )
    dev_mode: bool = Field(
        default=False,
        description="Development: GraphiQL at GET /graphql, and the development JWT secret.",
    )
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="When set, `serve` also answers Prometheus at /metrics on this port, "
        "without a token (keep it off the public network); the API's own /metrics always "
        "asks for an admin token.",
    )
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    max_page_size: int = Field(default=100, ge=1, description="Largest `first` a query may ask.")
    max_bulk_items: int = Field(default=5000, ge=1)
    graphql_max_depth: int = Field(default=8, ge=2)
    rebuild_processes: int = Field(
        default=0,
        ge=0,
        description="Processes a PostgreSQL rebuild of a large log splits a view between; "
        "0 means one per CPU, at most 4.",
    )
    max_projection_lag: int = Field(
        default=1000, ge=0, description="/readyz fails when the views trail the log by more."
    )
    # --- audit chain anchored outside the database (issue 11) ---
    audit_key: SecretStr = Field(
        default=SecretStr(""),
        description="HMAC-SHA256 key that signs audit checkpoints (at least 16 characters); "
        "never stored in the database. Empty: SUPPLYHUB_AUDIT_KEY_FILE, or no checkpoints.",
    )
    audit_key_file: Path | None = Field(
        default=None, description="A file holding the checkpoint key, if not given inline."
    )
    audit_checkpoint_file: Path | None = Field(
        default=None,
        description="Append-only JSON lines of signed checkpoints; default "
        "<data dir>/audit-checkpoints.jsonl. Keep it where the database's users cannot write.",
    )
    audit_checkpoint_every_events: int = Field(
        default=10_000,
        ge=0,
        description="The projections worker signs a checkpoint after "
        "this many new events (0: never by count).",
    )
    audit_checkpoint_every_seconds: float = Field(
        default=300.0,
        ge=0,
        description="... and after this many seconds with new events (0: never by time).",
    )

    audit_nats_stream: str = Field(
        default="SUPPLYHUB_AUDIT",
        description="When NATS is on, each checkpoint is also published to this JetStream "
        "stream (created with deny-delete and deny-purge), and verify checks it too.",
    )
    # --- ERP adapter (issue 15) ---
    erp_adapter: str = Field(
        default="",
        description="`tryton` or `sap`; empty means no ERP (`worker erp` refuses to start).",
    )
    erp_url: str = Field(default="", description="The ERP server's root, e.g. http://erp:8000.")
    erp_database: str = Field(
        default="", description="The Tryton database name; for `sap` the SAP client (optional)."
    )
    erp_user: str = Field(default="", description="The ERP user the worker logs in as.")
    erp_password: SecretStr = Field(
        default=SecretStr(""), description="Its password; never logged. Or _PASSWORD_FILE."
    )
    erp_password_file: Path | None = Field(
        default=None, description="A file holding the ERP password, if not given inline."
    )
    erp_poll_seconds: float = Field(
        default=5.0, gt=0, description="Pause between two rounds of pull and write-backs."
    )
    erp_lead_days: int = Field(
        default=14, ge=0, le=366,
        description="`sap`: need-by = the PO's date + this, for an item without schedule lines.",
    )  # fmt: skip
    # Alert routing (`supplyhub worker alerts`, docs/operations.md): secrets never logged.
    alerts_webhook_secret: SecretStr = Field(
        default=SecretStr(""), description="HMAC-SHA256 key of webhook alerts; or _SECRET_FILE."
    )
    alerts_webhook_secret_file: Path | None = Field(default=None)
    alerts_webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    alerts_max_attempts: int = Field(default=5, ge=1, description="Tries of one alert (5xx).")
    alerts_poll_seconds: float = Field(default=30.0, gt=0, description="Age and SLA checks.")
    alerts_smtp_host: str = Field(default="", description="Empty: e-mail alerts are off.")
    alerts_smtp_port: int = Field(default=25, ge=1, le=65535)
    alerts_smtp_from: str = Field(default="supplyhub@localhost")
    alerts_smtp_starttls: bool = Field(default=False)
    alerts_smtp_user: str = Field(default="")
    alerts_smtp_password: SecretStr = Field(default=SecretStr(""))

    @property
    def checkpoint_file(self) -> Path:
        return self.audit_checkpoint_file or self.data_dir / "audit-checkpoints.jsonl"

    @property
    def uses_postgres(self) -> bool:
        return is_postgres(self.database_url)

    @property
    def sqlite_file(self) -> Path:
        """The embedded store's one file (events, views, the workers' tables), when not on
        PostgreSQL."""
        return self.data_dir / "hub.sqlite3"

    @property
    def payload_dir(self) -> Path:
        """Where the raw EDI payloads in and out are kept (storage/payloads.py)."""
        return self.data_dir / "payloads"

    @property
    def partner_dir(self) -> Path:
        """The partner profiles' import inbox, one ``<partner>.json`` each: imported into the
        event-sourced register when new or changed (connectors/gateway/directory.py)."""
        return self.data_dir / "partners"

    def secret(self, name: str) -> str:
        """The secret setting ``name`` (a `SecretStr`), else the first line of the file its
        ``<name>_file`` setting names (a mounted secret), else ""; never logged."""
        value: SecretStr = getattr(self, name)
        found = value.get_secret_value()
        path: Path | None = getattr(self, f"{name}_file")
        if found or path is None:
            return found
        try:
            return path.read_text().strip()
        except OSError as error:
            setting = f"SUPPLYHUB_{name.upper()}_FILE"
            raise SecretFileError(f"{setting}: cannot read it: {error.strerror}") from None

    def api(self) -> ApiSettings:
        """The API's part of the settings, as `create_app` takes it."""
        # Imported here: the commands that serve no API do not pay for the token library.
        from api.auth import AuthConfig
        from api.settings import ApiSettings

        return ApiSettings(
            auth=AuthConfig(
                secret=self.jwt_secret, max_lifetime_seconds=self.jwt_max_lifetime_seconds
            ),
            dev_mode=self.dev_mode,
            max_body_bytes=self.max_body_bytes,
            max_page_size=self.max_page_size,
            max_bulk_items=self.max_bulk_items,
            graphql_max_depth=self.graphql_max_depth,
            max_lag=self.max_projection_lag,
        )
