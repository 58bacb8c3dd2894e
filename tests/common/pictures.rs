//! Pictures of printed sheets for the tests that read them back: pages rendered by pdftoppm,
//! and what a phone does to them (ImageMagick). Only the core's tests use it (the CLI's tests
//! share `common` but not the image crate).
#![allow(dead_code)]

/// Each page of a PDF as a greyscale image, rendered by pdftoppm at `dpi`.
pub fn rendered(pdf: &[u8], dpi: u32) -> Vec<image::GrayImage> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, pdf).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-gray", "-r", &dpi.to_string()])
        .arg(&path)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm is missing (poppler-utils; make test installs it)");
    assert!(status.success());
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    files.sort();
    files.iter().map(|p| image::open(p).unwrap().to_luma8()).collect()
}

/// What a phone does to a sheet, by ImageMagick: a tilt, blur, noise and JPEG compression.
pub fn photographed(page: &image::GrayImage, args: &[&str]) -> image::GrayImage {
    image::load_from_memory(&photo_bytes(page, args)).unwrap().to_luma8()
}

/// The JPEG file of that photo.
pub fn photo_bytes(page: &image::GrayImage, args: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("page.png");
    let output = dir.path().join("photo.jpg");
    page.save(&input).unwrap();
    // A fixed seed: the same noise every run, so that the test says the same thing every run.
    let status = std::process::Command::new("convert")
        .args(["-seed", "19"])
        .arg(&input)
        .args(args)
        .args(["-quality", "60"])
        .arg(&output)
        .status()
        .expect("ImageMagick's convert is missing (imagemagick; make test installs it)");
    assert!(status.success(), "convert {args:?}");
    std::fs::read(&output).unwrap()
}
