// Report: the period's figures as a sentence, tables and bar charts, and exports to XLSX and CSV.

import { el, clear, field, textInput, select, showError, clearErrors, toast, confirmDialog } from '../dom.js';
import { t, formatDate, parseDate, percent, number, currentLanguage } from '../i18n.js';
import { api, files } from '../api.js';
import { barChart, groupedBars } from '../chart.js';
import { GROUPS, KINDS, ITEM_STATUSES } from '../codes.js';

const BANDS = ['0-14', '15-24', '25-35', '36-59', '60+', 'unknown'];
const state = { from: '', to: '', region: '', cercle: '', commune: '' };

function thisYear(offset = 0) {
  const year = new Date().getFullYear() - offset;
  return { from: `01/01/${year}`, to: `31/12/${year}` };
}

function bandLabel(band) {
  return band === 'unknown' ? t('report.band_unknown') : band;
}

function table(headers, rows) {
  return el('table', { class: 'data compact' },
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((row) => el('tr', {}, ...row.map((cell) => el('td', {}, String(cell)))))));
}

/** A code → count map as [code, count] pairs in the codes' own order (the forms'), then the rest. */
function inOrder(map, codes) {
  const known = codes.filter((code) => code in map).map((code) => [code, map[code]]);
  return known.concat(Object.entries(map).filter(([code]) => !codes.includes(code)));
}

export async function render(view, ctx) {
  const from = textInput('from', state.from, { placeholder: t('common.date_placeholder'), id: 'report-from' });
  const to = textInput('to', state.to, { placeholder: t('common.date_placeholder'), id: 'report-to' });
  const places = ['region', 'cercle', 'commune'].map((level) => [level, textInput(level, state[level], { id: `report-${level}` })]);
  const body = el('div', { id: 'report-body' });
  const form = el('form', { class: 'filters', novalidate: true, id: 'report-form' },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'from', label: 'report.from', input: from }),
    field({ field: 'to', label: 'report.to', input: to }),

    el('div', { class: 'actions' },
      el('button', { type: 'submit', class: 'primary', i18n: 'report.show' }),
      ...[['report.this_year', () => thisYear(0)], ['report.last_year', () => thisYear(1)], ['report.all_time', () => ({ from: '', to: '' })]]
        .map(([key, range]) => el('button', { type: 'button', class: 'secondary small', i18n: key, on: {
          click: () => {
            Object.assign(state, range());
            from.value = state.from;
            to.value = state.to;
            form.requestSubmit();
          },
        } }))),
    el('div', { class: 'place-row' }, ...places.map(([level, input]) => field({ field: level, label: `report.place_${level}`, input }))));
  const placeOf = () => Object.fromEntries(places.map(([level, input]) => [level, input.value.trim() || null]));
  const period = () => ({ from: parseDate(from.value) || null, to: parseDate(to.value) || null, lang: currentLanguage(), place: placeOf() });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    state.from = from.value;
    state.to = to.value;
    for (const [level, input] of places) state[level] = input.value;
    try {
      const p = period();
      const [r, progress] = await Promise.all([api.report(p.from, p.to, p.lang, p.place), api.progress(p.from, p.to, p.lang, p.place)]);
      draw(body, r, progress, ctx);
    } catch (error) {
      showError(form, error);
    }
  });
  // A list of names goes into the files only when asked, and then only people who consented,
  // unless the officer asks for everyone.
  const names = select('names', [['none', t('report.names_none')], ['consented', t('report.names_consented')],
    ['everyone', t('report.names_everyone')]], 'none', { id: 'report-names' });
  // Names of people without recorded consent leave only after a clear yes.
  const mayExportNames = async () => names.value !== 'everyone' || confirmDialog({
    title: t('report.names_everyone_title'), body: t('report.names_everyone_body'),
    confirm: t('report.names_everyone_confirm'), cancel: t('common.cancel'), danger: true,
  });
  const exports = el('div', { class: 'exports' },
    field({ field: 'names', label: 'report.names', input: names, hint: 'report.names_hint' }),
    el('div', { class: 'actions' },
    el('button', { type: 'button', class: 'secondary', id: 'export-xlsx', i18n: 'report.export_xlsx', on: {
      click: async () => {
        if (!(await mayExportNames())) return;
        const path = await files.save({ defaultPath: `palabre-report.xlsx`, filters: [{ name: t('report.spreadsheet'), extensions: ['xlsx'] }] });
        if (!path) return;
        const p = period();
        try {
          await api.exportReportXlsx(path, p.from, p.to, p.lang, names.value, p.place);
          toast(t('report.exported', { path }));
        } catch (error) {
          showError(form, error);
        }
      },
    } }),
    ...[['report.export_csv', false], ['report.export_csv_fr', true]].map(([key, excelFr]) => el('button', {
      type: 'button', class: 'secondary', i18n: key, dataset: { excelFr: String(excelFr) }, on: {
        click: async () => {
          if (!(await mayExportNames())) return;
          const dir = await files.open({ directory: true });
          if (!dir) return;
          const p = period();
          try {
            await api.exportReportCsv(dir, p.from, p.to, p.lang, excelFr, names.value, p.place);
            toast(t('report.exported', { path: dir }));
          } catch (error) {
            showError(form, error);
          }
        },
      },
    })),
    // The donor's documents: the report as a PDF, the logframe's results as IATI XML.
    documentButton('export-pdf', 'report.export_pdf', 'palabre-donor-report.pdf', 'report.pdf_file', 'pdf', api.exportReportPdf),
    documentButton('export-iati', 'report.export_iati', 'palabre-iati-results.xml', 'report.iati_file', 'xml', api.exportIati)));
  /** A button that saves one of the donor's documents for the period and place shown. */
  function documentButton(id, key, defaultPath, fileKind, extension, write) {
    return el('button', { type: 'button', class: 'secondary', id, i18n: key, on: {
      click: async () => {
        const path = await files.save({ defaultPath, filters: [{ name: t(fileKind), extensions: [extension] }] });
        if (!path) return;
        const p = period();
        try {
          await write(path, p.from, p.to, p.lang, p.place);
          toast(t('report.exported', { path }));
        } catch (error) {
          showError(form, error);
        }
      },
    } });
  }
  clear(view, el('h1', { i18n: 'report.title' }), form, exports, body);
  form.requestSubmit();
}

function draw(body, r, progress, ctx) {
  const p = r.people;
  const sexes = ['F', 'M', 'X'];
  const groups = inOrder(r.activities.by_group, GROUPS);
  if (!r.activities.total && !p.total) {
    // Nothing held in the period: the sentence says so; empty charts would only be blank space.
    clear(body,
      el('p', { class: 'summary-sentence', id: 'report-summary' }, r.summary),
      el('p', { class: 'empty', id: 'report-empty', i18n: 'report.nothing_held' }),
      el('p', { class: 'meta' }, t('report.overdue_count', { count: r.action_items.overdue })));
    return;
  }
  clear(body,
    el('p', { class: 'summary-sentence', id: 'report-summary' }, r.summary),
    el('section', { class: 'figures' },
      figure('report.people', number(p.total)),
      figure('report.women', percent(p.by_sex.F, p.total)),
      figure('report.youth', percent(p.youth, p.total)),
      figure('report.attendances', number(r.attendances)),
      figure('report.activities', number(r.activities.total)),
      figure('report.overdue', number(r.action_items.overdue))),
    r.previous ? el('p', { class: 'meta', id: 'report-previous' }, t('report.previous_line', {
      from: formatDate(r.previous.period.from), to: formatDate(r.previous.period.to),
      people: number(r.previous.people), activities: number(r.previous.activities),
    })) : null,
    indicatorsCard(progress),
    el('section', { class: 'card' },
      el('h2', { i18n: 'report.sex_by_age' }),
      groupedBars(BANDS.map((band) => ({ label: bandLabel(band), values: sexes.map((s) => p.by_sex_and_age_band[s][band]) })),
        sexes.map((s) => t(`sex.${s}`)), { title: t('report.sex_by_age') }),
      table([t('report.sex'), ...BANDS.map(bandLabel), t('report.total')],
        sexes.map((s) => [t(`sex.${s}`), ...BANDS.map((b) => p.by_sex_and_age_band[s][b]), p.by_sex[s]])
          .concat([[t('report.total'), ...BANDS.map((b) => p.by_age_band[b]), p.total]]))),
    el('section', { class: 'card', id: 'activities-by-group' },
      el('h2', { i18n: 'report.by_group' }),
      barChart(groups.map(([g, n]) => ({ label: t(`group.${g}`), value: n })), { title: t('report.by_group') }),
      table([t('report.group'), t('report.count')], groups.map(([g, n]) => [t(`group.${g}`), n]))),
    el('section', { class: 'card' },
      el('h2', { i18n: 'report.items_by_status' }),
      barChart(inOrder(r.action_items.by_status, ITEM_STATUSES).map(([s, n]) => ({ label: t(`item_status.${s}`), value: n })), { title: t('report.items_by_status') }),
      el('p', {}, t('report.overdue_count', { count: r.action_items.overdue }))),
    el('section', { class: 'card' },
      el('h2', { i18n: 'report.by_kind' }),
      table([t('report.kind'), t('report.count')], inOrder(r.activities.by_kind, KINDS).map(([k, n]) => [t(`kind.${k}`), n])),
      el('h2', { i18n: 'report.by_region' }),
      table([t('report.region'), t('report.count')], Object.entries(r.activities.by_region).map(([k, n]) => [k === 'none' ? t('report.none') : k, n])),
      el('h2', { i18n: 'report.people_by_group' }),
      table([t('report.group'), t('report.count')], inOrder(p.by_group, GROUPS).map(([g, n]) => [g === 'none' ? t('report.none') : t(`group.${g}`), n]))),
    evidenceCard(r.evidence),
    r.activities.planned.length
      ? el('section', { class: 'card' }, el('h2', { i18n: 'report.planned' }),
        el('ul', { class: 'list' }, ...r.activities.planned.map((s) => el('li', {}, formatDate(s.start_date), ' · ', s.title))))
      : null);
}

/** A breakdown's category as a person reads it: sex and group codes translated, age bands and
 * regions as they are. */
function breakdownLabel(by, key) {
  if (by === 'sex') return t(`sex.${key}`);
  if (by === 'group') return key === 'none' ? t('report.none') : t(`group.${key}`);
  if (by === 'age') return bandLabel(key);
  return key;
}

/** A value as the logframe shows it: a count, or a share with one decimal and "%". */
function shown(value, isPercent) {
  const n = Number.isInteger(value) ? number(value) : number(Math.round(value * 10) / 10);
  return isPercent ? `${n} %` : n;
}

/** The logframe: each indicator's value against its target, the period before, and a bar
 * chart of the share of each target achieved; the catalogue's page is one click away. */
function indicatorsCard(progress) {
  const rows = progress.indicators;
  const withTarget = rows.filter((i) => i.achieved_percent !== null && i.achieved_percent !== undefined);
  return el('section', { class: 'card', id: 'report-indicators' },
    el('h2', { i18n: 'report.indicators' }),
    withTarget.length
      ? barChart(withTarget.map((i) => ({ label: `${i.code} ${i.label}`, value: Math.round(i.achieved_percent) })), { title: t('report.achievement_chart'), format: (v) => `${number(v)} %` })
      : el('p', { class: 'meta', i18n: 'report.no_targets' }),
    table([t('results.code'), t('results.indicator'), t('results.baseline'), t('results.target'), t('results.actual'), t('results.previous'), t('results.achieved')],
      rows.map((i) => [
        i.code, i.label,
        i.baseline === null || i.baseline === undefined ? '—' : `${shown(i.baseline, i.percent)}${i.baseline_year ? ` (${i.baseline_year})` : ''}`,
        i.target ? `${shown(i.target.value, i.percent)}${i.target.annual ? '*' : ''}` : '—',
        shown(i.actual, i.percent),
        i.previous === null || i.previous === undefined ? '—' : shown(i.previous, i.percent),
        i.achieved_percent === null || i.achieved_percent === undefined ? '—' : `${number(Math.round(i.achieved_percent))} %`,
      ])),
    rows.some((i) => i.target?.annual) ? el('p', { class: 'hint', i18n: 'report.annual_note' }) : null,
    // Each indicator's breakdowns (the donor's disaggregations), folded away under its code.
    ...rows.filter((i) => i.breakdowns.length).map((i) => el('details', { class: 'breakdowns', dataset: { code: i.code } },
      el('summary', {}, t('report.breakdowns_of', { code: i.code, label: i.label })),
      ...i.breakdowns.map((b) => [
        el('h3', {}, t(`breakdown.${b.by}`)),
        barChart(Object.entries(b.values).map(([key, value]) => ({ label: breakdownLabel(b.by, key), value: Math.round(value * 10) / 10 })),
          { title: `${i.code} — ${t(`breakdown.${b.by}`)}`, format: (v) => shown(v, i.percent) }),
      ]).flat())),
    el('p', {}, el('a', { href: '#/report/indicators', id: 'open-catalogue', i18n: 'report.catalogue_link' })));
}

/** Paper evidence: held sessions with their signed sheet, the share of attendance backed, and
 * the held sessions still without one (each a link to its page, to attach it). */
function evidenceCard(ev) {
  return el('section', { class: 'card', id: 'report-evidence' },
    el('h2', { i18n: 'report.evidence_title' }),
    el('p', { id: 'evidence-line' }, t('report.evidence_line', {
      with: number(ev.with_evidence), held: number(ev.held_sessions), share: `${number(ev.share_backed_percent)} %`,
    })),
    ev.without.length
      ? [el('h3', { i18n: 'report.without_evidence' }),
        el('ul', { class: 'list', id: 'without-evidence' }, ...ev.without.map((s) => el('li', {},
          formatDate(s.start_date), ' · ', el('a', { href: `#/sessions/${s.id}` }, s.title), s.region ? ` · ${s.region}` : '')))]
      : ev.held_sessions ? el('p', { class: 'meta', i18n: 'report.all_evidence' }) : null);
}

function figure(label, value) {
  return el('div', { class: 'figure' }, el('span', { class: 'value' }, value), el('span', { class: 'label', i18n: label }));
}
