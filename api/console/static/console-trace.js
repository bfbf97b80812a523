// One purchase order's whole story: GET console/purchase-orders/{number}/trace, drawn as one
// timeline. Signed in through the console (the token stays in this tab's sessionStorage);
// every value from the hub is written as text.
"use strict";

const TRACE_TOKEN_KEY = "supplyhub.console.token";
const byId = (id) => document.getElementById(id);

function textCell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function codeCell(text) {
  const td = document.createElement("td");
  for (const part of text) {
    if (!part) continue;
    const code = document.createElement("code");
    code.textContent = part;
    td.append(code, document.createElement("br"));
  }
  return td;
}

function showProblem(text) {
  byId("problem").textContent = text;
  byId("problem").hidden = false;
}

async function loadTrace() {
  const token = sessionStorage.getItem(TRACE_TOKEN_KEY);
  const number = decodeURIComponent(location.pathname.split("/").pop());
  if (!token) {
    showProblem("Sign in on the console first: the trace uses its token.");
    return;
  }
  // A purchase order's number, or an ASN's, receipt's or invoice's label (asn:SUP:ASN-1).
  const own = number.includes(":");
  const path = own ? "documents" : "purchase-orders";
  const response = await fetch(`../${path}/${encodeURIComponent(number)}/trace`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail || detail;
    } catch {}
    showProblem(`The hub answered ${response.status}: ${detail}`);
    return;
  }
  const trace = await response.json();
  byId("trace-title").textContent = own
    ? `${trace.number} (${trace.supplier})`
    : `Purchase order ${trace.number} (${trace.supplier})`;
  byId("trace-orders").replaceChildren(
    ...(own ? ["Its orders: "] : []),
    ...(own ? trace.purchase_orders.map((n) => traceLink(n, `PO ${n}`)) : []),
  );
  byId("trace-summary").textContent =
    `${trace.steps.length} ${trace.steps.length === 1 ? "step" : "steps"} on ` +
    `${trace.documents.length} ${trace.documents.length === 1 ? "document" : "documents"}: ` +
    trace.documents.join(", ");
  const stuck = new Set(trace.dead_letters.map((d) => d.document));
  byId("timeline").tBodies[0].replaceChildren(...trace.steps.map((step) => stepRow(step, stuck)));
  byId("trace-dead-letters").tBodies[0].replaceChildren(
    ...trace.dead_letters.map((d) => {
      const row = document.createElement("tr");
      row.dataset.document = d.document;
      row.append(
        textCell(d.document), textCell(`${d.subject} (${d.message_id})`), textCell(d.reason),
        textCell(d.failed_at),
      );
      return row;
    }),
  );
  byId("trace-parked").tBodies[0].replaceChildren(
    ...trace.parked.map((p) => {
      const row = document.createElement("tr");
      row.dataset.ref = p.ref;
      // The interchange's raw bytes, one click away: what the partner sent, as it came.
      const ref = document.createElement("td");
      ref.append(payloadLink(p.ref));
      row.append(ref, textCell(p.partner), textCell(p.reason), textCell(p.at));
      return row;
    }),
  );
  byId("trace-parked").hidden = trace.parked.length === 0;
  byId("stuck").hidden = trace.dead_letters.length === 0 && trace.parked.length === 0;
  byId("trace").hidden = false;
}

function stepRow(step, stuck) {
  const row = document.createElement("tr");
  row.dataset.document = step.document;
  row.dataset.kind = step.kind; // event (the log's), sent (to a partner), answer (its ack)
  row.classList.toggle("stuck", stuck.has(step.document));
  const payload = document.createElement("td");
  if (step.payload_ref.startsWith("sha256:")) {
    payload.append(payloadLink(step.payload_ref));
  } else if (step.payload_ref) {
    // Another reference (a request's digest, a NATS subject and id): shown, not archived.
    const code = document.createElement("code");
    code.className = "payload-ref";
    code.textContent = step.payload_ref;
    payload.append(code);
  } else {
    payload.textContent = "–";
  }
  row.append(
    textCell(step.at.replace("T", " ").slice(0, 16), "at"),
    documentCell(step.document),
    textCell(step.event, "event"),
    textCell(step.channel, "channel"),
    textCell(step.actor),
    codeCell([step.message_id]),
    codeCell([step.correlation_id, step.causation_id && `caused by ${step.causation_id}`]),
    payload,
  );
  return row;
}

function payloadLink(ref) {
  // Kept in the hub's payload archive: fetched with the token, handed over as a download.
  const link = document.createElement("a");
  link.href = `../../api/v1/edi/payloads/${encodeURIComponent(ref)}`;
  link.className = "payload-ref";
  link.textContent = `${ref.slice(0, 19)}…`;
  link.title = ref;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    downloadPayload(ref, link.href).catch((error) => showProblem(error.message));
  });
  return link;
}

function traceLink(name, text) {
  const link = document.createElement("a");
  link.href = encodeURIComponent(name);
  link.textContent = text;
  return link;
}

function documentCell(label) {
  // An ASN, receipt or invoice opens its own trace; the order's and cases' are this one.
  const td = document.createElement("td");
  const kind = label.split(":")[0];
  td.append(["asn", "receipt", "invoice"].includes(kind) ? traceLink(label, label) : label);
  return td;
}

async function downloadPayload(ref, url) {
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${sessionStorage.getItem(TRACE_TOKEN_KEY)}` },
  });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail || detail;
    } catch {}
    throw new Error(`The raw payload ${ref}: the hub answered ${response.status}: ${detail}`);
  }
  const blob = URL.createObjectURL(await response.blob());
  const save = document.createElement("a");
  save.href = blob;
  save.download = `${ref.replace(":", "-")}.edi`;
  document.body.append(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(blob), 60_000);
}

document.addEventListener("DOMContentLoaded", () => {
  loadTrace().catch((error) => showProblem(error.message));
});
