#!/bin/sh
# Initialise the database on the first start (about 40 s: the modules, then a company, EUR,
# a chart of accounts and a fiscal year), then serve it. `-d` is required on trytond 8.2.1:
# without it every login fails with KeyError 'res.user' (docs/erp.md).
set -eu
db="${TRYTON_DATABASE:-tryton}"
conf="${TRYTOND_CONFIG:-/etc/trytond.conf}"
data="${TRYTON_DATA:-/var/lib/trytond/db}"  # the config's [database] path
: "${TRYTON_ADMIN_PASSWORD:?set the Tryton admin password}"
if [ ! -f "$data/.$db.initialised" ]; then
    password_file="$(mktemp)"
    printf '%s\n' "$TRYTON_ADMIN_PASSWORD" > "$password_file"
    rm -f "$data/$db.sqlite"
    touch "$data/$db.sqlite"
    TRYTONPASSFILE="$password_file" trytond-admin -c "$conf" -d "$db" --all \
        --email "${TRYTON_ADMIN_EMAIL:-admin@example.invalid}"
    rm -f "$password_file"
    trytond-admin -c "$conf" -d "$db" -u purchase purchase_amendment stock account_invoice \
        account_invoice_stock --activate-dependencies
    python "$(dirname "$0")/setup_company.py" "$conf" "$db" "${TRYTON_COMPANY:-My Company}"
    touch "$data/.$db.initialised"
fi
exec trytond -c "$conf" -d "$db"
