// Sessions: the filtered list, and the form that creates or edits one.

import { el, clear, field, textInput, select, showError, clearErrors, trackDirty, markClean, debounce, toast } from '../dom.js';
import { t, formatDate, parseDate, today } from '../i18n.js';
import { KINDS, GROUPS, SESSION_STATUSES } from '../codes.js';
import { importSheetsControls } from './evidence.js';

const filterState = { status: '', kind: '', group: '', from: '', to: '', query: '' };

function options(codes, prefix, withAll) {
  const list = codes.map((code) => [code, t(`${prefix}.${code}`)]);
  return withAll ? [['', t('common.all')], ...list] : list;
}

export async function render(view, ctx) {
  const table = el('div', { id: 'session-results' });
  const count = el('p', { class: 'meta', 'aria-live': 'polite' });
  const refresh = async () => {
    const from = parseDate(filterState.from);
    const to = parseDate(filterState.to);
    const filter = {
      status: filterState.status || null,
      kind: filterState.kind || null,
      group: filterState.group || null,
      from: /^\d{4}-\d{2}-\d{2}$/.test(from) ? from : null,
      to: /^\d{4}-\d{2}-\d{2}$/.test(to) ? to : null,
      query: filterState.query || null,
    };
    const list = await ctx.api.listSessions(filter);
    count.textContent = t('sessions.count', { count: list.length });
    clear(table, list.length ? sessionTable(list) : el('p', { class: 'empty', i18n: 'sessions.empty' }));
  };
  const bind = (input, key) => {
    input.value = filterState[key];
    input.addEventListener(input.tagName === 'SELECT' ? 'change' : 'input', debounce(() => {
      filterState[key] = input.value;
      refresh();
    }));
    return input;
  };
  const filters = el('div', { class: 'filters', role: 'search' },
    field({ field: 'query', label: 'sessions.search', input: bind(textInput('query', '', { type: 'search' }), 'query') }),
    field({ field: 'status', label: 'field.status', input: bind(select('status', options(SESSION_STATUSES, 'status', true), ''), 'status') }),
    field({ field: 'kind', label: 'field.kind', input: bind(select('kind', options(KINDS, 'kind', true), ''), 'kind') }),
    field({ field: 'group', label: 'field.group', input: bind(select('group', options(GROUPS, 'group', true), ''), 'group') }),
    field({ field: 'from', label: 'sessions.from', input: bind(textInput('from', '', { placeholder: t('common.date_placeholder') }), 'from') }),
    field({ field: 'to', label: 'sessions.to', input: bind(textInput('to', '', { placeholder: t('common.date_placeholder') }), 'to') }));
  clear(view, 
    el('div', { class: 'title-row' },
      el('h1', { i18n: 'sessions.title' }),
      el('a', { class: 'button primary', href: '#/sessions/new', id: 'new-session', i18n: 'sessions.new' })),
    filters, count, table, importSheetsControls(ctx));
  await refresh();
}

function sessionTable(list) {
  return el('table', { class: 'data' },
    el('thead', {}, el('tr', {},
      el('th', { i18n: 'field.date' }), el('th', { i18n: 'field.title' }), el('th', { i18n: 'field.kind' }),
      el('th', { i18n: 'field.place_short' }), el('th', { i18n: 'field.status' }))),
    el('tbody', {}, ...list.map((s) => el('tr', {},
      el('td', { class: 'nowrap' }, formatDate(s.start_date)),
      el('td', {}, el('a', { href: `#/sessions/${s.id}` }, s.title),
        el('div', { class: 'chips' }, ...s.groups.map((g) => el('span', { class: 'chip', i18n: `group.${g}` })))),
      el('td', { i18n: `kind.${s.kind}` }),
      el('td', {}, [s.place, s.commune].filter(Boolean).join(', ')),
      el('td', {}, el('span', { class: `status ${s.status}`, i18n: `status.${s.status}` }))))));
}

/** The session form; `id` null creates a new session. */
export async function renderForm(view, id, ctx) {
  const s = id ? (await ctx.api.getSession(id)).session : null;
  const input = (name, value, props) => textInput(name, value ?? '', props);
  const dateProps = { placeholder: t('common.date_placeholder'), inputmode: 'numeric' };
  const title = input('title', s?.title, { required: true });
  const start = input('start_date', formatDate(s?.start_date), dateProps);
  const end = input('end_date', formatDate(s?.end_date), dateProps);
  const kind = select('kind', options(KINDS, 'kind'), s?.kind ?? 'dialogue');
  const status = select('status', options(SESSION_STATUSES, 'status'), s?.status ?? 'planned');
  const groups = el('fieldset', { class: 'checks' }, el('legend', { i18n: 'field.groups' }),
    ...GROUPS.map((code) => el('label', { class: 'check' },
      el('input', { type: 'checkbox', name: 'groups', value: code, checked: s?.groups.includes(code) }),
      el('span', { i18n: `group.${code}` }))));
  // A new session dated before today is being recorded after the fact: it defaults to held (a
  // planned session counts nowhere), until the person picks a status herself.
  let statusChosen = Boolean(s);
  status.addEventListener('change', () => { statusChosen = true; });
  start.addEventListener('input', () => {
    const date = parseDate(start.value);
    if (statusChosen || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
    status.value = date < today() ? 'held' : 'planned';
  });
  const text = (name) => input(name, s?.[name]);
  const facilitator = input('facilitator', s ? s.facilitator : ctx.info?.facilitator);
  const summary = el('textarea', { name: 'summary', rows: 3 }, s?.summary ?? '');
  const recommendations = el('textarea', { name: 'recommendations', rows: 3 }, (s?.recommendations ?? []).join('\n'));
  const fields = {
    title, start, end, kind, status, facilitator, summary, recommendations,
    theme: text('theme'), region: text('region'), cercle: text('cercle'), commune: text('commune'), place: text('place'),
  };
  const form = trackDirty(el('form', { class: 'card', novalidate: true, id: 'session-form' },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'title', label: 'field.title', input: title }),
    el('div', { class: 'row' },
      field({ field: 'start date', label: 'field.start_date', input: start }),
      field({ field: 'end date', label: 'field.end_date', input: end }),
      field({ field: 'kind', label: 'field.kind', input: kind }),
      field({ field: 'status', label: 'field.status', input: status })),
    el('div', { class: 'field', dataset: { field: 'stakeholder group' } }, groups, el('p', { class: 'error', hidden: true })),
    field({ field: 'theme', label: 'field.theme', input: fields.theme }),
    el('div', { class: 'row' },
      field({ field: 'region', label: 'field.region', input: fields.region }),
      field({ field: 'cercle', label: 'field.cercle', input: fields.cercle }),
      field({ field: 'commune', label: 'field.commune', input: fields.commune }),
      field({ field: 'place', label: 'field.place', input: fields.place })),
    field({ field: 'facilitator', label: 'field.facilitator', input: facilitator }),
    field({ field: 'summary', label: 'field.summary', input: summary }),
    field({ field: 'recommendation', label: 'field.recommendations', input: recommendations, hint: 'sessions.recommendations_hint' }),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', i18n: 'common.save' }),
      el('button', { type: 'button', class: 'secondary', dataset: { action: 'cancel' }, i18n: 'common.cancel',
        on: { click: () => history.back() } }))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const value = {
      title: title.value,
      start_date: parseDate(start.value),
      end_date: parseDate(end.value),
      kind: kind.value,
      status: status.value,
      groups: [...form.querySelectorAll('input[name="groups"]:checked')].map((box) => box.value),
      theme: fields.theme.value,
      region: fields.region.value,
      cercle: fields.cercle.value,
      commune: fields.commune.value,
      place: fields.place.value,
      facilitator: facilitator.value,
      summary: summary.value,
      recommendations: recommendations.value.split('\n'),
    };
    try {
      const saved = id ? (await ctx.api.editSession(id, value)).id : await ctx.api.addSession(value);
      markClean(form);
      toast(t('common.saved'));
      ctx.navigate(`#/sessions/${saved}`);
    } catch (error) {
      showError(form, error);
    }
  });
  clear(view, el('h1', { i18n: id ? 'sessions.edit' : 'sessions.new' }), form);
  title.focus();
}
