// Sync: export a signed file for HQ, import other computers' files (with progress and one result
// per file), the computers known here (fingerprints, Trust, missing changes), and conflicts.

import { el, clear, append, toast, confirmDialog, showError, clearErrors, field, select } from '../dom.js';
import { t, has, formatDate, number, fileSize } from '../i18n.js';
import { api, files } from '../api.js';

const FILTERS = () => [{ name: t('sync.bundle_files'), extensions: ['palabre', 'age', 'palabre-ack', 'palabre-registry'] }];

/** An export's size, and whether it fits an e-mail or a phone message (most take 20–25 MB). */
function bundleSize(bytes) {
  return t(bytes <= 20 * 1048576 ? 'sync.size_fits' : 'sync.size_large', { size: fileSize(bytes) });
}

/** What waits to be exported and what HQ has confirmed: drawn again after every import. */
async function renderExportState(box, ctx) {
  const [overview, hq] = await Promise.all([ctx.api.overview(), ctx.api.hqStatus()]);
  clear(box,
    el('p', { id: 'unexported-here' }, t('home.unexported', { count: overview.unexported_changes }), ' · ',
      overview.last_export ? t('home.last_export', { date: formatDate(overview.last_export) }) : t('home.never_exported')),
    el('p', { class: 'hint', i18n: hq.is_hq ? 'sync.export_help_hq' : 'sync.export_help' }),
    hqLine(hq));
  return hq;
}

export async function render(view, ctx) {
  const exportState = el('div', { id: 'export-state' });
  const hq = await renderExportState(exportState, ctx);
  const exportResult = el('p', { id: 'export-result', 'aria-live': 'polite' });
  const exportButton = el('button', { type: 'button', class: 'primary', id: 'export-bundle', i18n: 'sync.export' });
  // A laptop not enrolled with HQ cannot encrypt to HQ: it is told so every time, and offered a
  // passphrase instead (on by default); exporting plain asks first.
  const plain = !hq.is_hq && !hq.enrollment;
  // Photos of signed sheets beyond this size go into further files, written beside the first.
  const cap = select('cap', [['2', '2 MB'], ['10', '10 MB'], ['25', '25 MB']], '10', { id: 'export-cap' });
  const lock = el('input', { type: 'checkbox', id: 'use-passphrase', checked: true });
  const passphrase = el('input', { type: 'password', name: 'passphrase', id: 'export-passphrase', autocomplete: 'new-password' });
  const again = el('input', { type: 'password', name: 'passphrase_again', id: 'export-passphrase-again', autocomplete: 'new-password' });
  const fields = el('div', { class: 'row', id: 'passphrase-fields' },
    field({ field: 'passphrase', label: 'sync.passphrase', input: passphrase }),
    field({ field: 'passphrase_again', label: 'sync.passphrase_again', input: again }));
  lock.addEventListener('change', () => { fields.hidden = !lock.checked; });
  const plainChoice = plain ? el('div', { id: 'plain-export' },
    el('p', { class: 'warning', id: 'plain-warning', i18n: 'sync.plain_warning' }),
    el('div', { class: 'field check' }, el('label', {}, lock, el('span', { i18n: 'sync.use_passphrase' }))),
    fields) : null;
  exportButton.addEventListener('click', async () => {
    clearErrors(view);
    const locked = plain && lock.checked;
    if (locked && passphrase.value.length < 8) {
      showError(view, { code: 'passphrase_too_short', field: 'passphrase', details: { min: 8 }, message: '' });
      return;
    }
    if (locked && passphrase.value !== again.value) {
      showError(view, { code: 'passphrase_mismatch', field: 'passphrase_again', message: '' });
      return;
    }
    if (plain && !locked) {
      const sure = await confirmDialog({
        title: t('sync.plain_confirm_title'), body: t('sync.plain_confirm_body'),
        confirm: t('sync.plain_confirm'), cancel: t('common.cancel'), danger: true,
      });
      if (!sure) return;
    }
    let name = await api.nextBundleName();
    if (locked && !name.endsWith('.age')) name += '.age';
    const filters = [{ name: t('sync.bundle_files'), extensions: [name.endsWith('.age') ? 'age' : 'palabre'] }];
    const path = await files.save({ defaultPath: name, filters });
    if (!path) return;
    try {
      const exported = await api.exportBundle(path, locked ? passphrase.value : null, Number(cap.value));
      exportResult.textContent = t('sync.exported', { path: exported.path, count: exported.ops })
        + ` ${bundleSize(exported.bytes)}`
        + (exported.parts.length > 1 ? ` ${t('sync.parts', { count: exported.parts.length })}` : '')
        + (exported.lock === 'passphrase' ? ` ${t('sync.exported_locked')}` : '');
      await render(view, ctx);
      view.querySelector('#export-result').textContent = exportResult.textContent;
    } catch (error) {
      showError(view, error);
    }
  });

  const importPassphrase = el('input', { type: 'password', name: 'import_passphrase', id: 'import-passphrase', autocomplete: 'off' });
  const inbox = importControls({
    ids: { files: 'import-bundles', folder: 'import-folder', progress: 'import-progress', progressText: null, results: 'import-results', stop: 'import-stop' },
    passphrase: () => importPassphrase.value || null,
    after: async () => {
      await renderExportState(exportState, ctx);
      await renderDevices(devices, ctx);
      await renderConflicts(conflicts, ctx);
    },
  });
  const devices = el('section', { class: 'card', id: 'devices' });
  const conflicts = el('section', { class: 'card', id: 'conflicts' });
  clear(view, 
    el('h1', { i18n: 'sync.title' }),
    el('div', { class: 'form-error', hidden: true, role: 'alert' }),
    el('section', { class: 'card', id: 'export' },
      el('h2', { i18n: hq.is_hq ? 'sync.export_title_hq' : 'sync.export_title' }),
      exportState,
      plainChoice,
      field({ field: 'cap', label: 'sync.cap', input: cap }),
      exportButton, exportResult),
    el('section', { class: 'card' },
      el('h2', { i18n: 'sync.import_title' }),
      el('p', { class: 'hint', i18n: 'sync.import_help' }),
      field({ field: 'import_passphrase', label: 'sync.import_passphrase', input: importPassphrase }),
      el('div', { class: 'actions' }, inbox.importFiles, inbox.importFolder, inbox.progress, inbox.progressText, inbox.stop),
      inbox.results),
    el('section', { class: 'card', id: 'duplicates' },
      el('h2', { i18n: 'dup.title' }),
      el('p', { class: 'hint', i18n: 'dup.sync_help' }),
      el('a', { class: 'button secondary', href: '#/sync/duplicates', id: 'open-duplicates', i18n: 'dup.open' })),
    devices, conflicts);
  await renderDevices(devices, ctx);
  await renderConflicts(conflicts, ctx);
}

/** Whether exports are encrypted to HQ, and what HQ has acknowledged. */
function hqLine(hq) {
  const parts = [];
  if (hq.is_hq) {
    parts.push(el('p', { id: 'hq-encryption', i18n: 'hq.this_is_hq' }));
  } else if (hq.enrollment) {
    parts.push(el('p', { id: 'hq-encryption' }, t('hq.encrypted_to', { programme: hq.enrollment.programme, fingerprint: hq.enrollment.hq_fingerprint })));
    parts.push(el('p', { id: 'hq-acked' }, hq.acked_until
      ? t('hq.has_everything_up_to', { date: formatDate(hq.acked_until) })
      : t('hq.nothing_acknowledged')));
  } else if (!hq.is_hq) {
    parts.push(el('p', { class: 'warning', id: 'hq-encryption' }, t('hq.not_enrolled')));
  }
  return el('div', {}, ...parts);
}

/**
 * An inbox: *Import files…* (several at once), *Import a folder or USB stick…* (every Palabre file
 * in it), a progress bar and one result line per file. `after(outcomes)` runs once a batch is
 * done. The Sync screen and the HQ desk both use it.
 */
export function importControls({ ids, passphrase = () => null, after, primaryFolder = false }) {
  const progress = el('progress', { id: ids.progress, max: 1, value: 0, hidden: true });
  const progressText = el('span', { class: 'meta', id: ids.progressText, 'aria-live': 'polite' });
  const results = el('ul', { class: 'results', id: ids.results });
  const importFiles = el('button', { type: 'button', class: 'primary', id: ids.files, i18n: 'sync.import' });
  const importFolder = el('button', { type: 'button', class: primaryFolder ? 'primary' : 'secondary', id: ids.folder, i18n: 'sync.import_folder' });
  const stop = el('button', { type: 'button', class: 'secondary', id: ids.stop, i18n: 'sync.stop', hidden: true });
  stop.addEventListener('click', () => {
    stop.disabled = true;
    api.stopImport().catch(() => {});
  });
  const failed = (error) => append(results, el('li', { class: 'outcome rejected' }, `${t('outcome.rejected')} : ${error.message ?? error}`));
  const run = async (paths) => {
    const outcomes = await importPaths(paths, { buttons: [importFiles, importFolder], stop, progress, progressText, results, passphrase: passphrase() });
    try {
      await after(outcomes);
    } catch (error) {
      failed(error);
    }
  };
  importFiles.addEventListener('click', async () => {
    const chosen = await files.open({ multiple: true, filters: FILTERS() });
    const paths = chosen ? [chosen].flat() : [];
    if (paths.length) await run(paths);
  });
  importFolder.addEventListener('click', async () => {
    const dir = await files.open({ directory: true, multiple: false });
    if (!dir) return;
    let paths;
    try {
      paths = await api.bundleFilesIn(dir);
    } catch (error) {
      clear(results);
      failed(error);
      return;
    }
    if (!paths.length) {
      clear(results, el('li', { class: 'outcome empty' }, t('sync.folder_empty', { dir })));
      return;
    }
    await run(paths);
  });
  return { importFiles, importFolder, stop, progress, progressText, results };
}

/**
 * Imports files as one batch (one backup, the next file read while one merges), moving the
 * progress bar and adding a result line after each; *Stop* ends it between two files. A failure
 * of the database ends the batch with its message; a bad file is only its own line.
 */
async function importPaths(paths, { buttons, stop, progress, progressText, results, passphrase = null }) {
  for (const b of buttons) b.disabled = true;
  clear(results);
  progress.hidden = false;
  progress.max = paths.length;
  progress.value = 0;
  progressText.textContent = t('sync.progress', { done: 1, total: paths.length });
  stop.hidden = false;
  stop.disabled = false;
  let outcomes = [];
  // Lines come from the progress steps as files are done; the answer, which holds every outcome,
  // adds any step not heard yet (a step may arrive after the answer) and is what is returned.
  let shown = 0;
  // Once the answer is here, a late step must not blank the summary it wrote.
  let answered = false;
  const show = (index, outcome) => {
    if (index < shown) return;
    shown = index + 1;
    append(results, outcomeLine(paths[index], outcome));
    progress.value = shown;
  };
  try {
    const imported = await api.importBundles(paths, passphrase, ({ done, total, outcome }) => {
      show(done - 1, outcome);
      if (!answered) progressText.textContent = done < total ? t('sync.progress', { done: done + 1, total }) : '';
    });
    answered = true;
    outcomes = imported.outcomes;
    outcomes.forEach((outcome, index) => show(index, outcome));
    progressText.textContent = imported.stopped
      ? t('sync.stopped', { count: outcomes.length, total: paths.length })
      : t('sync.progress_done', { count: paths.length });
  } catch (error) {
    append(results, el('li', { class: 'outcome rejected' }, `${t('outcome.rejected')} : ${error.message ?? error}`));
    progressText.textContent = '';
  } finally {
    stop.hidden = true;
    for (const b of buttons) b.disabled = false;
  }
  return outcomes;
}

function fileName(path) {
  return String(path).split(/[\\/]/).pop();
}

/** A laptop's clock offset (its clock minus this computer's, in seconds), for people. */
export function clockWarning(offset) {
  const span = Math.abs(offset);
  const amount = span >= 2 * 86400 ? t('clock.days', { count: Math.round(span / 86400) })
    : span >= 2 * 3600 ? t('clock.hours', { count: Math.round(span / 3600) })
      : t('clock.minutes', { count: Math.round(span / 60) });
  return t(offset > 0 ? 'clock.ahead' : 'clock.behind', { amount });
}

/** One line of an import's results: the file, what happened, and what to do about it. */
export function outcomeLine(path, outcome) {
  let text;
  let detail = null;
  if (outcome.outcome === 'applied') text = t('outcome.applied', { count: outcome.new_ops });
  else if (outcome.outcome === 'already_imported') text = t('outcome.already_imported');
  else if (outcome.outcome === 'acknowledged') text = t('outcome.acknowledged', { date: formatDate(outcome.until), count: outcome.up_to_seq });
  else if (outcome.outcome === 'quarantined') text = t('outcome.quarantined', { device: outcome.device, fingerprint: outcome.fingerprint });
  else if (outcome.outcome === 'held') text = t('outcome.held', { device: outcome.device, fingerprint: outcome.fingerprint, date: formatDate(outcome.lost_at) });
  else if (outcome.outcome === 'from_hq') text = t(`outcome.from_hq_${outcome.kind}`, { count: outcome.people, sessions: number(outcome.sessions), plans: number(outcome.plans) });
  else {
    const key = `reject.${outcome.code}`;
    text = `${t('outcome.rejected')} : ${has(key) ? t(key) : outcome.reason}`;
    detail = el('details', {}, el('summary', {}, '…'), el('p', { class: 'meta' }, outcome.reason));
  }
  if (outcome.clock_offset_s) {
    detail = el('p', { class: 'warning clock-warning' }, clockWarning(outcome.clock_offset_s));
  }
  return el('li', { class: `outcome ${outcome.outcome}`, dataset: { outcome: outcome.outcome } },
    el('span', {}, el('strong', {}, fileName(path)), ' — ', text), detail);
}

async function renderDevices(section, ctx) {
  const list = await api.listDevices();
  const rows = list.map((d) => {
    const state = d.this_device ? t('sync.this_device') : d.lost_at ? t('hq.lost') : d.trusted ? t('sync.trusted') : t('sync.not_trusted');
    const received = d.ops ? t('sync.complete_up_to', { seq: number(d.gap_free_seq) }) : t('sync.nothing_received');
    const notes = [
      ...d.missing.map((m) => el('div', { class: 'warning' }, t('sync.missing', { from: number(m.from), to: number(m.to) }))),
      d.quarantined_bundles && !d.lost_at ? el('div', {}, t('sync.waiting', { count: d.quarantined_bundles })) : null,
      d.quarantined_bundles && d.lost_at ? el('div', { class: 'warning' }, t('hq.held_count', { count: d.quarantined_bundles })) : null,
      d.forks ? el('div', { class: 'warning' }, t('sync.fork')) : null,
      d.clock_off ? el('div', { class: 'warning clock-warning' }, clockWarning(d.clock_offset_s)) : null,
    ];
    let action = null;
    if (!d.this_device && !d.trusted && !d.lost_at) {
      action = el('button', { type: 'button', class: 'small primary', i18n: 'sync.trust', dataset: { fingerprint: d.fingerprint } });
      action.addEventListener('click', async () => {
        const sure = await confirmDialog({
          title: t('sync.trust_title'),
          body: t('sync.trust_body', { fingerprint: d.fingerprint, name: d.name }),
          confirm: t('sync.trust_confirm'),
          cancel: t('common.cancel'),
        });
        if (!sure) return;
        const trusted = await api.trustDevice(d.fingerprint);
        toast(t('sync.trusted_done', { name: trusted.name, count: trusted.merged.length }));
        await renderDevices(section, ctx);
        await renderConflicts(document.getElementById('conflicts'), ctx);
      });
    }
    return el('tr', { dataset: { device: d.device_id } },
      el('td', {}, d.name), el('td', {}, el('code', { class: 'fingerprint-small' }, d.fingerprint)),
      el('td', {}, state, action ? el('div', {}, action) : null),
      el('td', {}, received, ...notes));
  });
  clear(section, 
    el('h2', { i18n: 'sync.devices_title' }),
    el('table', { class: 'data', id: 'device-list' },
      el('thead', {}, el('tr', {},
        el('th', { i18n: 'sync.device_name' }), el('th', { i18n: 'sync.fingerprint' }),
        el('th', { i18n: 'sync.state' }), el('th', { i18n: 'sync.received' }))),
      el('tbody', {}, ...rows)),
    await orphans());
}

/** Rows kept while their session, person or plan has not arrived yet. */
async function orphans() {
  const list = await api.listOrphans();
  if (!list.length) return null;
  const waiting = {};
  for (const o of list) waiting[o.missing] = (waiting[o.missing] ?? 0) + 1;
  return el('p', { class: 'warning', id: 'orphans' }, t('sync.orphans', { count: list.length }), ' ',
    Object.entries(waiting).map(([missing, n]) => t(`sync.orphans_${missing}`, { count: n })).join(', '));
}

function shown(value) {
  if (value === null || value === '' || value === undefined) return t('sync.empty_value');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function renderConflicts(section, ctx) {
  const list = await api.listConflicts();
  const keep = (c, value) => el('button', { type: 'button', class: 'small secondary', i18n: 'sync.keep', on: {
    click: async () => {
      await api.resolveConflict(c.entity, c.row_id, c.field, value);
      toast(t('sync.resolved'));
      await renderConflicts(section, ctx);
    },
  } });
  const version = (c, v, label) => el('li', {},
    el('span', {}, el('strong', { i18n: label }), ' : ', shown(v.value), ' ',
      el('span', { class: 'meta' }, t('sync.by', { device: v.device_name, date: formatDate(v.time) }))),
    keep(c, v.value));
  const fieldKey = (field) => (has(`field.${field}`) ? t(`field.${field}`) : field);
  clear(section, 
    el('h2', { i18n: 'sync.conflicts_title' }),
    list.length
      ? el('div', {}, el('p', { class: 'hint', i18n: 'sync.conflict_help' }),
        ...list.map((c) => el('article', { class: 'conflict', dataset: { row: c.row_id, field: c.field } },
          el('h3', {}, c.label || c.row_id, ' — ', fieldKey(c.field)),
          el('ul', { class: 'results' }, version(c, c.current, 'sync.current'), ...c.others.map((o) => version(c, o, 'sync.other'))))))
      : el('p', { class: 'empty', id: 'no-conflicts', i18n: 'sync.no_conflicts' }));
}
