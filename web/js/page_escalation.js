// #/escalation-plans: escalation plans (stages of people and on-call
// schedules) and the on-call schedules built on rotations.
import { ifMatch, listAll, seg } from './api.js';
import { h, append, replace } from './dom.js';
import { canRespond } from './session.js';
import { describeStages, stageEditor } from './stages.js';
import { busy, button, emptyState, field, fieldset, input, loadOrShowError, messageSlot, onSubmit, pageHeader, section } from './ui.js';

export async function render(ctx) {
  const writer = canRespond();
  const messages = messageSlot();
  const plansBody = h('div', { 'data-testid': 'escalation-plans' });
  const schedulesBody = h('div', { 'data-testid': 'oncall-schedules' });
  const newHolder = h('div');
  let people = [];
  let schedules = [];
  let plans = [];
  let rotations = [];

  const nameOf = (id) => {
    const c = people.find((x) => x.id === id) || schedules.find((x) => x.id === id) || plans.find((x) => x.id === id);
    return c ? c.alias : id;
  };
  const targetOptions = () => [
    ...people.map((c) => ({ value: c.id, label: `${c.alias}${c.displayName ? ` (${c.displayName})` : ''}` })),
    ...schedules.map((c) => ({ value: c.id, label: `${c.alias} (on-call schedule)` })),
  ];

  async function load() {
    [people, schedules, plans, rotations] = await Promise.all([
      listAll('/contacts', { signal: ctx.signal, max: 5000 }),
      listAll('/oncall-schedules', { signal: ctx.signal }),
      listAll('/escalation-plans', { signal: ctx.signal }),
      listAll('/rotations', { signal: ctx.signal }),
    ]);
    paint();
  }

  function paint() {
    replace(plansBody, plans.length ? h('ul', { class: 'cards' }, plans.map(planCard)) : emptyState('No escalation plans yet.'));
    replace(schedulesBody, schedules.length ? h('ul', { class: 'cards' }, schedules.map(scheduleCard)) : emptyState('No on-call schedules yet.'));
  }

  function planCard(p) {
    const li = h('li', { class: 'card-item', 'data-testid': 'escalation-plan', 'data-alias': p.alias });
    const view = () => replace(li,
      h('div', { class: 'card-item-head' },
        h('h3', null, p.alias), p.displayName ? h('span', { class: 'muted' }, p.displayName) : null,
        h('span', { class: 'muted' }, ` · repeats ${p.repeatCount ?? 0}×`),
        writer ? button('Edit', () => replace(li, planForm(p, (saved) => {
          plans = plans.map((x) => (x.id === saved.id ? saved : x));
          paint();
        }, view)), 'btn btn-small') : null,
        writer ? deleteButton('/escalation-plans', p) : null),
      ...describeStages(p.stages, nameOf, 'escalation'));
    view();
    return li;
  }

  function deleteButton(base, c) {
    const b = button('Delete', async () => {
      if (!window.confirm(`Delete ${c.alias}?`)) return;
      try {
        await busy(b, () => ctx.api('DELETE', `${base}/${seg(c.alias)}`), 'Deleting…');
        messages.success(`${c.alias} deleted.`);
        await load();
      } catch (err) {
        messages.error(err);
      }
    }, 'btn btn-ghost btn-small');
    return b;
  }

  // Create (existing undefined) or edit an escalation plan.
  function planForm(existing, onSaved, onCancel) {
    const alias = input({ value: existing?.alias || '', disabled: Boolean(existing), autocapitalize: 'none', 'data-testid': 'escalation-alias' });
    const displayName = input({ value: existing?.displayName || '' });
    const repeat = input({ type: 'number', min: '0', max: '10', value: String(existing?.repeatCount ?? 0), class: 'input-small' });
    const editor = stageEditor({ kind: 'escalation', prefix: 'stages', stages: existing?.stages || [{ durationInMinutes: 5, targets: [] }], targets: targetOptions() });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'escalation-save' }, existing ? 'Save' : 'Create');
    const form = h('form', { class: 'form', noValidate: true, 'aria-label': existing ? `Edit ${existing.alias}` : 'New escalation plan' },
      field('Alias', alias, { name: 'alias', help: existing ? 'Cannot be changed.' : 'Lower case letters, digits, - and _.' }),
      field('Display name', displayName, { name: 'displayName' }),
      field('Repeat count (0–10)', repeat, { name: 'repeatCount', help: 'How many times the stages start over before the engagement ends unacknowledged.' }),
      editor.el,
      h('div', { class: 'form-actions' }, save, button('Cancel', onCancel, 'btn btn-ghost')));
    onSubmit(form, save, existing ? 'Saving…' : 'Creating…', async (send) => {
      const n = Number(repeat.value);
      const body = {
        displayName: displayName.value.trim(),
        repeatCount: repeat.value !== '' && Number.isInteger(n) ? n : repeat.value,
        stages: editor.value(),
      };
      const saved = await send(() => (existing
        ? ctx.api('PATCH', `/escalation-plans/${seg(existing.alias)}`, { body, headers: ifMatch(existing.version) })
        : ctx.api('POST', '/escalation-plans', { body: { alias: alias.value.trim(), ...body } })));
      messages.success(`Escalation plan ${saved.alias} saved.`);
      onSaved(saved);
    }, {
      onError: (err) => {
        if (err.status === 412) messages.warn(`${existing.alias} was changed by someone else; reload the page to see the latest version.`);
        return false;
      },
    });
    return form;
  }

  function scheduleCard(s) {
    const names = (s.rotations || []).map((id) => {
      const r = rotations.find((x) => x.id === id);
      return r ? h('a', { href: `#/rotations/${seg(r.id)}` }, r.name) : id;
    });
    return h('li', { class: 'card-item', 'data-testid': 'oncall-schedule' },
      h('div', { class: 'card-item-head' }, h('h3', null, s.alias), s.displayName ? h('span', { class: 'muted' }, s.displayName) : null,
        writer ? deleteButton('/oncall-schedules', s) : null),
      h('p', null, 'Rotations: ', names.length ? names.map((n, i) => [i ? ', ' : '', n]) : h('span', { class: 'muted' }, 'none')));
  }

  function scheduleForm() {
    const alias = input({ autocapitalize: 'none' });
    const displayName = input();
    const boxes = rotations.map((r) => {
      const cb = h('input', { type: 'checkbox', value: r.id, id: `sched-rot-${r.id}` });
      return h('span', { class: 'check' }, cb, h('label', { for: cb.id }, r.name));
    });
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create schedule');
    const form = h('form', { class: 'form', noValidate: true, 'aria-label': 'New on-call schedule' },
      field('Alias', alias, { name: 'alias' }),
      field('Display name', displayName, { name: 'displayName' }),
      rotations.length ? fieldset('Rotations', boxes, { name: 'rotations' }) : h('p', { class: 'muted' }, 'Create a rotation first.'),
      h('div', { class: 'form-actions' }, save));
    onSubmit(form, save, 'Creating…', async (send) => {
      const chosen = [...form.querySelectorAll('input[type=checkbox]:checked')].map((x) => x.value);
      const s = await send(() => ctx.api('POST', '/oncall-schedules', { body: { alias: alias.value.trim(), displayName: displayName.value.trim(), rotations: chosen } }));
      messages.success(`On-call schedule ${s.alias} created.`);
      await load();
    });
    return h('details', { class: 'add-block' }, h('summary', null, 'New on-call schedule'), form);
  }

  const newButton = writer ? button('New escalation plan', () => {
    replace(newHolder, section('New escalation plan', planForm(undefined, async () => {
      replace(newHolder);
      await load();
    }, () => replace(newHolder))));
    newHolder.querySelector('input:not([disabled])')?.focus();
  }, 'btn btn-primary', { 'data-testid': 'new-escalation-plan' }) : null;

  append(ctx.main, pageHeader('Escalation plans', newButton), messages.el, newHolder,
    section('Escalation plans', h('p', { class: 'muted small' }, 'Each stage engages its targets; the next stage starts after its duration unless someone acknowledges.'), plansBody),
    section('On-call schedules', h('p', { class: 'muted small' }, 'A schedule engages whoever its rotations have on call at that moment.'), schedulesBody));
  if (!(await loadOrShowError(plansBody, load, () => ctx.navigate(location.hash)))) return;
  if (writer) schedulesBody.after(scheduleForm());
}
