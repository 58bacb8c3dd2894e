//! Paper evidence: photos and scans of the signed attendance sheets, attached to their session.
//!
//! A file is made ready by `media` (photos turned upright, made grey and recompressed to the
//! page budget; scans checked), then kept once per content in `evidence_files` (by its SHA-256,
//! inside the encrypted database) and recorded by an `evidence` row written with ops like any
//! other: session, page, pages, digest, size, type, who attached it, when, and whether the
//! sheet's own code filed it. Deleting an attachment is a tombstone. The file travels to HQ next
//! to the op that names its digest (see `exchange::bundle` and `exchange::export`).
//!
//! Filing: a file whose sheet code names a session of this database is filed there by itself;
//! one without a readable code, or with a blank sheet's code, is not stored and comes back as
//! `Filing::NeedsSession`, so the person is asked which session it is. One whose code names a
//! session this database does not hold comes back the same way with `Unfiled::UnknownSession`,
//! to be explained, not filed by hand: attaching it to a session is refused.

pub mod media;
pub mod pdf;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use crate::Palabre;
use crate::error::{Error, Result};
use crate::files::sha256_hex;
use crate::journal::schema::Entity;
use crate::model::ids::{EvidenceId, SessionId};

/// One attached photo or scan, as its session page lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evidence {
    pub id: EvidenceId,
    pub session_id: SessionId,
    pub page: Option<i64>,
    pub pages: Option<i64>,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub filed_by_code: bool,
    pub attached_by: String,
    pub attached_at: String,
    /// Whether this database holds the file (a row merged without its file never is: a bundle
    /// that lacks a file it names is refused).
    pub has_file: bool,
}

/// Why a file was not filed by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unfiled {
    /// No Palabre sheet code could be read on it.
    NoCode,
    /// The code of a blank sheet (printed without a session).
    BlankSheet,
    /// A code naming a session this database does not hold (another programme, or a laptop
    /// whose files have not arrived). Not to be filed by hand: attaching it is refused.
    UnknownSession,
}

/// What became of one file.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Filing {
    /// Stored and attached.
    Filed {
        evidence: Evidence,
        session_title: String,
        /// Quarter turns the photo was given to stand upright.
        turned: u8,
        /// The file's size as given.
        original_size: usize,
    },
    /// The same file is already attached to that session: nothing was added.
    AlreadyAttached { evidence: Evidence, session_title: String },
    /// Not stored: the person must say which session it is (`page` is the code's, if any).
    NeedsSession { reason: Unfiled, page: Option<i64>, pages: Option<i64> },
}

const COLUMNS: &str = "e.id, e.session_id, e.page, e.pages, e.sha256, e.size, e.media_type, \
     e.filed_by_code, e.attached_by, e.attached_at, f.sha256 IS NOT NULL";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Evidence> {
    let id: String = r.get(0)?;
    let session: Option<String> = r.get(1)?;
    Ok(Evidence {
        id: EvidenceId(id.parse().unwrap_or_default()),
        session_id: SessionId(session.and_then(|s| s.parse().ok()).unwrap_or_default()),
        page: r.get(2)?,
        pages: r.get(3)?,
        sha256: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
        size: r.get::<_, Option<i64>>(5)?.unwrap_or_default(),
        media_type: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
        filed_by_code: r.get::<_, Option<bool>>(7)?.unwrap_or(false),
        attached_by: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
        attached_at: r.get::<_, Option<String>>(9)?.unwrap_or_default(),
        has_file: r.get(10)?,
    })
}

fn load(conn: &Connection, id: EvidenceId) -> Result<Evidence> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM evidence e LEFT JOIN evidence_files f ON f.sha256 = e.sha256
          WHERE e.id = ?1 AND e.deleted = 0"
    ))?
    .query_row([id.to_string()], from_row)
    .optional()?
    .ok_or_else(|| Error::NotFound { entity: "evidence", id: id.to_string() })
}

/// The live attachments of a session, by page then time attached.
pub(crate) fn of_session(conn: &Connection, session: SessionId) -> Result<Vec<Evidence>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM evidence e LEFT JOIN evidence_files f ON f.sha256 = e.sha256
          WHERE e.session_id = ?1 AND e.deleted = 0
          ORDER BY e.page IS NULL, e.page, e.attached_at, e.id"
    ))?;
    let rows = stmt.query_map([session.to_string()], from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Keeps a file in `evidence_files` (once per content), with its thumbnail.
pub(crate) fn keep_file(
    conn: &Connection,
    sha256: &str,
    media_type: &str,
    bytes: &[u8],
    thumbnail: Option<&[u8]>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO evidence_files (sha256, media_type, size, bytes, thumbnail, stored_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        sha256,
        media_type,
        bytes.len() as i64,
        bytes,
        thumbnail,
        chrono::Utc::now().to_rfc3339()
    ])?;
    Ok(())
}

/// Deletes the files no live attachment uses any more (a removed photo shows names and
/// signatures), except, on a laptop, a file whose attaching op HQ has not acknowledged yet: the
/// next bundle must still carry it. HQ keeps nothing it does not use. Returns how many went.
pub(crate) fn purge_unused(conn: &Connection) -> Result<usize> {
    use crate::store::bookkeeping::{self, Key};
    let is_hq = bookkeeping::get(conn, Key::HqDir)?.is_some();
    let me: Option<String> =
        conn.query_row("SELECT device_id FROM device", [], |r| r.get(0)).optional()?;
    let acked = bookkeeping::number(conn, Key::AckedSeq)?;
    let purged = conn
        .prepare_cached(
            "DELETE FROM evidence_files
              WHERE NOT EXISTS (SELECT 1 FROM evidence e
                                 WHERE e.sha256 = evidence_files.sha256 AND e.deleted = 0)
                AND (?1 OR NOT EXISTS (SELECT 1 FROM oplog o
                                        WHERE o.device_id = ?2 AND o.op_seq > ?3
                                          AND o.entity = 'evidence' AND o.field = 'sha256'
                                          AND o.value = json_quote(evidence_files.sha256)))",
        )?
        .execute(params![is_hq, me, acked])?;
    if purged > 0 {
        tracing::info!(purged, "files of removed attachments deleted");
    }
    Ok(purged)
}

/// Whether this database holds the file of this digest.
pub(crate) fn has_file(conn: &Connection, sha256: &str) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM evidence_files WHERE sha256 = ?1")?.exists([sha256])?)
}

/// The bytes and type of a kept file.
pub(crate) fn file(conn: &Connection, sha256: &str) -> Result<Option<(String, Vec<u8>)>> {
    Ok(conn
        .prepare_cached("SELECT media_type, bytes FROM evidence_files WHERE sha256 = ?1")?
        .query_row([sha256], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Which session a file goes to: the one chosen, checked against the file's code; or the
/// code's own. `Err(Unfiled)` when the person must choose.
fn destination(
    conn: &Connection,
    chosen: Option<SessionId>,
    code: Option<&crate::sheet::code::SheetCode>,
) -> Result<std::result::Result<(crate::Session, bool), Unfiled>> {
    let coded = code.and_then(|c| c.session);
    match (chosen, coded) {
        (Some(chosen), Some(coded)) if chosen != coded => {
            match crate::sessions::load(conn, coded) {
                Ok(other) => Err(Error::EvidenceOtherSession {
                    title: other.title,
                    page: code.map_or(1, |c| c.page as i64),
                }),
                Err(Error::NotFound { .. }) => Err(Error::EvidenceUnknownSession),
                Err(e) => Err(e),
            }
        }
        (Some(chosen), coded) => Ok(Ok((crate::sessions::load(conn, chosen)?, coded.is_some()))),
        (None, Some(coded)) => match crate::sessions::load(conn, coded) {
            Ok(session) => Ok(Ok((session, true))),
            Err(Error::NotFound { .. }) => Ok(Err(Unfiled::UnknownSession)),
            Err(e) => Err(e),
        },
        (None, None) if code.is_some() => Ok(Err(Unfiled::BlankSheet)),
        (None, None) => Ok(Err(Unfiled::NoCode)),
    }
}

/// Attaches a photo or scan (see the module doc). `session`: the session chosen by the person
/// (None: filed by its code, or asked). `page`: the page the person gave, used when the file
/// carries no code. Nothing is stored unless it is `Filed`.
pub(crate) fn attach(
    app: &Palabre,
    session: Option<SessionId>,
    page: Option<i64>,
    bytes: &[u8],
) -> Result<Filing> {
    let prepared = media::prepare(bytes)?;
    let code = prepared.code.as_ref();
    let code_page = code.map(|c| c.page as i64);
    let code_pages = code.map(|c| c.pages as i64);
    if let Some(page) = page.filter(|p| !(1..=999).contains(p)) {
        return Err(
            crate::error::Invalid::Range { field: "page", value: page, min: 1, max: 999 }.into()
        );
    }
    let who = match app.setting(crate::Setting::Facilitator)? {
        Some(name) if !name.trim().is_empty() => name,
        _ => app.device()?.name,
    };
    let sha256 = sha256_hex(&prepared.bytes);
    let filing = app.write_ops(|conn, writer| {
        let (session, by_code) = match destination(conn, session, code)? {
            Ok(found) => found,
            Err(reason) => {
                return Ok(Filing::NeedsSession { reason, page: code_page, pages: code_pages });
            }
        };
        let existing: Option<String> = conn
            .prepare_cached(
                "SELECT id FROM evidence WHERE session_id = ?1 AND sha256 = ?2 AND deleted = 0",
            )?
            .query_row(params![session.id.to_string(), sha256], |r| r.get(0))
            .optional()?;
        if let Some(existing) = existing {
            let evidence = load(conn, existing.parse()?)?;
            return Ok(Filing::AlreadyAttached { evidence, session_title: session.title });
        }
        keep_file(
            conn,
            &sha256,
            prepared.media_type,
            &prepared.bytes,
            prepared.thumbnail.as_deref(),
        )?;
        let id = EvidenceId::new();
        let fields: [(&'static str, serde_json::Value); 9] = [
            ("session_id", json!(session.id.to_string())),
            ("page", json!(code_page.or(page))),
            ("pages", json!(code_pages)),
            (crate::journal::schema::EVIDENCE_FILE, json!(sha256)),
            ("size", json!(prepared.bytes.len())),
            ("media_type", json!(prepared.media_type)),
            ("filed_by_code", json!(by_code)),
            ("attached_by", json!(who)),
            ("attached_at", json!(chrono::Utc::now().to_rfc3339())),
        ];
        for (field, value) in fields {
            if !value.is_null() {
                writer.set(Entity::Evidence, id.0, field, value)?;
            }
        }
        Ok(Filing::Filed {
            evidence: load(conn, id)?,
            session_title: session.title,
            turned: prepared.turned,
            original_size: prepared.original_size,
        })
    })?;
    if let Filing::Filed { evidence, .. } = &filing {
        tracing::info!(
            size = evidence.size,
            media_type = %evidence.media_type,
            by_code = evidence.filed_by_code,
            "evidence attached"
        );
    }
    Ok(filing)
}

/// The live attachments of the sessions a person attended: the photos of signed sheets that
/// may show her name and signature (an erasure cannot blank a line of a photo).
pub(crate) fn of_person(app: &Palabre, person: crate::PersonId) -> Result<Vec<Evidence>> {
    app.store().read(|c| {
        let mut stmt = c.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM evidence e LEFT JOIN evidence_files f ON f.sha256 = e.sha256
              WHERE e.deleted = 0 AND e.session_id IN
                    (SELECT session_id FROM attendance WHERE person_id = ?1 AND deleted = 0)
              ORDER BY e.session_id, e.page, e.id"
        ))?;
        let rows =
            stmt.query_map([person.to_string()], from_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
}

pub(crate) fn session_evidence(app: &Palabre, session: SessionId) -> Result<Vec<Evidence>> {
    app.store().read(|c| {
        crate::sessions::load(c, session)?;
        of_session(c, session)
    })
}

/// Removes an attachment (a tombstone), and its file once nothing needs it (`purge_unused`).
pub(crate) fn remove(app: &Palabre, id: EvidenceId) -> Result<()> {
    app.tombstone(Entity::Evidence, id.0, |c| load(c, id))?;
    app.store().write(|tx| purge_unused(tx).map(drop))
}

/// The file of an attachment: its type and bytes.
pub(crate) fn content(app: &Palabre, id: EvidenceId) -> Result<(String, Vec<u8>)> {
    app.store().read(|c| {
        let evidence = load(c, id)?;
        file(c, &evidence.sha256)?
            .ok_or_else(|| Error::NotFound { entity: "evidence file", id: evidence.sha256 })
    })
}

/// The thumbnail of an attachment (a small grey JPEG), made when it is first asked for if the
/// file arrived from elsewhere.
pub(crate) fn thumbnail(app: &Palabre, id: EvidenceId) -> Result<Option<Vec<u8>>> {
    let (sha256, kept): (String, Option<Vec<u8>>) = app.store().read(|c| {
        let evidence = load(c, id)?;
        let kept = c
            .prepare_cached("SELECT thumbnail FROM evidence_files WHERE sha256 = ?1")?
            .query_row([&evidence.sha256], |r| r.get(0))
            .optional()?
            .flatten();
        Ok((evidence.sha256, kept))
    })?;
    if kept.is_some() {
        return Ok(kept);
    }
    let Some((media_type, bytes)) = app.store().read(|c| file(c, &sha256))? else {
        return Ok(None);
    };
    let made = media::thumbnail_of(&bytes, &media_type);
    if let Some(made) = &made {
        app.store().write(|tx| {
            tx.execute(
                "UPDATE evidence_files SET thumbnail = ?2 WHERE sha256 = ?1",
                params![sha256, made],
            )?;
            Ok(())
        })?;
    }
    Ok(made)
}

/// See `Palabre::evidence_picture`.
pub(crate) fn picture(app: &Palabre, id: EvidenceId, full: bool) -> Result<Option<String>> {
    use base64::Engine;
    let bytes = if full {
        let (media_type, bytes) = content(app, id)?;
        // A photo kept here is within the page budget; one received larger (from a modified
        // build) is shown as a rendition made within the photo limits, never handed whole to
        // the webview's decoder.
        match media_type.as_str() {
            media::JPEG if bytes.len() <= 2 * media::PAGE_BUDGET => Some(bytes),
            media::JPEG => media::rendition(&bytes),
            _ => None,
        }
    } else {
        thumbnail(app, id)?
    };
    Ok(bytes.map(|b| {
        format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(b))
    }))
}
