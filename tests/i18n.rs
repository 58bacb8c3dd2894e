//! One source of truth for visible text: ui/i18n/{fr,en}.json. Both languages have the same
//! keys; every key the UI uses exists; every stable code and error code has a label; and no
//! visible text is written into the HTML or JavaScript.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use palabre::{Group, ItemStatus, SessionKind, SessionStatus, Sex};
use serde_json::{Map, Value};

fn ui() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ui")
}

fn strings(lang: &str) -> Map<String, Value> {
    let text = std::fs::read_to_string(ui().join("i18n").join(format!("{lang}.json"))).unwrap();
    serde_json::from_str::<Value>(&text).unwrap().as_object().unwrap().clone()
}

fn files(ext: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, ext: &str, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&ui(), ext, &mut out);
    out
}

#[test]
fn both_languages_have_the_same_keys_and_plural_forms() {
    let (fr, en) = (strings("fr"), strings("en"));
    let fr_keys: BTreeSet<_> = fr.keys().collect();
    let en_keys: BTreeSet<_> = en.keys().collect();
    assert_eq!(
        fr_keys.difference(&en_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "missing in en"
    );
    assert_eq!(
        en_keys.difference(&fr_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "missing in fr"
    );
    for (key, value) in &fr {
        match (value, &en[key]) {
            (Value::String(a), Value::String(b)) => {
                assert!(!a.trim().is_empty() && !b.trim().is_empty(), "{key} is empty");
            }
            (Value::Object(a), Value::Object(b)) => {
                for form in ["one", "other"] {
                    assert!(
                        a.contains_key(form) && b.contains_key(form),
                        "{key} lacks the '{form}' form"
                    );
                }
            }
            _ => panic!("{key} has different shapes in fr and en"),
        }
    }
}

/// Keys written literally in the UI: data-i18n="…", i18n: '…', t('…').
fn used_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let patterns = [
        "data-i18n=\"",
        "data-i18n-aria=\"",
        "data-i18n-placeholder=\"",
        "i18n: '",
        "t('",
        "label: '",
        "hint: '",
    ];
    for (_, text) in files("html").into_iter().chain(files("js")) {
        for pattern in patterns {
            for (start, _) in text.match_indices(pattern) {
                let rest = &text[start + pattern.len()..];
                let end = rest.find(['"', '\'']).unwrap();
                let key = &rest[..end];
                if key.contains('.') && !key.contains("${") && !key.contains(' ') {
                    keys.insert(key.to_string());
                }
            }
        }
    }
    keys
}

#[test]
fn every_key_the_ui_uses_exists() {
    let keys = used_keys();
    assert!(keys.len() > 80, "the scan found only {} keys", keys.len());
    for lang in ["fr", "en"] {
        let table = strings(lang);
        let missing: Vec<_> = keys.iter().filter(|k| !table.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
    }
}

#[test]
fn every_code_and_error_code_has_a_label() {
    let mut keys: Vec<String> = Vec::new();
    keys.extend(SessionKind::ALL.iter().map(|c| format!("kind.{c}")));
    keys.extend(Group::ALL.iter().map(|c| format!("group.{c}")));
    keys.extend(SessionStatus::ALL.iter().map(|c| format!("status.{c}")));
    keys.extend(Sex::ALL.iter().map(|c| format!("sex.{c}")));
    keys.extend(ItemStatus::ALL.iter().map(|c| format!("item_status.{c}")));
    keys.extend(palabre::PlanStatus::ALL.iter().map(|c| format!("plan_status.{c}")));
    keys.extend(palabre::AttendanceRole::ALL.iter().map(|c| format!("role.{c}")));
    keys.extend(palabre::error::CODES.iter().map(|c| format!("errors.{c}")));
    keys.extend(palabre::model::codes::Measure::ALL.iter().map(|c| format!("measure.{c}")));
    keys.extend(
        palabre::model::codes::Disaggregation::ALL.iter().map(|c| format!("breakdown.{c}")),
    );
    for lang in ["fr", "en"] {
        let table = strings(lang);
        let missing: Vec<_> = keys.iter().filter(|k| !table.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
    }
}

/// Text of a JS string literal that a person would read: two or more words with a capital, a
/// non-ASCII letter, or sentence punctuation. Class lists and selectors are lower-case words.
fn looks_visible(literal: &str) -> bool {
    let words: Vec<&str> =
        literal.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).collect();
    let non_ascii = literal.chars().any(|c| c.is_alphabetic() && !c.is_ascii());
    let capital = words.iter().any(|w| w.chars().next().is_some_and(char::is_uppercase));
    let sentence = literal.trim_end().ends_with(['.', '!', '?', ':']);
    non_ascii || (words.len() >= 2 && (capital || sentence))
}

/// String literals of a JavaScript file, with `${…}` parts of templates removed.
fn js_literals(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 1;
            }
            quote @ ('\'' | '"' | '`') => {
                let mut literal = String::new();
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    if chars[i] == '\\' {
                        i += 1;
                    } else if quote == '`' && chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
                        let start = i + 2;
                        let mut depth = 0;
                        while i < chars.len() {
                            match chars[i] {
                                '{' => depth += 1,
                                '}' => {
                                    depth -= 1;
                                    if depth == 0 {
                                        break;
                                    }
                                }
                                _ => {}
                            }
                            i += 1;
                        }
                        let inner: String = chars[start..i.min(chars.len())].iter().collect();
                        out.extend(js_literals(&inner));
                        literal.push(' ');
                    } else {
                        literal.push(chars[i]);
                    }
                    i += 1;
                }
                out.push(literal);
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The product name, and language names written in their own language, on purpose.
const ALLOWED: &[&str] = &["Palabre", "Français", "English", "FR", "EN"];

#[test]
fn no_visible_text_is_hard_coded() {
    let mut offenders = Vec::new();
    for (path, source) in files("js") {
        for literal in js_literals(&source) {
            if looks_visible(&literal) && !ALLOWED.contains(&literal.as_str()) {
                offenders.push(format!("{}: {literal:?}", path.display()));
            }
        }
    }
    for (path, html) in files("html") {
        // Text between tags, outside <script>/<style>, must be empty: elements get their text
        // from data-i18n.
        let mut rest = html.as_str();
        while let Some(end) = rest.find('>') {
            rest = &rest[end + 1..];
            let text = &rest[..rest.find('<').unwrap_or(rest.len())];
            let text = text.trim();
            if !text.is_empty() && !ALLOWED.contains(&text) {
                offenders.push(format!("{}: {text:?}", path.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "hard-coded visible text:\n{}", offenders.join("\n"));
}

#[test]
fn the_checker_catches_what_it_should() {
    assert!(looks_visible("Nouvelle séance"));
    assert!(looks_visible("Save changes"));
    assert!(looks_visible("Présente"));
    assert!(!looks_visible("small secondary"));
    assert!(!looks_visible("#/sessions/ "));
    assert_eq!(
        js_literals("a('x y') // 'Not this'\nb(`p ${c('Q r')} s`)"),
        ["x y", "Q r", "p   s"]
    );
}

/// Where a view adds children to the page by hand. The views (and app.js) add children only
/// through dom.js (`el`, `append`, `clear`), which leave null, undefined and false out: a raw
/// `node.append(cond ? x : null)` is how the word "null" got printed on pages.
fn raw_appends(source: &str) -> Vec<usize> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split("//").next().unwrap_or_default();
            [".append(", ".appendChild(", ".prepend(", ".after(", ".before(", ".replaceChildren("]
                .iter()
                .any(|call| code.contains(call))
        })
        .map(|(i, _)| i + 1)
        .collect()
}

#[test]
fn views_add_children_only_through_the_dom_helpers() {
    let mut checked = 0;
    for (path, text) in files("js") {
        let shown = path.to_string_lossy();
        if !(shown.contains("/views/") || shown.ends_with("app.js")) {
            continue;
        }
        checked += 1;
        let lines = raw_appends(&text);
        assert!(
            lines.is_empty(),
            "{shown}: raw DOM append on lines {lines:?}; use append()/clear() from dom.js"
        );
    }
    assert!(checked >= 12, "only {checked} view files were checked");
    assert_eq!(raw_appends("results.append(x ? y : null);\nappend(results, y);"), [1]);
}

/// The quoted strings of `export const NAME = [...]` in ui/js/codes.js.
fn js_list(source: &str, name: &str) -> Vec<String> {
    let start =
        source.find(&format!("export const {name} = [")).unwrap_or_else(|| panic!("{name}"));
    let body = &source[start..];
    let body = &body[body.find('[').unwrap() + 1..body.find("];").unwrap()];
    body.split('\'').skip(1).step_by(2).map(str::to_string).collect()
}

/// ui/js/codes.js is a copy of the core's code lists, in the same order (the forms' order):
/// a code added, removed or moved in the core fails here until the UI follows.
#[test]
fn the_ui_code_lists_are_the_cores() {
    use palabre::{Group, ItemStatus, SessionKind, SessionStatus, Sex};
    let source = std::fs::read_to_string(ui().join("js/codes.js")).unwrap();
    let core = |codes: Vec<&str>| codes.into_iter().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        js_list(&source, "KINDS"),
        core(SessionKind::ALL.iter().map(|c| c.as_str()).collect())
    );
    assert_eq!(js_list(&source, "GROUPS"), core(Group::ALL.iter().map(|c| c.as_str()).collect()));
    assert_eq!(
        js_list(&source, "SESSION_STATUSES"),
        core(SessionStatus::ALL.iter().map(|c| c.as_str()).collect())
    );
    assert_eq!(js_list(&source, "SEXES"), core(Sex::ALL.iter().map(|c| c.as_str()).collect()));
    assert_eq!(
        js_list(&source, "ITEM_STATUSES"),
        core(ItemStatus::ALL.iter().map(|c| c.as_str()).collect())
    );
    assert_eq!(js_list("export const X = ['a', 'b'];", "X"), ["a", "b"]);
}
