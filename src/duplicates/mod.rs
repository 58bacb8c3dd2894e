//! Duplicate people: the same woman registered on two laptops ("Aïssata Traoré" in Ségou,
//! "Aissata Traore" a month later in Markala) would be counted twice. `score` finds candidate
//! pairs and says why; `links` merges (reversibly), unmerges and records "not the same person".

pub mod links;
pub mod score;

use std::collections::HashSet;

use rusqlite::Connection;

use crate::error::{Invalid, Result};
use crate::model::ids::PersonId;
use crate::model::person::Person;
use crate::{Palabre, people};
pub use links::Decision;
pub use score::{Level, Reason};

/// Two live records that may be the same person.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Candidate {
    pub a: Person,
    pub b: Person,
    /// 0–100.
    pub score: i32,
    pub level: Level,
    pub reasons: Vec<Reason>,
}

/// The candidates, best first, and how many there are in all.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Candidates {
    pub total: usize,
    pub pairs: Vec<Candidate>,
}

/// What a merge did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Merged {
    pub link_id: String,
    pub keep: Person,
    /// Fields whose value was taken from the duplicate.
    pub taken: Vec<String>,
}

/// What an unmerge did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unmerged {
    pub person: Person,
    pub kept_with: String,
    /// Fields taken by the merge and edited since: the later edit was kept.
    pub kept_edits: Vec<String>,
}

/// A scored pair: (score, index of one record, index of the other).
type Scored = (i32, usize, usize);

/// Every live, unmerged person scored against the others; pairs marked "not the same person"
/// are left out. Sorted best first.
fn scored(conn: &Connection) -> Result<(Vec<score::Record>, Vec<score::Folded>, Vec<Scored>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, coalesce(full_name, ''), coalesce(sex, 'X'), birth_year,
                coalesce(birth_year_estimated, 0), coalesce(community, ''), coalesce(phone, '')
           FROM people WHERE deleted = 0 AND merged_into IS NULL AND coalesce(erased, 0) = 0
          ORDER BY num",
    )?;
    let records = stmt
        .query_map([], |r| {
            Ok(score::Record {
                id: r.get(0)?,
                full_name: r.get(1)?,
                sex: r.get(2)?,
                birth_year: r.get(3)?,
                birth_year_estimated: r.get(4)?,
                community: r.get(5)?,
                phone: r.get(6)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let distinct: HashSet<(String, String)> = links::distinct_pairs(conn)?.into_iter().collect();
    let mut folded: Vec<score::Folded> = records.iter().map(score::fold).collect();
    score::count_namesakes(&mut folded);
    let mut found = Vec::new();
    for (i, j) in score::candidate_pairs(&records, &folded) {
        let Some(points) = score::points(&records[i], &folded[i], &records[j], &folded[j]) else {
            continue;
        };
        if points < score::MIN_SCORE {
            continue;
        }
        let (a, b) = (&records[i].id, &records[j].id);
        let key = if a < b { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) };
        if distinct.contains(&key) {
            continue;
        }
        found.push((points, i, j));
    }
    found.sort_by(|x, y| {
        y.0.cmp(&x.0)
            .then_with(|| folded[x.1].name.cmp(&folded[y.1].name))
            .then((x.1, x.2).cmp(&(y.1, y.2)))
    });
    Ok((records, folded, found))
}

fn person_id(id: &str) -> Result<PersonId> {
    Ok(id.parse::<PersonId>()?)
}

pub(crate) fn duplicates(app: &Palabre, limit: usize) -> Result<Candidates> {
    app.store().read(|c| {
        let (records, folded, found) = scored(c)?;
        let total = found.len();
        let pairs = found
            .into_iter()
            .take(limit)
            .map(|(points, i, j)| {
                let reasons = score::score(&records[i], &folded[i], &records[j], &folded[j])
                    .map(|(_, reasons)| reasons)
                    .unwrap_or_default();
                Ok(Candidate {
                    a: people::load(c, person_id(&records[i].id)?)?,
                    b: people::load(c, person_id(&records[j].id)?)?,
                    score: points,
                    level: score::level(points).unwrap_or(Level::Possible),
                    reasons,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Candidates { total, pairs })
    })
}

pub(crate) fn duplicate_count(app: &Palabre) -> Result<usize> {
    app.store().read(|c| Ok(scored(c)?.2.len()))
}

pub(crate) fn merge_people(
    app: &Palabre,
    keep: PersonId,
    duplicate: PersonId,
    take: &[String],
) -> Result<Merged> {
    let fields = links::expand_take(take)?;
    app.write_ops(|conn, w| {
        if keep == duplicate {
            return Err(Invalid::SamePerson.into());
        }
        let (k, d) = (people::load(conn, keep)?, people::load(conn, duplicate)?);
        if k.erased || d.erased {
            return Err(Invalid::Erased.into());
        }
        for p in [&d, &k] {
            if let Some(into) = p.merged_into {
                let into = people::load(conn, into).map(|p| p.full_name).unwrap_or_default();
                return Err(Invalid::AlreadyMerged { name: p.full_name.clone(), into }.into());
            }
        }
        let (link, taken) = links::merge(conn, w, keep, duplicate, &fields)?;
        Ok(Merged { link_id: link.to_string(), keep: people::load(conn, keep)?, taken })
    })
}

pub(crate) fn unmerge_person(app: &Palabre, duplicate: PersonId) -> Result<Unmerged> {
    app.write_ops(|conn, w| {
        let d = people::load(conn, duplicate)?;
        if d.erased {
            return Err(Invalid::Erased.into());
        }
        let merges = links::active_merges_of(conn, duplicate)?;
        let Some((_, keep, _)) = merges.first() else {
            return Err(Invalid::NotMerged { name: d.full_name }.into());
        };
        let kept_with =
            people::load(conn, person_id(keep)?).map(|p| p.full_name).unwrap_or_default();
        let kept_edits = links::unmerge(conn, w, duplicate)?;
        Ok(Unmerged { person: people::load(conn, duplicate)?, kept_with, kept_edits })
    })
}

pub(crate) fn mark_distinct(app: &Palabre, a: PersonId, b: PersonId) -> Result<()> {
    app.write_ops(|conn, w| {
        if a == b {
            return Err(Invalid::SamePerson.into());
        }
        people::load(conn, a)?;
        people::load(conn, b)?;
        links::mark_distinct(conn, w, a, b)
    })
}

pub(crate) fn merge_history(app: &Palabre) -> Result<Vec<Decision>> {
    app.store().read(links::history)
}
