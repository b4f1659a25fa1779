// #/incidents: Open and Resolved tabs, filters, counts by impact, live updates.
//
// Built to stay responsive with 10,000 open incidents and 50 updates a second:
// pages of 50 with "Load more" (keyset cursor); each stream entry patches the
// state of one row and marks it dirty; the DOM is touched once per animation
// frame for all dirty rows; counts and first-page reconciliations are
// throttled to at most one request per second. Nothing re-renders the list.
import { listAll, seg } from './api.js';
import { h, append, replace, clear, timeEl, impactBadge, stateBadge, IMPACTS, tryJson, fromLocalInput, toLocalInput, parseTime, isAbort } from './dom.js';
import { liveIndicator } from './live.js';
import { errorBox, pageHeader, messageSlot, throttled, nextFrame, button, select, spinner } from './ui.js';
import { canRespond } from './session.js';

const PAGE_SIZE = 50;
const MAX_ROWS = 2000; // Past this many rows live inserts stop and a banner offers a reload.
const FETCH_BATCH = 20;

function readFilters(query) {
  return {
    status: query.get('status') === 'RESOLVED' ? 'RESOLVED' : 'OPEN',
    impact: (query.get('impact') || '').split(',').filter((x) => /^[1-5]$/.test(x)).map(Number),
    responsePlan: query.get('responsePlan') || '',
    createdAfter: query.get('createdAfter') || '',
    createdBefore: query.get('createdBefore') || '',
  };
}

function filtersHash(f) {
  const q = new URLSearchParams();
  if (f.status === 'RESOLVED') q.set('status', 'RESOLVED');
  if (f.impact.length) q.set('impact', f.impact.join(','));
  if (f.responsePlan) q.set('responsePlan', f.responsePlan);
  if (f.createdAfter) q.set('createdAfter', f.createdAfter);
  if (f.createdBefore) q.set('createdBefore', f.createdBefore);
  const s = q.toString();
  return `#/incidents${s ? `?${s}` : ''}`;
}

function listQuery(f, withImpact = true) {
  return {
    status: f.status,
    impact: withImpact ? f.impact : undefined,
    responsePlan: f.responsePlan,
    createdAfter: f.createdAfter,
    createdBefore: f.createdBefore,
  };
}

function timeOf(iso) {
  const d = parseTime(iso);
  return d ? d.getTime() : 0;
}

// Newest first; ties by id (descending) so that the order is total.
function newer(a, b) {
  const ta = timeOf(a.createdAt);
  const tb = timeOf(b.createdAt);
  if (ta !== tb) return ta > tb;
  return a.id > b.id;
}

export async function render(ctx) {
  const filters = readFilters(ctx.query);
  const live = liveIndicator();
  const messages = messageSlot();

  // --- State ---------------------------------------------------------------------
  const rows = new Map(); // id → {inc, tr, cells}
  let order = []; // ids in display order (newest first)
  let nextCursor = '';
  let ready = false;
  const buffered = [];
  const dirty = new Set();
  const pendingInsert = new Map();
  const pendingRemove = new Set();
  const pendingFetch = new Set();
  const gone = new Set(); // Left this tab (resolved / reopened): stale first-page reads must not bring them back.
  let flushQueued = false;
  let overflowCount = 0;

  // --- Layout ----------------------------------------------------------------------
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Incident status' },
    ['OPEN', 'RESOLVED'].map((s) => h('a', {
      href: filtersHash({ ...filters, status: s }),
      class: 'tab',
      'aria-current': filters.status === s ? 'page' : null,
      'data-testid': `tab-${s.toLowerCase()}`,
    }, s === 'OPEN' ? 'Open' : 'Resolved')));

  const countsEl = h('div', { class: 'counts', 'data-testid': 'counts', 'aria-live': 'polite' });
  const countsError = h('div');
  const tbody = h('tbody', { 'data-testid': 'incident-list' });
  const emptyRow = h('tr', { class: 'empty-row', hidden: true }, h('td', { colspan: '5' }, 'No incidents match.'));
  const banner = h('div', { class: 'list-banner', hidden: true });
  const loadMore = button('Load more', () => loadNextPage(), 'btn', { 'data-testid': 'load-more', hidden: true });
  const listStatus = h('p', { class: 'muted list-status', role: 'status' });

  const table = h('table', { class: 'table incidents-table' },
    h('caption', { class: 'visually-hidden' }, filters.status === 'OPEN' ? 'Open incidents, newest first' : 'Resolved incidents, newest first'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Impact'),
      h('th', { scope: 'col' }, 'Title'),
      h('th', { scope: 'col' }, 'Status'),
      h('th', { scope: 'col' }, 'Response plan'),
      h('th', { scope: 'col' }, 'Created'))),
    tbody);
  tbody.appendChild(emptyRow);

  const filterForm = buildFilterForm(ctx, filters);

  append(ctx.main, 
    pageHeader('Incidents', live.el,
      canRespond() ? h('a', { class: 'btn btn-primary', href: '#/start', 'data-testid': 'start-incident-button' }, 'Start incident') : null),
    tabs,
    messages.el,
    countsEl, countsError,
    filterForm,
    banner,
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'list-footer' }, loadMore, listStatus));

  // --- Rows ------------------------------------------------------------------------
  function buildRow(inc) {
    const titleLink = h('a', { href: `#/incidents/${seg(inc.id)}`, class: 'incident-title', 'data-testid': 'incident-link' });
    const cells = {
      impact: h('td', { class: 'col-impact', 'data-label': 'Impact' }),
      title: h('td', { class: 'col-title', 'data-label': 'Title' }, titleLink),
      status: h('td', { class: 'col-status', 'data-label': 'Status' }),
      plan: h('td', { class: 'col-plan', 'data-label': 'Plan' }),
      created: h('td', { class: 'col-created', 'data-label': 'Created' }),
      link: titleLink,
    };
    const tr = h('tr', { 'data-testid': 'incident-row', 'data-id': inc.id },
      cells.impact, cells.title, cells.status, cells.plan, cells.created);
    const row = { inc, tr, cells, shown: {} };
    paintRow(row);
    return row;
  }

  // Writes only what changed since the last paint.
  function paintRow(row) {
    const { inc, cells, shown } = row;
    // Calls paint(value) unless `value` is what cell `key` already shows.
    const paintCell = (key, value, paint) => {
      if (shown[key] === value) return;
      paint(value);
      shown[key] = value;
    };
    paintCell('impact', inc.impact, (v) => replace(cells.impact, impactBadge(v)));
    paintCell('title', inc.title, (v) => { cells.link.textContent = v || '(untitled)'; });
    paintCell('status', inc.status, (v) => replace(cells.status, stateBadge(v)));
    paintCell('plan', inc.responsePlan, (v) => { cells.plan.textContent = v || ''; });
    paintCell('created', inc.createdAt, (v) => replace(cells.created, timeEl(v)));
  }

  function matches(inc) {
    if (inc.status && inc.status !== filters.status) return false;
    if (filters.impact.length && !filters.impact.includes(Number(inc.impact))) return false;
    if (filters.responsePlan && inc.responsePlan !== filters.responsePlan && inc.responsePlanId !== filters.responsePlan) return false;
    const t = timeOf(inc.createdAt);
    if (filters.createdAfter && t <= timeOf(filters.createdAfter)) return false;
    if (filters.createdBefore && t >= timeOf(filters.createdBefore)) return false;
    return true;
  }

  // Appends a fetched page (already in order) at the bottom.
  function appendPage(items) {
    const frag = document.createDocumentFragment();
    for (const inc of items) {
      if (rows.has(inc.id)) {
        const row = rows.get(inc.id);
        row.inc = { ...row.inc, ...inc };
        paintRow(row);
        continue;
      }
      const row = buildRow(inc);
      rows.set(inc.id, row);
      order.push(inc.id);
      frag.appendChild(row.tr);
    }
    tbody.appendChild(frag);
    updateChrome();
  }

  // Inserts at its place by creation time; false when it belongs to the part of
  // the list not loaded yet (older than the last loaded row while more pages exist).
  function insertSorted(inc) {
    if (rows.size >= MAX_ROWS) {
      overflowCount += 1;
      return false;
    }
    let index = order.findIndex((id) => newer(inc, rows.get(id).inc));
    if (index < 0) {
      if (nextCursor) return false;
      index = order.length;
    }
    const row = buildRow(inc);
    rows.set(inc.id, row);
    const before = index < order.length ? rows.get(order[index]).tr : null;
    order.splice(index, 0, inc.id);
    tbody.insertBefore(row.tr, before);
    row.tr.classList.add('row-new');
    setTimeout(() => row.tr.classList.remove('row-new'), 1500);
    return true;
  }

  function removeRow(id) {
    const row = rows.get(id);
    if (!row) return;
    row.tr.remove();
    rows.delete(id);
    order = order.filter((x) => x !== id);
  }

  function updateChrome() {
    emptyRow.hidden = rows.size > 0;
    loadMore.hidden = !nextCursor;
    listStatus.textContent = rows.size ? `Showing ${rows.size} incident${rows.size === 1 ? '' : 's'}${nextCursor ? ' (more available)' : ''}.` : '';
    if (overflowCount > 0) {
      banner.hidden = false;
      replace(banner, `${overflowCount} more incident${overflowCount === 1 ? '' : 's'} arrived. `,
        button('Reload the list', () => ctx.navigate(filtersHash(filters)), 'btn btn-small'));
    }
  }

  // --- Batched DOM updates ---------------------------------------------------------
  function scheduleFlush() {
    if (flushQueued) return;
    flushQueued = true;
    nextFrame(flush);
  }

  function flush() {
    flushQueued = false;
    if (ctx.signal.aborted) return;
    for (const id of pendingRemove) removeRow(id);
    pendingRemove.clear();
    for (const id of dirty) {
      const row = rows.get(id);
      if (row) paintRow(row);
    }
    dirty.clear();
    const inserts = [...pendingInsert.values()].sort((a, b) => (newer(a, b) ? 1 : -1));
    pendingInsert.clear();
    // Oldest first, so that each newer one lands above it.
    for (const inc of inserts) {
      if (!rows.has(inc.id)) insertSorted(inc);
    }
    updateChrome();
  }

  // --- Live entries --------------------------------------------------------------------
  function onEntry(entry) {
    if (!ready) {
      buffered.push(entry);
      return;
    }
    const id = entry.incidentId;
    if (!id) return;
    const data = tryJson(entry.eventData) || {};
    switch (entry.eventType) {
      case 'Incident Created': {
        refreshCounts();
        if (filters.status !== 'OPEN' || rows.has(id)) return;
        const inc = {
          id,
          title: data.title || '',
          impact: Number(data.impact) || 0,
          status: 'OPEN',
          responsePlan: data.responsePlan || '',
          createdAt: entry.eventTime,
        };
        if (!matches(inc)) return;
        pendingInsert.set(id, inc);
        scheduleFlush();
        return;
      }
      case 'Incident Updated': {
        const fieldName = data.field;
        if (fieldName === 'impact') refreshCounts();
        const row = rows.get(id);
        const pending = pendingInsert.get(id);
        const target = row ? row.inc : pending;
        if (!target) {
          if (fieldName === 'impact' && filters.impact.length && filters.impact.includes(Number(data.new))) queueFetch(id);
          return;
        }
        if (fieldName === 'title' || fieldName === 'summary') target[fieldName] = String(data.new ?? '');
        else if (fieldName === 'impact') target.impact = Number(data.new);
        else return;
        if (!matches(target)) {
          pendingInsert.delete(id);
          if (row) pendingRemove.add(id);
        } else if (row) {
          dirty.add(id);
        }
        scheduleFlush();
        return;
      }
      case 'Incident Resolved':
      case 'Incident Reopened': {
        refreshCounts();
        const nowStatus = entry.eventType === 'Incident Resolved' ? 'RESOLVED' : 'OPEN';
        if (nowStatus === filters.status) {
          queueFetch(id);
        } else {
          gone.add(id);
          pendingInsert.delete(id);
          if (rows.has(id)) {
            pendingRemove.add(id);
            scheduleFlush();
          }
        }
        return;
      }
      default:
    }
  }

  // --- Throttled fetches ---------------------------------------------------------------
  function queueFetch(id) {
    pendingFetch.add(id);
    fetchChanged();
  }

  const fetchChanged = throttled(async () => {
    if (pendingFetch.size > FETCH_BATCH) {
      // Many changes at once: one first-page read says more than many single reads.
      pendingFetch.clear();
      await reconcileNow();
      return;
    }
    const ids = [...pendingFetch];
    pendingFetch.clear();
    const results = await Promise.allSettled(ids.map((id) => ctx.api('GET', `/incidents/${seg(id)}`)));
    results.forEach((r, i) => {
      if (r.status !== 'fulfilled') return;
      const inc = r.value;
      const id = ids[i];
      if (matches(inc)) {
        gone.delete(id);
        if (rows.has(id)) {
          const row = rows.get(id);
          row.inc = { ...row.inc, ...inc };
          dirty.add(id);
        } else {
          pendingInsert.set(id, inc);
        }
      } else {
        pendingInsert.delete(id);
        if (rows.has(id)) pendingRemove.add(id);
      }
    });
    scheduleFlush();
  }, 1000, ctx.signal);

  // Reads the first page again and merges it: rows missed while the stream was
  // down (or before it was registered) appear, known rows get fresh data.
  async function reconcileNow() {
    const page = await ctx.api('GET', '/incidents', { query: { ...listQuery(filters), limit: PAGE_SIZE } });
    for (const inc of page.items || []) {
      const row = rows.get(inc.id);
      if (row) {
        row.inc = { ...row.inc, ...inc };
        dirty.add(inc.id);
      } else if (!pendingRemove.has(inc.id) && !gone.has(inc.id)) {
        pendingInsert.set(inc.id, inc);
      }
    }
    if (rows.size === 0 && !nextCursor) nextCursor = page.nextCursor || '';
    scheduleFlush();
  }
  const reconcile = throttled(reconcileNow, 1000, ctx.signal);

  const refreshCounts = throttled(async () => {
    try {
      const counts = await ctx.api('GET', '/incidents/counts', { query: listQuery(filters, false) });
      paintCounts(counts);
      clear(countsError);
    } catch (err) {
      if (!isAbort(err)) replace(countsError, errorBox(err, { testid: 'counts-error' }));
    }
  }, 1000, ctx.signal);

  function paintCounts(counts) {
    const by = counts?.byImpact || {};
    replace(countsEl,
      h('span', { class: 'count-total', 'data-testid': 'count-total' },
        h('strong', null, String(counts?.total ?? 0)), filters.status === 'OPEN' ? ' open' : ' resolved'),
      IMPACTS.map((i) => {
        const active = filters.impact.includes(i.value);
        return h('button', {
          type: 'button',
          class: ['count-chip', `impact-${i.value}`, active && 'active'],
          'aria-pressed': active ? 'true' : 'false',
          'data-testid': `count-impact-${i.value}`,
          title: `Show only impact ${i.value} (${i.label})`,
          onclick: () => {
            const impact = active ? filters.impact.filter((x) => x !== i.value) : [...filters.impact, i.value].sort();
            ctx.navigate(filtersHash({ ...filters, impact }));
          },
        }, h('span', { class: 'count-label' }, i.label), ' ', h('span', { class: 'count-value' }, String(by[String(i.value)] ?? 0)));
      }));
  }

  // --- Paging --------------------------------------------------------------------------
  async function loadNextPage() {
    loadMore.disabled = true;
    const loadingEl = h('span', { class: 'muted' }, spinner(), ' Loading…');
    loadMore.after(loadingEl);
    try {
      const page = await ctx.api('GET', '/incidents', { query: { ...listQuery(filters), limit: PAGE_SIZE, cursor: nextCursor } });
      nextCursor = page.nextCursor || '';
      appendPage(page.items || []);
    } catch (err) {
      messages.error(err, { retry: () => loadNextPage() });
    } finally {
      loadMore.disabled = false;
      loadingEl.remove();
    }
  }

  // --- Start ---------------------------------------------------------------------------
  // The stream first, so that nothing committed after the first page was read is missed.
  ctx.stream('/api/v1/stream', {
    onEntry,
    onState: (s) => live.set(s),
    onOpen: () => {
      if (ready) {
        reconcile();
        refreshCounts();
      }
    },
  });

  const loadingRow = h('tr', null, h('td', { colspan: '5' }, spinner(), ' Loading incidents…'));
  tbody.appendChild(loadingRow);
  refreshCounts();
  try {
    const page = await ctx.api('GET', '/incidents', { query: { ...listQuery(filters), limit: PAGE_SIZE } });
    loadingRow.remove();
    nextCursor = page.nextCursor || '';
    appendPage(page.items || []);
  } catch (err) {
    loadingRow.remove();
    if (isAbort(err)) throw err;
    messages.error(err, { retry: () => ctx.navigate(filtersHash(filters)) });
    updateChrome();
  }
  ready = true;
  for (const entry of buffered.splice(0)) onEntry(entry);
  // Whatever committed between the stream's registration and the read above.
  reconcile();
}

function buildFilterForm(ctx, filters) {
  const impactBoxes = IMPACTS.map((i) => {
    const id = `f-impact-${i.value}`;
    return h('span', { class: 'check' },
      h('input', { type: 'checkbox', id, value: String(i.value), checked: filters.impact.includes(i.value), 'data-testid': `filter-impact-${i.value}` }),
      h('label', { for: id }, `${i.value} ${i.label}`));
  });
  const planSelect = select([{ value: '', label: 'Any response plan' }], { id: 'f-plan', 'data-testid': 'filter-plan' });
  if (filters.responsePlan) {
    planSelect.appendChild(h('option', { value: filters.responsePlan }, filters.responsePlan));
    planSelect.value = filters.responsePlan;
  }
  listAll('/response-plans', { signal: ctx.signal, max: 500 }).then((plans) => {
    for (const p of plans) {
      if (p.name === filters.responsePlan) continue;
      planSelect.appendChild(h('option', { value: p.name }, p.displayName ? `${p.displayName} (${p.name})` : p.name));
    }
  }).catch(() => {
    // The filter still works with a typed-in plan from the address; nothing to show.
  });
  const after = h('input', { type: 'datetime-local', id: 'f-after', value: toLocalInput(filters.createdAfter), 'data-testid': 'filter-after' });
  const before = h('input', { type: 'datetime-local', id: 'f-before', value: toLocalInput(filters.createdBefore), 'data-testid': 'filter-before' });
  const active = filters.impact.length || filters.responsePlan || filters.createdAfter || filters.createdBefore;

  const form = h('form', { class: 'filters', noValidate: true, 'aria-label': 'Filters' },
    h('fieldset', { class: 'filter-impact' }, h('legend', null, 'Impact'), h('div', { class: 'checks' }, impactBoxes)),
    h('div', { class: 'field' }, h('label', { for: 'f-plan' }, 'Response plan'), planSelect),
    h('div', { class: 'field' }, h('label', { for: 'f-after' }, 'Created after'), after),
    h('div', { class: 'field' }, h('label', { for: 'f-before' }, 'Created before'), before),
    h('div', { class: 'filter-actions' },
      h('button', { type: 'submit', class: 'btn', 'data-testid': 'filter-apply' }, 'Apply'),
      active ? h('a', { class: 'btn btn-ghost', href: filtersHash({ status: filters.status, impact: [], responsePlan: '', createdAfter: '', createdBefore: '' }) }, 'Clear') : null));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const impact = [...form.querySelectorAll('.filter-impact input:checked')].map((x) => Number(x.value));
    ctx.navigate(filtersHash({
      status: filters.status,
      impact,
      responsePlan: planSelect.value,
      createdAfter: fromLocalInput(after.value),
      createdBefore: fromLocalInput(before.value),
    }));
  });
  return h('details', { class: 'filters-wrap', open: Boolean(active) || window.matchMedia('(min-width: 760px)').matches },
    h('summary', null, 'Filters'), form);
}
