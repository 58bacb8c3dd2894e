//! Person search that ignores case and accents and matches prefixes: `aissata` finds Aïssata,
//! `cisse` finds Cissé, `nene` finds Ɲɛnɛ. Names are folded to ASCII with deunicode (which also
//! maps letters that have no decomposition, like Ɲ and ɛ) and indexed in an FTS5 table keyed by
//! the person's stable `num`. The index is derived data ([`SearchIndex`]): the journal refreshes
//! it whenever a person's name, community, phone or tombstone changes, for local and merged
//! writes alike.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::journal::schema::Entity;
use crate::journal::{Derived, DerivedBatch, RowChange};

/// Person fields that the index is built from.
pub const INDEXED_FIELDS: &[&str] = &["full_name", "community", "phone", "deleted", "erased"];

pub use crate::model::names::{fold, tokens};

/// The FTS5 query matching people whose words start with every word of `query`, or None when
/// the query has no word at all.
pub fn match_expression(query: &str) -> Option<String> {
    let words = tokens(query);
    (!words.is_empty())
        .then(|| words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" "))
}

/// The search index as derived data: a person row whose indexed fields changed is reindexed.
pub struct SearchIndex;

impl Derived for SearchIndex {
    fn batch(&self) -> Box<dyn DerivedBatch + '_> {
        Box::new(SearchBatch { erased: false })
    }
}

struct SearchBatch {
    /// A person was erased in this batch: the index is compacted at its end.
    erased: bool,
}

impl DerivedBatch for SearchBatch {
    fn row(&mut self, conn: &Connection, change: &RowChange<'_>) -> Result<()> {
        if change.entity == Entity::Person
            && change.fields.iter().any(|f| INDEXED_FIELDS.contains(f))
        {
            index_person(conn, change.row, !change.arrived)?;
            self.erased |= change.fields.contains(&crate::journal::schema::ERASED);
        }
        Ok(())
    }

    fn finish(&mut self, conn: &Connection) -> Result<()> {
        if self.erased {
            compact(conn)?;
        }
        Ok(())
    }
}

/// Rewrites the index as one segment. Secure delete removes an erased person's entries, but a
/// word can stay behind as the first key of an index page; rewriting the index drops it (and
/// the pages it leaves are zeroed: `secure_delete` is on).
fn compact(conn: &Connection) -> Result<()> {
    conn.execute("INSERT INTO people_fts (people_fts) VALUES ('optimize')", [])?;
    Ok(())
}

/// Rebuilds the index entry of one person (removing it when the person is deleted, merged or
/// erased). The index is created with FTS5's `secure-delete` option (schema v3), so a removed
/// entry leaves no trace of its words in the index's pages.
pub fn reindex_person(conn: &Connection, id: &str) -> Result<()> {
    index_person(conn, id, true)
}

/// `reindex_person`, removing the previous entry only when there can be one (`indexed`): a
/// contentless index records a deletion even of a row it never held, which an import of new
/// people paid once per person.
fn index_person(conn: &Connection, id: &str, indexed: bool) -> Result<()> {
    struct Indexed {
        num: i64,
        name: Option<String>,
        community: Option<String>,
        phone: Option<String>,
        deleted: bool,
    }
    let row = conn
        .prepare_cached(
            "SELECT num, full_name, community, phone,
                    deleted OR merged_into IS NOT NULL OR coalesce(erased, 0)
               FROM people WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok(Indexed {
                num: r.get(0)?,
                name: r.get(1)?,
                community: r.get(2)?,
                phone: r.get(3)?,
                deleted: r.get(4)?,
            })
        })
        .optional()?;
    let Some(Indexed { num, name, community, phone, deleted }) = row else { return Ok(()) };
    if indexed {
        conn.prepare_cached("DELETE FROM people_fts WHERE rowid = ?1")?.execute([num])?;
    }
    if !deleted {
        conn.prepare_cached(
            "INSERT INTO people_fts (rowid, name, community, phone) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            num,
            fold(&name.unwrap_or_default()),
            fold(&community.unwrap_or_default()),
            crate::model::names::phone_words(&phone.unwrap_or_default())
        ])?;
    }
    Ok(())
}

/// Removes people from the index for good (their words leave the index's pages too): used on
/// backups, whose rows an erasure blanks without the journal.
pub fn forget(conn: &Connection, people: &[String]) -> Result<()> {
    conn.execute("INSERT INTO people_fts (people_fts, rank) VALUES ('secure-delete', 1)", [])?;
    conn.execute(
        "DELETE FROM people_fts WHERE rowid IN
           (SELECT num FROM people WHERE id IN (SELECT value FROM json_each(?1)))",
        [serde_json::to_string(people).unwrap_or_default()],
    )?;
    compact(conn)
}

/// What a search found: the ids to show, and how many people match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// At most `limit` ids: people matched by *name* first, then those matched by community or
    /// phone; each group in name order.
    pub ids: Vec<String>,
    /// How many live people match (name, community or phone), counted up to [`COUNT_CAP`].
    pub total: usize,
    /// True when more than [`COUNT_CAP`] people match: `total` is then a floor.
    pub more: bool,
}

/// Matches are counted up to this many; past it a search says "more than 1,000".
pub const COUNT_CAP: usize = 1000;
/// Up to this many matches, every match is read and sorted, so the first `limit` shown are the
/// first in name order (no namesake is left out at random). Above it, FTS5 stops early.
const SORT_ALL_BELOW: usize = 300;

/// People matching `query` (see [`Found`]).
///
/// No ranking function runs: ranking would score every match (10,000 people share "a"), which
/// is what made search slow on 100,000 people. One FTS5 scan, stopped at the count's cap, finds
/// the matches; the index holds only live, unmerged people, so no join filters rows out.
pub fn find(conn: &Connection, query: &str, limit: usize) -> Result<Found> {
    let Some(expression) = match_expression(query) else {
        return Ok(Found { ids: Vec::new(), total: 0, more: false });
    };
    // One scan finds (and so counts) the matches, up to the cap.
    let matches: Vec<i64> = conn
        .prepare_cached("SELECT rowid FROM people_fts WHERE people_fts MATCH ?1 LIMIT ?2")?
        .query_map(params![expression, (COUNT_CAP + 1) as i64], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<_>>()?;
    let total = matches.len();
    let more = total > COUNT_CAP;
    // Tell name matches from the others by reading the matched people, without another scan:
    // all of them when they are few (so the first shown are the first in name order), else only
    // until `limit` name matches are found.
    let sort_all = total <= SORT_ALL_BELOW;
    let words = tokens(query);
    let mut by_name = Vec::new();
    let mut others = Vec::new();
    for num in matches.into_iter().take(COUNT_CAP) {
        if !sort_all && by_name.len() >= limit {
            break;
        }
        let Some(person) = person_of(conn, num)? else { continue };
        let name = tokens(&person.1);
        if words.iter().all(|w| name.iter().any(|n| n.starts_with(w.as_str()))) {
            by_name.push(person);
        } else if sort_all || others.len() < limit {
            others.push(person);
        }
    }
    let mut ids = Vec::with_capacity(limit);
    for mut group in [by_name, others] {
        group.sort_by(|(a_id, a), (b_id, b)| {
            crate::model::names::compare(a, b).then_with(|| a_id.cmp(b_id))
        });
        let room = limit.saturating_sub(ids.len());
        ids.extend(group.into_iter().take(room).map(|(id, _)| id));
    }
    Ok(Found { ids, total: total.min(COUNT_CAP), more })
}

/// The id and name of the live person with local key `num`.
fn person_of(conn: &Connection, num: i64) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, coalesce(full_name, '') FROM people WHERE num = ?1")?
        .query_row([num], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Ids of live people whose *name* holds every word of `name` (as the start of a word, in any
/// order, ignoring accents and case): those a new registration of `name` may duplicate. At most
/// `limit`, in name order; nothing for a name of one word.
pub fn named_like(conn: &Connection, name: &str, limit: usize) -> Result<Vec<String>> {
    if tokens(name).len() < 2 {
        return Ok(Vec::new()); // one word ("Aïssata") names half a village, not a person
    }
    let Some(expression) = match_expression(name) else { return Ok(Vec::new()) };
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, coalesce(p.full_name, '') FROM people_fts f JOIN people p ON p.num = f.rowid
          WHERE people_fts MATCH ?1 LIMIT ?2",
    )?;
    let mut found = stmt
        .query_map(params![format!("name : ({expression})"), SORT_ALL_BELOW as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    found.sort_by(|(a_id, a), (b_id, b)| {
        crate::model::names::compare(a, b).then_with(|| a_id.cmp(b_id))
    });
    Ok(found.into_iter().take(limit).map(|(id, _)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_expression_quotes_prefix_words_and_drops_punctuation() {
        assert_eq!(match_expression("aï \"ke"), Some("\"ai\"* \"ke\"*".to_string()));
        assert_eq!(match_expression(" ,;' "), None);
    }
}
