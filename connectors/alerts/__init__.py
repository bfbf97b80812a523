"""Alert routing: exception cases matched against the admins' rules and sent to a webhook or
by e-mail, each alert once (`supplyhub worker alerts`; docs/console.md, docs/operations.md)."""
