//! Person search that ignores case and accents and matches prefixes: `aissata` finds Aïssata,
//! `cisse` finds Cissé, `nene` finds Ɲɛnɛ. Names are folded to ASCII with deunicode (which also
//! maps letters that have no decomposition, like Ɲ and ɛ) and indexed in an FTS5 table keyed by
//! the person's stable `num`. The index is derived: `oplog::apply` refreshes it whenever a
//! person's name, community, phone or tombstone changes, for local and merged writes alike.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// Person fields that the index is built from.
pub const INDEXED_FIELDS: &[&str] = &["full_name", "community", "phone", "deleted"];

/// Lower-case ASCII form of a text, for matching.
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// Words of the folded text.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The FTS5 query matching people whose words start with every word of `query`, or None when
/// the query has no word at all.
pub fn match_expression(query: &str) -> Option<String> {
    let words = tokens(query);
    (!words.is_empty())
        .then(|| words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" "))
}

/// Rebuilds the index entry of one person (removing it when the person is deleted or merged).
pub fn reindex_person(conn: &Connection, id: &str) -> Result<()> {
    struct Indexed {
        num: i64,
        name: Option<String>,
        community: Option<String>,
        phone: Option<String>,
        deleted: bool,
    }
    let row = conn
        .prepare_cached(
            "SELECT num, full_name, community, phone, deleted OR merged_into IS NOT NULL
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
    conn.prepare_cached("DELETE FROM people_fts WHERE rowid = ?1")?.execute([num])?;
    if !deleted {
        let phone = phone.unwrap_or_default();
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        conn.prepare_cached(
            "INSERT INTO people_fts (rowid, name, community, phone) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            num,
            fold(&name.unwrap_or_default()),
            fold(&community.unwrap_or_default()),
            format!("{phone} {digits}")
        ])?;
    }
    Ok(())
}

/// Ids of live people matching `query`: those whose *name* matches first, then those matched by
/// community or phone; each group in name order.
///
/// No ranking function runs: ranking would score every match (10,000 people share "a"), which
/// is what made search slow on 100,000 people. Each stage asks FTS5 for at most `limit` rows, so
/// it stops early; the index holds only live, unmerged people, so no join filters rows out.
pub fn find(conn: &Connection, query: &str, limit: usize) -> Result<Vec<String>> {
    let Some(expression) = match_expression(query) else { return Ok(Vec::new()) };
    let stage = |fts: &str, skip: &[i64], room: usize| -> Result<Vec<i64>> {
        let mut stmt =
            conn.prepare_cached("SELECT rowid FROM people_fts WHERE people_fts MATCH ?1 LIMIT ?2")?;
        let rows =
            stmt.query_map(params![fts, (room + skip.len()) as i64], |r| r.get::<_, i64>(0))?;
        let mut out = Vec::new();
        for row in rows {
            let num = row?;
            if !skip.contains(&num) && out.len() < room {
                out.push(num);
            }
        }
        Ok(out)
    };
    let by_name = stage(&format!("name : ({expression})"), &[], limit)?;
    let others = if by_name.len() < limit {
        stage(&expression, &by_name, limit - by_name.len())?
    } else {
        Vec::new()
    };
    let mut ids = Vec::with_capacity(by_name.len() + others.len());
    for group in [by_name, others] {
        let mut people: Vec<(String, String)> = Vec::with_capacity(group.len());
        let mut stmt =
            conn.prepare_cached("SELECT id, coalesce(full_name, '') FROM people WHERE num = ?1")?;
        for num in group {
            if let Some(found) = stmt.query_row([num], |r| Ok((r.get(0)?, r.get(1)?))).optional()? {
                people.push(found);
            }
        }
        people.sort_by_cached_key(|(id, name)| (fold(name), id.clone()));
        ids.extend(people.into_iter().map(|(id, _)| id));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_handles_malian_spellings() {
        assert_eq!(fold("Aïssata Cissé"), "aissata cisse");
        assert_eq!(fold("Ɲɛnɛ Kɔnatɛ"), "nene konate");
        assert_eq!(fold("Keïta"), "keita");
        assert_eq!(tokens("  Oumou  SANGARÉ-Diallo "), ["oumou", "sangare", "diallo"]);
    }

    #[test]
    fn match_expression_quotes_prefix_words_and_drops_punctuation() {
        assert_eq!(match_expression("aï \"ke"), Some("\"ai\"* \"ke\"*".to_string()));
        assert_eq!(match_expression(" ,;' "), None);
    }
}
