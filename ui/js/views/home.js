// Home: the programme's figures at a glance, recent sessions and what is waiting to be exported.

import { el, clear } from '../dom.js';
import { t, formatDate, percent, number } from '../i18n.js';

function figure(label, value, extra) {
  return el('div', { class: 'figure' }, el('span', { class: 'value' }, value), el('span', { class: 'label', i18n: label }), extra);
}

export async function render(view, params, ctx) {
  const o = await ctx.api.overview();
  const recent = o.recent_sessions.length
    ? el('ul', { class: 'list' }, ...o.recent_sessions.map((s) => el('li', {},
      el('a', { href: `#/sessions/${s.id}` }, s.title),
      el('span', { class: 'meta' }, formatDate(s.start_date), ' · ', t(`status.${s.status}`), s.commune ? ` · ${s.commune}` : ''))))
    : el('p', { class: 'empty', i18n: 'home.no_sessions' });
  clear(view, 
    el('div', { class: 'title-row' },
      el('h1', { i18n: 'home.title' }),
      el('a', { class: 'button primary', href: '#/sessions/new', i18n: 'home.new_session' })),
    el('section', { class: 'figures', 'aria-label': t('home.title') },
      figure('home.people_reached', number(o.people_reached)),
      figure('home.women', percent(o.women, o.people_reached)),
      figure('home.youth', percent(o.youth, o.people_reached)),
      figure('home.sessions_held', number(o.sessions_held)),
      figure('home.sessions_planned', number(o.sessions_planned)),
      figure('home.overdue', number(o.overdue_items))),
    o.past_planned.length
      ? el('section', { class: 'card warning', id: 'past-planned' },
        el('h2', {}, t('home.past_planned', { count: o.past_planned.length })),
        el('p', { class: 'hint', i18n: 'home.past_planned_help' }),
        el('ul', { class: 'list' }, ...o.past_planned.map((s) => el('li', {},
          el('a', { href: `#/sessions/${s.id}/edit` }, s.title),
          el('span', { class: 'meta' }, formatDate(s.start_date), s.commune ? ` · ${s.commune}` : '')))))
      : null,
    el('section', { class: 'card' },
      el('p', { id: 'unexported' }, t('home.unexported', { count: o.unexported_changes })),
      el('p', { class: 'meta' }, o.last_export ? t('home.last_export', { date: formatDate(o.last_export) }) : t('home.never_exported'))),
    el('section', {}, el('h2', { i18n: 'home.recent' }), recent),
  );
}
