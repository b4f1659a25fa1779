// Editor of engagement stages: a person's plan (targets are the person's
// channels, with a retry interval) or an escalation plan (targets are people
// and on-call schedules, essential or not). Inputs carry data-field paths such
// as "plan.stages[0].targets[1].channel" so that server errors land next to them.
import { h, replace } from './dom.js';
import { button, field, input, select } from './ui.js';

// options: {kind: 'personal'|'escalation', prefix: 'plan.stages'|'stages',
//           targets: [{value, label}], stages: [...]}
export function stageEditor({ kind, prefix, targets, stages }) {
  const model = (stages || []).map((s) => ({
    durationInMinutes: s.durationInMinutes ?? 0,
    targets: (s.targets || []).map((t) => ({ ...t })),
  }));
  const el = h('div', { class: 'stage-editor', 'data-field': prefix });
  const targetKey = kind === 'personal' ? 'channel' : 'contact';
  let inputs = [];

  // Reads the inputs back into the model before a structural change.
  function read() {
    for (const row of inputs) {
      const stage = model[row.stage];
      if (row.kind === 'duration') stage.durationInMinutes = numberOr(row.el.value);
      else if (row.kind === 'target') stage.targets[row.target][targetKey] = row.el.value;
      else if (row.kind === 'retry') stage.targets[row.target].retryIntervalInMinutes = numberOr(row.el.value);
      else if (row.kind === 'essential') stage.targets[row.target].isEssential = row.el.checked;
    }
  }

  function paint() {
    inputs = [];
    const list = model.map((stage, i) => {
      const path = `${prefix}[${i}]`;
      const duration = input({ type: 'number', min: '0', max: '30', value: String(stage.durationInMinutes), class: 'input-small', 'data-testid': `stage-${i}-duration` });
      inputs.push({ kind: 'duration', stage: i, el: duration });
      const rows = stage.targets.map((t, j) => {
        const tpath = `${path}.targets[${j}]`;
        const options = [{ value: '', label: kind === 'personal' ? 'Choose a channel…' : 'Choose a contact…' }, ...targets];
        if (t[targetKey] && !targets.some((o) => o.value === t[targetKey])) options.push({ value: t[targetKey], label: t[targetKey] });
        const sel = select(options, { value: t[targetKey] || '', 'data-testid': `stage-${i}-target-${j}` });
        inputs.push({ kind: 'target', stage: i, target: j, el: sel });
        let extra;
        if (kind === 'personal') {
          const retry = input({ type: 'number', min: '0', max: '60', value: String(t.retryIntervalInMinutes ?? 0), class: 'input-small' });
          inputs.push({ kind: 'retry', stage: i, target: j, el: retry });
          extra = field('Retry every (minutes, 0: no retry)', retry, { name: `${tpath}.retryIntervalInMinutes` });
        } else {
          const essential = h('input', { type: 'checkbox', checked: Boolean(t.isEssential) });
          inputs.push({ kind: 'essential', stage: i, target: j, el: essential });
          extra = field('Essential (their acknowledgement ends the escalation)', essential, { name: `${tpath}.isEssential`, inline: true });
        }
        return h('li', { class: 'target-row' },
          field(kind === 'personal' ? 'Channel' : 'Contact or schedule', sel, { name: `${tpath}.${targetKey}` }),
          extra,
          button('Remove target', () => {
            read();
            stage.targets.splice(j, 1);
            paint();
          }, 'btn btn-ghost btn-small'));
      });
      return h('li', { class: 'stage' },
        h('fieldset', { 'data-field': path },
          h('legend', null, `Stage ${i + 1}`),
          field('Duration (minutes, 0–30)', duration, { name: `${path}.durationInMinutes` }),
          h('p', { class: 'field-error', 'data-error-for': path }),
          h('ul', { class: 'targets', 'data-field': `${path}.targets` }, rows),
          h('p', { class: 'field-error', 'data-error-for': `${path}.targets` }),
          h('div', { class: 'stage-actions' },
            button('Add target', () => {
              read();
              stage.targets.push(kind === 'personal' ? { channel: '', retryIntervalInMinutes: 0 } : { contact: '', isEssential: false });
              paint();
            }, 'btn btn-small'),
            button('Remove stage', () => {
              read();
              model.splice(i, 1);
              paint();
            }, 'btn btn-ghost btn-small'))));
    });
    replace(el,
      model.length ? h('ol', { class: 'stages' }, list) : h('p', { class: 'muted' }, kind === 'personal'
        ? 'No stages: every activated channel is paged once.'
        : 'No stages yet.'),
      h('p', { class: 'field-error', 'data-error-for': prefix }),
      button('Add stage', () => {
        read();
        model.push({ durationInMinutes: 5, targets: [] });
        paint();
      }, 'btn btn-small', { 'data-testid': 'add-stage' }));
  }

  paint();
  return {
    el,
    value() {
      read();
      return model.map((s) => ({
        durationInMinutes: s.durationInMinutes,
        targets: s.targets.map((t) => (kind === 'personal'
          ? { channel: t.channel, retryIntervalInMinutes: t.retryIntervalInMinutes ?? 0 }
          : { contact: t.contact, isEssential: Boolean(t.isEssential) })),
      }));
    },
  };
}

function numberOr(text) {
  const n = Number(text);
  return text !== '' && Number.isInteger(n) ? n : text;
}

// Words for a list of stages, for the read-only views.
export function describeStages(stages, nameOf, kind) {
  if (!stages || !stages.length) return [h('p', { class: 'muted' }, kind === 'personal' ? 'No stages: every activated channel is paged once.' : 'No stages.')];
  return [h('ol', { class: 'stage-summary' }, stages.map((s, i) => h('li', null,
    h('strong', null, `Stage ${i + 1}`), ` · ${s.durationInMinutes} min: `,
    s.targets.length ? s.targets.map((t, j) => [j ? ', ' : '', kind === 'personal'
      ? `${nameOf(t.channel)}${t.retryIntervalInMinutes ? ` (retry every ${t.retryIntervalInMinutes} min)` : ''}`
      : `${nameOf(t.contact)}${t.isEssential ? ' (essential)' : ''}`]) : h('span', { class: 'muted' }, 'no targets'))))];
}
