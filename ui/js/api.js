// The one place that talks to the core. Every call goes through `call`, which turns any failure
// into the core's `{code, message, field}` shape so that views switch on `code` only.

const invoke = (...args) => window.__TAURI__.core.invoke(...args);

async function call(command, args = {}) {
  try {
    return await invoke(command, args);
  } catch (failure) {
    if (failure && typeof failure === 'object' && 'code' in failure) throw failure;
    throw { code: 'unknown', message: String(failure), field: null, details: null };
  }
}

/** The system's file dialogs (Tauri's dialog plugin); resolve to null when cancelled. */
export const files = {
  save: (options) => window.__TAURI__.dialog.save(options),
  open: (options) => window.__TAURI__.dialog.open(options),
};

export const api = {
  lockState: () => call('lock_state'),
  unlock: (passphrase, again = null) => call('unlock', { passphrase, again }),
  recover: (file, code, passphrase, again) => call('recover', { file, code, passphrase, again }),
  writeRecoveryRequest: (dir) => call('write_recovery_request', { dir }),
  changePassphrase: (current, passphrase, again) => call('change_passphrase', { current, passphrase, again }),
  protection: () => call('protection'),
  answerRecovery: (request, dir) => call('answer_recovery', { request, dir }),
  appInfo: () => call('app_info'),
  setupDevice: (deviceName, facilitator) => call('setup_device', { deviceName, facilitator }),
  setupHq: (deviceName, facilitator, programme, dir) => call('setup_hq', { deviceName, facilitator, programme, dir }),
  joinServer: (url, dir) => call('join_server', { url, dir }),
  hqMigrate: (url) => call('hq_migrate', { url }),
  openDemo: () => call('open_demo'),
  overview: () => call('overview'),

  listSessions: (filter) => call('list_sessions', { filter }),
  getSession: (id) => call('get_session', { id }),
  addSession: (input) => call('add_session', { input }),
  editSession: (id, input) => call('edit_session', { id, input }),
  deleteSession: (id) => call('delete_session', { id }),

  listPeople: (offset, limit) => call('list_people', { offset, limit }),
  findPeople: (query, limit) => call('find_people', { query, limit }),
  peopleNamedLike: (name, limit) => call('people_named_like', { name, limit }),
  getPerson: (id) => call('get_person', { id }),
  addPerson: (input) => call('add_person', { input }),
  editPerson: (id, input) => call('edit_person', { id, input }),
  deletePerson: (id) => call('delete_person', { id }),
  erasePerson: (id) => call('erase_person', { id }),
  personSheets: (id) => call('person_sheets', { id }),

  attend: (session, people) => call('attend', { session, people }),
  unattend: (session, person) => call('unattend', { session, person }),
  setPresent: (session, person, present) => call('set_present', { session, person, present }),

  listPlans: (session = null) => call('list_plans', { session }),
  addPlan: (input) => call('add_plan', { input }),
  addItem: (plan, input) => call('add_item', { plan, input }),
  setItemStatus: (item, status) => call('set_item_status', { item, status }),

  attachEvidence: (session, page, path) => call('attach_evidence', { session, page, path }),
  evidenceFilesIn: (dir) => call('evidence_files_in', { dir }),
  sessionEvidence: (session) => call('session_evidence', { session }),
  evidencePicture: (id, full = false) => call('evidence_picture', { id, full }),
  saveEvidence: (id, path) => call('save_evidence', { id, path }),
  removeEvidence: (id) => call('remove_evidence', { id }),

  nextBundleName: () => call('next_bundle_name'),
  exportBundle: (path, passphrase = null, capMb = null) => call('export_bundle', { path, passphrase, capMb }),
  /** Imports files in order; `onStep({done, total, outcome})` after each. Resolves to {outcomes, stopped}. */
  importBundles: (paths, passphrase, onStep) => {
    const onProgress = new window.__TAURI__.core.Channel();
    onProgress.onmessage = onStep;
    return call('import_bundles', { paths, passphrase, onProgress });
  },
  stopImport: () => call('stop_import'),
  listDevices: () => call('list_devices'),
  trustDevice: (fingerprint) => call('trust_device', { fingerprint }),
  listConflicts: () => call('list_conflicts'),
  listOrphans: () => call('list_orphans'),
  findDuplicates: (limit) => call('find_duplicates', { limit }),
  mergePeople: (keep, duplicate, take) => call('merge_people', { keep, duplicate, take }),
  unmergePerson: (duplicate) => call('unmerge_person', { duplicate }),
  markDistinct: (a, b) => call('mark_distinct', { a, b }),
  mergeHistory: () => call('merge_history'),
  hqStatus: () => call('hq_status'),
  hqAck: (dir, fingerprint = null, perDevice = false) => call('hq_ack', { dir, fingerprint, perDevice }),
  hqRegistry: (device, scope, dir) => call('hq_registry', { device, scope, dir }),
  hqLost: (device) => call('hq_lost', { device }),
  hqFound: (device) => call('hq_found', { device }),
  hqRestore: (device, replaces, scope, dir) => call('hq_restore', { device, replaces, scope, dir }),
  heldBundles: () => call('held_bundles'),
  releaseHeldBundle: (bundle) => call('release_held_bundle', { bundle }),
  bundleFilesIn: (dir) => call('bundle_files_in', { dir }),
  enrollWithHq: (path) => call('enroll_with_hq', { path }),
  listBackups: () => call('list_backups'),
  backupNow: (path) => call('backup_now', { path }),
  restoreBackup: (path) => call('restore_backup', { path }),
  about: () => call('about'),
  saveDiagnostics: (path) => call('save_diagnostics', { path }),
  resolveConflict: (entity, row, field, value) => call('resolve_conflict', { entity, row, field, value }),

  report: (from, to, lang, place) => call('report', { from, to, lang, place }),
  exportReportXlsx: (path, from, to, lang, names, place) => call('export_report_xlsx', { path, from, to, lang, names, place }),
  exportReportCsv: (dir, from, to, lang, excelFr, names, place) => call('export_report_csv', { dir, from, to, lang, excelFr, names, place }),
  exportReportPdf: (path, from, to, lang, place) => call('export_report_pdf', { path, from, to, lang, place }),
  exportIati: (path, from, to, lang, place) => call('export_iati', { path, from, to, lang, place }),
  progress: (from, to, lang, place) => call('progress', { from, to, lang, place }),
  indicators: () => call('indicators'),
  saveIndicator: (input) => call('save_indicator', { input }),
  setIndicatorTarget: (code, period, value) => call('set_indicator_target', { code, period, value }),
  removeIndicator: (code) => call('remove_indicator', { code }),

  saveAttendanceSheet: (session, lang, blankRows, path) => call('save_attendance_sheet', { session, lang, blankRows, path }),
  openInViewer: (path) => call('open_in_viewer', { path }),

  setSetting: (setting, value) => call('set_setting', { setting, value }),
  setUnsaved: (unsaved) => call('set_unsaved', { unsaved }),
  closeWindow: () => call('close_window'),
  renameDevice: (name) => call('rename_device', { name }),
};
