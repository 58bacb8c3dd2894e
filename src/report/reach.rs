//! Who was counted at each session, kept ready for the report (`session_reach`, schema v6): per
//! session's local num, the `person_num` of each present, live attendance whose person has
//! arrived, comma-separated. It is derived data ([`ReachCache`]): the journal tells it which rows
//! each batch wrote and it rewrites the lists of the sessions they touch, from the
//! `attendance_counted` index, once per batch. The report then reads one short row per session
//! instead of walking every attendance: at ten million attendances, the walk alone took 1.7 s.
//!
//! What the list holds is exactly what `rebuild` computes from the attendance table; a property
//! test (tests/sync_props.rs) checks it after random merges, edits and deletions.

use std::collections::BTreeSet;

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;
use crate::journal::schema::Entity;
use crate::journal::{Derived, DerivedBatch, RowChange};

/// The attendance fields that decide whether and where an attendance is counted.
const COUNTED_BY: [&str; 4] = ["present", "deleted", "session_id", "person_id"];

pub struct ReachCache;

impl Derived for ReachCache {
    fn batch(&self) -> Box<dyn DerivedBatch + '_> {
        Box::new(ReachBatch::default())
    }
}

#[derive(Default)]
struct ReachBatch {
    /// Sessions (by num) whose list must be made again.
    sessions: BTreeSet<i64>,
    /// An existing attendance moved to another session: its old session is not known any more,
    /// so every list is made again (no screen of Palabre does this; a conflicting op could).
    rebuild: bool,
}

impl DerivedBatch for ReachBatch {
    fn row(&mut self, conn: &Connection, change: &RowChange<'_>) -> Result<()> {
        match change.entity {
            Entity::Attendance
                if change.arrived || change.fields.iter().any(|f| COUNTED_BY.contains(f)) =>
            {
                if !change.arrived && change.fields.contains(&"session_id") {
                    self.rebuild = true;
                }
                let num: Option<Option<i64>> = conn
                    .prepare_cached("SELECT session_num FROM attendance WHERE id = ?1")?
                    .query_row([change.row], |r| r.get(0))
                    .optional()?;
                self.sessions.extend(num.flatten());
            }
            Entity::Session if change.linked => {
                let num: Option<i64> = conn
                    .prepare_cached("SELECT num FROM sessions WHERE id = ?1")?
                    .query_row([change.row], |r| r.get(0))
                    .optional()?;
                self.sessions.extend(num);
            }
            Entity::Person if change.linked => {
                let mut stmt = conn.prepare_cached(
                    "SELECT DISTINCT session_num FROM attendance
                      WHERE person_id = ?1 AND session_num IS NOT NULL",
                )?;
                let nums = stmt.query_map([change.row], |r| r.get::<_, i64>(0))?;
                for num in nums {
                    self.sessions.insert(num?);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, conn: &Connection) -> Result<()> {
        if self.rebuild {
            return rebuild(conn);
        }
        for &session in &self.sessions {
            refresh(conn, session)?;
        }
        Ok(())
    }
}

/// Makes one session's list again from the attendance index.
fn refresh(conn: &Connection, session: i64) -> Result<()> {
    let people: Option<String> = conn
        .prepare_cached(
            "SELECT group_concat(person_num) FROM attendance INDEXED BY attendance_counted
              WHERE present = 1 AND deleted = 0 AND session_num = ?1 AND person_num IS NOT NULL",
        )?
        .query_row([session], |r| r.get(0))?;
    match people {
        Some(people) => conn
            .prepare_cached(
                "INSERT OR REPLACE INTO session_reach (session_num, people) VALUES (?1, ?2)",
            )?
            .execute(rusqlite::params![session, people])?,
        None => conn
            .prepare_cached("DELETE FROM session_reach WHERE session_num = ?1")?
            .execute([session])?,
    };
    Ok(())
}

/// Makes every list again (what the v6 migration does).
pub fn rebuild(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM session_reach;
         INSERT INTO session_reach (session_num, people)
             SELECT session_num, group_concat(person_num)
               FROM attendance INDEXED BY attendance_counted
              WHERE present = 1 AND deleted = 0 AND session_num IS NOT NULL AND person_num IS NOT NULL
              GROUP BY session_num;",
    )?;
    Ok(())
}

/// Every session's counted people, sorted, from the lists (`cached`) or computed afresh from the
/// attendance table: the two are equal whenever the lists are in step (tests compare them).
pub fn lists(conn: &Connection, cached: bool) -> Result<Vec<(i64, Vec<i64>)>> {
    let sql = if cached {
        "SELECT session_num, people FROM session_reach ORDER BY session_num"
    } else {
        "SELECT session_num, group_concat(person_num) FROM attendance INDEXED BY attendance_counted
          WHERE present = 1 AND deleted = 0 AND session_num IS NOT NULL AND person_num IS NOT NULL
          GROUP BY session_num ORDER BY session_num"
    };
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (session, people) = row?;
        let mut people: Vec<i64> = people.split(',').filter_map(|n| n.parse().ok()).collect();
        people.sort_unstable();
        out.push((session, people));
    }
    Ok(out)
}
