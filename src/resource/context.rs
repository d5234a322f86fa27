//! What the templates of `templates/resource/` see of one resource: its declaration with the
//! per-type values computed here, so that templates hold no type switches.
//!
//! The Rust, SQL and OpenAPI spellings of a field all come from [`FieldContext::new`]: the
//! generated code and the resource's committed `openapi.json` fragment cannot disagree.

use std::collections::VecDeque;

use serde::Serialize;
use serde_json::{Value, json};

use super::check::DEFAULT_MAX_LENGTH;
use super::layout::{
    awaited_call, awaited_statement, braced, const_list, if_let, let_call, let_else, member,
    opening, rust_array, rust_call, rust_fn, rust_list, statement,
};
use super::{Field, FieldType, Owner, Resource, Resources};
use crate::name::upper_camel;

/// A declared resource, as `{{ resource }}` in its templates.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceContext {
    /// The table, module and route segment (`invoices`).
    pub name: String,
    /// One row (`invoice`).
    pub singular: String,
    /// The row type (`Invoice`).
    pub type_name: String,
    /// Whose rows they are in this project: `user` or `none` (a follows-auth resource is the
    /// one or the other as the project has auth or not).
    pub owner: Owner,
    /// Whether `owner_id` may be null: a follows-auth resource in a project with auth, whose
    /// rows from before auth have no owner.
    pub owner_optional: bool,
    /// Whether the table is created with its `owner_id` (owner `user`); a follows-auth table
    /// gains it by a migration of its own.
    pub created_with_owner: bool,
    /// Whether the rows that refer to one of its rows keep it from being deleted for good
    /// (`ON DELETE RESTRICT`): a resource declared shared.
    pub restricted: bool,
    /// Its live fields, in declaration order.
    pub fields: Vec<FieldContext>,
    /// Its migrations, in the order they apply.
    pub migrations: Vec<MigrationContext>,
    /// The enums its fields declare, each a Rust type of the model.
    pub enums: Vec<EnumContext>,
    /// The `use` lines of its model (`src/<name>/model.rs`), in rustfmt's order.
    pub model_uses: Vec<String>,
    /// The `use` lines of its inputs (`src/<name>/input.rs`) from outside the crate.
    pub input_uses: Vec<String>,
    /// The `use` lines of its inputs from the crate.
    pub input_crate_uses: Vec<String>,
    /// The columns `?sort=` may name.
    pub sortable: Vec<String>,
    /// The columns with a unique index.
    pub unique: Vec<String>,
    /// Whether a field refers to another resource's rows (the routes check them).
    pub has_refs: bool,
    /// Whether the tests number their bodies (`BODIES`): a unique field, or a unique short
    /// string in a body they create of a referred resource.
    pub numbered_bodies: bool,
    /// Whether a body holds a unique short string, one character of its own (`nth_char`).
    pub numbered_chars: bool,
    /// The tests' helpers creating the rows that the referred rows must refer to in turn (the
    /// targets of their required `ref`s, down the chain), each table once.
    pub chained: Vec<ChainedContext>,
    /// Whether a field refers to an owned resource's rows, which the caller must own: its
    /// inputs' `references` then take the caller's scope.
    pub refs_owned: bool,
    /// Whether a field refers to a shared resource's rows, whose purge waits for it.
    pub refs_shared: bool,
    /// Its list's query parameters besides the page's, as the Rust struct declares them.
    pub filters: Vec<FilterContext>,
    /// The fields a create must name, in order.
    pub required: Vec<String>,
    /// The fields that may be `null`, in order.
    pub optional: Vec<String>,
    /// The fields a create may leave out for their default, with its JSON spelling.
    pub defaults: Vec<(String, String)>,
    /// A unique single-line text field, which the tests use to check uniqueness.
    pub unique_text: Option<String>,
    /// Its components of the OpenAPI document (the row, the inputs, the enums, the page), as
    /// JSON.
    pub schemas: String,
    /// The list's query parameters in the OpenAPI document, the page's first, as JSON.
    pub list_parameters: String,
    /// The description of the list's `sort` parameter.
    pub sort_doc: &'static str,
    /// `an invoice`.
    pub singular_with_article: String,
    /// Whose rows they are, as the module's doc says it.
    pub owner_summary: String,
    /// Whose rows they are, as the migration's comment says it.
    pub rows_are: &'static str,
    /// The `COLUMNS` constant's string literal, wrapped as rustfmt keeps it.
    pub columns_literal: String,
    /// What `model.rs` exports (`Invoice` or `{Invoice, InvoiceStatus}`).
    pub model_exports: String,
    /// What `input.rs` exports, sorted as rustfmt sorts them.
    pub input_exports: String,
    /// What `routes.rs` imports from its module, sorted as rustfmt sorts them.
    pub route_uses: String,
    /// What the ownership tests import from the resource's module, sorted as rustfmt sorts them.
    pub ownership_uses: String,
    /// The signature of the `show` handler, laid out as rustfmt lays it out.
    pub show_signature: String,
    /// The signature of the `restore` handler, laid out as rustfmt lays it out.
    pub restore_signature: String,
    /// The signature of the validation tests' `assert_refused`, laid out as rustfmt lays it out.
    pub assert_refused_signature: String,
    /// The tests' awaited requests whose layout depends on the resource's names.
    pub requests: Requests,
    /// Lines of the tests laid out for the resource's names.
    pub test_lines: TestLines,
    /// `type InvoiceSort = crud::Sort<Invoice>;`, wrapped as rustfmt wraps it.
    pub sort_alias: String,
    /// Lines of `routes.rs` naming the row type or its singular, laid out as rustfmt lays them out.
    pub route_lines: RouteLines,
    /// What `routes.rs` exports.
    pub route_exports: &'static str,
    /// The tests' `TestApp` (its database, say) from the resource's test app bound to `app`.
    pub test_app: &'static str,
    /// The `SORTABLE` constant, laid out as rustfmt lays it out.
    pub sortable_literal: String,
    /// The `UNIQUE` constant, laid out as rustfmt lays it out.
    pub unique_literal: String,
    /// The `REFERENCES` constant (the `ref` fields), laid out as rustfmt lays it out.
    pub references_literal: String,
    /// The listing's `PARAMETERS` constant (its filters, `sort` and `include_deleted`), laid
    /// out as rustfmt lays it out.
    pub parameters_literal: String,
    /// The optional fields' names as the array of a test's `for field in ... {`.
    pub optional_for: String,
    /// The optional fields' names as the array of a test's `let optional = ...;`.
    pub optional_let: String,
    /// The required fields' names as the array of a test's `for field in ... {`.
    pub required_for: String,
    /// [`ResourceContext::required_for`] without the json fields, which take `null` as a value.
    pub null_refused_for: String,
    /// The fields with an equality filter that the tests check, as such an array.
    pub equality_for: String,
    /// The fields with range filters, as such an array.
    pub range_for: String,
    /// The fields whose order the tests check, as such an array.
    pub sort_for: String,
    /// `a` or `an` before `unique_text`.
    pub unique_text_article: &'static str,
    /// A query string that lists the rows of the tests' second body only (`paid=true`).
    pub second_filter: Option<String>,
    /// A filter that takes no text, for a test of a value of the wrong type.
    pub wrong_type_filter: Option<String>,
    /// A filter on a date, for a test of a date before PostgreSQL's.
    pub date_filter: Option<String>,
    /// The fields whose checks refuse a value their type reads, as the value of the tests'
    /// `INVALID` constant, when there are two or more: one body may hold an invalid value of
    /// each, and the 422 names them all.
    pub invalid_together: Option<String>,
    /// A field that is not `json`, for a test of a value of the wrong JSON type.
    pub typed_field: Option<String>,
}

/// A field, as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldContext {
    /// The column and member name.
    pub name: String,
    /// The type's keyword (`string`, `enum`, ...).
    pub keyword: &'static str,
    /// Whether it may be `null`.
    pub optional: bool,
    /// Whether live rows may not share a value.
    pub unique: bool,
    /// The column's SQL type.
    pub sql_type: String,
    /// The column's SQL constraints after its type (` NOT NULL DEFAULT 1 CHECK (...)`).
    pub sql_constraints: String,
    /// For a `ref`: the table it refers to, and what deleting a referred row does.
    pub sql_references: Option<String>,
    /// The member's type in the row.
    pub row_type: String,
    /// The attributes of the member in the row (`#[serde(...)]`), one a line.
    pub row_attributes: Vec<String>,
    /// The member's doc comment in the row, if any.
    pub row_doc: Option<String>,
    /// The member's type in the create input.
    pub new_type: String,
    /// Its attributes there.
    pub new_attributes: Vec<String>,
    /// Its doc comment there.
    pub new_doc: Option<String>,
    /// Whether a create that leaves it out keeps the column's default (the member is an
    /// `Option` whose `None` writes nothing).
    pub defaulted: bool,
    /// The member's type in the change input.
    pub change_type: String,
    /// Its attributes there.
    pub change_attributes: Vec<String>,
    /// Its doc comment there.
    pub change_doc: Option<String>,
    /// The check of the create input's value (a statement on `errors`), if any.
    pub new_check: Option<String>,
    /// The check of the change input's value, if any.
    pub change_check: Option<String>,
    /// The value a create writes, from `self`.
    pub new_value: String,
    /// The value written from the binding `<name>` of an `Option` the create or change holds.
    pub some_value: String,
    /// The member of the row, `pub <name>: <row_type>,`, laid out as rustfmt lays it out.
    pub row_member: String,
    /// The member of the create input.
    pub new_member: String,
    /// The member of the change input.
    pub change_member: String,
    /// `fields = fields.set(...)` of `new_value` (in the create's body, indented 8).
    pub set_new: String,
    /// `if let Some(<name>) = self.<name> {` (indented 8).
    pub if_given: String,
    /// `fields = fields.set(...)` of `some_value` (in that `if let`, indented 12).
    pub set_some: String,
    /// For a `ref`: the `References::add` arguments after the field name, with the
    /// create's value as `{value}`.
    pub reference: Option<ReferenceContext>,
    /// Two valid values in JSON, the second greater where values are ordered.
    pub samples: [String; 2],
    /// JSON values a create and a change refuse, naming the field.
    pub invalid: Vec<String>,
    /// How the tests name what `invalid` holds (`is_not_a_uuid`).
    pub invalid_reason: Option<&'static str>,
    /// The tests' statements asserting that each of `invalid` is refused, laid out as rustfmt
    /// lays them out.
    pub refusals: Vec<String>,
    /// A value its type reads and its check refuses (a blank line, a text too long, a date
    /// before PostgreSQL's), as a `json!` argument, if any: unlike a value its type does not
    /// read, it is refused beside the other fields' invalid values.
    pub checked_invalid: Option<String>,
    /// For a field of bounded length: its longest value, in characters, and the test's
    /// assertion that a row stores a value of that length (`longest`) whole.
    pub longest: Option<LongestContext>,
    /// `a` or `an`, before the field's name in a sentence.
    pub article: &'static str,
    /// The statement that makes the `n`th body's value its own, for a unique field.
    pub make_unique: Option<String>,
    /// Whether `?<name>=` lists the rows holding a value.
    pub equality_filter: bool,
    /// Whether `?<name>_min=` and `?<name>_max=` list the rows in a range.
    pub range_filter: bool,
    /// Whether `?sort=` orders the tests' two samples as they are ordered.
    pub sort_tested: bool,
    /// How a value is stored trimmed, when it is (a required single line of text).
    pub trimmed: Option<TrimmedContext>,
}

/// A required single line of text as its test of trimming sees it.
#[derive(Debug, Clone, Serialize)]
pub struct TrimmedContext {
    /// The first sample between spaces, as a `json!` argument: `"  Alpha  "`.
    pub sent: String,
    /// The first sample, as it is stored: `"Alpha"`.
    pub stored: String,
}

/// The bound of a `string` or bounded `text` field, as its test of the longest value sees it.
#[derive(Debug, Clone, Serialize)]
pub struct LongestContext {
    /// How long it is, as a test's name says it (`1_character`, `200_characters`).
    pub length: String,
    /// The longest value, as an expression (`"x".repeat(200)`).
    pub value: String,
    /// `assert_eq!(created["<name>"], longest);`, laid out as rustfmt lays it out.
    pub stored: String,
}

/// The tests' awaited requests whose path names the resource, each laid out as rustfmt lays it
/// out after the `let` that binds it.
#[derive(Debug, Clone, Serialize)]
pub struct Requests {
    /// A list with an unknown parameter.
    pub unknown_filter: String,
    /// A list sorted by an unknown column.
    pub unknown_sort: String,
    /// A list filtered by a value of the wrong type, if a filter can be given one.
    pub wrong_type: Option<String>,
    /// A list filtered by a date before PostgreSQL's, if a date is filtered.
    pub early_date: Option<String>,
    /// A read of the row just created.
    pub read: String,
    /// A create by another user, for the admin tests.
    pub create_as_other: String,
    /// The admin's list of everyone's rows.
    pub admin_list: String,
    /// A list at `query` refused for its limit, in the loop over such queries.
    pub bad_limit: String,
    /// A list from a cursor before the earliest timestamp PostgreSQL stores: well-formed hex,
    /// of a year near -9000.
    pub early_cursor: String,
    /// A list whose offset is no number.
    pub wrong_type_offset: String,
    /// A list whose limit and offset are both out of range.
    pub bad_pagination: String,
    /// A read by an id that is no UUID.
    pub malformed: String,
    /// A create by another user whose response the test checks.
    pub create_response_as_other: String,
    /// The user's page at `query`, in the test app's `list`.
    pub page: String,
}

impl Requests {
    fn new(plural: &str, wrong_type_filter: Option<&str>, date_filter: Option<&str>) -> Self {
        let get = |prefix: &str, path: String, status: &str| {
            awaited_call(
                prefix,
                "app.call",
                &[
                    "Method::GET".to_owned(),
                    path,
                    "None".to_owned(),
                    status.to_owned(),
                ],
            )
        };
        let send = |prefix: &str, args: [&str; 4]| {
            let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
            awaited_call(prefix, "app.send", &args)
        };
        Self {
            unknown_filter: get(
                "    let unknown = ",
                format!("\"/{plural}?colour=red\""),
                "422",
            ),
            unknown_sort: get(
                "    let unsortable = ",
                format!("\"/{plural}?sort=colour\""),
                "422",
            ),
            wrong_type: wrong_type_filter.map(|filter| {
                get(
                    "    let body = ",
                    format!("\"/{plural}?{filter}=many\""),
                    "400",
                )
            }),
            early_date: date_filter.map(|filter| {
                get(
                    "    let body = ",
                    format!("\"/{plural}?{filter}=-5000-01-01\""),
                    "422",
                )
            }),
            read: get(
                "    let read = ",
                format!("&format!(\"/{plural}/{{}}\", id(&created))"),
                "200",
            ),
            create_as_other: send(
                "    let theirs = ",
                [
                    "Method::POST",
                    &format!("\"/{plural}\""),
                    "Some(&other)",
                    "Some(body)",
                ],
            ),
            admin_list: send(
                "    let all = ",
                [
                    "Method::GET",
                    &format!("\"/admin/{plural}\""),
                    "Some(&admin)",
                    "None",
                ],
            ),
            bad_limit: get(
                "        let body = ",
                format!("&format!(\"/{plural}{{query}}\")"),
                "422",
            ),
            early_cursor: get(
                "    let body = ",
                format!("\"/{plural}?cursor=fb32c2d54bb7000000000000000000000000000000000000\""),
                "422",
            ),
            wrong_type_offset: get(
                "    let body = ",
                format!("\"/{plural}?offset=many\""),
                "400",
            ),
            bad_pagination: get(
                "    let body = ",
                format!("\"/{plural}?limit=0&offset=-1\""),
                "422",
            ),
            malformed: get("    let malformed = ", format!("\"/{plural}/42\""), "400"),
            create_response_as_other: send(
                "    let response = ",
                [
                    "Method::POST",
                    &format!("\"/{plural}\""),
                    "Some(&other)",
                    "Some(theirs)",
                ],
            ),
            page: awaited_call(
                "        let page = ",
                "self.call",
                &[
                    "Method::GET".to_owned(),
                    format!("&format!(\"/{plural}{{query}}\")"),
                    "None".to_owned(),
                    "200".to_owned(),
                ],
            ),
        }
    }
}

/// Lines of the tests whose layout depends on the resource's names, each laid out as rustfmt
/// lays it out, without the indent of its first line.
#[derive(Debug, Clone, Serialize)]
pub struct TestLines {
    /// The filters' helper creating two rows: its signature.
    pub two_rows: String,
    /// The two rows and their bodies bound.
    pub two_rows_bound: String,
    /// The two rows' ids bound.
    pub two_ids_bound: String,
    /// A create through the crate, past the routes.
    pub direct_create: String,
    /// The `let ... else` of a write error that must be a 422.
    pub invalid_fields: String,
    /// The crate's `use` lines of the ownership tests, sorted as rustfmt sorts them.
    pub ownership_crate_uses: Vec<String>,
    /// The admin path of the row just created.
    pub admin_path: String,
    /// The path of the row just created, kept.
    pub kept_path: String,
}

impl TestLines {
    fn new(plural: &str, singular: &str, type_name: &str, ownership_uses: &str) -> Self {
        let two = format!("two_{plural}");
        let app = vec!["&app".to_owned()];
        let mut ownership_crate_uses = vec![
            "crud::{self, Scope};".to_owned(),
            "error::AppError;".to_owned(),
            format!("{plural}::{ownership_uses};"),
        ];
        ownership_crate_uses.sort_by(|a, b| a.split("::").next().cmp(&b.split("::").next()));
        let path = |prefix: &str| {
            vec![
                format!("\"{prefix}/{plural}/{{}}\""),
                format!("id(&{singular})"),
            ]
        };
        Self {
            two_rows: rust_fn(
                &format!("async fn {two}"),
                &[format!("app: &{type_name}App").as_str()],
                "[(String, Value); 2]",
            ),
            two_rows_bound: let_call(
                "    ",
                "[(first, first_body), (second, second_body)]",
                &two,
                &app,
                ".await",
            ),
            two_ids_bound: let_call("    ", "[(first, _), (second, _)]", &two, &app, ".await"),
            direct_create: let_call(
                "    ",
                "created",
                &format!("crud::create::<{type_name}>"),
                &[
                    "&db".to_owned(),
                    "scope".to_owned(),
                    "new.into_fields().unwrap()".to_owned(),
                ],
                ".await",
            ),
            invalid_fields: let_else(
                "        ",
                "AppError::InvalidFields(fields)",
                &format!("crud::write_error::<{type_name}>(error)"),
            ),
            ownership_crate_uses,
            admin_path: let_call("    ", "path", "format!", &path("/admin"), ""),
            kept_path: let_call("    ", "kept", "format!", &path(""), ""),
        }
    }
}

/// The lines of `routes.rs` whose layout depends on the row type's or the singular's length.
#[derive(Debug, Clone, Serialize)]
pub struct RouteLines {
    /// `) -> Result<(StatusCode, Json<Invoice>), AppError> {`, closing the create handler's
    /// parameters.
    pub created_returns: String,
    /// `Ok((StatusCode::CREATED, Json(invoice)))`, ending the create handler.
    pub created_ok: String,
    /// `    query: ListQuery<Invoice, InvoiceFilters>,`, the list handler's query parameter.
    pub list_query: String,
    /// `.ok_or(AppError::NotFound("invoice"))`, a link of a chain indented 8.
    pub not_found: String,
    /// The owned soft delete's body, `crud::soft_delete::<Invoice>(...)` and its chain.
    pub soft_delete_owned: String,
    /// `let invoice = match crud::restore(...) {...};` in the owned restore (indented 4).
    pub restore_owned: String,
    /// The same in the shared restore.
    pub restore_shared: String,
    /// `let invoice = crud::create(...)...;` in the shared create (indented 4).
    pub create_shared: String,
    /// `invoice.map(Json).ok_or(...)`, ending the restore (indented 4).
    pub restored_answer: String,
    /// `let invoices = crud::list_matching(...).await?;`, the admin list's body (indented 4).
    pub list_all: String,
}

/// `let <name> = <expr>;` indented 4, `expr` laid out after `let <name> = `: as it is when its
/// first line fits in 100, otherwise on the next lines, 4 deeper, as rustfmt moves it.
fn bound(name: &str, expr: impl Fn(&str) -> String) -> String {
    let kept = format!("let {name} = {};", expr("    "));
    if 4 + kept.lines().next().map_or(0, str::len) <= 100 {
        return kept;
    }
    format!("let {name} =\n        {};", expr("        "))
}

/// `match crud::restore(...)...{...}` of `singular` in `scope`, its chain and arms after
/// `indent`.
fn restore_match(indent: &str, singular: &str, type_name: &str, scope: &str) -> String {
    let arm = format!("Some({singular}) => Some({singular}),");
    let arm = if indent.len() + 4 + arm.len() <= 100 {
        arm
    } else {
        format!("Some({singular}) => {{\n{indent}        Some({singular})\n{indent}    }}")
    };
    format!(
        "match crud::restore(&state.db, {scope}, id)\n{indent}    .await\n{indent}    \
         .map_err(crud::write_error::<{type_name}>)?\n{indent}{{\n{indent}    {arm}\n{indent}    \
         None => crud::get(&state.db, {scope}, id).await?,\n{indent}}}"
    )
}

/// `.ok_or(AppError::NotFound("<singular>"))` as a link of a chain after `indent`.
fn not_found_link(indent: &str, singular: &str) -> String {
    let not_found = format!("AppError::NotFound(\"{singular}\")");
    if not_found.len() <= 60 && indent.len() + ".ok_or()".len() + not_found.len() <= 100 {
        format!(".ok_or({not_found})")
    } else {
        format!(".ok_or(AppError::NotFound(\n{indent}    \"{singular}\",\n{indent}))")
    }
}

impl RouteLines {
    fn new(name: &str, type_name: &str, singular: &str) -> Self {
        let tuple = format!("(StatusCode, Json<{type_name}>)");
        let created_returns = if tuple.len() + ", AppError".len() <= 60 {
            format!(") -> Result<{tuple}, AppError> {{")
        } else {
            let tuple = if tuple.len() <= 60 {
                tuple
            } else {
                format!("(\n        StatusCode,\n        Json<{type_name}>,\n    )")
            };
            format!(") -> Result<\n    {tuple},\n    AppError,\n> {{")
        };
        let created = format!("(StatusCode::CREATED, Json({singular}))");
        let created_ok = if created.len() <= 60 {
            format!("Ok({created})")
        } else {
            format!("Ok((\n        StatusCode::CREATED,\n        Json({singular}),\n    ))")
        };
        let generics = format!("{type_name}, {type_name}Filters");
        // A type's generics are no call: rustfmt breaks them only past the line's 100.
        let list_query = if "    query: ListQuery<>,".len() + generics.len() <= 100 {
            format!("    query: ListQuery<{generics}>,")
        } else {
            format!(
                "    query: ListQuery<\n        {type_name},\n        {type_name}Filters,\n    >,"
            )
        };
        let not_found = not_found_link("        ", singular);
        let soft_delete = format!("crud::soft_delete::<{type_name}>");
        let soft_delete_owned = if format!(
            "    {soft_delete}(&state.db, Scope::Owner(user.id), id)"
        )
        .len()
            <= 100
        {
            format!(
                "{soft_delete}(&state.db, Scope::Owner(user.id), id)\n        .await?\n        \
                 .map(|_| StatusCode::NO_CONTENT)\n        {not_found}"
            )
        } else {
            format!(
                "{soft_delete}(\n        &state.db,\n        Scope::Owner(user.id),\n        id,\n    )\n    \
                 .await?\n    .map(|_| StatusCode::NO_CONTENT)\n    {}",
                not_found_link("    ", singular)
            )
        };
        let restore = |scope: &str| {
            bound(singular, |indent| {
                restore_match(indent, singular, type_name, scope)
            })
        };
        let create_shared = bound(singular, |indent| {
            format!(
                "crud::create(&state.db, Scope::All, fields)\n{indent}    .await\n{indent}    \
                 .map_err(crud::write_error::<{type_name}>)?"
            )
        });
        let answer = format!("{singular}.map(Json).ok_or(AppError::NotFound(\"{singular}\"))");
        let restored_answer = if answer.len() <= 60 {
            answer
        } else {
            format!("{singular}\n        .map(Json)\n        {not_found}")
        };
        let list =
            "crud::list_matching(&state.db, Scope::All, &query.listing, &query.page).await?;";
        let list_all = if format!("    let {name} = {list}").len() <= 100 {
            format!("let {name} = {list}")
        } else {
            format!("let {name} =\n        {list}")
        };
        Self {
            created_returns,
            created_ok,
            list_query,
            not_found,
            soft_delete_owned,
            restore_owned: restore("scope"),
            restore_shared: restore("Scope::All"),
            create_shared,
            restored_answer,
            list_all,
        }
    }
}

/// A field that refers to another resource's rows.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceContext {
    /// The referred table.
    pub table: String,
    /// The tests' app member holding the ids of two referred rows (`customer_id_rows`), which
    /// the app's own members (`auth`, `token`, `app`) cannot clash with.
    pub rows: String,
    /// What one of its rows is called (`tax`).
    pub singular: String,
    /// The scope the caller sees it in: theirs (`scope`) or everyone's (`Scope::All`).
    pub scope: &'static str,
    /// A create body of the referred resource, as a `json!` argument.
    pub body: String,
    /// Whether the referred rows are owned (the tests create them as a user).
    pub owned: bool,
    /// Whether this field keeps a referred row from being deleted for good
    /// (`ON DELETE RESTRICT`: the referred resource is declared shared).
    pub restricts: bool,
    /// The create input's `references.add(...);` statement, laid out as rustfmt lays it out.
    pub add_new: String,
    /// The tests' awaited request creating a referred row, laid out as rustfmt lays it out.
    pub create_request: String,
    /// The tests' array of two referred rows' ids, laid out as rustfmt lays it out.
    pub two_created: String,
    /// The change input's.
    pub add_change: String,
}

/// A test helper creating a row of a table that a referred row refers to (`regions` for the
/// `stores` an order refers to), so that a chain of required `ref`s holds.
#[derive(Debug, Clone, Serialize)]
pub struct ChainedContext {
    /// The table.
    pub table: String,
    /// The helper's name (`seed_region`, `_as` after it with a token), which no field's helper
    /// (`create_<field>`) can take.
    pub helper: String,
    /// The awaited request creating the row, laid out as rustfmt lays it out.
    pub create_request: String,
}

/// An enum declared by a field.
#[derive(Debug, Clone, Serialize)]
pub struct EnumContext {
    /// Its Rust type (`InvoiceStatus`).
    pub type_name: String,
    /// Its doc comment.
    pub doc: String,
    /// Its variants, as Rust spells them.
    pub variants: Vec<String>,
    /// `pub enum InvoiceStatus {`, the brace on a line of its own when the line would pass 100.
    pub declaration: String,
}

/// One query parameter of a resource's list.
#[derive(Debug, Clone, Serialize)]
pub struct FilterContext {
    /// The parameter and member name.
    pub name: String,
    /// The member's type.
    pub rust_type: String,
    /// The member, `<name>: <rust_type>,`, laid out as rustfmt lays it out.
    pub member: String,
    /// Its attributes.
    pub attributes: Vec<String>,
    /// Its doc comment.
    pub doc: String,
    /// The statement adding its condition (`conditions.equal("paid", self.paid);`), laid out as
    /// rustfmt lays it out, if it filters.
    pub condition: Option<String>,
    /// The check of its value, if any.
    pub check: Option<String>,
}

/// One migration of a resource.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationContext {
    /// Its logical name in `[migrations]`.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `create`, `add`, `owner` or `drop`: the template it renders from.
    pub kind: &'static str,
    /// The columns it adds (all of the table's for `create`, none for `drop`).
    pub fields: Vec<FieldContext>,
}

/// What a field's context needs to know of its resource and the others.
struct Names<'a> {
    plural: &'a str,
    type_name: &'a str,
    /// Whose rows they are in this project (`user` or `none`).
    owner: Owner,
    /// Whether the project has auth, which decides whose rows a follows-auth resource holds.
    auth: bool,
    /// Whether its routes need a token: owned rows, or shared ones in a project with auth.
    signed_in: bool,
    resources: &'a Resources,
}

impl ResourceContext {
    /// The context of resource `name` among `resources` in a project with auth or without,
    /// whose migrations have the versions `version` gives; `owner_column` says whether a
    /// follows-auth table has its owner migration (see [`Resource::has_owner_migration`]).
    pub fn new(
        name: &str,
        resource: &Resource,
        resources: &Resources,
        auth: bool,
        owner_column: bool,
        mut version: impl FnMut(&str) -> String,
    ) -> Self {
        let singular = resource.singular(name);
        let type_name = upper_camel(&singular);
        let owner = resource.owner.resolve(auth);
        let owner_optional = resource.owner == Owner::FollowsAuth && auth;
        let names = Names {
            plural: name,
            type_name: &type_name,
            owner,
            auth,
            signed_in: auth || owner == Owner::User,
            resources,
        };
        let context_of = |field: &Field| FieldContext::new(field, &names);
        let fields: Vec<FieldContext> = resource.fields.iter().map(context_of).collect();
        let migrations = resource
            .migrations(name, owner_column)
            .into_iter()
            .map(|logical| {
                let (kind, added): (&'static str, Vec<FieldContext>) =
                    if logical == Resource::create_migration(name) {
                        ("create", of(resource, &names, |f| f.added.is_none()))
                    } else if logical == Resource::drop_migration(name) {
                        ("drop", Vec::new())
                    } else if logical == Resource::owner_migration(name) {
                        ("owner", Vec::new())
                    } else {
                        (
                            "add",
                            of(resource, &names, |f| f.added.as_ref() == Some(&logical)),
                        )
                    };
                MigrationContext {
                    version: version(&logical),
                    name: logical,
                    kind,
                    fields: added,
                }
            })
            .collect();
        let enums: Vec<EnumContext> = resource
            .fields
            .iter()
            .filter_map(|field| match &field.ty {
                FieldType::Enum { values } => Some(EnumContext {
                    type_name: enum_type(&type_name, &field.name),
                    declaration: opening(&format!(
                        "pub enum {}",
                        enum_type(&type_name, &field.name)
                    )),
                    doc: format!(
                        "The values of {} {singular}'s `{}`.",
                        article(&singular),
                        field.name
                    ),
                    variants: values.iter().map(|value| upper_camel(value)).collect(),
                }),
                _ => None,
            })
            .collect();
        let has = |keyword: &str| resource.fields.iter().any(|f| f.ty.keyword() == keyword);
        let mut model_uses = Vec::new();
        let mut input_uses = Vec::new();
        if has("decimal") {
            model_uses.push("use rust_decimal::Decimal;".to_owned());
            input_uses.push("use rust_decimal::Decimal;".to_owned());
        }
        model_uses.push(if has("enum") {
            "use serde::{Deserialize, Serialize};".to_owned()
        } else {
            "use serde::Serialize;".to_owned()
        });
        input_uses.push("use serde::Deserialize;".to_owned());
        let times = |date: bool, datetime: bool| match (date, datetime) {
            (true, true) => Some("use time::{Date, OffsetDateTime};"),
            (true, false) => Some("use time::Date;"),
            (false, true) => Some("use time::OffsetDateTime;"),
            (false, false) => None,
        };
        model_uses.extend(times(has("date"), true).map(str::to_owned));
        input_uses.extend(times(has("date"), has("datetime")).map(str::to_owned));
        model_uses.push("use utoipa::ToSchema;".to_owned());
        input_uses.push("use utoipa::{IntoParams, ToSchema};".to_owned());
        model_uses.push("use uuid::Uuid;".to_owned());
        if has("uuid") || has("ref") {
            input_uses.push("use uuid::Uuid;".to_owned());
        }
        // The row type names the list's sortable columns; the enums are field types.
        let mut input_crate_uses = vec![format!(
            "use super::{};",
            braced(
                "use super::",
                std::iter::once(type_name.clone())
                    .chain(enums.iter().map(|e| e.type_name.clone()))
                    .collect()
            )
        )];
        let has_refs = has("ref");
        let refs_owned = fields
            .iter()
            .any(|f| f.reference.as_ref().is_some_and(|r| r.owned));
        let refs_shared = fields
            .iter()
            .any(|f| f.reference.as_ref().is_some_and(|r| !r.owned));
        input_crate_uses.push(if has_refs {
            "use crate::crud::{self, Conditions, Fields, Listing, References, Scope};".to_owned()
        } else {
            "use crate::crud::{self, Conditions, Fields, Listing};".to_owned()
        });
        input_crate_uses.push("use crate::error::{AppError, FieldErrors};".to_owned());
        let sortable = sortable(resource);
        let filters = filters(&fields, name);
        let required: Vec<String> = fields
            .iter()
            .filter(|f| !f.optional && !f.defaulted)
            .map(|f| f.name.clone())
            .collect();
        // A required json field takes JSON's `null` as a value like any other.
        let null_refused: Vec<String> = fields
            .iter()
            .filter(|f| !f.optional && !f.defaulted && f.keyword != "json")
            .map(|f| f.name.clone())
            .collect();
        let optional: Vec<String> = fields
            .iter()
            .filter(|f| f.optional)
            .map(|f| f.name.clone())
            .collect();
        let defaults = resource
            .fields
            .iter()
            .filter_map(|f| {
                let default = json_of(f.default.as_ref()?, &f.ty);
                Some((f.name.clone(), default.to_string()))
            })
            .collect();
        let unique_text = fields
            .iter()
            .find(|f| f.unique && f.keyword == "string" && !f.optional)
            .map(|f| f.name.clone());
        let unique: Vec<String> = fields
            .iter()
            .filter(|f| f.unique)
            .map(|f| f.name.clone())
            .collect();
        let chained = chained(resource, resources, names.signed_in);
        // The bodies the tests create of other resources: those referred to, and down the chains.
        let created_short = resource
            .fields
            .iter()
            .filter_map(|f| match &f.ty {
                FieldType::Ref { to } => Some(to.as_str()),
                _ => None,
            })
            .chain(chained.iter().map(|helper| helper.table.as_str()))
            .filter_map(|table| resources.get(table))
            .flat_map(|target| &target.fields)
            .any(|f| short_unique(f) && !f.optional && f.default.is_none());
        let numbered_bodies = !unique.is_empty() || created_short;
        let numbered_chars = resource.fields.iter().any(short_unique) || created_short;
        let schemas = schemas(&type_name, resource, &names, owner_optional, &enums).to_string();
        let list_parameters = list_parameters(name, resource, &names, &enums).to_string();
        let names_where = |keep: fn(&FieldContext) -> bool| {
            let names: Vec<String> = fields
                .iter()
                .filter(|f| keep(f))
                .map(|f| f.name.clone())
                .collect();
            rust_list("    for field in ", &names, " {").replacen('&', "", 1)
        };
        let unique_text_article = unique_text.as_deref().map_or("a", article);
        let equality_for =
            names_where(|f| f.equality_filter && (f.sort_tested || f.reference.is_some()));
        let range_for = names_where(|f| f.range_filter);
        let sort_for = names_where(|f| f.sort_tested);
        let second_filter = fields
            .iter()
            .find(|f| f.equality_filter && f.sort_tested)
            .map(|f| {
                let value: Value = serde_json::from_str(&f.samples[1]).expect("a sample is JSON");
                let value = match value {
                    Value::String(text) => text.replace(' ', "%20"),
                    other => other.to_string(),
                };
                format!("{}={value}", f.name)
            });
        let wrong_type_filter = fields
            .iter()
            .find(|f| f.range_filter)
            .map(|f| format!("{}_min", f.name))
            .or_else(|| {
                fields
                    .iter()
                    .find(|f| matches!(f.keyword, "bool" | "uuid" | "ref"))
                    .map(|f| f.name.clone())
            });
        let date_filter = fields
            .iter()
            .find(|f| f.keyword == "date")
            .map(|f| format!("{}_min", f.name));
        let checked: Vec<String> = fields
            .iter()
            .filter(|f| f.checked_invalid.is_some())
            .map(|f| f.name.clone())
            .collect();
        let invalid_together =
            (checked.len() > 1).then(|| rust_list("const INVALID: &[&str] = ", &checked, ";"));
        let typed_field = fields
            .iter()
            .find(|f| f.keyword != "json")
            .map(|f| f.name.clone());
        let singular_with_article = format!("{} {singular}", article(&singular));
        let model_exports = braced(
            "pub use model::",
            std::iter::once(type_name.clone())
                .chain(enums.iter().map(|e| e.type_name.clone()))
                .collect(),
        );
        let route_uses = braced(
            "use super::",
            vec![
                type_name.clone(),
                format!("{type_name}Changes"),
                format!("{type_name}Filters"),
                format!("New{type_name}"),
            ],
        );
        let route_lines = RouteLines::new(name, &type_name, &singular);
        let sort_alias = {
            let alias = format!("type {type_name}Sort =");
            let value = format!("crud::Sort<{type_name}>;");
            if alias.len() + 1 + value.len() <= 100 {
                format!("{alias} {value}")
            } else {
                format!("{alias}\n    {value}")
            }
        };
        // Laid out short of the crate's name, the project's, which the context does not know.
        let ownership_uses = braced(
            &format!("use {name}::"),
            vec![
                type_name.clone(),
                format!("{type_name}Changes"),
                format!("New{type_name}"),
            ],
        );
        let test_lines = TestLines::new(name, &singular, &type_name, &ownership_uses);
        let signed_in = names.signed_in;
        let handler_params: &[&str] = match owner {
            Owner::User | Owner::FollowsAuth => &[
                "user: CurrentUser",
                "State(state): State<AppState>",
                "Path(id): Path<Uuid>",
            ],
            Owner::None => &["State(state): State<AppState>", "Path(id): Path<Uuid>"],
        };
        let returns = format!("Result<Json<{type_name}>, AppError>");
        let show_signature = rust_fn("async fn show", handler_params, &returns);
        let assert_refused_signature = rust_fn(
            "async fn assert_refused",
            &[
                &format!("app: &{type_name}App"),
                "field: &str",
                "value: Value",
            ],
            "",
        );
        let restore_signature = rust_fn("async fn restore", handler_params, &returns);
        let input_exports = braced(
            "pub use input::",
            vec![
                format!("{type_name}Changes"),
                format!("{type_name}Filters"),
                format!("New{type_name}"),
            ],
        );
        let sortable_literal = const_list("SORTABLE", &sortable);
        let unique_literal = const_list("UNIQUE", &unique);
        let references: Vec<String> = fields
            .iter()
            .filter(|f| f.reference.is_some())
            .map(|f| f.name.clone())
            .collect();
        let references_literal = const_list("REFERENCES", &references);
        let parameters: Vec<String> = filters
            .iter()
            .map(|filter| filter.name.clone())
            .chain(["sort".to_owned(), "include_deleted".to_owned()])
            .collect();
        let parameters_literal = const_list("PARAMETERS", &parameters);
        Self {
            name: name.to_string(),
            type_name,
            singular,
            owner,
            owner_optional,
            created_with_owner: resource.owner == Owner::User,
            restricted: resource.owner == Owner::None,
            fields,
            migrations,
            enums,
            model_uses,
            input_uses,
            input_crate_uses,
            sortable,
            unique,
            has_refs,
            numbered_bodies,
            numbered_chars,
            chained,
            refs_owned,
            refs_shared,
            filters,
            required: required.clone(),
            optional: optional.clone(),
            defaults,
            unique_text,
            schemas,
            list_parameters,
            sort_doc: SORT_DOC,
            singular_with_article,
            owner_summary: match (resource.owner, auth) {
                (Owner::FollowsAuth, true) => format!(
                    "rows each owned by the user who created it; the rows written before the\n//! app had users have none.\n//!\n//! Users manage their own {name} under `/api/v1/{name}` (another user's, or an ownerless\n//! one, is a 404); administrators list every row, ownerless ones included, and delete them\n//! for good under `/api/v1/admin/{name}`."
                ),
                (Owner::FollowsAuth, false) => format!(
                    "shared rows, under `/api/v1/{name}` for whoever may call the public routes;\n//! once the project has auth, each new row belongs to the user who creates it."
                ),
                (Owner::User, _) => format!(
                    "rows each owned by the user who created it.\n//!\n//! Users manage their own {name} under `/api/v1/{name}` (another user's is a 404);\n//! administrators list everyone's and delete them for good under `/api/v1/admin/{name}`."
                ),
                (Owner::None, true) => format!(
                    "shared rows, which every signed-in user manages under `/api/v1/{name}`;\n//! administrators list them all and delete them for good under `/api/v1/admin/{name}`."
                ),
                (Owner::None, false) => format!(
                    "shared rows, under `/api/v1/{name}` for whoever may call the public routes."
                ),
            },
            rows_are: match resource.owner {
                Owner::User => "each row owned by a user",
                Owner::None => "its rows shared by every caller",
                Owner::FollowsAuth => {
                    "its rows shared until the project has auth, then each owned by a user"
                }
            },
            columns_literal: columns_literal(resource, owner),
            model_exports,
            input_exports,
            route_uses,
            ownership_uses,
            sort_alias,
            route_lines,
            test_lines,
            requests: Requests::new(name, wrong_type_filter.as_deref(), date_filter.as_deref()),
            show_signature,
            assert_refused_signature,
            restore_signature,
            route_exports: if signed_in {
                "{admin_routes, app_routes}"
            } else {
                "routes"
            },
            test_app: if signed_in { "app.auth.app" } else { "app.app" },
            sortable_literal,
            parameters_literal,
            unique_literal,
            references_literal,
            optional_for: rust_list("    for field in ", &optional, " {").replacen('&', "", 1),
            optional_let: rust_list("    let optional = ", &optional, ";").replacen('&', "", 1),
            required_for: rust_list("    for field in ", &required, " {").replacen('&', "", 1),
            null_refused_for: rust_list("    for field in ", &null_refused, " {")
                .replacen('&', "", 1),
            equality_for,
            range_for,
            sort_for,
            unique_text_article,
            second_filter,
            wrong_type_filter,
            date_filter,
            invalid_together,
            typed_field,
        }
    }
}

fn of(resource: &Resource, names: &Names<'_>, keep: impl Fn(&Field) -> bool) -> Vec<FieldContext> {
    resource
        .fields
        .iter()
        .filter(|f| keep(f))
        .map(|f| FieldContext::new(f, names))
        .collect()
}

/// The Rust type of a field's value, without `Option`.
fn rust_type(field: &Field, type_name: &str) -> String {
    match &field.ty {
        FieldType::String { .. } | FieldType::Text { .. } => "String".into(),
        FieldType::Bool => "bool".into(),
        FieldType::I32 => "i32".into(),
        FieldType::I64 => "i64".into(),
        FieldType::F64 => "f64".into(),
        FieldType::Decimal => "Decimal".into(),
        FieldType::Uuid | FieldType::Ref { .. } => "Uuid".into(),
        FieldType::Date => "Date".into(),
        FieldType::Datetime => "OffsetDateTime".into(),
        FieldType::Json => "serde_json::Value".into(),
        FieldType::Enum { .. } => enum_type(type_name, &field.name),
    }
}

/// `Invoice` and `status` as `InvoiceStatus`.
fn enum_type(type_name: &str, field: &str) -> String {
    format!("{type_name}{}", upper_camel(field))
}

/// The longest value of a `string` or bounded `text` field, in characters.
fn max_length(ty: &FieldType) -> Option<u32> {
    match ty {
        FieldType::String { max_length } => Some(max_length.unwrap_or(DEFAULT_MAX_LENGTH)),
        FieldType::Text { max_length } => *max_length,
        _ => None,
    }
}

/// A field's default as the API writes it in JSON: a date as a string, a point in time as a
/// string in UTC (as rows return it), JSON text as the value it holds.
fn json_of(default: &toml::Value, ty: &FieldType) -> Value {
    match (default, ty) {
        (toml::Value::Datetime(at), FieldType::Datetime) => Value::String(in_utc(at)),
        (toml::Value::Datetime(date), _) => Value::String(date.to_string()),
        (toml::Value::String(text), FieldType::Json) => {
            serde_json::from_str(text).expect("a json default is checked to be JSON")
        }
        (other, _) => serde_json::to_value(other).expect("a TOML value is JSON"),
    }
}

/// An RFC 3339 point in time (checked to have a date, a time and an offset) as `time` writes
/// it once PostgreSQL has it: in UTC, to the microsecond, without trailing zeros.
fn in_utc(at: &toml::value::Datetime) -> String {
    let (Some(date), Some(time), Some(offset)) = (at.date, at.time, at.offset) else {
        unreachable!("a datetime default is checked to be complete")
    };
    let offset = match offset {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => i32::from(minutes),
    };
    let minutes = i32::from(time.hour) * 60 + i32::from(time.minute) - offset;
    let (mut year, mut month, mut day) = (i32::from(date.year), date.month, date.day);
    match minutes.div_euclid(24 * 60) {
        -1 if day > 1 => day -= 1,
        -1 if month > 1 => (month, day) = (month - 1, days_in_month(year, month - 1)),
        -1 => (year, month, day) = (year - 1, 12, 31),
        1 if day < days_in_month(year, month) => day += 1,
        1 if month < 12 => (month, day) = (month + 1, 1),
        1 => (year, month, day) = (year + 1, 1, 1),
        _ => {}
    }
    let minutes = minutes.rem_euclid(24 * 60);
    let micros = time.nanosecond.unwrap_or(0) / 1000;
    let fraction = if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}").trim_end_matches('0').to_owned()
    };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{fraction}Z",
        minutes / 60,
        minutes % 60,
        time.second.unwrap_or(0)
    )
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn optional(ty: &str) -> String {
    format!("Option<{ty}>")
}

/// The sentence of a doc comment from its parts: `a; b` as `A; b.`
fn sentence(parts: &[String]) -> Option<String> {
    let text = parts.join("; ");
    let mut chars = text.chars();
    let first = chars.next()?;
    Some(format!("{}{}.", first.to_uppercase(), chars.as_str()))
}

impl FieldContext {
    fn new(field: &Field, names: &Names<'_>) -> Self {
        let name = field.name.as_str();
        let ty = rust_type(field, names.type_name);
        let keyword = field.ty.keyword();
        let defaulted = field.default.is_some() && !field.optional;
        let max = max_length(&field.ty);
        let target = match &field.ty {
            FieldType::Ref { to } => Some((to.as_str(), names.resources.get(to))),
            _ => None,
        };
        let target_owned = target
            .is_some_and(|(_, r)| r.is_some_and(|r| r.owner.resolve(names.auth) == Owner::User));
        // The declared owner, not the project's auth: a follows-auth target's foreign keys must
        // read the same before auth and after.
        let target_shared = target.is_some_and(|(_, r)| r.is_some_and(|r| r.owner == Owner::None));
        let unique_note = field.unique.then(|| match names.owner {
            Owner::User | Owner::FollowsAuth => {
                format!("unique among the owner's {}", names.plural)
            }
            Owner::None => format!("unique among the live {}", names.plural),
        });
        let ref_singular =
            |to: &str, r: Option<&Resource>| r.map_or_else(|| to.to_owned(), |r| r.singular(to));
        let mut row_parts = Vec::new();
        let mut new_parts = Vec::new();
        let mut change_parts = Vec::new();
        match &field.ty {
            FieldType::String { .. } => {
                let max = max.expect("a string has a maximum length");
                row_parts.push(format!("up to {max} characters"));
                new_parts.push(format!("1 to {max} characters, trimmed"));
                change_parts.push(format!("1 to {max} characters, trimmed"));
            }
            FieldType::Text {
                max_length: Some(max),
            } => {
                row_parts.push(format!("up to {max} characters"));
                new_parts.push(format!("at most {max} characters"));
                change_parts.push(format!("at most {max} characters"));
            }
            FieldType::Decimal => {
                for parts in [&mut row_parts, &mut new_parts, &mut change_parts] {
                    parts.push("an exact decimal number, as a string".to_owned());
                }
            }
            FieldType::Ref { to } => {
                let (_, target) = target.expect("a ref has a target");
                row_parts.push(format!("the {} it refers to", ref_singular(to, target)));
                let which = if target_owned {
                    format!("the id of one of the caller's {to}")
                } else {
                    format!(
                        "the id of {} {}",
                        article(&ref_singular(to, target)),
                        ref_singular(to, target)
                    )
                };
                new_parts.push(which.clone());
                change_parts.push(which);
            }
            _ => {}
        }
        if let Some(note) = &unique_note {
            for parts in [&mut row_parts, &mut new_parts, &mut change_parts] {
                parts.push(note.clone());
            }
        }
        if let Some(default) = &field.default {
            let default = match json_of(default, &field.ty) {
                Value::String(text) => text,
                other => other.to_string(),
            };
            new_parts.push(format!("`{default}` unless given"));
        }
        if field.optional {
            change_parts.push("`null` clears it".to_owned());
        }
        let (row_doc, new_doc, change_doc) = (
            sentence(&row_parts),
            sentence(&new_parts),
            sentence(&change_parts),
        );

        let datetime = keyword == "datetime";
        let decimal_schema = |option: bool| {
            let ty = if option { "Option<String>" } else { "String" };
            format!("#[schema(value_type = {ty}, format = \"decimal\")]")
        };
        let text_schema = max.map(|max| match keyword {
            "string" => format!("#[schema(pattern = r\"\\S\", max_length = {max})]"),
            _ => format!("#[schema(max_length = {max})]"),
        });

        let row_type = if field.optional {
            optional(&ty)
        } else {
            ty.clone()
        };
        let mut row_attributes = Vec::new();
        if datetime {
            row_attributes.push(if field.optional {
                "#[serde(with = \"time::serde::rfc3339::option\")]".to_owned()
            } else {
                "#[serde(with = \"time::serde::rfc3339\")]".to_owned()
            });
        }
        if keyword == "decimal" {
            row_attributes.push(decimal_schema(field.optional));
        }

        let new_option = field.optional || defaulted;
        let new_type = if new_option {
            optional(&ty)
        } else {
            ty.clone()
        };
        let mut new_attributes = Vec::new();
        match (datetime, new_option) {
            (true, true) => new_attributes
                .push("#[serde(default, with = \"time::serde::rfc3339::option\")]".to_owned()),
            (true, false) => {
                new_attributes.push("#[serde(with = \"time::serde::rfc3339\")]".to_owned())
            }
            (false, true) => new_attributes.push("#[serde(default)]".to_owned()),
            (false, false) => {}
        }
        if keyword == "decimal" {
            new_attributes.push(decimal_schema(new_option));
        }
        new_attributes.extend(text_schema.clone());
        // utoipa writes no `default` beside the empty schema of any JSON value; the doc says it.
        if let Some(default) = field.default.as_ref().filter(|_| keyword != "json") {
            let default = json_of(default, &field.ty);
            new_attributes.push(format!("#[schema(default = json!({default}))]"));
        }

        let change_type = if field.optional {
            format!("Option<Option<{ty}>>")
        } else {
            optional(&ty)
        };
        let mut change_attributes = vec![
            match (datetime, field.optional) {
                (true, true) => "#[serde(default, deserialize_with = \"crud::present_datetime\")]",
                (true, false) => {
                    "#[serde(default, deserialize_with = \"crud::not_null_datetime\")]"
                }
                (false, true) => "#[serde(default, deserialize_with = \"crud::present\")]",
                (false, false) => "#[serde(default, deserialize_with = \"crud::not_null\")]",
            }
            .to_owned(),
        ];
        // Documented as what is read: `null` only for an optional field, a required one's
        // `Option` standing for absent alone.
        if keyword == "decimal" {
            change_attributes.push(decimal_schema(field.optional));
        } else {
            let schema_ty = if field.optional {
                optional(&ty)
            } else {
                ty.clone()
            };
            change_attributes.push(format!("#[schema(value_type = {schema_ty})]"));
        }
        change_attributes.extend(text_schema);

        let check = |errors: &str, value: &str| {
            let mut args = vec![
                errors.to_owned(),
                format!("\"{name}\""),
                format!("&{value}"),
            ];
            let callee = match (keyword, max) {
                ("string", Some(max)) => {
                    args.push(max.to_string());
                    "crud::check_line"
                }
                ("text", Some(max)) => {
                    args.push(max.to_string());
                    "crud::check_bounded_text"
                }
                ("text", None) => "crud::check_text",
                ("date", _) => "crud::check_date",
                ("datetime", _) => "crud::check_datetime",
                _ => return None,
            };
            Some(statement(callee, &args))
        };
        let trimmed = |var: &str, option: bool| {
            if option {
                format!("{var}.map(|text| text.trim().to_owned())")
            } else {
                format!("{var}.trim().to_owned()")
            }
        };
        let new_value = if keyword == "string" {
            trimmed(&format!("self.{name}"), field.optional)
        } else {
            format!("self.{name}")
        };
        let some_value = if keyword == "string" && !field.optional {
            trimmed(name, false)
        } else {
            name.to_owned()
        };
        let reference = target.map(|(to, target)| {
            let body = target.map_or_else(
                || "{}".to_owned(),
                |target| create_body(target, names.resources, names.signed_in),
            );
            let scope = if target_owned { "scope" } else { "Scope::All" };
            let add = |value: String| {
                rust_call(
                    "        references.add",
                    &[
                        format!("\"{name}\""),
                        format!("\"{to}\""),
                        scope.to_owned(),
                        value,
                    ],
                    ";",
                )
            };
            let (new_value, change_value) = if field.optional {
                (format!("self.{name}"), format!("self.{name}.flatten()"))
            } else {
                (format!("Some(self.{name})"), format!("self.{name}"))
            };
            ReferenceContext {
                table: to.to_owned(),
                singular: ref_singular(to, target),
                rows: rows_member(name),
                scope,
                body: body.clone(),
                owned: target_owned,
                restricts: target_shared,
                add_new: add(new_value),
                create_request: create_request(to, &body, names.signed_in),
                two_created: {
                    let create = if names.signed_in {
                        format!("app.create_{name}_as(&token).await")
                    } else {
                        format!("app.create_{name}().await")
                    };
                    rust_array(
                        &format!("        app.{} = ", rows_member(name)),
                        &[create.clone(), create],
                        ";",
                    )
                },
                add_change: add(change_value),
            }
        });
        let samples = samples(field);
        let trimmed = (keyword == "string" && !field.optional).then(|| TrimmedContext {
            sent: format!("\"  {}  \"", samples[0].trim_matches('"')),
            stored: samples[0].clone(),
        });
        let (invalid, invalid_reason) = invalid(&field.ty);
        let checked_invalid = checked_invalid(&field.ty);
        let make_unique = field.unique.then(|| match keyword {
            // A string too short for its sample and a number holds one character of its own.
            "string" if short_unique(field) => format!("body[\"{name}\"] = json!(nth_char(n));"),
            // Two statements, each short enough for one line whatever the name's length.
            "string" => format!(
                "let sample = body[\"{name}\"].as_str().unwrap();\n        \
                 body[\"{name}\"] = json!(format!(\"{{sample}}-{{n}}\"));"
            ),
            // Past the samples (1 and 2, 100 and 200), which the tests' other rows hold.
            "i32" | "i64" => format!("body[\"{name}\"] = json!(1_000_000 + n);"),
            "decimal" => format!("body[\"{name}\"] = json!(format!(\"{{}}.50\", 1_000_000 + n));"),
            "date" => format!("body[\"{name}\"] = json!(format!(\"{{}}-06-15\", 3000 + n));"),
            "datetime" => {
                format!("body[\"{name}\"] = json!(format!(\"{{}}-06-15T10:00:00Z\", 3000 + n));")
            }
            "uuid" => format!(
                "let uuid = format!(\"00000000-0000-4000-9000-{{n:012}}\");\n        \
                 body[\"{name}\"] = json!(uuid);"
            ),
            _ if field.optional => format!("body[\"{name}\"] = Value::Null;"),
            // No other type may be declared unique any more (`check::check_unique`).
            _ => format!(
                "let sample = body[\"{name}\"].to_string();\n        \
                 body[\"{name}\"] = json!(format!(\"{{sample}}-{{n}}\"));"
            ),
        });
        let ordered = !matches!(field.ty, FieldType::Json | FieldType::Ref { .. });
        let (row_member, new_member, change_member) = (
            member(&format!("pub {name}"), &row_type),
            member(&format!("pub {name}"), &new_type),
            member(&format!("pub {name}"), &change_type),
        );
        Self {
            row_member,
            new_member,
            change_member,
            name: name.to_owned(),
            keyword,
            optional: field.optional,
            unique: field.unique,
            sql_type: sql_type(&field.ty),
            sql_constraints: sql_constraints(field),
            sql_references: target.map(|(to, _)| {
                // A shared row is referred to by other users' rows (or other shared ones): its
                // purge must not take them with it, nor change them, so it waits for them.
                let on_delete = if target_shared {
                    "RESTRICT"
                } else if field.optional {
                    "SET NULL"
                } else {
                    "CASCADE"
                };
                format!("REFERENCES {to} (id) ON DELETE {on_delete}")
            }),
            row_type,
            row_attributes,
            row_doc,
            new_type,
            new_attributes,
            new_doc,
            defaulted,
            change_type,
            change_attributes,
            change_doc,
            new_check: check("&mut errors", &format!("self.{name}")),
            change_check: check("&mut errors", &format!("self.{name}")),
            set_new: rust_call(
                "        fields = fields.set",
                &[format!("\"{name}\""), new_value.clone()],
                ";",
            )
            .trim_start()
            .to_owned(),
            if_given: if_let(
                "        ",
                &format!("Some({name})"),
                &format!("self.{name}"),
            ),
            set_some: rust_call(
                "            fields = fields.set",
                &[format!("\"{name}\""), some_value.clone()],
                ";",
            )
            .trim_start()
            .to_owned(),
            new_value,
            some_value,
            reference,
            samples,
            refusals: invalid
                .iter()
                .map(|value| {
                    awaited_statement(
                        "    assert_refused",
                        &[
                            "&app".to_owned(),
                            format!("\"{name}\""),
                            format!("json!({value})"),
                        ],
                    )
                })
                .collect(),
            invalid,
            invalid_reason,
            checked_invalid,
            longest: max.map(|max_length| LongestContext {
                length: match max_length {
                    1 => "1_character".to_owned(),
                    _ => format!("{max_length}_characters"),
                },
                // Clippy refuses `repeat(1)` (`repeat_once`).
                value: match max_length {
                    1 => "\"x\".to_owned()".to_owned(),
                    _ => format!("\"x\".repeat({max_length})"),
                },
                stored: rust_call(
                    "    assert_eq!",
                    &[format!("created[\"{name}\"]"), "longest".to_owned()],
                    ";",
                ),
            }),
            article: article(name),
            make_unique,
            equality_filter: !matches!(
                field.ty,
                FieldType::Json | FieldType::Text { .. } | FieldType::F64 | FieldType::Datetime
            ),
            range_filter: matches!(
                field.ty,
                FieldType::I32
                    | FieldType::I64
                    | FieldType::F64
                    | FieldType::Decimal
                    | FieldType::Date
                    | FieldType::Datetime
            ),
            sort_tested: ordered && samples_differ(field),
            trimmed,
        }
    }
}

/// Whether the two samples of a field differ (an enum of one value has one).
fn samples_differ(field: &Field) -> bool {
    !matches!(&field.ty, FieldType::Enum { values } if values.len() < 2)
}

/// `a` or `an` before `word`.
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Two valid values of a field as `json!` arguments; a `ref`'s are the test app's rows.
fn samples(field: &Field) -> [String; 2] {
    let pair = |a: &str, b: &str| [a.to_owned(), b.to_owned()];
    match &field.ty {
        FieldType::String { max_length } => {
            [within("Alpha", *max_length), within("Beta", *max_length)]
        }
        FieldType::Text { max_length } => [
            within("first note", *max_length),
            within("second note", *max_length),
        ],
        FieldType::Bool => pair("false", "true"),
        FieldType::I32 => pair("1", "2"),
        FieldType::I64 => pair("100", "200"),
        FieldType::F64 => pair("0.25", "0.5"),
        FieldType::Decimal => pair("\"12.50\"", "\"99.99\""),
        FieldType::Uuid => pair(
            "\"00000000-0000-4000-8000-000000000001\"",
            "\"00000000-0000-4000-8000-000000000002\"",
        ),
        FieldType::Date => pair("\"2025-01-31\"", "\"2025-02-28\""),
        FieldType::Datetime => pair("\"2025-01-31T10:00:00Z\"", "\"2025-02-28T10:00:00Z\""),
        FieldType::Json => pair("{\"tags\": [\"a\"]}", "[1, 2]"),
        FieldType::Enum { values } => {
            let mut sorted = values.clone();
            sorted.sort();
            let second = sorted.get(1).unwrap_or(&sorted[0]);
            [format!("\"{}\"", sorted[0]), format!("\"{second}\"")]
        }
        FieldType::Ref { .. } => {
            let rows = rows_member(&field.name);
            [format!("self.{rows}[0]"), format!("self.{rows}[1]")]
        }
    }
}

/// `words` as a JSON string of at most `max` characters: cut short, without the space a cut
/// may leave at the end, for a field that holds fewer. The samples cut differ and keep their
/// order, as their first letters do.
fn within(words: &str, max: Option<u32>) -> String {
    let max = max.map_or(usize::MAX, |max| max as usize);
    let kept: String = words.chars().take(max).collect();
    format!("\"{}\"", kept.trim_end())
}

/// Values a field refuses, as `json!` arguments, and how a test's name says what they are.
fn invalid(ty: &FieldType) -> (Vec<String>, Option<&'static str>) {
    let values = |list: &[&str]| list.iter().map(|v| (*v).to_owned()).collect();
    match ty {
        FieldType::String { max_length } => (
            vec![
                "\"   \"".to_owned(),
                format!(
                    "\"x\".repeat({})",
                    max_length.unwrap_or(DEFAULT_MAX_LENGTH) + 1
                ),
                "\"a\\u{7}b\"".to_owned(),
                "\"a\\u{0}b\"".to_owned(),
                "7".to_owned(),
            ],
            Some("is_blank_too_long_or_holds_control_characters"),
        ),
        FieldType::Text { max_length: None } => (
            values(&["\"a\\u{0}b\"", "7"]),
            Some("holds_a_nul_character"),
        ),
        FieldType::Text {
            max_length: Some(max),
        } => (
            vec![
                format!("\"x\".repeat({})", max + 1),
                "\"a\\u{0}b\"".to_owned(),
                "7".to_owned(),
            ],
            Some("is_too_long_or_holds_a_nul_character"),
        ),
        FieldType::Bool => (values(&["\"yes\"", "1"]), Some("is_not_a_boolean")),
        FieldType::I32 => (
            values(&["2_147_483_648_i64", "1.5", "\"1\""]),
            Some("is_not_a_32_bit_integer"),
        ),
        FieldType::I64 => (
            values(&["9_223_372_036_854_775_808_u64", "1.5", "\"1\""]),
            Some("is_not_a_64_bit_integer"),
        ),
        FieldType::F64 => (values(&["\"NaN\"", "\"0.5\""]), Some("is_not_a_number")),
        FieldType::Decimal => (
            values(&["\"twelve\"", "\"1.2.3\"", "12.5"]),
            Some("is_not_a_decimal_string"),
        ),
        FieldType::Uuid | FieldType::Ref { .. } => {
            (values(&["\"not-a-uuid\"", "7"]), Some("is_not_a_uuid"))
        }
        FieldType::Date => (
            values(&["\"2025-02-30\"", "\"31/01/2025\"", "\"-5000-01-01\""]),
            Some("is_no_date_or_before_postgres_dates"),
        ),
        FieldType::Datetime => (
            values(&[
                "\"2025-01-31\"",
                "\"yesterday\"",
                "0",
                "\"9999-12-31T23:59:59-23:59\"",
                "\"0000-01-01T00:00:00+01:00\"",
            ]),
            Some("is_no_rfc_3339_timestamp_within_years_0_to_9999"),
        ),
        FieldType::Enum { .. } => (
            values(&["\"unknown\"", "7"]),
            Some("is_not_one_of_its_values"),
        ),
        FieldType::Json => (Vec::new(), None),
    }
}

/// A value of a field that its type reads and its check refuses, as a `json!` argument: one of
/// [`invalid`]'s.
fn checked_invalid(ty: &FieldType) -> Option<String> {
    match ty {
        FieldType::String { .. } => Some("\"   \"".to_owned()),
        FieldType::Text {
            max_length: Some(max),
        } => Some(format!("\"x\".repeat({})", max + 1)),
        FieldType::Date => Some("\"-5000-01-01\"".to_owned()),
        FieldType::Datetime => Some("\"0000-01-01T00:00:00+01:00\"".to_owned()),
        // An unbounded text's one refusal, a NUL character, is the body's reader's.
        _ => None,
    }
}

/// A create body of `resource` with its required fields' first samples, as a `json!`
/// argument; a required `ref` of its own holds a row that the test app's [`chained`] helper
/// creates, as the holder of `token` when the routes are `signed_in`.
fn create_body(resource: &Resource, resources: &Resources, signed_in: bool) -> String {
    let members: Vec<String> = resource
        .fields
        .iter()
        .filter(|f| !f.optional && f.default.is_none())
        .map(|f| {
            // Each row the tests create must hold its own value of a unique field.
            let value = match (&f.ty, f.unique) {
                (FieldType::Ref { to }, _) => {
                    let helper = chained_helper(to, resources);
                    if signed_in {
                        format!("self.{helper}_as(token).await")
                    } else {
                        format!("self.{helper}().await")
                    }
                }
                (FieldType::String { .. }, true) if short_unique(f) => {
                    "nth_char(BODIES.fetch_add(1, Ordering::Relaxed))".to_owned()
                }
                (FieldType::String { .. }, true) => {
                    "format!(\"A-{}\", &uuid::Uuid::new_v4().simple().to_string()[..8])".to_owned()
                }
                (FieldType::Uuid, true) => "uuid::Uuid::new_v4()".to_owned(),
                _ => samples(f)[0].clone(),
            };
            format!("\"{}\": {value}", f.name)
        })
        .collect();
    format!("{{{}}}", members.join(", "))
}

/// Whether `field` is a unique string too short for a sample and a number (`Alpha-12`): the
/// tests give each of its rows a character of its own (`nth_char` in their module).
fn short_unique(field: &Field) -> bool {
    field.unique && matches!(field.ty, FieldType::String { max_length: Some(max) } if max < 10)
}

/// The tests' awaited request creating a row of `table` from the `json!` argument `body`, as
/// the holder of `token` when the routes are `signed_in`, laid out as rustfmt lays it out.
fn create_request(table: &str, body: &str, signed_in: bool) -> String {
    let body = format!("Some(json!({body}))");
    let path = format!("\"/{table}\"");
    if signed_in {
        awaited_call(
            "        let response = ",
            "self.send",
            &[
                "Method::POST".to_owned(),
                path,
                "Some(token)".to_owned(),
                body,
            ],
        )
    } else {
        awaited_call(
            "        let created = ",
            "self.call",
            &["Method::POST".to_owned(), path, body, "201".to_owned()],
        )
    }
}

/// The tests' app member holding two referred rows' ids for the `ref` field `name`.
fn rows_member(name: &str) -> String {
    format!("{name}_rows")
}

/// The name of the tests' helper creating a row of `table` for a chain of required `ref`s.
fn chained_helper(table: &str, resources: &Resources) -> String {
    let singular = resources
        .get(table)
        .map_or_else(|| table.to_owned(), |target| target.singular(table));
    format!("seed_{singular}")
}

/// The helpers creating the rows the rows `resource` refers to must refer to, down every chain
/// of required `ref`s, each table once, in the order they are first needed.
fn chained(resource: &Resource, resources: &Resources, signed_in: bool) -> Vec<ChainedContext> {
    let required_targets = |resource: &Resource| -> Vec<String> {
        resource
            .fields
            .iter()
            .filter(|f| !f.optional && f.default.is_none())
            .filter_map(|f| match &f.ty {
                FieldType::Ref { to } => Some(to.clone()),
                _ => None,
            })
            .collect()
    };
    let mut pending: VecDeque<String> = resource
        .fields
        .iter()
        .filter_map(|f| match &f.ty {
            FieldType::Ref { to } => resources.get(to).map(required_targets),
            _ => None,
        })
        .flatten()
        .collect();
    let mut chained: Vec<ChainedContext> = Vec::new();
    while let Some(table) = pending.pop_front() {
        let Some(target) = resources.get(&table) else {
            continue;
        };
        if chained.iter().any(|helper| helper.table == table) {
            continue;
        }
        pending.extend(required_targets(target));
        let body = create_body(target, resources, signed_in);
        let create_request = create_request(&table, &body, signed_in);
        chained.push(ChainedContext {
            helper: chained_helper(&table, resources),
            table,
            create_request,
        });
    }
    chained
}

fn sql_type(ty: &FieldType) -> String {
    match ty {
        FieldType::String { max_length } => {
            format!("varchar({})", max_length.unwrap_or(DEFAULT_MAX_LENGTH))
        }
        FieldType::Text { .. } | FieldType::Enum { .. } => "text".into(),
        FieldType::Bool => "boolean".into(),
        FieldType::I32 => "integer".into(),
        FieldType::I64 => "bigint".into(),
        FieldType::F64 => "double precision".into(),
        FieldType::Decimal => "numeric".into(),
        FieldType::Uuid | FieldType::Ref { .. } => "uuid".into(),
        FieldType::Date => "date".into(),
        FieldType::Datetime => "timestamptz".into(),
        FieldType::Json => "jsonb".into(),
    }
}

/// `NOT NULL`, `DEFAULT` and `CHECK` of a field's column, each after a space.
fn sql_constraints(field: &Field) -> String {
    let mut sql = String::new();
    if !field.optional {
        sql.push_str(" NOT NULL");
    }
    if let Some(default) = &field.default {
        sql.push_str(" DEFAULT ");
        sql.push_str(&sql_literal(default, &field.ty));
    }
    if let FieldType::Enum { values } = &field.ty {
        let values: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
        sql.push_str(&format!(
            " CHECK ({} IN ({}))",
            field.name,
            values.join(", ")
        ));
    }
    sql
}

/// A default value as an SQL literal of the column's type.
fn sql_literal(value: &toml::Value, ty: &FieldType) -> String {
    let quoted = |text: &str| format!("'{}'", text.replace('\'', "''"));
    match (value, ty) {
        (_, FieldType::Json) => format!("{}::jsonb", quoted(&json_of(value, ty).to_string())),
        (toml::Value::Datetime(date), FieldType::Date) => {
            format!("{}::date", quoted(&date.to_string()))
        }
        (toml::Value::Datetime(at), _) => format!("{}::timestamptz", quoted(&at.to_string())),
        (toml::Value::String(text), _) => quoted(text),
        (other, _) => other.to_string(),
    }
}

/// The OpenAPI schema of a field's value, `null` allowed or not, with a description.
fn schema(field: &Field, type_name: &str, nullable: bool, doc: Option<&str>, input: bool) -> Value {
    let base = match &field.ty {
        FieldType::String { .. } | FieldType::Text { .. } => json!({"type": "string"}),
        FieldType::Bool => json!({"type": "boolean"}),
        FieldType::I32 => json!({"type": "integer", "format": "int32"}),
        FieldType::I64 => json!({"type": "integer", "format": "int64"}),
        FieldType::F64 => json!({"type": "number", "format": "double"}),
        FieldType::Decimal => json!({"type": "string", "format": "decimal"}),
        FieldType::Uuid | FieldType::Ref { .. } => json!({"type": "string", "format": "uuid"}),
        FieldType::Date => json!({"type": "string", "format": "date"}),
        FieldType::Datetime => json!({"type": "string", "format": "date-time"}),
        FieldType::Json => json!({}),
        FieldType::Enum { .. } => {
            json!({"$ref": format!("#/components/schemas/{}", enum_type(type_name, &field.name))})
        }
    };
    let mut schema = base;
    if let Some(doc) = doc {
        schema["description"] = json!(doc);
    }
    if input && let Some(max) = max_length(&field.ty) {
        schema["maxLength"] = json!(max);
        if matches!(field.ty, FieldType::String { .. }) {
            schema["pattern"] = json!("\\S");
        }
    }
    if nullable {
        if schema.get("$ref").is_some() {
            return json!({"oneOf": [schema, {"type": "null"}]});
        }
        if let Some(ty) = schema.get("type").cloned() {
            schema["type"] = json!([ty, "null"]);
        }
    }
    schema
}

/// The resource's component schemas.
fn schemas(
    type_name: &str,
    resource: &Resource,
    names: &Names<'_>,
    owner_optional: bool,
    enums: &[EnumContext],
) -> Value {
    let live: Vec<&Field> = resource.fields.iter().collect();
    let context: Vec<FieldContext> = live.iter().map(|f| FieldContext::new(f, names)).collect();
    let uuid = json!({"type": "string", "format": "uuid"});
    let timestamp = json!({"type": "string", "format": "date-time"});
    let mut row = serde_json::Map::new();
    let mut required = vec![json!("id")];
    row.insert("id".into(), uuid.clone());
    if owner_optional {
        let owner = json!({
            "type": ["string", "null"],
            "format": "uuid",
            "description": "The user who created it; `null` for a row from before the app had users.",
        });
        row.insert("owner_id".into(), owner);
    } else if names.owner == Owner::User {
        let mut owner = uuid.clone();
        owner["description"] = json!("The user who created it.");
        row.insert("owner_id".into(), owner);
        required.push(json!("owner_id"));
    }
    let mut new = serde_json::Map::new();
    let mut new_required = Vec::new();
    let mut changes = serde_json::Map::new();
    for (field, context) in live.iter().zip(&context) {
        row.insert(
            field.name.clone(),
            schema(
                field,
                type_name,
                field.optional,
                context.row_doc.as_deref(),
                false,
            ),
        );
        if !field.optional {
            required.push(json!(field.name));
        }
        let new_option = field.optional || context.defaulted;
        let mut new_schema = schema(
            field,
            type_name,
            new_option,
            context.new_doc.as_deref(),
            true,
        );
        if let Some(default) = field.default.as_ref().filter(|_| context.keyword != "json") {
            new_schema["default"] = json_of(default, &field.ty);
        }
        new.insert(field.name.clone(), new_schema);
        if !new_option {
            new_required.push(json!(field.name));
        }
        changes.insert(
            field.name.clone(),
            schema(
                field,
                type_name,
                field.optional,
                context.change_doc.as_deref(),
                true,
            ),
        );
    }
    row.insert("created_at".into(), timestamp.clone());
    row.insert("updated_at".into(), timestamp.clone());
    let mut deleted = json!({"type": ["string", "null"], "format": "date-time"});
    deleted["description"] = json!("When it was soft-deleted; `null` while it is live.");
    row.insert("deleted_at".into(), deleted);
    required.push(json!("created_at"));
    required.push(json!("updated_at"));
    let row = json!({
        "type": "object",
        "description": format!("A row of `{}`.", names.plural),
        "properties": row,
        "required": required,
    });
    let mut new = json!({
        "type": "object",
        "additionalProperties": false,
        "description": format!("The body of `POST /{}`.", names.plural),
        "properties": new,
    });
    if !new_required.is_empty() {
        new["required"] = json!(new_required);
    }
    let changes = json!({
        "type": "object",
        "additionalProperties": false,
        "description": format!(
            "The body of `PATCH /{}/{{id}}`: only the fields present change, and `null` clears an\noptional one.",
            names.plural
        ),
        "properties": changes,
    });
    let page = json!({
        "type": "object",
        "description": "One page of a list.",
        "properties": {
            "items": {"type": "array", "description": "The rows, oldest first.", "items": row},
            "limit": {"type": "integer", "format": "int64", "description": "The page size asked for (or the default)."},
            "next_cursor": {"type": ["string", "null"], "description": "Pass as `?cursor=` for the next page; `null` on the last one."},
            "offset": {"type": ["integer", "null"], "format": "int64", "description": "The offset asked for; absent when the page was asked for by cursor."},
        },
        "required": ["items", "limit"],
    });
    let mut schemas = serde_json::Map::new();
    schemas.insert(type_name.to_owned(), row);
    schemas.insert(format!("New{type_name}"), new);
    schemas.insert(format!("{type_name}Changes"), changes);
    schemas.insert(format!("Page_{type_name}"), page);
    for field in &resource.fields {
        if let FieldType::Enum { values } = &field.ty {
            let type_name = enum_type(type_name, &field.name);
            let doc = enums
                .iter()
                .find(|e| e.type_name == type_name)
                .map(|e| e.doc.clone());
            schemas.insert(
                type_name,
                json!({"type": "string", "description": doc, "enum": values}),
            );
        }
    }
    Value::Object(schemas)
}

/// The query parameters of the list's filters.
fn filters(fields: &[FieldContext], plural: &str) -> Vec<FilterContext> {
    let mut filters = Vec::new();
    for field in fields {
        let base = field
            .row_type
            .trim_start_matches("Option<")
            .trim_end_matches('>')
            .to_owned();
        let base = if field.keyword == "json" {
            "serde_json::Value".to_owned()
        } else {
            base
        };
        let name = &field.name;
        let by_ref = matches!(field.keyword, "string" | "text");
        let value = |param: &str| {
            if by_ref {
                format!("self.{param}.as_deref()")
            } else {
                format!("self.{param}")
            }
        };
        let attributes = |_: &str| -> Vec<String> {
            match field.keyword {
                "datetime" => {
                    vec!["#[serde(default, with = \"time::serde::rfc3339::option\")]".to_owned()]
                }
                "decimal" => {
                    vec!["#[param(value_type = Option<String>, format = \"decimal\")]".to_owned()]
                }
                "enum" => vec!["#[param(inline)]".to_owned()],
                _ => Vec::new(),
            }
        };
        let check = |param: &str| {
            let callee = match field.keyword {
                "string" => "crud::check_text",
                "date" => "crud::check_date",
                "datetime" => "crud::check_datetime",
                _ => return None,
            };
            let args = [
                "errors".to_owned(),
                format!("\"{param}\""),
                format!("&self.{param}"),
            ];
            Some(statement(callee, &args))
        };
        if field.equality_filter {
            let doc = match &field.reference {
                Some(reference) => format!(
                    "Only the {plural} that refer to this row of `{}`.",
                    reference.table
                ),
                None => format!("Only the {plural} with this `{name}`."),
            };
            filters.push(FilterContext {
                member: member(name, &optional(&base)),
                name: name.clone(),
                rust_type: optional(&base),
                attributes: attributes(name),
                doc,
                condition: Some(statement(
                    "conditions.equal",
                    &[format!("\"{name}\""), value(name)],
                )),
                check: check(name),
            });
        }
        if field.range_filter {
            let (after, before) = match field.keyword {
                "date" => ("on or after", "on or before"),
                "datetime" => ("at or after", "at or before"),
                _ => ("at least", "at most"),
            };
            for (suffix, words, method) in [("min", after, "at_least"), ("max", before, "at_most")]
            {
                let param = format!("{name}_{suffix}");
                filters.push(FilterContext {
                    doc: format!("Only the {plural} whose `{name}` is {words} this."),
                    member: member(&param, &optional(&base)),
                    rust_type: optional(&base),
                    attributes: attributes(&param),
                    condition: Some(statement(
                        &format!("conditions.{method}"),
                        &[format!("\"{name}\""), value(&param)],
                    )),
                    check: check(&param),
                    name: param,
                });
            }
        }
    }
    filters
}

/// The OpenAPI parameters of the list: the page's, then the filters, `sort` and
/// `include_deleted`.
fn list_parameters(
    plural: &str,
    resource: &Resource,
    names: &Names<'_>,
    enums: &[EnumContext],
) -> Value {
    let query = |name: &str, description: &str, schema: Value| json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema});
    let mut parameters = vec![
        query(
            "limit",
            "Rows per page, 1 to 100 (default 50).",
            json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 100}),
        ),
        query(
            "offset",
            "Rows to skip; not with `cursor`.",
            json!({"type": "integer", "format": "int64", "minimum": 0}),
        ),
        query(
            "cursor",
            "The `next_cursor` of the previous page; not with `offset`.",
            json!({"type": "string", "pattern": "^[0-9a-f]{48}$"}),
        ),
    ];
    let contexts: Vec<FieldContext> = resource
        .fields
        .iter()
        .map(|f| FieldContext::new(f, names))
        .collect();
    let filters = filters(&contexts, plural);
    for filter in &filters {
        let field = resource
            .fields
            .iter()
            .find(|f| {
                filter.name == f.name
                    || filter
                        .name
                        .strip_suffix("_min")
                        .or(filter.name.strip_suffix("_max"))
                        == Some(f.name.as_str())
            })
            .expect("a filter is of a field");
        let mut schema = schema(field, names.type_name, false, None, false);
        if let FieldType::Enum { values } = &field.ty {
            let doc = enums
                .iter()
                .find(|e| e.type_name == enum_type(names.type_name, &field.name))
                .map(|e| e.doc.clone());
            schema = json!({"type": "string", "description": doc, "enum": values});
        }
        parameters.push(query(&filter.name, &filter.doc, schema));
    }
    let sorts: Vec<String> = sortable(resource)
        .into_iter()
        .flat_map(|column| [column.clone(), format!("-{column}")])
        .collect();
    parameters.push(query(
        "sort",
        SORT_DOC,
        json!({"type": "string", "enum": sorts}),
    ));
    parameters.push(query(
        "include_deleted",
        &format!(
            "List soft-deleted {plural} too, such as to find one to restore (default `false`)."
        ),
        json!({"type": "boolean"}),
    ));
    Value::Array(parameters)
}

/// The columns `?sort=` may name: every field's but a `json` one's, then the timestamps.
fn sortable(resource: &Resource) -> Vec<String> {
    resource
        .fields
        .iter()
        .filter(|f| !matches!(f.ty, FieldType::Json))
        .map(|f| f.name.clone())
        .chain(["created_at".to_owned(), "updated_at".to_owned()])
        .collect()
}

/// The description of a list's `sort` parameter.
pub const SORT_DOC: &str =
    "Order by a field, `-field` for descending; a sorted list pages by `offset`.";

/// The `COLUMNS` string literal of a resource's row: on the line of `const COLUMNS` when it
/// fits, otherwise continued with `\` on lines of at most 100 characters.
fn columns_literal(resource: &Resource, owner: Owner) -> String {
    let columns: Vec<&str> = std::iter::once("id")
        .chain((owner == Owner::User).then_some("owner_id"))
        .chain(resource.fields.iter().map(|f| f.name.as_str()))
        .chain(["created_at", "updated_at", "deleted_at"])
        .collect();
    const PREFIX: &str = "    const COLUMNS: &'static str = ";
    let whole = format!("\"{}\"", columns.join(", "));
    if PREFIX.len() + whole.len() + ";".len() <= 100 {
        return whole;
    }
    let mut lines = vec![String::from("\"")];
    let mut width = PREFIX.len() + 1;
    for (n, column) in columns.iter().enumerate() {
        let last = n + 1 == columns.len();
        let piece = if last {
            format!("{column}\"")
        } else {
            format!("{column}, ")
        };
        // Room for the piece, and for the `\` or the `;` that ends the line.
        if width + piece.trim_end().len() + 1 > 100 {
            let line = lines.last_mut().expect("a line");
            *line = format!("{} \\", line.trim_end());
            lines.push(String::from("        "));
            width = 8;
        }
        lines.last_mut().expect("a line").push_str(&piece);
        width += piece.len();
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_type_is_the_singular_in_upper_camel_case() {
        let resource: Resource = toml::from_str("fields = []").unwrap();

        let context = ResourceContext::new(
            "purchase_orders",
            &resource,
            &Resources::new(),
            true,
            false,
            |_| String::new(),
        );

        assert_eq!(context.type_name, "PurchaseOrder");
    }

    #[test]
    fn each_migration_adds_the_fields_declared_with_it() {
        let resource: Resource = toml::from_str(
            r#"
fields = [
  { name = "a", type = "bool" },
  { name = "b", type = "i64", added = "add_b_to_things" },
]
"#,
        )
        .unwrap();

        let context = ResourceContext::new(
            "things",
            &resource,
            &Resources::new(),
            true,
            false,
            |name| format!("v-{name}"),
        );

        let added: Vec<(&str, &str, Vec<&str>)> = context
            .migrations
            .iter()
            .map(|m| {
                (
                    m.kind,
                    m.version.as_str(),
                    m.fields.iter().map(|f| f.name.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            added,
            [
                ("create", "v-create_things", vec!["a"]),
                ("add", "v-add_b_to_things", vec!["b"]),
            ]
        );
    }

    fn invoices() -> (Resources, ResourceContext) {
        let resources: Resources = toml::from_str(
            r#"
[customers]
fields = [{ name = "name", type = "string", unique = true }]

[invoices]
fields = [
  { name = "number", type = "string", max-length = 20, unique = true },
  { name = "notes", type = "text", optional = true },
  { name = "paid", type = "bool", default = false },
  { name = "total", type = "decimal" },
  { name = "due_on", type = "date", optional = true },
  { name = "issued_at", type = "datetime" },
  { name = "status", type = "enum", values = ["draft", "sent"], default = "draft" },
  { name = "customer_id", type = "ref", to = "customers" },
]
"#,
        )
        .unwrap();
        let context = ResourceContext::new(
            "invoices",
            &resources["invoices"],
            &resources,
            true,
            false,
            |_| String::new(),
        );
        (resources, context)
    }

    fn field<'a>(context: &'a ResourceContext, name: &str) -> &'a FieldContext {
        context.fields.iter().find(|f| f.name == name).unwrap()
    }

    #[test]
    fn each_type_has_its_rust_and_sql_types() {
        let (_, context) = invoices();
        let types: Vec<(&str, &str, &str)> = context
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.row_type.as_str(), f.sql_type.as_str()))
            .collect();

        assert_eq!(
            types,
            [
                ("number", "String", "varchar(20)"),
                ("notes", "Option<String>", "text"),
                ("paid", "bool", "boolean"),
                ("total", "Decimal", "numeric"),
                ("due_on", "Option<Date>", "date"),
                ("issued_at", "OffsetDateTime", "timestamptz"),
                ("status", "InvoiceStatus", "text"),
                ("customer_id", "Uuid", "uuid"),
            ]
        );
    }

    #[test]
    fn a_default_makes_a_field_optional_in_the_create_and_is_the_columns_default() {
        let (_, context) = invoices();
        let paid = field(&context, "paid");
        let status = field(&context, "status");

        assert!(paid.defaulted);
        assert_eq!(paid.new_type, "Option<bool>");
        assert_eq!(paid.sql_constraints, " NOT NULL DEFAULT false");
        assert_eq!(
            status.sql_constraints,
            " NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent'))"
        );
        assert_eq!(
            context.defaults,
            [
                ("paid".to_owned(), "false".to_owned()),
                ("status".to_owned(), "\"draft\"".to_owned())
            ]
        );
        assert!(!context.required.contains(&"paid".to_owned()));
    }

    #[test]
    fn an_optional_field_is_cleared_by_null_and_a_required_one_refuses_it() {
        let (_, context) = invoices();

        assert_eq!(
            field(&context, "notes").change_type,
            "Option<Option<String>>"
        );
        assert!(field(&context, "notes").change_attributes[0].contains("crud::present"));
        assert!(field(&context, "number").change_attributes[0].contains("crud::not_null"));
        assert!(
            field(&context, "issued_at").change_attributes[0].contains("crud::not_null_datetime")
        );
    }

    #[test]
    fn a_ref_to_an_owned_resource_is_checked_in_the_callers_scope() {
        let (_, context) = invoices();
        let reference = field(&context, "customer_id").reference.as_ref().unwrap();

        assert_eq!(reference.table, "customers");
        assert_eq!(reference.scope, "scope");
        assert!(reference.owned);
        assert!(context.has_refs);
        assert_eq!(
            field(&context, "customer_id").sql_references.as_deref(),
            Some("REFERENCES customers (id) ON DELETE CASCADE")
        );
    }

    #[test]
    fn a_ref_to_a_shared_resource_restricts_the_purge_of_the_referred_row() {
        let resources: Resources = toml::from_str(
            r#"
[taxes]
owner = "none"
fields = [{ name = "name", type = "string" }]

[invoices]
fields = [
  { name = "tax_id", type = "ref", to = "taxes" },
  { name = "other_tax_id", type = "ref", to = "taxes", optional = true },
]

[rates]
owner = "none"
fields = [{ name = "tax_id", type = "ref", to = "taxes" }]
"#,
        )
        .unwrap();
        for (name, fields) in [
            ("invoices", &["tax_id", "other_tax_id"][..]),
            ("rates", &["tax_id"]),
        ] {
            let context =
                ResourceContext::new(name, &resources[name], &resources, true, false, |_| {
                    String::new()
                });
            for name in fields {
                let field = field(&context, name);
                assert_eq!(
                    field.sql_references.as_deref(),
                    Some("REFERENCES taxes (id) ON DELETE RESTRICT"),
                    "{name}"
                );
                assert_eq!(field.reference.as_ref().unwrap().scope, "Scope::All");
            }
        }
    }

    #[test]
    fn the_foreign_keys_of_a_follows_auth_resource_and_its_tests_read_the_same_with_auth_and_without()
     {
        let resources: Resources = toml::from_str(
            r#"
[taxes]
owner = "none"
fields = [{ name = "name", type = "string" }]

[tags]
owner = "follows-auth"
fields = [{ name = "name", type = "string" }]

[notes]
owner = "follows-auth"
fields = [
  { name = "tax_id", type = "ref", to = "taxes" },
  { name = "tag_id", type = "ref", to = "tags", optional = true },
]
"#,
        )
        .unwrap();
        for (auth, owner_column) in [(false, false), (true, true)] {
            let context = ResourceContext::new(
                "notes",
                &resources["notes"],
                &resources,
                auth,
                owner_column,
                |_| String::new(),
            );
            assert_eq!(
                field(&context, "tax_id").sql_references.as_deref(),
                Some("REFERENCES taxes (id) ON DELETE RESTRICT"),
            );
            assert_eq!(
                field(&context, "tag_id").sql_references.as_deref(),
                Some("REFERENCES tags (id) ON DELETE SET NULL"),
            );
            // What the generated tests expect of a purge follows the foreign keys.
            assert!(
                field(&context, "tax_id")
                    .reference
                    .as_ref()
                    .unwrap()
                    .restricts
            );
            assert!(
                !field(&context, "tag_id")
                    .reference
                    .as_ref()
                    .unwrap()
                    .restricts
            );
        }
    }

    #[test]
    fn the_text_fields_and_dates_are_checked_and_json_is_neither_filtered_nor_sorted() {
        let (_, context) = invoices();

        assert_eq!(
            field(&context, "number").new_check.as_deref(),
            Some("crud::check_line(&mut errors, \"number\", &self.number, 20);")
        );
        assert!(field(&context, "notes").new_check.is_some());
        assert!(field(&context, "due_on").new_check.is_some());
        assert!(field(&context, "paid").new_check.is_none());
        let filters: Vec<&str> = context.filters.iter().map(|f| f.name.as_str()).collect();
        assert!(filters.contains(&"due_on_min") && filters.contains(&"total_max"));
        assert!(!filters.contains(&"notes"));
        assert!(context.sortable.contains(&"notes".to_owned()));
    }

    #[test]
    fn the_fields_whose_checks_refuse_a_value_their_type_reads_are_refused_together() {
        let (_, context) = invoices();

        assert_eq!(
            context.invalid_together.as_deref(),
            Some(r#"&["number", "due_on", "issued_at"]"#)
        );
        assert_eq!(
            field(&context, "number").checked_invalid.as_deref(),
            Some(r#""   ""#)
        );
        // An unbounded text refuses a NUL character alone, which the body's reader refuses.
        assert!(field(&context, "notes").checked_invalid.is_none());
        assert!(field(&context, "total").checked_invalid.is_none());
        for field in &context.fields {
            if let Some(value) = &field.checked_invalid {
                assert!(field.invalid.contains(value), "{}", field.name);
            }
        }
    }

    #[test]
    fn a_resource_with_one_checked_field_refuses_no_fields_together() {
        let resource: Resource = toml::from_str(
            r#"
fields = [
  { name = "label", type = "string", optional = true },
  { name = "n", type = "i32" },
]
"#,
        )
        .unwrap();

        let context =
            ResourceContext::new("tags", &resource, &Resources::new(), true, false, |_| {
                String::new()
            });

        assert!(context.invalid_together.is_none());
        assert_eq!(context.typed_field.as_deref(), Some("label"));
    }

    #[test]
    fn the_create_schema_requires_only_what_has_no_default_and_may_not_be_null() {
        let (_, context) = invoices();
        let schemas: Value = serde_json::from_str(&context.schemas).unwrap();

        assert_eq!(
            schemas["NewInvoice"]["required"],
            json!(["number", "total", "issued_at", "customer_id"])
        );
        assert_eq!(schemas["InvoiceStatus"]["enum"], json!(["draft", "sent"]));
        assert_eq!(
            schemas["Invoice"]["properties"]["due_on"]["type"],
            json!(["string", "null"])
        );
        assert_eq!(
            schemas["NewInvoice"]["properties"]["number"]["maxLength"],
            json!(20)
        );
    }

    #[test]
    fn in_the_changes_schema_only_an_optional_field_may_be_null() {
        let (_, context) = invoices();
        let schemas: Value = serde_json::from_str(&context.schemas).unwrap();
        let changes = &schemas["InvoiceChanges"]["properties"];

        assert_eq!(changes["notes"]["type"], json!(["string", "null"]));
        assert_eq!(changes["number"]["type"], json!("string"));
        assert_eq!(changes["total"]["type"], json!("string"));
        assert_eq!(changes["paid"]["type"], json!("boolean"));
        assert_eq!(
            changes["status"],
            json!({"$ref": "#/components/schemas/InvoiceStatus"})
        );
        assert!(schemas["InvoiceChanges"].get("required").is_none());
    }

    #[test]
    fn utoipa_documents_the_changes_as_the_fragment_does() {
        let (_, context) = invoices();

        assert!(
            field(&context, "paid")
                .change_attributes
                .contains(&"#[schema(value_type = bool)]".to_owned())
        );
        assert!(
            field(&context, "due_on")
                .change_attributes
                .contains(&"#[schema(value_type = Option<Date>)]".to_owned())
        );
        assert!(
            field(&context, "total")
                .change_attributes
                .contains(&"#[schema(value_type = String, format = \"decimal\")]".to_owned())
        );
    }

    #[test]
    fn the_ref_fields_are_the_references_whose_foreign_key_names_them() {
        let (_, context) = invoices();

        assert_eq!(
            context.references_literal,
            "    const REFERENCES: &'static [&'static str] = &[\"customer_id\"];"
        );
    }

    #[test]
    fn sort_is_documented_as_the_enum_of_each_sortable_column_and_its_descending_order() {
        let (_, context) = invoices();
        let parameters: Value = serde_json::from_str(&context.list_parameters).unwrap();
        let sort = parameters
            .as_array()
            .unwrap()
            .iter()
            .find(|parameter| parameter["name"] == "sort")
            .unwrap();

        let values = sort["schema"]["enum"].as_array().unwrap();
        assert_eq!(sort["schema"]["type"], "string");
        assert_eq!(values.len(), 2 * context.sortable.len());
        assert_eq!(
            values[..4],
            [
                json!("number"),
                json!("-number"),
                json!("notes"),
                json!("-notes")
            ]
        );
        assert_eq!(values[values.len() - 1], "-updated_at");
    }

    #[test]
    fn the_samples_of_a_bounded_string_or_text_fit_its_bound_and_differ_in_order() {
        for n in 1..=12 {
            for keyword in ["string", "text"] {
                let word = format!("f:{keyword}({n})");
                let fields = crate::resource::grammar::parse_fields(&[word.as_str()]).unwrap();

                let [first, second] = samples(&fields[0]).map(|sample| {
                    serde_json::from_str::<String>(&sample).expect("a sample is a JSON string")
                });

                assert!(first.chars().count() <= n, "{word}: {first:?}");
                assert!(second.chars().count() <= n, "{word}: {second:?}");
                assert!(first < second, "{word}: {first:?}, {second:?}");
            }
        }
    }

    #[test]
    fn a_unique_field_is_made_distinct_with_a_valid_value_past_its_samples() {
        let resource = Resource {
            owner: Owner::None,
            singular: None,
            fields: crate::resource::grammar::parse_fields(&[
                "count:i32:unique",
                "price:decimal:unique",
                "starts_on:date:unique",
                "remind_at:datetime:unique",
            ])
            .unwrap(),
            removed: None,
        };
        let context =
            ResourceContext::new("codes", &resource, &Resources::new(), false, false, |_| {
                String::new()
            });

        let made = |name: &str| field(&context, name).make_unique.clone().unwrap();
        assert_eq!(made("count"), "body[\"count\"] = json!(1_000_000 + n);");
        assert_eq!(
            made("price"),
            "body[\"price\"] = json!(format!(\"{}.50\", 1_000_000 + n));"
        );
        assert_eq!(
            made("starts_on"),
            "body[\"starts_on\"] = json!(format!(\"{}-06-15\", 3000 + n));"
        );
        assert_eq!(
            made("remind_at"),
            "body[\"remind_at\"] = json!(format!(\"{}-06-15T10:00:00Z\", 3000 + n));"
        );
    }

    fn with_defaults() -> ResourceContext {
        let resource: Resource = toml::from_str(
            r#"
fields = [
  { name = "starts_on", type = "date", default = 2025-01-31 },
  { name = "remind_at", type = "datetime", default = 2025-03-01T01:30:00.25+02:00 },
  { name = "terms", type = "json", default = "{\"net_days\": 30, \"note\": \"it's due\"}" },
]
"#,
        )
        .unwrap();
        ResourceContext::new("plans", &resource, &Resources::new(), true, false, |_| {
            String::new()
        })
    }

    #[test]
    fn a_date_datetime_or_json_default_is_an_sql_literal_cast_to_the_columns_type() {
        let context = with_defaults();

        assert_eq!(
            field(&context, "starts_on").sql_constraints,
            " NOT NULL DEFAULT '2025-01-31'::date"
        );
        assert_eq!(
            field(&context, "remind_at").sql_constraints,
            " NOT NULL DEFAULT '2025-03-01T01:30:00.25+02:00'::timestamptz"
        );
        assert_eq!(
            field(&context, "terms").sql_constraints,
            " NOT NULL DEFAULT '{\"net_days\":30,\"note\":\"it''s due\"}'::jsonb"
        );
    }

    #[test]
    fn a_date_datetime_or_json_default_is_written_as_the_api_returns_it() {
        let context = with_defaults();

        assert_eq!(
            context.defaults,
            [
                ("starts_on".to_owned(), "\"2025-01-31\"".to_owned()),
                (
                    "remind_at".to_owned(),
                    "\"2025-02-28T23:30:00.25Z\"".to_owned()
                ),
                (
                    "terms".to_owned(),
                    "{\"net_days\":30,\"note\":\"it's due\"}".to_owned()
                ),
            ]
        );
        assert_eq!(
            field(&context, "starts_on").new_doc.as_deref(),
            Some("`2025-01-31` unless given.")
        );
        let schemas: Value = serde_json::from_str(&context.schemas).unwrap();
        let remind_at = &schemas["NewPlan"]["properties"]["remind_at"];
        assert_eq!(remind_at["default"], "2025-02-28T23:30:00.25Z");
        assert!(
            field(&context, "remind_at")
                .new_attributes
                .contains(&"#[schema(default = json!(\"2025-02-28T23:30:00.25Z\"))]".to_owned())
        );
        assert!(
            schemas["NewPlan"]["properties"]["terms"]
                .get("default")
                .is_none()
        );
        assert!(field(&context, "terms").defaulted);
        assert_eq!(
            field(&context, "terms").new_type,
            "Option<serde_json::Value>"
        );
    }

    #[test]
    fn a_point_in_time_crosses_into_the_next_year_in_utc() {
        let at: toml::value::Datetime = "2024-12-31T23:00:00.000001-01:30".parse().unwrap();

        assert_eq!(in_utc(&at), "2025-01-01T00:30:00.000001Z");
    }

    #[test]
    fn a_long_column_list_is_continued_on_lines_of_at_most_100_characters() {
        let (resources, _) = invoices();
        let literal = columns_literal(&resources["invoices"], resources["invoices"].owner);

        let first = format!(
            "    const COLUMNS: &'static str = {}",
            literal.lines().next().unwrap()
        );
        assert!(first.len() <= 100, "{first}");
        assert!(literal.lines().all(|line| line.len() <= 100), "{literal}");
        assert!(literal.lines().count() > 1);
    }
}
