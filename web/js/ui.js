// Shared UI pieces: error and notice boxes, busy buttons, labelled form fields
// with per-field server errors, throttling, flash messages.
import { h, uid, clear, append, replace, isAbort } from './dom.js';

// --- Messages -------------------------------------------------------------------

// A readable error: the message, the field it names, and the request id to quote.
export function errorBox(err, { retry, testid = 'error', title: customTitle } = {}) {
  const box = h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': testid });
  const title = customTitle || (err && err.status === 0 ? 'Connection problem' : errorTitle(err));
  append(box, h('strong', { class: 'alert-title' }, title));
  append(box, h('p', { class: 'alert-message' }, err?.message || String(err)));
  if (err?.field) append(box, h('p', { class: 'alert-detail' }, 'Field: ', h('code', null, err.field)));
  if (err?.referrers?.length) {
    append(box, h('p', { class: 'alert-detail' }, 'Still used by: ',
      err.referrers.map((r, i) => [i ? ', ' : '', `${r.type} ${r.name || r.id}`])));
  }
  if (err?.requestId) {
    append(box, h('p', { class: 'alert-detail request-id' }, 'Request id: ',
      h('code', { 'data-testid': 'request-id' }, err.requestId)));
  }
  if (retry) append(box, h('button', { type: 'button', class: 'btn btn-small', onclick: retry }, 'Try again'));
  return box;
}

function errorTitle(err) {
  switch (err?.status) {
    case 400: return 'Invalid input';
    case 401: return 'Not signed in';
    case 403: return 'Not allowed';
    case 404: return 'Not found';
    case 409: return 'Conflict';
    case 412: return 'Changed by someone else';
    case 429: return 'Busy, try again shortly';
    case 503: return 'Server unavailable';
    default: return err?.status >= 500 ? 'Server error' : 'Something went wrong';
  }
}

export function notice(text, kind = 'info', testid = 'notice') {
  return h('div', { class: `alert alert-${kind}`, role: kind === 'warning' ? 'alert' : 'status', 'data-testid': testid }, text);
}

// A slot showing at most one message at a time.
export function messageSlot() {
  const el = h('div', { class: 'message-slot', 'aria-live': 'polite' });
  return {
    el,
    error(err, opts) { replaceWith(el, isAbort(err) ? null : errorBox(err, opts)); },
    info(text) { replaceWith(el, notice(text, 'info')); },
    success(text) { replaceWith(el, notice(text, 'success')); },
    warn(text) { replaceWith(el, notice(text, 'warning')); },
    clear() { clear(el); },
  };
}

function replaceWith(el, child) {
  clear(el);
  if (child) el.appendChild(child);
}

// Messages carried to the next page shown (e.g. "Incident started").
let flashMessage = null;
export function setFlash(text, kind = 'success') {
  flashMessage = { text, kind };
}
export function takeFlash() {
  const f = flashMessage;
  flashMessage = null;
  return f ? notice(f.text, f.kind, 'flash') : null;
}

export function spinner(label) {
  return h('span', { class: 'spinner', role: label ? 'status' : null, 'aria-label': label || null, 'aria-hidden': label ? null : 'true' });
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, spinner(), ' ', text);
}

// Runs `fn` with `button` disabled and showing a spinner; returns fn's result.
export async function busy(button, fn, busyText) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  clear(button);
  append(button, spinner(), ' ', busyText || label);
  try {
    return await fn();
  } finally {
    clear(button);
    button.textContent = label;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

// --- Page structure -------------------------------------------------------------

export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' },
    h('h1', { tabindex: '-1', 'data-testid': 'page-title' }, title),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

// GETs `path` for an item's page. When the item does not exist (404), shows
// `title`, the error and a link back to the list in ctx.main and returns null;
// any other error is thrown.
export async function getOrShowNotFound(ctx, path, title, backHref, backText) {
  try {
    return await ctx.api('GET', path);
  } catch (err) {
    if (err.status !== 404) throw err;
    append(ctx.main, pageHeader(title), errorBox(err), h('p', null, h('a', { href: backHref }, backText)));
    return null;
  }
}

// Awaits load() (which paints `holder` itself). When it fails, shows the error in
// `holder` instead, with a "Try again" button calling retry when given, and
// returns false; an abort (the page was left) is thrown on.
export async function loadOrShowError(holder, load, retry) {
  try {
    await load();
    return true;
  } catch (err) {
    if (isAbort(err)) throw err;
    replace(holder, errorBox(err, { retry }));
    return false;
  }
}

export function section(title, ...children) {
  const headingId = uid('sec');
  return h('section', { class: 'card', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title), children);
}

export function emptyState(text) {
  return h('p', { class: 'empty', 'data-testid': 'empty' }, text);
}

export function linkButton(href, text, cls = 'btn', testid) {
  return h('a', { class: cls, href, 'data-testid': testid }, text);
}

export function button(text, onclick, cls = 'btn', attrs = {}) {
  return h('button', { type: 'button', class: cls, onclick, ...attrs }, text);
}

// --- Forms ------------------------------------------------------------------------

// A labelled field. `input` gets an id, data-field (the API field path it edits)
// and aria-describedby pointing at its help and error texts.
export function field(label, input, { name, help, wide = false, inline = false } = {}) {
  const id = input.id || uid('f');
  input.id = id;
  if (name) input.setAttribute('data-field', name);
  const errorId = `${id}-error`;
  const helpId = help ? `${id}-help` : null;
  input.setAttribute('aria-describedby', [helpId, errorId].filter(Boolean).join(' '));
  const errorEl = h('p', { class: 'field-error', id: errorId, 'data-testid': name ? `field-error-${name}` : null, 'data-error-for': name || null });
  return h('div', { class: ['field', wide && 'field-wide', inline && 'field-inline'] },
    inline ? [input, h('label', { for: id }, label)] : [h('label', { for: id }, label), input],
    help ? h('p', { class: 'field-help', id: helpId }, help) : null,
    errorEl);
}

// A group of inputs (checkboxes) named by one API field.
export function fieldset(legend, children, { name, help } = {}) {
  const errorId = uid('fs-error');
  return h('fieldset', { class: 'field fieldset', 'data-field': name || null, 'aria-describedby': errorId },
    h('legend', null, legend),
    help ? h('p', { class: 'field-help' }, help) : null,
    h('div', { class: 'fieldset-items' }, children),
    h('p', { class: 'field-error', id: errorId, 'data-testid': name ? `field-error-${name}` : null, 'data-error-for': name || null }));
}

export function input(attrs = {}) {
  return h('input', { type: 'text', ...attrs });
}

export function select(options, attrs = {}) {
  const el = h('select', attrs);
  for (const o of options) {
    const opt = typeof o === 'object' ? o : { value: o, label: o };
    el.appendChild(h('option', { value: String(opt.value) }, opt.label));
  }
  if (attrs.value !== undefined) el.value = String(attrs.value);
  return el;
}

// Candidate field paths for an error field, most specific first:
// "stages[0].targets[1].contact" → that, "stages[0].targets[1]", "stages[0].targets", "stages[0]", "stages".
export function fieldCandidates(path) {
  const out = [path];
  let p = path;
  for (;;) {
    const m = p.match(/^(.+?)(\[\d+\]|\.[^.[\]]+)$/);
    if (!m) break;
    p = m[1];
    out.push(p);
  }
  return out;
}

// Shows server validation errors next to the input named by error.field, else
// at the top of the form.
export class FormErrors {
  constructor(form, top) {
    this.form = form;
    this.top = top || messageSlot();
  }

  clear() {
    this.top.clear();
    for (const el of this.form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of this.form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
    for (const el of this.form.querySelectorAll('.has-error')) el.classList.remove('has-error');
  }

  show(err, { focus = true } = {}) {
    this.clear();
    if (isAbort(err)) return;
    const target = err?.field ? this.find(err.field) : null;
    if (!target) {
      this.top.error(err);
      return;
    }
    const path = target.getAttribute('data-field');
    const container = target.closest('.field') || target;
    container.classList.add('has-error');
    const errorEl = [...this.form.querySelectorAll('[data-error-for]')].find((e) => e.getAttribute('data-error-for') === path)
      || container.querySelector(':scope > .field-error');
    if (!errorEl) {
      this.top.error(err);
      return;
    }
    append(errorEl, err.message, err.requestId ? h('span', { class: 'request-id' }, ` (request id ${err.requestId})`) : null);
    target.setAttribute('aria-invalid', 'true');
    const focusable = target.matches('input, select, textarea, button') ? target : target.querySelector('input, select, textarea');
    if (focus && focusable) focusable.focus();
  }

  find(path) {
    const fields = [...this.form.querySelectorAll('[data-field]')];
    for (const candidate of fieldCandidates(path)) {
      const el = fields.find((f) => f.getAttribute('data-field') === candidate);
      if (el) return el;
    }
    return null;
  }
}

// Wires the usual submit handling to `form` and returns its FormErrors, whose
// top slot is put first in the form. On submit: the page load is prevented,
// the old errors are cleared, then `await action(send)` runs, where
// send(request) runs request() with `button` busy (showing busyText) and
// returns its result. So what action does before send runs first, and what it
// does after send runs once the button is back. Whatever action throws (send's
// request failing included) goes to onError(err) when given, and unless that
// returns (or resolves to) true, to errors.show(err): next to the field the
// error names, else at the top of the form.
export function onSubmit(form, button, busyText, action, { onError } = {}) {
  const errors = new FormErrors(form);
  form.prepend(errors.top.el);
  const send = (request) => busy(button, request, busyText);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    errors.clear();
    try {
      await action(send);
    } catch (err) {
      if (onError && await onError(err)) return;
      errors.show(err);
    }
  });
  return errors;
}

// "k=v" lines ⇄ {k: v}
export function parseTags(text) {
  const out = {};
  for (const line of String(text || '').split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq < 0) out[t] = '';
    else out[t.slice(0, eq).trim()] = t.slice(eq + 1).trim();
  }
  return out;
}

export function formatTags(tags) {
  return Object.entries(tags || {}).map(([k, v]) => `${k}=${v}`).join('\n');
}

// Merge-patch form of replacing object `before` by `after`: removed keys become null.
export function replaceObjectPatch(before, after) {
  const out = { ...after };
  for (const key of Object.keys(before || {})) if (!(key in after)) out[key] = null;
  return out;
}

// --- Timing -----------------------------------------------------------------------

// Returns trigger(): runs `fn` at most once per `ms`, never two at once, and once
// more after the current run when triggered meanwhile. Stops when `signal` aborts.
export function throttled(fn, ms, signal) {
  let last = 0;
  let timer = null;
  let running = false;
  let again = false;
  async function run() {
    timer = null;
    if (signal?.aborted) return;
    running = true;
    last = Date.now();
    try {
      await fn();
    } catch {
      // fn reports its own errors in the page.
    } finally {
      running = false;
      if (again) {
        again = false;
        trigger();
      }
    }
  }
  function trigger() {
    if (signal?.aborted) return;
    if (running) {
      again = true;
      return;
    }
    if (timer !== null) return;
    timer = setTimeout(run, Math.max(0, last + ms - Date.now()));
  }
  signal?.addEventListener('abort', () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  });
  return trigger;
}

export function debounce(fn, ms, signal) {
  let timer = null;
  signal?.addEventListener('abort', () => clearTimeout(timer));
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!signal?.aborted) fn(...args);
    }, ms);
  };
}

// Runs `fn` on the next animation frame, or within 100 ms when frames are not
// being produced (hidden tabs), whichever comes first.
export function nextFrame(fn) {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    fn();
  };
  const timer = setTimeout(once, 100);
  requestAnimationFrame(once);
}

// A box showing a secret (ingest URL) once, with a copy button.
export function secretBox(label, value, testid) {
  const out = h('input', { type: 'text', readOnly: true, value, class: 'secret-value', 'data-testid': testid, 'aria-label': label });
  const status = h('span', { class: 'muted', role: 'status' });
  const copy = button('Copy', async () => {
    try {
      await navigator.clipboard.writeText(value);
      status.textContent = 'Copied.';
    } catch {
      out.select();
      status.textContent = 'Select and copy it with Ctrl+C.';
    }
  }, 'btn btn-small');
  return h('div', { class: 'alert alert-warning secret-box', role: 'status' },
    h('strong', null, label),
    h('p', null, 'Shown only now: the server keeps only a hash of the key. Store it before leaving this page.'),
    h('div', { class: 'secret-row' }, out, copy, status));
}
