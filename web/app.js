// Tocsin dashboard: the entry module. Hash routing, the header, the theme, and
// the session check that sends signed-out visitors to #/login?next=<hash>.
import { api, setUnauthorizedHandler } from './js/api.js';
import { h, replace, isAbort } from './js/dom.js';
import { openStream } from './js/live.js';
import { session, loadSession, logout, dropSession, onSessionChange, isAdmin, canRespond } from './js/session.js';
import { errorBox, loading, takeFlash } from './js/ui.js';
import * as loginPage from './js/page_login.js';
import * as incidentsPage from './js/page_incidents.js';
import * as incidentPage from './js/page_incident.js';
import * as startPage from './js/page_start.js';
import * as contactsPage from './js/page_contacts.js';
import * as escalationPage from './js/page_escalation.js';
import * as rotationsPage from './js/page_rotations.js';
import * as responsePlansPage from './js/page_response_plans.js';
import * as integrationsPage from './js/page_integrations.js';
import * as usersPage from './js/page_users.js';

const NAV = [
  { href: '#/incidents', label: 'Incidents', match: /^\/incidents/ },
  { href: '#/contacts', label: 'Contacts', match: /^\/contacts/ },
  { href: '#/escalation-plans', label: 'Escalation plans', match: /^\/escalation-plans/ },
  { href: '#/rotations', label: 'Rotations', match: /^\/rotations/ },
  { href: '#/response-plans', label: 'Response plans', match: /^\/response-plans/ },
  { href: '#/integrations', label: 'Integrations', match: /^\/integrations/ },
  { href: '#/users', label: 'Users', match: /^\/users/, admin: true },
];

// [pattern, render(ctx), title]
const ROUTES = [
  [/^\/login$/, loginPage.render, 'Sign in'],
  [/^\/incidents$/, incidentsPage.render, 'Incidents'],
  [/^\/incidents\/([^/]+)$/, incidentPage.render, 'Incident'],
  [/^\/start$/, startPage.render, 'Start incident'],
  [/^\/contacts$/, contactsPage.renderList, 'Contacts'],
  [/^\/contacts\/([^/]+)$/, contactsPage.renderOne, 'Contact'],
  [/^\/escalation-plans$/, escalationPage.render, 'Escalation plans'],
  [/^\/rotations$/, rotationsPage.renderList, 'Rotations'],
  [/^\/rotations\/([^/]+)$/, rotationsPage.renderOne, 'Rotation'],
  [/^\/response-plans$/, responsePlansPage.renderList, 'Response plans'],
  [/^\/response-plans\/([^/]+)$/, responsePlansPage.renderOne, 'Response plan'],
  [/^\/integrations$/, integrationsPage.render, 'Integrations'],
  [/^\/users$/, usersPage.render, 'Users'],
];

const THEME_KEY = 'tocsin-theme';
const header = document.getElementById('app-header');
const main = document.getElementById('main');

let current = null; // {controller, cleanups}
let menuOpen = false;
let ready = false; // The session check at start-up is done.

// --- Theme --------------------------------------------------------------------------

function storedTheme() {
  try {
    const t = localStorage.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : '';
  } catch {
    return '';
  }
}

function effectiveTheme() {
  const t = document.documentElement.getAttribute('data-theme');
  if (t === 'light' || t === 'dark') return t;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function applyTheme(theme) {
  if (theme) document.documentElement.setAttribute('data-theme', theme);
  else document.documentElement.removeAttribute('data-theme');
}

function toggleTheme() {
  const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
  applyTheme(next);
  try {
    localStorage.setItem(THEME_KEY, next);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  renderHeader();
}

// --- Routing ------------------------------------------------------------------------

export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  return { path: path || '/', query };
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('#/') || next.startsWith('#/login')) return '#/incidents';
  return next;
}

function goToLogin() {
  const { path } = parseHash();
  if (path === '/login') return;
  const next = location.hash && location.hash !== '#' && location.hash !== '#/' ? location.hash : '#/incidents';
  location.replace(`#/login?next=${encodeURIComponent(next)}`);
}

function teardown() {
  if (!current) return;
  current.controller.abort();
  for (const fn of current.cleanups.splice(0)) {
    try {
      fn();
    } catch {
      // A cleanup failing must not keep the next page from showing.
    }
  }
  current = null;
}

async function route() {
  if (!ready) return;
  const { path, query } = parseHash();
  if (path === '/' || path === '') {
    location.replace('#/incidents');
    return;
  }
  if (!session() && path !== '/login') {
    teardown();
    goToLogin();
    return;
  }
  if (session() && path === '/login') {
    location.replace(safeNext(query.get('next')));
    return;
  }
  teardown();
  menuOpen = false;
  renderHeader();

  const controller = new AbortController();
  const cleanups = [];
  current = { controller, cleanups };
  const view = h('div', { class: 'view' });
  replace(main, view);

  let found = null;
  for (const [pattern, render, title] of ROUTES) {
    const m = path.match(pattern);
    if (m) {
      found = { render, title, params: m.slice(1).map((p) => safeDecode(p)) };
      break;
    }
  }
  if (!found) {
    document.title = 'Not found · Tocsin';
    view.appendChild(h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, 'Page not found')));
    view.appendChild(h('p', null, 'There is nothing at this address. ', h('a', { href: '#/incidents' }, 'Go to the incidents.')));
    focusView(view);
    return;
  }
  document.title = `${found.title} · Tocsin`;
  const flash = takeFlash();
  if (flash) view.appendChild(flash);

  const ctx = {
    path,
    params: found.params,
    query,
    main: view,
    signal: controller.signal,
    // A page that was left (its requests aborted) no longer steers.
    navigate: (hash) => {
      if (!controller.signal.aborted) navigate(hash);
    },
    onCleanup: (fn) => cleanups.push(fn),
    setTitle: (t) => {
      if (!controller.signal.aborted) document.title = `${t} · Tocsin`;
    },
    // Calls the API with this page's abort signal.
    api: (method, p, opts = {}) => api(method, p, { signal: controller.signal, ...opts }),
    // Opens a live stream closed when the page is left.
    stream: (url, handlers) => {
      const s = openStream(url, { onUnauthorized: onUnauthorized, ...handlers });
      cleanups.push(() => s.close());
      return s;
    },
  };
  try {
    await found.render(ctx);
    if (!controller.signal.aborted) focusView(view);
  } catch (err) {
    if (isAbort(err) || controller.signal.aborted) return;
    if (err && err.status === 401) return; // Already on the way to the login page.
    view.appendChild(errorBox(err, { retry: () => route() }));
  }
}

function safeDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function focusView(view) {
  const target = view.querySelector('[autofocus]') || view.querySelector('h1');
  if (target && document.activeElement !== target) target.focus({ preventScroll: true });
}

function onUnauthorized() {
  dropSession();
  teardown();
  goToLogin();
}

// --- Header -------------------------------------------------------------------------

function renderHeader() {
  const s = session();
  const { path } = parseHash();
  const dark = effectiveTheme() === 'dark';
  const themeButton = h('button', {
    type: 'button', class: 'btn btn-ghost theme-toggle', 'data-testid': 'theme-toggle',
    'aria-label': dark ? 'Switch to the light theme' : 'Switch to the dark theme', onclick: toggleTheme,
  }, h('span', { class: 'theme-icon', 'aria-hidden': 'true' }, dark ? '☀' : '☾'), h('span', { class: 'theme-text' }, dark ? 'Light' : 'Dark'));

  if (!s) {
    replace(header, h('div', { class: 'bar' },
      h('a', { class: 'brand', href: '#/incidents' }, brandMark(), 'Tocsin'),
      h('div', { class: 'header-actions' }, themeButton)));
    return;
  }
  const links = NAV.filter((n) => !n.admin || isAdmin()).map((n) => h('a', {
    href: n.href, class: 'nav-link', 'aria-current': n.match.test(path) ? 'page' : null,
  }, n.label));
  const toggle = h('button', {
    type: 'button', class: 'btn btn-ghost menu-toggle', 'aria-expanded': menuOpen ? 'true' : 'false',
    'aria-controls': 'primary-nav', 'data-testid': 'menu-toggle',
    onclick: () => {
      menuOpen = !menuOpen;
      renderHeader();
    },
  }, h('span', { 'aria-hidden': 'true' }, '☰'), ' Menu');
  const logoutButton = h('button', {
    type: 'button', class: 'btn btn-ghost', 'data-testid': 'logout',
    onclick: async () => {
      logoutButton.disabled = true;
      teardown();
      try {
        await logout();
      } catch {
        // Signed out locally either way; the cookie expires on its own.
      }
      location.replace('#/login');
    },
  }, 'Sign out');
  replace(header, h('div', { class: ['bar', menuOpen && 'menu-open'] },
    h('a', { class: 'brand', href: '#/incidents' }, brandMark(), 'Tocsin'),
    canRespond() ? h('a', { class: 'btn btn-primary start-button', href: '#/start', 'data-testid': 'start-incident-link' }, 'Start incident') : null,
    toggle,
    h('div', { class: 'nav-panel', id: 'primary-nav' },
      h('nav', { class: 'nav', 'aria-label': 'Main' }, links),
      h('div', { class: 'header-actions' },
        h('span', { class: 'user', 'data-testid': 'current-user' },
          h('span', { class: 'user-name' }, s.user.name), ' ',
          h('span', { class: `badge role role-${s.user.role}`, 'data-testid': 'current-role' }, s.user.role)),
        themeButton,
        logoutButton))));
}

function brandMark() {
  return h('span', { class: 'brand-mark', 'aria-hidden': 'true' });
}

// --- Boot ---------------------------------------------------------------------------

async function start() {
  replace(main, loading('Loading Tocsin…'));
  try {
    await loadSession();
  } catch (err) {
    replace(main, h('div', { class: 'view' },
      h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, 'Tocsin is not reachable')),
      errorBox(err, { retry: () => start() })));
    return;
  }
  ready = true;
  route();
}

function init() {
  applyTheme(storedTheme());
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => renderHeader());
  setUnauthorizedHandler(onUnauthorized);
  onSessionChange(() => renderHeader());
  window.addEventListener('unhandledrejection', (ev) => {
    if (isAbort(ev.reason)) ev.preventDefault();
  });
  window.addEventListener('hashchange', () => route());
  renderHeader();
  start();
}

init();
