//! The layering of docs/DESIGN.md §2, checked on the source: the ground floor (model, errors,
//! store, files, i18n, logging) and the journal above it import nothing from the layers built on
//! them; the areas do not reach into exchange or HQ; exchange does not reach into HQ; the modules
//! import each other in no circle; and the front ends (cli/, src-tauri/) use only the core's
//! top-level names. Derived data reaches the journal through `journal::Derived`, never by the
//! journal naming it.

use std::collections::{BTreeMap, BTreeSet};
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

/// The top-level module a file under src/ belongs to ("lib" for the crate root).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// Which top-level module uses which, over all of src/. Names starting with a capital letter
/// (`crate::Palabre`, `crate::DERIVED`) are the crate root's facade and are left out.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let from = module_of(&src, &file);
        let text = std::fs::read_to_string(&file).unwrap();
        let uses: Vec<String> = crate_modules(&text)
            .into_iter()
            .filter(|m| m != &from && m.starts_with(|c: char| c.is_ascii_lowercase()))
            .collect();
        graph.entry(from).or_default().extend(uses);
    }
    graph
}

/// A circle of modules, if any: each imports the next, the last the first.
fn find_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            return Some(path[at..].to_vec());
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
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
    let rules: [(&str, &[&str]); 7] = [
        ("model", &["model", "error"]),
        ("error", &["error"]),
        ("store", &["store", "model", "error"]),
        ("files", &["files", "error"]),
        ("logging", &["logging", "error"]),
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

#[test]
fn the_modules_import_each_other_in_no_circle() {
    let graph = module_graph();
    assert!(graph.len() > 10, "the checker found too few modules: {graph:?}");
    if let Some(circle) = find_circle(&graph) {
        panic!("these modules import each other in a circle: {}", circle.join(" → "));
    }
}

#[test]
fn the_areas_stay_below_exchange_and_exchange_below_hq() {
    let graph = module_graph();
    for (module, uses) in &graph {
        if module == "hq" || module == "lib" {
            continue;
        }
        assert!(!uses.contains("hq"), "{module} uses hq, which is HQ's own work above it");
        if module != "exchange" {
            assert!(
                !uses.contains("exchange"),
                "{module} uses exchange; only hq and the facade may build on exchange"
            );
        }
    }
}

#[test]
fn the_circle_finder_finds_circles() {
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
            .collect();
    assert_eq!(find_circle(&graph), Some(vec!["a".into(), "b".into(), "c".into()]));
    let mut open = graph.clone();
    open.get_mut("c").unwrap().clear();
    assert_eq!(find_circle(&open), None);
}

/// The front ends name the core's items by their top-level names (`palabre::Report`), never by a
/// module path (`palabre::report::Report`): what they may use is what lib.rs exports.
#[test]
fn the_front_ends_use_only_the_cores_top_level_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut bad = Vec::new();
    let mut files = Vec::new();
    for dir in ["cli/src", "src-tauri/src"] {
        files.extend(rust_files(&root.join(dir)));
    }
    assert!(files.len() >= 5, "front-end sources not found: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("palabre::") {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue; // e.g. palabre_cli::
            }
            let rest = &text[at + "palabre::".len()..];
            let name: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if rest[name.len()..].starts_with("::")
                && name.starts_with(|c: char| c.is_ascii_lowercase())
            {
                bad.push(format!("{} uses palabre::{name}::", file.display()));
            }
        }
    }
    assert!(bad.is_empty(), "export what they need from src/lib.rs instead:\n{}", bad.join("\n"));
}

/// What Palabre does is listed in one place: src/facade.rs (lib.rs holds only opening a database
/// and the plumbing the areas share). The areas own their rules and SQL as module functions.
#[test]
fn the_facade_is_one_file() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut holders: Vec<String> = rust_files(&src)
        .into_iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("\nimpl Palabre {"))
        .map(|f| f.strip_prefix(&src).unwrap().display().to_string())
        .collect();
    holders.sort();
    assert_eq!(holders, ["facade.rs", "lib.rs"], "methods of Palabre outside the facade");
}
