//! The window's commands: each is one delegating line into the core (`palabre::Palabre`). No SQL
//! and no rule lives here. This file is the one list of commands: build.rs derives the handler
//! and Tauri's permissions from it, and a test checks capabilities/main.json and ui/js/api.js
//! against it.

use palabre::{
    AckWritten, DownlinkWritten, Evidence, EvidenceId, Filing, HeldBundle, HqKeys, Imported,
    LostMarked, Migrated, Palabre, Protection, RecoveryMade, Scope,
};
use palabre::{
    ActionItem, AppInfo, AttendanceId, Backup, Candidates, Conflict, CsvFlavour, Decision,
    DemoSummary, Device, DeviceStatus, Enrollment, Entity, Exported, HqStatus, ImportOutcome,
    ItemId, ItemInput, Lang, Merged, NamedList, Orphan, Overview, PeopleFound, PeoplePage, Period,
    Person, PersonDetail, PersonId, PersonInput, PlanId, PlanInput, Report, Restored, Session,
    SessionDetail, SessionFilter, SessionId, SessionInput, SetUp, Setting, Trusted, Unmerged,
};
use serde_json::Value;
use std::path::PathBuf;
use tauri::State;
use uuid::Uuid;

use crate::error::UiResult;
use crate::state::{AppState, LockState};

/// Whether the database is new, plain (an earlier Palabre's), locked or open: the first thing
/// the window asks.
#[tauri::command(async)]
pub fn lock_state(state: State<'_, AppState>) -> LockState {
    state.lock_state()
}

/// Opens the database with its passphrase (creating or encrypting it with the one chosen, for a
/// new or plain database), then makes the daily backup off the window's path.
#[tauri::command(async)]
pub fn unlock<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    passphrase: String,
    again: Option<String>,
) -> UiResult<()> {
    if again.is_some_and(|again| again != passphrase) {
        return Err(palabre::Invalid::PassphraseMismatch.into());
    }
    if let Ok(open) = state.app() {
        // Already open (a second submit): the passphrase must still be the right one.
        return Ok(open.verify_passphrase(&passphrase)?);
    }
    state.unlock_with(|path| Palabre::open(path, &passphrase))?;
    daily_backup(app);
    Ok(())
}

/// Opens the database with HQ's recovery file and code, and sets the new passphrase.
#[tauri::command(async)]
pub fn recover<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    file: PathBuf,
    code: String,
    passphrase: String,
    again: String,
) -> UiResult<()> {
    if again != passphrase {
        return Err(palabre::Invalid::PassphraseMismatch.into());
    }
    state.unlock_with(|path| Palabre::recover(path, &file, &code, &passphrase))?;
    daily_backup(app);
    Ok(())
}

fn daily_backup<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    use tauri::Manager;
    std::thread::spawn(move || app.state::<AppState>().daily_backup());
}

/// Writes the recovery request for HQ into `dir` (works while locked).
#[tauri::command(async)]
pub fn write_recovery_request(state: State<'_, AppState>, dir: PathBuf) -> UiResult<PathBuf> {
    Ok(Palabre::write_recovery_request(state.path(), &dir)?)
}

#[tauri::command(async)]
pub fn change_passphrase(
    state: State<'_, AppState>,
    current: String,
    passphrase: String,
    again: String,
) -> UiResult<Protection> {
    if again != passphrase {
        return Err(palabre::Invalid::PassphraseMismatch.into());
    }
    let app = state.app()?;
    app.change_passphrase(&current, &passphrase)?;
    Ok(app.protection())
}

#[tauri::command(async)]
pub fn protection(state: State<'_, AppState>) -> UiResult<Protection> {
    Ok(state.app()?.protection())
}

/// At HQ: answers a laptop's recovery request; the code is shown once, to be read by phone.
#[tauri::command(async)]
pub fn answer_recovery(
    state: State<'_, AppState>,
    request: PathBuf,
    dir: PathBuf,
) -> UiResult<RecoveryMade> {
    Ok(state.app()?.hq_answer_recovery(&request, &dir)?)
}

#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> UiResult<AppInfo> {
    Ok(state.app()?.info()?)
}

#[tauri::command(async)]
pub fn setup_device(
    state: State<'_, AppState>,
    device_name: String,
    facilitator: String,
) -> UiResult<Device> {
    let facilitator = Some(facilitator);
    Ok(state.app()?.set_up(&SetUp { device_name, facilitator, ..SetUp::default() })?)
}

#[tauri::command(async)]
pub fn open_demo(state: State<'_, AppState>) -> UiResult<DemoSummary> {
    Ok(state.app()?.demo(1)?)
}

#[tauri::command(async)]
pub fn overview(state: State<'_, AppState>) -> UiResult<Overview> {
    Ok(state.app()?.overview()?)
}

#[tauri::command(async)]
pub fn list_sessions(state: State<'_, AppState>, filter: SessionFilter) -> UiResult<Vec<Session>> {
    Ok(state.app()?.sessions(&filter)?)
}

#[tauri::command(async)]
pub fn get_session(state: State<'_, AppState>, id: SessionId) -> UiResult<SessionDetail> {
    Ok(state.app()?.session_detail(id)?)
}

#[tauri::command(async)]
pub fn add_session(state: State<'_, AppState>, input: SessionInput) -> UiResult<SessionId> {
    Ok(state.app()?.add_session(&input)?)
}

#[tauri::command(async)]
pub fn edit_session(
    state: State<'_, AppState>,
    id: SessionId,
    input: SessionInput,
) -> UiResult<Session> {
    Ok(state.app()?.edit_session(id, &input)?)
}

#[tauri::command(async)]
pub fn delete_session(state: State<'_, AppState>, id: SessionId) -> UiResult<()> {
    Ok(state.app()?.delete_session(id)?)
}

#[tauri::command(async)]
pub fn list_people(
    state: State<'_, AppState>,
    offset: usize,
    limit: usize,
) -> UiResult<PeoplePage> {
    Ok(state.app()?.people(offset, limit)?)
}

#[tauri::command(async)]
pub fn find_people(
    state: State<'_, AppState>,
    query: String,
    limit: usize,
) -> UiResult<PeopleFound> {
    Ok(state.app()?.search_people(&query, limit)?)
}

#[tauri::command(async)]
pub fn people_named_like(
    state: State<'_, AppState>,
    name: String,
    limit: usize,
) -> UiResult<Vec<Person>> {
    Ok(state.app()?.people_named_like(&name, limit)?)
}

/// The page says whether a form holds unsaved input, so that closing the window can ask.
#[tauri::command]
pub fn set_unsaved(state: State<'_, AppState>, unsaved: bool) {
    state.set_unsaved(unsaved);
}

/// Closes the window after the page asked (or had nothing unsaved).
#[tauri::command]
pub fn close_window<R: tauri::Runtime>(window: tauri::Window<R>) -> UiResult<()> {
    window.destroy().map_err(|e| crate::error::UiError {
        code: "unknown".into(),
        message: e.to_string(),
        field: None,
        details: Value::Null,
    })
}

#[tauri::command(async)]
pub fn get_person(state: State<'_, AppState>, id: PersonId) -> UiResult<PersonDetail> {
    Ok(state.app()?.person_detail(id)?)
}

#[tauri::command(async)]
pub fn add_person(state: State<'_, AppState>, input: PersonInput) -> UiResult<PersonId> {
    Ok(state.app()?.add_person(&input)?)
}

#[tauri::command(async)]
pub fn edit_person(
    state: State<'_, AppState>,
    id: PersonId,
    input: PersonInput,
) -> UiResult<Person> {
    Ok(state.app()?.edit_person(id, &input)?)
}

#[tauri::command(async)]
pub fn delete_person(state: State<'_, AppState>, id: PersonId) -> UiResult<()> {
    Ok(state.app()?.delete_person(id)?)
}

/// Person page → "Forget this person" (after the confirmation): how many records were erased.
#[tauri::command(async)]
pub fn erase_person(state: State<'_, AppState>, id: PersonId) -> UiResult<usize> {
    Ok(state.app()?.erase_person(id)?)
}

/// Person page → "Forget this person": the signed sheets that may show her name.
#[tauri::command(async)]
pub fn person_sheets(state: State<'_, AppState>, id: PersonId) -> UiResult<Vec<Evidence>> {
    Ok(state.app()?.person_sheets(id)?)
}

#[tauri::command(async)]
pub fn attend(
    state: State<'_, AppState>,
    session: SessionId,
    people: Vec<PersonId>,
) -> UiResult<Vec<AttendanceId>> {
    Ok(state.app()?.attend(session, &people)?)
}

#[tauri::command(async)]
pub fn unattend(state: State<'_, AppState>, session: SessionId, person: PersonId) -> UiResult<()> {
    Ok(state.app()?.unattend(session, &[person])?)
}

#[tauri::command(async)]
pub fn set_present(
    state: State<'_, AppState>,
    session: SessionId,
    person: PersonId,
    present: bool,
) -> UiResult<()> {
    Ok(state.app()?.set_present(session, person, present)?)
}

#[tauri::command(async)]
pub fn list_plans(
    state: State<'_, AppState>,
    session: Option<SessionId>,
) -> UiResult<Vec<palabre::ActionPlan>> {
    Ok(state.app()?.plans(session)?)
}

#[tauri::command(async)]
pub fn add_plan(state: State<'_, AppState>, input: PlanInput) -> UiResult<PlanId> {
    Ok(state.app()?.add_plan(&input)?)
}

#[tauri::command(async)]
pub fn add_item(state: State<'_, AppState>, plan: PlanId, input: ItemInput) -> UiResult<ItemId> {
    Ok(state.app()?.add_item(plan, &input)?)
}

#[tauri::command(async)]
pub fn set_item_status(
    state: State<'_, AppState>,
    item: ItemId,
    status: String,
) -> UiResult<ActionItem> {
    Ok(state.app()?.set_item_status(item, &status)?)
}

#[tauri::command(async)]
pub fn set_setting(state: State<'_, AppState>, setting: Setting, value: String) -> UiResult<()> {
    Ok(state.app()?.set_setting(setting, &value)?)
}

#[tauri::command(async)]
pub fn rename_device(state: State<'_, AppState>, name: String) -> UiResult<Device> {
    Ok(state.app()?.rename_device(&name)?)
}

#[tauri::command(async)]
pub fn next_bundle_name(state: State<'_, AppState>) -> UiResult<String> {
    Ok(state.app()?.next_bundle_file_name()?)
}

/// Sync → Export: plain, or locked with the passphrase the facilitator typed (a laptop not
/// enrolled with HQ).
#[tauri::command(async)]
pub fn export_bundle(
    state: State<'_, AppState>,
    path: PathBuf,
    passphrase: Option<String>,
    cap_mb: Option<u64>,
) -> UiResult<Exported> {
    let app = state.app()?;
    let cap = cap_mb.map_or(palabre::DEFAULT_BUNDLE_CAP, |mb| mb.clamp(1, 250) << 20);
    // An empty passphrase is the core's to refuse (too short), never a plain bundle.
    Ok(app.export_bundles(&path, passphrase.as_deref(), cap)?)
}

/// One file of an import done: the window moves its progress bar and adds the file's line.
#[derive(Clone, serde::Serialize)]
pub struct ImportStep {
    pub done: usize,
    pub total: usize,
    pub outcome: ImportOutcome,
}

/// Sync → Import and the HQ desk's inbox: the files in order, each all or nothing, with a step
/// sent on `on_progress` after each and one automatic backup for all; `stop_import` stops it
/// between two files. `passphrase` opens bundles locked with one.
#[tauri::command(async)]
pub fn import_bundles(
    state: State<'_, AppState>,
    paths: Vec<PathBuf>,
    passphrase: Option<String>,
    on_progress: tauri::ipc::Channel<ImportStep>,
) -> UiResult<Imported> {
    let app = state.app()?;
    let stop = state.import_stop();
    stop.store(false, std::sync::atomic::Ordering::SeqCst);
    let paths: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let mut progress = |done: usize, total: usize, outcome: &ImportOutcome| {
        // A window closed meanwhile cannot hear; the import goes on regardless.
        let _ = on_progress.send(ImportStep { done, total, outcome: outcome.clone() });
    };
    let passphrase = passphrase.as_deref().filter(|p| !p.is_empty());
    Ok(app.import_bundle_files_watched(
        &paths,
        passphrase,
        palabre::ImportWatch { progress: &mut progress, stop },
    )?)
}

/// The *Stop* button of an import: the file merging finishes, the next ones are not touched.
#[tauri::command]
pub fn stop_import(state: State<'_, AppState>) {
    state.import_stop().store(true, std::sync::atomic::Ordering::SeqCst);
}

#[tauri::command(async)]
pub fn list_devices(state: State<'_, AppState>) -> UiResult<Vec<DeviceStatus>> {
    Ok(state.app()?.devices()?)
}

#[tauri::command(async)]
pub fn trust_device(state: State<'_, AppState>, fingerprint: String) -> UiResult<Trusted> {
    Ok(state.app()?.trust_device(&fingerprint)?)
}

#[tauri::command(async)]
pub fn list_conflicts(state: State<'_, AppState>) -> UiResult<Vec<Conflict>> {
    Ok(state.app()?.conflicts()?)
}

#[tauri::command(async)]
pub fn resolve_conflict(
    state: State<'_, AppState>,
    entity: Entity,
    row: Uuid,
    field: String,
    value: Value,
) -> UiResult<()> {
    Ok(state.app()?.resolve_conflict(entity, row, &field, &value)?)
}

#[tauri::command(async)]
pub fn report(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
    lang: Lang,
    place: Option<palabre::Place>,
) -> UiResult<Report> {
    let period = Period::parse(from.as_deref(), to.as_deref())?;
    Ok(state.app()?.report_in(period, &place.unwrap_or_default(), lang)?)
}

/// Each indicator of the logframe against its target for a period and place.
#[tauri::command(async)]
pub fn progress(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
    lang: Lang,
    place: Option<palabre::Place>,
) -> UiResult<palabre::Progress> {
    let period = Period::parse(from.as_deref(), to.as_deref())?;
    Ok(state.app()?.progress(period, &place.unwrap_or_default(), lang)?)
}

#[tauri::command(async)]
pub fn export_report_pdf(
    state: State<'_, AppState>,
    path: PathBuf,
    from: Option<String>,
    to: Option<String>,
    lang: Lang,
    place: Option<palabre::Place>,
) -> UiResult<()> {
    let period = Period::parse(from.as_deref(), to.as_deref())?;
    Ok(state.app()?.write_report_pdf(period, &place.unwrap_or_default(), lang, &path)?)
}

#[tauri::command(async)]
pub fn export_iati(
    state: State<'_, AppState>,
    path: PathBuf,
    from: Option<String>,
    to: Option<String>,
    lang: Lang,
    place: Option<palabre::Place>,
) -> UiResult<()> {
    let period = Period::parse(from.as_deref(), to.as_deref())?;
    Ok(state.app()?.write_iati(period, &place.unwrap_or_default(), lang, &path)?)
}

#[tauri::command]
pub fn indicators(state: State<'_, AppState>) -> UiResult<Vec<palabre::Indicator>> {
    Ok(state.app()?.indicators()?)
}

#[tauri::command]
pub fn save_indicator(
    state: State<'_, AppState>,
    input: palabre::IndicatorInput,
) -> UiResult<palabre::Indicator> {
    Ok(state.app()?.save_indicator(&input)?)
}

#[tauri::command]
pub fn set_indicator_target(
    state: State<'_, AppState>,
    code: String,
    period: String,
    value: Option<i64>,
) -> UiResult<palabre::Indicator> {
    Ok(state.app()?.set_indicator_target(&code, &period, value)?)
}

#[tauri::command]
pub fn remove_indicator(state: State<'_, AppState>, code: String) -> UiResult<()> {
    Ok(state.app()?.remove_indicator(&code)?)
}

#[tauri::command(async)]
pub fn export_report_xlsx(
    state: State<'_, AppState>,
    path: PathBuf,
    from: Option<String>,
    to: Option<String>,
    lang: Lang,
    names: Option<NamedList>,
    place: Option<palabre::Place>,
) -> UiResult<()> {
    Ok(state.app()?.write_report_xlsx(
        Period::parse(from.as_deref(), to.as_deref())?,
        &place.unwrap_or_default(),
        lang,
        names.unwrap_or_default(),
        &path,
    )?)
}

#[tauri::command(async)]
pub fn export_report_csv(
    state: State<'_, AppState>,
    dir: PathBuf,
    from: Option<String>,
    to: Option<String>,
    lang: Lang,
    excel_fr: bool,
    names: Option<NamedList>,
    place: Option<palabre::Place>,
) -> UiResult<Vec<PathBuf>> {
    let flavour = if excel_fr { CsvFlavour::ExcelFr } else { CsvFlavour::Standard };
    Ok(state.app()?.write_report_csv(
        Period::parse(from.as_deref(), to.as_deref())?,
        &place.unwrap_or_default(),
        lang,
        names.unwrap_or_default(),
        &dir,
        flavour,
    )?)
}

#[tauri::command(async)]
pub fn save_attendance_sheet(
    state: State<'_, AppState>,
    session: Option<SessionId>,
    lang: Lang,
    blank_rows: usize,
    path: PathBuf,
) -> UiResult<()> {
    Ok(state.app()?.write_attendance_sheet(session, lang, blank_rows, &path)?)
}

#[tauri::command(async)]
pub fn open_in_viewer(path: PathBuf) -> UiResult<()> {
    crate::viewer::open(&path)
}

#[tauri::command(async)]
pub fn list_orphans(state: State<'_, AppState>) -> UiResult<Vec<Orphan>> {
    Ok(state.app()?.orphans()?)
}

#[tauri::command(async)]
pub fn find_duplicates(state: State<'_, AppState>, limit: usize) -> UiResult<Candidates> {
    Ok(state.app()?.duplicates(limit)?)
}

#[tauri::command(async)]
pub fn merge_people(
    state: State<'_, AppState>,
    keep: PersonId,
    duplicate: PersonId,
    take: Vec<String>,
) -> UiResult<Merged> {
    Ok(state.app()?.merge_people(keep, duplicate, &take)?)
}

#[tauri::command(async)]
pub fn unmerge_person(state: State<'_, AppState>, duplicate: PersonId) -> UiResult<Unmerged> {
    Ok(state.app()?.unmerge_person(duplicate)?)
}

#[tauri::command(async)]
pub fn mark_distinct(state: State<'_, AppState>, a: PersonId, b: PersonId) -> UiResult<()> {
    Ok(state.app()?.mark_distinct(a, b)?)
}

#[tauri::command(async)]
pub fn merge_history(state: State<'_, AppState>) -> UiResult<Vec<Decision>> {
    Ok(state.app()?.merge_history()?)
}

#[tauri::command(async)]
pub fn hq_status(state: State<'_, AppState>) -> UiResult<HqStatus> {
    Ok(state.app()?.hq_status()?)
}

/// First start on HQ's computer: this computer's identity and the programme, then HQ's keys and
/// enrollment file in `dir` (a folder the officer backs up).
#[tauri::command(async)]
pub fn setup_hq(
    state: State<'_, AppState>,
    device_name: String,
    facilitator: String,
    programme: String,
    dir: PathBuf,
) -> UiResult<HqKeys> {
    let app = state.app()?;
    let set_up = SetUp {
        device_name,
        facilitator: Some(facilitator),
        programme: Some(programme.clone()),
        ..SetUp::default()
    };
    // A second try (the keys' folder refused) finds the identity already made.
    if app.device().is_err() {
        app.set_up(&set_up)?;
    }
    Ok(app.hq_init(&dir, Some(&programme))?)
}

/// First start on a second officer's computer: this new database becomes a desk of the HQ held
/// by the PostgreSQL server at `url` (it receives the whole HQ from it), with HQ's key folder
/// copied from the first desk, checked against the server's HQ.
#[tauri::command(async)]
pub fn join_server(state: State<'_, AppState>, url: String, dir: PathBuf) -> UiResult<HqStatus> {
    let app = state.app()?;
    app.join_server(url.trim())?;
    app.hq_join(&dir)?;
    Ok(app.hq_status()?)
}

/// Settings → Database server: moves this HQ into the empty PostgreSQL database at `url`,
/// checked by a copy rebuilt from the server; this database then works as a desk of it.
#[tauri::command(async)]
pub fn hq_migrate(state: State<'_, AppState>, url: String) -> UiResult<Migrated> {
    Ok(state.app()?.hq_migrate(url.trim())?)
}

/// HQ desk → Acknowledgements: one file for every trusted laptop, or one per laptop, or one for
/// the laptop with `fingerprint`, into the folder the officer chose.
#[tauri::command(async)]
pub fn hq_ack(
    state: State<'_, AppState>,
    dir: PathBuf,
    fingerprint: Option<String>,
    per_device: bool,
) -> UiResult<Vec<AckWritten>> {
    Ok(state.app()?.hq_ack(&dir, fingerprint.as_deref(), per_device)?)
}

/// HQ desk → a laptop → Registry: the people of the places chosen, sealed to that laptop.
#[tauri::command(async)]
pub fn hq_registry(
    state: State<'_, AppState>,
    device: String,
    scope: Scope,
    dir: PathBuf,
) -> UiResult<DownlinkWritten> {
    Ok(state.app()?.hq_registry(&device, &scope, &dir)?)
}

/// HQ desk → a laptop → Declare lost.
#[tauri::command(async)]
pub fn hq_lost(state: State<'_, AppState>, device: String) -> UiResult<LostMarked> {
    Ok(state.app()?.hq_lost(&device)?)
}

/// HQ desk → a lost laptop → No longer lost.
#[tauri::command(async)]
pub fn hq_found(state: State<'_, AppState>, device: String) -> UiResult<LostMarked> {
    Ok(state.app()?.hq_found(&device)?)
}

/// HQ desk → a new laptop → Restore the data of the laptop it replaces.
#[tauri::command(async)]
pub fn hq_restore(
    state: State<'_, AppState>,
    device: String,
    replaces: String,
    scope: Scope,
    dir: PathBuf,
) -> UiResult<DownlinkWritten> {
    Ok(state.app()?.hq_restore(&device, &replaces, &scope, &dir)?)
}

/// HQ desk → Held: bundles not merged (laptops not trusted yet, or declared lost).
#[tauri::command(async)]
pub fn held_bundles(state: State<'_, AppState>) -> UiResult<Vec<HeldBundle>> {
    Ok(state.app()?.held_bundles()?)
}

/// HQ desk → Held → Merge anyway: a lost laptop's bundle the officer checked.
#[tauri::command(async)]
pub fn release_held_bundle(state: State<'_, AppState>, bundle: String) -> UiResult<ImportOutcome> {
    Ok(state.app()?.release_held_bundle(&bundle)?)
}

/// Import → a whole folder (a USB stick): the files in it Palabre can import, in name order.
#[tauri::command(async)]
pub fn bundle_files_in(state: State<'_, AppState>, dir: PathBuf) -> UiResult<Vec<PathBuf>> {
    state.app()?;
    Ok(Palabre::bundle_files_in(&dir)?)
}

/// Session → "Attach photos or scans…", a file dropped on the session page, or "Import photos
/// of sheets" (no session: filed by its code, or asked), one file at a time (the window shows
/// progress).
#[tauri::command(async)]
pub fn attach_evidence(
    state: State<'_, AppState>,
    session: Option<SessionId>,
    page: Option<i64>,
    path: PathBuf,
) -> UiResult<Filing> {
    Ok(state.app()?.attach_evidence_file(session, page, &path)?)
}

/// "Import photos of sheets…": the photos and scans in a folder (a phone's, a scanner's).
#[tauri::command(async)]
pub fn evidence_files_in(state: State<'_, AppState>, dir: PathBuf) -> UiResult<Vec<PathBuf>> {
    state.app()?;
    Ok(Palabre::evidence_files_in(&dir)?)
}

#[tauri::command(async)]
pub fn session_evidence(state: State<'_, AppState>, session: SessionId) -> UiResult<Vec<Evidence>> {
    Ok(state.app()?.evidence(session)?)
}

/// A thumbnail, or with `full` the photo, as a `data:` URL (None: nothing to show).
#[tauri::command(async)]
pub fn evidence_picture(
    state: State<'_, AppState>,
    id: EvidenceId,
    full: bool,
) -> UiResult<Option<String>> {
    Ok(state.app()?.evidence_picture(id, full)?)
}

#[tauri::command(async)]
pub fn save_evidence(state: State<'_, AppState>, id: EvidenceId, path: PathBuf) -> UiResult<()> {
    Ok(state.app()?.save_evidence(id, &path)?)
}

#[tauri::command(async)]
pub fn remove_evidence(state: State<'_, AppState>, id: EvidenceId) -> UiResult<()> {
    Ok(state.app()?.remove_evidence(id)?)
}

#[tauri::command(async)]
pub fn enroll_with_hq(state: State<'_, AppState>, path: PathBuf) -> UiResult<Enrollment> {
    Ok(state.app()?.enroll_file(&path)?)
}

#[tauri::command(async)]
pub fn list_backups(state: State<'_, AppState>) -> UiResult<Vec<Backup>> {
    Ok(state.app()?.backups()?)
}

#[tauri::command(async)]
pub fn backup_now(state: State<'_, AppState>, path: PathBuf) -> UiResult<PathBuf> {
    Ok(state.app()?.backup_to(&path)?)
}

#[tauri::command(async)]
pub fn restore_backup(state: State<'_, AppState>, path: PathBuf) -> UiResult<Restored> {
    Ok(state.app()?.restore(&path)?)
}

#[tauri::command(async)]
pub fn about(state: State<'_, AppState>) -> UiResult<palabre::About> {
    Ok(state.app()?.about())
}

/// About → "Save a diagnostics file…": versions, counts and the recent log, for the IT person.
#[tauri::command(async)]
pub fn save_diagnostics(state: State<'_, AppState>, path: PathBuf) -> UiResult<()> {
    Ok(state.app()?.write_diagnostics(&path)?)
}
