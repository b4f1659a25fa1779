// Live ledger entries over Server-Sent Events (GET /api/v1/stream).
//
// The browser's EventSource reconnects by itself (sending Last-Event-ID) after a
// dropped connection or the end of a catch-up installment. When the server
// refuses the stream (401, 503) EventSource gives up; we then check the session
// (a 401 there means signed out) and reconnect ourselves with ?lastEventId= so
// that nothing is missed.
import { api } from './api.js';
import { h } from './dom.js';

const MAX_BACKOFF_MS = 30000;

// openStream(url, {onEntry(entry), onOpen(), onState(state), onUnauthorized()})
// → {close(), state}
export function openStream(url, handlers = {}) {
  let es = null;
  let lastEventId = '';
  let closed = false;
  let backoff = 1000;
  let retryTimer = null;
  let state = 'connecting';

  const setState = (s) => {
    if (s === state) return;
    state = s;
    if (handlers.onState) handlers.onState(s);
  };

  function connect() {
    if (closed) return;
    let target = url;
    if (lastEventId) target += `${url.includes('?') ? '&' : '?'}lastEventId=${encodeURIComponent(lastEventId)}`;
    es = new EventSource(target);
    es.addEventListener('open', () => {
      backoff = 1000;
      setState('open');
      if (handlers.onOpen) handlers.onOpen();
    });
    es.addEventListener('timeline', (ev) => {
      if (ev.lastEventId) lastEventId = ev.lastEventId;
      let entry;
      try {
        entry = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (handlers.onEntry) handlers.onEntry(entry);
    });
    es.addEventListener('error', () => {
      if (closed) return;
      if (es.readyState === EventSource.CLOSED) {
        es = null;
        setState('reconnecting');
        recover();
      } else {
        setState('reconnecting');
      }
    });
  }

  async function recover() {
    try {
      await api('GET', '/session', { noAuthRedirect: true });
    } catch (err) {
      if (closed) return;
      if (err.status === 401) {
        setState('closed');
        if (handlers.onUnauthorized) handlers.onUnauthorized(err);
        return;
      }
    }
    if (closed) return;
    retryTimer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      if (es) es.close();
      es = null;
      setState('closed');
    },
    get state() {
      return state;
    },
  };
}

const STATE_TEXT = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
};

// A small "Live" indicator; returns {el, set(state)}.
export function liveIndicator() {
  const text = h('span', null, STATE_TEXT.connecting);
  const el = h('span', { class: 'live-indicator', 'data-testid': 'live-status', 'data-state': 'connecting', role: 'status' },
    h('span', { class: 'live-dot', 'aria-hidden': 'true' }), text);
  return {
    el,
    set(state) {
      el.setAttribute('data-state', state);
      text.textContent = STATE_TEXT[state] || state;
    },
  };
}
