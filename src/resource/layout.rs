//! Lines of generated Rust laid out as rustfmt lays them out (edition 2024, default settings),
//! so that a resource's files pass `cargo fmt --check` for short names as for long ones (names
//! near the identifier limits are not laid out everywhere yet).
//!
//! Hand-written: rustfmt is not a library, and the few shapes the resource templates need
//! (imports, calls, arrays, signatures, awaited chains) follow a handful of its width rules.

/// `names` as the list of the `use` or `pub use` starting `prefix` and ending with `;`: one
/// name bare, several in sorted braces, on the line when it fits in 100, otherwise packed into
/// lines of their own as rustfmt packs them.
pub(super) fn braced(prefix: &str, mut names: Vec<String>) -> String {
    names.sort();
    if let [one] = names.as_slice() {
        return one.clone();
    }
    let line = format!("{{{}}}", names.join(", "));
    if prefix.len() + line.len() + ";".len() <= 100 {
        return line;
    }
    format!("{{\n{}\n}}", packed("", &names))
}

/// `items` packed into lines of at most 100 characters indented 4 deeper than `indent`, each
/// ending with a comma: rustfmt's `Mixed` layout of lists of short items and imports.
fn packed(indent: &str, items: &[String]) -> String {
    let mut lines = vec![format!("{indent}   ")];
    for item in items {
        let line = lines.last_mut().expect("a line");
        if line.len() + 1 + item.len() + 1 > 100 {
            lines.push(format!("{indent}   "));
        }
        let line = lines.last_mut().expect("a line");
        line.push(' ');
        line.push_str(item);
        line.push(',');
    }
    lines.join("\n")
}

/// rustfmt's layout of `&["a", "b"]` after `prefix` (the start of its line) and before
/// `suffix`: on one line when the array is short (60 characters, rustfmt's `array_width`)
/// and the line fits in 100, otherwise one item a line.
pub(super) fn rust_list(prefix: &str, items: &[String], suffix: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
    let array = format!("&[{}]", quoted.join(", "));
    if array.len() <= 60 && prefix.len() + array.len() + suffix.len() <= 100 {
        return array;
    }
    let indent = " ".repeat(prefix.len() - prefix.trim_start().len());
    // Items of at most 10 characters (rustfmt's `short_array_element_width_threshold`) are
    // packed into lines of at most 100, each line ending with a comma.
    if quoted.iter().all(|item| item.len() <= 10) {
        return format!("&[\n{}\n{indent}]", packed(&indent, &quoted));
    }
    let lines: Vec<String> = quoted
        .iter()
        .map(|item| format!("{indent}    {item},\n"))
        .collect();
    format!("&[\n{}{indent}]", lines.concat())
}

/// rustfmt's layout of the call `callee(args)` starting its line and followed by `suffix`: on
/// one line when the arguments are short (60 characters, rustfmt's `fn_call_width`) and the
/// line fits in 100, otherwise one argument a line.
pub(super) fn rust_call(callee: &str, args: &[String], suffix: &str) -> String {
    let joined = args.join(", ");
    if joined.len() <= 60 && callee.len() + joined.len() + suffix.len() + 2 <= 100 {
        return format!("{callee}({joined}){suffix}");
    }
    let indent = " ".repeat(callee.len() - callee.trim_start().len());
    let lines: Vec<String> = args
        .iter()
        .map(|arg| format!("{indent}    {arg},\n"))
        .collect();
    format!("{callee}(\n{}{indent}){suffix}", lines.concat())
}

/// The statement `callee(args);` in a function's body (indented 8, as in an `impl`), laid out
/// as [`rust_call`] does, without its first line's indent, which the template writes.
pub(super) fn statement(callee: &str, args: &[String]) -> String {
    rust_call(&format!("        {callee}"), args, ";")
        .trim_start()
        .to_owned()
}

/// The line `head {` opening an item, the brace on a line of its own when the line would pass
/// 100, as rustfmt puts it.
pub(super) fn opening(head: &str) -> String {
    if head.len() + " {".len() <= 100 {
        format!("{head} {{")
    } else {
        format!("{head}\n{{")
    }
}

/// rustfmt's layout of the signature `head(params) -> returns {` of an item at the start of
/// its line: on one line when it fits in 100, otherwise one parameter a line.
pub(super) fn rust_fn(head: &str, params: &[&str], returns: &str) -> String {
    let line = format!("{head}({}) -> {returns} {{", params.join(", "));
    if line.len() <= 100 {
        return line;
    }
    let lines: Vec<String> = params
        .iter()
        .map(|param| format!("    {param},\n"))
        .collect();
    format!("{head}(\n{}) -> {returns} {{", lines.concat())
}

/// rustfmt's layout of the chain `callee(args).await` after `prefix` (the start of its line)
/// and before `;`: on one line when the chain is short (60 characters, rustfmt's
/// `chain_width`) and the line fits in 100, otherwise the receiver on its line and each link
/// on one of its own, the call laid out as [`rust_call`] does.
pub(super) fn awaited_call(prefix: &str, callee: &str, args: &[String]) -> String {
    let chain = format!("{callee}({}).await", args.join(", "));
    if chain.len() <= 60 && prefix.len() + chain.len() + ";".len() <= 100 {
        return chain;
    }
    let (receiver, method) = callee.split_once('.').expect("a method call");
    let indent = " ".repeat(prefix.len() - prefix.trim_start().len() + 4);
    let call = rust_call(&format!("{indent}.{method}"), args, "");
    format!("{receiver}\n{call}\n{indent}.await")
}

/// rustfmt's layout of the array `[items]` after `prefix` (the start of its line) and before
/// `suffix`: on one line when it is short (60 characters, rustfmt's `array_width`) and the
/// line fits in 100, otherwise one item a line.
pub(super) fn rust_array(prefix: &str, items: &[String], suffix: &str) -> String {
    let array = format!("[{}]", items.join(", "));
    if array.len() <= 60 && prefix.len() + array.len() + suffix.len() <= 100 {
        return array;
    }
    let indent = " ".repeat(prefix.len() - prefix.trim_start().len());
    let lines: Vec<String> = items
        .iter()
        .map(|item| format!("{indent}    {item},\n"))
        .collect();
    format!("[\n{}{indent}]", lines.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_with_short_arguments_stays_on_its_line_and_a_long_one_takes_a_line_an_argument() {
        let args = |table: &str| {
            ["\"field_id\"", table, "Scope::All", "Some(self.field_id)"].map(str::to_owned)
        };

        let short = rust_call("        references.add", &args("\"fields\""), ";");
        let long = rust_call(
            "        references.add",
            &args("\"fields_of_a_long_name\""),
            ";",
        );

        assert_eq!(
            short,
            "        references.add(\"field_id\", \"fields\", Scope::All, Some(self.field_id));"
        );
        assert_eq!(
            long,
            "        references.add(\n            \"field_id\",\n            \"fields_of_a_long_name\",\n            Scope::All,\n            Some(self.field_id),\n        );"
        );
    }

    #[test]
    fn a_short_list_stays_on_its_line_and_a_long_one_takes_a_line_an_item() {
        let short = rust_list(
            "    const UNIQUE: &'static [&'static str] = ",
            &["a".to_owned()],
            ";",
        );
        let items: Vec<String> = (0..12).map(|n| format!("column_{n}")).collect();
        let long = rust_list(
            "    const SORTABLE: &'static [&'static str] = ",
            &items,
            ";",
        );

        assert_eq!(short, "&[\"a\"]");
        assert!(long.starts_with("&[\n        \"column_0\",\n"), "{long}");
        assert!(long.ends_with("\"column_11\",\n    ]"), "{long}");
    }

    #[test]
    fn a_long_list_of_short_items_packs_them_into_lines_of_at_most_100_characters() {
        let items: Vec<String> = (0..30).map(|n| format!("f{n}")).collect();

        let list = rust_list("    for field in ", &items, " {");

        let lines: Vec<&str> = list.lines().collect();
        assert_eq!(lines.len(), 5, "{list}");
        assert!(lines[1].starts_with("        \"f0\", \"f1\", "), "{list}");
        assert!(
            lines[1..4]
                .iter()
                .all(|line| line.len() <= 100 && line.ends_with(','))
        );
        assert_eq!(lines[4], "    ]");
    }
}
