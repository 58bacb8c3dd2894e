//! The core's errors. Every error has a stable `code()` that the UI and scripts switch on; the
//! `Display` text is for people: it says what was wrong and what to do about it.

use std::path::PathBuf;

/// Why a bundle (or an acknowledgement) was refused: what exchange reports per file. Nothing is written when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error(
        "the file is {size} bytes, more than a bundle may be ({max} bytes). Check that it is a Palabre bundle"
    )]
    TooLarge { size: u64, max: u64 },
    #[error("it is not a Palabre bundle (not a zip file). Check the file, or ask for a new export")]
    NotAZip,
    #[error("it is encrypted to HQ; only a database enrolled as HQ can open it")]
    Encrypted,
    #[error(
        "its contents are not a bundle's ({reason}). It may be damaged or altered; ask the facilitator to export again"
    )]
    Contents { reason: String },
    #[error(
        "its manifest is unreadable ({reason}). It may be damaged or altered; ask the facilitator to export again"
    )]
    Manifest { reason: String },
    #[error(
        "its signature does not match device '{device}' (fingerprint {fingerprint}): {reason}. It may have been altered; ask the facilitator to export again"
    )]
    Signature { device: String, fingerprint: String, reason: String },
    #[error(
        "{entry} does not match its checksum in the manifest. It was damaged or altered; ask the facilitator to export again"
    )]
    Checksum { entry: String },
    #[error(
        "change {line} of the bundle is invalid ({reason}). Ask the facilitator to export again"
    )]
    Op { line: usize, reason: String },
    #[error(
        "it is signed by device '{device}' with a key that differs from the one this database knows (fingerprint {known}, bundle {presented}). Someone may be impersonating that laptop; check with its facilitator before doing anything"
    )]
    KeyChanged { device: String, known: String, presented: String },
    #[error(
        "device '{device}' signed two different changes numbered {op_seq} (a fork: its database was copied or restored). Nothing from this bundle was merged; call the facilitator"
    )]
    Fork { device: String, op_seq: i64 },
    #[error(
        "it was made by a newer Palabre (schema {found}, this one knows {supported}). Update Palabre, then import it again"
    )]
    Newer { found: i64, supported: i64 },
    #[error("it cannot be read ({reason})")]
    Unreadable { reason: String },
    #[error(
        "it is encrypted to another HQ key than this database's. Check that it was exported for this programme's HQ"
    )]
    Undecryptable,
    #[error(
        "it is locked with a passphrase. Ask the person who exported it for the passphrase and import it again with it"
    )]
    NeedsPassphrase,
    #[error(
        "it comes from {device}, a laptop not trusted here yet, and carries changes about a person erased here at their request, so it cannot be held until trusted. Compare the fingerprint {fingerprint} by phone, trust the laptop, then import the file again"
    )]
    AboutErased { device: String, fingerprint: String },
    #[error(
        "the passphrase does not open it. Check it with the person who exported it (letters, capitals and spaces count); nothing was imported"
    )]
    WrongPassphrase,
    #[error("it is not a valid HQ acknowledgement ({reason}). Ask HQ for a new one")]
    BadAck { reason: String },
    #[error(
        "it is not signed by the HQ this laptop is enrolled with (fingerprint {fingerprint}). Nothing changed; ask HQ for a new acknowledgement"
    )]
    AckNotFromHq { fingerprint: String },
    #[error(
        "it is older than an acknowledgement already imported here (number {serial}; the last was {last}). Nothing changed"
    )]
    AckReplayed { serial: i64, last: i64 },
    #[error(
        "it acknowledges change {acked}, but this laptop has written only {written}: it does not describe this laptop's data. Nothing changed; call HQ"
    )]
    AckTooHigh { acked: i64, written: i64 },
    #[error("it acknowledges other laptops' changes, not this one's. Nothing changed")]
    AckOtherLaptop,
    #[error(
        "it is a file from HQ, but this laptop is not enrolled with an HQ. Enrol first (Settings → Enrol with HQ, or `palabre enroll FILE`)"
    )]
    NotEnrolled,
    #[error(
        "it is encrypted for another computer (HQ, or another laptop), not for this one. If it is a registry or restore file from HQ, ask HQ for one written for this laptop (its fingerprint is in Settings, or `palabre device show`)"
    )]
    SealedForAnother,
    #[error(
        "it is not a valid registry file from HQ ({reason}). Nothing changed; ask HQ to write it again"
    )]
    BadRegistry { reason: String },
    #[error(
        "it is not signed by the HQ this laptop is enrolled with (fingerprint {fingerprint}): it may come from another programme, or have been altered. Nothing changed; ask your HQ for the file"
    )]
    RegistryNotFromHq { fingerprint: String },
    #[error(
        "it was written for another laptop ({name}, fingerprint {fingerprint}), not this one. Nothing changed; ask HQ for a file written for this laptop"
    )]
    RegistryOtherLaptop { name: String, fingerprint: String },
    #[error(
        "it is older than a file from HQ already imported here (number {serial}; the last was {last}). Nothing changed; the newer one is already applied"
    )]
    RegistryReplayed { serial: i64, last: i64 },
    #[error(
        "it attaches a sheet (file {short}…) that it does not carry and that this database does not hold. Nothing was merged; ask the facilitator to export again"
    )]
    EvidenceMissing { short: String },
    #[error(
        "the attached sheet {entry} is refused ({reason}). Nothing was merged; ask the facilitator to check that sheet and export again"
    )]
    BadEvidence { entry: String, reason: String },
}

impl Rejection {
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::TooLarge { .. } => "too_large",
            Rejection::NotAZip => "not_a_bundle",
            Rejection::Encrypted => "encrypted",
            Rejection::Contents { .. } => "bad_contents",
            Rejection::Manifest { .. } => "bad_manifest",
            Rejection::Signature { .. } => "bad_signature",
            Rejection::Checksum { .. } => "bad_checksum",
            Rejection::Op { .. } => "bad_op",
            Rejection::KeyChanged { .. } => "key_changed",
            Rejection::Fork { .. } => "fork",
            Rejection::Newer { .. } => "newer_format",
            Rejection::Unreadable { .. } => "unreadable",
            Rejection::Undecryptable => "undecryptable",
            Rejection::NeedsPassphrase => "needs_passphrase",
            Rejection::AboutErased { .. } => "about_erased",
            Rejection::WrongPassphrase => "wrong_passphrase",
            Rejection::BadAck { .. } => "bad_ack",
            Rejection::AckNotFromHq { .. } => "ack_not_from_hq",
            Rejection::AckReplayed { .. } => "ack_replayed",
            Rejection::AckTooHigh { .. } => "ack_too_high",
            Rejection::AckOtherLaptop => "ack_other_laptop",
            Rejection::NotEnrolled => "not_enrolled",
            Rejection::SealedForAnother => "sealed_for_another",
            Rejection::BadRegistry { .. } => "bad_registry",
            Rejection::RegistryNotFromHq { .. } => "registry_not_from_hq",
            Rejection::RegistryOtherLaptop { .. } => "registry_other_laptop",
            Rejection::RegistryReplayed { .. } => "registry_replayed",
            Rejection::EvidenceMissing { .. } => "evidence_missing",
            Rejection::BadEvidence { .. } => "bad_evidence",
        }
    }
}

/// A value a person typed that the core refuses. Nothing is written when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("The {field} is empty. Fill it in and save again.")]
    Empty { field: &'static str },
    #[error(
        "The {field} is too long ({len} characters; at most {max}). Shorten it and save again."
    )]
    TooLong { field: &'static str, len: usize, max: usize },
    #[error("'{value}' is not a valid {field}. Use one of: {allowed}.")]
    UnknownCode { field: &'static str, value: String, allowed: String },
    #[error("'{value}' is not a valid date for {field}. Write it as YYYY-MM-DD, e.g. 2024-03-15.")]
    Date { field: &'static str, value: String },
    #[error("The end date {end} is before the start date {start}. Correct one of them.")]
    EndBeforeStart { start: String, end: String },
    #[error(
        "Birth year {year} is not possible. Give a year between {min} and {max}, or leave it empty."
    )]
    BirthYear { year: i32, min: i32, max: i32 },
    #[error("Age {age} is not possible. Give an age between 0 and {max}, or leave it empty.")]
    Age { age: i32, max: i32 },
    #[error("Give either a birth year or an age, not both.")]
    BirthYearAndAge,
    #[error("'{value}' is not a phone number. Use digits, spaces and an optional leading +.")]
    Phone { value: String },
    #[error("{value} is not possible for {field}: give a number from {min} to {max}.")]
    Range { field: &'static str, value: i64, min: i64, max: i64 },
    #[error("'{value}' is not a valid id. Copy the id from `palabre {entity} list`.")]
    Id { entity: &'static str, value: String },
    #[error(
        "The session '{title}' is cancelled; attendance cannot be recorded. Set its status to planned or held first."
    )]
    SessionCancelled { title: String },
    #[error(
        "'{value}' is not a valid Washington Group answer. Use DOMAIN=LEVEL with a domain among {domains} and a level from 1 (no difficulty) to 4 (cannot do at all)."
    )]
    Disability { value: String, domains: String },
    #[error("A person cannot be merged with themself. Pick two different people.")]
    SamePerson,
    #[error(
        "'{name}' is already merged into '{into}'. Merge into '{into}' instead, or unmerge '{name}' first."
    )]
    AlreadyMerged { name: String, into: String },
    #[error("'{name}' is not merged into anyone; there is no merge to undo.")]
    NotMerged { name: String },
    #[error(
        "This person was erased at their request: the record keeps only what the counts need and cannot be changed, merged or added to a session."
    )]
    Erased,
    #[error(
        "The passphrase is too short ({len} characters): use at least {min}, e.g. a few words."
    )]
    PassphraseTooShort { len: usize, min: usize },
    #[error(
        "This laptop is enrolled with HQ: its bundles are already encrypted so that only HQ can read them. Export without a passphrase."
    )]
    PassphraseNotNeeded,
    #[error("The two passphrases differ. Type the same one twice.")]
    PassphraseMismatch,
}

impl Invalid {
    /// Stable code for the UI. Codes never change once shipped.
    pub fn code(&self) -> &'static str {
        match self {
            Invalid::Empty { .. } => "empty_field",
            Invalid::TooLong { .. } => "too_long",
            Invalid::UnknownCode { field, .. } => match *field {
                "sex" => "invalid_sex",
                "kind" => "invalid_kind",
                "stakeholder group" => "invalid_group",
                "indicator code" => "invalid_indicator_code",
                "target period" => "invalid_target_period",
                "disaggregation" => "invalid_breakdown",
                "iati_org" | "iati_activity" | "IATI activity identifier" => "invalid_iati_id",
                "status" => "invalid_status",
                "role" => "invalid_role",
                _ => "invalid_code",
            },
            Invalid::Date { .. } => "invalid_date",
            Invalid::EndBeforeStart { .. } => "end_before_start",
            Invalid::BirthYear { .. } => "birth_year_out_of_range",
            Invalid::Age { .. } => "age_out_of_range",
            Invalid::BirthYearAndAge => "birth_year_and_age",
            Invalid::Phone { .. } => "invalid_phone",
            Invalid::Id { .. } => "invalid_id",
            Invalid::SessionCancelled { .. } => "session_cancelled",
            Invalid::Disability { .. } => "invalid_disability",
            Invalid::Range { .. } => "out_of_range",
            Invalid::SamePerson => "same_person",
            Invalid::AlreadyMerged { .. } => "already_merged",
            Invalid::NotMerged { .. } => "not_merged",
            Invalid::Erased => "person_erased",
            Invalid::PassphraseTooShort { .. } => "passphrase_too_short",
            Invalid::PassphraseNotNeeded => "passphrase_not_needed",
            Invalid::PassphraseMismatch => "passphrase_mismatch",
        }
    }

    /// The numbers a message needs (the limit, the allowed range, what was given), so that a
    /// translated message can say "between 0 and 1,000" rather than "out of range".
    pub fn details(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Invalid::TooLong { len, max, .. } => json!({ "len": len, "max": max }),
            Invalid::Range { value, min, max, .. } => {
                json!({ "value": value, "min": min, "max": max })
            }
            Invalid::BirthYear { year, min, max } => {
                json!({ "value": year, "min": min, "max": max })
            }
            Invalid::Age { age, max } => json!({ "value": age, "min": 0, "max": max }),
            Invalid::PassphraseTooShort { len, min } => json!({ "len": len, "min": min }),
            // The codes one may choose from (never the value typed, which may be personal).
            Invalid::UnknownCode { allowed, .. } => json!({ "allowed": allowed }),
            _ => serde_json::Value::Null,
        }
    }

    /// The form field the error belongs to, when there is one (for inline messages).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Invalid::Empty { field }
            | Invalid::TooLong { field, .. }
            | Invalid::UnknownCode { field, .. }
            | Invalid::Date { field, .. } => Some(field),
            Invalid::EndBeforeStart { .. } => Some("end date"),
            Invalid::BirthYear { .. } | Invalid::BirthYearAndAge => Some("birth year"),
            Invalid::Age { .. } => Some("age"),
            Invalid::Phone { .. } => Some("phone"),
            Invalid::Disability { .. } => Some("disability"),
            Invalid::Range { field, .. } => Some(field),
            Invalid::Id { .. }
            | Invalid::SessionCancelled { .. }
            | Invalid::SamePerson
            | Invalid::AlreadyMerged { .. }
            | Invalid::NotMerged { .. }
            | Invalid::Erased
            | Invalid::PassphraseNotNeeded => None,
            Invalid::PassphraseTooShort { .. } => Some("passphrase"),
            Invalid::PassphraseMismatch => Some("passphrase_again"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(
        "No {entity} with id {id}. It may have been deleted; list them with `palabre {entity} list`."
    )]
    NotFound { entity: &'static str, id: String },
    #[error(
        "This database has no device identity yet. Run `palabre init --device-name NAME` first."
    )]
    NotInitialized,
    #[error("This database is already set up as device '{name}'. Nothing was changed.")]
    AlreadyInitialized { name: String },
    #[error(
        "The demo programme can only be built in an empty database, and this one already holds {rows} records. Use a new --db path."
    )]
    NotEmpty { rows: i64 },
    #[error(
        "Import stopped: {imported} of {total} files imported, each whole; the others were not touched. Import them again to continue (files already imported are recognised)."
    )]
    ImportStopped { imported: usize, total: usize },
    #[error(
        "Only HQ changes {what}: laptops receive HQ's version in their registry files. Ask HQ to make the change."
    )]
    HqOnly { what: &'static str },
    #[error(
        "This database was written by a newer version of Palabre (schema {found}; this version knows up to {supported}). Install the newer Palabre; the file was not changed."
    )]
    SchemaTooNew { found: i64, supported: i64 },
    #[error("{path} is not a Palabre database ({reason}). Check the --db path.")]
    NotADatabase { path: PathBuf, reason: String },
    #[error(
        "{} is a backup of another computer (device {theirs}); this one is {ours}. Restore a backup of this computer, listed in Settings → Backups; nothing was changed.",
        path.display()
    )]
    OtherComputer { path: PathBuf, theirs: String, ours: String },
    #[error(
        "{} was made before this computer was set up, so it has no identity; restoring it would cut this laptop off from HQ. Choose a later backup; nothing was changed.",
        path.display()
    )]
    BackupBeforeSetUp { path: PathBuf },
    #[error(
        "The device key file {path} is unusable: {reason}. Restore it from a backup; without it this laptop cannot sign bundles."
    )]
    KeyFile { path: PathBuf, reason: String },
    #[error(
        "This passphrase does not open {}. Check Caps Lock and the keyboard layout, and type it again; if it is forgotten, ask HQ for a recovery file. Nothing was changed.",
        path.display()
    )]
    WrongPassphrase { path: PathBuf },
    #[error(
        "The database key file {} is unusable: {reason}. Nothing was changed.",
        path.display()
    )]
    DatabaseKey { path: PathBuf, reason: String },
    #[error(
        "No passphrase was given and there is no terminal to type it in: set {variable} (for scripts) or run the command in a terminal. Nothing was changed."
    )]
    NoPassphrase { variable: String },
    #[error("Recovery refused: {reason}. Nothing was changed.")]
    Recovery { reason: String },
    #[error(
        "This laptop has no copy of its key sealed to HQ yet (it is made when the laptop is enrolled with HQ), so HQ cannot help recover it. Nothing was changed."
    )]
    NoRecovery,
    #[error("Cannot use {path}: {source}. Check that the folder exists and is writable.")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("Bundle {} rejected: {rejection}.", file.display())]
    Rejected { file: PathBuf, rejection: Rejection },
    #[error("A change record was refused: {reason}.")]
    BadOp { reason: String },
    #[error(
        "The HQ enrollment file was refused: {reason}. Ask HQ for the file again; nothing was changed."
    )]
    Enrollment { reason: String },
    #[error(
        "This database is not HQ's: run `palabre hq init --out DIR` on HQ's computer first. Nothing was written."
    )]
    NotHq,
    #[error(
        "The laptop '{name}' ({fingerprint}) was declared lost on {lost_at}: its key is no longer trusted here. Nothing was changed; its held files are listed by `palabre hq held`."
    )]
    DeviceLost { name: String, fingerprint: String, lost_at: String },
    #[error("{what}. Nothing was written.")]
    NeedsScope { what: String },
    #[error("This photo or scan was refused: {reason}. Nothing was stored.")]
    Photo { reason: String },
    /// A sheet's code names a session other than the one it was being attached to.
    #[error(
        "This sheet's code says it is page {page} of another session ('{title}'). Attach it to that session, or photograph the right sheet. Nothing was stored."
    )]
    EvidenceOtherSession { title: String, page: i64 },
    /// A sheet's code names a session this database does not hold.
    #[error(
        "This sheet's code names a session that is not in this database: a sheet of another programme, or of a laptop whose files have not arrived yet. Nothing was stored."
    )]
    EvidenceUnknownSession,
    #[error(
        "The laptop '{name}' ({fingerprint}) is not trusted here yet: compare its fingerprint with its facilitator by phone and trust it first. Nothing was written."
    )]
    NotTrusted { name: String, fingerprint: String },
    #[error(
        "The new laptop and the one it replaces are the same device. Set up the new laptop, bring its first bundle (even empty) here and import it, then restore for it. Nothing was written."
    )]
    SameLaptop,
    #[error(
        "The database is busy: another program is writing to it (another Palabre, a backup or sync tool). Close it and try again; nothing was changed."
    )]
    Locked,
    #[error(
        "The disk is full: the change could not be saved. Free some space (delete old exports or files) and try again; nothing was changed."
    )]
    DiskFull,
    #[error(
        "The database cannot be written: its folder or file is read-only, or the disk was removed. Move it to a folder you can write to, or fix its permissions; nothing was changed."
    )]
    ReadOnly,
    #[error(
        "HQ's database server {server} could not be used: {reason}. Nothing was written. Check this computer's connection to the server, or ask the programme's IT person."
    )]
    HqServer { server: String, reason: String },
    #[error("Database error: {0}. Nothing was changed.")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for Error {
    /// The failures a facilitator can do something about get their own code and advice.
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::*;
        match e.sqlite_error_code() {
            Some(DatabaseBusy | DatabaseLocked) => Error::Locked,
            Some(DiskFull) => Error::DiskFull,
            Some(ReadOnly | CannotOpen) => Error::ReadOnly,
            _ => Error::Sqlite(e),
        }
    }
}

impl Error {
    /// Stable code for the UI and for `--json` error output.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid(invalid) => invalid.code(),
            Error::NotFound { .. } => "not_found",
            Error::NotInitialized => "not_initialized",
            Error::AlreadyInitialized { .. } => "already_initialized",
            Error::NotEmpty { .. } => "database_not_empty",
            Error::ImportStopped { .. } => "import_stopped",
            Error::HqOnly { .. } => "hq_only",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::NotADatabase { .. } => "not_a_database",
            Error::OtherComputer { .. } => "other_computer",
            Error::BackupBeforeSetUp { .. } => "backup_before_set_up",
            Error::KeyFile { .. } => "key_file",
            Error::WrongPassphrase { .. } => "wrong_passphrase",
            Error::DatabaseKey { .. } => "database_key",
            Error::Recovery { .. } => "bad_recovery",
            Error::NoPassphrase { .. } => "no_passphrase",
            Error::NoRecovery => "no_recovery",
            Error::Io { .. } => "io",
            Error::BadOp { .. } => "bad_op",
            Error::Enrollment { .. } => "bad_enrollment",
            Error::NotHq => "not_hq",
            Error::DeviceLost { .. } => "device_lost",
            Error::NeedsScope { .. } => "needs_scope",
            Error::Photo { .. } => "bad_photo",
            Error::EvidenceOtherSession { .. } => "evidence_other_session",
            Error::EvidenceUnknownSession => "evidence_unknown_session",
            Error::NotTrusted { .. } => "not_trusted",
            Error::SameLaptop => "same_laptop",
            Error::Rejected { .. } => "bundle_rejected",
            Error::Locked => "database_locked",
            Error::DiskFull => "disk_full",
            Error::ReadOnly => "read_only",
            Error::HqServer { .. } => "hq_server",
            Error::Sqlite(_) => "storage",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            Error::Invalid(invalid) => invalid.field(),
            Error::WrongPassphrase { .. } => Some("passphrase"),
            _ => None,
        }
    }

    /// See [`Invalid::details`]; null for other errors.
    pub fn details(&self) -> serde_json::Value {
        match self {
            Error::Invalid(invalid) => invalid.details(),
            _ => serde_json::Value::Null,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every code `Error::code()` can return; the UI has a message for each (tests/i18n.rs).
pub const CODES: &[&str] = &[
    "empty_field",
    "too_long",
    "invalid_sex",
    "invalid_kind",
    "invalid_group",
    "invalid_indicator_code",
    "invalid_target_period",
    "invalid_breakdown",
    "invalid_iati_id",
    "invalid_status",
    "invalid_role",
    "invalid_code",
    "invalid_date",
    "end_before_start",
    "birth_year_out_of_range",
    "age_out_of_range",
    "birth_year_and_age",
    "invalid_phone",
    "invalid_id",
    "session_cancelled",
    "invalid_disability",
    "out_of_range",
    "same_person",
    "already_merged",
    "not_merged",
    "person_erased",
    "passphrase_too_short",
    "passphrase_not_needed",
    "passphrase_mismatch",
    "not_found",
    "not_initialized",
    "already_initialized",
    "database_not_empty",
    "import_stopped",
    "hq_only",
    "schema_too_new",
    "not_a_database",
    "other_computer",
    "backup_before_set_up",
    "key_file",
    "wrong_passphrase",
    "database_key",
    "bad_recovery",
    "no_passphrase",
    "no_recovery",
    "io",
    "bad_op",
    "bad_enrollment",
    "not_hq",
    "device_lost",
    "needs_scope",
    "bad_photo",
    "evidence_other_session",
    "evidence_unknown_session",
    "not_trusted",
    "same_laptop",
    "bundle_rejected",
    "database_locked",
    "disk_full",
    "read_only",
    "hq_server",
    "storage",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// One value of every variant: each code is listed in CODES.
    #[test]
    fn codes_lists_every_code() {
        let invalid = [
            Invalid::Empty { field: "name" },
            Invalid::TooLong { field: "name", len: 2, max: 1 },
            Invalid::UnknownCode { field: "sex", value: String::new(), allowed: String::new() },
            Invalid::UnknownCode { field: "kind", value: String::new(), allowed: String::new() },
            Invalid::UnknownCode {
                field: "stakeholder group",
                value: String::new(),
                allowed: String::new(),
            },
            Invalid::UnknownCode { field: "status", value: String::new(), allowed: String::new() },
            Invalid::UnknownCode {
                field: "indicator code",
                value: String::new(),
                allowed: String::new(),
            },
            Invalid::UnknownCode {
                field: "target period",
                value: String::new(),
                allowed: String::new(),
            },
            Invalid::UnknownCode {
                field: "disaggregation",
                value: String::new(),
                allowed: String::new(),
            },
            Invalid::UnknownCode {
                field: "iati_org",
                value: String::new(),
                allowed: String::new(),
            },
            Invalid::UnknownCode { field: "role", value: String::new(), allowed: String::new() },
            Invalid::UnknownCode {
                field: "language",
                value: String::new(),
                allowed: String::new(),
            },
            Invalid::Date { field: "date", value: String::new() },
            Invalid::EndBeforeStart { start: String::new(), end: String::new() },
            Invalid::BirthYear { year: 0, min: 0, max: 0 },
            Invalid::Age { age: 0, max: 0 },
            Invalid::BirthYearAndAge,
            Invalid::Phone { value: String::new() },
            Invalid::Id { entity: "person", value: String::new() },
            Invalid::SessionCancelled { title: String::new() },
            Invalid::Disability { value: String::new(), domains: String::new() },
            Invalid::Range { field: "blank rows", value: 0, min: 0, max: 0 },
            Invalid::SamePerson,
            Invalid::AlreadyMerged { name: String::new(), into: String::new() },
            Invalid::NotMerged { name: String::new() },
            Invalid::Erased,
            Invalid::PassphraseTooShort { len: 1, min: 8 },
            Invalid::PassphraseNotNeeded,
            Invalid::PassphraseMismatch,
        ];
        let path = std::path::PathBuf::new();
        let io = || std::io::Error::other("x");
        let errors = [
            Error::NotFound { entity: "person", id: String::new() },
            Error::NotInitialized,
            Error::AlreadyInitialized { name: String::new() },
            Error::NotEmpty { rows: 1 },
            Error::ImportStopped { imported: 1, total: 2 },
            Error::HqOnly { what: "the indicator catalogue" },
            Error::SchemaTooNew { found: 2, supported: 1 },
            Error::NotADatabase { path: path.clone(), reason: String::new() },
            Error::OtherComputer { path: path.clone(), theirs: String::new(), ours: String::new() },
            Error::BackupBeforeSetUp { path: path.clone() },
            Error::KeyFile { path: path.clone(), reason: String::new() },
            Error::WrongPassphrase { path: path.clone() },
            Error::DatabaseKey { path: path.clone(), reason: String::new() },
            Error::Recovery { reason: String::new() },
            Error::NoPassphrase { variable: String::new() },
            Error::NoRecovery,
            Error::Io { path, source: io() },
            Error::BadOp { reason: String::new() },
            Error::Enrollment { reason: String::new() },
            Error::NotHq,
            Error::DeviceLost {
                name: String::new(),
                fingerprint: String::new(),
                lost_at: String::new(),
            },
            Error::NeedsScope { what: String::new() },
            Error::Photo { reason: String::new() },
            Error::EvidenceOtherSession { title: String::new(), page: 1 },
            Error::EvidenceUnknownSession,
            Error::NotTrusted { name: String::new(), fingerprint: String::new() },
            Error::SameLaptop,
            Error::Rejected { file: PathBuf::new(), rejection: Rejection::NotAZip },
            Error::Locked,
            Error::DiskFull,
            Error::ReadOnly,
            Error::HqServer { server: String::new(), reason: String::new() },
            Error::Sqlite(rusqlite::Error::InvalidQuery),
        ];
        let mut seen: Vec<&str> = invalid.iter().map(Invalid::code).collect();
        seen.extend(errors.iter().map(Error::code));
        for code in &seen {
            assert!(CODES.contains(code), "{code} is missing from CODES");
        }
        for code in CODES {
            assert!(seen.contains(code), "{code} is listed but never returned");
        }
    }
}
