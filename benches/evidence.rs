//! Paper evidence: 100 phone photos of signed sheets (one per session, each a 6-megapixel JPEG
//! of the printed page, tilted 1 to 4 degrees, turned a quarter, half or three-quarter turn and
//! noisy), decoded, read, turned upright and straightened, recompressed and filed by their codes
//! one by one; then what each attached page
//! adds to a bundle. Prints the time per photo (target < 1 s) and the bundle bytes per attached
//! page (target ≤ 300 KB, the page budget). `cargo bench --bench evidence`.

use std::time::Instant;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, GrayImage};
use palabre::i18n::Lang;
use palabre::{Filing, Palabre, PersonInput, SessionInput};

const PHOTOS: usize = 100;

/// Page 1 of a sheet, rendered by pdftoppm at 250 dpi (about 2,900 × 2,050 pixels).
fn rendered(pdf: &[u8]) -> GrayImage {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, pdf).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-gray", "-r", "250", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&path)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm (poppler-utils; make deps installs it)");
    assert!(status.success());
    image::open(dir.path().join("page.png")).unwrap().to_luma8()
}

/// What a phone makes of it: a tilt of 1 to 4 degrees, a turn, sensor noise, a JPEG at quality
/// 88.
fn photographed(page: &GrayImage, turns: usize, seed: u32) -> Vec<u8> {
    let tilt = (1.0 + (seed % 4) as f32) * if seed % 2 == 0 { 1.0 } else { -1.0 };
    let mut noisy = imageproc::geometric_transformations::rotate_about_center(
        page,
        tilt.to_radians(),
        imageproc::geometric_transformations::Interpolation::Bilinear,
        imageproc::geometric_transformations::Border::Constant(image::Luma([235])),
    );
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    for pixel in noisy.pixels_mut() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 41) as i16 - 20;
        pixel[0] = (pixel[0] as i16 + noise).clamp(0, 255) as u8;
    }
    let picture = DynamicImage::ImageLuma8(noisy);
    let picture = match turns % 4 {
        1 => picture.rotate90(),
        2 => picture.rotate180(),
        3 => picture.rotate270(),
        _ => picture,
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 88).encode_image(&picture.to_rgb8()).unwrap();
    out
}

fn main() {
    let app = Palabre::open_in_memory().unwrap();
    app.init("Bench").unwrap();
    let mut photos = Vec::with_capacity(PHOTOS);
    for i in 0..PHOTOS {
        let session = app
            .add_session(&SessionInput {
                title: Some(format!("Dialogue communautaire {i}")),
                start_date: Some("2024-03-14".into()),
                status: Some("held".into()),
                ..Default::default()
            })
            .unwrap();
        let people: Vec<_> = (0..12)
            .map(|j| {
                app.add_person(&PersonInput {
                    full_name: Some(format!("Aïssata Traoré {i}-{j}")),
                    sex: Some("F".into()),
                    ..Default::default()
                })
                .unwrap()
            })
            .collect();
        app.attend(session, &people).unwrap();
        let page = rendered(&app.attendance_sheet(Some(session), Lang::Fr, 0).unwrap());
        photos.push(photographed(&page, i, i as u32 + 1));
    }
    let without = app.export_bundle_bytes().unwrap().1.len();
    let original: usize = photos.iter().map(Vec::len).sum();
    let mut times = Vec::with_capacity(PHOTOS);
    let mut kept = 0;
    for photo in &photos {
        let started = Instant::now();
        let filing = app.attach_evidence(None, None, photo).unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        match filing {
            Filing::Filed { evidence, .. } if evidence.filed_by_code => kept += evidence.size,
            other => panic!("a photo was not filed by its code: {other:?}"),
        }
    }
    let with = app.export_bundle_bytes().unwrap().1.len();
    let per_page = (with - without) as f64 / PHOTOS as f64 / 1024.0;
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    times.sort_by(f64::total_cmp);
    println!(
        "[photo filing] {PHOTOS} phone photos ({:.1} MB each) filed by their codes: mean {mean:.0} ms a photo \
         (median {:.0} ms, slowest {:.0} ms; target < 1000 ms)",
        original as f64 / PHOTOS as f64 / 1_048_576.0,
        times[times.len() / 2],
        times[times.len() - 1],
    );
    println!(
        "[page size] kept {:.0} KB a page; bundle bytes per attached page {per_page:.0} KB (target ≤ 300 KB)",
        kept as f64 / PHOTOS as f64 / 1024.0,
    );
}
