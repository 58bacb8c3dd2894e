//! Facade methods for sessions: create, edit, delete (a tombstone), read and list.

use rusqlite::{Connection, OptionalExtension, Row};

use crate::Palabre;
use crate::error::{Error, Result};
use crate::journal::schema::Entity;
use crate::model::codes::{Group, SessionKind, SessionStatus};
use crate::model::ids::SessionId;
use crate::model::session::{Session, SessionFilter, SessionInput};
use crate::search;

const COLUMNS: &str = "id, title, kind, groups, theme, start_date, end_date, region, cercle, commune, \
                       place, facilitator, status, summary, recommendations";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Session> {
    let text = |i: usize| -> rusqlite::Result<String> {
        Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
    };
    let date = |i: usize| -> rusqlite::Result<_> {
        Ok(r.get::<_, Option<String>>(i)?.and_then(|d| d.parse().ok()))
    };
    let list = |i: usize| -> rusqlite::Result<Vec<String>> {
        Ok(r.get::<_, Option<String>>(i)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default())
    };
    Ok(Session {
        id: SessionId(r.get::<_, String>(0)?.parse().unwrap_or_default()),
        title: text(1)?,
        kind: SessionKind::parse(&text(2)?).unwrap_or(SessionKind::Other),
        groups: list(3)?.iter().filter_map(|g| Group::parse(g).ok()).collect(),
        theme: text(4)?,
        start_date: date(5)?,
        end_date: date(6)?,
        region: text(7)?,
        cercle: text(8)?,
        commune: text(9)?,
        place: text(10)?,
        facilitator: text(11)?,
        status: SessionStatus::parse(&text(12)?).unwrap_or(SessionStatus::Planned),
        summary: text(13)?,
        recommendations: list(14)?,
    })
}

/// A live (not deleted) session, or NotFound.
pub(crate) fn load(conn: &Connection, id: SessionId) -> Result<Session> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1 AND deleted = 0"))?
        .query_row([id.to_string()], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound { entity: "session", id: id.to_string() })
}

pub(crate) fn add_session(app: &Palabre, input: &SessionInput) -> Result<SessionId> {
    let mut input = input.clone();
    if input.facilitator.is_none() {
        input.facilitator = app.setting(crate::Setting::Facilitator)?;
    }
    let changes = input.changes(None, app.today())?;
    let id = SessionId::new();
    app.create_row(Entity::Session, id.0, changes)?;
    Ok(id)
}

pub(crate) fn edit_session(app: &Palabre, id: SessionId, input: &SessionInput) -> Result<Session> {
    let today = app.today();
    let changes = |existing: &Session| Ok(input.changes(Some(existing), today)?);
    app.edit_row(Entity::Session, id.0, |c| load(c, id), changes)
}

pub(crate) fn delete_session(app: &Palabre, id: SessionId) -> Result<()> {
    app.tombstone(Entity::Session, id.0, |c| load(c, id))
}

pub(crate) fn session(app: &Palabre, id: SessionId) -> Result<Session> {
    app.store().read(|c| load(c, id))
}

pub(crate) fn sessions(app: &Palabre, filter: &SessionFilter) -> Result<Vec<Session>> {
    let words = filter.query.as_deref().map(search::tokens).unwrap_or_default();
    app.store().read(|c| {
        let mut stmt = c.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM sessions
              WHERE deleted = 0
                AND (?1 IS NULL OR status = ?1)
                AND (?2 IS NULL OR kind = ?2)
                AND (?3 IS NULL OR coalesce(end_date, start_date) >= ?3)
                AND (?4 IS NULL OR start_date <= ?4)
                AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(sessions.groups) WHERE value = ?5))
              ORDER BY start_date DESC, title"
        ))?;
        let sessions = stmt
            .query_map(
                rusqlite::params![
                    filter.status.map(SessionStatus::as_str),
                    filter.kind.map(SessionKind::as_str),
                    filter.from.map(|d| d.to_string()),
                    filter.to.map(|d| d.to_string()),
                    filter.group.map(Group::as_str),
                ],
                from_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(sessions
            .into_iter()
            .filter(|s| {
                let haystack = search::tokens(&format!(
                    "{} {} {} {} {} {}",
                    s.title, s.theme, s.place, s.commune, s.cercle, s.region
                ));
                words.iter().all(|w| haystack.iter().any(|h| h.starts_with(w.as_str())))
            })
            .collect())
    })
}

/// The `count` sessions with the latest start dates (the home screen's "recent sessions"),
/// read as such: at HQ, listing fifty thousand sessions to keep five cost the desk its first second.
pub(crate) fn recent(app: &Palabre, count: usize) -> Result<Vec<Session>> {
    app.store().read(|c| {
        let mut stmt = c.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM sessions INDEXED BY sessions_by_date WHERE deleted = 0
              ORDER BY start_date DESC, title LIMIT ?1"
        ))?;
        Ok(stmt.query_map([count as i64], from_row)?.collect::<Result<Vec<_>, _>>()?)
    })
}

/// A session with what its page shows: the attendance list and the plans made there.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SessionDetail {
    pub session: Session,
    pub attendance: Vec<crate::AttendanceLine>,
    pub plans: Vec<crate::ActionPlan>,
}

pub(crate) fn session_detail(app: &Palabre, id: SessionId) -> Result<SessionDetail> {
    Ok(SessionDetail {
        session: app.session(id)?,
        attendance: app.attendance(id)?,
        plans: app.plans(Some(id))?,
    })
}
