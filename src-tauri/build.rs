//! The app's commands are written once, in src/commands.rs (every `#[tauri::command]` function).
//! From that list this script derives the rest: Tauri's `allow-<command>` permissions (through
//! the app manifest), the invoke handler (`$OUT_DIR/handler.rs`, included by src/lib.rs) and the
//! list the tests check the capability file and ui/js/api.js against (`$OUT_DIR/commands.rs`).

use std::path::PathBuf;

/// The names of the `#[tauri::command]` functions of `source`, in order.
fn commands(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("#[tauri::command") {
            continue;
        }
        let signature = lines.next().expect("a command attribute is followed by its function");
        let name = signature
            .split_once("fn ")
            .map(|(_, rest)| rest)
            .and_then(|rest| rest.split(['(', '<']).next())
            .unwrap_or_else(|| panic!("no function after #[tauri::command]: {signature}"));
        names.push(name.trim().to_string());
    }
    names
}

fn main() {
    println!("cargo:rerun-if-changed=src/commands.rs");
    let source = std::fs::read_to_string("src/commands.rs").expect("src/commands.rs");
    let names = commands(&source);
    assert!(!names.is_empty(), "no #[tauri::command] found in src/commands.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let paths: Vec<String> = names.iter().map(|n| format!("commands::{n}")).collect();
    std::fs::write(
        out.join("handler.rs"),
        format!("tauri::generate_handler![{}]\n", paths.join(", ")),
    )
    .expect("write handler.rs");
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    std::fs::write(out.join("commands.rs"), format!("&[{}]\n", quoted.join(", ")))
        .expect("write commands.rs");

    // Tauri wants the list for the whole build: a build script may keep it until it ends.
    let names: &'static [&'static str] =
        names.into_iter().map(|n| &*String::leak(n)).collect::<Vec<_>>().leak();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(names)),
    )
    .expect("failed to run tauri-build");
}
