//! The layering of docs/DESIGN.md §2, checked on the source: the ground floor (model, errors,
//! store) and the journal above it import nothing from the layers built on them. Derived data
//! reaches the journal through `journal::Derived`, never by the journal naming it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The top-level modules of the crate that `source` names through `crate::…`, including inside
/// grouped imports (`use crate::{a::X, b};`).
fn crate_modules(source: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
    };
    let mut found = BTreeSet::new();
    for (at, _) in source.match_indices("crate::") {
        let rest = &source[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => items.push(std::mem::take(&mut item)),
                    _ if depth == 1 => item.push(c),
                    _ => {}
                }
                if depth == 0 {
                    items.push(std::mem::take(&mut item));
                    break;
                }
            }
            found.extend(items.iter().map(|i| ident(i.trim())).filter(|i| !i.is_empty()));
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Every `crate::` module named in `layer` (a folder or file under src/) outside `allowed`.
fn upward_imports(layer: &str, allowed: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let path = src.join(layer);
    let files = if path.is_dir() { rust_files(&path) } else { vec![path.with_extension("rs")] };
    assert!(!files.is_empty(), "no source in {layer}");
    let mut bad = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for module in crate_modules(&text) {
            if !allowed.contains(&module.as_str()) {
                bad.push(format!(
                    "{} uses crate::{module}",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    bad
}

#[test]
fn the_ground_floor_and_the_journal_import_nothing_above_them() {
    let rules: [(&str, &[&str]); 4] = [
        ("model", &["model", "error"]),
        ("store", &["store", "model", "error"]),
        ("journal", &["journal", "model", "error", "store"]),
        ("i18n", &["i18n"]),
    ];
    for (layer, allowed) in rules {
        let bad = upward_imports(layer, allowed);
        assert!(bad.is_empty(), "{layer} may use only {allowed:?}:\n{}", bad.join("\n"));
    }
}

#[test]
fn the_checker_sees_grouped_and_nested_imports() {
    let source = "use crate::{error::Result, journal::{Derived, schema::Entity}};\n\
                  fn f() { crate::search::reindex(); }";
    let found: Vec<String> = crate_modules(source).into_iter().collect();
    assert_eq!(found, ["error", "journal", "search"]);
}
