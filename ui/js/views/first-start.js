// First start: name this laptop and its facilitator, open the demo programme, or make this
// computer the programme's HQ (its keys, then backing them up and the fingerprint to read out).

import { api, files } from '../api.js';
import { el, clear, field, textInput, showError, clearErrors, trackDirty, markClean } from '../dom.js';
import { t } from '../i18n.js';

export function render(view, ctx, started) {
  const deviceName = textInput('device_name', '', { required: true, autofocus: true });
  const facilitator = textInput('facilitator', ctx.info?.facilitator ?? '', { required: true });
  const form = trackDirty(el('form', { class: 'card narrow', novalidate: true },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'device name', label: 'first.device_name', input: deviceName, hint: 'first.device_hint' }),
    field({ field: 'facilitator', label: 'first.facilitator', input: facilitator }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', i18n: 'first.start' }))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await api.setupDevice(deviceName.value, facilitator.value);
      markClean(form);
      await started();
    } catch (error) {
      showError(form, error);
    }
  });
  const demo = el('button', { type: 'button', class: 'secondary', id: 'open-demo', i18n: 'first.demo' });
  demo.addEventListener('click', async () => {
    demo.disabled = true;
    try {
      await api.openDemo();
      markClean(form);
      await started();
    } catch (error) {
      demo.disabled = false;
      showError(form, error);
    }
  });
  const hq = el('button', { type: 'button', class: 'secondary', id: 'become-hq', i18n: 'first.hq' });
  hq.addEventListener('click', () => renderHq(view, ctx, started));
  const join = el('button', { type: 'button', class: 'secondary', id: 'join-server', i18n: 'first.join' });
  join.addEventListener('click', () => renderJoin(view, ctx, started));
  clear(view, 
    el('h1', { i18n: 'first.title' }),
    el('p', { class: 'lead', i18n: 'first.intro' }),
    form,
    el('p', { class: 'or', i18n: 'first.or' }),
    el('div', { class: 'card narrow' }, demo, el('p', { class: 'hint', i18n: 'first.demo_hint' })),
    el('div', { class: 'card narrow' }, hq, el('p', { class: 'hint', i18n: 'first.hq_hint' })),
    el('div', { class: 'card narrow' }, join, el('p', { class: 'hint', i18n: 'first.join_hint' })),
  );
  deviceName.focus();
}

/** A folder chosen with the system's dialog (`#<id>-pick-dir`), shown once chosen (`#<id>-dir`). */
function folderPicker(id, label, help) {
  const picker = { dir: null, node: null };
  const chosen = el('code', { id: `${id}-dir` });
  const pick = el('button', { type: 'button', class: 'secondary', id: `${id}-pick-dir`, i18n: label });
  pick.addEventListener('click', async () => {
    const picked = await files.open({ directory: true, multiple: false });
    if (!picked) return;
    picker.dir = picked;
    chosen.textContent = picked;
  });
  picker.node = el('div', { class: 'field' }, el('p', { class: 'hint', i18n: help }), pick, ' ', chosen);
  /** Says so on `form` when no folder is chosen yet. */
  picker.missing = (form) => {
    if (!picker.dir) showError(form, { code: 'no_hq_folder', message: '', field: null, details: null });
    return !picker.dir;
  };
  return picker;
}

/** A set-up form's buttons: back to the first screen (`cancel`), and its own. */
function footer(submitId, submitLabel, cancel) {
  return el('div', { class: 'actions' },
    el('button', { type: 'button', class: 'secondary', i18n: 'common.cancel', dataset: { action: 'cancel' }, on: { click: cancel } }),
    el('button', { type: 'submit', class: 'primary', id: submitId, i18n: submitLabel }));
}

/** HQ's set-up: the computer, the officer, the programme and the folder of HQ's keys. */
function renderHq(view, ctx, started) {
  const deviceName = textInput('device_name', '', { required: true, id: 'hq-device-name' });
  const officer = textInput('facilitator', '', { required: true, id: 'hq-officer' });
  const programme = textInput('programme', '', { required: true, id: 'hq-programme' });
  const folder = folderPicker('hq', 'first.hq_pick', 'first.hq_dir_help');
  const form = trackDirty(el('form', { class: 'card narrow', id: 'hq-form', novalidate: true },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'device name', label: 'first.hq_device_name', input: deviceName }),
    field({ field: 'facilitator', label: 'first.hq_officer', input: officer }),
    field({ field: 'programme', label: 'first.hq_programme', input: programme }),
    folder.node,
    footer('hq-create', 'first.hq_create', () => { markClean(form); render(view, ctx, started); })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (folder.missing(form)) return;
    try {
      const keys = await api.setupHq(deviceName.value, officer.value, programme.value, folder.dir);
      markClean(form);
      renderHqReady(view, keys, started);
    } catch (error) {
      showError(form, error);
    }
  });
  clear(view,
    el('h1', { i18n: 'first.hq_title' }),
    el('p', { class: 'lead', i18n: 'first.hq_intro' }),
    form);
  deviceName.focus();
}

/** A second officer's desk of an HQ held by a PostgreSQL server: its address and HQ's keys. */
function renderJoin(view, ctx, started) {
  const url = textInput('server', '', { required: true, id: 'server-url', placeholder: 'postgres://agent@serveur/palabre' });
  const folder = folderPicker('join', 'first.join_pick', 'first.join_dir_help');
  const form = trackDirty(el('form', { class: 'card narrow', id: 'join-form', novalidate: true },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'server', label: 'first.join_url', input: url, hint: 'first.join_url_hint' }),
    folder.node,
    footer('join-go', 'first.join_go', () => { markClean(form); render(view, ctx, started); })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (folder.missing(form)) return;
    const go = form.querySelector('#join-go');
    go.disabled = true;
    try {
      await api.joinServer(url.value, folder.dir);
      markClean(form);
      await started();
    } catch (error) {
      go.disabled = false;
      showError(form, error);
    }
  });
  clear(view,
    el('h1', { i18n: 'first.join_title' }),
    el('p', { class: 'lead', i18n: 'first.join_intro' }),
    form);
  url.focus();
}

/** HQ is made: back the keys up on two sticks, and read the fingerprint to the facilitators. */
function renderHqReady(view, keys, started) {
  const done = el('input', { type: 'checkbox', id: 'hq-backed-up' });
  const go = el('button', { type: 'button', class: 'primary', id: 'hq-continue', i18n: 'first.hq_continue', disabled: true });
  done.addEventListener('change', () => { go.disabled = !done.checked; });
  go.addEventListener('click', () => started());
  clear(view,
    el('h1', { i18n: 'first.hq_ready' }),
    el('section', { class: 'card narrow' },
      el('h2', { i18n: 'first.hq_backup_title' }),
      el('p', {}, t('first.hq_backup_where', { dir: keys.dir })),
      el('p', { i18n: 'first.hq_backup_two' }),
      el('p', { class: 'warning', i18n: 'first.hq_backup_lost' }),
      el('div', { class: 'field check' }, el('label', {}, done, el('span', { i18n: 'first.hq_backed_up' })))),
    el('section', { class: 'card narrow' },
      el('h2', { i18n: 'first.hq_fingerprint_title' }),
      el('p', {}, el('code', { id: 'hq-fingerprint-shown', class: 'fingerprint' }, keys.fingerprint)),
      el('p', { class: 'hint' }, t('first.hq_fingerprint_help', { file: keys.enrollment }))),
    el('div', { class: 'actions' }, go));
}
