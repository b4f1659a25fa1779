// The signed-in user. The session cookie is HttpOnly: the page only knows the
// user, the role and the CSRF token that GET/POST /api/v1/session return.
import { api, setCsrfRefresher, setCsrfToken } from './api.js';

const listeners = new Set();
let current = null; // {user: {id, name, role}, csrfToken, expiresAt, idleTimeoutSeconds}

export function session() {
  return current;
}

export function user() {
  return current ? current.user : null;
}

export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function set(value) {
  current = value && value.user ? value : null;
  setCsrfToken(current ? current.csrfToken : null);
  for (const fn of listeners) fn(current);
}

// Reads the current session: the session, or null when there is none (401).
// Other failures (server down, 500) throw.
export async function loadSession() {
  try {
    const s = await api('GET', '/session', { noAuthRedirect: true });
    set(s);
  } catch (err) {
    if (err.status === 401) {
      set(null);
    } else {
      throw err;
    }
  }
  return current;
}

export async function login(name, password) {
  const s = await api('POST', '/session', { body: { name, password }, noAuthRedirect: true });
  set(s);
  return current;
}

export async function logout() {
  try {
    await api('DELETE', '/session', { noAuthRedirect: true });
  } finally {
    set(null);
  }
}

setCsrfRefresher(async () => {
  const s = await api('GET', '/session', { noAuthRedirect: true });
  set(s);
  return current ? current.csrfToken : null;
});

// Forgets the session locally (after a 401).
export function dropSession() {
  if (current) set(null);
}

export function role() {
  return current ? current.user.role : '';
}

export function isAdmin() {
  return role() === 'admin';
}

// Admins and responders change incidents, contacts, plans' people and rotations.
export function canRespond() {
  const r = role();
  return r === 'admin' || r === 'responder';
}
