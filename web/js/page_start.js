// #/start: start an incident from a response plan.
import { listAll, seg } from './api.js';
import { h, append, IMPACTS } from './dom.js';
import { canRespond, isAdmin } from './session.js';
import { field, input, notice, onSubmit, pageHeader, select, setFlash } from './ui.js';

export async function render(ctx) {
  append(ctx.main, pageHeader('Start an incident'));
  if (!canRespond()) {
    append(ctx.main, notice('Your role (viewer) cannot start incidents. Ask an admin or a responder.', 'warning'));
    return;
  }
  const plans = await listAll('/response-plans', { signal: ctx.signal, max: 1000 });
  if (!plans.length) {
    append(ctx.main, notice('There is no response plan yet. An incident starts from a response plan, which says who to engage.', 'warning'),
      isAdmin() ? h('p', null, h('a', { class: 'btn btn-primary', href: '#/response-plans/new' }, 'Create a response plan')) : null);
    return;
  }
  const preselect = ctx.query.get('plan') || '';
  const plan = select([{ value: '', label: 'Choose a response plan…' }, ...plans.map((p) => ({ value: p.name, label: p.displayName ? `${p.displayName} (${p.name})` : p.name }))],
    { required: true, 'data-testid': 'start-plan', value: plans.some((p) => p.name === preselect) ? preselect : (plans.length === 1 ? plans[0].name : '') });
  const title = input({ maxlength: '200', 'data-testid': 'start-title' });
  const impact = select([{ value: '', label: 'The plan’s default' }, ...IMPACTS.map((i) => ({ value: i.value, label: `${i.value} ${i.label}` }))], { 'data-testid': 'start-impact' });
  const summary = h('textarea', { rows: '3', maxlength: '8000', 'data-testid': 'start-summary' });
  const planInfo = h('p', { class: 'field-help', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large', 'data-testid': 'start-submit' }, 'Start incident');

  function showPlan() {
    const p = plans.find((x) => x.name === plan.value);
    if (!p) {
      planInfo.textContent = '';
      title.placeholder = '';
      impact.options[0].textContent = 'The plan’s default';
      return;
    }
    const t = p.incidentTemplate || {};
    title.placeholder = t.title || '';
    impact.options[0].textContent = `The plan’s default (${t.impact})`;
    const engaged = (p.engagements || []).length;
    planInfo.textContent = engaged ? `Starting engages ${engaged} contact${engaged === 1 ? '' : 's'} at once.` : 'This plan engages nobody.';
  }
  plan.addEventListener('change', showPlan);
  showPlan();

  const form = h('form', { class: 'form card start-form', noValidate: true, 'aria-label': 'Start an incident' },
    field('Response plan', plan, { name: 'responsePlan', help: 'Its template gives the defaults and its engagements are paged.' }),
    planInfo,
    field('Title', title, { name: 'title', help: 'Optional: the plan’s title when empty.' }),
    field('Impact', impact, { name: 'impact' }),
    field('Summary', summary, { name: 'summary', wide: true, help: 'Optional.' }),
    h('div', { class: 'form-actions' }, submit));
  // One key per attempt at starting: a retried request (double click, flaky
  // network) returns the first answer instead of starting twice.
  let clientToken = newToken();
  form.addEventListener('input', () => {
    clientToken = newToken();
  });

  const errors = onSubmit(form, submit, 'Starting…', async (send) => {
    if (!plan.value) {
      errors.show({ field: 'responsePlan', message: 'Choose a response plan.' });
      return;
    }
    const body = { responsePlan: plan.value, clientToken };
    if (title.value.trim()) body.title = title.value.trim();
    if (impact.value) body.impact = Number(impact.value);
    if (summary.value.trim()) body.summary = summary.value.trim();
    const r = await send(() => ctx.api('POST', '/incidents', { body, full: true }));
    const incident = r.data;
    if (r.status === 200 && incident.deduplicated) {
      setFlash('An incident with the same dedupe string is already open: this is it (deduplicated, no new incident was started). A "Duplicate Trigger" entry was added to its timeline.', 'warning');
    } else {
      setFlash('Incident started. The plan’s contacts are being engaged.', 'success');
    }
    ctx.navigate(`#/incidents/${seg(incident.id)}`);
  });
  append(ctx.main, form);
}

function newToken() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const a = new Uint8Array(16);
  crypto.getRandomValues(a);
  return [...a].map((b) => b.toString(16).padStart(2, '0')).join('');
}
