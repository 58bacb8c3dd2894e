// The logframe's indicator catalogue: what each indicator counts, its breakdowns, baseline and
// targets. HQ edits it here (the laptops receive it in their registry files); a laptop shows it.

import { el, clear, field, textInput, select, showError, clearErrors, toast, confirmDialog } from '../dom.js';
import { t, currentLanguage } from '../i18n.js';
import { GROUPS } from '../codes.js';

const MEASURES = [
  'people_reached', 'women_reached', 'youth_reached', 'people_in_group', 'attendances',
  'activities_held', 'activities_with_group', 'items_done', 'share_women', 'share_youth',
  'sessions_with_evidence', 'share_with_evidence',
];
const BREAKDOWNS = ['sex', 'age', 'group', 'region'];

function label(indicator) {
  return (currentLanguage() === 'en' ? indicator.label_en : indicator.label_fr)
    || indicator.label_fr || indicator.label_en;
}

/** The targets, one period a line. */
function targets(indicator) {
  const entries = Object.entries(indicator.targets);
  return entries.length ? entries.map(([period, value]) => el('span', { class: 'target' }, `${period} : ${value}`)) : '—';
}

export async function render(view, ctx) {
  const [list, hq] = await Promise.all([ctx.api.indicators(), ctx.api.hqStatus()]);
  const rows = list.map((i) => el('tr', { dataset: { code: i.code } },
    el('td', { class: 'code' }, el('strong', {}, i.code), el('br'), el('span', { class: 'meta' }, i.vocabulary)),
    el('td', {}, label(i)),
    el('td', {}, t(`measure.${i.measure}`), i.group ? ` — ${t(`group.${i.group}`)}` : ''),
    el('td', {}, i.disaggregations.length ? i.disaggregations.map((d) => t(`breakdown.${d}`)).join(', ') : '—'),
    el('td', {}, i.baseline === null ? '—' : `${i.baseline}${i.baseline_year ? ` (${i.baseline_year})` : ''}`),
    el('td', { class: 'targets' }, ...[targets(i)].flat()),
    hq.is_hq ? el('td', {},
      el('button', { type: 'button', class: 'secondary small', i18n: 'common.edit', on: { click: () => fill(i) } }),
      ' ',
      el('button', { type: 'button', class: 'danger small', i18n: 'indicators.remove', on: {
        click: async () => {
          const sure = await confirmDialog({
            title: t('indicators.remove_title', { code: i.code }), body: t('indicators.remove_body'),
            confirm: t('indicators.remove'), cancel: t('common.cancel'), danger: true,
          });
          if (!sure) return;
          try {
            await ctx.api.removeIndicator(i.code);
            toast(t('indicators.removed', { code: i.code }));
            render(view, ctx);
          } catch (error) {
            toast(error.message ?? String(error), true);
          }
        },
      } })) : null));
  const table = el('table', { class: 'data', id: 'indicator-list' },
    el('thead', {}, el('tr', {}, ...['results.code', 'results.indicator', 'indicators.measure', 'indicators.breakdowns',
      'results.baseline', 'indicators.targets', ...(hq.is_hq ? [''] : [])].map((k) => el('th', k ? { i18n: k } : {})))),
    el('tbody', {}, ...rows));

  // HQ: add an indicator or change one (only the fields filled are sent).
  const inputs = {
    code: textInput('code', '', { id: 'indicator-code' }),
    label_fr: textInput('label_fr', '', { id: 'indicator-label-fr' }),
    label_en: textInput('label_en', '', { id: 'indicator-label-en' }),
    vocabulary: textInput('vocabulary', '', { id: 'indicator-vocabulary' }),
    measure: select('measure', MEASURES.map((m) => [m, t(`measure.${m}`)]), 'people_reached', { id: 'indicator-measure' }),
    group: select('group', [['', '—'], ...GROUPS.map((g) => [g, t(`group.${g}`)])], '', { id: 'indicator-group' }),
    baseline: textInput('baseline', '', { id: 'indicator-baseline', inputmode: 'numeric' }),
    baseline_year: textInput('baseline_year', '', { id: 'indicator-baseline-year', inputmode: 'numeric' }),
  };
  const boxes = BREAKDOWNS.map((d) => el('input', { type: 'checkbox', value: d, id: `indicator-by-${d}` }));
  // The fields the officer changed by hand: for a code already in the catalogue, only those
  // are sent (a form left empty beside them changes nothing).
  const touched = new Set();
  for (const [name, input] of Object.entries(inputs)) {
    input.addEventListener('input', () => touched.add(name));
    input.addEventListener('change', () => touched.add(name));
  }
  boxes.forEach((b) => b.addEventListener('change', () => touched.add('disaggregations')));
  const fill = (i) => {
    inputs.code.value = i.code;
    inputs.label_fr.value = i.label_fr;
    inputs.label_en.value = i.label_en;
    inputs.vocabulary.value = i.vocabulary;
    inputs.measure.value = i.measure;
    inputs.group.value = i.group ?? '';
    inputs.baseline.value = i.baseline ?? '';
    inputs.baseline_year.value = i.baseline_year ?? '';
    boxes.forEach((b) => { b.checked = i.disaggregations.includes(b.value); });
    inputs.code.focus();
  };
  const form = el('form', { id: 'indicator-form', novalidate: true },
    el('h2', { i18n: 'indicators.edit_title' }),
    el('p', { class: 'hint', i18n: 'indicators.edit_hint' }),
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'indicator code', label: 'results.code', input: inputs.code }),
    field({ field: 'label (fr)', label: 'indicators.label_fr', input: inputs.label_fr }),
    field({ field: 'label (en)', label: 'indicators.label_en', input: inputs.label_en }),
    field({ field: 'vocabulary', label: 'results.vocabulary', input: inputs.vocabulary, hint: 'indicators.vocabulary_hint' }),
    field({ field: 'measure', label: 'indicators.measure', input: inputs.measure }),
    field({ field: 'stakeholder group', label: 'indicators.group', input: inputs.group }),
    el('fieldset', { class: 'field', dataset: { field: 'disaggregation' } }, el('legend', { i18n: 'indicators.breakdowns' }),
      ...boxes.map((b) => el('label', { class: 'check' }, b, ' ', t(`breakdown.${b.value}`)))),
    field({ field: 'baseline', label: 'results.baseline', input: inputs.baseline }),
    field({ field: 'baseline year', label: 'results.baseline_year', input: inputs.baseline_year }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', i18n: 'common.save' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    // For a code already in the catalogue only what was changed by hand and differs is sent:
    // typing PAL-4 without pressing Edit first changes only what was typed.
    const typed = {
      label_fr: inputs.label_fr.value || null,
      label_en: inputs.label_en.value || null,
      vocabulary: inputs.vocabulary.value || null,
      measure: inputs.measure.value,
      group: inputs.group.value,
      disaggregations: boxes.filter((b) => b.checked).map((b) => b.value),
      baseline: inputs.baseline.value,
      baseline_year: inputs.baseline_year.value,
    };
    const existing = list.find((i) => i.code === inputs.code.value.trim());
    const current = existing && {
      label_fr: existing.label_fr, label_en: existing.label_en, vocabulary: existing.vocabulary,
      measure: existing.measure, group: existing.group ?? '', disaggregations: existing.disaggregations,
      baseline: String(existing.baseline ?? ''), baseline_year: String(existing.baseline_year ?? ''),
    };
    const input = { code: inputs.code.value };
    for (const [name, value] of Object.entries(typed)) {
      if (!current) input[name] = value;
      else if (touched.has(name) && JSON.stringify(value ?? '') !== JSON.stringify(current[name] ?? '')) input[name] = value;
    }
    try {
      const saved = await ctx.api.saveIndicator(input);
      toast(t('indicators.saved', { code: saved.code }));
      render(view, ctx);
    } catch (error) {
      showError(form, error);
    }
  });

  // HQ: a target for a year or a quarter.
  const targetCode = select('code', list.map((i) => [i.code, `${i.code} — ${label(i)}`]), list[0]?.code, { id: 'target-code' });
  const targetPeriod = textInput('period', String(new Date().getFullYear()), { id: 'target-period' });
  const targetValue = textInput('value', '', { id: 'target-value', inputmode: 'numeric' });
  const targetForm = el('form', { id: 'target-form', novalidate: true },
    el('h2', { i18n: 'indicators.target_title' }),
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'code', label: 'results.indicator', input: targetCode }),
    field({ field: 'target period', label: 'indicators.target_period', input: targetPeriod, hint: 'indicators.target_period_hint' }),
    field({ field: 'target', label: 'results.target', input: targetValue, hint: 'indicators.target_value_hint' }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', i18n: 'common.save' })));
  targetForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(targetForm);
    const raw = targetValue.value.trim();
    const value = raw === '' ? null : Number(raw);
    if (raw !== '' && !Number.isInteger(value)) {
      const box = targetForm.querySelector('.form-error');
      box.textContent = t('indicators.whole_number');
      box.hidden = false;
      return;
    }
    try {
      await ctx.api.setIndicatorTarget(targetCode.value, targetPeriod.value, value);
      toast(t('indicators.target_saved', { code: targetCode.value }));
      render(view, ctx);
    } catch (error) {
      showError(targetForm, error);
    }
  });

  clear(view,
    el('h1', { i18n: 'indicators.title' }),
    el('p', {}, el('a', { href: '#/report', i18n: 'indicators.back' })),
    el('p', { class: 'hint', id: 'catalogue-hint', i18n: hq.is_hq ? 'indicators.hq_hint' : 'indicators.laptop_hint' }),
    el('section', { class: 'card' }, table),
    hq.is_hq ? el('section', { class: 'card' }, form) : null,
    hq.is_hq ? el('section', { class: 'card' }, targetForm) : null);
}
