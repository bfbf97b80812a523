"""Build the initialised Tryton database the Tryton tests start from (run as a script).

`python tryton_template.py <work dir> <admin password file>` leaves `<work dir>/hub.sqlite`:
the modules of MODULES activated, EUR, a company, an English chart of accounts, a fiscal
year with invoice sequences, and an account category for purchased goods. It runs in its
own process because trytond's configuration and pool are process-wide. Progress goes to
stdout, so a first run (~40 s) does not look like a hang.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

DATABASE = "hub"
ADMIN_EMAIL = "admin@example.invalid"
# What the hub reads and writes back (docs/erp.md); pip resolves their dependencies.
MODULES = ("purchase", "purchase_amendment", "stock", "account_invoice", "account_invoice_stock")
ACCOUNT_CATEGORY = "Purchased goods"


def write_config(work: Path, port: int | None = None) -> Path:
    """A trytond.conf for SQLite files in `work` (and a listen address if `port`)."""
    config = work / "trytond.conf"
    text = f"[database]\nuri = sqlite://\npath = {work}\n"
    if port is not None:
        text += f"[web]\nlisten = 127.0.0.1:{port}\n"
    config.write_text(text)
    return config


def build(work: Path, password_file: Path) -> None:
    started = time.monotonic()

    def step(what: str) -> None:
        print(f"[tryton template {time.monotonic() - started:5.1f}s] {what}", flush=True)

    config = write_config(work)
    (work / f"{DATABASE}.sqlite").touch()
    admin = str(Path(sys.executable).parent / "trytond-admin")
    env = {**os.environ, "TRYTONPASSFILE": str(password_file)}
    base = [admin, "-c", str(config), "-d", DATABASE]
    step("trytond-admin --all (ir, res, admin user)")
    subprocess.run([*base, "--all", "--email", ADMIN_EMAIL], env=env, check=True)
    step(f"trytond-admin -u {' '.join(MODULES)} --activate-dependencies")
    subprocess.run([*base, "-u", *MODULES, "--activate-dependencies"], env=env, check=True)
    step("company, EUR, chart of accounts, fiscal year (proteus in-process)")
    _setup_company(config)
    step("done")


def _setup_company(config_file: Path) -> None:
    from proteus import Model, config  # imported here: trytond is configured per process
    from trytond.modules.account.tests.tools import (
        create_chart,
        create_fiscalyear,
        get_accounts,
    )
    from trytond.modules.account_invoice.tests.tools import (
        set_fiscalyear_invoice_sequences,
    )
    from trytond.modules.company.tests.tools import create_company

    cfg = config.set_trytond(DATABASE, config_file=str(config_file))
    party = Model.get("party.party")(name="Supply Hub Manufacturing")
    party.save()
    create_company(party=party, currency="EUR", config=cfg)
    create_chart(config=cfg)
    fiscal_year = set_fiscalyear_invoice_sequences(
        create_fiscalyear(today=dt.date.today(), config=cfg), config=cfg
    )
    fiscal_year.click("create_period")
    accounts = get_accounts(config=cfg)
    category = Model.get("product.category")(name=ACCOUNT_CATEGORY, accounting=True)
    category.account_expense = accounts["expense"]
    category.account_revenue = accounts["revenue"]
    category.save()


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))
