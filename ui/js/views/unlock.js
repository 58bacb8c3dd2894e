// The lock screen, before anything else: the database and its backups are encrypted, and their
// key opens with the passphrase chosen at set-up. A new database (or one an earlier Palabre left
// unencrypted) asks for a passphrase twice; a locked one for the passphrase, with the way back
// through HQ when it is forgotten.

import { api, files } from '../api.js';
import { el, clear, field, showError, clearErrors, toast, foldedForm } from '../dom.js';
import { t } from '../i18n.js';

function password(name, id, autocomplete) {
  return el('input', { type: 'password', name, id, autocomplete, spellcheck: false });
}

export function render(view, lock, unlocked) {
  if (lock.refused) {
    clear(view, el('h1', { i18n: 'app.cannot_open' }), el('div', { class: 'form-error' }));
    showError(view, lock.refused);
    return;
  }
  const choosing = lock.state !== 'locked';
  const passphrase = password('passphrase', 'passphrase', choosing ? 'new-password' : 'current-password');
  const again = choosing ? password('passphrase_again', 'passphrase-again', 'new-password') : null;
  const submit = el('button', { type: 'submit', class: 'primary', id: 'unlock',
    i18n: choosing ? 'lock.protect' : 'lock.unlock' });
  const form = el('form', { class: 'card narrow', id: 'unlock-form', novalidate: true },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'passphrase', label: 'lock.passphrase', input: passphrase }),
    choosing ? el('p', { class: 'hint', id: 'passphrase-hint' }, t('lock.choose_hint', { min: lock.min_passphrase })) : null,
    again ? field({ field: 'passphrase_again', label: 'lock.passphrase_again', input: again }) : null,
    el('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    submit.disabled = true;
    submit.textContent = t(choosing && lock.state === 'plain' ? 'lock.encrypting' : 'lock.opening');
    try {
      await api.unlock(passphrase.value, again ? again.value : null);
      passphrase.value = '';
      if (again) again.value = '';
      await unlocked();
    } catch (error) {
      submit.disabled = false;
      submit.textContent = t(choosing ? 'lock.protect' : 'lock.unlock');
      showError(form, error);
      passphrase.select();
    }
  });
  clear(view,
    el('h1', { i18n: choosing ? (lock.state === 'plain' ? 'lock.plain_title' : 'lock.new_title') : 'lock.title' }),
    el('p', { class: 'lead', i18n: choosing ? (lock.state === 'plain' ? 'lock.plain_intro' : 'lock.new_intro') : 'lock.intro' }),
    form,
    choosing ? null : forgotten(view, unlocked));
  passphrase.focus();
}

/** A forgotten passphrase: the request for HQ, then HQ's recovery file with its code. */
function forgotten(view, unlocked) {
  const request = el('button', { type: 'button', class: 'secondary', id: 'recovery-request', i18n: 'lock.request' });
  const box = el('div', { class: 'card narrow', id: 'forgotten' },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('p', { class: 'hint', i18n: 'lock.request_help' }),
    request);
  request.addEventListener('click', async () => {
    const dir = await files.open({ directory: true, multiple: false });
    if (!dir) return;
    clearErrors(box);
    try {
      const path = await api.writeRecoveryRequest(dir);
      toast(t('lock.request_written', { path }));
    } catch (error) {
      showError(box, error);
    }
  });
  let file = null;
  const chosen = el('span', { class: 'hint', id: 'recovery-file-name' });
  const pick = el('button', { type: 'button', class: 'secondary', id: 'recovery-file', i18n: 'lock.pick_recovery' });
  pick.addEventListener('click', async () => {
    const path = await files.open({ multiple: false, filters: [{ name: t('lock.recovery_files'), extensions: ['palabre-recovery'] }] });
    if (!path) return;
    file = path;
    chosen.textContent = path;
  });
  const code = el('input', { type: 'text', name: 'code', id: 'recovery-code', autocomplete: 'off', spellcheck: false });
  const next = password('passphrase', 'new-passphrase', 'new-password');
  const nextAgain = password('passphrase_again', 'new-passphrase-again', 'new-password');
  const recover = el('form', { id: 'recover-form', novalidate: true },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('p', { class: 'hint', i18n: 'lock.recover_help' }),
    el('div', { class: 'field' }, pick, ' ', chosen),
    field({ field: 'code', label: 'lock.code', input: code }),
    field({ field: 'passphrase', label: 'lock.new_passphrase', input: next }),
    field({ field: 'passphrase_again', label: 'lock.passphrase_again', input: nextAgain }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'recover', i18n: 'lock.recover' })));
  recover.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(recover);
    if (!file) {
      showError(recover, { code: 'no_recovery_file', message: '', field: null, details: null });
      return;
    }
    const submit = recover.querySelector('#recover');
    submit.disabled = true;
    try {
      await api.recover(file, code.value, next.value, nextAgain.value);
      toast(t('lock.recovered'));
      await unlocked();
    } catch (error) {
      submit.disabled = false;
      showError(recover, error);
    }
  });
  return el('section', {},
    el('h2', { i18n: 'lock.forgotten' }),
    box,
    foldedForm(el('summary', { i18n: 'lock.have_recovery' }), recover, 'recover-fold'));
}
