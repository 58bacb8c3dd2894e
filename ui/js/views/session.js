// One session: its details, the attendance list (search the registry as you type, quick-add a
// new person, present/absent, remove) and the action plans made there.

import { el, clear, field, textInput, select, showError, clearErrors, trackDirty, markClean, debounce, toast, confirmDialog } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { SEXES } from '../codes.js';
import { planCard, planForm } from './plans.js';

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
  clear(view).append(
    el('p', {}, el('a', { href: '#/sessions', i18n: 'nav.sessions' })),
    el('div', { class: 'title-row' },
      el('h1', {}, s.title),
      el('div', { class: 'actions' },
        el('a', { class: 'button secondary', href: `#/sessions/${id}/edit`, i18n: 'common.edit' }),
        el('a', { class: 'button secondary', href: `#/print/${id}`, id: 'print-sheet', i18n: 'session.print' }),
        remove)),
    meta,
    s.summary ? el('p', { class: 'summary' }, s.summary) : null,
    s.recommendations.length ? el('ul', { class: 'recommendations' }, ...s.recommendations.map((r) => el('li', {}, r))) : null,
    attendance, plans);
  renderAttendance(attendance, s, detail.attendance, ctx);
  renderPlans(plans, s, detail.plans, ctx);
}

function renderAttendance(section, session, lines, ctx) {
  const reload = async () => {
    const fresh = await ctx.api.getSession(session.id);
    renderAttendance(section, session, fresh.attendance, ctx);
    section.querySelector('#registry-search')?.focus();
  };
  const present = lines.filter((line) => line.present).length;
  const search = textInput('registry', '', { type: 'search', id: 'registry-search' });
  const results = el('ul', { class: 'results', id: 'registry-results', 'aria-live': 'polite' });
  const attendingIds = new Set(lines.map((line) => line.person_id));
  let found = [];
  const register = async (person) => {
    try {
      await ctx.api.attend(session.id, [person.id]);
      await reload();
    } catch (error) {
      showError(section, error);
    }
  };
  const find = debounce(async () => {
    found = search.value.trim() ? (await ctx.api.findPeople(search.value, 8)).filter((p) => !attendingIds.has(p.id)) : [];
    clear(results).append(...found.map((p) => el('li', {},
      el('span', {}, p.full_name, el('span', { class: 'meta' }, ' · ', t(`sex.${p.sex}`), p.community ? ` · ${p.community}` : '')),
      el('button', { type: 'button', class: 'small', i18n: 'session.add_person', on: { click: () => register(p) } }))));
    if (search.value.trim() && !found.length) results.append(el('li', { class: 'empty', i18n: 'session.no_match' }));
  });
  search.addEventListener('input', find);
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && found.length) {
      event.preventDefault();
      register(found[0]);
    }
  });
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
          el('td', {}, el('a', { href: `#/people/${line.person_id}` }, line.full_name)),
          el('td', { i18n: `sex.${line.sex}` }),
          el('td', {}, line.age ?? t('common.none')),
          el('td', {}, line.community || t('common.none')),
          el('td', {}, box),
          el('td', {}, el('button', { type: 'button', class: 'small secondary', i18n: 'session.remove', on: {
            click: async () => {
              await ctx.api.unattend(session.id, line.person_id);
              await reload();
            },
          } })));
      })))
    : el('p', { class: 'empty', i18n: 'session.no_attendance' });
  clear(section).append(
    el('h2', { i18n: 'session.attendance' }),
    el('p', { class: 'meta', id: 'attendance-count' }, t('session.registered', { count: lines.length, present })),
    el('div', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'registry', label: 'session.search_registry', input: search, hint: 'session.search_hint' }),
    results,
    quickAdd(session, ctx, reload),
    table);
}

/** Registers a new person and adds them to the session, without leaving the page. */
function quickAdd(session, ctx, reload) {
  const name = textInput('full_name', '', { id: 'quick-name' });
  const sex = select('sex', SEXES.map((code) => [code, t(`sex.${code}`)]), 'F', { id: 'quick-sex' });
  const age = textInput('age', '', { inputmode: 'numeric', id: 'quick-age' });
  const community = textInput('community', session.place || session.commune || '', { id: 'quick-community' });
  const phone = textInput('phone', '', { type: 'tel', id: 'quick-phone' });
  const form = trackDirty(el('form', { class: 'quick-add', novalidate: true, id: 'quick-add' },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('div', { class: 'row' },
      field({ field: 'name', label: 'field.full_name', input: name }),
      field({ field: 'sex', label: 'field.sex', input: sex }),
      field({ field: 'age', label: 'field.age_short', input: age }),
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
  return el('details', { class: 'quick' }, el('summary', { i18n: 'session.quick_add' }), form);
}

function renderPlans(section, session, plans, ctx) {
  const reload = async () => renderPlans(section, session, await ctx.api.listPlans(session.id), ctx);
  clear(section).append(
    el('h2', { i18n: 'session.plans' }),
    ...(plans.length ? plans.map((plan) => planCard(plan, ctx, reload)) : [el('p', { class: 'empty', i18n: 'session.no_plans' })]),
    el('details', { class: 'quick' }, el('summary', { i18n: 'plans.new' }), planForm(ctx, [session], session.id, reload)));
}
