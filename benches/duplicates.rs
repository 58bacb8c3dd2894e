//! Duplicate candidate search over 1,000,000 people with Malian names (a few dozen first names and
//! surnames, so the same name is common, as it is in the field), of whom 10,000 were registered a
//! second time (one in a hundred) with the kind of difference two facilitators make: accents dropped, words swapped,
//! one letter wrong, another community, a phone only on one record. Prints the scan time and how
//! many planted pairs were found (target ≤ 30 s). `cargo bench --bench duplicates` (PEOPLE=… to change the size).

use std::collections::HashSet;
use std::time::Instant;

use serde_json::{Value, json};

mod common;

const FIRST: &[&str] = &[
    "Aïssata",
    "Fatoumata",
    "Mariam",
    "Oumou",
    "Kadiatou",
    "Aminata",
    "Hawa",
    "Djénéba",
    "Bintou",
    "Awa",
    "Assitan",
    "Salimata",
    "Rokia",
    "Korotoumou",
    "Nana",
    "Fanta",
    "Sitan",
    "Maimouna",
    "Adama",
    "Ramata",
    "Moussa",
    "Bakary",
    "Seydou",
    "Mamadou",
    "Oumar",
    "Ibrahim",
    "Souleymane",
    "Boubacar",
    "Drissa",
    "Lassina",
    "Modibo",
    "Cheick",
    "Abdoulaye",
    "Youssouf",
    "Sekou",
    "Hamadoun",
    "Alassane",
    "Amadou",
    "Issa",
    "Yacouba",
];
const LAST: &[&str] = &[
    "Traoré",
    "Diarra",
    "Coulibaly",
    "Keïta",
    "Cissé",
    "Touré",
    "Konaté",
    "Sangaré",
    "Diallo",
    "Maïga",
    "Dembélé",
    "Sidibé",
    "Samaké",
    "Kané",
    "Doumbia",
    "Fofana",
    "Koné",
    "Camara",
    "Sissoko",
    "Haïdara",
    "Guindo",
    "Dicko",
    "Ballo",
    "Bagayoko",
    "Tangara",
    "Sanogo",
    "Berthé",
    "Kanté",
    "Niaré",
    "Togola",
    "Dolo",
    "Goïta",
    "Mariko",
    "Sow",
    "Bah",
    "Cissoko",
    "Kouyaté",
    "Diakité",
    "Djiré",
    "Tounkara",
];
const PLACES: &[&str] = &[
    "Pelengana",
    "Sébougou",
    "Socoura",
    "Sévaré",
    "Kati",
    "Gao",
    "Djenné",
    "Niono",
    "Markala",
    "Ségou",
    "San",
    "Bla",
    "Macina",
    "Tominian",
    "Baroueli",
    "Konobougou",
    "Dioro",
    "Katiéna",
    "Somo",
    "Farako",
    "Fatiné",
    "Sansanding",
    "Boussin",
    "Dougabougou",
    "Sama",
    "Cinzana",
    "Diédougou",
    "Kamiandougou",
    "Massala",
    "Tamani",
];

/// A small deterministic generator (the figures must be the same on every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

struct Registration {
    name: String,
    sex: &'static str,
    year: i64,
    community: &'static str,
    phone: String,
}

/// What a second facilitator writes down for the same person.
fn second_registration(r: &Registration, rng: &mut Lcg) -> Registration {
    let mut name = r.name.clone();
    match rng.next(3) {
        0 => name = deunicode_like(&name),
        1 => {
            let words: Vec<&str> = name.split(' ').collect();
            name = format!("{} {}", words[1], words[0]);
        }
        _ => {
            // One letter wrong, not the first.
            let mut chars: Vec<char> = name.chars().collect();
            let at = 1 + rng.next(chars.len() - 2);
            chars[at] = if chars[at] == 'a' { 'e' } else { 'a' };
            name = chars.into_iter().collect();
        }
    }
    Registration {
        name,
        sex: r.sex,
        year: r.year + [0, 0, 1][rng.next(3)],
        community: if rng.next(2) == 0 { r.community } else { PLACES[rng.next(PLACES.len())] },
        phone: if rng.next(2) == 0 { r.phone.clone() } else { String::new() },
    }
}

fn deunicode_like(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'é' | 'è' => 'e',
            'ï' => 'i',
            c => c,
        })
        .collect()
}

fn main() {
    let people: usize =
        std::env::var("PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let planted = people / 100;
    let (app, device) = common::database();
    let mut rng = Lcg(7);
    let mut registrations = Vec::with_capacity(people + planted);
    for i in 0..people {
        let first = rng.next(FIRST.len());
        registrations.push(Registration {
            name: format!("{} {}", FIRST[first], LAST[rng.next(LAST.len())]),
            sex: if first < 20 { "F" } else { "M" },
            year: 1950 + rng.next(58) as i64,
            community: PLACES[rng.next(PLACES.len())],
            phone: if i % 5 < 3 { format!("7{:07}", rng.next(10_000_000)) } else { String::new() },
        });
    }
    let mut planted_pairs = Vec::new();
    for k in 0..planted {
        let original = k * (people / planted);
        let copy = second_registration(&registrations[original], &mut rng);
        planted_pairs.push((original, registrations.len()));
        registrations.push(copy);
    }
    println!("registering {} people ({planted} of them twice)…", registrations.len());
    let mut ids = Vec::with_capacity(registrations.len());
    let mut ops = Vec::with_capacity(registrations.len() * 6);
    for r in &registrations {
        let fields: Vec<(&str, Value)> = vec![
            ("full_name", json!(r.name)),
            ("sex", json!(r.sex)),
            ("birth_year", json!(r.year)),
            ("community", json!(r.community)),
            ("phone", json!(r.phone)),
            ("deleted", json!(false)),
        ];
        ids.push(common::register(&mut ops, device, fields).to_string());
    }
    app.merge_ops(&ops).unwrap();

    // Timed: what the Duplicates screen asks for (the whole scan, the best 50 loaded).
    let mut times = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        let shown = app.duplicates(50).unwrap();
        times.push(start.elapsed().as_secs_f64());
        assert!(shown.pairs.len() <= 50);
    }
    times.sort_by(f64::total_cmp);
    // Untimed: every pair, to count the planted ones found.
    let found = app.duplicates(usize::MAX).unwrap();
    let pairs: HashSet<(String, String)> = found
        .pairs
        .iter()
        .map(|c| {
            let (a, b) = (c.a.id.to_string(), c.b.id.to_string());
            if a < b { (a, b) } else { (b, a) }
        })
        .collect();
    let hits = planted_pairs
        .iter()
        .filter(|(a, b)| {
            let (a, b) = (ids[*a].clone(), ids[*b].clone());
            pairs.contains(&if a < b { (a, b) } else { (b, a) })
        })
        .count();
    let sure = found.pairs.iter().filter(|c| c.level == palabre::duplicates::Level::Sure).count();
    println!(
        "[duplicates] {} people scanned in {:.2} s (median of 3; target ≤ 30 s at 1,000,000); {} candidate pairs ({} sure); planted duplicates found: {hits} of {planted} ({:.0} %)",
        registrations.len(),
        times[1],
        found.total,
        sure,
        100.0 * hits as f64 / planted as f64
    );
}
