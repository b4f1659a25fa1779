// #/rotations (list), #/rotations/new and #/rotations/<id>: a two-week shift
// calendar, overrides, and an editor whose unsaved changes are previewed
// (POST /rotations/preview) before saving.
import { ifMatch, listAll, seg } from './api.js';
import { h, append, replace, clear, timeEl, fromLocalInput, toLocalInput, isAbort, localDateKey } from './dom.js';
import { calendar, startOfLocalDay, addLocalDays } from './calendar.js';
import { canRespond } from './session.js';
import { busy, button, debounce, emptyState, errorBox, field, getOrShowNotFound, input, messageSlot, notice, onSubmit, pageHeader, section, select, setFlash, spinner } from './ui.js';

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const WINDOW_DAYS = 14;

function aliasMap(contacts) {
  const m = new Map();
  for (const c of contacts) m.set(c.id, c.alias);
  return m;
}

function describeRecurrence(rec) {
  if (!rec) return '';
  const hm = (t) => `${String(t.hourOfDay).padStart(2, '0')}:${String(t.minuteOfHour).padStart(2, '0')}`;
  const every = rec.recurrenceMultiplier > 1 ? `every ${rec.recurrenceMultiplier} ` : 'every ';
  let text = '';
  if (rec.dailySettings?.length) text = `${every}${rec.recurrenceMultiplier > 1 ? 'days' : 'day'} at ${rec.dailySettings.map(hm).join(', ')}`;
  else if (rec.weeklySettings?.length) text = `${every}${rec.recurrenceMultiplier > 1 ? 'weeks' : 'week'} on ${rec.weeklySettings.map((w) => `${w.dayOfWeek} ${hm(w.handOffTime)}`).join(', ')}`;
  else if (rec.monthlySettings?.length) text = `${every}${rec.recurrenceMultiplier > 1 ? 'months' : 'month'} on day ${rec.monthlySettings.map((m) => `${m.dayOfMonth} ${hm(m.handOffTime)}`).join(', ')}`;
  if (rec.numberOfOnCalls > 1) text += `, ${rec.numberOfOnCalls} on call`;
  if (rec.shiftCoverages && Object.keys(rec.shiftCoverages).length) text += ', limited coverage';
  return `Hands off ${text}`;
}

// --- List -------------------------------------------------------------------------------

export async function renderList(ctx) {
  const writer = canRespond();
  append(ctx.main, pageHeader('Rotations', writer ? h('a', { class: 'btn btn-primary', href: '#/rotations/new', 'data-testid': 'new-rotation' }, 'New rotation') : null));
  const [rotations, contacts] = await Promise.all([
    listAll('/rotations', { signal: ctx.signal }),
    listAll('/contacts', { signal: ctx.signal, max: 5000 }),
  ]);
  const names = aliasMap(contacts);
  if (!rotations.length) {
    append(ctx.main, emptyState('No rotations yet. A rotation hands on-call duty through a list of people.'));
    return;
  }
  const nowCells = new Map();
  append(ctx.main, h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Members'), h('th', { scope: 'col' }, 'On call now'),
      h('th', { scope: 'col' }, 'Schedule'), h('th', { scope: 'col' }, 'Time zone'))),
    h('tbody', null, rotations.map((r) => {
      const now = h('td', { 'data-label': 'On call now' }, spinner());
      nowCells.set(r.id, now);
      return h('tr', { 'data-testid': 'rotation-row', 'data-id': r.id },
        h('td', { 'data-label': 'Name' }, h('a', { href: `#/rotations/${seg(r.id)}` }, r.name)),
        h('td', { 'data-label': 'Members' }, (r.members || []).map((m) => names.get(m) || m).join(', ')),
        now,
        h('td', { 'data-label': 'Schedule' }, describeRecurrence(r.recurrence)),
        h('td', { 'data-label': 'Time zone' }, r.timeZoneId));
    })))));
  await Promise.allSettled(rotations.slice(0, 100).map(async (r) => {
    const cell = nowCells.get(r.id);
    try {
      const on = await ctx.api('GET', `/rotations/${seg(r.id)}/oncall`);
      replace(cell, on.members?.length ? on.members.join(', ') : h('span', { class: 'muted' }, 'nobody'));
    } catch (err) {
      if (!isAbort(err)) replace(cell, h('span', { class: 'muted', title: `${err.message} (request id ${err.requestId})` }, 'unknown'));
    }
  }));
}

// --- One rotation ---------------------------------------------------------------------------

export async function renderOne(ctx) {
  const id = ctx.params[0];
  const creating = id === 'new';
  const writer = canRespond();
  const messages = messageSlot();
  const contacts = await listAll('/contacts', { signal: ctx.signal, max: 5000 });
  const names = aliasMap(contacts);
  const toAlias = (m) => names.get(m) || m;

  let rotation = null;
  if (!creating) {
    rotation = await getOrShowNotFound(ctx, `/rotations/${seg(id)}`, 'Rotation not found', '#/rotations', 'Back to the rotations');
    if (!rotation) return;
    ctx.setTitle(rotation.name);
  } else if (!writer) {
    append(ctx.main, pageHeader('New rotation'), notice('Your role cannot create rotations.', 'warning'));
    return;
  }

  let windowStart = startOfLocalDay();
  const windowEnd = () => addLocalDays(windowStart, WINDOW_DAYS);
  let overrides = [];

  const calendarHolder = h('div', { 'data-testid': 'calendar-holder' });
  const previewHolder = h('div', { class: 'preview', 'data-testid': 'preview-holder', 'aria-live': 'polite' });
  const windowLabel = h('span', { class: 'window-label' });
  const onCallNow = h('p', { class: 'on-call-now', 'data-testid': 'on-call-now' });

  // --- Saved calendar ---
  async function loadCalendar() {
    if (creating) return;
    windowLabel.textContent = `${localDateKey(windowStart)} – ${localDateKey(addLocalDays(windowStart, WINDOW_DAYS - 1))}`;
    replace(calendarHolder, h('p', { class: 'loading' }, spinner(), ' Loading shifts…'));
    try {
      const shifts = await ctx.api('GET', `/rotations/${seg(rotation.id)}/shifts`, { query: { from: windowStart.toISOString(), to: windowEnd().toISOString() } });
      replace(calendarHolder, calendar(shifts.items || [], { start: windowStart, days: WINDOW_DAYS, members: (rotation.members || []).map(toAlias), label: `Shifts of ${rotation.name}` }));
    } catch (err) {
      if (!isAbort(err)) replace(calendarHolder, errorBox(err, { retry: () => loadCalendar() }));
    }
  }

  async function loadOnCall() {
    if (creating) return;
    try {
      const on = await ctx.api('GET', `/rotations/${seg(rotation.id)}/oncall`);
      replace(onCallNow, 'On call now: ', on.members?.length ? h('strong', null, on.members.join(', ')) : h('span', { class: 'muted' }, 'nobody'));
    } catch (err) {
      if (!isAbort(err)) replace(onCallNow, h('span', { class: 'muted' }, `On call now: unknown (${err.message}, request id ${err.requestId})`));
    }
  }

  const moveWindow = (days) => {
    windowStart = days === 0 ? startOfLocalDay() : addLocalDays(windowStart, days);
    loadCalendar();
    schedulePreview();
  };

  // --- Overrides ---
  const overridesBody = h('div', { 'data-testid': 'overrides' });
  const overrideMessages = messageSlot();
  async function loadOverrides() {
    if (creating) return;
    const list = await ctx.api('GET', `/rotations/${seg(rotation.id)}/overrides`, { query: { from: addLocalDays(startOfLocalDay(), -7).toISOString() } });
    overrides = list.items || [];
    replace(overridesBody, overrides.length ? h('ul', { class: 'overrides' }, overrides.map((o) => {
      const del = writer ? button('Delete', async () => {
        if (!window.confirm('Delete this override?')) return;
        try {
          await busy(del, () => ctx.api('DELETE', `/rotations/${seg(rotation.id)}/overrides/${seg(o.id)}`), 'Deleting…');
          await Promise.all([loadOverrides(), loadCalendar(), loadOnCall()]);
        } catch (err) {
          overrideMessages.error(err);
        }
      }, 'btn btn-ghost btn-small') : null;
      return h('li', { 'data-testid': 'override-row' },
        h('strong', null, o.members?.length ? o.members.map(toAlias).join(', ') : 'Nobody'), ' from ', timeEl(o.startTime), ' to ', timeEl(o.endTime), ' ', del);
    })) : emptyState('No current or upcoming overrides.'));
  }

  function overrideForm() {
    const members = input({ placeholder: 'alias, alias', 'data-testid': 'override-members' });
    const startAt = h('input', { type: 'datetime-local', 'data-testid': 'override-start' });
    const endAt = h('input', { type: 'datetime-local', 'data-testid': 'override-end' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add override');
    const form = h('form', { class: 'form', noValidate: true, 'aria-label': 'Add an override' },
      field('Who is on call instead', members, { name: 'members', help: 'Aliases separated by commas; empty for nobody.' }),
      field('From (your local time)', startAt, { name: 'startTime' }),
      field('Until (your local time)', endAt, { name: 'endTime' }),
      h('div', { class: 'form-actions' }, save));
    onSubmit(form, save, 'Adding…', async (send) => {
      await send(() => ctx.api('POST', `/rotations/${seg(rotation.id)}/overrides`, {
        body: { members: splitList(members.value), startTime: fromLocalInput(startAt.value), endTime: fromLocalInput(endAt.value) },
      }));
      members.value = '';
      overrideMessages.success('Override added.');
      await Promise.all([loadOverrides(), loadCalendar(), loadOnCall()]);
    });
    return h('details', { class: 'add-block' }, h('summary', null, 'Add an override'), form);
  }

  // --- Editor ---
  const editor = rotationEditor(rotation, contacts, toAlias);
  const saveButton = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'rotation-save' }, creating ? 'Create rotation' : 'Save changes');
  const editErrors = onSubmit(editor.form, saveButton, creating ? 'Creating…' : 'Saving…', async (send) => {
    const spec = editor.spec();
    if (creating) {
      const created = await send(() => ctx.api('POST', '/rotations', { body: spec }));
      setFlash(`Rotation ${created.name} created.`);
      ctx.navigate(`#/rotations/${seg(created.id)}`);
      return;
    }
    const rec = { ...spec.recurrence };
    for (const key of ['dailySettings', 'weeklySettings', 'monthlySettings']) if (!(key in rec)) rec[key] = null;
    await send(() => ctx.api('PATCH', `/rotations/${seg(rotation.id)}`, {
      body: { ...spec, recurrence: rec }, headers: ifMatch(rotation.version),
    }));
    setFlash('Rotation saved.');
    ctx.navigate(`#/rotations/${seg(rotation.id)}`);
  }, {
    onError: (err) => {
      if (err.status !== 412) return false;
      editErrors.top.warn(`Someone else changed this rotation while you were editing (request id ${err.requestId}). Discard your changes to load the latest version, then edit again.`);
      return true;
    },
  });
  const resetButton = creating ? null : button('Discard changes', () => ctx.navigate(location.hash), 'btn btn-ghost', { 'data-testid': 'rotation-discard' });
  append(editor.form, h('div', { class: 'form-actions' }, saveButton, resetButton));
  const pristine = JSON.stringify(editor.spec());

  let previewSeq = 0;
  async function runPreview() {
    const spec = editor.spec();
    const dirty = JSON.stringify(spec) !== pristine;
    const seq = ++previewSeq;
    if (!dirty && !creating) {
      clear(previewHolder);
      editErrors.clear();
      return;
    }
    try {
      const body = {
        ...spec,
        from: windowStart.toISOString(),
        to: windowEnd().toISOString(),
        overrides: overrides.map((o) => ({ members: (o.members || []).map(toAlias), startTime: o.startTime, endTime: o.endTime })),
      };
      const result = await ctx.api('POST', '/rotations/preview', { body });
      if (seq !== previewSeq) return;
      editErrors.clear();
      replace(previewHolder,
        h('div', { class: 'preview-head' },
          h('h3', null, creating ? 'Preview' : 'Preview of your unsaved changes'),
          h('span', { class: 'badge state-unsaved' }, 'not saved')),
        calendar(result.items || [], { start: windowStart, days: WINDOW_DAYS, testid: 'preview-calendar', members: spec.members, label: 'Preview of the edited rotation' }));
    } catch (err) {
      if (isAbort(err) || seq !== previewSeq) return;
      replace(previewHolder, h('p', { class: 'muted' }, 'The preview appears when the rotation is valid.'));
      editErrors.show(err, { focus: false });
    }
  }
  const schedulePreview = debounce(runPreview, 400, ctx.signal);
  editor.form.addEventListener('input', schedulePreview);
  editor.form.addEventListener('change', schedulePreview);
  editor.onStructureChange = schedulePreview;

  const del = !creating && writer ? button('Delete rotation', async () => {
    if (!window.confirm(`Delete the rotation ${rotation.name}?`)) return;
    try {
      await busy(del, () => ctx.api('DELETE', `/rotations/${seg(rotation.id)}`), 'Deleting…');
      setFlash(`Rotation ${rotation.name} deleted.`);
      ctx.navigate('#/rotations');
    } catch (err) {
      messages.error(err);
    }
  }, 'btn btn-danger btn-small') : null;

  if (creating) {
    append(ctx.main, 
      h('p', { class: 'breadcrumb' }, h('a', { href: '#/rotations' }, '← Rotations')),
      pageHeader('New rotation'), messages.el,
      section('Rotation', editor.form),
      section('Preview', h('p', { class: 'muted small' }, `The next ${WINDOW_DAYS} days, as the rotation above would run.`), previewHolder));
    schedulePreview();
    return;
  }

  append(ctx.main, 
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/rotations' }, '← Rotations')),
    pageHeader(rotation.name, del),
    messages.el,
    h('p', { class: 'muted' }, `${(rotation.members || []).map(toAlias).join(' → ')} · ${describeRecurrence(rotation.recurrence)} · ${rotation.timeZoneId}`),
    onCallNow,
    section('Shifts',
      h('div', { class: 'calendar-nav' },
        button('← Previous', () => moveWindow(-WINDOW_DAYS), 'btn btn-small', { 'data-testid': 'cal-prev' }),
        button('Today', () => moveWindow(0), 'btn btn-small'),
        button('Next →', () => moveWindow(WINDOW_DAYS), 'btn btn-small', { 'data-testid': 'cal-next' }),
        windowLabel),
      calendarHolder,
      previewHolder),
    section('Overrides', overrideMessages.el, overridesBody, writer ? overrideForm() : null),
    writer ? section('Edit rotation', h('p', { class: 'muted small' }, 'Changes are previewed in the calendar above before you save them.'), editor.form) : null);

  const results = await Promise.allSettled([loadCalendar(), loadOverrides(), loadOnCall()]);
  if (results[1].status === 'rejected' && !isAbort(results[1].reason)) replace(overridesBody, errorBox(results[1].reason));
}

function splitList(text) {
  return String(text || '').split(',').map((s) => s.trim()).filter(Boolean);
}

function hm(t) {
  return `${String(t?.hourOfDay ?? 0).padStart(2, '0')}:${String(t?.minuteOfHour ?? 0).padStart(2, '0')}`;
}

function parseHm(text) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text || '');
  if (!m) return { hourOfDay: text || '', minuteOfHour: 0 };
  return { hourOfDay: Number(m[1]), minuteOfHour: Number(m[2]) };
}

function intOr(text) {
  const n = Number(text);
  return text !== '' && Number.isInteger(n) ? n : text;
}

// The rotation form. spec() returns the rotation's fields as the API takes them.
function rotationEditor(rotation, contacts, toAlias) {
  const rec = rotation?.recurrence || { numberOfOnCalls: 1, recurrenceMultiplier: 1, dailySettings: [{ hourOfDay: 9, minuteOfHour: 0 }] };
  const kindOf = (r) => (r.weeklySettings?.length ? 'weekly' : r.monthlySettings?.length ? 'monthly' : 'daily');
  let kind = kindOf(rec);
  let handoffs = kind === 'daily' ? [...(rec.dailySettings || [])].map((t) => ({ time: hm(t) }))
    : kind === 'weekly' ? rec.weeklySettings.map((w) => ({ day: w.dayOfWeek, time: hm(w.handOffTime) }))
      : rec.monthlySettings.map((m) => ({ day: String(m.dayOfMonth), time: hm(m.handOffTime) }));
  if (!handoffs.length) handoffs = [{ time: '09:00', day: kind === 'weekly' ? 'MON' : '1' }];
  const coverage = rec.shiftCoverages && Object.keys(rec.shiftCoverages).length ? rec.shiftCoverages : null;

  const tzList = h('datalist', { id: 'tz-list' });
  try {
    for (const tz of Intl.supportedValuesOf('timeZone')) tzList.appendChild(h('option', { value: tz }));
  } catch {
    // Older browsers: free text only.
  }
  const localTz = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const name = input({ value: rotation?.name || '', maxlength: '255', 'data-testid': 'rotation-name' });
  const members = input({ value: (rotation?.members || []).map(toAlias).join(', '), 'data-testid': 'rotation-members', autocapitalize: 'none' });
  const startTime = h('input', { type: 'datetime-local', value: toLocalInput(rotation?.startTime || startOfLocalDay().toISOString()), 'data-testid': 'rotation-start' });
  const timeZone = input({ value: rotation?.timeZoneId || localTz, list: 'tz-list', 'data-testid': 'rotation-tz', autocapitalize: 'none', spellcheck: 'false' });
  const kindSelect = select([{ value: 'daily', label: 'Daily' }, { value: 'weekly', label: 'Weekly' }, { value: 'monthly', label: 'Monthly' }], { value: kind, 'data-testid': 'rotation-kind' });
  const onCalls = input({ type: 'number', min: '1', value: String(rec.numberOfOnCalls ?? 1), class: 'input-small', 'data-testid': 'rotation-oncalls' });
  const multiplier = input({ type: 'number', min: '1', max: '100', value: String(rec.recurrenceMultiplier ?? 1), class: 'input-small', 'data-testid': 'rotation-multiplier' });
  const handoffList = h('div', { class: 'handoffs' });
  const handoffError = h('p', { class: 'field-error', 'data-error-for': '' });
  const api = { form: null, spec, onStructureChange: null };

  function settingsKey() {
    return `${kind}Settings`;
  }

  function readHandoffs() {
    handoffs = [...handoffList.querySelectorAll('.handoff')].map((row) => ({
      day: row.querySelector('.handoff-day')?.value,
      time: row.querySelector('.handoff-time').value,
    }));
  }

  function paintHandoffs() {
    const key = `recurrence.${settingsKey()}`;
    handoffList.setAttribute('data-field', key);
    handoffError.setAttribute('data-error-for', key);
    replace(handoffList, handoffs.map((ho, i) => {
      const path = `${key}[${i}]`;
      let day = null;
      if (kind === 'weekly') day = field('Day', select(DAYS, { value: ho.day || 'MON', class: 'handoff-day' }), { name: `${path}.dayOfWeek` });
      if (kind === 'monthly') day = field('Day of month', input({ type: 'number', min: '1', max: '31', value: ho.day || '1', class: 'handoff-day input-small' }), { name: `${path}.dayOfMonth` });
      const time = h('input', { type: 'time', value: ho.time || '09:00', class: 'handoff-time', 'data-testid': `handoff-time-${i}` });
      return h('div', { class: 'handoff' }, day,
        field('Hand-off time', time, { name: kind === 'daily' ? path : `${path}.handOffTime` }),
        handoffs.length > 1 ? button('Remove', () => {
          readHandoffs();
          handoffs.splice(i, 1);
          paintHandoffs();
          if (api.onStructureChange) api.onStructureChange();
        }, 'btn btn-ghost btn-small') : null);
    }), button('Add a hand-off', () => {
      readHandoffs();
      handoffs.push({ time: '09:00', day: kind === 'weekly' ? 'MON' : '1' });
      paintHandoffs();
      if (api.onStructureChange) api.onStructureChange();
    }, 'btn btn-small'));
  }

  kindSelect.addEventListener('change', () => {
    readHandoffs();
    kind = kindSelect.value;
    handoffs = handoffs.map((ho) => ({ time: ho.time, day: kind === 'weekly' ? 'MON' : '1' }));
    paintHandoffs();
  });

  function spec() {
    readHandoffs();
    const settings = handoffs.map((ho) => {
      const t = parseHm(ho.time);
      if (kind === 'daily') return t;
      if (kind === 'weekly') return { dayOfWeek: ho.day, handOffTime: t };
      return { dayOfMonth: intOr(ho.day), handOffTime: t };
    });
    const recurrence = { numberOfOnCalls: intOr(onCalls.value), recurrenceMultiplier: intOr(multiplier.value), [settingsKey()]: settings };
    if (coverage) recurrence.shiftCoverages = coverage;
    return {
      name: name.value.trim(),
      members: splitList(members.value),
      startTime: fromLocalInput(startTime.value),
      timeZoneId: timeZone.value.trim(),
      recurrence,
    };
  }

  paintHandoffs();
  const known = contacts.map((c) => c.alias);
  api.form = h('form', { class: 'form rotation-form', noValidate: true, 'aria-label': 'Rotation' },
    tzList,
    field('Name', name, { name: 'name' }),
    field('Members, in hand-off order', members, { name: 'members', help: known.length ? `Aliases separated by commas. Contacts: ${known.slice(0, 30).join(', ')}${known.length > 30 ? ', …' : ''}` : 'Aliases separated by commas.' }),
    field('Start (your local time)', startTime, { name: 'startTime', help: 'The first shift starts here with the first member.' }),
    field('Time zone of the hand-offs', timeZone, { name: 'timeZoneId' }),
    field('Recurrence', kindSelect, { name: 'recurrence' }),
    h('fieldset', { class: 'fieldset' }, h('legend', null, 'Hand-offs'), handoffList, handoffError),
    field('People on call at once', onCalls, { name: 'recurrence.numberOfOnCalls' }),
    field('Every Nth day / week / month', multiplier, { name: 'recurrence.recurrenceMultiplier' }),
    coverage ? h('p', { class: 'muted small' }, 'This rotation limits coverage to some hours of the week; those windows are kept as they are.') : null);
  return api;
}
