//! `palabre`: the command line over the core, for HQ batch work, scripts and tests. Each
//! subcommand is clap parsing plus one call into `palabre::Palabre`; printing lives in show.rs.
//! It uses only the core's top-level names. It is a library too, so that one program can be both
//! the desktop app and this tool (the installed `/usr/bin/palabre` runs `palabre-desktop --cli`);
//! src/main.rs is a one-liner.
//! Exit codes: 0 success, 1 refused input or failure (one line on stderr), 2 usage error.

mod show;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand};
use palabre::Entity;
use palabre::ImportOutcome;
use palabre::{
    Error, ItemInput, Palabre, PersonId, PersonInput, PlanId, PlanInput, SessionFilter, SessionId,
    SessionInput,
};
use serde::Serialize;

#[derive(Parser)]
#[command(
    name = "palabre",
    version,
    about = "Palabre: community dialogues, attendance and action plans, offline."
)]
struct Cli {
    /// Database file (default: $PALABRE_DB, else the platform data folder's palabre/palabre.db),
    /// or HQ's PostgreSQL server (postgres://user@host/database): this desk then works on its
    /// own replica ($PALABRE_REPLICA, else shared-….db in the data folder) kept in step with it.
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make this database's device identity (id, name, signing key).
    Init {
        #[arg(long, value_name = "NAME")]
        device_name: Option<String>,
        #[arg(long)]
        facilitator: Option<String>,
        #[arg(long)]
        programme: Option<String>,
    },
    /// Fill an empty database with a realistic demo programme.
    Demo {
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The passphrase that unlocks this database: change it, or recover a forgotten one through HQ.
    #[command(subcommand)]
    Passphrase(PassphraseCommand),
    /// Sessions (activities).
    #[command(subcommand)]
    Session(SessionCommand),
    /// The participant registry.
    #[command(subcommand)]
    Person(PersonCommand),
    /// Record that people attended a session.
    Attend {
        session: SessionId,
        #[arg(required = true)]
        people: Vec<PersonId>,
    },
    /// Remove people from a session's attendance.
    Unattend {
        session: SessionId,
        #[arg(required = true)]
        people: Vec<PersonId>,
    },
    /// Action plans and their items.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// This laptop's identity, and the devices whose bundles this database receives.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Signed bundles: export this laptop's changes, import other laptops'.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Print an attendance sheet (PDF); without a session, a blank sheet to fill by hand.
    Sheet {
        session: Option<SessionId>,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
        /// fr or en (default: the app's language).
        #[arg(long)]
        lang: Option<String>,
        /// Numbered blank rows after the registered participants.
        #[arg(long, default_value_t = palabre::DEFAULT_BLANK_ROWS as u64, value_parser = clap::value_parser!(u64).range(0..=palabre::MAX_BLANK_ROWS as u64))]
        blank_rows: u64,
    },
    /// Photos and scans of signed sheets.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// The programme's figures: people reached by sex and age, activities by group, actions.
    Report {
        /// First day of the period (YYYY-MM-DD), inclusive.
        #[arg(long)]
        from: Option<String>,
        /// Last day of the period (YYYY-MM-DD), inclusive.
        #[arg(long)]
        to: Option<String>,
        /// Write an XLSX workbook.
        #[arg(long, value_name = "FILE", conflicts_with = "csv")]
        xlsx: Option<PathBuf>,
        /// Write one CSV file per table into this folder.
        #[arg(long, value_name = "DIR")]
        csv: Option<PathBuf>,
        /// With --csv: the flavour French Excel opens directly (byte-order mark, semicolons).
        #[arg(long, requires = "csv")]
        excel_fr: bool,
        /// Language of the sentence and headers: fr or en (default: the app's language).
        #[arg(long)]
        lang: Option<String>,
        /// With --xlsx or --csv, add a list of the people reached by name: `consented` (those
        /// with recorded consent) or `everyone`. Without it the files hold figures only.
        #[arg(long, value_name = "WHO")]
        names: Option<String>,
        /// Write the logframe's results as IATI 2.03 XML (needs --from and --to, and the IATI
        /// identifiers: `palabre settings --iati-org … --iati-activity …`).
        #[arg(long, value_name = "FILE.xml", conflicts_with_all = ["xlsx", "csv"])]
        iati: Option<PathBuf>,
        /// Write the donor report as a PDF document (cover, indicators against targets, charts,
        /// activities by group, action plans, the held sessions in annex).
        #[arg(long, value_name = "FILE.pdf", conflicts_with_all = ["xlsx", "csv", "iati"])]
        pdf: Option<PathBuf>,
        #[command(flatten)]
        place: PlaceArgs,
    },
    /// The logframe's indicators: the catalogue (HQ edits it) and progress against targets.
    #[command(subcommand)]
    Indicator(IndicatorCommand),
    /// Show this database's settings, or change those given.
    Settings {
        #[arg(long)]
        facilitator: Option<String>,
        #[arg(long)]
        programme: Option<String>,
        /// fr or en.
        #[arg(long)]
        language: Option<String>,
        /// The reporting organisation's IATI identifier (e.g. CH-FDJP-1234).
        #[arg(long, value_name = "ID")]
        iati_org: Option<String>,
        /// The programme activity's IATI identifier (the organisation's, a dash, its own).
        #[arg(long, value_name = "ID")]
        iati_activity: Option<String>,
    },
    /// Rows whose parent (session, person, plan) has not arrived yet: kept, waiting.
    Orphans,
    /// For the IT person: versions, schema, row counts, backups and the recent log, as JSON
    /// (no participant's name, phone or note). Printed, or written to --out FILE.
    Diagnostics {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// HQ's side: its keys and enrollment file, and acknowledgements for the laptops.
    #[command(subcommand)]
    Hq(HqCommand),
    /// Enrol this laptop with HQ (verifies and stores HQ's enrollment file): from then on its
    /// exports are encrypted to HQ.
    Enroll { file: PathBuf },
    /// Copy the database: to FILE, or (without --out) into the automatic backups beside it.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The automatic backups (newest first; the last 7 are kept).
    Backups,
    /// Replace the database with a backup (a copy of the current one is kept first).
    Restore { file: PathBuf },
    /// Pairs of people who may be the same person, best first, with why they matched.
    Duplicates {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Fields edited concurrently on two devices.
    Conflicts {
        #[command(subcommand)]
        action: Option<ConflictCommand>,
    },
}

/// A report's place: a region, a cercle, a commune (accents and case do not matter).
#[derive(Args, Default)]
struct PlaceArgs {
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    cercle: Option<String>,
    #[arg(long)]
    commune: Option<String>,
}

impl PlaceArgs {
    fn place(&self) -> palabre::Place {
        palabre::Place::new(self.region.as_deref(), self.cercle.as_deref(), self.commune.as_deref())
    }
}

#[derive(Subcommand)]
enum IndicatorCommand {
    /// The catalogue: code, what it counts, breakdowns, baseline and targets.
    List,
    /// Add an indicator, or change the fields given of one (HQ only).
    Set {
        code: String,
        #[arg(long)]
        label_fr: Option<String>,
        #[arg(long)]
        label_en: Option<String>,
        /// What it counts: people_reached, women_reached, youth_reached, people_in_group,
        /// attendances, activities_held, activities_with_group, items_done, share_women,
        /// share_youth, sessions_with_evidence, share_with_evidence.
        #[arg(long)]
        measure: Option<String>,
        /// The stakeholder group of people_in_group and activities_with_group ("" for none).
        #[arg(long)]
        group: Option<String>,
        /// Breakdowns, comma-separated: sex, age, group, region ("" for none).
        #[arg(long, value_name = "LIST")]
        by: Option<String>,
        #[arg(long)]
        baseline: Option<String>,
        #[arg(long)]
        baseline_year: Option<String>,
        /// The framework the code comes from (the donor's, or "own").
        #[arg(long)]
        vocabulary: Option<String>,
        #[arg(long)]
        position: Option<i64>,
    },
    /// Set an indicator's target for a year (2025) or a quarter (2025-Q3) (HQ only).
    Target {
        code: String,
        period: String,
        /// The target; leave out with --remove.
        #[arg(required_unless_present = "remove")]
        value: Option<i64>,
        #[arg(long)]
        remove: bool,
    },
    /// Remove an indicator from the catalogue (HQ only).
    Remove { code: String },
    /// Each indicator's value against its target for a period and place.
    Progress {
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        lang: Option<String>,
        #[command(flatten)]
        place: PlaceArgs,
    },
}

#[derive(Subcommand)]
enum HqCommand {
    /// Make HQ's signing key, its age encryption key (secret files, mode 600) and the signed
    /// enrollment file for the laptops, in DIR; this database becomes HQ's.
    Init {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Programme name written in the enrollment file (default: this database's).
        #[arg(long)]
        programme: Option<String>,
    },
    /// Write signed acknowledgements: for each trusted laptop, the last change HQ holds without
    /// a hole. One file for all laptops, or one per laptop.
    Ack {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only the laptop with this fingerprint.
        #[arg(long, value_name = "FINGERPRINT")]
        device: Option<String>,
        /// One file per laptop instead of one for all.
        #[arg(long)]
        per_device: bool,
    },
    /// HQ enrollment and acknowledgement state of this database.
    Status,
    /// Write a registry bundle for one laptop: the people of its area (who attended a session
    /// held there; without their notes), merges and erasures about them, and the open action
    /// plans there. Sealed to that laptop; it imports it like any bundle.
    Registry {
        /// The laptop: its fingerprint, or its name.
        #[arg(long = "for", value_name = "DEVICE")]
        device: String,
        #[command(flatten)]
        scope: ScopeFlags,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Declare a laptop lost or stolen: its key is refused from now on; its later bundles are
    /// held and listed by `hq held`, never merged.
    Lost {
        /// The laptop: its fingerprint, or its name.
        device: String,
    },
    /// Undo `hq lost`: the laptop was found, or the wrong one was declared. Its held bundles
    /// wait again; `device trust` merges them.
    Found {
        /// The laptop: its fingerprint, or its name.
        device: String,
    },
    /// Write a restore bundle for a new laptop replacing a lost or broken one: everything the old
    /// one wrote (and, with places, the registry of that area). Set up the new laptop, import
    /// its first bundle here and trust it first.
    Restore {
        /// The new laptop: its fingerprint, or its name.
        #[arg(long = "for", value_name = "DEVICE")]
        device: String,
        /// The laptop it replaces (declared lost if it is not yet).
        #[arg(long, value_name = "DEVICE")]
        replaces: String,
        #[command(flatten)]
        scope: ScopeFlags,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Move this HQ (one database file) to a PostgreSQL server, into an empty database: copies
    /// the journal, laptops, keys' public parts, bundles received and held, and evidence files,
    /// then checks that a copy rebuilt from the server gives the same report and rows. This file
    /// then stays as this desk's replica; other officers open the server with --db.
    Migrate {
        /// The server's connection string: postgres://user[:password]@host[:port]/database.
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// On a new desk of an HQ held by a server (opened with --db postgres://…): the folder of
    /// HQ's keys, copied from the first desk (`hq init --out`). Checked against the server's HQ.
    Join {
        #[arg(long, value_name = "DIR")]
        keys: PathBuf,
    },
    /// Bundles held and not merged: from laptops not trusted yet, or declared lost.
    Held,
    /// Merge a bundle held because its laptop was declared lost, once you have checked it with
    /// the facilitator (made before the theft, brought late). Its id is in `hq held`.
    Release { bundle: String },
    /// Answer a laptop's recovery request (its forgotten passphrase): write a recovery file into
    /// DIR and print the one-time code to read to the facilitator by phone, once you are sure it
    /// is her.
    Recovery {
        /// The request file she brought (`recovery-request-….palabre-recovery-request`).
        request: PathBuf,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// The area of a registry bundle. Each flag may be repeated.
#[derive(Args)]
struct ScopeFlags {
    #[arg(long = "region", value_name = "REGION")]
    regions: Vec<String>,
    #[arg(long = "cercle", value_name = "CERCLE")]
    cercles: Vec<String>,
    #[arg(long = "commune", value_name = "COMMUNE")]
    communes: Vec<String>,
    /// Only people of this stakeholder group (womens_groups, youth, …).
    #[arg(long = "group", value_name = "GROUP")]
    groups: Vec<String>,
}

impl ScopeFlags {
    fn scope(self) -> palabre::Scope {
        palabre::Scope {
            regions: self.regions,
            cercles: self.cercles,
            communes: self.communes,
            groups: self.groups,
        }
    }
}

#[derive(Subcommand)]
enum EvidenceCommand {
    /// Attach photos (JPEG, PNG) or scans (PDF) of signed sheets: `evidence add SESSION FILE…`
    /// attaches them to that session; `evidence add FILE…` (or a FOLDER of a phone or scanner)
    /// files each under the session its sheet code names, and lists those it cannot file.
    /// Photos are turned upright and recompressed to at most 300 KB a page.
    Add {
        /// [SESSION] FILE|FOLDER…
        #[arg(required = true, value_name = "[SESSION] FILE")]
        args: Vec<String>,
        /// The page, for a file whose sheet code cannot be read.
        #[arg(long)]
        page: Option<i64>,
    },
    /// The photos and scans attached to a session.
    List { session: SessionId },
    /// Write an attached photo or scan to a file.
    Save {
        id: palabre::EvidenceId,
        #[arg(long)]
        out: PathBuf,
    },
    /// Remove an attachment (HQ learns it with the next bundle).
    Remove { id: palabre::EvidenceId },
    /// Read the QR code on photos or scans of signed sheets (PNG or JPEG): which session and
    /// page each is, without storing anything.
    Read {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum PassphraseCommand {
    /// Lock the database key with a new passphrase (the current one is read as for any command;
    /// the new one from PALABRE_NEW_PASSPHRASE, else typed twice). Backups stay readable.
    Change,
    /// Write this laptop's recovery request into DIR, for HQ, when the passphrase is forgotten.
    /// Needs no passphrase; holds only the key sealed to HQ (made once enrolled).
    Request {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Open the database with HQ's recovery file and the code HQ read out, and choose a new
    /// passphrase (PALABRE_NEW_PASSPHRASE, else typed twice).
    Recover {
        /// The recovery file from HQ (`recovery-….palabre-recovery`).
        file: PathBuf,
        /// The one-time code HQ read to you. Better left out: it is then read from
        /// PALABRE_RECOVERY_CODE, else typed (a code on the command line stays in the history).
        #[arg(long)]
        code: Option<String>,
    },
    /// Whether the database is new, plain (an earlier Palabre's) or locked, and how it is
    /// protected. Needs no passphrase.
    Status,
}

#[derive(Subcommand)]
enum BundleCommand {
    /// Write a bundle of this laptop's changes; prints the written path.
    Export {
        /// A folder (the file gets its standard name) or a file path.
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Lock the bundle with a passphrase (a laptop not enrolled with HQ): read from
        /// PALABRE_BUNDLE_PASSPHRASE, else typed twice. Give it to HQ by phone, not with the file.
        #[arg(long)]
        passphrase: bool,
        /// Largest bundle in MB: photos of sheets beyond it go into further bundles, written
        /// beside the first.
        #[arg(long, value_name = "MB", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=250))]
        max_size: u64,
    },
    /// Import bundles, acknowledgements and files from HQ: one line per file. A folder (a USB
    /// stick) imports every such file in it.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Open bundles locked with a passphrase: read from PALABRE_BUNDLE_PASSPHRASE, else typed.
        #[arg(long)]
        passphrase: bool,
    },
    /// Check a bundle's signature and contents without importing it.
    Verify { file: PathBuf },
    /// Show a bundle's manifest and what it holds.
    Inspect { file: PathBuf },
}

#[derive(Subcommand)]
enum ConflictCommand {
    /// Keep one of the conflicting values (a new write that ends the conflict everywhere).
    Resolve {
        /// session, person, attendance, plan or item
        entity: String,
        row: uuid::Uuid,
        field: String,
        /// The value to keep, as JSON (e.g. '"Awa Diarra"', 'true', '2024').
        #[arg(long)]
        value: String,
    },
}

#[derive(Subcommand)]
enum SessionCommand {
    Add(SessionFlags),
    List(ListFlags),
    Show {
        id: SessionId,
    },
    Edit {
        id: SessionId,
        #[command(flatten)]
        flags: SessionFlags,
    },
    Delete {
        id: SessionId,
    },
}

#[derive(Args, Default)]
struct SessionFlags {
    #[arg(long)]
    title: Option<String>,
    /// Start date, YYYY-MM-DD.
    #[arg(long = "date")]
    start_date: Option<String>,
    /// End date, YYYY-MM-DD (empty to clear).
    #[arg(long = "end")]
    end_date: Option<String>,
    /// dialogue workshop training multi_stakeholder follow_up other
    #[arg(long)]
    kind: Option<String>,
    /// Stakeholder group; repeat for several (replaces the list when editing).
    #[arg(long = "group")]
    groups: Vec<String>,
    #[arg(long)]
    theme: Option<String>,
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    cercle: Option<String>,
    #[arg(long)]
    commune: Option<String>,
    #[arg(long)]
    place: Option<String>,
    #[arg(long)]
    facilitator: Option<String>,
    /// planned held cancelled (a new session defaults to held if it started before today,
    /// else planned)
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    summary: Option<String>,
    /// A recommendation; repeat for several (replaces the list when editing).
    #[arg(long = "recommendation")]
    recommendations: Vec<String>,
}

impl SessionFlags {
    fn input(self) -> SessionInput {
        SessionInput {
            title: self.title,
            kind: self.kind,
            groups: (!self.groups.is_empty()).then_some(self.groups),
            theme: self.theme,
            start_date: self.start_date,
            end_date: self.end_date,
            region: self.region,
            cercle: self.cercle,
            commune: self.commune,
            place: self.place,
            facilitator: self.facilitator,
            status: self.status,
            summary: self.summary,
            recommendations: (!self.recommendations.is_empty()).then_some(self.recommendations),
        }
    }
}

#[derive(Args)]
struct ListFlags {
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    group: Option<String>,
    #[arg(long)]
    from: Option<String>,
    #[arg(long)]
    to: Option<String>,
    /// Words to find in title or place (accents and case ignored).
    #[arg(long = "search")]
    query: Option<String>,
}

impl ListFlags {
    fn filter(self) -> Result<SessionFilter, Error> {
        use palabre::parse_date as date;
        Ok(SessionFilter {
            status: self.status.as_deref().map(str::parse).transpose()?,
            kind: self.kind.as_deref().map(str::parse).transpose()?,
            group: self.group.as_deref().map(str::parse).transpose()?,
            from: self.from.as_deref().map(|d| date("from", d)).transpose()?,
            to: self.to.as_deref().map(|d| date("to", d)).transpose()?,
            query: self.query,
        })
    }
}

#[derive(Subcommand)]
enum PersonCommand {
    Add(PersonFlags),
    List {
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    Find {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    Show {
        id: PersonId,
    },
    Edit {
        id: PersonId,
        #[command(flatten)]
        flags: PersonFlags,
    },
    Delete {
        id: PersonId,
    },
    /// Forget a person at their request: name, phone, community, role, notes and their history
    /// are blanked for good, here and — through the next bundle — at HQ and on every laptop that
    /// receives it. The counts keep them (sex, birth year, group, attendance). Cannot be undone.
    Erase {
        id: PersonId,
        /// Confirm: the erasure cannot be undone.
        #[arg(long, required = true)]
        yes: bool,
    },
    /// Merge DUPLICATE into KEEP: the duplicate becomes an alias, its attendances count for KEEP.
    Merge {
        keep: PersonId,
        duplicate: PersonId,
        /// Take these fields from the duplicate (e.g. --take phone,birth_year).
        #[arg(long, value_name = "FIELD,...")]
        take: Vec<String>,
    },
    /// Undo the merge of DUPLICATE: both people and their attendances are as before.
    Unmerge {
        duplicate: PersonId,
    },
    /// Record that two people are not the same person: the pair is not proposed again.
    Distinct {
        a: PersonId,
        b: PersonId,
    },
    /// Every merge, unmerge and "not the same person", with who and when.
    History,
}

#[derive(Args)]
struct PersonFlags {
    #[arg(long = "name")]
    full_name: Option<String>,
    /// F, M or X (not stated)
    #[arg(long)]
    sex: Option<String>,
    #[arg(long, conflicts_with = "age")]
    birth_year: Option<i32>,
    /// Age today, when the birth year is not known.
    #[arg(long)]
    age: Option<i32>,
    #[arg(long)]
    role: Option<String>,
    /// Stakeholder group code (empty to clear).
    #[arg(long)]
    group: Option<String>,
    #[arg(long)]
    community: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    /// Washington Group answer DOMAIN=LEVEL (1–4); repeat for several.
    #[arg(long = "wg")]
    disability: Vec<String>,
    /// The person agreed that their data is used.
    #[arg(long, conflicts_with = "no_consent")]
    consent: bool,
    /// Withdraw consent.
    #[arg(long)]
    no_consent: bool,
    #[arg(long)]
    notes: Option<String>,
}

impl PersonFlags {
    fn input(self) -> PersonInput {
        PersonInput {
            full_name: self.full_name,
            sex: self.sex,
            birth_year: self.birth_year,
            age: self.age,
            clear_birth_year: false,
            role: self.role,
            group: self.group,
            community: self.community,
            phone: self.phone,
            disability: (!self.disability.is_empty()).then_some(self.disability),
            consent: if self.consent {
                Some(true)
            } else if self.no_consent {
                Some(false)
            } else {
                None
            },
            notes: self.notes,
        }
    }
}

#[derive(Subcommand)]
enum PlanCommand {
    Add {
        #[arg(long)]
        title: String,
        /// The group that owns the plan.
        #[arg(long)]
        owner: String,
        /// The session the plan came out of.
        #[arg(long)]
        session: Option<String>,
        #[arg(long)]
        community: Option<String>,
        #[arg(long)]
        problem: Option<String>,
        #[arg(long)]
        objective: Option<String>,
    },
    List {
        #[arg(long)]
        session: Option<SessionId>,
    },
    Show {
        id: PlanId,
    },
    #[command(subcommand)]
    Item(ItemCommand),
}

#[derive(Subcommand)]
enum ItemCommand {
    Add {
        plan: PlanId,
        #[arg(long = "action")]
        description: String,
        #[arg(long)]
        responsible: Option<String>,
        /// YYYY-MM-DD
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        resources: Option<String>,
        #[arg(long)]
        indicator: Option<String>,
    },
    /// Set an item's status: not_started in_progress done blocked
    Status { item: palabre::ItemId, status: String },
}

#[derive(Subcommand)]
enum DeviceCommand {
    Show,
    Rename {
        name: String,
    },
    /// Every device known here: trusted or not, last bundle, gap-free op_seq, missing ranges.
    List,
    /// Trust a device after comparing its fingerprint by phone; merges its held bundles.
    Trust {
        fingerprint: String,
    },
}

/// Runs the command line on this process's arguments.
pub fn main() -> ExitCode {
    main_from(std::env::args_os())
}

/// Runs the command line on `args` (the first is the program name). Usage errors exit with 2.
pub fn main_from(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    let name = command_name(&args);
    let cli = Cli::parse_from(args);
    let json = cli.json;
    match run(cli, &name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if json {
                #[derive(Serialize)]
                struct Failure<'a> {
                    error: ErrorJson<'a>,
                }
                #[derive(Serialize)]
                struct ErrorJson<'a> {
                    code: &'a str,
                    field: Option<&'a str>,
                    message: String,
                }
                let doc = Failure {
                    error: ErrorJson { code: e.code(), field: e.field(), message: e.to_string() },
                };
                show::write_line(format_args!(
                    "{}",
                    serde_json::to_string(&doc).unwrap_or_default()
                ));
            }
            eprintln!("palabre: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, command: &str) -> Result<(), Error> {
    let out = show::Out { json: cli.json };
    // Checking a bundle needs no database.
    match &cli.command {
        Command::Bundle(BundleCommand::Verify { file }) => {
            return out.verified(file, &read_bundle(file)?);
        }
        Command::Bundle(BundleCommand::Inspect { file }) => {
            return out.inspected(&read_bundle(file)?);
        }
        Command::Evidence(EvidenceCommand::Read { files }) => {
            let mut read = Vec::with_capacity(files.len());
            for file in files {
                let bytes = std::fs::read(file)
                    .map_err(|source| Error::Io { path: file.clone(), source })?;
                read.push((file.clone(), Palabre::read_sheet_code(&bytes)?));
            }
            return out.sheet_codes(&read);
        }
        _ => {}
    }
    let db = cli.db.unwrap_or_else(palabre::default_db_path);
    palabre::start_logging(&db, "cli");
    let started = std::time::Instant::now();
    let result = match cli.command {
        // What can be done on a locked database.
        Command::Passphrase(PassphraseCommand::Status) => out.lock_state(&db, Palabre::state(&db)),
        Command::Passphrase(PassphraseCommand::Request { out: dir }) => {
            out.path(&Palabre::write_recovery_request(&db, &dir)?)
        }
        Command::Passphrase(PassphraseCommand::Recover { file, code }) => {
            let code = match code {
                Some(code) => code,
                None => secret("PALABRE_RECOVERY_CODE", "Code read by HQ: ", false)?,
            };
            let new = secret("PALABRE_NEW_PASSPHRASE", "New passphrase: ", true)?;
            let app = Palabre::recover(&db, &file, &code, &new)?;
            out.protection(&app.protection())
        }
        // The current passphrase is asked once: it opens the database and is checked again.
        Command::Passphrase(PassphraseCommand::Change)
            if Palabre::state(&db) == palabre::DatabaseState::Locked =>
        {
            let current = secret("PALABRE_PASSPHRASE", "Current passphrase: ", false)?;
            let app = Palabre::open(&db, &current)?;
            let new = secret("PALABRE_NEW_PASSPHRASE", "New passphrase: ", true)?;
            app.change_passphrase(&current, &new)?;
            out.protection(&app.protection())
        }
        command => open(&db).and_then(|app| run_on(&app, &db, command, &out)),
    };
    // The command's name, the outcome's code and the time: never the arguments (they hold names).
    match &result {
        Ok(()) => tracing::info!(command, ms = started.elapsed().as_millis() as u64, "done"),
        Err(e) => tracing::warn!(command, code = e.code(), "refused"),
    }
    result
}

/// The command as logged: the names of its subcommands as clap defines them (`person add`) —
/// only words of the CLI itself, never an argument (they hold names, phones, paths).
fn command_name(args: &[std::ffi::OsString]) -> String {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut names: Vec<String> = Vec::new();
    for arg in args.iter().skip(1) {
        let arg = arg.to_string_lossy();
        let Some(sub) = command.find_subcommand(arg.as_ref()).cloned() else {
            if names.is_empty() {
                continue; // a global flag or its value, before the command
            }
            break;
        };
        names.push(sub.get_name().to_string());
        command = sub;
    }
    names.join(" ")
}

/// The passphrase of `bundle … --passphrase`: `PALABRE_BUNDLE_PASSPHRASE` when set, else typed
/// on the terminal without echo (twice when choosing one).
fn bundle_passphrase(choosing: bool) -> Result<String, Error> {
    secret("PALABRE_BUNDLE_PASSPHRASE", "Passphrase: ", choosing)
}

/// A secret from the environment variable `var` when set, else typed on the terminal without
/// echo (twice when choosing one).
fn secret(var: &str, prompt: &str, choosing: bool) -> Result<String, Error> {
    if let Some(given) = std::env::var(var).ok().filter(|p| !p.is_empty()) {
        return Ok(given);
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map_err(|_| Error::NoPassphrase { variable: var.to_string() })
    };
    let typed = ask(prompt)?;
    if choosing && ask("Again: ")? != typed {
        return Err(palabre::Invalid::PassphraseMismatch.into());
    }
    Ok(typed)
}

/// Opens the database with its passphrase (`PALABRE_PASSPHRASE`, else typed). A new database,
/// or one an earlier Palabre left unencrypted, gets the passphrase chosen now (typed twice).
fn open(db: &std::path::Path) -> Result<Palabre, Error> {
    let choosing = Palabre::state(db) != palabre::DatabaseState::Locked;
    if choosing && std::env::var_os("PALABRE_PASSPHRASE").is_none() {
        eprintln!(
            "Choose the passphrase that will lock {} (at least {} characters). Without it, or a recovery file from HQ once enrolled, the data cannot be opened.",
            palabre::database_file(db).display(),
            palabre::MIN_DATABASE_PASSPHRASE
        );
    }
    let passphrase = secret("PALABRE_PASSPHRASE", "Passphrase: ", choosing)?;
    Palabre::open(db, &passphrase)
}

fn run_on(
    app: &Palabre,
    db: &std::path::Path,
    command: Command,
    out: &show::Out,
) -> Result<(), Error> {
    match command {
        Command::Init { device_name, facilitator, programme } => {
            let device_name = device_name.unwrap_or_else(default_device_name);
            let set_up = palabre::SetUp { device_name, facilitator, programme, language: None };
            let device = app.set_up(&set_up)?;
            out.device(&device, app.key_path())
        }
        Command::Demo { seed } => out.demo(&app.demo(seed)?, &db),
        Command::Session(command) => match command {
            SessionCommand::Add(flags) => out.id(app.add_session(&flags.input())?),
            SessionCommand::List(flags) => out.sessions(&app.sessions(&flags.filter()?)?),
            SessionCommand::Show { id } => {
                out.session(&app.session(id)?, &app.attendance(id)?, &app.plans(Some(id))?)
            }
            SessionCommand::Edit { id, flags } => {
                app.edit_session(id, &flags.input())?;
                out.session(&app.session(id)?, &app.attendance(id)?, &app.plans(Some(id))?)
            }
            SessionCommand::Delete { id } => out.done(app.delete_session(id)?),
        },
        Command::Person(command) => match command {
            PersonCommand::Add(flags) => {
                let input = flags.input();
                let name = input.full_name.clone().unwrap_or_default();
                let namesakes = app.people_named_like(&name, 5)?;
                out.added_person(app.add_person(&input)?, &namesakes)
            }
            PersonCommand::List { limit, offset } => out.people_page(&app.people(offset, limit)?),
            PersonCommand::Find { query, limit } => out.found(&app.search_people(&query, limit)?),
            PersonCommand::Show { id } => out.person(&app.person(id)?, &app.person_sessions(id)?),
            PersonCommand::Edit { id, flags } => {
                let person = app.edit_person(id, &flags.input())?;
                out.person(&person, &app.person_sessions(id)?)
            }
            PersonCommand::Delete { id } => out.done(app.delete_person(id)?),
            PersonCommand::Erase { id, yes: _ } => {
                let erased = app.erase_person(id)?;
                out.erased(erased)?;
                // Photos of signed sheets may show her name: an erasure cannot blank them.
                let sheets = app.person_sheets(id)?;
                if !sheets.is_empty() && !out.json {
                    eprintln!(
                        "note: {} photo(s) of signed sheets of the sessions this person attended may show the name and signature; erasing cannot blank a photo. Remove them if they must go too (`palabre evidence remove ID`): {}",
                        sheets.len(),
                        sheets.iter().map(|e| e.id.to_string()).collect::<Vec<_>>().join(", ")
                    );
                }
                Ok(())
            }
            PersonCommand::Merge { keep, duplicate, take } => {
                out.merged(&app.merge_people(keep, duplicate, &take)?)
            }
            PersonCommand::Unmerge { duplicate } => out.unmerged(&app.unmerge_person(duplicate)?),
            PersonCommand::Distinct { a, b } => out.done(app.mark_distinct(a, b)?),
            PersonCommand::History => out.merge_history(&app.merge_history()?),
        },
        Command::Attend { session, people } => out.ids(&app.attend(session, &people)?),
        Command::Unattend { session, people } => out.done(app.unattend(session, &people)?),
        Command::Plan(command) => match command {
            PlanCommand::Add { title, owner, session, community, problem, objective } => {
                let input = PlanInput {
                    title: Some(title),
                    owner: Some(owner),
                    session_id: session,
                    community,
                    problem,
                    objective,
                    status: None,
                };
                out.id(app.add_plan(&input)?)
            }
            PlanCommand::List { session } => out.plans(&app.plans(session)?),
            PlanCommand::Show { id } => out.plan(&app.plan(id)?),
            PlanCommand::Item(ItemCommand::Add {
                plan,
                description,
                responsible,
                due,
                resources,
                indicator,
            }) => {
                let input = ItemInput {
                    description: Some(description),
                    responsible,
                    due_date: due,
                    resources,
                    indicator,
                    ..Default::default()
                };
                out.id(app.add_item(plan, &input)?)
            }
            PlanCommand::Item(ItemCommand::Status { item, status }) => {
                out.item(&app.set_item_status(item, &status)?)
            }
        },
        Command::Device(DeviceCommand::Show) => out.device(&app.device()?, app.key_path()),
        Command::Device(DeviceCommand::Rename { name }) => {
            out.device(&app.rename_device(&name)?, app.key_path())
        }
        Command::Device(DeviceCommand::List) => out.devices(&app.devices()?),
        Command::Device(DeviceCommand::Trust { fingerprint }) => {
            out.trusted(&app.trust_device(&fingerprint)?)
        }
        Command::Bundle(BundleCommand::Export { out: path, passphrase, max_size }) => {
            let passphrase = if passphrase { Some(bundle_passphrase(true)?) } else { None };
            let exported = app.export_bundles(&path, passphrase.as_deref(), max_size << 20)?;
            out.exported(&exported, app.hq_status()?.is_hq)
        }
        Command::Evidence(EvidenceCommand::Add { args, page }) => {
            // `add SESSION FILE…` or `add FILE…`: a first argument that is no file is a session.
            let (session, files) = match args.split_first() {
                Some((first, rest))
                    if !rest.is_empty() && !std::path::Path::new(first).exists() =>
                {
                    (Some(first.parse::<SessionId>()?), rest)
                }
                _ => (None, &args[..]),
            };
            let mut paths = Vec::new();
            for file in files.iter().map(PathBuf::from) {
                if file.is_dir() {
                    paths.extend(Palabre::evidence_files_in(&file)?);
                } else {
                    paths.push(file);
                }
            }
            let mut results = Vec::with_capacity(paths.len());
            for path in paths {
                let filed = app.attach_evidence_file(session, page, &path);
                if let Err(e) = &filed
                    && !matches!(
                        e,
                        Error::Photo { .. }
                            | Error::EvidenceOtherSession { .. }
                            | Error::EvidenceUnknownSession
                            | Error::Io { .. }
                    )
                {
                    return Err(filed.unwrap_err());
                }
                results.push((path, filed));
            }
            out.filings(&results)?;
            let left = results
                .iter()
                .filter(|(_, r)| {
                    !matches!(
                        r,
                        Ok(palabre::Filing::Filed { .. } | palabre::Filing::AlreadyAttached { .. })
                    )
                })
                .count();
            if left > 0 {
                return Err(Error::Invalid(palabre::Invalid::UnknownCode {
                    field: "evidence",
                    value: format!("{left} of {} files not attached", results.len()),
                    allowed: "files filed by their code, or given a session: `palabre evidence add SESSION FILE`".into(),
                }));
            }
            Ok(())
        }
        Command::Evidence(EvidenceCommand::List { session }) => {
            out.evidence_list(&app.evidence(session)?)
        }
        Command::Evidence(EvidenceCommand::Save { id, out: path }) => {
            app.save_evidence(id, &path)?;
            out.path(&path)
        }
        Command::Evidence(EvidenceCommand::Remove { id }) => out.done(app.remove_evidence(id)?),
        Command::Bundle(BundleCommand::Import { files, passphrase }) => {
            // A folder (a USB stick) stands for the files in it Palabre imports.
            let mut expanded = Vec::new();
            for file in files {
                if file.is_dir() {
                    expanded.extend(Palabre::bundle_files_in(&file)?);
                } else {
                    expanded.push(file);
                }
            }
            let files = expanded;
            let paths: Vec<&std::path::Path> = files.iter().map(PathBuf::as_path).collect();
            let passphrase = if passphrase { Some(bundle_passphrase(false)?) } else { None };
            // Ctrl-C stops between two files: the one merging finishes, the rest wait. A second
            // Ctrl-C quits at once (SQLite rolls the unfinished file back).
            static STOP: AtomicBool = AtomicBool::new(false);
            let _ = ctrlc::set_handler(|| {
                if STOP.swap(true, Ordering::SeqCst) {
                    std::process::exit(130);
                }
                eprintln!("palabre: stopping after this file (Ctrl-C again to quit now)…");
            });
            // One line per file on a terminal: a hundred files take a while.
            let shown = files.len() > 1 && std::io::stderr().is_terminal();
            let mut progress = |done: usize, total: usize, outcome: &ImportOutcome| {
                if shown {
                    let name = files[done - 1].file_name().unwrap_or_default().to_string_lossy();
                    eprintln!("[{done}/{total}] {name}: {outcome}");
                }
            };
            let imported = app.import_bundle_files_watched(
                &paths,
                passphrase.as_deref(),
                palabre::ImportWatch { progress: &mut progress, stop: &STOP },
            )?;
            let results: Vec<_> = files.iter().cloned().zip(imported.outcomes).collect();
            out.imported(&results)?;
            if imported.stopped {
                return Err(Error::ImportStopped { imported: results.len(), total: files.len() });
            }
            let rejected =
                results.iter().filter(|(_, r)| matches!(r, ImportOutcome::Rejected { .. })).count();
            if rejected > 0 {
                return Err(Error::Invalid(palabre::Invalid::UnknownCode {
                    field: "bundle",
                    value: format!("{rejected} of {} files", results.len()),
                    allowed: "valid bundles only; see the lines above".into(),
                }));
            }
            Ok(())
        }
        Command::Bundle(BundleCommand::Verify { .. } | BundleCommand::Inspect { .. })
        | Command::Evidence(EvidenceCommand::Read { .. }) => {
            unreachable!("handled before the database is opened")
        }
        Command::Sheet { session, out: path, lang, blank_rows } => {
            let lang = language(&app, lang)?;
            app.write_attendance_sheet(session, lang, blank_rows as usize, &path)?;
            out.path(&path)
        }
        Command::Report { from, to, xlsx, csv, excel_fr, lang, names, iati, pdf, place } => {
            use palabre::CsvFlavour;
            let period = palabre::Period::parse(from.as_deref(), to.as_deref())?;
            let names = palabre::NamedList::parse(names.as_deref().unwrap_or_default())?;
            let lang = language(&app, lang)?;
            let place = place.place();
            if let Some(path) = xlsx {
                app.write_report_xlsx(period, &place, lang, names, &path)?;
                out.path(&path)
            } else if let Some(dir) = csv {
                let flavour = if excel_fr { CsvFlavour::ExcelFr } else { CsvFlavour::Standard };
                for file in app.write_report_csv(period, &place, lang, names, &dir, flavour)? {
                    out.path(&file)?;
                }
                Ok(())
            } else if let Some(path) = iati {
                app.write_iati(period, &place, lang, &path)?;
                out.path(&path)
            } else if let Some(path) = pdf {
                app.write_report_pdf(period, &place, lang, &path)?;
                out.path(&path)
            } else {
                out.report(&app.report_in(period, &place, lang)?)
            }
        }
        Command::Indicator(IndicatorCommand::List) => out.indicators(&app.indicators()?),
        Command::Indicator(IndicatorCommand::Set {
            code,
            label_fr,
            label_en,
            measure,
            group,
            by,
            baseline,
            baseline_year,
            vocabulary,
            position,
        }) => {
            let input = palabre::IndicatorInput {
                code,
                vocabulary,
                label_fr,
                label_en,
                measure,
                group,
                disaggregations: by.map(|b| b.split(',').map(str::to_string).collect()),
                baseline,
                baseline_year,
                position,
            };
            out.indicators(&[app.save_indicator(&input)?])
        }
        Command::Indicator(IndicatorCommand::Target { code, period, value, remove }) => {
            let value = if remove { None } else { value };
            out.indicators(&[app.set_indicator_target(&code, &period, value)?])
        }
        Command::Indicator(IndicatorCommand::Remove { code }) => {
            app.remove_indicator(&code)?;
            out.done(())
        }
        Command::Indicator(IndicatorCommand::Progress { from, to, lang, place }) => {
            let period = palabre::Period::parse(from.as_deref(), to.as_deref())?;
            let lang = language(&app, lang)?;
            out.progress(&app.progress(period, &place.place(), lang)?)
        }
        Command::Settings { facilitator, programme, language, iati_org, iati_activity } => {
            use palabre::Setting;
            for (setting, value) in [
                (Setting::Facilitator, facilitator),
                (Setting::Programme, programme),
                (Setting::Language, language),
                (Setting::IatiOrg, iati_org),
                (Setting::IatiActivity, iati_activity),
            ] {
                if let Some(value) = value {
                    app.set_setting(setting, &value)?;
                }
            }
            let mut shown = serde_json::Map::new();
            for (name, setting) in [
                ("facilitator", Setting::Facilitator),
                ("programme", Setting::Programme),
                ("language", Setting::Language),
                ("iati_org", Setting::IatiOrg),
                ("iati_activity", Setting::IatiActivity),
            ] {
                shown.insert(name.into(), app.setting(setting)?.unwrap_or_default().into());
            }
            out.settings(&shown)
        }
        Command::Orphans => out.orphans(&app.orphans()?),
        Command::Diagnostics { out: None } => show::print_json(&app.diagnostics()?),
        Command::Diagnostics { out: Some(path) } => {
            app.write_diagnostics(&path)?;
            out.path(&path)
        }
        Command::Hq(HqCommand::Init { out: dir, programme }) => {
            out.hq_keys(&app.hq_init(&dir, programme.as_deref())?)
        }
        Command::Hq(HqCommand::Ack { out: dir, device, per_device }) => {
            out.acks(&app.hq_ack(&dir, device.as_deref(), per_device)?)
        }
        Command::Hq(HqCommand::Status) => out.hq_status(&app.hq_status()?),
        Command::Hq(HqCommand::Migrate { to }) => out.migrated(&app.hq_migrate(&to)?),
        Command::Hq(HqCommand::Join { keys }) => {
            let fingerprint = app.hq_join(&keys)?;
            out.line(
                &serde_json::json!({ "hq_fingerprint": fingerprint, "keys": keys }),
                &format!(
                    "this desk now works as HQ {fingerprint}, with the keys in {}",
                    keys.display()
                ),
            )
        }
        Command::Hq(HqCommand::Registry { device, scope, out: dir }) => {
            out.downlink(&app.hq_registry(&device, &scope.scope(), &dir)?)
        }
        Command::Hq(HqCommand::Lost { device }) => out.lost(&app.hq_lost(&device)?),
        Command::Hq(HqCommand::Found { device }) => {
            let found = app.hq_found(&device)?;
            out.line(
                &found,
                &format!(
                    "{} ({}) is no longer declared lost; trust it to merge what it sent",
                    found.name, found.fingerprint
                ),
            )
        }
        Command::Hq(HqCommand::Restore { device, replaces, scope, out: dir }) => {
            out.downlink(&app.hq_restore(&device, &replaces, &scope.scope(), &dir)?)
        }
        Command::Hq(HqCommand::Held) => out.held(&app.held_bundles()?),
        Command::Hq(HqCommand::Release { bundle }) => {
            let outcome = app.release_held_bundle(&bundle)?;
            out.imported(&[(PathBuf::from(&bundle), outcome)])
        }
        Command::Hq(HqCommand::Recovery { request, out: dir }) => {
            out.recovery_made(&app.hq_answer_recovery(&request, &dir)?)
        }
        Command::Passphrase(PassphraseCommand::Change) => {
            let current = secret("PALABRE_PASSPHRASE", "Current passphrase: ", false)?;
            let new = secret("PALABRE_NEW_PASSPHRASE", "New passphrase: ", true)?;
            app.change_passphrase(&current, &new)?;
            out.protection(&app.protection())
        }
        Command::Passphrase(_) => unreachable!("handled before the database is opened"),
        Command::Backup { out: Some(file) } => out.path(&app.backup_to(&file)?),
        Command::Backup { out: None } => match app.auto_backup("manual")? {
            Some(backup) => out.path(&backup.path),
            None => out.done(()),
        },
        Command::Backups => out.backups(&app.backups()?),
        Command::Restore { file } => out.restored(&app.restore(&file)?),
        Command::Enroll { file } => out.enrolled(&app.enroll_file(&file)?),
        Command::Duplicates { limit } => out.duplicates(&app.duplicates(limit)?),
        Command::Conflicts { action: None } => out.conflicts(&app.conflicts()?),
        Command::Conflicts {
            action: Some(ConflictCommand::Resolve { entity, row, field, value }),
        } => {
            let entity = Entity::parse(&entity).ok_or_else(|| palabre::Invalid::UnknownCode {
                field: "entity",
                value: entity.clone(),
                allowed: "session, person, attendance, plan, item".into(),
            })?;
            let value: serde_json::Value =
                serde_json::from_str(&value).map_err(|_| palabre::Invalid::UnknownCode {
                    field: "value",
                    value: value.clone(),
                    allowed: "a JSON value such as \"text\", true or 2024".into(),
                })?;
            out.done(app.resolve_conflict(entity, row, &field, &value)?)
        }
    }
}

/// The language asked for, else the app's.
fn language(app: &Palabre, code: Option<String>) -> Result<palabre::Lang, Error> {
    match code {
        Some(code) => palabre::parse_language(&code),
        None => app.language(),
    }
}

/// Reads and checks a bundle file for `verify` and `inspect`.
fn read_bundle(file: &std::path::Path) -> Result<palabre::Bundle, Error> {
    let bytes =
        std::fs::read(file).map_err(|source| Error::Io { path: file.to_path_buf(), source })?;
    Palabre::verify_bundle(&bytes)
        .map_err(|rejection| Error::Rejected { file: file.to_path_buf(), rejection })
}

/// The machine's host name, a sensible first device name.
fn default_device_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "Palabre".to_string())
}
