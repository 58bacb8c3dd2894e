// Paper evidence: photos and scans of the signed attendance sheets. On a session page, its
// sheets (thumbnail, page, who attached them, when) and "Attach photos or scans…" (or files
// dropped on the page); on the Sessions page, "Import photos of sheets…", which takes a whole
// folder from a phone or a scanner, files each photo under the session its code names, and asks
// about the others.

import { el, clear, append, select, toast, confirmDialog } from '../dom.js';
import { t, has, formatDate, fileSize } from '../i18n.js';
import { files } from '../api.js';

const PICTURES = () => [{ name: t('evidence.filter'), extensions: ['jpg', 'jpeg', 'JPG', 'JPEG', 'png', 'PNG', 'pdf', 'PDF'] }];

function fileName(path) {
  return String(path).split(/[\\/]/).pop();
}

function pageText(e) {
  if (e.page && e.pages) return t('evidence.page_of', { page: e.page, pages: e.pages });
  if (e.page) return t('evidence.page', { page: e.page });
  return t('evidence.page_unknown');
}

/** What the core said about a refused file, in the window's language, with its reason folded. */
function refusal(error) {
  const key = `errors.${error.code}`;
  return [has(key) ? t(key, error.details ?? {}) : error.message,
    el('details', {}, el('summary', {}, '…'), el('p', { class: 'meta' }, error.message))];
}

/** One result line: attached, already there, needs a session (with the question), or refused. */
function filingLine(path, result, ask) {
  const name = el('strong', {}, fileName(path));
  if (result.error) {
    return el('li', { class: 'outcome rejected', dataset: { outcome: 'refused' } }, name, ' — ', ...refusal(result.error));
  }
  const f = result.filing;
  if (f.outcome === 'filed') {
    const how = f.evidence.filed_by_code ? t('evidence.by_code') : t('evidence.by_hand');
    const turned = f.turned ? ` · ${t('evidence.turned')}` : '';
    return el('li', { class: 'outcome applied', dataset: { outcome: 'filed' } }, name, ' — ',
      t('evidence.filed', { session: f.session_title, page: pageText(f.evidence) }),
      el('span', { class: 'meta' }, ` (${how}${turned} · ${fileSize(f.original_size)} → ${fileSize(f.evidence.size)})`));
  }
  if (f.outcome === 'already_attached') {
    return el('li', { class: 'outcome already_imported', dataset: { outcome: 'already' } }, name, ' — ',
      t('evidence.already', { session: f.session_title }));
  }
  const line = el('li', { class: 'outcome quarantined', dataset: { outcome: 'needs_session' } }, name, ' — ',
    t(`evidence.unfiled_${f.reason}`));
  // A code naming a session this database does not hold is not filed elsewhere by hand: its
  // session's data must arrive first (or the sheet is another programme's).
  if (ask && f.reason !== 'unknown_session') append(line, ask(path, f, line));
  return line;
}

/**
 * Attaches `paths` one at a time to `session` (or by their codes when null), with a progress
 * line and one result line each; `ask` builds the question for a file that needs a session.
 */
async function attachAll(paths, { api, session, results, progressText, buttons, ask }) {
  for (const b of buttons) b.disabled = true;
  clear(results);
  let filed = 0;
  for (const [index, path] of paths.entries()) {
    progressText.textContent = t('sync.progress', { done: index + 1, total: paths.length });
    let result;
    try {
      result = { filing: await api.attachEvidence(session, null, path) };
      if (result.filing.outcome === 'filed') filed += 1;
    } catch (error) {
      result = { error };
    }
    append(results, filingLine(path, result, ask));
  }
  progressText.textContent = t('evidence.done', { filed, total: paths.length });
  for (const b of buttons) b.disabled = false;
  return filed;
}

/** The session page's card: its sheets, and attaching more (dialog or drop). */
export async function renderEvidence(section, session, ctx) {
  const results = el('ul', { class: 'results', id: 'evidence-results' });
  const progressText = el('span', { class: 'meta', id: 'evidence-progress', 'aria-live': 'polite' });
  const attach = el('button', { type: 'button', class: 'secondary', id: 'attach-evidence', i18n: 'evidence.attach' });
  const gallery = el('div', { class: 'evidence-grid', id: 'evidence-list' });
  const refresh = async () => {
    const list = await ctx.api.sessionEvidence(session.id);
    clear(gallery, list.length ? list.map((e) => sheetCard(e, ctx, refresh)) : el('p', { class: 'empty', i18n: 'evidence.none' }));
    for (const img of gallery.querySelectorAll('img[data-id]')) {
      ctx.api.evidencePicture(img.dataset.id, false).then((url) => { if (url) img.src = url; }).catch(() => {});
    }
  };
  let busy = false;
  const run = async (paths) => {
    if (!paths.length || busy) return;
    busy = true;
    try {
      await attachAll(paths, { api: ctx.api, session: session.id, results, progressText, buttons: [attach] });
      await refresh();
    } catch (error) {
      toast(error.message ?? String(error), true);
    } finally {
      busy = false;
    }
  };
  attach.addEventListener('click', async () => {
    const chosen = await files.open({ multiple: true, filters: PICTURES() });
    await run(chosen ? [chosen].flat() : []);
  });
  // Files dropped anywhere on this page are attached to this session; once the page is left,
  // a drop is answered by the app's default (app.js).
  const dropped = (paths) => {
    if (!section.isConnected) {
      window.palabreDropped = window.palabreDropElsewhere;
      window.palabreDropped?.(paths);
      return;
    }
    const pictures = paths.filter((p) => /\.(jpe?g|png|pdf)$/i.test(p));
    if (pictures.length < paths.length) toast(t('evidence.dropped_other', { count: paths.length - pictures.length }), true);
    run(pictures);
  };
  window.palabreDropped = dropped;
  clear(section,
    el('h2', { i18n: 'evidence.title' }),
    el('p', { class: 'hint', i18n: 'evidence.hint' }),
    el('div', { class: 'actions' }, attach, progressText),
    results,
    gallery);
  await refresh();
}

function sheetCard(e, ctx, refresh) {
  const remove = el('button', { type: 'button', class: 'small secondary', i18n: 'evidence.remove' });
  remove.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: t('evidence.remove'), body: t('evidence.remove_body', { page: pageText(e) }),
      confirm: t('evidence.remove'), cancel: t('common.cancel'), danger: true,
    });
    if (!sure) return;
    try {
      await ctx.api.removeEvidence(e.id);
      toast(t('common.deleted'));
      await refresh();
    } catch (error) {
      toast(error.message ?? String(error), true);
    }
  });
  const save = el('button', { type: 'button', class: 'small secondary', i18n: 'evidence.save' });
  save.addEventListener('click', async () => {
    const extension = e.media_type === 'application/pdf' ? 'pdf' : 'jpg';
    const path = await files.save({ defaultPath: `${t('evidence.file_stem')}-${e.page ?? 'x'}-${e.sha256.slice(0, 8)}.${extension}` });
    if (!path) return;
    try {
      await ctx.api.saveEvidence(e.id, path);
      toast(t('evidence.saved', { path }));
    } catch (error) {
      toast(error.message, true);
    }
  });
  const picture = el('img', { alt: pageText(e), dataset: { id: e.id }, class: 'thumb' });
  const open = el('button', { type: 'button', class: 'thumb-button', title: t('evidence.open') }, picture);
  open.addEventListener('click', () => showFull(e, ctx).catch((error) => toast(error.message ?? String(error), true)));
  return el('figure', { class: 'evidence', dataset: { evidence: e.id } },
    e.media_type === 'application/pdf' && !e.has_file ? null : open,
    el('figcaption', {},
      el('strong', {}, pageText(e)),
      e.media_type === 'application/pdf' ? el('span', { class: 'chip' }, 'PDF') : null,
      el('span', { class: 'meta' }, t('evidence.attached_by', { who: e.attached_by || '?', date: formatDate(e.attached_at.slice(0, 10)) })),
      el('span', { class: 'meta' }, e.filed_by_code ? t('evidence.by_code') : t('evidence.by_hand')),
      el('span', { class: 'actions' }, save, remove)));
}

/** The photo at full size in the page's dialog (a scan: its first picture). */
async function showFull(e, ctx) {
  const url = await ctx.api.evidencePicture(e.id, true) ?? await ctx.api.evidencePicture(e.id, false);
  if (!url) return;
  const modal = document.getElementById('modal');
  const close = () => {
    modal.hidden = true;
    clear(modal);
    document.removeEventListener('keydown', onKey, true);
  };
  const onKey = (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  };
  const done = el('button', { type: 'button', class: 'primary', i18n: 'common.close', on: { click: close } });
  clear(modal, el('div', { class: 'dialog wide', role: 'dialog', 'aria-modal': 'true', 'aria-label': pageText(e) },
    el('h2', {}, pageText(e)),
    el('img', { src: url, class: 'evidence-full', alt: pageText(e) }),
    el('div', { class: 'actions' }, done)));
  modal.hidden = false;
  document.addEventListener('keydown', onKey, true);
  done.focus();
}

/**
 * "Import photos of sheets…": a folder from a phone or a scanner. Each photo is filed under the
 * session its code names; for the others, the line asks which held or planned session (and page)
 * it is, and attaches it when answered.
 */
export function importSheetsControls(ctx) {
  const button = el('button', { type: 'button', class: 'secondary', id: 'import-sheets', i18n: 'evidence.import_folder' });
  const progressText = el('span', { class: 'meta', id: 'import-sheets-progress', 'aria-live': 'polite' });
  const results = el('ul', { class: 'results', id: 'import-sheets-results' });
  let sessions = null;
  const ask = (path, filing, line) => {
    const choice = select('session', [['', t('evidence.choose_session')]], '');
    choice.classList.add('ask-session');
    const fill = async () => {
      sessions ??= (await ctx.api.listSessions({ status: null, kind: null, group: null, from: null, to: null, query: null }))
        .filter((s) => s.status !== 'cancelled');
      for (const s of sessions) append(choice, el('option', { value: s.id }, `${formatDate(s.start_date)} — ${s.title}`));
    };
    fill().catch((error) => toast(error.message ?? String(error), true));
    const page = el('input', { type: 'number', min: 1, max: 999, class: 'page-input', placeholder: t('evidence.page_short'), value: filing.page ?? '' });
    const go = el('button', { type: 'button', class: 'small primary', i18n: 'evidence.attach_here' });
    go.addEventListener('click', async () => {
      if (!choice.value) return choice.focus();
      let result;
      try {
        result = { filing: await ctx.api.attachEvidence(choice.value, page.value ? Number(page.value) : null, path) };
      } catch (error) {
        result = { error };
      }
      line.replaceWith(filingLine(path, result, ask));
    });
    return el('span', { class: 'ask' }, ' ', choice, ' ', page, ' ', go);
  };
  button.addEventListener('click', async () => {
    const dir = await files.open({ directory: true, multiple: false });
    if (!dir) return;
    let paths;
    try {
      paths = await ctx.api.evidenceFilesIn(dir);
    } catch (error) {
      clear(results, el('li', { class: 'outcome rejected' }, ...refusal(error)));
      return;
    }
    if (!paths.length) {
      clear(results, el('li', { class: 'outcome empty' }, t('evidence.folder_empty', { dir })));
      return;
    }
    await attachAll(paths, { api: ctx.api, session: null, results, progressText, buttons: [button], ask });
  });
  return el('section', { class: 'card', id: 'sheets-import' },
    el('h2', { i18n: 'evidence.import_title' }),
    el('p', { class: 'hint', i18n: 'evidence.import_hint' }),
    el('div', { class: 'actions' }, button, progressText),
    results);
}
