//! Checks shared by every form: text is trimmed, NFC-composed and bounded; dates are strict
//! ISO dates; phones are digits. Each returns the cleaned value or an `Invalid` naming the field.

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

use crate::error::Invalid;

/// Longest free text a field may hold (summaries, notes, problem analyses).
pub const LONG_TEXT: usize = 10_000;
/// Longest name, title, place or role.
pub const SHORT_TEXT: usize = 200;
/// Oldest birth year accepted.
pub const MIN_BIRTH_YEAR: i32 = 1900;
pub const MAX_AGE: i32 = 120;

/// Trims, composes (NFC, so "Cisse\u{301}" is stored as "Cissé") and bounds a text field.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, Invalid> {
    let cleaned: String = value.trim().nfc().collect();
    let len = cleaned.chars().count();
    if len > max {
        return Err(Invalid::TooLong { field, len, max });
    }
    Ok(cleaned)
}

/// Like `text`, but empty is refused.
pub fn required(field: &'static str, value: &str, max: usize) -> Result<String, Invalid> {
    let cleaned = text(field, value, max)?;
    if cleaned.is_empty() {
        return Err(Invalid::Empty { field });
    }
    Ok(cleaned)
}

/// The largest figure an indicator's baseline or target may hold.
pub const MAX_FIGURE: i64 = 1_000_000_000;

/// An indicator's code as HQ types it ("R1.2", "PAL-3"): 1 to 20 letters, digits, dots, dashes
/// or underscores, so that it reads the same in a table, a file name and IATI.
pub fn indicator_code(value: &str) -> Result<String, Invalid> {
    let code = value.trim();
    let ok = (1..=20).contains(&code.chars().count())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(code.to_string())
    } else {
        Err(Invalid::UnknownCode {
            field: "indicator code",
            value: value.chars().take(40).collect(),
            allowed: "1 to 20 letters, digits, '.', '-' or '_' (e.g. R1.2)".into(),
        })
    }
}

/// The key a target is stored under: "2025" for a year, "2025-Q3" for a quarter.
pub fn target_key(year: i32, quarter: Option<u32>) -> String {
    match quarter {
        Some(q) => format!("{year}-Q{q}"),
        None => year.to_string(),
    }
}

/// The period a target is for, a year ("2025") or a quarter ("2025-Q3"), as its key.
pub fn target_period(value: &str) -> Result<String, Invalid> {
    let bad = || Invalid::UnknownCode {
        field: "target period",
        value: value.chars().take(40).collect(),
        allowed: "a year (2025) or a quarter (2025-Q3)".into(),
    };
    let (year, quarter) = match value.trim().split_once("-Q") {
        Some((year, quarter)) => (year, Some(quarter.parse::<u32>().map_err(|_| bad())?)),
        None => (value.trim(), None),
    };
    let year: i32 = year.parse().map_err(|_| bad())?;
    if year.to_string().len() != 4
        || !(1990..=2100).contains(&year)
        || quarter.is_some_and(|q| !(1..=4).contains(&q))
    {
        return Err(bad());
    }
    Ok(target_key(year, quarter))
}

/// An IATI identifier as typed: no spaces, no slashes, at most 100 characters.
pub fn iati_identifier(field: &'static str, value: &str) -> std::result::Result<String, Invalid> {
    let id = value.trim();
    if id.is_empty()
        || id.chars().count() > 100
        || id.chars().any(|c| c.is_whitespace() || matches!(c, '/' | '&' | '|' | '?'))
    {
        return Err(Invalid::UnknownCode {
            field,
            value: value.chars().take(40).collect(),
            allowed: "an IATI identifier without spaces or slashes, e.g. CH-FDJP-1234".into(),
        });
    }
    Ok(id.to_string())
}

/// A strict YYYY-MM-DD date; impossible dates (2024-02-30) are refused.
pub fn date(field: &'static str, value: &str) -> Result<NaiveDate, Invalid> {
    let value = value.trim();
    let well_formed = value.len() == 10
        && value
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    well_formed
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| Invalid::Date { field, value: value.to_string() })
}

/// An optional date: empty means "none".
pub fn optional_date(field: &'static str, value: &str) -> Result<Option<NaiveDate>, Invalid> {
    if value.trim().is_empty() { Ok(None) } else { date(field, value).map(Some) }
}

/// A phone number: digits with optional spaces, dots, dashes and a leading +. Empty means none.
pub fn phone(value: &str) -> Result<String, Invalid> {
    let value = value.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-') || (c == '+' && i == 0));
    if value.is_empty() {
        Ok(String::new())
    } else if !allowed || !(6..=20).contains(&digits) {
        Err(Invalid::Phone { value: value.to_string() })
    } else {
        Ok(value.to_string())
    }
}

/// The birth year of a person, given either directly or as an age on `today`.
/// Returns (year, estimated) where `estimated` is true when it was derived from an age.
pub fn birth_year(
    year: Option<i32>,
    age: Option<i32>,
    today: NaiveDate,
) -> Result<Option<(i32, bool)>, Invalid> {
    match (year, age) {
        (Some(_), Some(_)) => Err(Invalid::BirthYearAndAge),
        (Some(year), None) => {
            let max = today.year();
            if (MIN_BIRTH_YEAR..=max).contains(&year) {
                Ok(Some((year, false)))
            } else {
                Err(Invalid::BirthYear { year, min: MIN_BIRTH_YEAR, max })
            }
        }
        (None, Some(age)) => {
            if (0..=MAX_AGE).contains(&age) {
                Ok(Some((today.year() - age, true)))
            } else {
                Err(Invalid::Age { age, max: MAX_AGE })
            }
        }
        (None, None) => Ok(None),
    }
}

/// Age in whole years on `on`, from a birth year (the day is unknown, so it is the year difference).
pub fn age_on(birth_year: Option<i32>, on: NaiveDate) -> Option<i32> {
    birth_year.map(|year| on.year() - year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_composed_and_bounded() {
        assert_eq!(text("name", "  Cisse\u{301} ", 10).unwrap(), "Cissé");
        assert_eq!(required("name", "   ", 10).unwrap_err(), Invalid::Empty { field: "name" });
        assert_eq!(text("name", "abcdef", 5).unwrap_err().code(), "too_long");
    }

    #[test]
    fn dates_are_strict() {
        assert!(date("date", "2024-02-29").is_ok());
        for bad in ["2023-02-29", "2024-13-01", "2024-2-1", "15/03/2024", "", "2024-03-15x"] {
            assert_eq!(date("date", bad).unwrap_err().code(), "invalid_date", "{bad}");
        }
        assert_eq!(optional_date("end", " ").unwrap(), None);
    }

    #[test]
    fn phones_accept_local_and_international_forms() {
        assert_eq!(phone("+223 76 12 34 56").unwrap(), "+223 76 12 34 56");
        assert_eq!(phone("").unwrap(), "");
        for bad in ["76 12 ab", "12", "223+76123456", "7612345678901234567890"] {
            assert_eq!(phone(bad).unwrap_err().code(), "invalid_phone", "{bad}");
        }
    }

    #[test]
    fn birth_year_from_year_or_age() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        assert_eq!(birth_year(Some(1990), None, today).unwrap(), Some((1990, false)));
        assert_eq!(birth_year(None, Some(30), today).unwrap(), Some((1994, true)));
        assert_eq!(
            birth_year(Some(1899), None, today).unwrap_err().code(),
            "birth_year_out_of_range"
        );
        assert_eq!(
            birth_year(Some(2025), None, today).unwrap_err().code(),
            "birth_year_out_of_range"
        );
        assert_eq!(birth_year(None, Some(121), today).unwrap_err().code(), "age_out_of_range");
        assert_eq!(birth_year(None, Some(-1), today).unwrap_err().code(), "age_out_of_range");
        assert_eq!(
            birth_year(Some(1990), Some(3), today).unwrap_err().code(),
            "birth_year_and_age"
        );
        assert_eq!(age_on(Some(2009), NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()), Some(15));
    }
}
