// A two-week (or N-day) shift calendar: one column per local day, listing who
// is on call when. Shifts come from GET /rotations/{id}/shifts or POST
// /rotations/preview: [{members, startTime, endTime, type, overriddenMembers?}].
import { h, fmtDay, fmtTime, localDateKey, parseTime, colorIndex } from './dom.js';

export function startOfLocalDay(date = new Date()) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

export function addLocalDays(date, n) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + n);
}

// calendar(shifts, {start, days, testid, members, label})
export function calendar(shifts, { start, days = 14, testid = 'calendar', members = [], label = 'Shift calendar' } = {}) {
  const now = Date.now();
  const todayKey = localDateKey(new Date());
  const parsed = (shifts || []).map((s) => ({
    ...s,
    start: parseTime(s.startTime)?.getTime() ?? 0,
    end: parseTime(s.endTime)?.getTime() ?? 0,
  })).sort((a, b) => a.start - b.start);

  const colorOf = (name) => {
    const i = members.indexOf(name);
    return `member-c${i >= 0 ? i % 8 : colorIndex(name)}`;
  };

  const columns = [];
  for (let i = 0; i < days; i += 1) {
    const dayStart = addLocalDays(start, i);
    const dayEnd = addLocalDays(start, i + 1);
    const ds = dayStart.getTime();
    const de = dayEnd.getTime();
    const key = localDateKey(dayStart);
    const items = parsed.filter((s) => s.start < de && s.end > ds).map((s) => {
      const from = Math.max(s.start, ds);
      const to = Math.min(s.end, de);
      const who = s.members && s.members.length ? s.members : [];
      const overridden = s.type === 'OVERRIDDEN';
      const fromText = from === ds ? '00:00' : fmtTime(new Date(from));
      const toText = to === de ? '24:00' : fmtTime(new Date(to));
      return h('li', {
        class: ['cal-shift', who.length ? colorOf(who[0]) : 'cal-nobody', overridden && 'cal-overridden', s.start <= now && now < s.end && 'cal-now'],
        'data-testid': 'cal-shift',
        'data-members': who.join(','),
        'data-type': s.type || 'REGULAR',
        title: overridden && s.overriddenMembers?.length ? `Override (instead of ${s.overriddenMembers.join(', ')})` : null,
      },
      h('span', { class: 'cal-time' }, `${fromText}–${toText}`),
      h('span', { class: 'cal-who' }, who.length ? who.join(', ') : 'Nobody'),
      overridden ? h('span', { class: 'cal-tag' }, 'override') : null);
    });
    const dayLabel = fmtDay(dayStart);
    columns.push(h('section', {
      class: ['cal-day', key === todayKey && 'cal-today', (dayStart.getDay() === 0 || dayStart.getDay() === 6) && 'cal-weekend'],
      'data-testid': 'cal-day',
      'data-date': key,
      'aria-label': dayLabel,
    },
    h('h3', { class: 'cal-day-head' }, dayLabel, key === todayKey ? h('span', { class: 'cal-today-tag' }, ' today') : null),
    items.length ? h('ul', { class: 'cal-shifts' }, items) : h('p', { class: 'cal-empty' }, 'Nobody on call')));
  }
  return h('div', { class: 'calendar-scroll' },
    h('div', { class: 'calendar', 'data-testid': testid, role: 'group', 'aria-label': label }, columns));
}
