// The console's business work: the counts (each a drill-down), the exception queue with its
// filters (kept in the page's URL, so a filtered view can be linked and survives a reload),
// paged by cursor with "Show more", and the two work lists that are not cases: revisions
// awaiting the supplier's acknowledgement and blocked invoices with their reasons.
// Uses console.js's globals: $, session, graphql, call, problemDetail, HubError, cell,
// actions, duration, due, reported.
"use strict";

const QUEUE_QUERY = `query Queue($status: CaseStatus, $ownerRole: OwnerRole,
    $category: CaseCategory, $owner: String, $supplier: String, $plant: String,
    $olderThanHours: Float, $breached: Boolean, $first: Int!, $after: String) {
  exceptions(status: $status, ownerRole: $ownerRole, category: $category, owner: $owner,
             supplier: $supplier, plant: $plant, olderThanHours: $olderThanHours,
             breached: $breached, first: $first, after: $after) {
    items {
      key category document supplier ownerRole owner status reason openedAt dueAt
      commentCount purchaseOrder { number }
    }
    totalCount endCursor hasNextPage
  }
}`;
// The categories a case may have, from the schema: one small read, not every case.
const CATEGORIES_QUERY = `{ __type(name: "CaseCategory") { enumValues { name } } }`;
const REVISIONS_QUERY = `query Awaiting($first: Int!, $after: String) {
  purchaseOrders(needsAction: true, first: $first, after: $after) {
    items { number supplier revision releasedAt revisions { revision recordedAt } }
    totalCount endCursor hasNextPage
  }
}`;
// Late responses and ASNs missing past cutoff: orders whose due time passed, as the hub
// reads them on its indexes as of the request (the service levels are the hub's).
const LATE_QUERY = `query Late($first: Int!, $after: String) {
  purchaseOrders(ackOverdue: true, first: $first, after: $after) {
    items { number supplier revision releasedAt revisions { revision recordedAt } }
    totalCount endCursor hasNextPage
  }
}`;
const MISSING_QUERY = `query Missing($first: Int!, $after: String) {
  purchaseOrders(asnMissing: true, first: $first, after: $after) {
    items { number supplier lines { lineNumber needBy ackStatus shippedQuantity
      receivedQuantity } }
    totalCount endCursor hasNextPage
  }
}`;
const LIST_PAGE = 50;

// The URL's parameters and the form's fields, in the order the URL lists them.
const TEXT_FILTERS = { owner: "filter-owner-name", supplier: "filter-supplier", plant: "filter-plant" };
const SELECT_FILTERS = {
  category: "filter-category", ownerRole: "filter-owner", olderThanHours: "filter-age",
  status: "filter-status", first: "filter-first",
};
const DEFAULTS = { status: "open", first: "50" };
// Each count's drill-down: the queue filters it sets, or the work list it opens.
const DRILLS = {
  open: {},
  breached: { breached: "true" },
  variances: { category: "quantity_variance" },
};

// The queue as shown: every page read so far, re-read whole (those pages only) on a change.
const queue = { cases: [], pages: 0, endCursor: null, hasNextPage: false, total: null };
let queueReads = Promise.resolve(); // one queue read at a time, in the order asked

// --- filters and the URL ---------------------------------------------------------------------

function urlFilters() {
  return new URLSearchParams(window.location.search);
}

function filters() {
  const wanted = urlFilters();
  const text = (name) => wanted.get(name) || null;
  const status = wanted.get("status") || DEFAULTS.status;
  const age = wanted.get("olderThanHours");
  // A number as a number; anything else as typed, for the hub to refuse by name.
  const number = (value) => (Number.isNaN(Number(value)) ? value : Number(value));
  return {
    status: status === "all" ? null : status,
    ownerRole: text("ownerRole"),
    category: text("category"),
    owner: wanted.get("mine") === "1" ? session.subject : text("owner"),
    supplier: text("supplier"),
    plant: text("plant"),
    olderThanHours: age === null || age === "" ? null : number(age),
    breached: wanted.get("breached") === "true" ? true : null,
    first: number(wanted.get("first") || DEFAULTS.first),
  };
}

// The form as the URL says (a value the form does not offer is added, so the hub is asked
// and its refusal shown, rather than the value silently dropped).
function showFilters() {
  const wanted = urlFilters();
  for (const [name, id] of Object.entries(SELECT_FILTERS)) {
    const select = $(id);
    const value = wanted.get(name) ?? DEFAULTS[name] ?? "";
    if (![...select.options].some((option) => option.value === value)) {
      select.append(new Option(value, value));
    }
    select.value = value;
  }
  for (const [name, id] of Object.entries(TEXT_FILTERS)) $(id).value = wanted.get(name) || "";
  $("filter-mine").checked = wanted.get("mine") === "1";
  $("filter-owner-name").disabled = $("filter-mine").checked;
  if ($("filter-mine").checked) $("filter-owner-name").value = session.subject;
  $("filter-breached").checked = wanted.get("breached") === "true";
}

// The form into the URL (replacing this entry: a filtered view is a link, not a history).
function keepFilters(changes = null, list = undefined) {
  const wanted = new URLSearchParams();
  const values = changes || formFilters();
  for (const [name, value] of Object.entries(values)) {
    if (value && value !== DEFAULTS[name]) wanted.set(name, value);
  }
  const open = list === undefined ? urlFilters().get("list") : list;
  if (open) wanted.set("list", open);
  const query = wanted.toString();
  history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
}

function formFilters() {
  const values = {};
  for (const [name, id] of Object.entries(SELECT_FILTERS)) values[name] = $(id).value;
  const mine = $("filter-mine").checked;
  values.owner = mine ? "" : $("filter-owner-name").value.trim();
  values.mine = mine ? "1" : "";
  values.supplier = $("filter-supplier").value.trim();
  values.plant = $("filter-plant").value.trim();
  values.breached = $("filter-breached").checked ? "true" : "";
  return values;
}

// --- the queue ---------------------------------------------------------------------------------

async function loadCategories() {
  const found = (await graphql(CATEGORIES_QUERY)).__type.enumValues.map((v) => v.name);
  const select = $("filter-category");
  const offered = new Set([...select.options].map((option) => option.value));
  for (const category of found.sort()) {
    if (!offered.has(category)) select.append(new Option(category, category));
  }
}

// Signed in: the URL's view, then the queue and any work list the URL names.
async function startQueue() {
  await loadCategories();
  showFilters();
  const list = urlFilters().get("list");
  await Promise.all([loadQueue(true), list ? openList(list) : Promise.resolve()]);
}

// Read the pages shown again (the first one on a new filter), one read at a time.
function loadQueue(fresh = false) {
  const read = queueReads.then(() => readQueue(fresh));
  queueReads = read.catch(() => {});
  return read;
}

async function readQueue(fresh) {
  const wanted = filters();
  const pages = fresh ? 1 : Math.max(queue.pages, 1);
  const read = { cases: [], pages: 0, endCursor: null, hasNextPage: false, total: null };
  try {
    do {
      const page = await queuePage(wanted, read.endCursor);
      read.cases.push(...page.items);
      Object.assign(read, {
        pages: read.pages + 1, endCursor: page.endCursor, hasNextPage: page.hasNextPage,
        total: page.totalCount,
      });
    } while (read.pages < pages && read.hasNextPage);
  } catch (error) {
    queueRefused(error);
    return;
  }
  Object.assign(queue, read);
  showQueue();
}

async function showMore() {
  $("queue-more").disabled = true;
  const more = queueReads.then(async () => {
    if (!queue.hasNextPage) return;
    try {
      const page = await queuePage(filters(), queue.endCursor);
      queue.cases.push(...page.items);
      Object.assign(queue, {
        pages: queue.pages + 1, endCursor: page.endCursor, hasNextPage: page.hasNextPage,
        total: page.totalCount,
      });
      showQueue();
    } catch (error) {
      queueRefused(error);
    }
  });
  queueReads = more.catch(() => {}).finally(() => ($("queue-more").disabled = false));
  return more;
}

async function queuePage(wanted, after) {
  return (await graphql(QUEUE_QUERY, { ...wanted, after })).exceptions;
}

// The hub refused the filters (a category it does not know, a negative age): say so, and
// show no rows rather than rows of another view.
function queueRefused(error) {
  if (error instanceof HubError && error.message === "signed out") throw error;
  Object.assign(queue, { cases: [], pages: 0, endCursor: null, hasNextPage: false, total: 0 });
  $("queue").tBodies[0].replaceChildren();
  $("queue-summary").textContent = "";
  $("queue-more").hidden = true;
  $("queue-problem").textContent = `The hub refused these filters: ${error.message}`;
  $("queue-problem").hidden = false;
}

function showQueue() {
  const now = Date.now();
  $("queue-problem").hidden = true;
  $("queue").tBodies[0].replaceChildren(...queue.cases.map((found) => caseRow(found, now)));
  const shown = queue.cases.length;
  const noun = (n) => (n === 1 ? "case" : "cases");
  // With a plant the hub filters after paging and gives no total: say what is shown.
  $("queue-summary").textContent =
    queue.total === null
      ? `${shown} ${noun(shown)} shown${queue.hasNextPage ? ", more to show" : ""}`
      : `${shown} of ${queue.total} ${noun(queue.total)} shown`;
  $("queue-more").hidden = !queue.hasNextPage;
}

function caseRow(found, now) {
  const row = document.createElement("tr");
  row.dataset.key = found.key;
  const breached = found.status === "open" && Date.parse(found.dueAt) < now;
  row.classList.toggle("breached", breached);
  const document_ = cell("", "document");
  document_.append(documentLink(found.document));
  if (found.purchaseOrder) {
    const po = document.createElement("small");
    po.append(orderLink(found.purchaseOrder.number));
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

// An order's trace, for the roles that may read it (console/trace: technical roles).
// A link to a trace for the roles that read traces; the text alone for the others.
function traceLink(target, text) {
  if (!session.may_see_technical) return document.createTextNode(text);
  const link = document.createElement("a");
  link.href = `console/trace/${encodeURIComponent(target)}`;
  link.textContent = text;
  return link;
}

// An ASN, receipt or invoice a case is about opens its own trace; other documents are named.
function documentLink(label) {
  const traced = ["asn", "receipt", "invoice"].includes(label.split(":")[0]);
  return traced ? traceLink(label, label) : document.createTextNode(label);
}

function orderLink(number) {
  return traceLink(number, `PO ${number}`);
}

// --- the counts and their drill-downs ---------------------------------------------------------

// Every count in one call: the hub counts each in its view store.
async function loadCounts() {
  const response = await call("console/counts");
  if (!response.ok) throw new HubError(await problemDetail(response));
  const counts = await response.json();
  $("count-open").textContent = counts.open_cases;
  $("count-breached").textContent = counts.overdue_cases;
  $("count-late").textContent = counts.late_responses;
  $("count-missing-asn").textContent = counts.missing_asns;
  $("count-variances").textContent = counts.receipt_variances;
  $("count-unacknowledged").textContent = counts.needing_action;
  $("count-blocked").textContent = counts.blocked_invoices;
}

async function drill(name) {
  if (name in DRILLS) {
    // The queue's open cases of that kind: the other filters cleared, the per-page kept.
    keepFilters({ status: "open", first: $("filter-first").value, ...DRILLS[name] }, "");
    showFilters();
    closeLists();
    await loadQueue(true);
    $("queue-title").scrollIntoView({ block: "start" });
    return;
  }
  keepFilters(null, name);
  await openList(name);
  $(`${name}-panel`).scrollIntoView({ block: "start" });
}

// --- the work lists beyond the queue -------------------------------------------------------

// A page of orders from one of the queries above.
function ordersPage(query) {
  return async (after) => {
    const found = (await graphql(query, { first: LIST_PAGE, after })).purchaseOrders;
    return { ...found, noun: ["order", "orders"] };
  };
}

// An order awaiting its supplier's answer: since when its current revision waits.
function awaitingRow(po, now) {
  const current = po.revisions.find((r) => r.revision === po.revision);
  const since = Date.parse(current ? current.recordedAt : po.releasedAt);
  const row = document.createElement("tr");
  row.dataset.number = po.number;
  const order = cell("");
  order.append(orderLink(po.number));
  row.append(
    order, cell(po.supplier), cell(po.revision), cell(po.releasedAt.slice(0, 10)),
    cell(duration(now - since)),
  );
  return row;
}

const LISTS = {
  revisions: { page: ordersPage(REVISIONS_QUERY), row: awaitingRow },
  late: { page: ordersPage(LATE_QUERY), row: awaitingRow },
  missing: {
    page: ordersPage(MISSING_QUERY),
    row(po) {
      // The lines nothing was shipped or received for (rejected ones need none), by need-by.
      const waiting = po.lines
        .filter((l) => l.ackStatus !== "rejected" && Number(l.shippedQuantity) === 0
          && Number(l.receivedQuantity) === 0)
        .sort((a, b) => a.needBy.localeCompare(b.needBy));
      const row = document.createElement("tr");
      row.dataset.number = po.number;
      const order = cell("");
      order.append(orderLink(po.number));
      row.append(
        order, cell(po.supplier),
        cell(waiting.map((l) => `${l.lineNumber} (needed by ${l.needBy})`).join(", ")),
        cell(waiting.length ? waiting[0].needBy : ""),
      );
      return row;
    },
  },
  blocked: {
    async page(after) {
      const query = new URLSearchParams({ first: LIST_PAGE });
      if (after) query.set("after", after);
      const response = await call(`console/blocked-invoices?${query}`);
      if (!response.ok) throw new HubError(await problemDetail(response));
      const found = await response.json();
      return {
        items: found.items, totalCount: found.total_count, endCursor: found.end_cursor,
        hasNextPage: found.has_next_page, noun: ["invoice", "invoices"],
      };
    },
    row(invoice) {
      const row = document.createElement("tr");
      row.dataset.invoice = `${invoice.supplier}:${invoice.invoice_number}`;
      const order = cell("");
      order.append(orderLink(invoice.po_number));
      const reasons = cell("", "reason");
      const items = document.createElement("ul");
      items.className = "reasons";
      for (const reason of invoice.reasons) {
        const item = document.createElement("li");
        item.textContent = reason;
        items.append(item);
      }
      reasons.append(items);
      row.append(
        cell(invoice.invoice_number), cell(invoice.supplier), order, cell(invoice.invoice_date),
        cell(`${invoice.total} ${invoice.currency}`), cell(invoice.status), reasons,
      );
      return row;
    },
  },
};
const listCursors = {}; // the next page's cursor of each open list

async function openList(name, after = null) {
  const list = LISTS[name];
  if (!list) return;
  for (const other of Object.keys(LISTS)) $(`${other}-panel`).hidden = other !== name;
  const body = $(name).tBodies[0];
  const page = await list.page(after);
  const now = Date.now();
  const rows = page.items.map((item) => list.row(item, now));
  if (after) body.append(...rows);
  else body.replaceChildren(...rows);
  listCursors[name] = page.hasNextPage ? page.endCursor : null;
  const [one, many] = page.noun;
  $(`${name}-summary`).textContent =
    `${body.rows.length} of ${page.totalCount} ${page.totalCount === 1 ? one : many} shown`;
  $(`${name}-more`).hidden = !page.hasNextPage;
}

function closeLists() {
  for (const name of Object.keys(LISTS)) $(`${name}-panel`).hidden = true;
}

// --- wiring ------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  $("filters").addEventListener("change", (event) => {
    if (event.target.id === "filter-mine") showMine();
    keepFilters();
    reported(loadQueue(true));
  });
  $("filters").addEventListener("submit", (event) => event.preventDefault());
  $("filter-clear").addEventListener("click", () => {
    keepFilters({ first: $("filter-first").value });
    showFilters();
    reported(loadQueue(true));
  });
  $("queue-more").addEventListener("click", () => reported(showMore()));
  for (const button of document.querySelectorAll(".count[data-drill]")) {
    button.addEventListener("click", () => reported(drill(button.dataset.drill)));
  }
  for (const name of Object.keys(LISTS)) {
    $(`${name}-more`).addEventListener("click", () => {
      reported(openList(name, listCursors[name]));
    });
  }
  for (const button of document.querySelectorAll(".close-list")) {
    button.addEventListener("click", () => {
      closeLists();
      keepFilters(null, "");
    });
  }
});

// "Mine": the signed-in subject as the owner, and the owner field showing it, fixed.
function showMine() {
  const mine = $("filter-mine").checked;
  $("filter-owner-name").disabled = mine;
  $("filter-owner-name").value = mine ? session.subject : "";
}
