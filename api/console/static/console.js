// The Supply Hub console: signs in with a hub token (kept in this tab's sessionStorage) and
// reads and works the hub through its own APIs only: POST /graphql, GET /readyz and the
// console's session and projection routes. Every value from the hub is written as text.
// URLs are relative to the page, so a hub served under a path prefix works unchanged.
"use strict";

const TOKEN_KEY = "supplyhub.console.token";
// The queue is kept current by the hub: a subscription (live.js) says when a case was opened,
// assigned or resolved, by anyone, and the page re-reads the queue then. No polling.
const QUEUE_CHANGES = "subscription { exceptionQueue { change case { key } } }";

const KPIS_QUERY = `{ kpis { supplier plant ackLatencyMedianHours ackWithinSlaShare
  asnOnTimeShare asnCompletenessShare invoiceExceptionRate touchlessInvoiceRate } }`;
const RESULT_FIELDS = `__typename
  ... on Accepted { status replayed }
  ... on InvalidInput { detail }
  ... on NotFound { detail }
  ... on Conflict { detail }
  ... on Forbidden { detail }`;
const ACTIONS = {
  assign: {
    title: "Assign the case",
    label: "Owner",
    submit: "Assign",
    mutation: `mutation Assign($key: String!, $text: String!, $idempotencyKey: String!) {
      result: assignException(idempotencyKey: $idempotencyKey, input: {key: $key, owner: $text})
      { ${RESULT_FIELDS} } }`,
  },
  resolve: {
    title: "Resolve the case",
    label: "How was it resolved?",
    submit: "Resolve case",
    mutation: `mutation Resolve($key: String!, $text: String!, $idempotencyKey: String!) {
      result: resolveException(idempotencyKey: $idempotencyKey,
                               input: {key: $key, resolution: $text})
      { ${RESULT_FIELDS} } }`,
  },
  comment: {
    title: "Comment on the case",
    label: "Your comment (kept with your name)",
    offer: "Comment",
    submit: "Add comment",
    mutation: `mutation Comment($key: String!, $text: String!, $idempotencyKey: String!) {
      result: commentOnException(idempotencyKey: $idempotencyKey, input: {key: $key, text: $text})
      { ${RESULT_FIELDS} } }`,
  },
};

const $ = (id) => document.getElementById(id);
let session = null; // {subject, role, may_work_cases, may_see_technical}
let pending = null; // the dialog's action: {action, key, idempotencyKey}
let live = null; // the LiveSocket while signed in
let rereading = null; // the queue read in flight after a change, and whether another is due
let rereadAgain = false;

class HubError extends Error {}

// --- talking to the hub ----------------------------------------------------------------------

async function call(path, options = {}) {
  const headers = { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` };
  const response = await fetch(path, { ...options, headers: { ...headers, ...options.headers } });
  if (response.status === 401) {
    signOut("The hub refused the token: " + (await problemDetail(response)));
    throw new HubError("signed out");
  }
  return response;
}

async function problemDetail(response) {
  try {
    const body = await response.json();
    return body.detail || body.title || response.statusText;
  } catch {
    return response.statusText;
  }
}

async function graphql(query, variables = {}) {
  const response = await call("graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const answer = await response.json();
  if (answer.errors && answer.errors.length) {
    throw new HubError(answer.errors.map((e) => e.message).join("; "));
  }
  return answer.data;
}

function idempotencyKey() {
  // crypto.randomUUID needs a secure context; a plant's http:// hub is not one.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "console-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- signing in --------------------------------------------------------------------------------

async function signIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  const response = await fetch("console/session", {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    const detail = await problemDetail(response);
    const refusal =
      response.status === 403
        ? "This console is for the manufacturer's buyers, AP clerks, auditors and admins; " +
          `this token is refused (${detail}).`
        : `The hub refused the token: ${detail}`;
    signOut(refusal);
    return;
  }
  session = await response.json();
  $("who").textContent = `Signed in as ${session.subject} (${session.role})`;
  for (const id of ["who", "sign-out", "console"]) $(id).hidden = false;
  $("sign-in").hidden = true;
  $("sign-in-error").hidden = true;
  watchQueue(token);
  // The operator and chart modules (console-ops.js, console-kpis.js) load on this event.
  document.dispatchEvent(new CustomEvent("console:signed-in", { detail: session }));
  await Promise.all([startQueue(), loadCounts(), loadKpis(), loadTechnical()]);
}

function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (live) live.close();
  live = null;
  session = null;
  for (const id of ["who", "sign-out", "console"]) $(id).hidden = true;
  $("sign-in").hidden = false;
  $("token").value = "";
  $("sign-in-error").textContent = reason || "";
  $("sign-in-error").hidden = !reason;
}

// --- business health ---------------------------------------------------------------------------

// The queue, its filters, its counts and the work lists: console-queue.js.

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function actions(found) {
  const td = cell("", "actions");
  if (!session.may_work_cases) return td;
  // A resolved case still takes comments: people explain after the fact.
  const offered = found.status === "open" ? ["assign", "resolve", "comment"] : ["comment"];
  for (const action of offered) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = action === "resolve" ? "" : "secondary";
    button.textContent = ACTIONS[action].offer || ACTIONS[action].submit.replace(" case", "");
    button.addEventListener("click", () => openCase(action, found));
    td.append(button);
  }
  return td;
}

function duration(ms) {
  const hours = Math.max(0, Math.floor(ms / 3_600_000));
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

function due(ms, status) {
  if (status !== "open") return status;
  return ms < 0 ? `overdue ${duration(-ms)}` : `in ${duration(ms)}`;
}

async function loadKpis() {
  const share = (value) => (value === null ? "–" : `${Math.round(value * 100)} %`);
  const hours = (value) => (value === null ? "–" : value.toFixed(1));
  const rows = (await graphql(KPIS_QUERY)).kpis.map((k) => {
    const row = document.createElement("tr");
    row.append(
      cell(k.supplier), cell(k.plant || "all plants"), cell(hours(k.ackLatencyMedianHours)),
      cell(share(k.ackWithinSlaShare)), cell(share(k.asnOnTimeShare)),
      cell(share(k.asnCompletenessShare)), cell(share(k.invoiceExceptionRate)),
      cell(share(k.touchlessInvoiceRate)),
    );
    return row;
  });
  $("kpis").tBodies[0].replaceChildren(...rows);
}

// --- working a case ------------------------------------------------------------------------------

function openCase(action, found) {
  const spec = ACTIONS[action];
  // One key per dialog: pressing the button again after a network failure is a safe retry.
  pending = { action, key: found.key, idempotencyKey: idempotencyKey() };
  $("case-title").textContent = `${spec.title}: ${found.category} on ${found.document}`;
  $("case-reason").textContent = found.reason;
  $("case-label").textContent = spec.label;
  $("case-submit").textContent = spec.submit;
  $("case-text").value = action === "assign" ? session.subject : "";
  // A comment is written in a text box of its own (newlines kept); the hub says what is wrong.
  const commenting = action === "comment";
  $("case-text").hidden = commenting;
  $("case-text").required = !commenting;
  $("case-comment-text").hidden = !commenting;
  $("case-comment-text").value = "";
  $("case-label").htmlFor = commenting ? "case-comment-text" : "case-text";
  $("case-problem").hidden = true;
  followCaseComments(found.key); // console-comments.js
  $("case-dialog").showModal();
  $(commenting ? "case-comment-text" : "case-text").focus();
}

async function submitCase(event) {
  event.preventDefault();
  const { action, key, idempotencyKey: idempotency } = pending;
  const text = $(action === "comment" ? "case-comment-text" : "case-text").value.trim();
  $("case-submit").disabled = true;
  try {
    const variables = { key, text, idempotencyKey: idempotency };
    const result = (await graphql(ACTIONS[action].mutation, variables)).result;
    if (result.__typename !== "Accepted") {
      showCaseProblem(result.detail || result.__typename);
      return;
    }
    if (action === "comment") {
      commented(); // console-comments.js: the dialog stays on the case, ready for another
      return;
    }
    $("case-dialog").close();
    // The queue subscription brings the change; without it (socket down) read once now.
    if (!live || !live.acknowledged) queueChanged();
  } catch (error) {
    showCaseProblem(error.message);
  } finally {
    $("case-submit").disabled = false;
  }
}

// --- live updates --------------------------------------------------------------------------------

function watchQueue(token) {
  const states = {
    connecting: "connecting…", live: "on", reconnecting: "reconnecting…",
    refused: "refused by the hub",
  };
  live = new LiveSocket(token, {
    onState: (state) => {
      $("live-state").textContent = `Live updates: ${states[state]}`;
      $("live-state").dataset.state = state;
    },
    onReconnect: queueChanged, // changes made while the socket was down
  });
  live.subscribe(QUEUE_CHANGES, {}, queueChanged, (detail) => {
    $("problem").textContent = `Live updates: ${detail}`;
    $("problem").hidden = false;
  });
}

// Re-read the queue and the counts once per burst of changes: one read in flight at a time,
// and one more after it if changes came meanwhile.
function queueChanged() {
  if (rereading) {
    rereadAgain = true;
    return;
  }
  rereading = Promise.all([loadQueue(), loadCounts()]).finally(() => {
    rereading = null;
    if (rereadAgain) {
      rereadAgain = false;
      queueChanged();
    }
  });
  reported(rereading);
}

function showCaseProblem(detail) {
  $("case-problem").textContent = detail;
  $("case-problem").hidden = false;
}

// --- technical health ----------------------------------------------------------------------------

async function loadTechnical() {
  const readiness = await (await fetch("readyz")).json();
  $("ready").textContent = readiness.ready ? "yes" : "no";
  $("ready").className = readiness.ready ? "good" : "alarm";
  $("store").textContent = readiness.store ? "answers" : "unreachable";
  $("lag").textContent = `${readiness.projection_lag} / ${readiness.max_lag}`;
  $("ready-detail").textContent = readiness.detail;
  const workers = Object.entries(readiness.workers).map(([name, state]) => {
    const row = document.createElement("tr");
    row.append(cell(name), cell(state, state === "running" ? "good" : "alarm"));
    return row;
  });
  $("workers").tBodies[0].replaceChildren(...workers);
  $("projections").hidden = !session.may_see_technical;
  if (!session.may_see_technical) return;
  const positions = await (await call("console/projections")).json();
  const rows = positions.map((p) => {
    const row = document.createElement("tr");
    row.append(
      cell(p.live ? p.name : `${p.name} (building)`), cell(p.version), cell(p.position),
      cell(p.head), cell(p.lag_events, p.lag_events ? "alarm" : "good"),
      cell(p.lag_seconds.toFixed(1)),
    );
    return row;
  });
  $("projections").tBodies[0].replaceChildren(...rows);
}

// --- wiring ----------------------------------------------------------------------------------------

function reported(promise) {
  promise.catch((error) => {
    if (error instanceof HubError && error.message === "signed out") return;
    $("problem").textContent = error.message;
    $("problem").hidden = false;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    reported(signIn($("token").value.trim()));
  });
  $("sign-out").addEventListener("click", () => signOut(""));
  $("refresh-technical").addEventListener("click", () => {
    reported(loadTechnical());
    document.dispatchEvent(new CustomEvent("console:refresh-technical"));
  });
  $("case-form").addEventListener("submit", (event) => reported(submitCase(event)));
  $("case-cancel").addEventListener("click", () => $("case-dialog").close());
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) reported(signIn(kept));
});
