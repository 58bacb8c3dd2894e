//! The one sentence a donor report starts with, in French or English, from the figures:
//! "En 2024, le programme a touché 315 personnes, presque toutes des femmes, dont deux tiers de
//! jeunes. Il a tenu trois activités avec les acteurs de sécurité et sept avec les acteurs de
//! gouvernance et de justice." Shares are words when they are close to a simple fraction,
//! "presque toutes des femmes" only from 90 %, and percentages otherwise.

use chrono::{Datelike, NaiveDate};

use crate::i18n::{Lang, grouped, small_number, t};
use crate::report::indicators::{Activities, People, Period};

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn period_text(lang: Lang, period: Period) -> String {
    match (period.from, period.to) {
        (Some(from), Some(to))
            if from.year() == to.year()
                && from.ordinal() == 1
                && to.month() == 12
                && to.day() == 31 =>
        {
            t(lang, "report.period_year", &[("year", from.year().to_string())])
        }
        (Some(from), Some(to)) => {
            t(lang, "report.period_range", &[("from", date(from)), ("to", date(to))])
        }
        (Some(from), None) => t(lang, "report.period_from", &[("from", date(from))]),
        (None, Some(to)) => t(lang, "report.period_to", &[("to", date(to))]),
        (None, None) => t(lang, "report.period_all", &[]),
    }
}

/// A share rounded to whole percent, written the language's way ("67 %", "67%").
pub fn percent(lang: Lang, part: i64, total: i64) -> String {
    let pct = if total == 0 { 0 } else { (part * 100 + total / 2) / total };
    match lang {
        Lang::Fr => format!("{pct}\u{202f}%"),
        Lang::En => format!("{pct}%"),
    }
}

/// A fraction word when the share is within two points of one.
fn fraction(lang: Lang, part: i64, total: i64) -> Option<String> {
    let share = part as f64 / total as f64;
    let near = |x: f64| (share - x).abs() <= 0.02 + f64::EPSILON;
    let key = [
        (1.0 / 4.0, "report.fraction_quarter"),
        (1.0 / 3.0, "report.fraction_third"),
        (1.0 / 2.0, "report.fraction_half"),
        (2.0 / 3.0, "report.fraction_two_thirds"),
        (3.0 / 4.0, "report.fraction_three_quarters"),
    ]
    .into_iter()
    .find(|(x, _)| near(*x))?
    .1;
    Some(t(lang, key, &[]))
}

pub fn sentence(lang: Lang, period: Period, people: &People, activities: &Activities) -> String {
    let when = period_text(lang, period);
    if people.total == 0 && activities.total == 0 {
        return t(lang, "report.summary_nothing", &[("period", when)]);
    }
    let first = if people.total == 0 {
        t(lang, "report.summary_nobody", &[("period", when)])
    } else {
        let women = people.by_sex.get("F").copied().unwrap_or(0);
        let women = if women == people.total {
            t(lang, "report.all_women", &[])
        } else if women * 10 >= people.total * 9 {
            t(lang, "report.almost_all_women", &[])
        } else {
            t(lang, "report.women_share", &[("pct", percent(lang, women, people.total))])
        };
        let youth = match fraction(lang, people.youth, people.total) {
            Some(words) => t(lang, "report.youth_fraction", &[("fraction", words)]),
            None => {
                t(lang, "report.youth_share", &[("pct", percent(lang, people.youth, people.total))])
            }
        };
        let count = people.total.to_string();
        let people_text = t(
            lang,
            "report.people_count",
            &[("count", count), ("number", grouped(lang, people.total))],
        );
        t(
            lang,
            "report.summary_people",
            &[("period", when), ("people", people_text), ("women", women), ("youth", youth)],
        )
    };
    let count = |group: &str| activities.by_group.get(group).copied().unwrap_or(0);
    let security = count("security_actors");
    let justice = count("governance_justice");
    let activities_text = |n: i64| {
        t(
            lang,
            "report.activities_count",
            &[("count", n.to_string()), ("word", small_number(lang, n))],
        )
    };
    // "zéro activité" is not French: a group with none is said with "aucune" / "none".
    let second = match (security, justice) {
        (0, 0) => t(lang, "report.summary_activities_neither", &[]),
        (0, _) => t(
            lang,
            "report.summary_activities_no_security",
            &[("justice", activities_text(justice))],
        ),
        (_, 0) => t(
            lang,
            "report.summary_activities_no_justice",
            &[("security", activities_text(security))],
        ),
        _ => t(
            lang,
            "report.summary_activities",
            &[("security", activities_text(security)), ("justice", small_number(lang, justice))],
        ),
    };
    format!("{first}{second}")
}
