// The REST client: JSON in and out, the CSRF header on state-changing requests,
// and one error type carrying the server's error envelope
// {"error": {"code", "message", "field"?, "referrers"?, "requestId"}}.

const BASE = '/api/v1';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

let csrfToken = null;
let unauthorizedHandler = null;
let csrfRefresher = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

// Called (once per request) when the API answers 401 to a request made with
// the session cookie: the session is gone or expired.
export function setUnauthorizedHandler(fn) {
  unauthorizedHandler = fn;
}

// Called when a state-changing request is refused with 403: the session may have
// been replaced (signed in again in another tab), so the token is re-read and
// the request retried once if it changed. Resolves with the current token.
export function setCsrfRefresher(fn) {
  csrfRefresher = fn;
}

export class ApiError extends Error {
  constructor(status, error, requestId) {
    super(error?.message || `request failed (HTTP ${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error?.code || (status === 0 ? 'NETWORK' : `HTTP_${status}`);
    this.field = error?.field || '';
    this.referrers = Array.isArray(error?.referrers) ? error.referrers : [];
    this.requestId = error?.requestId || requestId || '';
  }
}

function buildQuery(query) {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

// Percent-encodes one path segment (ids, aliases, names; related item ids contain '/').
export function seg(value) {
  return encodeURIComponent(String(value));
}

// api('GET', '/incidents', {query, body, headers, signal, full, noAuthRedirect})
// resolves with the parsed body (null for 204), or {status, data, headers} with full.
export async function api(method, path, options = {}) {
  const { query, body, headers = {}, signal, full = false, noAuthRedirect = false, retried = false } = options;
  const init = { method, headers: { Accept: 'application/json', ...headers }, credentials: 'same-origin', signal };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const sentToken = csrfToken;
  if (!SAFE_METHODS.has(method) && sentToken) init.headers['X-CSRF-Token'] = sentToken;

  let response;
  try {
    response = await fetch(BASE + path + buildQuery(query), init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, { code: 'NETWORK', message: 'Cannot reach the Tocsin server. Check your connection and try again.' });
  }
  const requestId = response.headers.get('X-Request-Id') || '';
  let data = null;
  if (response.status !== 204) {
    const text = await response.text();
    if (text) {
      const type = response.headers.get('Content-Type') || '';
      if (type.includes('json')) {
        try {
          data = JSON.parse(text);
        } catch {
          data = null;
        }
      } else {
        data = text;
      }
    }
  }
  if (!response.ok) {
    const envelope = data && typeof data === 'object' && data.error ? data.error : null;
    const err = new ApiError(response.status, envelope || {
      message: `The server answered HTTP ${response.status} ${response.statusText}`.trim(),
    }, requestId);
    if (response.status === 401 && !noAuthRedirect && unauthorizedHandler) unauthorizedHandler(err);
    if (response.status === 403 && !SAFE_METHODS.has(method) && !retried && csrfRefresher && path !== '/session') {
      let fresh = null;
      try {
        fresh = await csrfRefresher();
      } catch (refreshError) {
        if (refreshError.status === 401 && !noAuthRedirect && unauthorizedHandler) unauthorizedHandler(refreshError);
        fresh = null;
      }
      if (fresh && fresh !== sentToken) return api(method, path, { ...options, retried: true });
    }
    throw err;
  }
  if (full) return { status: response.status, data, headers: response.headers, requestId };
  return data;
}

// Follows nextCursor until `max` items were read (for selects and small lists).
export async function listAll(path, { query = {}, signal, max = 1000 } = {}) {
  const items = [];
  let cursor = '';
  for (;;) {
    const page = await api('GET', path, { query: { ...query, limit: 100, cursor }, signal });
    items.push(...(page?.items || []));
    cursor = page?.nextCursor || '';
    if (!cursor || items.length >= max) break;
  }
  return items;
}

export function ifMatch(version) {
  return { 'If-Match': `"${version}"` };
}
