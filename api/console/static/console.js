// The Supply Hub console: signs in with a hub token (kept in this tab's sessionStorage) and
// reads and works the hub through its own APIs only: POST /graphql, GET /readyz and the
// console's session and projection routes. Every value from the hub is written as text.
// URLs are relative to the page, so a hub served under a path prefix works unchanged.
"use strict";

const TOKEN_KEY = "supplyhub.console.token";
const PAGE_SIZE = 100; // the hub's default largest page (SUPPLYHUB_MAX_PAGE_SIZE)
// The queue is kept current by the hub: a subscription (live.js) says when a case was opened,
// assigned or resolved, by anyone, and the page re-reads the queue then. No polling.
const QUEUE_CHANGES = "subscription { exceptionQueue { change case { key } } }";

const QUEUE_QUERY = `query Queue($status: CaseStatus, $ownerRole: OwnerRole,
    $category: CaseCategory, $after: String) {
  exceptions(status: $status, ownerRole: $ownerRole, category: $category,
             first: ${PAGE_SIZE}, after: $after) {
    items {
      key category document supplier ownerRole owner status reason openedAt dueAt
      commentCount purchaseOrder { number }
    }
    endCursor hasNextPage
  }
}`;
const CATEGORIES_QUERY = `query Categories($after: String) {
  exceptions(status: null, first: ${PAGE_SIZE}, after: $after) {
    items { category } endCursor hasNextPage
  }
}`;
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
  await Promise.all([loadCategories(), loadQueue(), loadCounts(), loadKpis(), loadTechnical()]);
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

function filters() {
  const value = (id) => $(id).value || null;
  return {
    status: value("filter-status"),
    ownerRole: value("filter-owner"),
    category: value("filter-category"),
  };
}

// Every page of cases, oldest first: the queue is cursor paged as purchase orders are.
async function allCases(query, variables) {
  const cases = [];
  let after = null;
  do {
    const page = (await graphql(query, { ...variables, after })).exceptions;
    cases.push(...page.items);
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return cases;
}

async function loadCategories() {
  const found = await allCases(CATEGORIES_QUERY, {});
  const select = $("filter-category");
  for (const category of [...new Set(found.map((c) => c.category))].sort()) {
    select.append(new Option(category, category));
  }
}

async function loadQueue() {
  const cases = await allCases(QUEUE_QUERY, filters());
  showQueue(cases);
  return cases;
}

function showQueue(cases) {
  const now = Date.now();
  const rows = cases.map((found) => caseRow(found, now));
  $("queue").tBodies[0].replaceChildren(...rows);
  const breached = cases.filter((c) => c.status === "open" && Date.parse(c.dueAt) < now).length;
  $("queue-summary").textContent =
    `${cases.length} ${cases.length === 1 ? "case" : "cases"}, ${breached} past their due time`;
}

function caseRow(found, now) {
  const row = document.createElement("tr");
  row.dataset.key = found.key;
  const breached = found.status === "open" && Date.parse(found.dueAt) < now;
  row.classList.toggle("breached", breached);
  const document_ = cell(found.document, "document");
  if (found.purchaseOrder) {
    // The order's trace, for the roles that may read it (console/trace: technical roles).
    const po = document.createElement("small");
    const number = found.purchaseOrder.number;
    if (session.may_see_technical) {
      const link = document.createElement("a");
      link.href = `console/trace/${encodeURIComponent(number)}`;
      link.textContent = `PO ${number}`;
      po.append(link);
    } else {
      po.textContent = `PO ${number}`;
    }
    document_.append(po);
  }
  const owner = found.owner ? `${found.owner} (${found.ownerRole})` : found.ownerRole;
  row.append(
    cell(found.category),
    document_,
    cell(found.supplier),
    cell(owner, "owner"),
    cell(duration(now - Date.parse(found.openedAt))),
    cell(due(Date.parse(found.dueAt) - now, found.status), "due"),
    cell(found.reason, "reason"),
    cell(found.commentCount ? String(found.commentCount) : "", "comment-count"),
    actions(found),
  );
  return row;
}

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

// The four counts in one call: the hub counts each in its view store (no page walking here).
async function loadCounts() {
  const response = await call("console/counts");
  if (!response.ok) throw new HubError(await problemDetail(response));
  const counts = await response.json();
  $("count-open").textContent = counts.open_cases;
  $("count-breached").textContent = counts.overdue_cases;
  $("count-unacknowledged").textContent = counts.needing_action;
  $("count-blocked").textContent = counts.blocked_invoices;
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
  $("filters").addEventListener("change", () => reported(loadQueue()));
  $("refresh-technical").addEventListener("click", () => {
    reported(loadTechnical());
    document.dispatchEvent(new CustomEvent("console:refresh-technical"));
  });
  $("case-form").addEventListener("submit", (event) => reported(submitCase(event)));
  $("case-cancel").addEventListener("click", () => $("case-dialog").close());
  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) reported(signIn(kept));
});
