// #/login?next=<hash>: name and password; on success back to `next`.
import { h } from './dom.js';
import { login } from './session.js';
import { busy, field, input, messageSlot } from './ui.js';

function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('#/') || next.startsWith('#/login')) return '#/incidents';
  return next;
}

export async function render(ctx) {
  const next = safeNext(ctx.query.get('next'));
  const messages = messageSlot();
  const name = input({ name: 'name', autocomplete: 'username', required: true, autofocus: true, 'data-testid': 'login-name', autocapitalize: 'none', spellcheck: 'false' });
  const password = input({ type: 'password', name: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'login-submit' }, 'Sign in');
  const form = h('form', { class: 'form', noValidate: true, 'aria-describedby': 'login-intro' },
    field('Name', name),
    field('Password', password),
    submit);
  const errorHolder = h('div', { 'data-testid': 'login-error' }, messages.el);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    messages.clear();
    if (!name.value.trim() || !password.value) {
      messages.warn('Enter your name and password.');
      (name.value.trim() ? password : name).focus();
      return;
    }
    try {
      await busy(submit, () => login(name.value.trim(), password.value), 'Signing in…');
    } catch (err) {
      if (ctx.signal.aborted) return;
      // On 401 the server's message is deliberately generic: it does not say which of the two was wrong.
      messages.error(err, err.status === 401 ? { title: 'Sign-in failed' } : undefined);
      password.value = '';
      password.focus();
      return;
    }
    ctx.navigate(next);
  });

  ctx.main.appendChild(h('div', { class: 'login-wrap' },
    h('div', { class: 'card login-card' },
      h('div', { class: 'login-brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Tocsin'),
      h('h1', { tabindex: '-1', 'data-testid': 'page-title' }, 'Sign in'),
      h('p', { id: 'login-intro', class: 'muted' }, 'Incident response for your team.'),
      errorHolder,
      form)));
}
