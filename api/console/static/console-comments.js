// Comments on an exception case, in the case dialog: the case's comments, newest last, read by
// its key (`exceptionCase`), and read again whenever the hub says the case changed (a
// subscription of the dialog's own while it is open: a comment appears once the views hold
// it, whoever made it). Every text is written with textContent, never as HTML.
"use strict";

const CASE_COMMENTS_QUERY = `query CaseComments($key: String!) {
  exceptionCase(key: $key) { key comments { at actor text } } }`;
const CASE_CHANGES = "subscription { exceptionQueue { change case { key } } }";

let commentsShown = null; // {key, stop} while the dialog shows a case's comments

function followCaseComments(key) {
  forgetCaseComments();
  const changed = (data) => {
    if (data.exceptionQueue.case.key === key) reported(showCaseComments(key));
  };
  const stop = live ? live.subscribe(CASE_CHANGES, {}, changed) : () => {};
  commentsShown = { key, stop };
  $("case-comments").replaceChildren();
  $("case-comments-none").hidden = true;
  reported(showCaseComments(key));
}

function forgetCaseComments() {
  if (commentsShown) commentsShown.stop();
  commentsShown = null;
}

async function showCaseComments(key) {
  const found = (await graphql(CASE_COMMENTS_QUERY, { key })).exceptionCase;
  if (!commentsShown || commentsShown.key !== key) return; // the dialog moved on meanwhile
  const items = (found ? found.comments : []).map((comment) => {
    const item = document.createElement("li");
    const who = document.createElement("small");
    who.textContent = `${comment.actor}, ${new Date(comment.at).toLocaleString()}`;
    const text = document.createElement("p");
    text.textContent = comment.text;
    item.append(who, text);
    return item;
  });
  $("case-comments").replaceChildren(...items);
  $("case-comments-none").hidden = items.length > 0;
}

// After the hub accepted a comment: clear the box, make a new key for the next comment, and
// read the list now (the subscription reads it again once the views hold the comment).
function commented() {
  $("case-comment-text").value = "";
  pending.idempotencyKey = idempotencyKey();
  $("case-problem").hidden = true;
  if (commentsShown) reported(showCaseComments(commentsShown.key));
  if (!live || !live.acknowledged) queueChanged();
}

document.addEventListener("DOMContentLoaded", () => {
  $("case-dialog").addEventListener("close", forgetCaseComments);
});
