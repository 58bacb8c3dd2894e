//! The core's documents (report sentence, spreadsheet headers, attendance sheets) speak French or
//! English from the same strings as the interface: ui/i18n/{fr,en}.json, compiled in.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

fn table(lang: Lang) -> &'static HashMap<String, Value> {
    static FR: OnceLock<HashMap<String, Value>> = OnceLock::new();
    static EN: OnceLock<HashMap<String, Value>> = OnceLock::new();
    let (cell, text) = match lang {
        Lang::Fr => (&FR, include_str!("../ui/i18n/fr.json")),
        Lang::En => (&EN, include_str!("../ui/i18n/en.json")),
    };
    cell.get_or_init(|| serde_json::from_str(text).expect("ui/i18n files are valid JSON"))
}

/// CLDR plural category for the languages we ship: French counts 0 and 1 as singular.
fn plural(lang: Lang, count: i64) -> &'static str {
    match (lang, count) {
        (Lang::Fr, 0 | 1) | (Lang::En, 1) => "one",
        _ => "other",
    }
}

/// The text of `key` with `{name}` placeholders filled; the plural form follows `count` in vars.
pub fn t(lang: Lang, key: &str, vars: &[(&str, String)]) -> String {
    let count = vars
        .iter()
        .find(|(k, _)| *k == "count")
        .and_then(|(_, v)| v.replace(['\u{202f}', ' '], "").parse().ok());
    let template = match table(lang).get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(forms)) => {
            let form = plural(lang, count.unwrap_or(0));
            forms
                .get(form)
                .or_else(|| forms.get("other"))
                .and_then(Value::as_str)
                .unwrap_or(key)
                .to_string()
        }
        _ => key.to_string(),
    };
    let mut out = template;
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A whole number written out for 0–10 ("trois activités"), digits above.
pub fn small_number(lang: Lang, n: i64) -> String {
    const FR: [&str; 11] =
        ["zéro", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"];
    const EN: [&str; 11] =
        ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
    match (lang, usize::try_from(n)) {
        (Lang::Fr, Ok(i)) if i <= 10 => FR[i].to_string(),
        (Lang::En, Ok(i)) if i <= 10 => EN[i].to_string(),
        _ => grouped(lang, n),
    }
}

/// 12345 → "12 345" (fr) or "12,345" (en).
pub fn grouped(lang: Lang, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = if lang == Lang::Fr { "\u{202f}" } else { "," };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_come_from_the_ui_files_with_plurals() {
        assert_eq!(t(Lang::Fr, "nav.home", &[]), "Accueil");
        assert_eq!(t(Lang::En, "nav.home", &[]), "Home");
        assert_eq!(t(Lang::Fr, "people.count", &[("count", "1".into())]), "1 personne");
        assert_eq!(t(Lang::Fr, "people.count", &[("count", "315".into())]), "315 personnes");
        assert_eq!(t(Lang::En, "people.count", &[("count", "1".into())]), "1 person");
        assert_eq!(grouped(Lang::Fr, 1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(grouped(Lang::En, 1234567), "1,234,567");
        assert_eq!(small_number(Lang::En, 3), "three");
        assert_eq!(small_number(Lang::Fr, 12), "12");
    }
}
