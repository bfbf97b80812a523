"""A company with EUR, the English chart of accounts and this year's fiscal year, so purchases
can be confirmed and supplier invoices posted (the same standard wizards a Tryton client
runs; the hub's test template does the same). Usage: setup_company.py <conf> <db> <name>."""

import datetime as dt
import sys

from proteus import Model, config
from trytond.modules.account.tests.tools import create_chart, create_fiscalyear, get_accounts
from trytond.modules.account_invoice.tests.tools import set_fiscalyear_invoice_sequences
from trytond.modules.company.tests.tools import create_company

conf, database, name = sys.argv[1:4]
cfg = config.set_trytond(database, config_file=conf)
party = Model.get("party.party")(name=name)
party.save()
create_company(party=party, currency="EUR", config=cfg)
create_chart(config=cfg)
fiscal_year = set_fiscalyear_invoice_sequences(
    create_fiscalyear(today=dt.date.today(), config=cfg), config=cfg
)
fiscal_year.click("create_period")
accounts = get_accounts(config=cfg)
category = Model.get("product.category")(name="Purchased goods", accounting=True)
category.account_expense = accounts["expense"]
category.account_revenue = accounts["revenue"]
category.save()
print(f"Tryton database {database}: company {name!r}, EUR, chart of accounts, fiscal year")
