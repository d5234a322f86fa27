//! Cheap, static warnings about a merge that git accepts but rustc will not: the user's code
//! still naming a module the change removes, and a module defined by two files (E0761).
//!
//! Text scans, not a parse: they cost nothing next to `cargo check` (see `--check`), and they
//! name the exact file and line, which is what the user needs to act on.

use std::collections::BTreeMap;

use git2::{Oid, Repository, Tree, TreeWalkMode, TreeWalkResult};

use crate::merge::{ChangeKind, Merge, MergeError};

/// A Rust source of the project as the merge leaves it: a blob of `HEAD`, read only when a
/// scan needs its text (most changes remove no module, and then none is read), or the merge's
/// new content.
enum Source<'m> {
    Head(Oid),
    Merged(&'m [u8]),
}

/// The Rust sources of the project as the merge leaves them, by path.
fn sources_after<'m>(
    ours: &Tree<'_>,
    merge: &'m Merge,
) -> Result<BTreeMap<String, Source<'m>>, MergeError> {
    let mut out = BTreeMap::new();
    ours.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let name = entry.name().unwrap_or_default();
        if entry.kind() == Some(git2::ObjectType::Blob) && name.ends_with(".rs") {
            out.insert(format!("{dir}{name}"), Source::Head(entry.id()));
        }
        TreeWalkResult::Ok
    })?;
    for change in merge.changes.iter().filter(|c| c.path.ends_with(".rs")) {
        match &change.after {
            Some(bytes) => out.insert(change.path.clone(), Source::Merged(bytes)),
            None => out.remove(&change.path),
        };
    }
    Ok(out)
}

/// Every warning about the merged project, one line each, naming files (and lines).
pub fn warnings(
    repo: &Repository,
    ours: &Tree<'_>,
    merge: &Merge,
) -> Result<Vec<String>, MergeError> {
    let sources = sources_after(ours, merge)?;
    let mut out = dangling_references(repo, &sources, merge)?;
    out.extend(double_module_files(&sources, merge));
    Ok(out)
}

/// The module path (`email::smtp`) a file under `src/` defines, if it defines one.
fn module_of(path: &str) -> Option<String> {
    let inner = path.strip_prefix("src/")?.strip_suffix(".rs")?;
    let inner = inner.strip_suffix("/mod").unwrap_or(inner);
    if matches!(inner, "lib" | "main") || inner.starts_with("bin/") {
        return None;
    }
    Some(inner.replace('/', "::"))
}

/// Whether the module `module` still has a file among `sources`.
fn defined(sources: &BTreeMap<String, Source<'_>>, module: &str) -> bool {
    let dir = module.replace("::", "/");
    sources.contains_key(&format!("src/{dir}.rs"))
        || sources.contains_key(&format!("src/{dir}/mod.rs"))
}

/// `file:line` of each `crate::` path into a module the change removes.
fn dangling_references(
    repo: &Repository,
    sources: &BTreeMap<String, Source<'_>>,
    merge: &Merge,
) -> Result<Vec<String>, MergeError> {
    let removed: BTreeMap<String, &str> = merge
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Deleted)
        .filter_map(|c| Some((module_of(&c.path)?, c.path.as_str())))
        .filter(|(module, _)| !defined(sources, module))
        .collect();
    if removed.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (path, source) in sources {
        let blob;
        let bytes = match source {
            Source::Head(id) => {
                blob = repo.find_blob(*id)?;
                blob.content()
            }
            Source::Merged(bytes) => bytes,
        };
        // Comments out, lines kept: a path may span lines (`use crate::{\n    email,\n};`).
        let code: String = String::from_utf8_lossy(bytes)
            .lines()
            .map(|line| format!("{}\n", line.split("//").next().unwrap_or_default()))
            .collect();
        for (at, segments) in crate_paths(&code) {
            let hit = (1..=segments.len())
                .map(|n| segments[..n].join("::"))
                .find_map(|m| removed.get(&m).map(|file| (m, *file)));
            if let Some((module, file)) = hit {
                let line = code[..at].matches('\n').count() + 1;
                let warning = format!(
                    "{path}:{line}: refers to `crate::{module}`, which this change removes ({file})"
                );
                if !out.contains(&warning) {
                    out.push(warning);
                }
            }
        }
    }
    Ok(out)
}

/// Where each `crate::a::b` path of `code` starts, and its segments; each item of a group
/// (`crate::{a, b::c}`, over several lines too) is a path of its own.
fn crate_paths(code: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    code.match_indices("crate::").flat_map(move |(at, _)| {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return Vec::new();
        }
        let start = at + "crate::".len();
        let rest = &code[start..];
        let Some(group) = rest.strip_prefix('{') else {
            return vec![(at, segments(rest))];
        };
        let mut items = Vec::new();
        let (mut depth, mut item) = (0, 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    items.push(item..i);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(item..i);
                    item = i + 1;
                }
                _ => {}
            }
        }
        items
            .into_iter()
            .map(|range| {
                let text = &group[range.clone()];
                let skipped = text.len() - text.trim_start().len();
                (
                    start + 1 + range.start + skipped,
                    segments(text.trim_start()),
                )
            })
            .filter(|(_, segments)| !segments.is_empty())
            .collect()
    })
}

/// The segments of the path at the start of `rest` (`email::Mailer` gives `email`, `Mailer`).
fn segments(rest: &str) -> Vec<&str> {
    rest.split("::")
        .map(|s| {
            s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
        })
        .take_while(|s| !s.is_empty())
        .collect()
}

/// Both `src/x.rs` and `src/x/mod.rs`, when the change writes one of them: rustc's E0761.
fn double_module_files(sources: &BTreeMap<String, Source<'_>>, merge: &Merge) -> Vec<String> {
    let written = |path: &str| {
        merge
            .changes
            .iter()
            .any(|c| c.path == path && c.after.is_some())
    };
    sources
        .keys()
        .filter_map(|path| {
            let dir = path.strip_prefix("src/")?.strip_suffix("/mod.rs")?;
            let file = format!("src/{dir}.rs");
            (sources.contains_key(&file) && (written(path) || written(&file))).then(|| {
                format!(
                    "{file} and {path} both define the module `{}` (rustc: error[E0761]); move your code from {file} into src/{dir}/ and delete {file}",
                    dir.replace('/', "::")
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_under_src_defines_the_module_of_its_path() {
        assert_eq!(module_of("src/email/mod.rs").as_deref(), Some("email"));
        assert_eq!(
            module_of("src/email/smtp.rs").as_deref(),
            Some("email::smtp")
        );
        assert_eq!(module_of("src/lib.rs"), None);
        assert_eq!(module_of("tests/api/main.rs"), None);
    }

    #[test]
    fn crate_paths_are_read_segment_by_segment() {
        let paths: Vec<Vec<&str>> =
            crate_paths("use crate::email::{Mailer, x}; let y = crate::state::AppState;")
                .map(|(_, segments)| segments)
                .collect();
        assert_eq!(paths, vec![vec!["email"], vec!["state", "AppState"]]);
        assert_eq!(crate_paths("mycrate::email").count(), 0);
    }

    #[test]
    fn each_item_of_a_grouped_crate_path_is_a_path_where_it_stands() {
        let code =
            "use crate::{db, email::Mailer};\nuse crate::{\n    cache::{a, b},\n    welcome,\n};\n";
        let paths: Vec<(usize, Vec<&str>)> = crate_paths(code).collect();
        let at = |text: &str| code.find(text).unwrap();
        assert_eq!(
            paths,
            vec![
                (at("db"), vec!["db"]),
                (at("email"), vec!["email", "Mailer"]),
                (at("cache"), vec!["cache"]),
                (at("welcome"), vec!["welcome"]),
            ]
        );
    }
}
