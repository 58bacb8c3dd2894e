//! Attendance sheet speed: a session with 490 registered participants and 10 blank rows (500 rows,
//! 39 pages) rendered to PDF. Prints the median of several runs (target < 100 ms).
//! `cargo bench --bench sheet`.

use std::time::Instant;

use palabre::i18n::Lang;
use palabre::{Palabre, PersonInput, SessionInput};

fn main() {
    let app = Palabre::open_in_memory().unwrap();
    app.init("Bench").unwrap();
    let session = app
        .add_session(&SessionInput {
            title: Some("Dialogue communautaire sur la participation des femmes".into()),
            start_date: Some("2024-03-14".into()),
            commune: Some("Pelengana".into()),
            ..Default::default()
        })
        .unwrap();
    let people: Vec<_> = (0..490)
        .map(|i| {
            app.add_person(&PersonInput {
                full_name: Some(format!("Aïssata Ɲɛnɛ Traoré {i}")),
                sex: Some("F".into()),
                birth_year: Some(1980 + i % 30),
                role: Some("Présidente de groupement".into()),
                community: Some("Pelengana Nord".into()),
                phone: Some("+223 76 12 34 56".into()),
                ..Default::default()
            })
            .unwrap()
        })
        .collect();
    app.attend(session, &people).unwrap();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..9 {
        let started = Instant::now();
        size = app.attendance_sheet(Some(session), Lang::Fr, 10).unwrap().len();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "[sheet] attendance sheet of 500 rows ({} KiB PDF): median {:.1} ms (best {:.1} ms; target < 100 ms)",
        size / 1024,
        times[times.len() / 2],
        times[0]
    );
}
