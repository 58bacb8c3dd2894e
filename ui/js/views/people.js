// People: the registry, paged (10,000 people stay fast) and searched as you type by the core;
// the person form; a person's page with the sessions they attended.

import { el, clear, append, field, textInput, select, showError, clearErrors, trackDirty, markClean, debounce, toast, confirmDialog } from '../dom.js';
import { t, formatDate, number } from '../i18n.js';
import { SEXES, GROUPS } from '../codes.js';
import { namesakeWarning } from './session.js';

const PAGE = 50;
const listState = { query: '', offset: 0 };

export async function render(view, ctx) {
  const results = el('div', { id: 'people-results' });
  const count = el('p', { class: 'meta', 'aria-live': 'polite' });
  const pager = el('div', { class: 'pager' });
  const search = textInput('query', listState.query, { type: 'search', id: 'people-search' });
  const refresh = async () => {
    let people;
    clear(pager);
    if (listState.query.trim()) {
      const found = await ctx.api.findPeople(listState.query, PAGE);
      people = found.people;
      count.textContent = found.more ? t('people.found_more', { shown: people.length, count: 1000 })
        : people.length < found.total ? t('people.found_some', { shown: people.length, count: found.total })
          : t('people.count', { count: found.total });
    } else {
      const page = await ctx.api.listPeople(listState.offset, PAGE);
      people = page.people;
      count.textContent = t('people.count', { count: page.total });
      const pages = Math.max(1, Math.ceil(page.total / PAGE));
      const current = Math.floor(listState.offset / PAGE) + 1;
      const go = (offset) => { listState.offset = offset; refresh(); };
      append(pager, 
        el('button', { type: 'button', class: 'secondary small', i18n: 'common.previous', disabled: current === 1, on: { click: () => go(listState.offset - PAGE) } }),
        el('span', {}, t('common.page', { page: number(current), pages: number(pages) })),
        el('button', { type: 'button', class: 'secondary small', i18n: 'common.next', disabled: current >= pages, on: { click: () => go(listState.offset + PAGE) } }));
    }
    clear(results, people.length ? peopleTable(people) : el('p', { class: 'empty', i18n: 'people.empty' }));
  };
  search.addEventListener('input', debounce(() => {
    listState.query = search.value;
    listState.offset = 0;
    refresh();
  }));
  clear(view, 
    el('div', { class: 'title-row' },
      el('h1', { i18n: 'people.title' }),
      el('a', { class: 'button primary', href: '#/people/new', i18n: 'people.new' })),
    el('div', { role: 'search' }, field({ field: 'query', label: 'people.search', input: search })),
    count, results, pager);
  await refresh();
}

function peopleTable(people) {
  return el('table', { class: 'data' },
    el('thead', {}, el('tr', {},
      el('th', { i18n: 'field.full_name' }), el('th', { i18n: 'field.sex' }), el('th', { i18n: 'field.birth_year' }),
      el('th', { i18n: 'field.community' }), el('th', { i18n: 'field.phone' }),
      el('th', { i18n: 'people.consent' }))),
    el('tbody', {}, ...people.map((p) => el('tr', {},
      el('td', {}, el('a', { href: `#/people/${p.id}` }, p.full_name)),
      el('td', { i18n: `sex.${p.sex}` }),
      el('td', {}, bornText(p)),
      el('td', {}, p.community || t('common.none')),
      el('td', { class: 'nowrap' }, p.phone || t('common.none')),
      // Who has no recorded consent shows at a glance: her name stays out of named exports.
      el('td', { class: 'nowrap' }, p.consent
        ? formatDate(p.consent_date)
        : el('span', { class: 'badge sure', i18n: 'people.no_consent' }))))));
}

export function bornText(p) {
  if (!p.birth_year) return t('common.none');
  return p.birth_year_estimated ? t('people.born_about', { year: p.birth_year }) : String(p.birth_year);
}

export async function renderDetail(view, id, ctx) {
  const { person: p, sessions } = await ctx.api.getPerson(id);
  const mergedInto = p.merged_into ? (await ctx.api.getPerson(p.merged_into)).person : null;
  const remove = el('button', { type: 'button', class: 'danger', i18n: 'common.delete' });
  remove.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: t('common.delete'), body: t('common.confirm_delete', { name: p.full_name }),
      confirm: t('common.delete'), cancel: t('common.cancel'), danger: true,
    });
    if (!sure) return;
    await ctx.api.deletePerson(id);
    toast(t('common.deleted'));
    ctx.navigate('#/people');
  });
  // "Forget this person": the erasure the person asked for, explained before it is done.
  const forget = el('button', { type: 'button', class: 'danger', id: 'erase-person', i18n: 'people.erase' });
  forget.addEventListener('click', async () => {
    // Photos of signed sheets may show her name and signature: an erasure cannot blank them.
    const sheets = await ctx.api.personSheets(id).catch(() => []);
    const body = t('people.erase_body', { name: p.full_name })
      + (sheets.length ? ` ${t('people.erase_sheets', { count: sheets.length })}` : '');
    const sure = await confirmDialog({
      title: t('people.erase_title'), body,
      confirm: t('people.erase_confirm'), cancel: t('common.cancel'), danger: true,
    });
    if (!sure) return;
    await ctx.api.erasePerson(id);
    toast(t('people.erased_toast'));
    await renderDetail(view, id, ctx);
  });
  clear(view, 
    el('p', {}, el('a', { href: '#/people', i18n: 'nav.people' })),
    el('div', { class: 'title-row' },
      el('h1', {}, p.erased ? t('people.erased_title') : p.full_name),
      p.erased ? null : el('div', { class: 'actions' }, el('a', { class: 'button secondary', href: `#/people/${id}/edit`, i18n: 'common.edit' }), remove, forget)),
    p.erased ? el('p', { class: 'warning', id: 'erased-note', i18n: 'people.erased_note' }) : null,
    mergedInto && !p.erased ? el('p', { class: 'warning', id: 'merged-into' }, t('people.merged_into', { name: mergedInto.full_name }), ' ',
      el('a', { href: `#/people/${mergedInto.id}` }, mergedInto.full_name), ' · ', el('a', { href: '#/sync/duplicates', i18n: 'dup.history_title' })) : null,
    // An erased record shows only what it keeps.
    el('dl', { class: 'meta-list' },
      el('dt', { i18n: 'field.sex' }), el('dd', { i18n: `sex.${p.sex}` }),
      el('dt', { i18n: 'field.birth_year' }), el('dd', {}, bornText(p)),
      p.erased ? null : el('dt', { i18n: 'field.role' }), p.erased ? null : el('dd', {}, p.role || t('common.none')),
      el('dt', { i18n: 'field.group' }), el('dd', {}, p.group ? t(`group.${p.group}`) : t('common.none')),
      p.erased ? null : el('dt', { i18n: 'field.community' }), p.erased ? null : el('dd', {}, p.community || t('common.none')),
      p.erased ? null : el('dt', { i18n: 'field.phone' }), p.erased ? null : el('dd', {}, p.phone || t('common.none')),
      p.erased ? null : el('dt', { i18n: 'field.consent' }), p.erased ? null : el('dd', {}, p.consent ? formatDate(p.consent_date) : t('common.none'))),
    p.notes ? el('p', { class: 'summary' }, p.notes) : null,
    el('section', { class: 'card' },
      el('h2', { i18n: 'people.sessions' }),
      sessions.length
        ? el('ul', { class: 'list', id: 'person-sessions' }, ...sessions.map((s) => el('li', {},
          el('a', { href: `#/sessions/${s.session_id}` }, s.title),
          el('span', { class: 'meta' }, ' · ', formatDate(s.start_date), s.present ? '' : ` · ${t('people.absent')}`))))
        : el('p', { class: 'empty', i18n: 'people.no_sessions' })));
}

/** The person form; `id` null registers a new person. */
export async function renderForm(view, id, ctx) {
  const p = id ? (await ctx.api.getPerson(id)).person : null;
  const name = textInput('full_name', p?.full_name, { required: true });
  const sex = select('sex', SEXES.map((code) => [code, t(`sex.${code}`)]), p?.sex ?? 'F');
  const birthYear = textInput('birth_year', p && !p.birth_year_estimated ? p.birth_year ?? '' : '', { inputmode: 'numeric' });
  const age = textInput('age', '', { inputmode: 'numeric' });
  const group = select('group', [['', t('common.none')], ...GROUPS.map((g) => [g, t(`group.${g}`)])], p?.group ?? '');
  const role = textInput('role', p?.role);
  const community = textInput('community', p?.community);
  const phone = textInput('phone', p?.phone, { type: 'tel' });
  const consent = el('input', { type: 'checkbox', name: 'consent', checked: p?.consent ?? false });
  const notes = el('textarea', { name: 'notes', rows: 3 }, p?.notes ?? '');
  const form = trackDirty(el('form', { class: 'card', novalidate: true, id: 'person-form' },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'name', label: 'field.full_name', input: name }),
    id ? null : namesakeWarning(name, ctx, (person) => el('a', { href: `#/people/${person.id}`, i18n: 'people.open_record' }), 'people.open_record'),
    el('div', { class: 'row' },
      field({ field: 'sex', label: 'field.sex', input: sex }),
      field({ field: 'birth year', label: 'field.birth_year', input: birthYear }),
      field({ field: 'age', label: 'field.age', input: age })),
    el('div', { class: 'row' },
      field({ field: 'stakeholder group', label: 'field.group', input: group }),
      field({ field: 'role', label: 'field.role', input: role })),
    el('div', { class: 'row' },
      field({ field: 'community', label: 'field.community', input: community }),
      field({ field: 'phone', label: 'field.phone', input: phone })),
    el('div', { class: 'field check' }, el('label', {}, consent, el('span', { i18n: 'field.consent' }))),
    field({ field: 'notes', label: 'field.notes', input: notes }),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', i18n: 'common.save' }),
      el('button', { type: 'button', class: 'secondary', dataset: { action: 'cancel' }, i18n: 'common.cancel', on: { click: () => history.back() } }))));
  const integer = (text) => {
    const value = text.trim();
    if (value === '') return null;
    return Number.isInteger(Number(value)) ? Number(value) : -1;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const input = {
      full_name: name.value, sex: sex.value, birth_year: integer(birthYear.value), age: integer(age.value),
      group: group.value, role: role.value, community: community.value, phone: phone.value,
      consent: consent.checked, notes: notes.value,
    };
    try {
      const saved = id ? (await ctx.api.editPerson(id, input)).id : await ctx.api.addPerson(input);
      markClean(form);
      toast(t('common.saved'));
      ctx.navigate(`#/people/${saved}`);
    } catch (error) {
      showError(form, error);
    }
  });
  clear(view, el('h1', { i18n: id ? 'people.edit' : 'people.new' }), form);
  name.focus();
}
