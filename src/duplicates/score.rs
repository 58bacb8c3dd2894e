//! Scoring two person records as the same person. Names are folded (accents, case), split into
//! words and the words sorted, so "Diarra Fatoumata" equals "Fatoumata Diarra" and "Aïssata
//! Traoré" equals "Aissata Traore"; the folded names are compared with Jaro-Winkler, then sex,
//! birth year, community and phone add or remove evidence. Candidates are narrowed first by
//! blocking keys (word prefixes, word suffixes, phone), so 100,000 people are scanned in seconds.

use std::collections::HashMap;

use crate::search;

/// What scoring needs of a person.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub full_name: String,
    /// "F", "M" or "X" (unknown).
    pub sex: String,
    pub birth_year: Option<i32>,
    pub birth_year_estimated: bool,
    pub community: String,
    pub phone: String,
}

/// A record prepared for comparison.
#[derive(Debug, Clone)]
pub struct Folded {
    pub name: String,
    words: Vec<String>,
    community: String,
    /// The last 8 digits of the phone (so +223 prefixes do not matter), or "".
    phone: String,
    /// How many records in the registry share this folded name (see `count_namesakes`).
    pub namesakes: u32,
}

pub fn fold(record: &Record) -> Folded {
    let mut words = search::tokens(&record.full_name);
    words.sort();
    let digits: String = record.phone.chars().filter(char::is_ascii_digit).collect();
    let phone = digits[digits.len().saturating_sub(8)..].to_string();
    Folded {
        name: words.join(" "),
        words,
        community: search::tokens(&record.community).join(" "),
        phone,
        namesakes: 1,
    }
}

/// How sure a candidate pair is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Possible,
    Likely,
    Sure,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Possible => "possible",
            Level::Likely => "likely",
            Level::Sure => "sure",
        }
    }
}

/// One piece of evidence, with a stable code (translated by the UI and CLI) and its values.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reason {
    pub code: &'static str,
    /// The values behind it ("1990 / 1991", "Ségou / Markala", "0.96").
    pub detail: String,
    /// Points added (or removed) by this evidence.
    pub points: i32,
}

/// Below this name similarity a pair is never a candidate, whatever else matches.
pub const MIN_NAME_SIMILARITY: f64 = 0.85;
/// Scores are 0–100: possible from 60, likely from 75, sure from 90.
pub const MIN_SCORE: i32 = 60;

pub fn level(score: i32) -> Option<Level> {
    match score {
        90.. => Some(Level::Sure),
        75.. => Some(Level::Likely),
        MIN_SCORE.. => Some(Level::Possible),
        _ => None,
    }
}

/// Word by word: each word is paired with its most similar word on the other side (Jaro-Winkler,
/// best pairs first, each word used once), and the similarities are averaged over the longer
/// name, so a missing word costs as much as a wrong one. Comparing whole strings instead lets a
/// shared surname carry different first names ("Moussa Coulibaly" / "Mariam Coulibaly"); any
/// paired word below 0.8 therefore rules the pair out.
pub fn name_similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut pairs: Vec<(f64, usize, usize)> = Vec::with_capacity(a.len() * b.len());
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            pairs.push((if x == y { 1.0 } else { strsim::jaro_winkler(x, y) }, i, j));
        }
    }
    pairs.sort_by(|p, q| q.0.total_cmp(&p.0));
    let (mut used_a, mut used_b) = (vec![false; a.len()], vec![false; b.len()]);
    let mut total = 0.0;
    for (similarity, i, j) in pairs {
        if used_a[i] || used_b[j] {
            continue;
        }
        if similarity < 0.8 {
            return 0.0;
        }
        used_a[i] = true;
        used_b[j] = true;
        total += similarity;
    }
    total / a.len().max(b.len()) as f64
}

/// The score of a pair and why, or None when they cannot be the same person (different sexes,
/// names too far apart).
pub fn score(a: &Record, fa: &Folded, b: &Record, fb: &Folded) -> Option<(i32, Vec<Reason>)> {
    let mut reasons = Vec::new();
    let total = evaluate(a, fa, b, fb, &mut |code, points, detail| {
        reasons.push(Reason { code, detail: detail(), points });
    })?;
    Some((total, reasons))
}

/// The score alone, without building the reasons' texts: what the scan runs on every pair.
pub fn points(a: &Record, fa: &Folded, b: &Record, fb: &Folded) -> Option<i32> {
    evaluate(a, fa, b, fb, &mut |_, _, _| {})
}

/// Points a name loses for being common in this registry: a name that many records share is
/// weak evidence that two of them are one person (0 up to 4 namesakes, 25 from about 70).
pub fn commonness_penalty(namesakes: u32) -> i32 {
    if namesakes <= 4 {
        return 0;
    }
    ((6.0 * (f64::from(namesakes) / 4.0).log2()).round() as i32).min(25)
}

/// Receives one piece of evidence: its code, its points, and a maker of its detail text.
type Note<'a> = &'a mut dyn FnMut(&'static str, i32, &dyn Fn() -> String);

/// The one scoring rule. `note` receives each piece of evidence: its code, its points and a
/// maker of its detail text (called only by `score`). Returns the total, clamped to 0–100.
fn evaluate(a: &Record, fa: &Folded, b: &Record, fb: &Folded, note: Note<'_>) -> Option<i32> {
    if a.sex != b.sex && a.sex != "X" && b.sex != "X" {
        return None;
    }
    if fa.name.is_empty() || fb.name.is_empty() {
        return None;
    }
    // Everything but the name first: cheap, and often enough to rule the pair out before the
    // name comparison runs (the name can bring at most 70 points).
    let namesakes = fa.namesakes.max(fb.namesakes);
    let penalty = commonness_penalty(namesakes);
    let same_sex = a.sex == b.sex && a.sex != "X";
    let birth = match (a.birth_year, b.birth_year) {
        (Some(ya), Some(yb)) => {
            let gap = (ya - yb).abs();
            Some(if gap <= 1 {
                ("birth_year_close", 15)
            } else if (a.birth_year_estimated || b.birth_year_estimated) && gap <= 3 {
                ("birth_year_estimated_close", 8)
            } else {
                ("birth_year_far", -20)
            })
        }
        _ => None,
    };
    let community = (!fa.community.is_empty() && !fb.community.is_empty()).then(|| {
        if fa.community == fb.community { ("same_community", 10) } else { ("other_community", -10) }
    });
    let phone = (!fa.phone.is_empty() && !fb.phone.is_empty())
        .then(|| if fa.phone == fb.phone { ("same_phone", 25) } else { ("other_phone", -5) });
    let others = i32::from(same_sex) * 5
        + [birth, community, phone].iter().flatten().map(|(_, p)| p).sum::<i32>()
        - penalty;
    if 70 + others < MIN_SCORE {
        return None;
    }
    let exact = fa.name == fb.name;
    let similarity = if exact { 1.0 } else { name_similarity(&fa.words, &fb.words) };
    if similarity < MIN_NAME_SIMILARITY {
        return None;
    }
    // 0.85 → 30 points, 1.0 → 70 points.
    let name_points = (30.0_f64
        + (similarity - MIN_NAME_SIMILARITY) / (1.0 - MIN_NAME_SIMILARITY) * 40.0)
        .round() as i32;
    let names = || format!("{} / {}", a.full_name, b.full_name);
    if exact {
        let code =
            if a.full_name.trim() == b.full_name.trim() { "same_name" } else { "same_name_folded" };
        note(code, 70, &names);
    } else {
        note("similar_name", name_points, &|| format!("{} ({similarity:.2})", names()));
    }
    if penalty > 0 {
        note("common_name", -penalty, &|| namesakes.to_string());
    }
    if same_sex {
        note("same_sex", 5, &|| a.sex.clone());
    }
    if let Some((code, points)) = birth {
        note(code, points, &|| {
            format!("{} / {}", a.birth_year.unwrap_or_default(), b.birth_year.unwrap_or_default())
        });
    }
    if let Some((code, points)) = community {
        let both = || format!("{} / {}", a.community, b.community);
        let same = || a.community.clone();
        note(code, points, if points > 0 { &same } else { &both });
    }
    if let Some((code, points)) = phone {
        let both = || format!("{} / {}", a.phone, b.phone);
        let same = || a.phone.clone();
        note(code, points, if points > 0 { &same } else { &both });
    }
    Some((name_points + others).clamp(0, 100))
}

/// Sets each record's `namesakes`: how many records share its folded name.
pub fn count_namesakes(folded: &mut [Folded]) {
    let mut counts: HashMap<String, u32> = HashMap::new();
    for f in folded.iter() {
        *counts.entry(f.name.clone()).or_default() += 1;
    }
    for f in folded.iter_mut() {
        f.namesakes = counts[&f.name];
    }
}

/// A block bigger than this (a name written by thousands, an empty phone) is too common to say
/// anything; its pairs are still reached through the other keys.
const MAX_BLOCK: usize = 20_000;
/// A block bigger than this is not paired all with all: its members are sorted by birth year and
/// community and each is paired with the next [`WINDOW`] (a sorted neighbourhood). At a million
/// people a common name's block holds a thousand women and all-with-all pairs grew as the square
/// (27 s at 300,000 people, minutes at a million); twins are a year apart at most, so they sit
/// side by side once sorted.
const ALL_PAIRS_UP_TO: usize = 200;
const WINDOW: usize = 25;

/// The blocking keys of a record: sorted word prefixes, sorted word suffixes, and the phone. Two
/// records are compared only if they share a key; a one-letter typo changes at most one of them.
fn keys(folded: &Folded, sex: &str) -> Vec<String> {
    let cut = |word: &String, from_end: bool| -> String {
        let chars: Vec<char> = word.chars().collect();
        let n = chars.len().min(3);
        if from_end {
            chars[chars.len() - n..].iter().collect()
        } else {
            chars[..n].iter().collect()
        }
    };
    let mut keys = Vec::with_capacity(3);
    if !folded.words.is_empty() {
        for (tag, from_end) in [("p", false), ("s", true)] {
            let mut parts: Vec<String> = folded.words.iter().map(|w| cut(w, from_end)).collect();
            parts.sort();
            keys.push(format!("{tag}:{}", parts.join(" ")));
        }
    }
    if folded.phone.len() >= 6 {
        keys.push(format!("t:{}", folded.phone));
    }
    // Women and men are never the same person: block them apart (unknown sex meets both).
    match sex {
        "F" | "M" => keys.iter().map(|k| format!("{sex}{k}")).collect(),
        _ => keys.iter().flat_map(|k| [format!("F{k}"), format!("M{k}")]).collect(),
    }
}

/// Every pair of records that shares a blocking key, each pair once, as (lower, higher) index.
pub fn candidate_pairs(records: &[Record], folded: &[Folded]) -> Vec<(usize, usize)> {
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, (r, f)) in records.iter().zip(folded).enumerate() {
        for key in keys(f, &r.sex) {
            blocks.entry(key).or_default().push(index);
        }
    }
    let mut pairs = Vec::new();
    for members in blocks.values_mut() {
        if members.len() < 2 || members.len() > MAX_BLOCK {
            continue;
        }
        let window = if members.len() > ALL_PAIRS_UP_TO {
            members.sort_by(|&x, &y| {
                (records[x].birth_year, &folded[x].community)
                    .cmp(&(records[y].birth_year, &folded[y].community))
            });
            WINDOW
        } else {
            usize::MAX
        };
        for (i, &a) in members.iter().enumerate() {
            for &b in members[i + 1..].iter().take(window) {
                pairs.push((a.min(b), a.max(b)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, sex: &str, year: Option<i32>, community: &str, phone: &str) -> Record {
        Record {
            id: String::new(),
            full_name: name.into(),
            sex: sex.into(),
            birth_year: year,
            birth_year_estimated: false,
            community: community.into(),
            phone: phone.into(),
        }
    }

    fn pair(a: &Record, b: &Record) -> Option<(i32, Vec<Reason>)> {
        score(a, &fold(a), b, &fold(b))
    }

    fn level_of(a: &Record, b: &Record) -> Option<Level> {
        pair(a, b).and_then(|(s, _)| level(s))
    }

    #[test]
    fn accents_and_word_order_do_not_matter() {
        let a = person("Aïssata Traoré", "F", Some(1990), "Ségou", "");
        let b = person("Traore Aissata", "F", Some(1991), "Segou", "");
        let (score, reasons) = pair(&a, &b).unwrap();
        assert_eq!(score, 100);
        assert_eq!(level(score), Some(Level::Sure));
        let codes: Vec<_> = reasons.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["same_name_folded", "same_sex", "birth_year_close", "same_community"]);
    }

    #[test]
    fn a_one_letter_typo_is_still_a_sure_match_with_the_same_details() {
        let a = person("Fatoumata Diarra", "F", Some(1988), "Markala", "");
        let b = person("Fatoumata Diara", "F", Some(1988), "Markala", "");
        assert_eq!(level_of(&a, &b), Some(Level::Sure));
        let c = person("Fatoumta Diarra", "F", None, "", "");
        assert!(level_of(&a, &c).is_some(), "a dropped letter is still proposed");
    }

    #[test]
    fn the_same_common_name_in_two_communes_is_not_a_sure_match() {
        let a = person("Fatoumata Traoré", "F", None, "Ségou", "");
        let b = person("Fatoumata Traoré", "F", None, "Gao", "");
        let level = level_of(&a, &b).unwrap();
        assert!(level < Level::Sure, "{level:?}");
        // With birth years far apart they are not proposed at all.
        let a = person("Fatoumata Traoré", "F", Some(1970), "Ségou", "");
        let b = person("Fatoumata Traoré", "F", Some(1999), "Gao", "");
        assert_eq!(level_of(&a, &b), None);
    }

    #[test]
    fn different_sexes_and_different_names_are_never_candidates() {
        let a = person("Moussa Coulibaly", "M", Some(1980), "Ségou", "");
        assert_eq!(pair(&a, &person("Moussa Coulibaly", "F", Some(1980), "Ségou", "")), None);
        assert_eq!(pair(&a, &person("Mariam Coulibaly", "M", Some(1980), "Ségou", "")), None);
        // Unknown sex does not rule a pair out.
        assert!(pair(&a, &person("Moussa Coulibaly", "X", Some(1980), "Ségou", "")).is_some());
    }

    #[test]
    fn a_shared_phone_is_strong_evidence_and_the_country_code_is_ignored() {
        let a = person("Kadiatou Sangaré", "F", None, "Ségou", "+223 76 12 34 56");
        let b = person("Kadiatou Sangare", "F", None, "Pelengana", "76123456");
        let (score, reasons) = pair(&a, &b).unwrap();
        assert!(reasons.iter().any(|r| r.code == "same_phone"));
        assert_eq!(level(score), Some(Level::Sure));
    }

    #[test]
    fn a_name_many_people_share_is_weaker_evidence() {
        assert_eq!(commonness_penalty(1), 0);
        assert_eq!(commonness_penalty(4), 0);
        assert_eq!(commonness_penalty(8), 6);
        assert_eq!(commonness_penalty(64), 24);
        assert_eq!(commonness_penalty(10_000), 25);
        let a = person("Fatoumata Traoré", "F", Some(1990), "Ségou", "");
        let b = person("Fatoumata Traoré", "F", Some(1990), "Ségou", "");
        let (fa, mut fb) = (fold(&a), fold(&b));
        let alone = score(&a, &fa, &b, &fb).unwrap().0;
        fb.namesakes = 64;
        let (common, reasons) = score(&a, &fa, &b, &fb).unwrap();
        assert_eq!(common, alone - 24);
        assert!(reasons.iter().any(|r| r.code == "common_name" && r.detail == "64"));
        assert_eq!(points(&a, &fa, &b, &fb), Some(common));
    }

    #[test]
    fn names_are_compared_word_by_word() {
        let words = |s: &str| search::tokens(s);
        assert_eq!(name_similarity(&words("aissata traore"), &words("traore aissata")), 1.0);
        assert!(name_similarity(&words("aissata traore"), &words("aisata traore")) > 0.95);
        assert_eq!(name_similarity(&words("moussa coulibaly"), &words("mariam coulibaly")), 0.0);
        // A missing middle name costs a word.
        assert!(name_similarity(&words("aminata dicko traore"), &words("aminata traore")) < 0.7);
    }

    #[test]
    fn blocking_reaches_typos_and_reordered_names_but_not_strangers() {
        let records = [
            person("Aïssata Traoré", "F", None, "", ""),
            person("Traore Aisata", "F", None, "", ""),
            person("Oumou Sangaré", "F", None, "", ""),
            person("Awa Keïta", "F", None, "", "+223 70 00 00 01"),
            person("Awa Kéita", "F", None, "", "70000001"),
        ];
        let folded: Vec<Folded> = records.iter().map(fold).collect();
        let pairs = candidate_pairs(&records, &folded);
        assert!(pairs.contains(&(0, 1)), "{pairs:?}");
        assert!(pairs.contains(&(3, 4)), "{pairs:?}");
        assert!(!pairs.iter().any(|&(a, b)| a == 2 || b == 2), "{pairs:?}");
    }

    #[test]
    fn a_block_of_a_common_name_pairs_neighbours_by_birth_year_not_all_with_all() {
        // A thousand women named Fatoumata Diarra, born over 50 years, and among them a twin
        // registered again a year apart, in another community.
        let mut records: Vec<Record> = (0..1000)
            .map(|i| person("Fatoumata Diarra", "F", Some(1950 + (i % 50) as i32), "Ségou", ""))
            .collect();
        records.push(person("Fatoumata Diarra", "F", Some(1977 + 1), "Markala", ""));
        let twin_of = 27; // born 1977
        let folded: Vec<Folded> = records.iter().map(fold).collect();
        let pairs = candidate_pairs(&records, &folded);
        let n = records.len();
        assert!(
            pairs.len() <= n * WINDOW,
            "{} pairs: windowed, not {}",
            pairs.len(),
            n * (n - 1) / 2
        );
        // Every woman born in 1977 or 1978 is within reach of the twin once sorted.
        let near = |i: usize| matches!(records[i].birth_year, Some(1977..=1978));
        let reached = pairs.iter().filter(|&&(a, b)| b == n - 1 && near(a)).count();
        assert!(reached >= 20, "{reached} of the twin's year neighbours paired");
        assert!(pairs.contains(&(twin_of, n - 1)), "the twin meets her first registration");
        // And a woman born in 1950 is never compared with her namesake born in 1999.
        assert!(!pairs.iter().any(|&(a, b)| {
            records[a].birth_year.zip(records[b].birth_year).is_some_and(|(x, y)| (x - y).abs() > 5)
        }));
    }
}
