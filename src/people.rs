//! Facade methods for the participant registry: create, edit, delete, read, page and search.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row};

use crate::Palabre;
use crate::error::{Error, Invalid, Result};
use crate::journal::schema::Entity;
use crate::model::attendance::PersonSession;
use crate::model::codes::{AttendanceRole, Group, Sex, WgDomain};
use crate::model::ids::{PersonId, SessionId};
use crate::model::person::{Person, PersonInput};
use crate::search;

pub(crate) const COLUMNS: &str = "id, full_name, sex, birth_year, birth_year_estimated, role, stakeholder_group, \
                       community, phone, disability, consent, consent_date, notes, registered_on, merged_into, \
                       coalesce(erased, 0)";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Person> {
    let text = |i: usize| -> rusqlite::Result<String> {
        Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
    };
    let date = |i: usize| -> rusqlite::Result<_> {
        Ok(r.get::<_, Option<String>>(i)?.and_then(|d| d.parse().ok()))
    };
    let disability: Option<BTreeMap<WgDomain, u8>> =
        r.get::<_, Option<String>>(9)?.and_then(|j| serde_json::from_str(&j).ok());
    Ok(Person {
        id: PersonId(r.get::<_, String>(0)?.parse().unwrap_or_default()),
        full_name: text(1)?,
        sex: Sex::parse(&text(2)?).unwrap_or(Sex::X),
        birth_year: r.get(3)?,
        birth_year_estimated: r.get::<_, Option<bool>>(4)?.unwrap_or(false),
        role: text(5)?,
        group: Group::parse(&text(6)?).ok(),
        community: text(7)?,
        phone: text(8)?,
        disability,
        consent: r.get::<_, Option<bool>>(10)?.unwrap_or(false),
        consent_date: date(11)?,
        notes: text(12)?,
        registered_on: date(13)?,
        merged_into: r.get::<_, Option<String>>(14)?.and_then(|id| id.parse().ok()).map(PersonId),
        erased: r.get(15)?,
    })
}

/// A live (not deleted) person, or NotFound. A merged duplicate is found too (with `merged_into`).
pub(crate) fn load(conn: &Connection, id: PersonId) -> Result<Person> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM people WHERE id = ?1 AND deleted = 0"))?
        .query_row([id.to_string()], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound { entity: "person", id: id.to_string() })
}

fn load_all(c: &Connection, ids: &[String]) -> Result<Vec<Person>> {
    ids.iter().map(|id| load(c, PersonId(id.parse().unwrap_or_default()))).collect()
}

/// A search's result: the people shown and how many match in all.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeopleFound {
    pub people: Vec<Person>,
    /// Matching people in all (counted up to 1,000).
    pub total: usize,
    /// More than 1,000 match: `total` is a floor.
    pub more: bool,
}

/// One page of the registry, in name order.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PeoplePage {
    pub total: i64,
    pub offset: usize,
    pub people: Vec<Person>,
}

pub(crate) fn add_person(app: &Palabre, input: &PersonInput) -> Result<PersonId> {
    let changes = input.changes(None, app.today())?;
    let id = PersonId::new();
    app.create_row(Entity::Person, id.0, changes)?;
    Ok(id)
}

pub(crate) fn edit_person(app: &Palabre, id: PersonId, input: &PersonInput) -> Result<Person> {
    let today = app.today();
    let changes = |existing: &Person| {
        if existing.erased {
            return Err(Invalid::Erased.into());
        }
        Ok(input.changes(Some(existing), today)?)
    };
    app.edit_row(Entity::Person, id.0, |c| load(c, id), changes)
}

pub(crate) fn delete_person(app: &Palabre, id: PersonId) -> Result<()> {
    app.tombstone(Entity::Person, id.0, |c| load(c, id))
}

pub(crate) fn person(app: &Palabre, id: PersonId) -> Result<Person> {
    app.store().read(|c| load(c, id))
}

pub(crate) fn people(app: &Palabre, offset: usize, limit: usize) -> Result<PeoplePage> {
    app.store().read(|c| {
        let total = c.query_row(
            "SELECT count(*) FROM people
              WHERE deleted = 0 AND merged_into IS NULL AND coalesce(erased, 0) = 0",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = c.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM people
              WHERE deleted = 0 AND merged_into IS NULL AND coalesce(erased, 0) = 0
              ORDER BY full_name COLLATE palabre, id LIMIT ?1 OFFSET ?2"
        ))?;
        let people = stmt
            .query_map([limit as i64, offset as i64], from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PeoplePage { total, offset, people })
    })
}

pub(crate) fn find_people(app: &Palabre, query: &str, limit: usize) -> Result<Vec<Person>> {
    Ok(app.search_people(query, limit)?.people)
}

pub(crate) fn search_people(app: &Palabre, query: &str, limit: usize) -> Result<PeopleFound> {
    app.store().read(|c| {
        let found = search::find(c, query, limit)?;
        let people = load_all(c, &found.ids)?;
        Ok(PeopleFound { people, total: found.total, more: found.more })
    })
}

pub(crate) fn people_named_like(app: &Palabre, name: &str, limit: usize) -> Result<Vec<Person>> {
    app.store().read(|c| load_all(c, &search::named_like(c, name, limit)?))
}

pub(crate) fn person_sessions(app: &Palabre, id: PersonId) -> Result<Vec<PersonSession>> {
    app.store().read(|c| {
        load(c, id)?;
        let mut stmt = c.prepare_cached(
            "SELECT s.id, s.title, s.start_date, max(coalesce(a.present, 1)), a.role
               FROM attendance a JOIN sessions s ON s.id = a.session_id
              WHERE a.person_id IN (SELECT ?1 UNION ALL SELECT id FROM people WHERE merged_into = ?1)
                AND a.deleted = 0 AND s.deleted = 0
              GROUP BY s.id
              ORDER BY s.start_date DESC, s.id",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok(PersonSession {
                session_id: SessionId(r.get::<_, String>(0)?.parse().unwrap_or_default()),
                title: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                start_date: r.get::<_, Option<String>>(2)?.and_then(|d| d.parse().ok()),
                present: r.get::<_, Option<bool>>(3)?.unwrap_or(true),
                role: AttendanceRole::parse(
                    &r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                )
                .unwrap_or(AttendanceRole::Participant),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })
}

/// A person with the sessions they attended.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonDetail {
    pub person: Person,
    pub sessions: Vec<PersonSession>,
}

pub(crate) fn person_detail(app: &Palabre, id: PersonId) -> Result<PersonDetail> {
    Ok(PersonDetail { person: app.person(id)?, sessions: app.person_sessions(id)? })
}

/// Erases a person at their request (see `Palabre::erase_person`): the record and every
/// duplicate merged with it get the erasure op, which the journal applies (blanks the personal
/// fields and their history) and which travels in the next bundle. Returns how many records
/// were erased.
pub(crate) fn erase_person(app: &Palabre, id: PersonId) -> Result<usize> {
    let erased = app.write_ops(|conn, w| {
        let found: Option<(Option<String>, bool)> = conn
            .prepare_cached("SELECT merged_into, coalesce(erased, 0) FROM people WHERE id = ?1")?
            .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((merged_into, erased)) = found else {
            return Err(Error::NotFound { entity: "person", id: id.to_string() });
        };
        if erased {
            return Err(Invalid::Erased.into());
        }
        // The same human: the record kept by a merge and every record merged into it.
        let root = merged_into.unwrap_or_else(|| id.to_string());
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM people WHERE (id = ?1 OR merged_into = ?1) AND coalesce(erased, 0) = 0",
        )?;
        let group: Vec<String> =
            stmt.query_map([&root], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        for person in &group {
            let row = person
                .parse()
                .map_err(|_| Error::NotFound { entity: "person", id: person.clone() })?;
            w.set(Entity::Person, row, crate::journal::schema::ERASED, true.into())?;
        }
        Ok(group.len())
    })?;
    app.scrub_copies()?;
    tracing::info!(records = erased, "person erased");
    Ok(erased)
}
