// Small DOM helpers: building elements, the live regions, labelled form fields.

/**
 * `h('button', { type: 'button', onclick }, 'Save')`. Props starting with `on` become listeners,
 * `text` sets the text, `class` the class name; everything else is an attribute (false and
 * null leave it out). Children may be strings, nodes, or arrays of either.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'text') element.textContent = String(value);
    else if (name === 'class') element.className = value;
    else if (name === 'value') element.value = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let fieldCount = 0;

/** A label tied to its control by id, with an optional hint the control is described by. */
export function field(label, control, hint) {
  const id = control.id || `f${++fieldCount}`;
  control.id = id;
  const parts = [h('label', { for: id, text: label }), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('small', { id: hintId, class: 'hint', text: hint }));
  }
  return h('div', { class: 'field' }, parts);
}

/** Polite news for screen readers and everyone else ("Key created"). */
export function announce(message) {
  clearAlert();
  const status = document.getElementById('status');
  status.textContent = '';
  // A fresh text node, so the same message twice is still read out.
  requestAnimationFrame(() => (status.textContent = message));
}

/** An error, with its problem code when the API gave one. */
export function showError(error) {
  const alert = document.getElementById('alert');
  const code = error && error.code ? ` (${error.code})` : '';
  alert.textContent = `${error && error.message ? error.message : String(error)}${code}`;
  alert.hidden = false;
}

export function clearAlert() {
  const alert = document.getElementById('alert');
  alert.textContent = '';
  alert.hidden = true;
}

/** A button (`type="button"`, with `props`) that runs `action` behind itself (see busy). */
export function actionButton(props, action) {
  const button = h('button', { type: 'button', ...props, onclick: () => busy(button, action) });
  return button;
}

/** A form whose submit runs `action` behind its `button` (see busy) instead of navigating. */
export function actionForm(props, button, action, ...children) {
  const onsubmit = (event) => {
    event.preventDefault();
    void busy(button, action);
  };
  return h('form', { ...props, onsubmit }, ...children);
}

/** Runs an action behind a button: disabled while it runs, errors shown in the alert region. */
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    clearAlert();
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

export function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** A read-only secret shown once, with a copy button. */
export function secretBox(label, value, note) {
  const input = h('input', { type: 'text', readonly: true, value, class: 'secret', spellcheck: 'false', autocomplete: 'off' });
  const copy = h('button', {
    type: 'button',
    text: 'Copy to clipboard',
    onclick: async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(value);
        announce(`${label} copied to the clipboard.`);
      } catch {
        // No clipboard permission (e.g. not a secure context): the text is selected for Ctrl-C.
        announce(`${label} selected: press Ctrl-C to copy it.`);
      }
    },
  });
  return h('div', { class: 'once' }, h('p', { class: 'warning', text: note }), field(label, input), copy);
}

/** A heading that takes focus when a page is shown, so keyboard and screen-reader users land on it. */
export function pageHeading(text) {
  return h('h1', { tabindex: '-1', text });
}

export function pre(value) {
  return h('pre', { class: 'json', text: JSON.stringify(value, null, 2) });
}
