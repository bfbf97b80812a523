// The console's alerts panel, for the operator (admin): the latest alerts the alert worker
// sent or failed to send, with their status, and the rules in force with who changed them
// last (GET /api/v1/alerts and /api/v1/alerts/rules). Rules are changed with the REST routes
// or `supplyhub alerts rules add|remove`. Uses console.js's helpers ($, call, cell, reported).
"use strict";

async function loadAlerts() {
  const panel = $("alerts-panel");
  panel.hidden = !session || session.role !== "admin";
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
  const when = rule.trigger === "open_longer" ? `open over ${rule.open_hours} h` : rule.trigger;
  const scope = [["category", rule.category], ["supplier", rule.supplier], ["plant", rule.plant]]
    .filter(([, value]) => value)
    .map(([name, value]) => `${name} ${value}`)
    .join(", ");
  row.append(
    cell(rule.name), cell(when), cell(scope || "any"),
    cell(`${rule.destination}: ${rule.target}`), cell(`${rule.changed_by}, ${rule.changed_at}`),
  );
  return row;
}

document.addEventListener("console:signed-in", () => reported(loadAlerts()));
document.addEventListener("console:refresh-technical", () => reported(loadAlerts()));
