// Small DOM helpers. Everything is built with createElement and textContent: server data never
// goes through innerHTML, and no element gets a style attribute (the CSP refuses inline styles).

const properties = new Set(["value", "checked", "disabled", "hidden", "selected", "open"]);

/**
 * h("button", {type: "button", onclick: f, class: "x"}, "text", child…): an element. Props whose
 * value is null, undefined or false are left out; `on…` are listeners; the few in `properties`
 * are set as properties, the rest as attributes.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (properties.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

let lastId = 0;
/** control → its error element, found so even before either is in the document. */
const errorSlots = new WeakMap();

/** A unique element id, for linking a label or an error to its control. */
function uid(prefix = "f") {
  lastId += 1;
  return `${prefix}-${lastId}`;
}

/**
 * A labelled control with room for its error under it: <div class="field"><label/>control<p/></div>.
 * `setFieldError(control, messages)` fills the error and links it with aria-describedby.
 */
export function field(label, control, { className = "field" } = {}) {
  return h("div", { class: className }, h("label", { for: control.id || (control.id = uid()) }, label), control, errorSlot(control));
}

/** An unlabelled-looking control (inside a table) with its accessible name and an error slot. */
export function cellControl(control, label) {
  control.setAttribute("aria-label", label);
  return [control, errorSlot(control)];
}

function errorSlot(control) {
  control.id ||= uid();
  const error = h("p", { class: "field-error", id: `${control.id}-error`, hidden: true });
  errorSlots.set(control, error);
  return error;
}

export function setFieldError(control, messages) {
  const error = errorSlots.get(control);
  if (messages && messages.length > 0) {
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", error.id);
    error.textContent = messages.join(" ");
    error.hidden = false;
  } else {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
    error.textContent = "";
    error.hidden = true;
  }
}

/** A message area: role="alert" for errors (read out when it appears), "status" for the rest. */
export function messageBox(role = "alert") {
  return h("p", { class: role === "alert" ? "alert" : "status", role, hidden: true });
}

export function showMessage(box, text) {
  box.textContent = text ?? "";
  box.hidden = !text;
}

/**
 * Shows a failed request's field errors at the controls named in `controls` (field → control)
 * and everything else (a conflict, a field this form has not, a network error) in `box`.
 */
export function showApiError(error, controls, box) {
  const entries = Object.entries(error.errors ?? {});
  const unplaced = [];
  for (const [name, messages] of entries) {
    const control = controls[name];
    if (control) setFieldError(control, [].concat(messages));
    else unplaced.push(`${name}: ${[].concat(messages).join(" ")}`);
  }
  if (entries.length === 0) showMessage(box, error.message);
  else if (unplaced.length === 0) showMessage(box, "Nothing was changed: fix the fields marked below.");
  else showMessage(box, unplaced.join(" "));
}

export function clearErrors(controls, box) {
  for (const control of Object.values(controls)) setFieldError(control, null);
  showMessage(box, null);
}

/** Runs `f` every `ms` until `signal` aborts. */
export function every(ms, signal, f) {
  const timer = setInterval(f, ms);
  signal.addEventListener("abort", () => clearInterval(timer));
}

/** Calls `onError(error)` for a failure, unless the page was left meanwhile. */
export function guard(signal, promise, onError) {
  return promise.catch((error) => {
    if (!signal.aborted) onError(error);
  });
}
