// The console's alerts panel: the latest alerts the alert worker sent or failed to send, with
// their status, and the rules with who changed them last and why (GET /api/v1/alerts and
// /api/v1/alerts/rules), for the roles that see the technical section. An admin (the
// operator) also creates, changes, disables, enables and deletes rules here, through the
// same REST routes as `supplyhub alerts rules`: each change asks why and becomes an
// `AlertRule` event with the signed-in subject. A bad rule is answered with every broken
// field named, shown beside the form. Uses console.js's helpers ($, call, cell,
// idempotencyKey, problemDetail, reported).
"use strict";

const RULE_FIELDS = [
  "name", "trigger", "open_hours", "category", "supplier", "plant", "destination", "target",
  "reason",
];
const ruleInputs = { name: "rule-name", trigger: "rule-trigger", open_hours: "rule-open-hours",
  category: "rule-category", supplier: "rule-supplier", plant: "rule-plant",
  destination: "rule-destination", target: "rule-target", reason: "rule-why" };
const alerting = { editing: null, change: null }; // the open dialogs' state

function mayChangeRules() {
  return session && session.role === "admin";
}

async function loadAlerts() {
  const panel = $("alerts-panel");
  panel.hidden = !session || !session.may_see_technical;
  if (panel.hidden) return;
  const [sent, rules] = await Promise.all([
    call("api/v1/alerts?limit=100").then((r) => r.json()),
    call("api/v1/alerts/rules").then((r) => r.json()),
  ]);
  $("alerts").tBodies[0].replaceChildren(...sent.map(alertRow));
  const failed = sent.filter((a) => a.status === "failed").length;
  $("alerts-summary").textContent =
    sent.length === 0
      ? "No alerts sent yet."
      : `${sent.length} latest ${sent.length === 1 ? "alert" : "alerts"}, ${failed} failed`;
  $("alert-rules").tBodies[0].replaceChildren(...rules.map(ruleRow));
  $("new-rule").hidden = !mayChangeRules();
  $("alert-rules-note").textContent = mayChangeRules()
    ? ""
    : "Read only: an admin changes the rules.";
}

function alertRow(alert) {
  const row = document.createElement("tr");
  row.dataset.alert = alert.alert_id;
  row.append(
    cell(alert.created_at), cell(alert.rule), cell(alert.case_key, "case"),
    cell(alert.trigger), cell(`${alert.destination}: ${alert.target}`),
    cell(alert.status, alert.status === "failed" ? "status alarm" : "status"),
    cell(alert.attempts), cell(alert.detail),
  );
  return row;
}

function ruleRow(rule) {
  const row = document.createElement("tr");
  row.dataset.rule = rule.name;
  row.className = rule.enabled ? "" : "disabled";
  const when = rule.trigger === "open_longer" ? `open over ${rule.open_hours} h` : rule.trigger;
  const scope = [["category", rule.category], ["supplier", rule.supplier], ["plant", rule.plant]]
    .filter(([, value]) => value)
    .map(([name, value]) => `${name} ${value}`)
    .join(", ");
  row.append(
    cell(rule.name), cell(when), cell(scope || "any"),
    cell(`${rule.destination}: ${rule.target}`),
    cell(rule.enabled ? "enabled" : "disabled", "state"),
    cell(`${rule.changed_by}, ${rule.changed_at}`), cell(rule.reason || "–", "why"),
    ruleButtons(rule),
  );
  return row;
}

function ruleButtons(rule) {
  const td = cell("", "actions");
  if (!mayChangeRules()) return td;
  const actions = [
    ["Edit", "", () => openRule(rule)],
    rule.enabled
      ? ["Disable", "secondary", () => openRuleChange("disable", rule)]
      : ["Enable", "", () => openRuleChange("enable", rule)],
    ["Delete", "secondary", () => openRuleChange("delete", rule)],
  ];
  for (const [label, className, act] of actions) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = label;
    button.addEventListener("click", act);
    td.append(button);
  }
  return td;
}

// --- the dialogs, made from their templates when opened, removed when closed ----------------

function makeRuleDialog(id, onSubmit) {
  $(id)?.remove();
  const dialog = $(`${id}-template`).content.firstElementChild.cloneNode(true);
  document.body.append(dialog);
  dialog.querySelector("form").addEventListener("submit", (event) => reported(onSubmit(event)));
  dialog.querySelector("button[type=button]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  return dialog;
}

// --- define or change a rule ---------------------------------------------------------------

function openRule(rule) {
  alerting.editing = { name: rule ? rule.name : null, idempotencyKey: idempotencyKey() };
  const dialog = makeRuleDialog("rule-dialog", submitRule);
  $("rule-title").textContent = rule ? `Change the rule ${rule.name}` : "New alert rule";
  for (const field of RULE_FIELDS) {
    const input = $(ruleInputs[field]);
    input.value = rule && field in rule && field !== "reason" ? rule[field] : "";
    input.removeAttribute("aria-invalid");
  }
  if (!rule) {
    $("rule-trigger").value = "opened";
    $("rule-destination").value = "webhook";
    $("rule-open-hours").value = "0";
  }
  $("rule-name").readOnly = Boolean(rule);
  $("rule-problem").hidden = true;
  dialog.showModal();
  (rule ? $("rule-target") : $("rule-name")).focus();
}

function ruleBody() {
  const body = {};
  for (const field of RULE_FIELDS) {
    if (field === "name") continue;
    const value = $(ruleInputs[field]).value.trim();
    body[field] = field === "open_hours" ? Number(value || 0) : value;
  }
  return body;
}

async function submitRule(event) {
  event.preventDefault();
  const name = $("rule-name").value.trim();
  const missing = [["name", "must not be empty"], ["reason", "say why (recorded with your name)"]]
    .filter(([field]) => !$(ruleInputs[field]).value.trim())
    .map(([field, rule]) => ({ field, rule }));
  if (missing.length) {
    showRuleProblems(missing);
    return;
  }
  $("rule-submit").disabled = true;
  try {
    const response = await call(`api/v1/alerts/rules/${encodeURIComponent(name)}`, {
      method: "PUT",
      headers: {
        "Content-Type": "application/json",
        "Idempotency-Key": alerting.editing.idempotencyKey,
      },
      body: JSON.stringify(ruleBody()),
    });
    if (!response.ok) {
      showRuleProblems(await problems(response));
      return;
    }
    $("rule-dialog").close();
    await loadAlerts();
  } catch (error) {
    showRuleProblems([{ field: "", rule: error.message }]);
  } finally {
    $("rule-submit").disabled = false;
  }
}

async function problems(response) {
  // Every broken field the hub names (a 422's `errors`), or its one detail.
  const body = await response.clone().json().catch(() => ({}));
  if (Array.isArray(body.errors) && body.errors.length) return body.errors;
  return [{ field: body.field || "", rule: await problemDetail(response) }];
}

function showRuleProblems(found) {
  for (const field of RULE_FIELDS) $(ruleInputs[field]).removeAttribute("aria-invalid");
  const items = found.map(({ field, rule }) => {
    const item = document.createElement("li");
    const name = String(field || "").replace(/^body\./, "");
    item.dataset.field = name;
    item.textContent = name ? `${name}: ${rule}` : rule;
    if (ruleInputs[name]) $(ruleInputs[name]).setAttribute("aria-invalid", "true");
    return item;
  });
  $("rule-problem").replaceChildren(...items);
  $("rule-problem").hidden = false;
}

// --- disable, enable, delete ---------------------------------------------------------------

function openRuleChange(action, rule) {
  alerting.change = { action, name: rule.name, idempotencyKey: idempotencyKey() };
  const dialog = makeRuleDialog("rule-change-dialog", submitRuleChange);
  const verb = action[0].toUpperCase() + action.slice(1);
  $("rule-change-title").textContent = `${verb} the rule ${rule.name}`;
  $("rule-change-submit").textContent = verb;
  $("rule-change-why").value = "";
  $("rule-change-problem").hidden = true;
  dialog.showModal();
  $("rule-change-why").focus();
}

async function submitRuleChange(event) {
  event.preventDefault();
  const { action, name, idempotencyKey: key } = alerting.change;
  const path = `api/v1/alerts/rules/${encodeURIComponent(name)}`;
  $("rule-change-submit").disabled = true;
  try {
    const response = await call(action === "delete" ? path : `${path}/${action}`, {
      method: action === "delete" ? "DELETE" : "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify({ reason: $("rule-change-why").value.trim() }),
    });
    if (!response.ok) {
      $("rule-change-problem").textContent = await problemDetail(response);
      $("rule-change-problem").hidden = false;
      return;
    }
    $("rule-change-dialog").close();
    await loadAlerts();
  } finally {
    $("rule-change-submit").disabled = false;
  }
}

document.addEventListener("console:signed-in", () => reported(loadAlerts()));
document.addEventListener("console:refresh-technical", () => reported(loadAlerts()));
document.addEventListener("DOMContentLoaded", () => {
  $("new-rule").addEventListener("click", () => openRule(null));
});
