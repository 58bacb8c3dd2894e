// One session: its details, the attendance list (search the registry as you type, quick-add a
// new person, present/absent, remove) and the action plans made there.

import { el, clear, append, foldedForm, field, textInput, select, showError, clearErrors, trackDirty, markClean, debounce, toast, confirmDialog } from '../dom.js';
import { t, formatDate, today } from '../i18n.js';
import { SEXES, GROUPS } from '../codes.js';
import { planCard, planForm } from './plans.js';
import { renderEvidence } from './evidence.js';

export async function render(view, id, ctx) {
  const detail = await ctx.api.getSession(id);
  const s = detail.session;
  const dates = s.end_date && s.end_date !== s.start_date
    ? `${formatDate(s.start_date)} – ${formatDate(s.end_date)}` : formatDate(s.start_date);
  const place = [s.place, s.commune, s.cercle, s.region].filter((part, i, all) => part && all.indexOf(part) === i).join(', ');
  const meta = el('dl', { class: 'meta-list' },
    el('dt', { i18n: 'field.date' }), el('dd', {}, dates),
    el('dt', { i18n: 'field.place_short' }), el('dd', {}, place || t('common.none')),
    el('dt', { i18n: 'field.kind' }), el('dd', { i18n: `kind.${s.kind}` }),
    el('dt', { i18n: 'field.status' }), el('dd', {}, el('span', { class: `status ${s.status}`, i18n: `status.${s.status}` })),
    el('dt', { i18n: 'field.groups' }), el('dd', { class: 'chips' }, ...s.groups.map((g) => el('span', { class: 'chip', i18n: `group.${g}` }))),
    el('dt', { i18n: 'field.theme' }), el('dd', {}, s.theme || t('common.none')),
    el('dt', { i18n: 'field.facilitator' }), el('dd', {}, s.facilitator || t('common.none')));
  const remove = el('button', { type: 'button', class: 'danger', i18n: 'common.delete' });
  remove.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: t('common.delete'), body: t('common.confirm_delete', { name: s.title }),
      confirm: t('common.delete'), cancel: t('common.cancel'), danger: true,
    });
    if (!sure) return;
    await ctx.api.deleteSession(id);
    toast(t('common.deleted'));
    ctx.navigate('#/sessions');
  });
  const attendance = el('section', { class: 'card', id: 'attendance' });
  const plans = el('section', { class: 'card', id: 'session-plans' });
  const sheets = el('section', { class: 'card', id: 'evidence' });
  clear(view, 
    el('p', {}, el('a', { href: '#/sessions', i18n: 'nav.sessions' })),
    el('div', { class: 'title-row' },
      el('h1', {}, s.title),
      el('div', { class: 'actions' },
        el('a', { class: 'button secondary', href: `#/sessions/${id}/edit`, i18n: 'common.edit' }),
        el('a', { class: 'button secondary', href: `#/print/${id}`, id: 'print-sheet', i18n: 'session.print' }),
        remove)),
    meta,
    s.summary ? el('p', { class: 'summary' }, s.summary) : null,
    s.status === 'planned' && s.start_date && s.start_date < today() ? el('p', { class: 'warning', id: 'past-planned' }, t('session.past_planned')) : null,
    s.recommendations.length ? el('ul', { class: 'recommendations' }, ...s.recommendations.map((r) => el('li', {}, r))) : null,
    attendance, sheets, plans);
  renderAttendance(attendance, s, detail.attendance, ctx);
  renderPlans(plans, s, detail.plans, ctx);
  await renderEvidence(sheets, s, ctx);
}

/** Enough to tell namesakes apart: birth year (or age), community, stakeholder group. */
export function whoIsThis(p) {
  const born = p.birth_year
    ? (p.birth_year_estimated ? t('people.born_about', { year: p.birth_year }) : t(`people.born_${p.sex}`, { year: p.birth_year }))
    : null;
  return [t(`sex.${p.sex}`), born, p.community || null, p.group ? t(`group.${p.group}`) : null].filter(Boolean).join(' · ');
}

/** How many people were shown of how many matched ("8 of 9: type more of the name"). */
function foundCount(found) {
  if (!found.total) return '';
  if (found.more) return t('session.found_more', { shown: found.people.length, count: 1000 });
  if (found.people.length < found.total) return t('session.found_some', { shown: found.people.length, count: found.total });
  return t('session.found_all', { count: found.total });
}

const SHOWN = 10;

function renderAttendance(section, session, lines, ctx) {
  const reload = async () => {
    const fresh = await ctx.api.getSession(session.id);
    renderAttendance(section, session, fresh.attendance, ctx);
    section.querySelector('#registry-search')?.focus();
  };
  const present = lines.filter((line) => line.present).length;
  const search = textInput('registry', '', { type: 'search', id: 'registry-search' });
  const count = el('p', { class: 'meta', id: 'registry-count', 'aria-live': 'polite' });
  const results = el('ul', { class: 'results', id: 'registry-results', 'aria-live': 'polite' });
  const attendingIds = new Set(lines.map((line) => line.person_id));
  let addable = [];
  const register = async (person) => {
    try {
      await ctx.api.attend(session.id, [person.id]);
      await reload();
    } catch (error) {
      showError(section, error);
    }
  };
  const find = debounce(async () => {
    const query = search.value.trim();
    const found = query ? await ctx.api.findPeople(search.value, SHOWN) : { people: [], total: 0, more: false };
    addable = found.people.filter((p) => !attendingIds.has(p.id));
    count.textContent = foundCount(found);
    clear(results, ...found.people.map((p) => el('li', { dataset: { person: p.id } },
      el('span', {}, p.full_name, el('span', { class: 'meta' }, ' · ', whoIsThis(p))),
      attendingIds.has(p.id)
        ? el('span', { class: 'chip already', i18n: 'session.already_here' })
        : el('button', { type: 'button', class: 'small', i18n: 'session.add_person', on: { click: () => register(p) } }))));
    if (query && !found.total) append(results, el('li', { class: 'empty', i18n: 'session.no_match' }));
  });
  search.addEventListener('input', find);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && addable.length) {
      event.preventDefault();
      register(addable[0]);
    }
  });
  const removeFromSession = async (line) => {
    const sure = await confirmDialog({
      title: t('session.remove_title'),
      body: t('session.remove_body', { name: line.full_name }),
      confirm: t('session.remove'), cancel: t('common.cancel'), danger: true,
    });
    if (!sure) return;
    await ctx.api.unattend(session.id, line.person_id);
    await reload();
  };
  const table = lines.length
    ? el('table', { class: 'data', id: 'attendance-list' },
      el('thead', {}, el('tr', {},
        el('th', { i18n: 'field.full_name' }), el('th', { i18n: 'field.sex' }), el('th', { i18n: 'field.age_short' }),
        el('th', { i18n: 'field.community' }), el('th', { i18n: 'session.present' }), el('th', {}))),
      el('tbody', {}, ...lines.map((line) => {
        const box = el('input', { type: 'checkbox', checked: line.present, 'aria-label': `${t('session.present')} ${line.full_name}` });
        box.addEventListener('change', async () => {
          await ctx.api.setPresent(session.id, line.person_id, box.checked);
          await reload();
        });
        return el('tr', { dataset: { person: line.person_id } },
          el('td', {}, el('a', { href: `#/people/${line.person_id}` }, line.erased ? t('people.erased_name') : line.full_name)),
          el('td', { i18n: `sex.${line.sex}` }),
          el('td', {}, line.age ?? t('common.none')),
          el('td', {}, line.community || t('common.none')),
          el('td', { class: 'present' }, box),
          el('td', { class: 'row-actions' }, el('button', { type: 'button', class: 'small secondary remove', i18n: 'session.remove', on: {
            click: () => removeFromSession(line),
          } })));
      })))
    : el('p', { class: 'empty', i18n: 'session.no_attendance' });
  clear(section,
    el('h2', { i18n: 'session.attendance' }),
    el('p', { class: 'meta', id: 'attendance-count' }, t('session.registered', { count: lines.length, present })),
    el('div', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'registry', label: 'session.search_registry', input: search, hint: 'session.search_hint' }),
    count,
    results,
    quickAdd(session, ctx, reload, register, attendingIds),
    table);
}

/**
 * A warning under a name being typed: people already registered under that name (with what
 * tells them apart), each with `action(person)` — open her page, or add her to the session — so
 * that the same woman is not registered twice.
 */
export function namesakeWarning(nameInput, ctx, action, actionLabel) {
  const box = el('div', { class: 'warning namesakes', hidden: true, 'aria-live': 'polite' });
  const check = debounce(async () => {
    const people = await ctx.api.peopleNamedLike(nameInput.value, 5);
    box.hidden = !people.length;
    clear(box, people.length ? el('p', {}, t('people.maybe_registered', { count: people.length })) : null,
      people.length ? el('ul', { class: 'results' }, ...people.map((p) => el('li', { dataset: { person: p.id } },
        el('span', {}, p.full_name, el('span', { class: 'meta' }, ' · ', whoIsThis(p))),
        action(p) ?? null))) : null);
  }, 250);
  nameInput.addEventListener('input', check);
  box.dataset.label = actionLabel;
  return box;
}

/** Registers a new person and adds them to the session, without leaving the page. */
function quickAdd(session, ctx, reload, register, attendingIds) {
  const name = textInput('full_name', '', { id: 'quick-name' });
  const sex = select('sex', SEXES.map((code) => [code, t(`sex.${code}`)]), 'F', { id: 'quick-sex' });
  const age = textInput('age', '', { inputmode: 'numeric', id: 'quick-age' });
  // The session's group when it has one (a women's-group dialogue registers women's groups).
  const group = select('group', [['', t('common.none')], ...GROUPS.map((g) => [g, t(`group.${g}`)])],
    session.groups.length === 1 ? session.groups[0] : '', { id: 'quick-group' });
  // Where she lives, not where the session is held: empty until typed.
  const community = textInput('community', '', { id: 'quick-community' });
  const phone = textInput('phone', '', { type: 'tel', id: 'quick-phone' });
  const namesakes = namesakeWarning(name, ctx, (p) => (attendingIds.has(p.id)
    ? el('span', { class: 'chip already', i18n: 'session.already_here' })
    : el('button', { type: 'button', class: 'small', i18n: 'session.add_this_one', on: {
      click: async () => {
        markClean(form);
        await register(p);
      },
    } })), 'session.add_this_one');
  const form = trackDirty(el('form', { class: 'quick-add', novalidate: true, id: 'quick-add' },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('div', { class: 'row' },
      field({ field: 'name', label: 'field.full_name', input: name }),
      field({ field: 'sex', label: 'field.sex', input: sex }),
      field({ field: 'age', label: 'field.age_short', input: age })),
    namesakes,
    el('div', { class: 'row' },
      field({ field: 'stakeholder group', label: 'field.group', input: group }),
      field({ field: 'community', label: 'field.community', input: community }),
      field({ field: 'phone', label: 'field.phone', input: phone })),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', i18n: 'session.quick_add_save' }))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const typedAge = age.value.trim();
    const input = {
      full_name: name.value,
      sex: sex.value,
      age: typedAge === '' ? null : Number.isInteger(Number(typedAge)) ? Number(typedAge) : -1,
      group: group.value,
      community: community.value,
      phone: phone.value,
    };
    try {
      const id = await ctx.api.addPerson(input);
      await ctx.api.attend(session.id, [id]);
      markClean(form);
      await reload();
    } catch (error) {
      showError(form, error);
    }
  });
  return foldedForm(el('summary', { i18n: 'session.quick_add' }), form);
}


function renderPlans(section, session, plans, ctx) {
  const reload = async () => renderPlans(section, session, await ctx.api.listPlans(session.id), ctx);
  clear(section, 
    el('h2', { i18n: 'session.plans' }),
    ...(plans.length ? plans.map((plan) => planCard(plan, ctx, reload)) : [el('p', { class: 'empty', i18n: 'session.no_plans' })]),
    foldedForm(el('summary', { i18n: 'plans.new' }), planForm(ctx, [session], session.id, reload)));
}
