// API.md's field rules for a new chat, checked before the request so a visitor is told on the
// field, in plain words, what the server would refuse. Lengths count code points, as the
// server does.

import { length, MAX_CONTENT } from "./render.js";

// As the server's CustomerEmail: one @, something before it (at most 64), a dotted domain
// after it that neither starts nor ends with a dot or a dash, no white space, at most 254.
export function plausibleEmail(raw) {
  const email = raw.trim();
  if (length(email) > 254 || /[\s\p{Cc}]/u.test(email)) return false;
  const at = email.indexOf("@");
  if (at < 1) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return (
    length(local) <= 64 &&
    !domain.includes("@") &&
    domain.includes(".") &&
    !/^[.-]|[.-]$/.test(domain) &&
    !domain.includes("..")
  );
}

// The problems of a new chat's fields, by field name, in the form's order.
export function newChatProblems({ customer_name, customer_email, subject, message }) {
  const problems = {};
  if (!customer_name.trim()) problems.customer_name = "Please tell us your name.";
  else if (length(customer_name) > 100) problems.customer_name = "Your name can be at most 100 characters.";
  if (customer_email.trim() && !plausibleEmail(customer_email)) {
    problems.customer_email = "This does not look like an email address (like name@example.com). You can also leave it empty.";
  }
  if (length(subject) > 200) problems.subject = "The subject can be at most 200 characters.";
  if (!message.trim()) problems.message = "Please write your question.";
  else if (length(message) > MAX_CONTENT) {
    problems.message = `Your message is ${(length(message) - MAX_CONTENT).toLocaleString()} characters too long (at most ${MAX_CONTENT.toLocaleString()}).`;
  }
  return problems;
}

// Shows each problem on its field (aria-invalid, its message below it, `#<prefix><name>-error`)
// and clears the others; the first field with a problem takes the focus. Tells whether there
// was none.
export function showProblems(form, problems, prefix = "") {
  let first = null;
  for (const input of form.querySelectorAll("input, textarea")) {
    const problem = problems[input.name];
    const note = form.querySelector(`#${prefix}${input.name}-error`);
    input.setAttribute("aria-invalid", String(Boolean(problem)));
    if (note) {
      note.textContent = problem || "";
      note.hidden = !problem;
    }
    if (problem && !first) first = input;
  }
  if (first) first.focus();
  return !first;
}
