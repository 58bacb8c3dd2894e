// Duplicates (under Sync): pairs of people who may be the same person, with why they matched;
// a side-by-side comparison to merge them (choosing each differing value), "not the same
// person", and the history of merges with Unmerge.

import { el, clear, toast, confirmDialog, showError } from '../dom.js';
import { t, currentLanguage, formatDate } from '../i18n.js';

const LIMIT = 50;

/** Fields compared side by side; `take` is the core's name of what the merge copies. */
const FIELDS = [
  { take: 'full_name', label: 'field.full_name', show: (p) => p.full_name },
  { take: 'sex', label: 'field.sex', show: (p) => t(`sex.${p.sex}`) },
  { take: 'birth_year', label: 'field.birth_year', show: (p) => born(p) },
  { take: 'stakeholder_group', label: 'field.group', show: (p) => (p.group ? t(`group.${p.group}`) : '') },
  { take: 'role', label: 'field.role', show: (p) => p.role },
  { take: 'community', label: 'field.community', show: (p) => p.community },
  { take: 'phone', label: 'field.phone', show: (p) => p.phone },
  { take: 'consent', label: 'field.consent', show: (p) => (p.consent ? formatDate(p.consent_date) : '') },
  { take: 'notes', label: 'field.notes', show: (p) => p.notes },
];

function born(p) {
  if (!p.birth_year) return '';
  return p.birth_year_estimated ? t('people.born_about', { year: p.birth_year }) : String(p.birth_year);
}

function summary(p) {
  const parts = [t(`sex.${p.sex}`), born(p), p.community, p.phone].filter(Boolean);
  return el('div', { class: 'dup-person' },
    el('a', { href: `#/people/${p.id}` }, el('strong', {}, p.full_name)),
    el('div', { class: 'meta' }, parts.join(' · ')),
    p.registered_on ? el('div', { class: 'meta' }, t('dup.registered', { date: formatDate(p.registered_on) })) : null);
}

/** A reason's detail as a reader expects it: a sex by its name, decimals with the language's mark. */
function reasonDetail(r) {
  if (r.code === 'same_sex') return t(`sex.${r.detail}`);
  const mark = new Intl.NumberFormat(currentLanguage()).format(0.5).charAt(1);
  return String(r.detail ?? '').replace(/(\d)\.(\d)/g, `$1${mark}$2`);
}

export async function render(view, ctx) {
  const [found, history] = await Promise.all([ctx.api.findDuplicates(LIMIT), ctx.api.mergeHistory()]);
  const list = found.pairs.map((c) => el('article', { class: `card dup dup-${c.level}`, dataset: { a: c.a.id, b: c.b.id } },
    el('div', { class: 'title-row' },
      el('h2', {}, el('span', { class: `badge ${c.level}` }, t(`dup.level.${c.level}`)), ' ', t('dup.score', { score: c.score })),
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'primary small', dataset: { action: 'compare' }, i18n: 'dup.compare', on: { click: () => renderCompare(view, c, ctx) } }),
        el('button', { type: 'button', class: 'secondary small', dataset: { action: 'distinct' }, i18n: 'dup.distinct', on: {
          click: async () => {
            try {
              await ctx.api.markDistinct(c.a.id, c.b.id);
              toast(t('dup.distinct_done'));
              await render(view, ctx);
            } catch (error) {
              showError(view, error);
            }
          },
        } }))),
    el('div', { class: 'dup-pair' }, summary(c.a), summary(c.b)),
    el('ul', { class: 'why' }, ...c.reasons.map((r) => el('li', { class: r.points < 0 ? 'against' : 'for' },
      t(`dup.why.${r.code}`, { detail: reasonDetail(r) }))))));
  clear(view, 
    el('p', {}, el('a', { href: '#/sync', i18n: 'nav.sync' })),
    el('h1', { i18n: 'dup.title' }),
    el('div', { class: 'form-error', hidden: true, role: 'alert' }),
    el('p', { class: 'hint', i18n: 'dup.intro' }),
    el('p', { id: 'dup-count' }, t('dup.count', { count: found.total })),
    found.pairs.length ? el('div', { id: 'dup-list' }, ...list) : el('p', { class: 'empty', id: 'no-duplicates', i18n: 'dup.none' }),
    renderHistory(view, history, ctx));
}

/** The two records side by side: which record to keep, and for each differing field which value. */
function renderCompare(view, candidate, ctx) {
  let keep = candidate.a;
  let dup = candidate.b;
  const choices = {};
  const table = el('table', { class: 'data compare', id: 'dup-compare' });
  const draw = () => {
    const rows = FIELDS.map((f) => {
      const [kept, other] = [f.show(keep) || '', f.show(dup) || ''];
      const differs = kept !== other;
      const cell = (person, value, side) => {
        if (!differs) return el('td', {}, value || t('common.none'));
        const radio = el('input', { type: 'radio', name: `take-${f.take}`, value: side, checked: (choices[f.take] ?? 'keep') === side,
          on: { change: () => { choices[f.take] = side; } } });
        return el('td', {}, el('label', {}, radio, ' ', value || t('common.none')));
      };
      return el('tr', { class: differs ? 'differs' : '', dataset: { field: f.take } },
        el('th', { scope: 'row', i18n: f.label }), cell(keep, kept, 'keep'), cell(dup, other, 'duplicate'));
    });
    clear(table, 
      el('thead', {}, el('tr', {}, el('th', {}),
        el('th', {}, t('dup.kept'), el('div', { class: 'meta' }, keep.full_name)),
        el('th', {}, t('dup.duplicate'), el('div', { class: 'meta' }, dup.full_name)))),
      el('tbody', {}, ...rows));
  };
  draw();
  const swap = el('button', { type: 'button', class: 'secondary', id: 'dup-swap', i18n: 'dup.swap', on: {
    click: () => {
      [keep, dup] = [dup, keep];
      for (const key of Object.keys(choices)) choices[key] = choices[key] === 'keep' ? 'duplicate' : 'keep';
      draw();
    },
  } });
  const merge = el('button', { type: 'button', class: 'primary', id: 'dup-merge', i18n: 'dup.merge', on: {
    click: async () => {
      const take = Object.entries(choices).filter(([, side]) => side === 'duplicate').map(([f]) => f);
      const sure = await confirmDialog({
        title: t('dup.merge'),
        body: t('dup.merge_confirm', { duplicate: dup.full_name, keep: keep.full_name }),
        confirm: t('dup.merge'),
        cancel: t('common.cancel'),
      });
      if (!sure) return;
      try {
        const merged = await ctx.api.mergePeople(keep.id, dup.id, take);
        toast(t('dup.merged_done', { name: merged.keep.full_name }));
        await render(view, ctx);
      } catch (error) {
        showError(view, error);
      }
    },
  } });
  clear(view, 
    el('p', {}, el('a', { href: '#/sync/duplicates', i18n: 'dup.title', on: { click: (e) => { e.preventDefault(); render(view, ctx); } } })),
    el('h1', { i18n: 'dup.compare_title' }),
    el('div', { class: 'form-error', hidden: true, role: 'alert' }),
    el('p', { class: 'hint', i18n: 'dup.compare_help' }),
    table,
    el('div', { class: 'actions' }, merge, swap,
      el('button', { type: 'button', class: 'secondary', i18n: 'common.cancel', on: { click: () => render(view, ctx) } })));
  merge.focus();
}

function renderHistory(view, history, ctx) {
  const line = (d) => {
    const text = d.decision === 'merge'
      ? t('dup.history_merged', { duplicate: d.duplicate_name, keep: d.keep_name })
      : t('dup.history_distinct', { a: d.keep_name, b: d.duplicate_name });
    const who = t('dup.by', { who: d.decided_by, date: formatDate(d.decided_at) });
    let action = null;
    if (d.decision === 'merge' && !d.undone) {
      action = el('button', { type: 'button', class: 'small secondary', dataset: { action: 'unmerge', person: d.duplicate_id }, i18n: 'dup.unmerge', on: {
        click: async () => {
          try {
            const done = await ctx.api.unmergePerson(d.duplicate_id);
            toast(t('dup.unmerged_done', { name: done.person.full_name }));
            await render(view, ctx);
          } catch (error) {
            showError(view, error);
          }
        },
      } });
    }
    return el('li', { class: d.undone ? 'undone' : '', dataset: { link: d.id } },
      el('span', {}, text), ' ', el('span', { class: 'meta' }, who),
      d.taken.length ? el('div', { class: 'meta' }, t('dup.taken', { fields: d.taken.map((f) => fieldName(f)).join(', ') })) : null,
      d.undone ? el('div', { class: 'meta' }, t('dup.undone', { who: d.undone_by ?? '', date: formatDate(d.undone_at) })) : null,
      action);
  };
  return el('section', { class: 'card', id: 'dup-history' },
    el('h2', { i18n: 'dup.history_title' }),
    history.length ? el('ul', { class: 'results' }, ...history.map(line)) : el('p', { class: 'empty', i18n: 'dup.history_empty' }));
}

function fieldName(take) {
  const f = FIELDS.find((x) => x.take === take);
  return f ? t(f.label) : take;
}
