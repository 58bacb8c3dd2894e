//! Facade methods for attendance: who came to which session, present or not, in what role.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Invalid, Result};
use crate::journal::oplog::OpWriter;
use crate::journal::schema::Entity;
use crate::model::attendance::AttendanceLine;
use crate::model::codes::{AttendanceRole, SessionStatus, Sex};
use crate::model::fields;
use crate::model::ids::{AttendanceId, PersonId, SessionId};
use crate::{Palabre, people, sessions};

/// Whether a live attendance row exists for the pair.
fn is_attending(conn: &Connection, id: AttendanceId) -> Result<bool> {
    let deleted: Option<i64> = conn
        .prepare_cached("SELECT deleted FROM attendance WHERE id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    Ok(deleted == Some(0))
}

/// Records attendances inside the caller's transaction (see `Palabre::attend`).
pub(crate) fn attend_in(
    conn: &Connection,
    w: &mut OpWriter<'_>,
    session: SessionId,
    people: &[PersonId],
    role: AttendanceRole,
) -> Result<Vec<AttendanceId>> {
    let s = sessions::load(conn, session)?;
    if s.status == SessionStatus::Cancelled {
        return Err(Invalid::SessionCancelled { title: s.title }.into());
    }
    let mut ids = Vec::with_capacity(people.len());
    for &person in people {
        if people::load(conn, person)?.erased {
            return Err(Invalid::Erased.into());
        }
        let id = AttendanceId::of(session, person);
        if !is_attending(conn, id)? {
            w.set_all(
                Entity::Attendance,
                id.0,
                vec![
                    ("session_id", session.to_string().into()),
                    ("person_id", person.to_string().into()),
                    ("present", true.into()),
                    ("role", role.as_str().into()),
                    ("deleted", false.into()),
                ],
            )?;
        }
        ids.push(id);
    }
    Ok(ids)
}

pub(crate) fn attend(
    app: &Palabre,
    session: SessionId,
    people: &[PersonId],
) -> Result<Vec<AttendanceId>> {
    app.attend_as(session, people, AttendanceRole::Participant)
}

pub(crate) fn attend_as(
    app: &Palabre,
    session: SessionId,
    people: &[PersonId],
    role: AttendanceRole,
) -> Result<Vec<AttendanceId>> {
    app.write_ops(|conn, w| attend_in(conn, w, session, people, role))
}

pub(crate) fn unattend(app: &Palabre, session: SessionId, people: &[PersonId]) -> Result<()> {
    app.write_ops(|conn, w| {
        sessions::load(conn, session)?;
        for &person in people {
            let id = AttendanceId::of(session, person);
            if !is_attending(conn, id)? {
                return Err(Error::NotFound {
                    entity: "attendance",
                    id: format!("{person} at session {session}"),
                });
            }
            w.set(Entity::Attendance, id.0, "deleted", true.into())?;
        }
        Ok(())
    })
}

pub(crate) fn set_present(
    app: &Palabre,
    session: SessionId,
    person: PersonId,
    present: bool,
) -> Result<()> {
    update_attendance(app, session, person, "present", present.into())
}

pub(crate) fn set_attendance_role(
    app: &Palabre,
    session: SessionId,
    person: PersonId,
    role: AttendanceRole,
) -> Result<()> {
    update_attendance(app, session, person, "role", role.as_str().into())
}

fn update_attendance(
    app: &Palabre,
    session: SessionId,
    person: PersonId,
    field: &'static str,
    value: serde_json::Value,
) -> Result<()> {
    app.write_ops(|conn, w| {
        let id = AttendanceId::of(session, person);
        if !is_attending(conn, id)? {
            return Err(Error::NotFound {
                entity: "attendance",
                id: format!("{person} at session {session}"),
            });
        }
        w.set(Entity::Attendance, id.0, field, value)?;
        Ok(())
    })
}

pub(crate) fn attendance(app: &Palabre, session: SessionId) -> Result<Vec<AttendanceLine>> {
    app.store().read(|c| {
        let s = sessions::load(c, session)?;
        let mut stmt = c.prepare_cached(
            "SELECT a.id, d.id, p.full_name, p.sex, p.birth_year, p.role, p.community, p.phone,
                    a.present, a.role, p.id, coalesce(p.erased, 0)
               FROM attendance a
               JOIN people d ON d.id = a.person_id AND d.deleted = 0
               JOIN people p ON p.id = coalesce(d.merged_into, d.id) AND p.deleted = 0
              WHERE a.session_id = ?1 AND a.deleted = 0
              ORDER BY p.full_name COLLATE palabre, p.id, a.present DESC, d.id = p.id DESC",
        )?;
        let lines = stmt.query_map([session.to_string()], |r| {
            let text = |i: usize| -> rusqlite::Result<String> {
                Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
            };
            let line = AttendanceLine {
                id: AttendanceId(r.get::<_, String>(0)?.parse().unwrap_or_default()),
                session_id: session,
                person_id: PersonId(r.get::<_, String>(1)?.parse().unwrap_or_default()),
                full_name: text(2)?,
                sex: Sex::parse(&text(3)?).unwrap_or(Sex::X),
                age: s.start_date.and_then(|d| fields::age_on(r.get(4).ok().flatten(), d)),
                person_role: text(5)?,
                community: text(6)?,
                phone: text(7)?,
                present: r.get::<_, Option<bool>>(8)?.unwrap_or(true),
                role: AttendanceRole::parse(&text(9)?).unwrap_or(AttendanceRole::Participant),
                erased: r.get(11)?,
            };
            Ok((r.get::<_, String>(10)?, line))
        })?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for row in lines {
            let (canonical, line) = row?;
            if seen.insert(canonical) {
                out.push(line);
            }
        }
        Ok(out)
    })
}
