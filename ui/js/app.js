// Start-up, navigation and language. Routes are `#/name/param…`; each view module owns its part
// of the DOM through `render(view, params, ctx)`.

import { api } from './api.js';
import { load, translate, t } from './i18n.js';
import { confirmDialog, hasUnsavedChanges, announceUnsaved, showError, el, clear, toast } from './dom.js';
import * as firstStart from './views/first-start.js';
import * as unlock from './views/unlock.js';
import * as home from './views/home.js';
import * as sessions from './views/sessions.js';
import * as session from './views/session.js';
import * as people from './views/people.js';
import * as plans from './views/plans.js';
import * as settings from './views/settings.js';
import * as sync from './views/sync.js';
import * as duplicates from './views/duplicates.js';
import * as report from './views/report.js';
import * as print from './views/print.js';
import * as about from './views/about.js';
import * as hqDesk from './views/hq.js';
import * as indicators from './views/indicators.js';

const routes = {
  // HQ's computer opens on the HQ desk; a laptop on its figures and sessions.
  home: async (view, params, ctx) => ((await ctx.api.hqStatus()).is_hq ? hqDesk.render(view, ctx) : home.render(view, params, ctx)),
  hq: (view, params, ctx) => hqDesk.render(view, ctx),
  sessions: (view, params, ctx) =>
    params[0] === 'new' ? sessions.renderForm(view, null, ctx)
      : params[1] === 'edit' ? sessions.renderForm(view, params[0], ctx)
        : params[0] ? session.render(view, params[0], ctx)
          : sessions.render(view, ctx),
  people: (view, params, ctx) =>
    params[0] === 'new' ? people.renderForm(view, null, ctx)
      : params[1] === 'edit' ? people.renderForm(view, params[0], ctx)
        : params[0] ? people.renderDetail(view, params[0], ctx)
          : people.render(view, ctx),
  plans: (view, params, ctx) => plans.render(view, ctx),
  settings: (view, params, ctx) => settings.render(view, ctx),
  sync: (view, params, ctx) => (params[0] === 'duplicates' ? duplicates.render(view, ctx) : sync.render(view, ctx)),
  report: (view, params, ctx) => (params[0] === 'indicators' ? indicators.render(view, ctx) : report.render(view, ctx)),
  print: (view, params, ctx) => print.render(view, params[0], ctx),
  about: (view, params, ctx) => about.render(view, ctx),
};

const view = document.getElementById('view');
let info = null;
let shownHash = '';
/** The lock screen's state while the database is locked (null once open). */
let locked = null;
/** A language chosen on the lock screen: it becomes the database's setting once open. */
let chosenWhileLocked = null;

const ctx = {
  api,
  get info() {
    return info;
  },
  navigate(hash) {
    if (location.hash === hash) show();
    else location.hash = hash;
  },
  refresh: () => show(),
  async reloadInfo() {
    info = await api.appInfo();
  },
};

async function show() {
  shownHash = location.hash;
  const [name, ...params] = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const route = routes[name] ? name : 'home';
  for (const link of document.querySelectorAll('#nav a, .top a.about-link')) {
    if (link.dataset.route === route) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    await routes[route](view, params, ctx);
  } catch (error) {
    const box = el('div', { class: 'form-error' });
    clear(view, box);
    showError(view, error);
  }
  view.querySelector('h1')?.setAttribute('tabindex', '-1');
  announceUnsaved();
  // Marks the screen as drawn (the end-to-end tests wait for it).
  document.body.dataset.shown = location.hash;
}

/** Asks before throwing away unsaved input; true when there is none or the person agrees. */
function mayLeave() {
  if (!hasUnsavedChanges()) return Promise.resolve(true);
  return confirmDialog({
    title: t('unsaved.title'),
    body: t('unsaved.body'),
    confirm: t('unsaved.leave'),
    cancel: t('unsaved.stay'),
    danger: true,
  });
}

async function onHashChange() {
  if (locked || location.hash === shownHash) return;
  if (hasUnsavedChanges()) {
    const target = location.hash;
    history.replaceState(null, '', shownHash);
    if (!(await mayLeave())) return;
    for (const form of document.querySelectorAll('form[data-dirty]')) delete form.dataset.dirty;
    history.replaceState(null, '', target);
  }
  await show();
  view.querySelector('h1')?.focus();
}

async function setLanguage(lang) {
  if (!(await mayLeave())) return;
  if (info?.initialized) await api.setSetting('language', lang);
  await load(lang);
  markLanguage(lang);
  translate();
  remember(lang);
  if (locked) chosenWhileLocked = lang;
  if (locked) unlock.render(view, locked, opened);
  else if (info?.initialized) await show();
  else firstStart.render(view, ctx, started);
}

/** The language of the lock screen: the last one used here (the database keeps the setting, but
 * it is still locked). */
function remember(lang) {
  try { localStorage.setItem('palabre.language', lang); } catch { /* private mode */ }
}
function remembered() {
  try { return localStorage.getItem('palabre.language') || 'fr'; } catch { return 'fr'; }
}

function markLanguage(lang) {
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
  }
}

async function started() {
  await ctx.reloadInfo();
  document.body.classList.remove('first-start');
  if (!location.hash || location.hash === '#/') history.replaceState(null, '', '#/home');
  await show();
}

/** The shell hears whether a form holds unsaved input: closing the window then asks. */
document.addEventListener('palabre:unsaved', (event) => {
  api.setUnsaved(event.detail).catch(() => {});
});

/**
 * Called by the shell when the window is asked to close while a form holds unsaved input: the
 * same question as leaving the page; the window closes only if the person agrees.
 */
/** Files dropped on the window (src-tauri/src/lib.rs passes their paths): a session's page
 * attaches them (views/evidence.js); anywhere else, the person is told where to drop them. */
window.palabreDropElsewhere = () => toast(t('evidence.drop_here'));
window.palabreDropped = window.palabreDropElsewhere;

window.palabreCloseRequested = async () => {
  if (await mayLeave()) await api.closeWindow();
};

/** Esc leaves a form (its Cancel button), unless a dialog is open. */
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || !document.getElementById('modal').hidden) return;
  const form = event.target.closest?.('form');
  const cancel = form?.querySelector('[data-action="cancel"]');
  if (cancel) {
    event.preventDefault();
    cancel.click();
  }
});

/** After the lock screen: the app as it starts on an open database. */
async function opened() {
  locked = null;
  delete document.body.dataset.shown;
  document.body.classList.remove('locked');
  document.body.classList.remove('first-start');
  await opening();
}

async function opening() {
  info = await api.appInfo().catch((error) => ({ initialized: false, language: remembered(), error }));
  if (chosenWhileLocked && info.initialized && info.language !== chosenWhileLocked) {
    await api.setSetting('language', chosenWhileLocked).catch(() => {});
    info.language = chosenWhileLocked;
  }
  chosenWhileLocked = null;
  await load(info.language || 'fr');
  markLanguage(info.language || 'fr');
  translate();
  remember(info.language || 'fr');
  if (info.error) {
    clear(view, el('h1', { i18n: 'app.cannot_open' }), el('div', { class: 'form-error' }));
    showError(view, info.error);
  } else if (!info.initialized) {
    document.body.classList.add('first-start');
    firstStart.render(view, ctx, started);
  } else {
    await started();
  }
}

async function start() {
  for (const button of document.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => setLanguage(button.dataset.lang));
  }
  window.addEventListener('hashchange', onHashChange);
  const lock = await api.lockState().catch((error) => ({ state: 'locked', refused: error, min_passphrase: 8 }));
  if (lock.state === 'open') {
    await opening();
    return;
  }
  locked = lock;
  await load(remembered());
  markLanguage(remembered());
  translate();
  document.body.classList.add('first-start', 'locked');
  unlock.render(view, lock, opened);
  // Marks the screen as drawn (the end-to-end tests wait for it).
  document.body.dataset.shown = '#/unlock';
}

start();
