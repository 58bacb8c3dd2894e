//! How names are compared and ordered everywhere: folded to lower-case ASCII with deunicode (which
//! also maps letters that have no decomposition, like Ɲ and ɛ), so that "Ɲɛnɛ" sorts with the N,
//! "Élise" with the E and "aissata" finds "Aïssata". The registry, session lists, attendance
//! sheets, exports and search all use this one order (SQLite's `palabre` collation calls
//! [`compare`]).

use std::borrow::Cow;
use std::cmp::Ordering;

/// The SQLite collation name registered on every connection: `ORDER BY full_name COLLATE palabre`.
pub const COLLATION: &str = "palabre";

/// Lower-case ASCII form of a text, for matching and ordering.
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

fn folded(text: &str) -> Cow<'_, str> {
    if text.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(fold(text))
    }
}

/// Words of the folded text.
pub fn tokens(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// What the search index holds of a phone number: as typed, then its digits alone, so that
/// "76 12 34 56" is found by "7612" as well as by "76 12".
pub fn phone_words(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("{phone} {digits}")
}

/// SQL functions the schema's migrations use to fill the search index as the journal does
/// (`palabre_fold(text)`, `palabre_phone_words(text)`; NULL reads as empty). Registered on every
/// connection the store opens, before it migrates.
pub fn register_functions(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let text = |ctx: &rusqlite::functions::Context<'_>| -> rusqlite::Result<String> {
        Ok(ctx.get::<Option<String>>(0)?.unwrap_or_default())
    };
    conn.create_scalar_function("palabre_fold", 1, flags, move |ctx| Ok(fold(&text(ctx)?)))?;
    conn.create_scalar_function("palabre_phone_words", 1, flags, move |ctx| {
        Ok(phone_words(&text(ctx)?))
    })
}

/// The order of two names: by their folded forms, then (for names that fold alike, such as
/// "Cisse" and "Cissé") by the text itself, so that the order is total and stable.
pub fn compare(a: &str, b: &str) -> Ordering {
    folded(a).cmp(&folded(b)).then_with(|| a.cmp(b))
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
    fn names_sort_by_their_folded_letters() {
        let mut names = vec![
            "Zeinabou Coulibaly",
            "Ɲɛnɛ Kɔnatɛ",
            "Oumou Sangaré",
            "Nana Diarra",
            "élise Dembélé",
            "Aïssata Traoré",
        ];
        names.sort_by(|a, b| compare(a, b));
        assert_eq!(
            names,
            [
                "Aïssata Traoré",
                "élise Dembélé",
                "Nana Diarra",
                "Ɲɛnɛ Kɔnatɛ",
                "Oumou Sangaré",
                "Zeinabou Coulibaly"
            ]
        );
        assert_eq!(compare("Cisse", "Cissé"), Ordering::Less);
        assert_eq!(compare("awa", "Awa").reverse(), compare("Awa", "awa"));
    }
}
