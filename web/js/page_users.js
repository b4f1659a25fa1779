// #/users (admins): people who sign in to the dashboard, their roles and passwords.
import { listAll, seg } from './api.js';
import { h, append, replace, timeEl } from './dom.js';
import { isAdmin, user } from './session.js';
import { busy, button, emptyState, field, input, loadOrShowError, messageSlot, notice, onSubmit, pageHeader, section, select } from './ui.js';

const ROLES = [
  { value: 'viewer', label: 'viewer — reads everything' },
  { value: 'responder', label: 'responder — handles incidents, people, rotations' },
  { value: 'admin', label: 'admin — everything, including plans, integrations and users' },
];

export async function render(ctx) {
  append(ctx.main, pageHeader('Users'));
  if (!isAdmin()) {
    append(ctx.main, notice('Only admins can manage users.', 'warning'));
    return;
  }
  const messages = messageSlot();
  const listBody = h('div', { 'data-testid': 'users' });
  let users = [];

  async function load() {
    users = await listAll('/users', { signal: ctx.signal });
    paint();
  }

  function paint() {
    if (!users.length) {
      replace(listBody, emptyState('No users.'));
      return;
    }
    replace(listBody, h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Role'),
        h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', null, users.map(userRow)))));
  }

  function userRow(u) {
    const self = user()?.id === u.id || user()?.name === u.name;
    const roleSelect = select(ROLES.map((r) => ({ value: r.value, label: r.value })), { value: u.role, 'aria-label': `Role of ${u.name}`, 'data-testid': 'user-role' });
    const saveRole = button('Save role', async () => {
      try {
        await busy(saveRole, () => ctx.api('PATCH', `/users/${seg(u.id || u.name)}`, { body: { role: roleSelect.value } }), 'Saving…');
        messages.success(`${u.name} is now ${roleSelect.value}.`);
        await load();
      } catch (err) {
        messages.error(err);
      }
    }, 'btn btn-small');
    const passwordHolder = h('div', { class: 'password-holder' });
    const setPassword = button('Set password', () => {
      const pw = input({ type: 'password', autocomplete: 'new-password', 'aria-label': `New password for ${u.name}` });
      const ok = h('button', { type: 'submit', class: 'btn btn-small btn-primary' }, 'Save password');
      const form = h('form', { class: 'inline-form', noValidate: true },
        field('New password', pw, { name: 'password' }), ok, button('Cancel', () => replace(passwordHolder), 'btn btn-ghost btn-small'));
      onSubmit(form, ok, 'Saving…', async (send) => {
        await send(() => ctx.api('PATCH', `/users/${seg(u.id || u.name)}`, { body: { password: pw.value } }));
        replace(passwordHolder);
        messages.success(`Password of ${u.name} changed.`);
      });
      replace(passwordHolder, form);
      pw.focus();
    }, 'btn btn-small');
    const del = self ? null : button('Delete', async () => {
      if (!window.confirm(`Delete the user ${u.name}? Their sessions end at once.`)) return;
      try {
        await busy(del, () => ctx.api('DELETE', `/users/${seg(u.id || u.name)}`), 'Deleting…');
        messages.success(`${u.name} deleted.`);
        await load();
      } catch (err) {
        messages.error(err);
      }
    }, 'btn btn-ghost btn-small');
    return h('tr', { 'data-testid': 'user-row', 'data-name': u.name },
      h('td', { 'data-label': 'Name' }, u.name, self ? h('span', { class: 'muted' }, ' (you)') : null),
      h('td', { 'data-label': 'Role' }, h('div', { class: 'inline-form' }, roleSelect, saveRole)),
      h('td', { 'data-label': 'Created' }, timeEl(u.createdAt), u.createdBy ? h('span', { class: 'muted small' }, ` by ${u.createdBy}`) : null),
      h('td', { class: 'row-actions' }, setPassword, del, passwordHolder));
  }

  function createForm() {
    const name = input({ autocomplete: 'off', autocapitalize: 'none', 'data-testid': 'user-name' });
    const password = input({ type: 'password', autocomplete: 'new-password', 'data-testid': 'user-password' });
    const role = select(ROLES, { value: 'responder', 'data-testid': 'user-new-role' });
    const save = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'user-save' }, 'Add user');
    const form = h('form', { class: 'form', noValidate: true, 'aria-label': 'Add a user' },
      field('Name', name, { name: 'name' }),
      field('Password', password, { name: 'password' }),
      field('Role', role, { name: 'role' }),
      h('div', { class: 'form-actions' }, save));
    onSubmit(form, save, 'Adding…', async (send) => {
      const u = await send(() => ctx.api('POST', '/users', { body: { name: name.value.trim(), password: password.value, role: role.value } }));
      name.value = '';
      password.value = '';
      messages.success(`User ${u.name} added.`);
      await load();
    });
    return section('Add a user', form);
  }

  append(ctx.main, messages.el, section('Users', listBody));
  if (!(await loadOrShowError(listBody, load, () => ctx.navigate(location.hash)))) return;
  append(ctx.main, createForm());
}
