// #/incidents/<id>: the incident, its live timeline and notes, engagements and
// pages (acknowledge), related items, and the ledger check.
import { ifMatch, seg } from './api.js';
import { h, replace, clear, append, timeEl, impactBadge, stateBadge, impactLabel, IMPACTS, tryJson, parseTime, isAbort } from './dom.js';
import { liveIndicator } from './live.js';
import { canRespond } from './session.js';
import { busy, button, errorBox, field, input, messageSlot, notice, onSubmit, section, select, spinner, throttled, emptyState } from './ui.js';

const TIMELINE_PAGE = 50;
const RELATED_TYPES = ['OTHER', 'ANALYSIS', 'INCIDENT', 'METRIC', 'PARENT', 'ATTACHMENT', 'AUTOMATION', 'INVOLVED_RESOURCE', 'TASK'];
const PAGING_EVENT = /^(Engagement|Page|No One On Call|Incident Acknowledged|Incident Resolved|Incident Reopened)/;

export async function render(ctx) {
  const id = ctx.params[0];
  const writer = canRespond();
  const messages = messageSlot();
  const live = liveIndicator();
  let incident = null;

  // --- Header ------------------------------------------------------------------------
  const titleEl = h('h1', { tabindex: '-1', 'data-testid': 'incident-title' });
  const badges = h('div', { class: 'badges' });
  const meta = h('dl', { class: 'meta' });
  const summaryEl = h('p', { class: 'summary', 'data-testid': 'incident-summary' });
  const actions = h('div', { class: 'page-actions' });
  const editHolder = h('div');

  function paintIncident() {
    const i = incident;
    titleEl.textContent = i.title || '(untitled)';
    ctx.setTitle(i.title || 'Incident');
    replace(badges,
      h('span', { 'data-testid': 'incident-status', 'data-status': i.status }, stateBadge(i.status)),
      impactBadge(i.impact),
      live.el);
    replace(meta,
      h('div', null, h('dt', null, 'Response plan'), h('dd', null, i.responsePlan ? h('a', { href: `#/response-plans/${seg(i.responsePlan)}` }, i.responsePlan) : '—')),
      h('div', null, h('dt', null, 'Created'), h('dd', null, timeEl(i.createdAt))),
      i.resolvedAt ? h('div', null, h('dt', null, 'Resolved'), h('dd', null, timeEl(i.resolvedAt))) : null,
      h('div', null, h('dt', null, 'Created by'), h('dd', null, i.createdBy || '—')),
      h('div', null, h('dt', null, 'Source'), h('dd', null, i.source || '—')));
    summaryEl.textContent = i.summary || '';
    summaryEl.hidden = !i.summary;
    replace(actions,
      writer ? button('Edit', () => openEditor(), 'btn', { 'data-testid': 'edit-button', 'aria-expanded': editor ? 'true' : 'false' }) : null,
      writer && i.status === 'OPEN' ? resolveButton() : null,
      writer && i.status === 'RESOLVED' ? reopenButton() : null);
  }

  function resolveButton() {
    const b = button('Resolve', async () => {
      messages.clear();
      try {
        incident = await busy(b, () => ctx.api('POST', `/incidents/${seg(id)}/resolve`), 'Resolving…');
        paintIncident();
        messages.success('Incident resolved. Paging has stopped.');
        refreshPaging();
      } catch (err) {
        if (isAbort(err)) return;
        messages.error(err);
        refreshIncident();
      }
    }, 'btn btn-danger', { 'data-testid': 'resolve-button' });
    return b;
  }

  function reopenButton() {
    const b = button('Reopen', async () => {
      messages.clear();
      try {
        incident = await busy(b, () => ctx.api('PATCH', `/incidents/${seg(id)}`, { body: { status: 'OPEN' }, headers: ifMatch(incident.version) }), 'Reopening…');
        paintIncident();
        messages.success('Incident reopened.');
      } catch (err) {
        if (isAbort(err)) return;
        if (err.status === 412) {
          await reloadIncident();
          messages.warn(`The incident changed meanwhile and was reloaded; check it and try again. (request id ${err.requestId})`);
        } else {
          messages.error(err);
        }
      }
    }, 'btn', { 'data-testid': 'reopen-button' });
    return b;
  }

  async function reloadIncident() {
    incident = await ctx.api('GET', `/incidents/${seg(id)}`);
    paintIncident();
  }
  const refreshIncident = throttledLoad(reloadIncident, messages, 500, ctx.signal);

  // --- Editing (If-Match) ----------------------------------------------------------
  let editor = null;

  function openEditor() {
    if (editor) {
      editor.title.focus();
      return;
    }
    const title = input({ value: incident.title, maxlength: '200', 'data-testid': 'edit-title' });
    const impact = select(IMPACTS.map((i) => ({ value: i.value, label: `${i.value} ${i.label}` })), { value: incident.impact, 'data-testid': 'edit-impact' });
    const summary = h('textarea', { rows: '4', maxlength: '8000', 'data-testid': 'edit-summary' });
    summary.value = incident.summary || '';
    const save = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'edit-save' }, 'Save');
    const form = h('form', { class: 'form card', noValidate: true, 'aria-label': 'Edit incident' },
      h('h2', null, 'Edit incident'),
      field('Title', title, { name: 'title' }),
      field('Impact', impact, { name: 'impact' }),
      field('Summary', summary, { name: 'summary', wide: true }),
      h('div', { class: 'form-actions' }, save, button('Cancel', () => closeEditor(), 'btn btn-ghost')));
    const errors = onSubmit(form, save, 'Saving…', async (send) => {
      const base = editor.base;
      const body = {};
      if (title.value !== base.title) body.title = title.value;
      if (Number(impact.value) !== Number(base.impact)) body.impact = Number(impact.value);
      if (summary.value !== (base.summary || '')) body.summary = summary.value;
      if (Object.keys(body).length === 0) {
        closeEditor();
        return;
      }
      incident = await send(() => ctx.api('PATCH', `/incidents/${seg(id)}`, { body, headers: ifMatch(base.version) }));
      closeEditor();
      paintIncident();
      messages.success('Saved.');
    }, {
      onError: async (err) => {
        if (isAbort(err)) return true;
        if (err.status !== 412) return false;
        try {
          await reloadIncident();
        } catch (e2) {
          errors.show(e2);
          return true;
        }
        editor.base = { ...incident };
        title.value = incident.title;
        impact.value = String(incident.impact);
        summary.value = incident.summary || '';
        errors.top.warn(`Someone else changed this incident while you were editing (request id ${err.requestId}). The form now shows the latest version: make your change again and save.`);
        return true;
      },
    });
    editor = { form, title, impact, summary, errors, base: { ...incident } };
    replace(editHolder, form);
    paintIncident();
    title.focus();
  }

  function closeEditor() {
    editor = null;
    clear(editHolder);
    paintIncident();
  }

  // --- Timeline ----------------------------------------------------------------------
  const timelineList = h('ol', { class: 'timeline', 'data-testid': 'timeline', 'aria-live': 'polite' });
  const timelineEmpty = emptyState('Nothing on the timeline yet.');
  const olderButton = button('Load older entries', () => loadOlder(), 'btn btn-small', { hidden: true });
  const entries = new Map(); // eventId → {entry, li}
  let timelineCursor = '';
  let timelineReady = false;
  const bufferedEntries = [];

  function sortKey(e) {
    const t = parseTime(e.eventTime);
    return [t ? t.getTime() : 0, e.sequence || 0];
  }
  // a before b in the list (newest first)?
  function above(a, b) {
    const [ta, sa] = sortKey(a);
    const [tb, sb] = sortKey(b);
    return ta !== tb ? ta > tb : sa > sb;
  }

  function upsertEntry(e, { append: atEnd = false } = {}) {
    const existing = entries.get(e.eventId);
    if (e.redacted) {
      if (existing) existing.li.remove();
      entries.delete(e.eventId);
      paintTimelineChrome();
      return;
    }
    if (existing) {
      if ((existing.entry.sequence || 0) >= (e.sequence || 0)) return;
      const li = entryEl(e);
      existing.li.replaceWith(li);
      entries.set(e.eventId, { entry: { ...e, sequence: e.sequence }, li });
      return;
    }
    const li = entryEl(e);
    entries.set(e.eventId, { entry: e, li });
    if (atEnd) {
      timelineList.appendChild(li);
    } else {
      let before = null;
      for (const child of timelineList.children) {
        const other = entries.get(child.getAttribute('data-event-id'));
        if (other && above(e, other.entry)) {
          before = child;
          break;
        }
      }
      timelineList.insertBefore(li, before);
      li.classList.add('entry-new');
      setTimeout(() => li.classList.remove('entry-new'), 1500);
    }
    paintTimelineChrome();
  }

  function paintTimelineChrome() {
    timelineEmpty.hidden = entries.size > 0;
    olderButton.hidden = !timelineCursor;
  }

  async function loadTimeline() {
    const page = await ctx.api('GET', `/incidents/${seg(id)}/timeline`, { query: { sort: 'desc', limit: TIMELINE_PAGE } });
    timelineCursor = page.nextCursor || '';
    for (const e of page.items || []) upsertEntry(e, { append: true });
    paintTimelineChrome();
  }

  async function loadOlder() {
    olderButton.disabled = true;
    try {
      const page = await ctx.api('GET', `/incidents/${seg(id)}/timeline`, { query: { sort: 'desc', limit: TIMELINE_PAGE, cursor: timelineCursor } });
      timelineCursor = page.nextCursor || '';
      for (const e of page.items || []) upsertEntry(e, { append: true });
      paintTimelineChrome();
    } catch (err) {
      messages.error(err);
    } finally {
      olderButton.disabled = false;
    }
  }

  // After a reconnect: the newest entries again, merged (the stream resumes by
  // itself, this only covers a restart of the stream without Last-Event-ID).
  const refreshTimelineHead = throttledLoad(async () => {
    const page = await ctx.api('GET', `/incidents/${seg(id)}/timeline`, { query: { sort: 'desc', limit: TIMELINE_PAGE } });
    for (const e of page.items || []) upsertEntry(e);
  }, messages, 1000, ctx.signal);

  const noteText = h('textarea', { rows: '3', maxlength: '12000', required: true, 'data-testid': 'note-input', placeholder: 'What happened, what you tried, what you decided…' });
  const noteSubmit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'note-submit' }, 'Add note');
  const noteForm = h('form', { class: 'note-form', noValidate: true, 'aria-label': 'Add a note' },
    field('Note', noteText, { name: 'eventData', wide: true }),
    h('div', { class: 'form-actions' }, noteSubmit));
  const noteErrors = onSubmit(noteForm, noteSubmit, 'Adding…', async (send) => {
    const text = noteText.value.trim();
    if (!text) {
      noteErrors.show({ field: 'eventData', message: 'Write something first.' });
      return;
    }
    const entry = await send(() => ctx.api('POST', `/incidents/${seg(id)}/timeline`, { body: { eventType: 'Note', eventData: text } }));
    noteText.value = '';
    upsertEntry(entry);
  });

  // --- Engagements and pages ---------------------------------------------------------
  const pagingBody = h('div', { 'data-testid': 'paging' }, h('p', { class: 'loading' }, spinner(), ' Loading…'));
  const pagingMessages = messageSlot();

  async function loadPaging() {
    const [engagements, pages] = await Promise.all([
      ctx.api('GET', '/engagements', { query: { incident: id, limit: 100 } }),
      ctx.api('GET', '/pages', { query: { incident: id, limit: 100 } }),
    ]);
    paintPaging(engagements.items || [], pages.items || []);
  }
  const refreshPaging = throttledLoad(loadPaging, pagingMessages, 500, ctx.signal);

  function paintPaging(engagements, pages) {
    if (!engagements.length && !pages.length) {
      replace(pagingBody, emptyState('Nobody has been engaged for this incident.'));
      return;
    }
    const byEngagement = new Map();
    for (const p of pages) {
      if (!byEngagement.has(p.engagementId)) byEngagement.set(p.engagementId, []);
      byEngagement.get(p.engagementId).push(p);
    }
    replace(pagingBody, h('ul', { class: 'engagements' }, engagements.map((e) => engagementEl(e, byEngagement.get(e.id) || []))));
  }

  function engagementEl(e, pages) {
    const activeEngagement = e.state === 'ENGAGED' || e.state === 'UNACKNOWLEDGED';
    const stop = writer && e.state === 'ENGAGED' ? button('Stop paging', async () => {
      if (!window.confirm(`Stop paging ${e.contactAlias} for this incident?`)) return;
      try {
        await busy(stop, () => ctx.api('POST', `/engagements/${seg(e.id)}/stop`, { body: { reason: 'stopped in the dashboard' } }), 'Stopping…');
        pagingMessages.success(`Paging ${e.contactAlias} stopped.`);
      } catch (err) {
        pagingMessages.error(err);
      }
      refreshPaging();
    }, 'btn btn-small') : null;
    return h('li', { class: 'engagement', 'data-testid': 'engagement', 'data-state': e.state },
      h('div', { class: 'engagement-head' },
        h('strong', null, e.contactAlias), ' ',
        h('span', { class: 'muted' }, contactTypeLabel(e.contactType)), ' ',
        h('span', { 'data-testid': 'engagement-state' }, stateBadge(e.state)),
        stop),
      h('p', { class: 'muted small' }, 'Started ', timeEl(e.startTime), e.stopTime ? [' · ended ', timeEl(e.stopTime)] : null, e.stopReason ? ` · ${e.stopReason}` : null),
      pages.length ? h('ul', { class: 'pages' }, pages.map((p) => pageEl(p, activeEngagement))) : h('p', { class: 'muted small' }, 'No page sent yet.'));
  }

  function pageEl(p, activeEngagement) {
    const receipts = h('div', { class: 'receipts' });
    const details = h('details', { class: 'receipts-details' }, h('summary', null, 'Receipts'), receipts);
    details.addEventListener('toggle', async () => {
      if (!details.open || details.dataset.loaded) return;
      replace(receipts, spinner(), ' Loading…');
      try {
        const full = await ctx.api('GET', `/pages/${seg(p.id)}`);
        details.dataset.loaded = '1';
        const list = full.receipts || [];
        replace(receipts, list.length ? h('ul', { class: 'receipt-list' }, list.map((r) => h('li', null,
          h('span', { class: 'badge' }, r.receiptType), ' ', timeEl(r.receiptTime), r.receiptInfo ? ` — ${r.receiptInfo}` : ''))) : h('p', { class: 'muted small' }, 'No receipts yet.'));
      } catch (err) {
        replace(receipts, errorBox(err));
      }
    });
    const canAck = writer && !p.acknowledged && activeEngagement && p.state !== 'CANCELLED';
    const ack = canAck ? button('Acknowledge', async () => {
      try {
        await busy(ack, () => ctx.api('POST', `/pages/${seg(p.id)}/accept`, {
          body: { acceptType: 'READ', acceptCodeValidation: 'IGNORE', note: 'acknowledged in the dashboard' },
        }), 'Acknowledging…');
        pagingMessages.success(`Acknowledged: paging ${p.contactAlias} has stopped.`);
      } catch (err) {
        pagingMessages.error(err);
      }
      refreshPaging();
    }, 'btn btn-primary btn-small', { 'data-testid': 'ack-button' }) : null;
    return h('li', { class: 'page', 'data-testid': 'page-row', 'data-page-id': p.id, 'data-state': p.state, 'data-acknowledged': p.acknowledged ? 'true' : 'false' },
      h('div', { class: 'page-head' },
        h('span', null, `${p.contactAlias} · ${p.channelType} · attempt ${p.attempt}`), ' ',
        stateBadge(p.state), ' ',
        p.acknowledged ? h('span', { class: 'badge state state-acknowledged', 'data-testid': 'page-ack' }, 'Acknowledged')
          : h('span', { class: 'badge', 'data-testid': 'page-ack' }, 'Not acknowledged'),
        p.codeLocked ? h('span', { class: 'badge state-failed' }, 'Code locked') : null,
        ack),
      h('p', { class: 'muted small' },
        'Queued ', timeEl(p.createdTime),
        p.sentTime ? [' · sent ', timeEl(p.sentTime)] : null,
        p.deliveryTime ? [' · delivered ', timeEl(p.deliveryTime)] : null,
        p.readTime ? [' · read ', timeEl(p.readTime)] : null),
      details);
  }

  // --- Related items -------------------------------------------------------------------
  const relatedBody = h('div', { 'data-testid': 'related-items' });
  const relatedMessages = messageSlot();
  async function loadRelated() {
    const list = await ctx.api('GET', `/incidents/${seg(id)}/related-items`);
    const items = list.items || [];
    replace(relatedBody, items.length ? h('ul', { class: 'related' }, items.map(relatedEl)) : emptyState('No related items.'));
  }
  const refreshRelated = throttledLoad(loadRelated, relatedMessages, 500, ctx.signal);

  function relatedEl(item) {
    let value;
    if (item.url) {
      value = /^https?:\/\//i.test(item.url)
        ? h('a', { href: item.url, target: '_blank', rel: 'noopener noreferrer' }, item.url)
        : h('code', null, item.url);
    } else {
      value = h('code', { class: 'wrap' }, item.arn || item.metricDefinition || '');
    }
    const remove = writer ? button('Remove', async () => {
      if (!window.confirm('Remove this related item?')) return;
      try {
        await busy(remove, () => ctx.api('DELETE', `/incidents/${seg(id)}/related-items/${seg(item.id)}`), 'Removing…');
      } catch (err) {
        relatedMessages.error(err);
      }
      refreshRelated();
    }, 'btn btn-ghost btn-small') : null;
    return h('li', null, h('span', { class: 'badge' }, item.type), ' ', item.title ? h('strong', null, item.title) : null, ' ', value, ' ', remove);
  }

  function relatedForm() {
    const type = select(RELATED_TYPES, { value: 'OTHER' });
    const kind = select([{ value: 'url', label: 'URL' }, { value: 'arn', label: 'ARN' }, { value: 'metricDefinition', label: 'Metric definition' }], { value: 'url' });
    const value = input({ placeholder: 'https://…' });
    const title = input({ maxlength: '200' });
    const submit = h('button', { type: 'submit', class: 'btn btn-small' }, 'Add');
    const form = h('form', { class: 'form compact', noValidate: true, 'aria-label': 'Add a related item' },
      field('Type', type, { name: 'type' }),
      field('Kind', kind),
      field('Value', value, { name: 'url' }),
      field('Title', title, { name: 'title' }),
      h('div', { class: 'form-actions' }, submit));
    kind.addEventListener('change', () => value.setAttribute('data-field', kind.value));
    onSubmit(form, submit, 'Adding…', async (send) => {
      const body = { type: type.value, [kind.value]: value.value.trim() };
      if (title.value.trim()) body.title = title.value.trim();
      await send(() => ctx.api('POST', `/incidents/${seg(id)}/related-items`, { body }));
      value.value = '';
      title.value = '';
      refreshRelated();
    });
    return h('details', { class: 'add-related' }, h('summary', null, 'Add a related item'), form);
  }

  // --- Ledger ------------------------------------------------------------------------------
  const verifyResult = h('div', { 'data-testid': 'verify-result' });
  const verifyButton = button('Verify the ledger', async () => {
    clear(verifyResult);
    try {
      const r = await busy(verifyButton, () => ctx.api('GET', '/ledger/verify'), 'Verifying…');
      verifyResult.setAttribute('data-ok', r.ok ? 'true' : 'false');
      replace(verifyResult, r.ok
        ? notice(`Intact: ${r.entries} entries, ${r.checkpoints} signed checkpoint${r.checkpoints === 1 ? '' : 's'}, root ${String(r.root || '').slice(0, 16)}…`, 'success', 'verify-ok')
        : h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'verify-problem' },
          h('strong', null, 'Problem found'),
          h('p', null, r.problem || 'The ledger does not verify.'),
          r.firstBadSeq ? h('p', null, `First bad entry: ${r.firstBadSeq}`) : null));
    } catch (err) {
      if (isAbort(err)) return;
      verifyResult.removeAttribute('data-ok');
      if (err.status === 429) {
        replace(verifyResult, notice(`A verification is already running; try again in a moment. (request id ${err.requestId})`, 'warning'));
      } else {
        replace(verifyResult, errorBox(err));
      }
    }
  }, 'btn', { 'data-testid': 'verify-ledger' });

  // --- Live ------------------------------------------------------------------------------
  function onEntry(e) {
    if (e.incidentId && e.incidentId !== incident?.id && e.incidentId !== id) return;
    if (!timelineReady) {
      bufferedEntries.push(e);
      return;
    }
    upsertEntry(e);
    const type = e.eventType || '';
    if (type.startsWith('Incident ') || type === 'Duplicate Trigger') refreshIncident();
    if (PAGING_EVENT.test(type)) refreshPaging();
    if (type.startsWith('Related Item')) refreshRelated();
  }

  // --- Load ------------------------------------------------------------------------------
  try {
    incident = await ctx.api('GET', `/incidents/${seg(id)}`);
  } catch (err) {
    if (err.status === 404) {
      append(ctx.main, h('div', { class: 'page-header' }, h('h1', { tabindex: '-1' }, 'Incident not found')), errorBox(err),
        h('p', null, h('a', { href: '#/incidents' }, 'Back to the incidents')));
      return;
    }
    throw err;
  }

  ctx.stream(`/api/v1/stream?incident=${encodeURIComponent(incident.id)}`, {
    onEntry,
    onState: (s) => live.set(s),
    onOpen: () => {
      if (timelineReady) {
        refreshTimelineHead();
        refreshIncident();
        refreshPaging();
      }
    },
  });

  append(ctx.main, 
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/incidents' }, '← Incidents')),
    h('div', { class: 'page-header incident-header' }, h('div', { class: 'incident-heading' }, titleEl, badges), actions),
    messages.el,
    meta,
    summaryEl,
    editHolder,
    h('div', { class: 'columns' },
      h('div', { class: 'col-main' },
        section('Timeline',
          writer ? noteForm : null,
          timelineEmpty,
          timelineList,
          olderButton)),
      h('div', { class: 'col-side' },
        section('Engagements and pages', pagingMessages.el, pagingBody),
        section('Related items', relatedMessages.el, relatedBody, writer ? relatedForm() : null),
        section('Ledger', h('p', { class: 'muted small' }, 'Every timeline entry is hash-chained. Check that none was altered.'), verifyButton, verifyResult))));
  paintIncident();

  const results = await Promise.allSettled([loadTimeline(), loadPaging(), loadRelated()]);
  if (ctx.signal.aborted) return;
  const [timelineResult, pagingResult, relatedResult] = results;
  if (timelineResult.status === 'rejected') append(timelineList.parentElement, errorBox(timelineResult.reason, { retry: () => ctx.navigate(location.hash) }));
  if (pagingResult.status === 'rejected') replace(pagingBody, errorBox(pagingResult.reason, { retry: () => refreshPaging() }));
  if (relatedResult.status === 'rejected') replace(relatedBody, errorBox(relatedResult.reason, { retry: () => refreshRelated() }));
  timelineReady = true;
  for (const e of bufferedEntries.splice(0)) onEntry(e);
}

// throttled(load, ms, signal) that shows load's failures (but not aborts) in
// the message slot `slot`.
function throttledLoad(load, slot, ms, signal) {
  return throttled(async () => {
    try {
      await load();
    } catch (err) {
      if (!isAbort(err)) slot.error(err);
    }
  }, ms, signal);
}

function contactTypeLabel(type) {
  switch (type) {
    case 'PERSONAL': return 'person';
    case 'ESCALATION': return 'escalation plan';
    case 'ONCALL_SCHEDULE': return 'on-call schedule';
    default: return type || '';
  }
}

// One timeline entry: when, what, who, and its data in words.
function entryEl(e) {
  const data = tryJson(e.eventData);
  return h('li', { class: ['entry', e.system ? 'entry-system' : 'entry-person', e.eventType === 'Note' && 'entry-note'], 'data-testid': 'timeline-entry', 'data-event-id': e.eventId, 'data-event-type': e.eventType },
    h('div', { class: 'entry-head' },
      h('span', { class: 'entry-type' }, e.eventType),
      ' ',
      timeEl(e.eventTime),
      e.actor ? h('span', { class: 'muted entry-actor' }, ` · ${e.actor}`) : null),
    describe(e, data));
}

function describe(e, data) {
  const type = e.eventType;
  if (type === 'Note' || type === 'Custom Event') return h('p', { class: 'entry-text', 'data-testid': 'entry-text' }, e.eventData);
  if (!data || typeof data !== 'object') return e.eventData ? h('p', { class: 'entry-text' }, e.eventData) : null;
  switch (type) {
    case 'Incident Created':
      return h('p', { class: 'entry-text' }, `Started “${data.title ?? ''}” with impact ${data.impact} (${impactLabel(data.impact)})${data.responsePlan ? ` from plan ${data.responsePlan}` : ''}.`);
    case 'Incident Updated': {
      const show = (v) => (data.field === 'impact' ? `${v} (${impactLabel(v)})` : JSON.stringify(v));
      return h('p', { class: 'entry-text' }, `${data.field} changed from ${show(data.old)} to ${show(data.new)}.`);
    }
    case 'Incident Resolved':
      return h('p', { class: 'entry-text' }, 'Resolved.');
    case 'Incident Reopened':
      return h('p', { class: 'entry-text' }, 'Reopened.');
    default: {
      const pairs = Object.entries(data).filter(([, v]) => v !== '' && v !== null && v !== undefined).slice(0, 8);
      if (!pairs.length) return null;
      return h('dl', { class: 'entry-data' }, pairs.map(([k, v]) => h('div', null,
        h('dt', null, k), h('dd', null, typeof v === 'object' ? JSON.stringify(v) : String(v)))));
    }
  }
}
