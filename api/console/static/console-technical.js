// The console's technical panels beyond the read side: the backbone's positions, the partner
// channels and their parked interchanges (each linked to the orders it holds up; *Replay* for
// the operator), the ERP adapter, the API's latency and errors, and the republish of a log
// range to NATS (the operator; a dialog asks why and confirms). Uses console.js's helpers
// ($, call, cell, problemDetail, reported) and console-ops.js's loadDeadLetters (the replays
// are recorded beside the releases).
"use strict";

const technical = { pending: null }; // {path, result, body, done}

async function loadTechnicalPanels() {
  const panels = ["backbone-panel", "channels-panel", "erp-panel", "api-panel"];
  for (const id of panels) $(id).hidden = !session || !session.may_see_technical;
  $("republish-panel").hidden = !session || !session.may_release_dead_letters;
  if (!session || !session.may_see_technical) return;
  const [positions, channels, erp, routes] = await Promise.all(
    ["console/backbone", "console/channels", "console/erp", "console/api-health"].map(
      async (path) => (await call(path)).json(),
    ),
  );
  $("backbone").tBodies[0].replaceChildren(...positions.map(positionRow));
  $("channels").tBodies[0].replaceChildren(...channels.partners.map(channelRow));
  $("parked").tBodies[0].replaceChildren(...channels.parked.map(parkedRow));
  const count = channels.parked.length;
  $("parked-summary").textContent =
    count === 0 ? "No parked interchanges." : `${count} ${count === 1 ? "interchange" : "interchanges"} parked`;
  showErp(erp);
  $("api-health").tBodies[0].replaceChildren(...routes.map(routeRow));
}

function positionRow(p) {
  const row = document.createElement("tr");
  row.dataset.worker = p.worker;
  row.append(
    cell(p.worker), cell(p.detail ? "–" : p.position), cell(p.detail ? "–" : p.head),
    cell(p.detail ? "–" : p.lag, p.lag ? "alarm" : "good"), cell(p.detail, "muted"),
  );
  return row;
}

function when(iso) {
  return iso ? iso.replace("T", " ").slice(0, 19) : "never";
}

function channelRow(c) {
  const row = document.createElement("tr");
  row.dataset.partner = c.partner;
  row.append(
    cell(c.partner), cell(c.supplier), cell(c.dialect, "dialect"), cell(when(c.last_in), "last-in"),
    cell(when(c.last_out), "last-out"), cell(c.received, "received"), cell(c.sent), cell(c.refused, c.refused ? "alarm" : ""),
    cell(c.parked, c.parked ? "parked alarm" : "parked"),
    cell(`${(c.error_rate * 100).toFixed(1)} %`, c.error_rate ? "alarm" : "good"),
  );
  return row;
}

function parkedRow(p) {
  const row = document.createElement("tr");
  row.dataset.ref = p.ref;
  const holds = cell("", "holds");
  for (const number of p.purchase_orders) {
    const link = document.createElement("a");
    link.href = `console/trace/${encodeURIComponent(number)}`;
    link.textContent = `PO ${number}`;
    holds.append(link, " ");
  }
  const ref = document.createElement("td");
  const code = document.createElement("code");
  code.textContent = `${p.ref.slice(0, 19)}…`;
  code.title = p.ref;
  ref.append(code);
  const actions = cell("", "actions");
  if (session.may_release_dead_letters) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Replay";
    button.addEventListener("click", () => openReplay(p));
    actions.append(button);
  }
  row.append(ref, cell(p.partner), holds, cell(p.reason, "reason"), cell(when(p.at)), actions);
  return row;
}

function showErp(erp) {
  $("erp-detail").textContent = erp.configured
    ? erp.detail || "Configured."
    : `Not configured: ${erp.detail}`;
  $("erp-detail").className = erp.detail ? "alarm" : "";
  const facts = [];
  for (const [key, value] of Object.entries(erp.status)) {
    const dt = document.createElement("dt");
    dt.textContent = key.replaceAll("_", " ");
    const dd = document.createElement("dd");
    dd.textContent = value === null ? "–" : String(value);
    facts.push(dt, dd);
  }
  $("erp").replaceChildren(...facts);
}

function routeRow(r) {
  const row = document.createElement("tr");
  const ms = (value) => (value < 0 ? "> 5000" : value);
  row.append(
    cell(r.route), cell(r.requests), cell(r.client_errors, r.client_errors ? "alarm" : ""),
    cell(r.server_errors, r.server_errors ? "alarm" : ""), cell(ms(r.p50_ms)),
    cell(ms(r.p99_ms)),
  );
  return row;
}

// --- the operator's replays -------------------------------------------------------------------

function openReplay(parked) {
  technical.pending = {
    path: `console/parked/${encodeURIComponent(parked.ref)}/replay`,
    result: "replay-result",
    body: {},
    done: (answer) =>
      answer.problem
        ? `Replayed ${parked.ref}: ${answer.problem}`
        : `Replayed ${parked.ref}: ${answer.applied} applied, ${answer.replayed} already applied`,
  };
  $("replay-title").textContent = `Replay the interchange from ${parked.partner}`;
  $("replay-text").textContent =
    `Run it through the inbound path again (parked because: ${parked.reason}). ` +
    "What the hub applied already is not written twice.";
  $("replay-submit").textContent = "Replay";
  openDialog();
}

function openRepublish(event) {
  event.preventDefault();
  const start = Number($("republish-from").value);
  const stop = $("republish-to").value ? Number($("republish-to").value) : null;
  technical.pending = {
    path: "console/replay",
    result: "republish-result",
    body: { from: start, to: stop },
    done: (answer) => `Republished ${answer.applied} events (${answer.target}).`,
  };
  $("replay-title").textContent = "Republish a log range to NATS";
  $("replay-text").textContent =
    `Publish the events at positions ${start} to ${stop ?? "the head"} to the events stream ` +
    "again? Every subscriber receives them once more.";
  $("replay-submit").textContent = "Republish";
  openDialog();
}

function openDialog() {
  $("replay-why").value = "";
  $("replay-problem").hidden = true;
  $("replay-dialog").showModal();
  $("replay-why").focus();
}

async function submitReplay(event) {
  event.preventDefault();
  const { path, result, body, done } = technical.pending;
  $("replay-submit").disabled = true;
  try {
    const response = await call(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...body, reason: $("replay-why").value.trim() }),
    });
    if (!response.ok) {
      $("replay-problem").textContent = await problemDetail(response);
      $("replay-problem").hidden = false;
      return;
    }
    $(result).textContent = done(await response.json());
    $("replay-dialog").close();
    await Promise.all([loadTechnicalPanels(), loadDeadLetters()]);
  } finally {
    $("replay-submit").disabled = false;
  }
}

document.addEventListener("console:signed-in", () => reported(loadTechnicalPanels()));
document.addEventListener("console:refresh-technical", () => reported(loadTechnicalPanels()));
document.addEventListener("DOMContentLoaded", () => {
  $("replay-form").addEventListener("submit", (event) => reported(submitReplay(event)));
  $("replay-cancel").addEventListener("click", () => $("replay-dialog").close());
  $("republish-form").addEventListener("submit", openRepublish);
});
