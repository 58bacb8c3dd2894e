// Settings: language, facilitator, this computer's name and fingerprint.

import { el, clear, field, textInput, select, showError, clearErrors, trackDirty, markClean, toast, confirmDialog, foldedForm } from '../dom.js';
import { t, currentLanguage, formatDate, number } from '../i18n.js';
import { api, files } from '../api.js';

function savingForm(id, input, fieldName, label, save) {
  const form = trackDirty(el('form', { novalidate: true, class: 'inline', id },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: fieldName, label, input }),
    el('button', { type: 'submit', class: 'primary', i18n: 'common.save' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await save(input.value);
      markClean(form);
      toast(t('common.saved'));
    } catch (error) {
      showError(form, error);
    }
  });
  return form;
}

/** Enrol with HQ: pick HQ's enrollment file, then read the fingerprint to HQ by phone. */
function hqSection(hq, view, ctx) {
  const enrol = el('button', { type: 'button', class: hq.enrollment ? 'secondary' : 'primary', id: 'enrol-hq', i18n: 'hq.enrol', on: {
    click: async () => {
      const path = await files.open({ multiple: false, filters: [{ name: t('hq.enrollment_files'), extensions: ['palabre-hq'] }] });
      if (!path) return;
      try {
        const enrolled = await ctx.api.enrollWithHq(path);
        toast(t('hq.enrolled_done', { fingerprint: enrolled.hq_fingerprint }));
        await render(view, ctx);
      } catch (error) {
        showError(section, error);
      }
    },
  } });
  const section = el('section', { class: 'card', id: 'hq-section' },
    el('h2', { i18n: 'hq.title' }),
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    hq.is_hq ? el('p', { id: 'hq-self', i18n: 'hq.this_is_hq' }) : null,
    hq.is_hq ? null : hq.enrollment
      ? el('dl', { class: 'meta-list' },
        el('dt', { i18n: 'hq.programme' }), el('dd', {}, hq.enrollment.programme),
        el('dt', { i18n: 'hq.fingerprint' }),
        el('dd', {}, el('code', { id: 'hq-fingerprint', class: 'fingerprint' }, hq.enrollment.hq_fingerprint),
          el('p', { class: 'hint', i18n: 'hq.fingerprint_hint' })))
      : el('p', { class: 'warning', i18n: 'hq.not_enrolled' }),
    hq.enrollment || hq.is_hq ? null : el('p', { class: 'hint', i18n: 'hq.enrol_help' }),
    hq.enrollment || hq.is_hq ? null : enrol);
  return section;
}

/** How the data is protected, and changing the passphrase. */
/** HQ's database server: where this HQ is held, or moving it to one (issue 23). */
function serverSection(hq, view, ctx) {
  if (hq.server) {
    return el('section', { class: 'card', id: 'server-section' },
      el('h2', { i18n: 'server.title' }),
      el('p', { id: 'server-shown' }, t('server.held_by', { server: hq.server })),
      el('p', { class: 'hint', i18n: 'server.desk_help' }));
  }
  const url = textInput('server', '', { id: 'migrate-url', placeholder: 'postgres://agent@serveur/palabre' });
  const go = el('button', { type: 'submit', class: 'secondary', id: 'migrate-go', i18n: 'server.migrate' });
  const form = el('form', { id: 'migrate-form', novalidate: true },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'server', label: 'server.url', input: url, hint: 'server.url_hint' }),
    el('div', { class: 'actions' }, go));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const sure = await confirmDialog({
      title: t('server.migrate_confirm_title'),
      body: t('server.migrate_confirm'),
      confirm: t('server.migrate'),
      cancel: t('common.cancel'),
    });
    if (!sure) return;
    go.disabled = true;
    try {
      const moved = await api.hqMigrate(url.value);
      toast(t('server.migrated', { server: moved.server, rows: moved.rows }));
      await render(view, ctx);
    } catch (error) {
      go.disabled = false;
      showError(form, error);
    }
  });
  return el('section', { class: 'card', id: 'server-section' },
    el('h2', { i18n: 'server.title' }),
    el('p', { class: 'hint', i18n: 'server.migrate_help' }),
    form);
}

function protectionSection(protection) {
  const current = el('input', { type: 'password', name: 'current', id: 'current-passphrase', autocomplete: 'current-password' });
  const next = el('input', { type: 'password', name: 'passphrase', id: 'changed-passphrase', autocomplete: 'new-password' });
  const again = el('input', { type: 'password', name: 'passphrase_again', id: 'changed-passphrase-again', autocomplete: 'new-password' });
  const form = el('form', { id: 'passphrase-form', novalidate: true },
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    field({ field: 'current', label: 'protection.current', input: current }),
    field({ field: 'passphrase', label: 'protection.new', input: next }),
    field({ field: 'passphrase_again', label: 'lock.passphrase_again', input: again }),
    el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', id: 'change-passphrase', i18n: 'protection.change' })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    try {
      await api.changePassphrase(current.value, next.value, again.value);
      for (const input of [current, next, again]) input.value = '';
      toast(t('protection.changed'));
    } catch (error) {
      // A wrong current passphrase is said at its field.
      showError(form, error.code === 'wrong_passphrase' ? { ...error, field: 'current' } : error);
    }
  });
  return el('section', { class: 'card', id: 'protection' },
    el('h2', { i18n: 'protection.title' }),
    el('p', { id: 'protection-state', i18n: protection.encrypted ? 'protection.encrypted' : 'protection.plain' }),
    el('p', { id: 'recovery-state', class: protection.recovery_copy ? 'hint' : 'warning',
      i18n: protection.recovery_copy ? 'protection.recovery_yes' : 'protection.recovery_no' }),
    protection.key_file ? el('p', { class: 'hint' }, t('protection.key_file', { path: protection.key_file })) : null,
    foldedForm(el('summary', { i18n: 'protection.change' }), form, 'passphrase-fold'));
}

/** At HQ: a facilitator's forgotten passphrase. */
function recoverySection(view) {
  const answer = el('button', { type: 'button', class: 'secondary', id: 'answer-recovery', i18n: 'hq.recovery_pick' });
  const result = el('div', { id: 'recovery-answer' });
  const section = el('section', { class: 'card', id: 'hq-recovery' },
    el('h2', { i18n: 'hq.recovery_title' }),
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('p', { class: 'hint', i18n: 'hq.recovery_help' }),
    answer, result);
  answer.addEventListener('click', async () => {
    const request = await files.open({ multiple: false, filters: [{ name: t('hq.recovery_requests'), extensions: ['palabre-recovery-request'] }] });
    if (!request) return;
    const dir = await files.open({ directory: true, multiple: false });
    if (!dir) return;
    clearErrors(section);
    try {
      const made = await api.answerRecovery(request, dir);
      clear(result,
        el('p', {}, t('hq.recovery_written', { path: made.path })),
        el('p', { i18n: 'hq.recovery_code' }),
        el('p', {}, el('code', { id: 'recovery-code-shown', class: 'fingerprint' }, made.code)));
    } catch (error) {
      showError(section, error);
    }
  });
  return section;
}

/** The automatic backups, a manual one, and restoring one (after a confirmation). */
function backupSection(backups, view, ctx) {
  const restore = async (path, label) => {
    const sure = await confirmDialog({
      title: t('backup.restore_title'), body: t('backup.restore_body', { name: label }),
      confirm: t('backup.restore'), cancel: t('common.cancel'), danger: true,
    });
    if (!sure) return;
    try {
      await ctx.api.restoreBackup(path);
      toast(t('backup.restored', { name: label }));
      await render(view, ctx);
    } catch (error) {
      showError(section, error);
    }
  };
  const rows = backups.map((b) => el('tr', { dataset: { backup: b.file_name } },
    el('td', {}, formatDate(b.created_at), ' ', b.created_at.slice(11, 16)),
    el('td', {}, t(`backup.reason_${b.reason.startsWith('migration') ? 'migration' : b.reason}`)),
    el('td', { class: 'nowrap' }, t('backup.size', { kb: number(Math.ceil(b.bytes / 1024)) })),
    el('td', {}, el('button', { type: 'button', class: 'small secondary', i18n: 'backup.restore',
      on: { click: () => restore(b.path, `${formatDate(b.created_at)} ${b.created_at.slice(11, 16)}`) } }))));
  const now = el('button', { type: 'button', class: 'secondary', id: 'backup-now', i18n: 'backup.now', on: {
    click: async () => {
      const path = await files.save({ defaultPath: `palabre-${new Date().toISOString().slice(0, 10)}.db`, filters: [{ name: t('backup.files'), extensions: ['db'] }] });
      if (!path) return;
      try {
        await ctx.api.backupNow(path);
        toast(t('backup.saved', { path }));
      } catch (error) {
        showError(section, error);
      }
    },
  } });
  const fromFile = el('button', { type: 'button', class: 'secondary', id: 'restore-file', i18n: 'backup.restore_file', on: {
    click: async () => {
      const path = await files.open({ multiple: false, filters: [{ name: t('backup.files'), extensions: ['db'] }] });
      if (path) await restore(path, String(path).split(/[\\/]/).pop());
    },
  } });
  const section = el('section', { class: 'card', id: 'backups' },
    el('h2', { i18n: 'backup.title' }),
    el('p', { class: 'form-error', hidden: true, role: 'alert' }),
    el('p', { class: 'hint', i18n: 'backup.help' }),
    backups.length
      ? el('table', { class: 'data', id: 'backup-list' }, el('tbody', {}, ...rows))
      : el('p', { class: 'empty', i18n: 'backup.none' }),
    el('div', { class: 'actions' }, now, fromFile));
  return section;
}

export async function render(view, ctx) {
  await ctx.reloadInfo();
  const info = ctx.info;
  const [hq, backups, protection] = await Promise.all([ctx.api.hqStatus(), ctx.api.listBackups(), ctx.api.protection()]);
  const language = select('language', [['fr', 'Français'], ['en', 'English']], currentLanguage(), { id: 'language-select' });
  language.addEventListener('change', () => document.querySelector(`[data-lang="${language.value}"]`).click());
  clear(view, 
    el('h1', { i18n: 'settings.title' }),
    el('section', { class: 'card' },
      field({ field: 'language', label: 'settings.language', input: language }),
      savingForm('facilitator-form', textInput('facilitator', info.facilitator), 'facilitator', 'settings.facilitator',
        (value) => ctx.api.setSetting('facilitator', value)),
      savingForm('device-form', textInput('device_name', info.device?.name ?? ''), 'device name', 'settings.device_name',
        (value) => ctx.api.renameDevice(value))),
    el('section', { class: 'card' },
      el('dl', { class: 'meta-list' },
        el('dt', { i18n: 'settings.fingerprint' }),
        el('dd', {}, el('code', { id: 'fingerprint', class: 'fingerprint' }, info.device?.fingerprint ?? ''),
          el('p', { class: 'hint', i18n: 'settings.fingerprint_hint' })),
        el('dt', { i18n: 'settings.database' }), el('dd', {}, el('code', {}, info.database ?? '')),
        el('dt', { i18n: 'settings.version' }), el('dd', {}, info.version))),
    protectionSection(protection),
    hqSection(hq, view, ctx),
    hq.is_hq ? el('section', { class: 'card', id: 'iati-settings' },
      el('h2', { i18n: 'settings.iati_title' }),
      el('p', { class: 'hint', i18n: 'settings.iati_hint' }),
      savingForm('iati-org-form', textInput('iati_org', info.iati_org, { id: 'iati-org' }), 'iati_org', 'settings.iati_org',
        (value) => ctx.api.setSetting('iati_org', value)),
      savingForm('iati-activity-form', textInput('iati_activity', info.iati_activity, { id: 'iati-activity' }), 'iati_activity',
        'settings.iati_activity', (value) => ctx.api.setSetting('iati_activity', value))) : null,
    hq.is_hq ? serverSection(hq, view, ctx) : null,
    hq.is_hq ? recoverySection(view) : null,
    backupSection(backups, view, ctx));
}
