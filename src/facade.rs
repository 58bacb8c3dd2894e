//! What Palabre does: every method of the facade, by area, each one call into the module that
//! owns its rules and SQL. The front ends call only these (and `lib.rs`'s constructors).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;

use crate::*;

impl Palabre {
    // The database and this laptop's identity (lib.rs, device.rs).
    /// The database file, or None in memory.
    pub fn path(&self) -> Option<&Path> {
        self.store.path()
    }

    /// Makes this database's device identity: id, name and signing key (`set_up` also stores
    /// the first settings).
    pub fn init(&self, device_name: &str) -> Result<Device> {
        self.set_up(&SetUp { device_name: device_name.to_string(), ..SetUp::default() })
    }

    pub fn is_initialized(&self) -> Result<bool> {
        self.store.read(|c| Ok(device::load(c)?.is_some()))
    }

    /// This laptop's identity.
    pub fn device(&self) -> Result<Device> {
        self.store.read(|c| device::load(c)?.ok_or(Error::NotInitialized))
    }

    pub fn rename_device(&self, name: &str) -> Result<Device> {
        device::rename(self, name)
    }
    /// The secret key that signs this device's bundles, checked against the stored public key.
    pub fn signing_key(&self) -> Result<SigningKey> {
        self.read_signing_key()
    }
    /// The key file's path (None in memory).
    pub fn key_path(&self) -> Option<&Path> {
        match &self.key {
            KeyStore::File(path) => Some(path),
            KeyStore::Memory(_) => None,
        }
    }

    /// Today on this laptop, the date against which ages, consent and overdue items are judged.
    pub fn today(&self) -> NaiveDate {
        chrono::Local::now().date_naive()
    }

    // The journal (journal/).
    /// Every op in this database's log, in (device, op_seq) order.
    pub fn ops(&self) -> Result<Vec<Op>> {
        self.store.read(journal::oplog::all)
    }

    /// Merges ops from any device, in one transaction; returns how many were new.
    pub fn merge_ops(&self, ops: &[Op]) -> Result<usize> {
        let merged = self.store.write(|tx| journal::oplog::merge(tx, ops, DERIVED))?;
        self.scrub_copies()?;
        Ok(merged)
    }

    /// The synced tables and field clocks as JSON, rows ordered by id: two databases with equal
    /// snapshots hold the same synced data.
    pub fn synced_snapshot(&self) -> Result<serde_json::Value> {
        self.store.read(exchange::snapshot)
    }

    // This laptop: set-up, settings, the About box (settings).
    pub fn setting(&self, setting: Setting) -> Result<Option<String>> {
        settings::setting(self, setting)
    }
    /// The language of the interface and the documents (French unless set).
    pub fn language(&self) -> Result<Lang> {
        settings::language(self)
    }
    pub fn set_setting(&self, setting: Setting, value: &str) -> Result<()> {
        settings::set_setting(self, setting, value)
    }
    pub fn info(&self) -> Result<AppInfo> {
        settings::info(self)
    }
    /// The one first-start path of both front ends: checks everything, then makes the device
    /// identity and stores the settings in one transaction. A refusal writes nothing.
    pub fn set_up(&self, set_up: &SetUp) -> Result<Device> {
        settings::set_up(self, set_up)
    }
    pub fn about(&self) -> About {
        settings::about(self)
    }

    // The demo programme (demo).
    /// Fills an empty database with the demo programme (initialising the device if needed).
    pub fn demo(&self, seed: u64) -> Result<DemoSummary> {
        demo::demo(self, seed)
    }

    // Sessions (sessions).
    /// Creates a session; the facilitator defaults to this laptop's facilitator setting.
    pub fn add_session(&self, input: &SessionInput) -> Result<SessionId> {
        sessions::add_session(self, input)
    }
    /// Changes the fields given in `input`; returns the session as stored.
    pub fn edit_session(&self, id: SessionId, input: &SessionInput) -> Result<Session> {
        sessions::edit_session(self, id, input)
    }
    /// Deletes a session (a tombstone that travels to HQ like any other change).
    pub fn delete_session(&self, id: SessionId) -> Result<()> {
        sessions::delete_session(self, id)
    }
    pub fn session(&self, id: SessionId) -> Result<Session> {
        sessions::session(self, id)
    }
    /// Live sessions matching `filter`, most recent first.
    pub fn sessions(&self, filter: &SessionFilter) -> Result<Vec<Session>> {
        sessions::sessions(self, filter)
    }
    pub fn session_detail(&self, id: SessionId) -> Result<SessionDetail> {
        sessions::session_detail(self, id)
    }

    // The participant registry (people).
    pub fn add_person(&self, input: &PersonInput) -> Result<PersonId> {
        people::add_person(self, input)
    }
    pub fn edit_person(&self, id: PersonId, input: &PersonInput) -> Result<Person> {
        people::edit_person(self, id, input)
    }
    /// Deletes a person (a tombstone). Their attendances stay, but no longer count anywhere.
    pub fn delete_person(&self, id: PersonId) -> Result<()> {
        people::delete_person(self, id)
    }
    /// Forgets a person at their request: their name, phone, community, role, disability
    /// answers, consent date and notes are blanked for good in the record, in the history of
    /// every change to it, in the search index and in the automatic backups; the record and any
    /// duplicate merged with it keep only what the counts need (sex, birth year, group, that
    /// they attended). The erasure travels in the next bundle: HQ and every laptop that imports
    /// it do the same. Returns how many records were erased. Cannot be undone.
    pub fn erase_person(&self, id: PersonId) -> Result<usize> {
        people::erase_person(self, id)
    }
    /// The photos and scans of signed sheets of the sessions a person attended: they may show
    /// her name and signature, which an erasure cannot blank. Shown before and after "Forget
    /// this person", to be removed one by one if they must go too.
    pub fn person_sheets(&self, id: PersonId) -> Result<Vec<Evidence>> {
        evidence::of_person(self, id)
    }
    pub fn person(&self, id: PersonId) -> Result<Person> {
        people::person(self, id)
    }
    /// A page of live people in name order (lists of 10,000 people are paged, never loaded whole).
    pub fn people(&self, offset: usize, limit: usize) -> Result<PeoplePage> {
        people::people(self, offset, limit)
    }
    /// People whose name, community or phone has words starting with every word of `query`,
    /// ignoring case and accents; name matches first, each group in name order.
    pub fn find_people(&self, query: &str, limit: usize) -> Result<Vec<Person>> {
        people::find_people(self, query, limit)
    }
    /// [`Palabre::find_people`], with how many people match in all, so that a list of eight
    /// can say "8 of 9 shown: type more of the name".
    pub fn search_people(&self, query: &str, limit: usize) -> Result<PeopleFound> {
        people::search_people(self, query, limit)
    }
    /// People already registered under a name like `name` (every word of it starts a word of
    /// theirs, accents and case aside): what a new registration may duplicate. Empty for a name
    /// of one word.
    pub fn people_named_like(&self, name: &str, limit: usize) -> Result<Vec<Person>> {
        people::people_named_like(self, name, limit)
    }
    /// The sessions a person attended (with those of the records merged into them), most recent
    /// first; a session attended under two merged records is listed once.
    pub fn person_sessions(&self, id: PersonId) -> Result<Vec<PersonSession>> {
        people::person_sessions(self, id)
    }
    pub fn person_detail(&self, id: PersonId) -> Result<PersonDetail> {
        people::person_detail(self, id)
    }

    // Attendance (attendance).
    /// Records that people attended a session (present, as participants). Recording an existing
    /// attendance again changes nothing. All or nothing: one unknown person and none are added.
    pub fn attend(&self, session: SessionId, people: &[PersonId]) -> Result<Vec<AttendanceId>> {
        attendance::attend(self, session, people)
    }
    pub fn attend_as(
        &self,
        session: SessionId,
        people: &[PersonId],
        role: AttendanceRole,
    ) -> Result<Vec<AttendanceId>> {
        attendance::attend_as(self, session, people, role)
    }
    /// Removes people from a session's attendance (tombstones). All or nothing.
    pub fn unattend(&self, session: SessionId, people: &[PersonId]) -> Result<()> {
        attendance::unattend(self, session, people)
    }
    /// Marks a registered participant present or absent.
    pub fn set_present(&self, session: SessionId, person: PersonId, present: bool) -> Result<()> {
        attendance::set_present(self, session, person, present)
    }
    pub fn set_attendance_role(
        &self,
        session: SessionId,
        person: PersonId,
        role: AttendanceRole,
    ) -> Result<()> {
        attendance::set_attendance_role(self, session, person, role)
    }
    /// A session's attendance list, by name; people deleted since are left out. A merged
    /// duplicate is shown as the person it was merged into (once, present if either was).
    pub fn attendance(&self, session: SessionId) -> Result<Vec<AttendanceLine>> {
        attendance::attendance(self, session)
    }

    // Action plans (plans).
    pub fn add_plan(&self, input: &PlanInput) -> Result<PlanId> {
        plans::add_plan(self, input)
    }
    pub fn edit_plan(&self, id: PlanId, input: &PlanInput) -> Result<ActionPlan> {
        plans::edit_plan(self, id, input)
    }
    pub fn delete_plan(&self, id: PlanId) -> Result<()> {
        plans::delete_plan(self, id)
    }
    /// A plan with its live items.
    pub fn plan(&self, id: PlanId) -> Result<ActionPlan> {
        plans::plan(self, id)
    }
    /// Every live plan with its items, by owner group then title; only those that came out of
    /// `session` when one is given.
    pub fn plans(&self, session: Option<SessionId>) -> Result<Vec<ActionPlan>> {
        plans::plans(self, session)
    }
    pub fn add_item(&self, plan: PlanId, input: &ItemInput) -> Result<ItemId> {
        plans::add_item(self, plan, input)
    }
    pub fn edit_item(&self, id: ItemId, input: &ItemInput) -> Result<ActionItem> {
        plans::edit_item(self, id, input)
    }
    /// Moves an item to a new status (one click in the UI).
    pub fn set_item_status(&self, id: ItemId, status: &str) -> Result<ActionItem> {
        plans::set_item_status(self, id, status)
    }
    pub fn delete_item(&self, id: ItemId) -> Result<()> {
        plans::delete_item(self, id)
    }

    // Duplicates (duplicates).
    /// Pairs of people who may be the same person, best first (at most `limit`).
    pub fn duplicates(&self, limit: usize) -> Result<Candidates> {
        duplicates::duplicates(self, limit)
    }
    /// How many candidate pairs there are (the scan of `duplicates` without loading records).
    pub fn duplicate_count(&self) -> Result<usize> {
        duplicates::duplicate_count(self)
    }
    /// Merges `duplicate` into `keep`: the duplicate becomes an alias, its attendances count for
    /// the kept person, and the fields named in `take` are copied from it. One transaction.
    pub fn merge_people(
        &self,
        keep: PersonId,
        duplicate: PersonId,
        take: &[String],
    ) -> Result<Merged> {
        duplicates::merge_people(self, keep, duplicate, take)
    }
    /// Undoes the merge of `duplicate`: it is a person in its own right again, with its own
    /// attendances, and the kept person gets back the values the merge replaced.
    pub fn unmerge_person(&self, duplicate: PersonId) -> Result<Unmerged> {
        duplicates::unmerge_person(self, duplicate)
    }
    /// Records that two people are not the same person: the pair is not proposed again.
    pub fn mark_distinct(&self, a: PersonId, b: PersonId) -> Result<()> {
        duplicates::mark_distinct(self, a, b)
    }
    /// Every merge, unmerge and "not the same person", most recent first, with who and when.
    pub fn merge_history(&self) -> Result<Vec<Decision>> {
        duplicates::merge_history(self)
    }

    // Reports (report).
    /// Every figure of the report for a period (inclusive; open ends allowed), in one read.
    pub fn report(&self, period: Period, lang: Lang) -> Result<Report> {
        report::report(self, period, &Place::default(), lang)
    }
    /// The report cut to a region, cercle or commune (see [`Place`]), with the period before.
    pub fn report_in(&self, period: Period, place: &Place, lang: Lang) -> Result<Report> {
        report::report(self, period, place, lang)
    }
    /// Writes the report as an XLSX workbook, the logframe's indicators included (with a sheet
    /// of names only if `names` asks).
    pub fn write_report_xlsx(
        &self,
        period: Period,
        place: &Place,
        lang: Lang,
        names: NamedList,
        path: &std::path::Path,
    ) -> Result<()> {
        results::write_report_xlsx(self, period, place, lang, names, path)
    }
    /// Writes the report as CSV files, one per table, into `dir`; returns the files.
    pub fn write_report_csv(
        &self,
        period: Period,
        place: &Place,
        lang: Lang,
        names: NamedList,
        dir: &std::path::Path,
        flavour: CsvFlavour,
    ) -> Result<Vec<std::path::PathBuf>> {
        results::write_report_csv(self, period, place, lang, names, dir, flavour)
    }
    /// The reached people of a period, for the named list (empty unless `names` asks for one).
    pub fn participants(
        &self,
        period: Period,
        place: &Place,
        names: NamedList,
    ) -> Result<report::indicators::Participants> {
        report::participants(self, period, place, names)
    }

    // Results against the logframe (results).
    /// The indicator catalogue: built-in indicators with HQ's edits, and HQ's own.
    pub fn indicators(&self) -> Result<Vec<Indicator>> {
        results::indicators(self)
    }
    /// Adds an indicator or changes the fields the input gives (HQ only: `hq_only` elsewhere).
    pub fn save_indicator(&self, input: &IndicatorInput) -> Result<Indicator> {
        results::save(self, input)
    }
    /// Sets an indicator's target for a year ("2025") or quarter ("2025-Q3"); None removes it.
    pub fn set_indicator_target(
        &self,
        code: &str,
        period: &str,
        value: Option<i64>,
    ) -> Result<Indicator> {
        results::set_target(self, code, period, value)
    }
    /// Removes an indicator from the catalogue (HQ only).
    pub fn remove_indicator(&self, code: &str) -> Result<()> {
        results::remove(self, code)
    }
    /// Each indicator's value against its target for a period and place, with the period
    /// before and the breakdowns.
    pub fn progress(&self, period: Period, place: &Place, lang: Lang) -> Result<Progress> {
        results::progress(self, period, place, lang)
    }
    /// Writes the donor report as a PDF document (French or English) for a period and place.
    pub fn write_report_pdf(
        &self,
        period: Period,
        place: &Place,
        lang: Lang,
        path: &std::path::Path,
    ) -> Result<()> {
        results::write_report_pdf(self, period, place, lang, path)
    }
    /// The donor report's PDF bytes (for benchmarks and previews).
    pub fn report_pdf(&self, period: Period, place: &Place, lang: Lang) -> Result<Vec<u8>> {
        results::report_pdf(self, period, place, lang)
    }
    /// Writes the logframe's results as IATI 2.03 XML (identifiers from the settings).
    pub fn write_iati(
        &self,
        period: Period,
        place: &Place,
        lang: Lang,
        path: &std::path::Path,
    ) -> Result<()> {
        results::write_iati(self, period, place, lang, path)
    }
    /// Home-screen figures over all sessions.
    pub fn overview(&self) -> Result<Overview> {
        report::overview(self)
    }

    // Paper evidence: photos and scans of the signed sheets (evidence).
    /// Attaches a photo (PNG, JPEG) or scan (PDF) of a signed sheet. With `session` None, it is
    /// filed under the session its sheet code names, or comes back as `Filing::NeedsSession`
    /// (nothing stored) for the person to choose; with a session, a code naming another session
    /// is refused. `page` is used when the file has no code.
    pub fn attach_evidence(
        &self,
        session: Option<SessionId>,
        page: Option<i64>,
        bytes: &[u8],
    ) -> Result<Filing> {
        evidence::attach(self, session, page, bytes)
    }
    /// Reads a file (within the photo limits) and attaches it (see `attach_evidence`).
    pub fn attach_evidence_file(
        &self,
        session: Option<SessionId>,
        page: Option<i64>,
        path: &Path,
    ) -> Result<Filing> {
        let size = std::fs::metadata(path)
            .map_err(|source| Error::Io { path: path.to_path_buf(), source })?
            .len();
        if size > sheet::read::MAX_FILE_BYTES as u64 {
            return Err(Error::Photo {
                reason: format!(
                    "it is {} MB; a photo or scan of a sheet is at most {} MB",
                    size >> 20,
                    sheet::read::MAX_FILE_BYTES >> 20
                ),
            });
        }
        let bytes =
            std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        self.attach_evidence(session, page, &bytes)
    }
    /// The photos and scans in a folder (a phone's or a scanner's, three levels down), in name
    /// order: what "Import photos of sheets" and `palabre evidence add DIR` take.
    pub fn evidence_files_in(dir: &Path) -> Result<Vec<PathBuf>> {
        files::files_in(dir, &[".jpg", ".jpeg", ".png", ".pdf"])
    }
    /// The live attachments of a session.
    pub fn evidence(&self, session: SessionId) -> Result<Vec<Evidence>> {
        evidence::session_evidence(self, session)
    }
    /// Removes an attachment (a tombstone; the other copies learn it).
    pub fn remove_evidence(&self, id: EvidenceId) -> Result<()> {
        evidence::remove(self, id)
    }
    /// The file of an attachment: its media type and bytes.
    pub fn evidence_content(&self, id: EvidenceId) -> Result<(String, Vec<u8>)> {
        evidence::content(self, id)
    }
    /// A small grey JPEG of an attachment, or None when none can be made.
    pub fn evidence_thumbnail(&self, id: EvidenceId) -> Result<Option<Vec<u8>>> {
        evidence::thumbnail(self, id)
    }
    /// An attachment as a `data:` URL for the window: its thumbnail, or (`full`) the photo
    /// itself. None when there is no picture to show (a scan without pictures, or `full` on a PDF).
    pub fn evidence_picture(&self, id: EvidenceId, full: bool) -> Result<Option<String>> {
        evidence::picture(self, id, full)
    }
    /// Writes an attachment's file to `path` (whole or not at all).
    pub fn save_evidence(&self, id: EvidenceId, path: &Path) -> Result<()> {
        let (_, bytes) = self.evidence_content(id)?;
        files::write_atomically(path, &bytes)
    }

    // Attendance sheets (sheet).
    /// The QR code on a photo or scan of a signed sheet (PNG or JPEG): its session and page, or
    /// None when none can be read. Refuses files that are not such pictures or exceed the limits
    /// (`sheet::read`), before decoding them.
    pub fn read_sheet_code(bytes: &[u8]) -> Result<Option<SheetCode>> {
        sheet::read::read_code(bytes)
    }
    /// The data of a session's sheet (or of a blank sheet when `session` is None).
    pub fn sheet_data(
        &self,
        session: Option<SessionId>,
        lang: Lang,
        blank_rows: usize,
    ) -> Result<sheet::SheetData> {
        sheet::sheet_data(self, session, lang, blank_rows)
    }
    /// The sheet as PDF bytes.
    pub fn attendance_sheet(
        &self,
        session: Option<SessionId>,
        lang: Lang,
        blank_rows: usize,
    ) -> Result<Vec<u8>> {
        sheet::attendance_sheet(self, session, lang, blank_rows)
    }
    /// Writes the sheet to `path` (whole or not at all).
    pub fn write_attendance_sheet(
        &self,
        session: Option<SessionId>,
        lang: Lang,
        blank_rows: usize,
        path: &std::path::Path,
    ) -> Result<()> {
        sheet::write_attendance_sheet(self, session, lang, blank_rows, path)
    }

    // Backups (backup).
    /// Writes a copy of the database to `out` (a new file).
    pub fn backup_to(&self, out: &Path) -> Result<PathBuf> {
        backup::backup_to(self, out)
    }
    /// An automatic backup into `backups/` (None for a database in memory).
    pub fn auto_backup(&self, reason: &str) -> Result<Option<Backup>> {
        backup::auto_backup(self, reason)
    }
    /// The backup at start: made when the newest is older than a day (or there is none).
    pub fn backup_if_stale(&self) -> Result<Option<Backup>> {
        backup::backup_if_stale(self)
    }
    /// The automatic backups, newest first.
    pub fn backups(&self) -> Result<Vec<Backup>> {
        backup::backups(self)
    }
    /// Replaces the database's contents with a backup: refuses a file that is not a sound
    /// Palabre database or belongs to another computer, keeps a copy of the current database
    /// first, then copies the backup in and brings it to this version's schema.
    ///
    /// Changes made after the backup are gone from this laptop; their numbers are never reused
    /// (a floor is kept), so HQ never sees two different changes under one number.
    pub fn restore(&self, file: &Path) -> Result<Restored> {
        backup::restore(self, file)
    }

    // Diagnostics (diagnostics).
    /// What the IT person needs to see of this installation.
    pub fn diagnostics(&self) -> Result<Diagnostics> {
        diagnostics::diagnostics(self)
    }
    /// Writes the diagnostics as JSON to `path` (a new file, written whole or not at all).
    pub fn write_diagnostics(&self, path: &Path) -> Result<()> {
        diagnostics::write_diagnostics(self, path)
    }

    // Exchange: export (exchange/export).
    /// The file name the next export will get, to offer in a save dialog.
    pub fn next_bundle_file_name(&self) -> Result<String> {
        exchange::export::next_bundle_file_name(self)
    }
    /// Exports a bundle into memory (for the desktop, which saves it where the person chooses).
    pub fn export_bundle_bytes(&self) -> Result<(Exported, Vec<u8>)> {
        exchange::export::export_bundle_bytes(self, None)
    }
    /// Exports a bundle into memory locked with a passphrase (a laptop not enrolled with HQ;
    /// at least 8 characters).
    pub fn export_bundle_bytes_with_passphrase(
        &self,
        passphrase: &str,
    ) -> Result<(Exported, Vec<u8>)> {
        exchange::export::export_bundle_bytes(self, Some(passphrase))
    }
    /// Writes the export into `out` (a folder, where each bundle gets its standard file name, or
    /// a file path for the first bundle). Each file appears whole or not at all. Sheets' files
    /// beyond `DEFAULT_CAP` (10 MB) spread the export over several chained bundles (`parts`).
    pub fn export_bundle(&self, out: &Path) -> Result<Exported> {
        exchange::export::export_bundle(self, out, None, exchange::export::DEFAULT_CAP)
    }
    /// Writes a bundle locked with a passphrase (`*.palabre.age`): what a laptop not enrolled
    /// with HQ offers instead of a plain bundle. Refused on an enrolled laptop, whose bundles are
    /// encrypted to HQ already.
    pub fn export_bundle_with_passphrase(&self, out: &Path, passphrase: &str) -> Result<Exported> {
        exchange::export::export_bundle(self, out, Some(passphrase), exchange::export::DEFAULT_CAP)
    }

    /// `export_bundle` with a chosen size cap in bytes (`passphrase`: see
    /// `export_bundle_with_passphrase`).
    pub fn export_bundles(
        &self,
        out: &Path,
        passphrase: Option<&str>,
        cap: u64,
    ) -> Result<Exported> {
        exchange::export::export_bundle(self, out, passphrase, cap)
    }

    // Exchange: import and trust (exchange/import).
    /// Imports one bundle from memory. `Err` only for failures of this database; every problem
    /// with the bundle is an `ImportOutcome::Rejected` and writes nothing.
    pub fn import_bundle_bytes(&self, bytes: &[u8]) -> Result<ImportOutcome> {
        exchange::import::import_bundle_bytes(self, bytes)
    }
    /// Imports one bundle file (refusing oversized files before reading them).
    pub fn import_bundle_file(&self, path: &Path) -> Result<ImportOutcome> {
        exchange::import::import_bundle_file(self, path)
    }
    /// Imports bundle files in order, each all or nothing. While one merges, the next is read
    /// and checked on another core (HQ imports dozens at once).
    /// Files may be plain bundles, bundles encrypted to HQ (opened when this database is HQ),
    /// or acknowledgements from HQ (applied when this laptop is enrolled).
    pub fn import_bundle_files(&self, paths: &[&Path]) -> Result<Vec<ImportOutcome>> {
        Ok(exchange::import::import_bundle_files(self, paths, None, None)?.outcomes)
    }
    /// Imports bundle files as `import_bundle_files` does, opening those locked with a
    /// passphrase with `passphrase` (a wrong one refuses the file and writes nothing).
    pub fn import_bundle_files_with_passphrase(
        &self,
        paths: &[&Path],
        passphrase: &str,
    ) -> Result<Vec<ImportOutcome>> {
        Ok(exchange::import::import_bundle_files(self, paths, Some(passphrase), None)?.outcomes)
    }
    /// Imports bundle files as `import_bundle_files` does, telling `watch` after each file and
    /// stopping between two files when its flag is set: a hundred files from HQ's inbox with a
    /// progress bar and a *Stop* button. One automatic backup for the whole batch.
    pub fn import_bundle_files_watched(
        &self,
        paths: &[&Path],
        passphrase: Option<&str>,
        watch: ImportWatch<'_>,
    ) -> Result<Imported> {
        exchange::import::import_bundle_files(self, paths, passphrase, Some(watch))
    }
    /// The files in a folder (a USB stick, three levels down) that `import_bundle_files` takes,
    /// in name order: what the window's "Import a folder" and `palabre bundle import DIR` import.
    pub fn bundle_files_in(dir: &Path) -> Result<Vec<PathBuf>> {
        exchange::import::bundle_files_in(dir)
    }
    /// Imports bundles from memory in order, each all or nothing (see `import_bundle_files`).
    pub fn import_bundles<B: AsRef<[u8]> + Sync>(
        &self,
        inputs: &[B],
    ) -> Result<Vec<ImportOutcome>> {
        exchange::import::import_bundles(self, inputs)
    }
    /// Checks a bundle without importing it.
    pub fn verify_bundle(bytes: &[u8]) -> std::result::Result<Bundle, Rejection> {
        exchange::import::verify_bundle(bytes)
    }
    /// Trusts the device with this fingerprint (as read out by its facilitator) and merges the
    /// bundles it had waiting in quarantine, oldest first.
    pub fn trust_device(&self, fingerprint: &str) -> Result<Trusted> {
        exchange::import::trust_device(self, fingerprint)
    }

    // Exchange: devices (exchange/devices).
    /// This laptop first, then every other device known here, by name.
    pub fn devices(&self) -> Result<Vec<DeviceStatus>> {
        exchange::devices::devices(self)
    }
    /// The bundles held here and not merged: from laptops not trusted yet, or declared lost.
    pub fn held_bundles(&self) -> Result<Vec<HeldBundle>> {
        exchange::devices::held(self)
    }
    /// Merges a bundle held because its laptop was declared lost, once the officer has checked
    /// it with the facilitator (made before the theft, brought late). Every other check runs
    /// again; a refused one stays held.
    pub fn release_held_bundle(&self, bundle_id: &str) -> Result<ImportOutcome> {
        exchange::import::release_held(self, bundle_id)
    }
    /// Rows waiting for a parent that has not arrived (the `orphans` view, less the rows whose
    /// parent is here but deleted).
    pub fn orphans(&self) -> Result<Vec<Orphan>> {
        exchange::devices::orphans(self)
    }

    // Exchange: conflicts (exchange/conflicts).
    /// Fields edited concurrently on two devices and not resolved since.
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        exchange::conflicts::conflicts(self)
    }
    /// Resolves a conflict by writing one of its values (the current one or another) again.
    pub fn resolve_conflict(
        &self,
        entity: Entity,
        row: uuid::Uuid,
        field: &str,
        value: &serde_json::Value,
    ) -> Result<()> {
        exchange::conflicts::resolve_conflict(self, entity, row, field, value)
    }

    // Exchange: this laptop's HQ (exchange/enrollment).
    /// Verifies an enrollment file and stores it: from now on exports are encrypted to this HQ
    /// and acknowledgements signed by it are accepted. Enrolling again with the same HQ changes
    /// nothing; another HQ is refused (a laptop belongs to one programme).
    /// Stores HQ's enrollment; from then on the key file also keeps a copy of the database key
    /// sealed to HQ (for a forgotten passphrase).
    pub fn enroll(&self, bytes: &[u8]) -> Result<Enrollment> {
        let enrollment = exchange::enrollment::enroll(self, bytes)?;
        self.keep_recovery_copy();
        Ok(enrollment)
    }
    pub fn enroll_file(&self, path: &Path) -> Result<Enrollment> {
        exchange::enrollment::enroll_file(self, path)
    }
    pub fn hq_status(&self) -> Result<HqStatus> {
        exchange::enrollment::hq_status(self)
    }
    /// HQ's key folder, when this database is HQ.
    pub fn hq_dir(&self) -> Result<Option<PathBuf>> {
        exchange::enrollment::hq_dir(self)
    }

    // HQ (hq).
    /// Moves this HQ (one SQLite file) into the empty PostgreSQL database at `url` and checks
    /// that a copy rebuilt from the server gives the same report and rows; this database is
    /// then a desk of the server's HQ (hq/server.rs).
    pub fn hq_migrate(&self, url: &str) -> Result<hq::server::Migrated> {
        hq::server::migrate(self, url)
    }
    /// On a new desk of an HQ on a server: HQ's key folder, copied from the first desk; it must
    /// hold the keys of the server's HQ. Returns HQ's fingerprint.
    pub fn hq_join(&self, dir: &Path) -> Result<String> {
        hq::server::join(self, dir)
    }
    /// On a new database (no identity yet): makes it a desk of the HQ on the server at `url`,
    /// which it receives whole (or becomes, with `init`, if the server holds none). Then
    /// `hq_join` gives it HQ's keys.
    pub fn join_server(&self, url: &str) -> Result<()> {
        self.share_with(url, crate::store::Attach::Open)
    }
    /// The HQ server this database is a desk of (no password), if any.
    pub fn hq_server(&self) -> Option<String> {
        self.store().server()
    }
    /// Makes HQ's keys and enrollment file in `dir`, and makes this database HQ's (it will
    /// decrypt bundles and sign acknowledgements with them).
    pub fn hq_init(&self, dir: &Path, programme: Option<&str>) -> Result<HqKeys> {
        hq::hq_init(self, dir, programme)
    }
    /// Writes signed acknowledgements into `out`: one file for every trusted laptop, or one per
    /// laptop with `per_device`, or one for the laptop with `fingerprint`.
    pub fn hq_ack(
        &self,
        out: &Path,
        fingerprint: Option<&str>,
        per_device: bool,
    ) -> Result<Vec<AckWritten>> {
        hq::hq_ack(self, out, fingerprint, per_device)
    }
    /// Writes a registry bundle for one trusted laptop (its fingerprint, or its name if no other
    /// laptop has it) into `out`: the people of `scope`'s places who attended a session there,
    /// without their notes, the merge decisions and erasures about them, and the open action
    /// plans there. Sealed to that laptop's key, signed by HQ.
    pub fn hq_registry(&self, device: &str, scope: &Scope, out: &Path) -> Result<DownlinkWritten> {
        hq::registry::registry(self, device, scope, out)
    }
    /// Declares a laptop lost or stolen: its key is refused from now on (its bundles are held,
    /// never merged on their own) and it is no longer acknowledged.
    pub fn hq_lost(&self, device: &str) -> Result<LostMarked> {
        hq::registry::lost(self, device)
    }
    /// Undoes `hq_lost` (the laptop was found, or the wrong one was declared): its held bundles
    /// wait again, and trusting it merges them.
    pub fn hq_found(&self, device: &str) -> Result<LostMarked> {
        hq::registry::found(self, device)
    }
    /// Writes a restore bundle for the laptop `new` (set up, its first bundle imported and
    /// trusted here) that replaces `old`: everything `old` wrote, and the registry of `scope` if
    /// it names places. `old` is declared lost if it was not, and `new` recorded as its
    /// successor.
    pub fn hq_restore(
        &self,
        new: &str,
        old: &str,
        scope: &Scope,
        out: &Path,
    ) -> Result<DownlinkWritten> {
        hq::registry::restore(self, new, old, scope, out)
    }
    /// Answers a laptop's recovery request (its database key sealed to HQ): writes into `out` a
    /// recovery file locked with a new one-time code, returned to be read to the facilitator by
    /// phone after checking who she is.
    pub fn hq_answer_recovery(&self, request: &Path, out: &Path) -> Result<RecoveryMade> {
        let identity = exchange::enrollment::hq_identity(self)?.ok_or(Error::NotHq)?;
        let made = lock::answer_request(request, &identity, out)?;
        tracing::info!(key_id = %made.key_id, "recovery file written for a laptop");
        Ok(made)
    }

    // How the data is protected on this laptop (lock).
    /// Locks the database key with a new passphrase, after checking the current one. The
    /// database and its backups stay as they are.
    pub fn change_passphrase(&self, current: &str, new: &str) -> Result<()> {
        lock::change(self, current, new)
    }
    /// Checks that `passphrase` opens this database's key (the window's lock screen, asked
    /// again once the database is open).
    pub fn verify_passphrase(&self, passphrase: &str) -> Result<()> {
        match self.path() {
            Some(db) if self.store().key().is_some() => lock::unlock(db, passphrase).map(drop),
            _ => Ok(()),
        }
    }
    /// The key file, and whether HQ holds a way to recover it.
    pub fn protection(&self) -> Protection {
        let path = self.path().map(lock::key_file);
        Protection {
            encrypted: self.store().key().is_some(),
            recovery_copy: self.path().is_some_and(lock::has_recovery),
            key_file: path,
        }
    }
}

/// How the data of this database is protected (Settings shows it).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Protection {
    /// The database and its backups are encrypted.
    pub encrypted: bool,
    /// The key file beside the database.
    pub key_file: Option<PathBuf>,
    /// The key file keeps a copy sealed to HQ (made once enrolled).
    pub recovery_copy: bool,
}
