// The console's dead letters: the inbound commands that could not be applied, with what they
// hold up (a link to the purchase order's trace) and, for the operator, Retry and Drop. Each
// release asks why, and the hub records it with the signed-in subject. Uses console.js's
// helpers ($, call, cell, problemDetail, reported). Pressing twice is harmless: the second
// release finds nothing left to release and the hub says so (404).
"use strict";

const ops = { releasing: null }; // {document, action}

async function loadDeadLetters() {
  if (!session || !session.may_see_technical) {
    $("dead-letters").hidden = true;
    return;
  }
  const found = await (await call("console/dead-letters")).json();
  const rows = found.letters.map(deadLetterRow);
  $("dead-letters").tBodies[0].replaceChildren(...rows);
  const count = found.letters.length;
  $("dead-letters-summary").textContent =
    count === 0 ? "No dead letters." : `${count} ${count === 1 ? "document" : "documents"} stuck`;
  $("dead-letter-actions").tBodies[0].replaceChildren(...found.actions.map(actionRow));
  return found.letters;
}

function deadLetterRow(letter) {
  const row = document.createElement("tr");
  row.dataset.document = letter.document;
  row.id = `dead-${letter.document}`;
  const holds = cell("", "holds");
  if (letter.purchase_order) {
    const link = document.createElement("a");
    link.href = `console/trace/${encodeURIComponent(letter.purchase_order)}`;
    link.textContent = `PO ${letter.purchase_order}`;
    holds.append(link);
  } else if (/^(asn|receipt|invoice):/.test(letter.document)) {
    // No order in its command (an ASN's milestone): the document's own trace names them.
    const link = document.createElement("a");
    link.href = `console/trace/${encodeURIComponent(letter.document)}`;
    link.textContent = letter.document;
    holds.append(link);
  }
  row.append(
    cell(letter.document, "document"), holds,
    cell(`${letter.subject.replace("supplyhub.commands.", "")} (${letter.message_id})`),
    cell(letter.reason, "reason"), cell(letter.attempts), cell(letter.parked),
    cell(letter.held), cell(letter.failed_at), releaseButtons(letter),
  );
  return row;
}

function releaseButtons(letter) {
  const td = cell("", "actions");
  if (!session.may_release_dead_letters) return td;
  for (const action of ["retry", "drop"]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = action === "drop" ? "secondary" : "";
    button.textContent = action === "retry" ? "Retry" : "Drop";
    button.addEventListener("click", () => openRelease(action, letter));
    td.append(button);
  }
  return td;
}

function actionRow(done) {
  const row = document.createElement("tr");
  row.append(
    cell(done.at), cell(done.document), cell(done.action), cell(done.actor), cell(done.reason),
    cell(done.applied), cell(done.still_dead || "–", done.still_dead ? "alarm" : ""),
  );
  return row;
}

function openRelease(action, letter) {
  ops.releasing = { action, document: letter.document };
  $("release-title").textContent =
    `${action === "retry" ? "Retry" : "Drop"} the dead letter of ${letter.document}`;
  $("release-reason").textContent =
    action === "retry"
      ? `Apply it again (${letter.reason}), then the ${letter.parked + letter.held} ` +
        "command(s) waiting behind it, in order."
      : `Discard it (${letter.reason}), then apply the ${letter.parked + letter.held} ` +
        "command(s) waiting behind it, in order.";
  $("release-submit").textContent = action === "retry" ? "Retry" : "Drop";
  $("release-why").value = "";
  $("release-problem").hidden = true;
  $("release-dialog").showModal();
  $("release-why").focus();
}

async function submitRelease(event) {
  event.preventDefault();
  const { action, document: doc } = ops.releasing;
  $("release-submit").disabled = true;
  try {
    const response = await call(
      `console/dead-letters/${encodeURIComponent(doc)}/${action}`,
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ reason: $("release-why").value.trim() }),
      },
    );
    if (!response.ok) {
      showReleaseProblem(await problemDetail(response));
      return;
    }
    $("release-dialog").close();
    await loadDeadLetters();
  } catch (error) {
    showReleaseProblem(error.message);
  } finally {
    $("release-submit").disabled = false;
  }
}

function showReleaseProblem(detail) {
  $("release-problem").textContent = detail;
  $("release-problem").hidden = false;
}

document.addEventListener("console:signed-in", () => reported(loadDeadLetters()));
document.addEventListener("console:refresh-technical", () => reported(loadDeadLetters()));
document.addEventListener("DOMContentLoaded", () => {
  $("release-form").addEventListener("submit", (event) => reported(submitRelease(event)));
  $("release-cancel").addEventListener("click", () => $("release-dialog").close());
});
