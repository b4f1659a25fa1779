// DOM building and formatting helpers. Everything the server sends is put into
// the page through text nodes and properties, never parsed as HTML.

const BOOLEAN_PROPS = new Set([
  'disabled', 'checked', 'hidden', 'required', 'selected', 'multiple', 'open', 'readOnly',
  'autofocus', 'noValidate',
]);

// h('button', {class: 'btn', onclick: fn, 'data-testid': 'x'}, 'text', child, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class' || key === 'className') {
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      } else if (key === 'style') {
        throw new Error('h(): use classes, not inline styles (CSP)');
      } else if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2).toLowerCase(), value);
      } else if (BOOLEAN_PROPS.has(key)) {
        el[key] = Boolean(value);
      } else if (key === 'value') {
        el.value = value;
      } else if (key === 'text') {
        el.textContent = String(value);
      } else if (value === true) {
        el.setAttribute(key, '');
      } else {
        el.setAttribute(key, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

// append(el, child, [children], ...): strings become text nodes; arrays are flattened.
export function append(el, ...children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false || child === true) continue;
    if (Array.isArray(child)) {
      append(el, ...child);
    } else if (child instanceof Node) {
      el.appendChild(child);
    } else {
      el.appendChild(document.createTextNode(String(child)));
    }
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, ...children);
}

let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// --- Time -------------------------------------------------------------------

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function parseTime(iso) {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t);
}

export function fmtDateTime(iso) {
  const d = parseTime(iso);
  return d ? dateTimeFormat.format(d) : '—';
}

export function fmtTime(date) {
  return timeFormat.format(date);
}

export function fmtDay(date) {
  return dayFormat.format(date);
}

export function fmtRelative(iso, now = Date.now()) {
  const d = parseTime(iso);
  if (!d) return '';
  const seconds = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return relativeFormat.format(seconds, 'second');
  if (abs < 3600) return relativeFormat.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
  return relativeFormat.format(Math.round(seconds / 86400), 'day');
}

// A <time> element showing the local date and time, with the relative time as a tooltip.
export function timeEl(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  return h('time', { datetime: iso, title: fmtRelative(iso) }, fmtDateTime(iso));
}

function pad(n) {
  return String(n).padStart(2, '0');
}

// Local calendar date "YYYY-MM-DD" of a Date.
export function localDateKey(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// Value for <input type="datetime-local"> from an ISO time (local wall clock).
export function toLocalInput(iso) {
  const d = typeof iso === 'string' ? parseTime(iso) : iso;
  if (!d) return '';
  return `${localDateKey(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// ISO (UTC) from a datetime-local value; '' when empty, the raw text when unparseable
// (the server then names the field).
export function fromLocalInput(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

// --- Domain labels -------------------------------------------------------------

export const IMPACTS = [
  { value: 1, label: 'Critical' },
  { value: 2, label: 'High' },
  { value: 3, label: 'Medium' },
  { value: 4, label: 'Low' },
  { value: 5, label: 'No impact' },
];

export function impactLabel(n) {
  const found = IMPACTS.find((i) => i.value === Number(n));
  return found ? found.label : `Impact ${n}`;
}

export function impactBadge(n) {
  const v = Number(n);
  const cls = v >= 1 && v <= 5 ? `impact-${v}` : 'impact-unknown';
  return h('span', { class: ['badge', 'impact', cls], 'data-testid': 'impact-badge', 'data-impact': String(v) },
    `${v} ${impactLabel(v)}`);
}

export function stateBadge(state, extra) {
  const s = String(state || '').toLowerCase().replace(/[^a-z_]/g, '');
  return h('span', { class: ['badge', 'state', `state-${s}`, extra] }, String(state || '—'));
}

// Parses a JSON string, returning null instead of throwing.
export function tryJson(text) {
  if (typeof text !== 'string' || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// Stable small hash of a string, for picking one of a few colour classes.
export function colorIndex(text, n = 8) {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash % n;
}

export function isAbort(err) {
  return err && (err.name === 'AbortError' || err.aborted === true);
}
