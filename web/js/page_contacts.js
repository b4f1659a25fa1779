// #/contacts and #/contacts/<alias>: people, their channels (with activation by
// code) and their personal engagement plan.
import { ifMatch, listAll, seg } from './api.js';
import { h, append, replace, timeEl, stateBadge } from './dom.js';
import { canRespond } from './session.js';
import { describeStages, stageEditor } from './stages.js';
import { busy, button, emptyState, field, getOrShowNotFound, input, loadOrShowError, messageSlot, notice, onSubmit, pageHeader, section, select, setFlash } from './ui.js';

export async function renderList(ctx) {
  const writer = canRespond();
  append(ctx.main, pageHeader('Contacts'));
  const contacts = await listAll('/contacts', { signal: ctx.signal, max: 5000 });
  const list = contacts.length
    ? h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Alias'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Plan'), h('th', { scope: 'col' }, 'Created'))),
      h('tbody', null, contacts.map((c) => h('tr', { 'data-testid': 'contact-row' },
        h('td', { 'data-label': 'Alias' }, h('a', { href: `#/contacts/${seg(c.alias)}` }, c.alias)),
        h('td', { 'data-label': 'Name' }, c.displayName || ''),
        h('td', { 'data-label': 'Plan' }, `${(c.plan?.stages || []).length} stage${(c.plan?.stages || []).length === 1 ? '' : 's'}`),
        h('td', { 'data-label': 'Created' }, timeEl(c.createdAt)))))))
    : emptyState('No contacts yet.');
  append(ctx.main, section('People', list));
  if (writer) append(ctx.main, createForm(ctx));
}

function createForm(ctx) {
  const alias = input({ required: true, maxlength: '255', autocapitalize: 'none', 'data-testid': 'contact-alias' });
  const displayName = input({ maxlength: '255', 'data-testid': 'contact-name' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add contact');
  const form = h('form', { class: 'form', noValidate: true, 'aria-label': 'Add a contact' },
    field('Alias', alias, { name: 'alias', help: 'Lower case letters, digits, - and _. Cannot be changed later.' }),
    field('Display name', displayName, { name: 'displayName' }),
    h('div', { class: 'form-actions' }, submit));
  onSubmit(form, submit, 'Adding…', async (send) => {
    const c = await send(() => ctx.api('POST', '/contacts', { body: { alias: alias.value.trim(), displayName: displayName.value.trim() } }));
    setFlash(`Contact ${c.alias} added. Add a channel and activate it with the code it receives.`);
    ctx.navigate(`#/contacts/${seg(c.alias)}`);
  });
  return section('Add a contact', form);
}

export async function renderOne(ctx) {
  const ref = ctx.params[0];
  const writer = canRespond();
  const messages = messageSlot();
  let contact = await getOrShowNotFound(ctx, `/contacts/${seg(ref)}`, 'Contact not found', '#/contacts', 'Back to the contacts');
  if (!contact) return;
  ctx.setTitle(contact.alias);
  const heading = pageHeader(contact.displayName ? `${contact.displayName} (${contact.alias})` : contact.alias);
  const channelsBody = h('div', { 'data-testid': 'channels' });
  const channelMessages = messageSlot();
  const planBody = h('div', { 'data-testid': 'contact-plan' });
  let channels = [];

  async function loadChannels() {
    channels = await listAll(`/contacts/${seg(contact.alias)}/channels`, { signal: ctx.signal });
    replace(channelsBody, channels.length
      ? h('ul', { class: 'channels' }, channels.map(channelEl))
      : emptyState('No channels yet: this person cannot be paged.'));
  }

  function channelEl(ch) {
    const activated = ch.activationStatus === 'ACTIVATED';
    const li = h('li', { class: 'channel', 'data-testid': 'channel-row', 'data-channel-id': ch.id },
      h('div', { class: 'channel-head' },
        h('strong', null, ch.name), ' ',
        h('span', { class: 'badge' }, ch.type), ' ',
        h('span', { class: 'mono' }, ch.deliveryAddress), ' ',
        h('span', { 'data-testid': 'channel-status' }, stateBadge(activated ? 'ACTIVATED' : 'NOT_ACTIVATED'))));
    if (!writer) return li;
    const actions = h('div', { class: 'channel-actions' });
    if (!activated) {
      const send = button('Send a code', async () => {
        try {
          await busy(send, () => ctx.api('POST', `/channels/${seg(ch.id)}/send-activation-code`), 'Sending…');
          channelMessages.success(`A new activation code was sent to ${ch.deliveryAddress}.`);
        } catch (err) {
          channelMessages.error(err);
        }
      }, 'btn btn-small', { 'data-testid': 'send-code' });
      const code = input({ inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '10', class: 'input-small', 'data-testid': 'activation-code' });
      const activate = h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'activate' }, 'Activate');
      const form = h('form', { class: 'inline-form', noValidate: true, 'aria-label': `Activate ${ch.name}` },
        field('Activation code', code, { name: 'code' }), activate);
      onSubmit(form, activate, 'Activating…', async (send) => {
        await send(() => ctx.api('POST', `/channels/${seg(ch.id)}/activate`, { body: { code: code.value.trim() } }));
        channelMessages.success(`${ch.name} is activated.`);
        await loadChannels();
      });
      append(actions, send, form);
    } else {
      const deactivate = button('Deactivate', async () => {
        try {
          await busy(deactivate, () => ctx.api('POST', `/channels/${seg(ch.id)}/deactivate`), 'Deactivating…');
          await loadChannels();
        } catch (err) {
          channelMessages.error(err);
        }
      }, 'btn btn-small');
      append(actions, deactivate);
    }
    const del = button('Delete', async () => {
      if (!window.confirm(`Delete the channel ${ch.name}?`)) return;
      try {
        await busy(del, () => ctx.api('DELETE', `/channels/${seg(ch.id)}`), 'Deleting…');
        await reloadContact();
        await loadChannels();
      } catch (err) {
        channelMessages.error(err);
      }
    }, 'btn btn-ghost btn-small');
    append(actions, del);
    append(li, actions);
    return li;
  }

  function addChannelForm() {
    const name = input({ required: true, maxlength: '255', placeholder: 'work mail', 'data-testid': 'channel-name' });
    const type = select(['EMAIL', 'SMS', 'VOICE'], { value: 'EMAIL', 'data-testid': 'channel-type' });
    const address = input({ required: true, maxlength: '320', placeholder: 'name@example.com', 'data-testid': 'channel-address' });
    type.addEventListener('change', () => {
      address.placeholder = type.value === 'EMAIL' ? 'name@example.com' : '+14155550100';
    });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Add channel');
    const form = h('form', { class: 'form', noValidate: true, 'aria-label': 'Add a channel' },
      field('Name', name, { name: 'name' }),
      field('Type', type, { name: 'type' }),
      field('Address', address, { name: 'deliveryAddress', help: 'An e-mail address, or an E.164 phone number for SMS and voice.' }),
      h('div', { class: 'form-actions' }, submit));
    onSubmit(form, submit, 'Adding…', async (send) => {
      const ch = await send(() => ctx.api('POST', `/contacts/${seg(contact.alias)}/channels`, {
        body: { name: name.value.trim(), type: type.value, deliveryAddress: address.value.trim() },
      }));
      name.value = '';
      address.value = '';
      channelMessages.success(`An activation code was sent to ${ch.deliveryAddress}. Enter it next to the channel to activate it.`);
      await loadChannels();
    });
    return h('details', { class: 'add-block' }, h('summary', null, 'Add a channel'), form);
  }

  async function reloadContact() {
    contact = await ctx.api('GET', `/contacts/${seg(contact.alias)}`);
    paintPlan();
  }

  function channelName(id) {
    const ch = channels.find((c) => c.id === id);
    return ch ? `${ch.name} (${ch.type})` : id;
  }

  function paintPlan() {
    replace(planBody, ...describeStages(contact.plan?.stages, channelName, 'personal'),
      writer ? button('Edit plan', () => editPlan(), 'btn btn-small', { 'data-testid': 'edit-plan' }) : null);
  }

  function editPlan() {
    const editor = stageEditor({
      kind: 'personal',
      prefix: 'plan.stages',
      stages: contact.plan?.stages || [],
      targets: channels.map((c) => ({ value: c.id, label: `${c.name} (${c.type}${c.activationStatus === 'ACTIVATED' ? '' : ', not activated'})` })),
    });
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save plan');
    const form = h('form', { class: 'form', noValidate: true, 'aria-label': 'Engagement plan' },
      editor.el,
      h('div', { class: 'form-actions' }, save, button('Cancel', () => paintPlan(), 'btn btn-ghost')));
    onSubmit(form, save, 'Saving…', async (send) => {
      contact = await send(() => ctx.api('PATCH', `/contacts/${seg(contact.alias)}`, {
        body: { plan: { stages: editor.value() } }, headers: ifMatch(contact.version),
      }));
      messages.success('Engagement plan saved.');
      paintPlan();
    }, {
      onError: async (err) => {
        if (err.status !== 412) return false;
        await reloadContact().catch(() => {});
        messages.warn(`Someone else changed this contact meanwhile (request id ${err.requestId}); it was reloaded. Edit the plan again.`);
        return true;
      },
    });
    replace(planBody, form);
  }

  function nameForm() {
    const displayName = input({ value: contact.displayName || '', maxlength: '255' });
    const save = h('button', { type: 'submit', class: 'btn btn-small' }, 'Save');
    const form = h('form', { class: 'inline-form', noValidate: true, 'aria-label': 'Display name' },
      field('Display name', displayName, { name: 'displayName' }), save);
    onSubmit(form, save, 'Saving…', async (send) => {
      contact = await send(() => ctx.api('PATCH', `/contacts/${seg(contact.alias)}`, { body: { displayName: displayName.value.trim() }, headers: ifMatch(contact.version) }));
      messages.success('Saved.');
      heading.querySelector('h1').textContent = contact.displayName ? `${contact.displayName} (${contact.alias})` : contact.alias;
    }, {
      onError: async (err) => {
        if (err.status === 412) await reloadContact().catch(() => {});
        return false;
      },
    });
    return form;
  }

  const del = writer ? button('Delete contact', async () => {
    if (!window.confirm(`Delete ${contact.alias}? Plans and rotations that use them must be changed first.`)) return;
    try {
      await busy(del, () => ctx.api('DELETE', `/contacts/${seg(contact.alias)}`), 'Deleting…');
      setFlash(`Contact ${contact.alias} deleted.`);
      ctx.navigate('#/contacts');
    } catch (err) {
      messages.error(err);
    }
  }, 'btn btn-danger btn-small') : null;

  append(ctx.main, 
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/contacts' }, '← Contacts')),
    heading,
    messages.el,
    writer ? section('Details', nameForm(), del) : null,
    section('Channels', channelMessages.el, channelsBody, writer ? addChannelForm() : null),
    section('Engagement plan', h('p', { class: 'muted small' }, 'Which channels are paged when this person is engaged, stage by stage.'), planBody));
  await loadOrShowError(channelsBody, loadChannels);
  paintPlan();
  if (!channels.some((c) => c.activationStatus === 'ACTIVATED') && channels.length) {
    append(channelMessages.el, notice('No channel is activated yet: pages go only to activated channels.', 'warning'));
  }
}
