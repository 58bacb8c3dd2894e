//! What Palabre keeps about itself, in the `settings` table: every key in one typed list,
//! documented once, with the one SELECT and the one upsert on it. The modules that own a key
//! read and write it through [`Key`]; no other code names a key by its text.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// Every key of the `settings` table. None of them is synced: each laptop keeps its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    // The facilitator's choices (Settings screen, `palabre settings`).
    /// The facilitator new sessions get by default.
    Facilitator,
    /// The programme name printed on sheets and reports.
    Programme,
    /// The language of the interface and the documents ("fr" or "en", see `i18n::Lang`).
    Language,

    // The journal's own bookkeeping.
    /// The hybrid logical clock's last value, so it never runs backwards across restarts.
    Hlc,
    /// The lowest op_seq this device may use next: raised by a restore so that ops already sent
    /// from a newer copy of the database are never numbered again.
    OpSeqFloor,
    /// Set ("1") when an erasure was applied: the copies outside the live tables (automatic
    /// backups, bundles held in quarantine) still have to be scrubbed, which is done after the
    /// commit, or at the next start if the app stopped before.
    ScrubCopies,

    // Exchange: what this laptop has sent and what HQ has confirmed.
    /// The number of the last bundle written (bundles are numbered 1, 2, 3…).
    BundleSeq,
    /// The SHA-256 of the last bundle's manifest, chained into the next one.
    PrevBundleHash,
    /// The highest op_seq of this device written to any bundle.
    ExportedSeq,
    /// When the last bundle was written (RFC 3339).
    LastExportAt,
    /// The highest op_seq HQ has acknowledged: the next bundle starts after it.
    AckedSeq,
    /// The serial of the last acknowledgement applied (older ones are refused).
    AckSerial,
    /// When HQ issued the last acknowledgement applied.
    AckedAt,
    /// The date of the newest change HQ had from this laptop when it acknowledged.
    AckedUntil,
    /// HQ's enrollment (JSON): its public keys, fingerprint and programme.
    Enrollment,
    /// The serial of the last registry bundle from HQ applied here (older ones, and the same
    /// one again, are refused).
    RegistrySerial,
    /// The serial of the last restore bundle from HQ applied here.
    RestoreSerial,

    // HQ only.
    /// The serial of the last document this HQ issued (acknowledgements, registry and restore
    /// bundles share the one counter).
    IssuedSerial,
    /// The folder holding HQ's secret keys.
    HqDir,
    /// The IATI identifier of the programme's activity, for the results export.
    IatiActivity,
    /// The IATI organisation identifier of the reporting organisation.
    IatiOrg,

    // An HQ desk on a shared server (issue 23).
    /// The PostgreSQL connection string of the server this database is a replica of.
    SharedServer,
    /// The server's position this replica has seen (see store/shared.rs).
    SharedPos,
    /// The token of the server's write at that position: a server restored from an older dump,
    /// or another HQ's, does not hold it.
    SharedToken,
    /// HQ's signed enrollment (public keys only), shared by the desks of an HQ on a server:
    /// a desk joining it checks the key folder it is given against it.
    HqPublic,
}

impl Key {
    pub const ALL: [Key; 25] = [
        Key::Facilitator,
        Key::Programme,
        Key::Language,
        Key::Hlc,
        Key::OpSeqFloor,
        Key::ScrubCopies,
        Key::BundleSeq,
        Key::PrevBundleHash,
        Key::ExportedSeq,
        Key::LastExportAt,
        Key::AckedSeq,
        Key::AckSerial,
        Key::AckedAt,
        Key::AckedUntil,
        Key::Enrollment,
        Key::RegistrySerial,
        Key::RestoreSerial,
        Key::IssuedSerial,
        Key::HqDir,
        Key::IatiActivity,
        Key::IatiOrg,
        Key::SharedServer,
        Key::SharedPos,
        Key::SharedToken,
        Key::HqPublic,
    ];

    /// The key's text in the table (frozen: databases in the field hold these).
    pub const fn name(self) -> &'static str {
        match self {
            Key::Facilitator => "facilitator",
            Key::Programme => "programme",
            Key::Language => "language",
            Key::Hlc => "hlc",
            Key::OpSeqFloor => "op_seq_floor",
            Key::ScrubCopies => "scrub_copies",
            Key::BundleSeq => "bundle_seq",
            Key::PrevBundleHash => "prev_bundle_hash",
            Key::ExportedSeq => "exported_seq",
            Key::LastExportAt => "last_export_at",
            Key::AckedSeq => "acked_seq",
            Key::AckSerial => "hq_ack_serial",
            Key::AckedAt => "hq_acked_at",
            Key::AckedUntil => "hq_acked_until",
            Key::Enrollment => "hq_enrollment",
            Key::RegistrySerial => "hq_registry_serial",
            Key::RestoreSerial => "hq_restore_serial",
            Key::IssuedSerial => "hq_ack_issued",
            Key::HqDir => "hq_dir",
            Key::IatiActivity => "iati_activity",
            Key::IatiOrg => "iati_org",
            Key::SharedServer => "shared_server",
            Key::SharedPos => "shared_pos",
            Key::SharedToken => "shared_token",
            Key::HqPublic => "hq_public",
        }
    }

    /// Whether the desks of an HQ on a shared server share this key (the programme, the serial
    /// of HQ's documents, the IATI identifiers); every other key is each desk's own.
    pub const fn shared_at_hq(self) -> bool {
        matches!(
            self,
            Key::Programme | Key::IssuedSerial | Key::IatiActivity | Key::IatiOrg | Key::HqPublic
        )
    }

    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Reads a key inside any read or transaction.
pub fn get(conn: &Connection, key: Key) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key.name()], |r| r.get(0))
        .optional()?)
}

/// Writes a key inside the caller's transaction.
pub fn put(conn: &Connection, key: Key, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key.name(), value])?;
    Ok(())
}

/// A numeric key (a counter or a position); 0 when unset.
pub fn number(conn: &Connection, key: Key) -> Result<i64> {
    Ok(get(conn, key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_its_own_name_and_reads_back() {
        let mut names: Vec<&str> = Key::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Key::ALL.len(), "two keys share a name");
        for key in Key::ALL {
            assert_eq!(Key::from_name(key.name()), Some(key));
        }
        assert_eq!(Key::from_name("not_a_key"), None);

        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            .unwrap();
        assert_eq!(number(&conn, Key::BundleSeq).unwrap(), 0, "unset counters are 0");
        put(&conn, Key::BundleSeq, "7").unwrap();
        put(&conn, Key::BundleSeq, "8").unwrap();
        assert_eq!(number(&conn, Key::BundleSeq).unwrap(), 8);
        assert_eq!(get(&conn, Key::Programme).unwrap(), None);
    }
}
