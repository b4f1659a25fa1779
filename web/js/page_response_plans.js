// #/response-plans (list), #/response-plans/new and #/response-plans/<name>
// (create / edit). Server validation errors are shown next to the field that
// error.field names (e.g. "incidentTemplate.impact", "engagements[1]").
import { ifMatch, listAll, seg } from './api.js';
import { h, append, impactBadge, isAbort } from './dom.js';
import { isAdmin } from './session.js';
import { busy, button, emptyState, field, fieldset, formatTags, getOrShowNotFound, input, notice, onSubmit, pageHeader, parseTags, replaceObjectPatch, section, setFlash } from './ui.js';

export function planHref(p) {
  return `#/response-plans/${seg(p.name === 'new' ? p.id : p.name)}`;
}

export async function renderList(ctx) {
  const admin = isAdmin();
  append(ctx.main, pageHeader('Response plans', admin ? h('a', { class: 'btn btn-primary', href: '#/response-plans/new', 'data-testid': 'new-response-plan' }, 'New response plan') : null));
  const [plans, contacts] = await Promise.all([
    listAll('/response-plans', { signal: ctx.signal }),
    contactsById(ctx),
  ]);
  if (!plans.length) {
    append(ctx.main, emptyState('No response plans yet. A response plan is what an incident starts from: its defaults and who to engage.'));
    return;
  }
  append(ctx.main, h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Incident title'), h('th', { scope: 'col' }, 'Impact'),
      h('th', { scope: 'col' }, 'Engages'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    h('tbody', null, plans.map((p) => h('tr', { 'data-testid': 'response-plan-row', 'data-name': p.name },
      h('td', { 'data-label': 'Name' }, h('a', { href: planHref(p) }, p.displayName ? `${p.displayName} (${p.name})` : p.name)),
      h('td', { 'data-label': 'Incident title' }, p.incidentTemplate?.title || ''),
      h('td', { 'data-label': 'Impact' }, impactBadge(p.incidentTemplate?.impact)),
      h('td', { 'data-label': 'Engages' }, (p.engagements || []).map((id) => contacts.get(id)?.alias || id).join(', ') || h('span', { class: 'muted' }, 'nobody')),
      h('td', null, h('a', { class: 'btn btn-small', href: `#/start?plan=${encodeURIComponent(p.name)}` }, 'Start incident'))))))));
}

async function contactsById(ctx) {
  const lists = await Promise.all(['/contacts', '/escalation-plans', '/oncall-schedules'].map((p) => listAll(p, { signal: ctx.signal, max: 5000 })));
  const m = new Map();
  for (const list of lists) for (const c of list) m.set(c.id, c);
  return m;
}

// Admin-only lists (chat channels, notification targets): [] when not allowed.
async function optional(ctx, path) {
  try {
    return await listAll(path, { signal: ctx.signal });
  } catch (err) {
    if (isAbort(err)) throw err;
    if (err.status === 403) return null;
    throw err;
  }
}

export async function renderOne(ctx) {
  const ref = ctx.params[0];
  const creating = ref === 'new';
  const admin = isAdmin();
  let plan = null;
  if (!creating) {
    plan = await getOrShowNotFound(ctx, `/response-plans/${seg(ref)}`, 'Response plan not found', '#/response-plans', 'Back to the response plans');
    if (!plan) return;
    ctx.setTitle(plan.name);
  }
  const [contacts, chats, targets] = await Promise.all([
    contactsById(ctx),
    admin ? optional(ctx, '/chat-channels') : Promise.resolve(null),
    admin ? optional(ctx, '/notification-targets') : Promise.resolve(null),
  ]);
  const t = plan?.incidentTemplate || {};

  const name = input({ value: plan?.name || '', disabled: !creating, maxlength: '200', autocapitalize: 'none', 'data-testid': 'plan-name' });
  const displayName = input({ value: plan?.displayName || '', maxlength: '200', 'data-testid': 'plan-display-name' });
  const title = input({ value: t.title || '', maxlength: '200', 'data-testid': 'plan-title' });
  const impact = input({ type: 'number', min: '1', max: '5', value: t.impact !== undefined ? String(t.impact) : '3', class: 'input-small', 'data-testid': 'plan-impact' });
  const summary = h('textarea', { rows: '3', maxlength: '8000', 'data-testid': 'plan-summary' });
  summary.value = t.summary || '';
  const dedupe = input({ value: t.dedupeString || '', maxlength: '1000', 'data-testid': 'plan-dedupe' });
  const incidentTags = h('textarea', { rows: '2', placeholder: 'team=db', 'data-testid': 'plan-incident-tags' });
  incidentTags.value = formatTags(t.incidentTags);
  const tags = h('textarea', { rows: '2', placeholder: 'owner=sre' });
  tags.value = formatTags(plan?.tags);

  const checks = (items, chosen, labelOf, prefix) => items.map((item) => {
    const id = `${prefix}-${item.id}`;
    return h('span', { class: 'check' },
      h('input', { type: 'checkbox', id, value: item.id, checked: chosen.includes(item.id), 'data-testid': `${prefix}-${item.alias || item.name}` }),
      h('label', { for: id }, labelOf(item)));
  });
  const chosenEngagements = plan?.engagements || [];
  const contactList = [...contacts.values()];
  const typeWord = { PERSONAL: 'person', ESCALATION: 'escalation plan', ONCALL_SCHEDULE: 'on-call schedule' };
  const engagementsSet = fieldset('Engage when an incident starts (at most 5)', contactList.length
    ? checks(contactList, chosenEngagements, (c) => `${c.alias} (${typeWord[c.type] || c.type})`, 'engage')
    : [h('p', { class: 'muted' }, 'No contacts yet.')], { name: 'engagements' });
  const chatSet = chats ? fieldset('Chat channels', chats.length ? checks(chats, plan?.chatChannels || [], (c) => `${c.name} (${c.type})`, 'chat') : [h('p', { class: 'muted' }, 'None configured.')], { name: 'chatChannels' }) : null;
  const targetSet = targets ? fieldset('Notification targets', targets.length ? checks(targets, t.notificationTargets || [], (x) => x.name, 'target') : [h('p', { class: 'muted' }, 'None configured.')], { name: 'incidentTemplate.notificationTargets' }) : null;

  const save = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'plan-save' }, creating ? 'Create response plan' : 'Save');
  const body = h('fieldset', { class: 'plain-fieldset', disabled: !admin },
    h('legend', { class: 'visually-hidden' }, 'Response plan'),
    h('h2', null, 'Plan'),
    field('Name', name, { name: 'name', help: creating ? 'Letters, digits, - and _. Part of every incident’s ARN; cannot be changed later.' : 'Cannot be changed.' }),
    field('Display name', displayName, { name: 'displayName' }),
    h('h2', null, 'Incident template'),
    field('Title', title, { name: 'incidentTemplate.title' }),
    field('Impact (1 critical … 5 no impact)', impact, { name: 'incidentTemplate.impact' }),
    field('Summary', summary, { name: 'incidentTemplate.summary', wide: true }),
    field('Dedupe string', dedupe, { name: 'incidentTemplate.dedupeString', help: 'While an incident with this string is open, starting again returns it instead of a new one.' }),
    field('Incident tags (key=value per line)', incidentTags, { name: 'incidentTemplate.incidentTags' }),
    targetSet,
    h('h2', null, 'Engagements and chat'),
    engagementsSet,
    chatSet,
    field('Plan tags (key=value per line)', tags, { name: 'tags' }),
    admin ? h('div', { class: 'form-actions' }, save) : null);
  const form = h('form', { class: 'form card', noValidate: true, 'aria-label': creating ? 'New response plan' : `Response plan ${plan.name}`, 'data-testid': 'plan-form' }, body);

  const chosen = (set) => (set ? [...set.querySelectorAll('input[type=checkbox]:checked')].map((x) => x.value) : undefined);
  const errors = onSubmit(form, save, creating ? 'Creating…' : 'Saving…', async (send) => {
    const impactNumber = Number(impact.value);
    const template = {
      title: title.value,
      impact: impact.value !== '' && Number.isInteger(impactNumber) ? impactNumber : impact.value,
      summary: summary.value,
      dedupeString: dedupe.value,
      incidentTags: parseTags(incidentTags.value),
    };
    if (impact.value === '') delete template.impact;
    if (targetSet) template.notificationTargets = chosen(targetSet);
    const spec = {
      displayName: displayName.value,
      incidentTemplate: template,
      engagements: chosen(engagementsSet),
      tags: parseTags(tags.value),
    };
    if (chatSet) spec.chatChannels = chosen(chatSet);
    let saved;
    if (creating) {
      spec.name = name.value.trim();
      saved = await send(() => ctx.api('POST', '/response-plans', { body: spec }));
    } else {
      const patch = {
        ...spec,
        incidentTemplate: { ...template, incidentTags: replaceObjectPatch(t.incidentTags, template.incidentTags) },
        tags: replaceObjectPatch(plan.tags, spec.tags),
      };
      saved = await send(() => ctx.api('PATCH', `/response-plans/${seg(plan.id)}`, { body: patch, headers: ifMatch(plan.version) }));
    }
    setFlash(`Response plan ${saved.name} saved.`);
    ctx.navigate(planHref(saved));
  }, {
    onError: (err) => {
      if (err.status !== 412) return false;
      errors.top.warn(`Someone else changed this plan while you were editing (request id ${err.requestId}). Reload the page to see the latest version.`);
      return true;
    },
  });

  const del = !creating && admin ? button('Delete', async () => {
    if (!window.confirm(`Delete the response plan ${plan.name}?`)) return;
    try {
      await busy(del, () => ctx.api('DELETE', `/response-plans/${seg(plan.id)}`), 'Deleting…');
      setFlash(`Response plan ${plan.name} deleted.`);
      ctx.navigate('#/response-plans');
    } catch (err) {
      errors.show(err);
    }
  }, 'btn btn-danger btn-small', { 'data-testid': 'plan-delete' }) : null;

  append(ctx.main, 
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/response-plans' }, '← Response plans')),
    pageHeader(creating ? 'New response plan' : (plan.displayName || plan.name),
      !creating ? h('a', { class: 'btn', href: `#/start?plan=${encodeURIComponent(plan.name)}` }, 'Start incident') : null, del),
    admin ? null : notice('Only admins can change response plans.', 'info'),
    form,
    plan?.actions?.length ? section('Runbook actions', h('p', { class: 'muted small' }, `${plan.actions.length} action(s): ${plan.actions.map((a) => a.runbook).join(', ')}. Edit them through the API.`)) : null);
}
