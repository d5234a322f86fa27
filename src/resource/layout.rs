//! Lines of generated Rust laid out as rustfmt lays them out (edition 2024, default settings),
//! so that a resource's files pass `cargo fmt --check` for every name up to the 30 characters
//! [`super::check::NAME_LIMIT`] allows.
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
    format!("{{\n{}\n}}", packed("", &names, 99, 100))
}

/// `items` packed into lines of at most `width` characters indented 4 deeper than `indent`,
/// the last line `last_width`, each ending with a comma: rustfmt's `Mixed` layout of lists of
/// short items (100) and of imports (99, and 100 for the last line: rustfmt keeps a column
/// after a line that another follows).
fn packed(indent: &str, items: &[String], width: usize, last_width: usize) -> String {
    let mut lines = vec![format!("{indent}   ")];
    for (index, item) in items.iter().enumerate() {
        let width = if index + 1 == items.len() {
            last_width
        } else {
            width
        };
        let line = lines.last_mut().expect("a line");
        if line.len() + 1 + item.len() + 1 > width {
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
/// `suffix`: on one line when the items are short (60 characters between the brackets,
/// rustfmt's `array_width`) and the line fits in 100, otherwise one item a line.
pub(super) fn rust_list(prefix: &str, items: &[String], suffix: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
    let joined = quoted.join(", ");
    let array = format!("&[{joined}]");
    if joined.len() <= 60 && prefix.len() + array.len() + suffix.len() <= 100 {
        return array;
    }
    let indent = " ".repeat(prefix.len() - prefix.trim_start().len());
    // Items of at most 10 characters (rustfmt's `short_array_element_width_threshold`) are
    // packed into lines of at most 100, each line ending with a comma.
    if quoted.iter().all(|item| item.len() <= 10) {
        return format!("&[\n{}\n{indent}]", packed(&indent, &quoted, 100, 100));
    }
    format!("&[\n{}{indent}]", one_a_line(&indent, &quoted))
}

/// The associated constant `name` holding `items` as a `&'static [&'static str]`, indented 4,
/// as rustfmt lays it out: on its line when it fits; else, when the array is short (60
/// characters), alone on the next line 4 deeper; else as [`rust_list`] breaks it.
pub(super) fn const_list(name: &str, items: &[String]) -> String {
    let prefix = format!("    const {name}: &'static [&'static str] = ");
    let array = rust_list(&prefix, items, ";");
    if array.contains('\n') {
        let quoted: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
        let joined = quoted.join(", ");
        let short = format!("&[{joined}]");
        if joined.len() <= 60 && 8 + short.len() + ";".len() <= 100 {
            return format!("{}\n        {short};", prefix.trim_end());
        }
    }
    format!("{prefix}{array};")
}

/// rustfmt's layout of the call `callee(args)` starting its line and followed by `suffix`: on
/// one line when the arguments are short (60 characters, rustfmt's `fn_call_width`) and the
/// line fits in 100, otherwise one argument a line.
pub(crate) fn rust_call(callee: &str, args: &[String], suffix: &str) -> String {
    let joined = args.join(", ");
    if joined.len() <= 60 && callee.len() + joined.len() + suffix.len() + 2 <= 100 {
        return format!("{callee}({joined}){suffix}");
    }
    let indent = " ".repeat(callee.len() - callee.trim_start().len());
    let lines: Vec<String> = args
        .iter()
        .map(|arg| format!("{}\n", chain(&format!("{indent}    "), arg, ",")))
        .collect();
    format!("{callee}(\n{}{indent}){suffix}", lines.concat())
}

/// rustfmt's layout of the expression `expr` after `prefix` (the start of its line, its indent
/// alone or more) and before `suffix`: a chain of method calls (`self.title.trim().to_owned()`)
/// on one line when it is short (60 characters, rustfmt's `chain_width`) and the line fits in
/// 100, otherwise its root on the line and each call on one of its own, 4 deeper. The root
/// takes the first link when it is no longer than an indent (`self.title`), as in rustfmt.
pub(super) fn chain(prefix: &str, expr: &str, suffix: &str) -> String {
    let mut parts = split_links(expr).into_iter();
    let mut root = parts.next().unwrap_or_default().to_owned();
    let mut links: Vec<&str> = parts.collect();
    if root.trim_start_matches('&').len() <= 4 && !links.is_empty() {
        root.push_str(links.remove(0));
    }
    // Field accesses alone (`&self.title`) are no chain that rustfmt breaks, nor a closure.
    let calls = links.iter().any(|link| link.contains('('));
    if !calls
        || root.contains(char::is_whitespace)
        || expr.len() <= 60 && prefix.len() + expr.len() + suffix.len() <= 100
    {
        return format!("{prefix}{expr}{suffix}");
    }
    let indent = " ".repeat(prefix.len() - prefix.trim_start().len() + 4);
    let lines: Vec<String> = links
        .iter()
        .map(|link| format!("\n{indent}{link}"))
        .collect();
    format!("{prefix}{root}{}{suffix}", lines.concat())
}

/// `expr` cut before each `.` outside parentheses and quotes: its root, then its links.
fn split_links(expr: &str) -> Vec<&str> {
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let mut parts = Vec::new();
    for (i, c) in expr.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth -= 1,
            '.' if !quoted && depth == 0 => {
                parts.push(&expr[start..i]);
                start = i;
            }
            _ => {}
        }
    }
    parts.push(&expr[start..]);
    parts
}

/// rustfmt's layout of the struct member `head: ty,` indented 4, without that indent: on one
/// line when it fits in 100, otherwise the type on the next line, 4 deeper.
pub(super) fn member(head: &str, ty: &str) -> String {
    if 4 + head.len() + ": ".len() + ty.len() + ",".len() <= 100 {
        format!("{head}: {ty},")
    } else {
        format!("{head}:\n        {ty},")
    }
}

/// rustfmt's layout of `if let pattern = value {` after `indent`, without that first indent:
/// on one line when it fits in 100, otherwise the value on the next line, 4 deeper, and the
/// brace on a line of its own.
pub(super) fn if_let(indent: &str, pattern: &str, value: &str) -> String {
    let line = format!("if let {pattern} = {value} {{");
    if indent.len() + line.len() <= 100 {
        return line;
    }
    format!("if let {pattern} =\n{indent}    {value}\n{indent}{{")
}

/// rustfmt's layout of `let pattern = value else {` after `indent`, without that first indent:
/// on one line when it fits in 100, otherwise the value on the next line, 4 deeper, and `else`
/// on a line of its own.
pub(super) fn let_else(indent: &str, pattern: &str, value: &str) -> String {
    let line = format!("let {pattern} = {value} else {{");
    if indent.len() + line.len() <= 100 {
        return line;
    }
    format!("let {pattern} =\n{indent}    {value}\n{indent}else {{")
}

/// rustfmt's layout of the statement `let pattern = callee(args)tail;` (`tail` is `.await` or
/// nothing) after `indent`, without that first indent: on one line when the arguments are short
/// (60 characters, `fn_call_width`) and it fits in 100; else, short arguments, the call alone on
/// the next line, 4 deeper; else one argument a line.
pub(super) fn let_call(
    indent: &str,
    pattern: &str,
    callee: &str,
    args: &[String],
    tail: &str,
) -> String {
    let joined = args.join(", ");
    let call = format!("{callee}({joined}){tail}");
    let head = format!("let {pattern} = ");
    if joined.len() <= 60 {
        if indent.len() + head.len() + call.len() + ";".len() <= 100 {
            return format!("{head}{call};");
        }
        if indent.len() + 4 + call.len() + ";".len() <= 100 {
            return format!("let {pattern} =\n{indent}    {call};");
        }
    }
    let tail = if tail.is_empty() {
        String::new()
    } else {
        format!("\n{indent}{tail}")
    };
    format!(
        "{head}{callee}(\n{}{indent}){tail};",
        one_a_line(indent, args)
    )
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

/// The line opening the function `head` that takes no parameters (`async fn name()`): when it
/// passes 100 characters rustfmt cannot break it, and puts the brace on the next line after a
/// space.
pub(crate) fn fn_opening(head: &str) -> String {
    if head.len() + " {".len() <= 100 {
        format!("{head} {{")
    } else {
        format!("{head}\n {{")
    }
}

/// rustfmt's layout of the statement `callee(args).await;` starting its line (`callee` holds
/// the line's indent): on one line when the arguments are short (60 characters, rustfmt's
/// `fn_call_width`; a call awaited once is no chain to `chain_width`) and the line fits in 100,
/// otherwise one argument a line and `.await` after the closing parenthesis.
pub(super) fn awaited_statement(callee: &str, args: &[String]) -> String {
    let joined = args.join(", ");
    let line = format!("{callee}({joined}).await;");
    if joined.len() <= 60 && line.len() <= 100 {
        return line;
    }
    let indent = " ".repeat(callee.len() - callee.trim_start().len());
    format!(
        "{callee}(\n{}{indent})\n{indent}.await;",
        one_a_line(&indent, args)
    )
}

/// rustfmt's layout of the signature `head(params) -> returns {` of an item at the start of
/// its line: on one line when it fits in 100, otherwise one parameter a line.
/// An empty `returns` is a function that returns nothing.
pub(super) fn rust_fn(head: &str, params: &[&str], returns: &str) -> String {
    let tail = if returns.is_empty() {
        " {".to_owned()
    } else {
        format!(" -> {returns} {{")
    };
    let line = format!("{head}({}){tail}", params.join(", "));
    if line.len() <= 100 {
        return line;
    }
    format!("{head}(\n{}){tail}", one_a_line("", params))
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
/// `suffix`: on one line when the items are short (60 characters between the brackets,
/// rustfmt's `array_width`) and the line fits in 100, otherwise one item a line.
pub(super) fn rust_array(prefix: &str, items: &[String], suffix: &str) -> String {
    let joined = items.join(", ");
    let array = format!("[{joined}]");
    if joined.len() <= 60 && prefix.len() + array.len() + suffix.len() <= 100 {
        return array;
    }
    let indent = " ".repeat(prefix.len() - prefix.trim_start().len());
    format!("[\n{}{indent}]", one_a_line(&indent, items))
}

/// `items` one a line, each indented one level deeper than `indent` and followed by a comma,
/// as rustfmt writes the items of a list that does not fit on one line.
fn one_a_line(indent: &str, items: &[impl AsRef<str>]) -> String {
    items
        .iter()
        .map(|item| format!("{indent}    {},\n", item.as_ref()))
        .collect()
}

#[cfg(test)]
mod tests {

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    }

    #[test]
    fn a_constant_list_that_fits_stays_on_its_line() {
        assert_eq!(
            const_list("UNIQUE", &strings(&["code"])),
            "    const UNIQUE: &'static [&'static str] = &[\"code\"];"
        );
    }

    #[test]
    fn a_short_constant_list_past_the_line_goes_alone_to_the_next_line() {
        let items = strings(&["name", "notes", "starts_on", "created_at", "updated_at"]);

        assert_eq!(
            const_list("SORTABLE", &items),
            "    const SORTABLE: &'static [&'static str] =\n        \
             &[\"name\", \"notes\", \"starts_on\", \"created_at\", \"updated_at\"];"
        );
    }

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

    #[test]
    fn a_long_chain_takes_a_line_a_call_and_its_root_keeps_a_short_receiver() {
        let name = "a_field_named_as_long_as_a_column_may_be_named_in_postgresql_xx";

        let short = chain("            ", "self.title.trim().to_owned()", ",");
        let long = chain(
            "            ",
            &format!("self.{name}.trim().to_owned()"),
            ",",
        );
        let field = chain("            ", &format!("&self.{name}"), ",");

        assert_eq!(short, "            self.title.trim().to_owned(),");
        assert_eq!(
            long,
            format!(
                "            self.{name}\n                .trim()\n                .to_owned(),"
            )
        );
        assert_eq!(field, format!("            &self.{name},"));
    }

    #[test]
    fn a_member_too_long_for_its_line_takes_its_type_to_the_next() {
        let name = "a".repeat(63);

        assert_eq!(member("pub n", "Option<i32>"), "pub n: Option<i32>,");
        assert_eq!(
            member(&format!("pub {name}"), "Option<Option<OffsetDateTime>>"),
            format!("pub {name}:\n        Option<Option<OffsetDateTime>>,")
        );
    }

    #[test]
    fn a_long_if_let_takes_its_value_to_the_next_line_and_its_brace_to_another() {
        let name = "a".repeat(50);

        assert_eq!(
            if_let("        ", "Some(n)", "self.n"),
            "if let Some(n) = self.n {"
        );
        assert_eq!(
            if_let(
                "        ",
                &format!("Some({name})"),
                &format!("self.{name}")
            ),
            format!("if let Some({name}) =\n            self.{name}\n        {{")
        );
    }

    #[test]
    fn a_function_without_parameters_too_long_for_its_line_opens_on_the_next() {
        let head = format!("async fn {}()", "a".repeat(95));

        assert_eq!(fn_opening("async fn f()"), "async fn f() {");
        assert_eq!(fn_opening(&head), format!("{head}\n {{"));
    }

    #[test]
    fn an_awaited_call_with_long_arguments_takes_a_line_an_argument_then_awaits() {
        let args = |field: &str| {
            [
                "&app".to_owned(),
                format!("\"{field}\""),
                "json!(7)".to_owned(),
            ]
        };
        let long = "f".repeat(60);

        assert_eq!(
            awaited_statement("    assert_refused", &args("n")),
            "    assert_refused(&app, \"n\", json!(7)).await;"
        );
        assert_eq!(
            awaited_statement("    assert_refused", &args(&long)),
            format!(
                "    assert_refused(\n        &app,\n        \"{long}\",\n        json!(7),\n    )\n    .await;"
            )
        );
    }
}
