// #/integrations: senders of alarms and events, each with its own ingest key.
// The ingest URL (which holds the key) is shown once, after create or rotate-key.
import { listAll, seg } from './api.js';
import { h, append, replace, timeEl } from './dom.js';
import { isAdmin } from './session.js';
import { busy, button, emptyState, field, input, loadOrShowError, messageSlot, onSubmit, pageHeader, secretBox, section, select } from './ui.js';

const TYPES = ['alertmanager', 'grafana', 'cloudwatch', 'sns', 'eventbridge', 'securityhub', 'generic'];

export async function render(ctx) {
  const admin = isAdmin();
  const messages = messageSlot();
  const secretHolder = h('div', { 'data-testid': 'secret-holder' });
  const listBody = h('div', { 'data-testid': 'integrations' });
  let plans = [];
  let integrations = [];

  const planName = (ref) => {
    if (!ref) return null;
    const p = plans.find((x) => x.id === ref || x.name === ref);
    return p ? p.name : ref;
  };

  async function load() {
    [integrations, plans] = await Promise.all([
      listAll('/integrations', { signal: ctx.signal }),
      listAll('/response-plans', { signal: ctx.signal }),
    ]);
    paint();
  }

  function showSecret(result, what) {
    replace(secretHolder, secretBox(`${what}: ingest URL of ${result.name}`, result.ingestUrl, 'ingest-url'));
    secretHolder.scrollIntoView({ block: 'nearest' });
  }

  function paint() {
    if (!integrations.length) {
      replace(listBody, emptyState('No integrations yet.'));
      return;
    }
    replace(listBody, h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Default response plan'),
        h('th', { scope: 'col' }, 'Auto-resolve'), h('th', { scope: 'col' }, 'Heartbeat'), h('th', { scope: 'col' }, 'Key'),
        h('th', { scope: 'col' }, 'Created'), admin ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')) : null)),
      h('tbody', null, integrations.map((i) => {
        const rotate = admin ? button('Rotate key', async () => {
          if (!window.confirm(`Replace the ingest key of ${i.name}? The sender must be given the new URL; the old one stops working at once.`)) return;
          try {
            const r = await busy(rotate, () => ctx.api('POST', `/integrations/${seg(i.id)}/rotate-key`), 'Rotating…');
            showSecret(r, 'New key');
            await load();
          } catch (err) {
            messages.error(err);
          }
        }, 'btn btn-small', { 'data-testid': 'rotate-key' }) : null;
        const del = admin ? button('Delete', async () => {
          if (!window.confirm(`Delete the integration ${i.name}?`)) return;
          try {
            await busy(del, () => ctx.api('DELETE', `/integrations/${seg(i.id)}`), 'Deleting…');
            await load();
          } catch (err) {
            messages.error(err);
          }
        }, 'btn btn-ghost btn-small') : null;
        return h('tr', { 'data-testid': 'integration-row', 'data-name': i.name },
          h('td', { 'data-label': 'Name' }, i.name),
          h('td', { 'data-label': 'Type' }, h('span', { class: 'badge' }, i.type)),
          h('td', { 'data-label': 'Default plan' }, planName(i.responsePlan) || h('span', { class: 'muted' }, 'none (rules only)')),
          h('td', { 'data-label': 'Auto-resolve' }, i.autoResolve ? 'yes' : 'no'),
          h('td', { 'data-label': 'Heartbeat' }, i.heartbeatMinutes ? `every ${i.heartbeatMinutes} min` : '—'),
          h('td', { 'data-label': 'Key' }, i.keyPrefix ? h('code', null, `${i.keyPrefix}…`) : '—'),
          h('td', { 'data-label': 'Created' }, timeEl(i.createdAt)),
          admin ? h('td', { class: 'row-actions' }, rotate, del) : null);
      })))));
  }

  function createForm() {
    const name = input({ maxlength: '200', 'data-testid': 'integration-name' });
    const type = select(TYPES, { value: 'alertmanager', 'data-testid': 'integration-type' });
    const plan = select([{ value: '', label: 'None (rules decide)' }, ...plans.map((p) => ({ value: p.name, label: p.name }))], { 'data-testid': 'integration-plan' });
    const autoResolve = h('input', { type: 'checkbox', checked: true });
    const alertKey = select([{ value: 'fingerprint', label: 'One incident per alert (fingerprint)' }, { value: 'groupKey', label: 'One incident per Alertmanager group (groupKey)' }], { value: 'fingerprint' });
    const heartbeat = input({ type: 'number', min: '0', max: '10080', value: '0', class: 'input-small' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'integration-save' }, 'Create integration');
    const form = h('form', { class: 'form', noValidate: true, 'aria-label': 'New integration' },
      field('Name', name, { name: 'name' }),
      field('Type', type, { name: 'type', help: 'What the sender posts; cannot be changed later.' }),
      field('Default response plan', plan, { name: 'responsePlan' }),
      field('Resolve the incident when the alert resolves', autoResolve, { name: 'autoResolve', inline: true }),
      field('Alert key', alertKey, { name: 'alertKey' }),
      field('Heartbeat (minutes, 0: none)', heartbeat, { name: 'heartbeatMinutes' }),
      h('div', { class: 'form-actions' }, save));
    onSubmit(form, save, 'Creating…', async (send) => {
      const n = Number(heartbeat.value);
      const body = {
        name: name.value.trim(),
        type: type.value,
        autoResolve: autoResolve.checked,
        alertKey: alertKey.value,
        heartbeatMinutes: heartbeat.value !== '' && Number.isInteger(n) ? n : heartbeat.value,
      };
      if (plan.value) body.responsePlan = plan.value;
      const created = await send(() => ctx.api('POST', '/integrations', { body }));
      name.value = '';
      showSecret(created, 'Created');
      await load();
    });
    return section('New integration', form);
  }

  append(ctx.main, pageHeader('Integrations'), messages.el, secretHolder,
    section('Integrations', h('p', { class: 'muted small' }, 'Alertmanager, Grafana, CloudWatch, SNS, EventBridge, Security Hub or the generic events API post to their ingest URL.'), listBody));
  if (!(await loadOrShowError(listBody, load, () => ctx.navigate(location.hash)))) return;
  if (admin) append(ctx.main, createForm());
}
