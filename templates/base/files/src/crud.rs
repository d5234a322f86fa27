//! The generic part of a resource's data access: pagination, and create, read, update,
//! soft delete, restore and hard delete of rows.
//!
//! A resource is a table with `id`, `created_at`, `updated_at` (kept by the `set_updated_at`
//! trigger) and `deleted_at` columns, and a row type implementing [`Resource`]. The functions
//! here only build the SQL those columns have in common; what a resource writes comes in as
//! [`Fields`], built from its validated input.
//!
//! A resource is shared, every row reachable by whoever may call its routes ([`Scope::All`]),
//! or owned, with an `owner_id` column: a user only ever reaches their own rows
//! ([`Scope::Owner`]), and another user's row looks exactly like a missing one (`None`, so a
//! 404, never a 403).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, AssertSqlSafe, Encode, FromRow, PgExecutor, Postgres, QueryBuilder, Type};
use time::{Date, Month, OffsetDateTime, UtcOffset};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type as SchemaType};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use uuid::Uuid;

use crate::error::{AppError, FieldErrors};
use crate::extract::Query;

/// Largest page a list returns.
pub const MAX_LIMIT: i64 = 100;
/// Page size when the request names none.
pub const DEFAULT_LIMIT: i64 = 50;

/// A row's place in the listing order: oldest first, ties broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub created_at: OffsetDateTime,
    pub id: Uuid,
}

/// A row type that lists read in [`Key`] order.
pub trait Keyed {
    fn key(&self) -> Key;
}

/// A resource's table, as the generic functions address it.
pub trait Resource: Keyed + for<'r> FromRow<'r, PgRow> + Send + Unpin {
    /// The table's name.
    const TABLE: &'static str;
    /// The columns a row is read from, in `SELECT` and `RETURNING` lists.
    const COLUMNS: &'static str;
    /// What one row is called in messages (`project`).
    const SINGULAR: &'static str = "row";
    /// The columns `?sort=` may name.
    const SORTABLE: &'static [&'static str] = &[];
    /// The columns no two live rows (of one owner, in an owned table) may share, each with a
    /// unique index named `<table>_<column>_key`.
    const UNIQUE: &'static [&'static str] = &[];
    /// The columns that refer to another table's rows, each with a foreign key named
    /// `<table>_<column>_fkey` (PostgreSQL's name for it).
    const REFERENCES: &'static [&'static str] = &[];
}

/// Whose rows a query may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only the rows this user owns, in a table with an `owner_id` column.
    Owner(Uuid),
    /// Every row: a shared resource's, or everyone's rows of an owned one, for administrators.
    All,
}

/// Column values to insert or update, bound as query parameters.
///
/// Column names must be constants of the resource, never taken from the request.
pub struct Fields {
    columns: Vec<&'static str>,
    arguments: Result<PgArguments, BoxDynError>,
}

impl Fields {
    pub fn new() -> Self {
        Self {
            columns: Vec::new(),
            arguments: Ok(PgArguments::default()),
        }
    }

    /// Sets `column` to `value`; a value that fails to encode fails the query.
    #[must_use]
    pub fn set<T>(mut self, column: &'static str, value: T) -> Self
    where
        T: for<'t> Encode<'t, Postgres> + Type<Postgres>,
    {
        self.columns.push(column);
        self.bind(value)
    }

    /// Adds `value` as the next parameter, for a condition after the assignments.
    fn bind<T>(mut self, value: T) -> Self
    where
        T: for<'t> Encode<'t, Postgres> + Type<Postgres>,
    {
        if let Ok(arguments) = &mut self.arguments
            && let Err(error) = arguments.add(value)
        {
            self.arguments = Err(error);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// A clone is what lets a failed write run again; a value that failed to encode keeps
/// failing, with the same message.
impl Clone for Fields {
    fn clone(&self) -> Self {
        Self {
            columns: self.columns.clone(),
            arguments: match &self.arguments {
                Ok(arguments) => Ok(arguments.clone()),
                Err(error) => Err(error.to_string().into()),
            },
        }
    }
}

impl Default for Fields {
    fn default() -> Self {
        Self::new()
    }
}

/// Inserts a row in `scope`: owned by the user of [`Scope::Owner`], shared with [`Scope::All`].
pub async fn create<R: Resource>(
    db: impl PgExecutor<'_>,
    scope: Scope,
    fields: Fields,
) -> sqlx::Result<R> {
    let fields = match scope {
        Scope::Owner(owner) => fields.set("owner_id", owner),
        Scope::All => fields,
    };
    let Fields { columns, arguments } = fields;
    let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) RETURNING {}",
        R::TABLE,
        columns.join(", "),
        placeholders.join(", "),
        R::COLUMNS,
    );
    sqlx::query_as_with(AssertSqlSafe(sql), arguments.map_err(sqlx::Error::Encode)?)
        .fetch_one(db)
        .await
}

/// The row with this id in `scope`, unless it is soft-deleted.
pub async fn get<R: Resource>(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
) -> sqlx::Result<Option<R>> {
    let mut query = select::<R>(scope, false);
    query.push(" AND id = ").push_bind(id);
    query.build_query_as().fetch_optional(db).await
}

/// A page of the rows in `scope`, soft-deleted ones only with `include_deleted`.
pub async fn list<R: Resource>(
    db: impl PgExecutor<'_>,
    scope: Scope,
    include_deleted: bool,
    page: &PageRequest,
) -> sqlx::Result<Page<R>> {
    page.fetch(select::<R>(scope, include_deleted), db).await
}

/// Writes `fields` to the row with this id in `scope`, unless it is soft-deleted.
pub async fn update<R: Resource>(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
    fields: Fields,
) -> sqlx::Result<Option<R>> {
    if fields.is_empty() {
        // Nothing to write: no statement, so `updated_at` stays what it was.
        return get(db, scope, id).await;
    }
    let count = fields.columns.len();
    let assignments: Vec<String> = (fields.columns.iter().zip(1..))
        .map(|(column, n)| format!("{column} = ${n}"))
        .collect();
    let mut sql = format!(
        "UPDATE {} SET {} WHERE deleted_at IS NULL AND id = ${}",
        R::TABLE,
        assignments.join(", "),
        count + 1,
    );
    let mut fields = fields.bind(id);
    if let Scope::Owner(owner) = scope {
        sql.push_str(&format!(" AND owner_id = ${}", count + 2));
        fields = fields.bind(owner);
    }
    sql.push_str(&format!(" RETURNING {}", R::COLUMNS));
    let arguments = fields.arguments.map_err(sqlx::Error::Encode)?;
    sqlx::query_as_with(AssertSqlSafe(sql), arguments)
        .fetch_optional(db)
        .await
}

/// Marks the row with this id in `scope` deleted; `None` if it is missing or deleted already.
pub async fn soft_delete<R: Resource>(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
) -> sqlx::Result<Option<R>> {
    set_deleted_at(db, scope, id, "now()", "deleted_at IS NULL").await
}

/// Brings back a soft-deleted row; `None` if there is no deleted row with this id in `scope`.
pub async fn restore<R: Resource>(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
) -> sqlx::Result<Option<R>> {
    set_deleted_at(db, scope, id, "NULL", "deleted_at IS NOT NULL").await
}

async fn set_deleted_at<R: Resource>(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
    value: &str,
    condition: &str,
) -> sqlx::Result<Option<R>> {
    let mut query = QueryBuilder::new(format!(
        "UPDATE {} SET deleted_at = {value} WHERE {condition} AND id = ",
        R::TABLE
    ));
    query.push_bind(id);
    push_scope(&mut query, scope);
    query.push(format!(" RETURNING {}", R::COLUMNS));
    query.build_query_as().fetch_optional(db).await
}

/// Deletes the row with this id for good, deleted or not; `false` if there was none.
pub async fn hard_delete<R: Resource>(
    db: impl PgExecutor<'_>,
    scope: Scope,
    id: Uuid,
) -> sqlx::Result<bool> {
    let mut query = QueryBuilder::new(format!("DELETE FROM {} WHERE id = ", R::TABLE));
    query.push_bind(id);
    push_scope(&mut query, scope);
    let result = query.build().execute(db).await?;
    Ok(result.rows_affected() > 0)
}

/// `SELECT <columns> FROM <table> WHERE ...` in `scope`, ready for more conditions.
fn select<R: Resource>(scope: Scope, include_deleted: bool) -> QueryBuilder<Postgres> {
    let mut query = QueryBuilder::new(format!(
        "SELECT {} FROM {} WHERE true",
        R::COLUMNS,
        R::TABLE
    ));
    push_scope(&mut query, scope);
    if !include_deleted {
        query.push(" AND deleted_at IS NULL");
    }
    query
}

fn push_scope(query: &mut QueryBuilder<Postgres>, scope: Scope) {
    if let Scope::Owner(owner) = scope {
        query.push(" AND owner_id = ").push_bind(owner);
    }
}

/// A page of the rows in `scope` that match `listing`'s filters, in its order.
pub async fn list_matching<R: Resource, L: Listing>(
    db: impl PgExecutor<'_>,
    scope: Scope,
    listing: &L,
    page: &PageRequest,
) -> sqlx::Result<Page<R>> {
    let mut query = select::<R>(scope, listing.include_deleted());
    listing.filter(&mut Conditions(&mut query));
    page.fetch_ordered(query, page.order, db).await
}

/// The typed query parameters of a resource's list, besides the page: filters, visibility and
/// order.
pub trait Listing {
    /// The query parameters it reads, as it documents them.
    const PARAMETERS: &'static [&'static str];

    /// Adds a condition for each filter given.
    fn filter(&self, conditions: &mut Conditions<'_>);
    /// Records each filter value PostgreSQL could not compare with (a date before its range).
    fn check(&self, errors: &mut FieldErrors);
    /// The `?sort=` parameter, if given.
    fn sort(&self) -> Option<&str>;
    /// Whether soft-deleted rows are listed too.
    fn include_deleted(&self) -> bool;
}

/// The `WHERE` conditions of a list, each value a bound parameter.
pub struct Conditions<'q>(&'q mut QueryBuilder<Postgres>);

impl Conditions<'_> {
    /// `column = value`, when the filter is given.
    pub fn equal<T>(&mut self, column: &'static str, value: Option<T>) -> &mut Self
    where
        T: for<'t> Encode<'t, Postgres> + Type<Postgres>,
    {
        self.compare(column, "=", value)
    }

    /// `column >= value`, when the filter is given.
    pub fn at_least<T>(&mut self, column: &'static str, value: Option<T>) -> &mut Self
    where
        T: for<'t> Encode<'t, Postgres> + Type<Postgres>,
    {
        self.compare(column, ">=", value)
    }

    /// `column <= value`, when the filter is given.
    pub fn at_most<T>(&mut self, column: &'static str, value: Option<T>) -> &mut Self
    where
        T: for<'t> Encode<'t, Postgres> + Type<Postgres>,
    {
        self.compare(column, "<=", value)
    }

    fn compare<T>(&mut self, column: &'static str, operator: &str, value: Option<T>) -> &mut Self
    where
        T: for<'t> Encode<'t, Postgres> + Type<Postgres>,
    {
        if let Some(value) = value {
            self.0
                .push(format!(" AND {column} {operator} "))
                .push_bind(value);
        }
        self
    }
}

/// A list's order when `?sort=` names a column: ascending, or descending with a leading `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    column: &'static str,
    descending: bool,
}

impl Order {
    /// The order `sort` asks for, if it names one of `sortable`.
    fn parse(sort: &str, sortable: &[&'static str]) -> Option<Self> {
        let (column, descending) = match sort.strip_prefix('-') {
            Some(column) => (column, true),
            None => (sort, false),
        };
        let column = sortable.iter().find(|candidate| **candidate == column)?;
        Some(Self { column, descending })
    }
}

/// The values a list of `R` documents for `?sort=`: each column of `R::SORTABLE`, followed by
/// itself after `-` for descending. They are the ones [`ListQuery`] reads; any other is a 422.
pub struct Sort<R>(std::marker::PhantomData<R>);

impl<R: Resource> PartialSchema for Sort<R> {
    fn schema() -> RefOr<Schema> {
        let values = R::SORTABLE
            .iter()
            .flat_map(|column| [(*column).to_owned(), format!("-{column}")]);
        let schema = ObjectBuilder::new()
            .schema_type(SchemaType::String)
            .enum_values(Some(values))
            .build();
        RefOr::T(Schema::Object(schema))
    }
}

impl<R: Resource> ToSchema for Sort<R> {}

/// The query string of a resource's list, checked: a page of rows of `R` and the listing's
/// typed parameters. A parameter neither documents is a 422 naming it, as are a bad page, a
/// `sort` that names no sortable column and a filter value out of PostgreSQL's range.
pub struct ListQuery<R, L> {
    pub page: PageRequest,
    pub listing: L,
    resource: std::marker::PhantomData<R>,
}

impl<R, L, S> FromRequestParts<S> for ListQuery<R, L>
where
    R: Resource,
    L: Listing + DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(given) = Query::<Vec<(String, String)>>::from_request_parts(parts, state).await?;
        let Query(params) = Query::<PageParams>::from_request_parts(parts, state).await?;
        let Query(listing) = Query::<L>::from_request_parts(parts, state).await?;
        let mut errors = FieldErrors::new();
        for (name, _) in &given {
            let name = name.as_str();
            if !PageParams::PARAMETERS.contains(&name) && !L::PARAMETERS.contains(&name) {
                errors.add(name, "is not a parameter of this list");
            }
        }
        let order = listing.sort().map(|sort| Order::parse(sort, R::SORTABLE));
        if let Some(None) = order {
            errors.add(
                "sort",
                format!(
                    "must be one of {}, each maybe after `-`",
                    R::SORTABLE.join(", ")
                ),
            );
        }
        if order.is_some() && params.cursor.is_some() {
            errors.add(
                "cursor",
                "cannot be combined with sort; page a sorted list by offset",
            );
        }
        listing.check(&mut errors);
        let page = PageRequest::checked(params, &mut errors);
        errors.check()?;
        let mut page = page.expect("a page without errors");
        page.order = order.flatten();
        Ok(Self {
            page,
            listing,
            resource: std::marker::PhantomData,
        })
    }
}

/// Whether the live row with this id of `table` is in `scope`: what a reference may point to.
pub async fn visible(
    db: impl PgExecutor<'_>,
    table: &'static str,
    scope: Scope,
    id: Uuid,
) -> sqlx::Result<bool> {
    let mut query = QueryBuilder::new(format!(
        "SELECT EXISTS (SELECT 1 FROM {table} WHERE deleted_at IS NULL AND id = "
    ));
    query.push_bind(id);
    push_scope(&mut query, scope);
    query.push(")");
    query.build_query_scalar().fetch_one(db).await
}

/// Why a reference is refused: another user's row, a deleted or a missing one look the same.
const NOT_VISIBLE: &str = "refers to no row you can see";

/// The rows an input refers to, by field: each must be one the caller can see.
#[derive(Default)]
pub struct References(Vec<(&'static str, &'static str, Scope, Uuid)>);

impl References {
    pub fn new() -> Self {
        Self::default()
    }

    /// `field` refers to the row `id` of `table`, which must be visible in `scope`.
    pub fn add(
        &mut self,
        field: &'static str,
        table: &'static str,
        scope: Scope,
        id: Option<Uuid>,
    ) {
        if let Some(id) = id {
            self.0.push((field, table, scope, id));
        }
    }

    /// `Ok` when every referred row is visible, otherwise a 422 naming each field that is not:
    /// another user's row, a deleted or a missing one look the same.
    pub async fn check(self, db: &sqlx::PgPool) -> Result<(), AppError> {
        let mut errors = FieldErrors::new();
        for (field, table, scope, id) in self.0 {
            if !visible(db, table, scope, id).await? {
                errors.add(field, NOT_VISIBLE);
            }
        }
        errors.check()
    }
}

/// A failed write as the API answers it, a 422 naming the field when the value is to blame:
/// one that a unique column of `R` already holds, or a reference to a row that is gone (deleted
/// for good after [`References::check`] saw it). Anything else is a 500.
pub fn write_error<R: Resource>(error: impl Into<anyhow::Error>) -> AppError {
    let error = error.into();
    let database = error
        .downcast_ref::<sqlx::Error>()
        .and_then(sqlx::Error::as_database_error);
    let column = |columns: &[&'static str], suffix: &str| {
        let constraint = database?.constraint()?;
        columns
            .iter()
            .find(|column| constraint == format!("{}_{column}_{suffix}", R::TABLE))
            .copied()
    };
    let invalid = match database {
        Some(database) if database.is_unique_violation() => column(R::UNIQUE, "key")
            .map(|column| (column, format!("is taken by another {}", R::SINGULAR))),
        Some(database) if database.is_foreign_key_violation() => {
            column(R::REFERENCES, "fkey").map(|column| (column, NOT_VISIBLE.to_owned()))
        }
        _ => None,
    };
    match invalid {
        Some((column, message)) => {
            let mut errors = FieldErrors::new();
            errors.add(column, message);
            AppError::InvalidFields(errors)
        }
        None => AppError::Unexpected(error),
    }
}

/// A failed purge as the API answers it: a 409 when rows still refer to the row (a foreign key
/// that restricts deletes, as every reference to a shared row does), naming their table but not
/// the rows, which may be other users'. Anything else is a 500.
pub fn purge_error<R: Resource>(error: sqlx::Error) -> AppError {
    let referring = error
        .as_database_error()
        .filter(|database| database.is_foreign_key_violation())
        // PostgreSQL reports the referring table, whose foreign key refused the delete.
        .map(|database| database.table().unwrap_or("other rows").to_owned());
    match referring {
        Some(table) => AppError::Conflict(format!(
            "this {} is still referred to by {table}; purge it once none refers to it",
            R::SINGULAR
        )),
        None => error.into(),
    }
}

/// Reads a field that is present, even as `null` (`Some(None)`), as opposed to absent
/// (`None`): with `#[serde(default, deserialize_with = "crud::present")]`, a change that
/// clears an optional field.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::deserialize(deserializer).map(Some)
}

/// Reads a field that may be absent (`None`) but not `null`: with `#[serde(default,
/// deserialize_with = "crud::not_null")]`, a change to a field that is never empty.
pub fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// [`not_null`] for an RFC 3339 timestamp.
pub fn not_null_datetime<'de, D>(deserializer: D) -> Result<Option<OffsetDateTime>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    time::serde::rfc3339::deserialize(deserializer).map(Some)
}

/// [`present`] for an RFC 3339 timestamp.
pub fn present_datetime<'de, D>(deserializer: D) -> Result<Option<Option<OffsetDateTime>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    time::serde::rfc3339::option::deserialize(deserializer).map(Some)
}

/// The earliest date PostgreSQL stores, 4714-11-24 BC (year -4713 counted astronomically).
pub const EARLIEST_DATE: Date = match Date::from_calendar_date(-4713, Month::November, 24) {
    Ok(date) => date,
    Err(_) => panic!("a valid date"),
};

/// A value that a check reads if it is given: `String`, `Date` and `OffsetDateTime`, and `Option`s of them as
/// the inputs and filters hold them (an absent or `null` value is not checked).
pub trait Given<T: ?Sized> {
    fn given(&self) -> Option<&T>;
}

impl Given<str> for String {
    fn given(&self) -> Option<&str> {
        Some(self)
    }
}

impl Given<Date> for Date {
    fn given(&self) -> Option<&Date> {
        Some(self)
    }
}

impl Given<OffsetDateTime> for OffsetDateTime {
    fn given(&self) -> Option<&OffsetDateTime> {
        Some(self)
    }
}

impl<T: ?Sized, V: Given<T>> Given<T> for Option<V> {
    fn given(&self) -> Option<&T> {
        self.as_ref().and_then(Given::given)
    }
}

/// Records `field` as invalid when `date` is before the earliest date PostgreSQL stores (the
/// latest is past year 9999, the last that `time` reads, so that bound comes free).
pub fn check_date(errors: &mut FieldErrors, field: &str, date: &impl Given<Date>) {
    if date.given().is_some_and(|date| *date < EARLIEST_DATE) {
        errors.add(field, "must not be before 4714-11-24 BC");
    }
}

/// Records `field` as invalid unless `at`, in UTC, falls in years 0 to 9999: RFC 3339 reads
/// offsets that carry 9999-12-31 past the last year the database driver encodes (a panic) or
/// 0000-01-01 before the first one JSON writes back (a row no list could answer with).
pub fn check_datetime(errors: &mut FieldErrors, field: &str, at: &impl Given<OffsetDateTime>) {
    let in_range = |at: &OffsetDateTime| {
        at.checked_to_offset(UtcOffset::UTC)
            .is_some_and(|utc| (0..=9999).contains(&utc.year()))
    };
    if at.given().is_some_and(|at| !in_range(at)) {
        errors.add(
            field,
            "must be between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z",
        );
    }
}

/// Records `field` as invalid when `text` holds a NUL character, which PostgreSQL's `text`
/// cannot store.
pub fn check_text(errors: &mut FieldErrors, field: &str, text: &impl Given<str>) {
    if text.given().is_some_and(|text| text.contains('\0')) {
        errors.add(field, "must not contain a NUL character");
    }
}

/// Records `field` as invalid when `text` is longer than `max` characters or holds a NUL
/// character, which PostgreSQL's `text` cannot store; it is not trimmed.
pub fn check_bounded_text(
    errors: &mut FieldErrors,
    field: &str,
    text: &impl Given<str>,
    max: usize,
) {
    let Some(text) = text.given() else { return };
    if text.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
    } else if text.contains('\0') {
        errors.add(field, "must not contain a NUL character");
    }
}

/// Records `field` as invalid unless `text`, trimmed, is 1 to `max` characters without
/// control characters.
pub fn check_line(errors: &mut FieldErrors, field: &str, text: &impl Given<str>, max: usize) {
    let Some(text) = text.given() else { return };
    let length = text.trim().chars().count();
    if length == 0 {
        errors.add(field, "must not be empty");
    } else if length > max {
        errors.add(field, format!("must be at most {max} characters"));
    } else if text.chars().any(char::is_control) {
        errors.add(field, "must not contain control characters");
    }
}

/// The pagination query parameters: `?limit=50&offset=100`, or `?limit=50&cursor=...` with
/// the `next_cursor` of the previous page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Rows per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Rows to skip; not with `cursor`.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// The `next_cursor` of the previous page; not with `offset`.
    #[param(pattern = "^[0-9a-f]{48}$")]
    pub cursor: Option<String>,
}

impl PageParams {
    /// Its query parameters, as it documents them.
    const PARAMETERS: &'static [&'static str] = &["limit", "offset", "cursor"];
}

/// Checked pagination parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    limit: i64,
    start: Start,
    order: Option<Order>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Start {
    Offset(i64),
    After(Key),
}

impl TryFrom<PageParams> for PageRequest {
    type Error = AppError;

    fn try_from(params: PageParams) -> Result<Self, AppError> {
        let mut errors = FieldErrors::new();
        let page = Self::checked(params, &mut errors);
        errors.check()?;
        Ok(page.expect("a page without errors"))
    }
}

impl PageRequest {
    /// The page `params` ask for, or `None` with each invalid parameter in `errors`.
    fn checked(params: PageParams, errors: &mut FieldErrors) -> Option<Self> {
        let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
        let mut valid = (1..=MAX_LIMIT).contains(&limit);
        if !valid {
            errors.add("limit", format!("must be between 1 and {MAX_LIMIT}"));
        }
        let start = match (params.offset, params.cursor) {
            (Some(_), Some(_)) => {
                errors.add("cursor", "cannot be combined with offset");
                None
            }
            (offset, None) => {
                let offset = offset.unwrap_or(0);
                if offset < 0 {
                    errors.add("offset", "must not be negative");
                    valid = false;
                }
                Some(Start::Offset(offset))
            }
            (None, Some(cursor)) => {
                let key = decode_cursor(&cursor);
                if key.is_none() {
                    errors.add("cursor", "is not a cursor this API returned");
                }
                key.map(Start::After)
            }
        };
        Some(Self {
            limit,
            start: start?,
            order: None,
        })
        .filter(|_| valid)
    }
}

impl PageRequest {
    /// Runs `query` (a `SELECT ... WHERE ...` of `R`'s rows) for this page.
    pub async fn fetch<R>(
        &self,
        query: QueryBuilder<Postgres>,
        db: impl PgExecutor<'_>,
    ) -> sqlx::Result<Page<R>>
    where
        R: Keyed + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        self.fetch_ordered(query, None, db).await
    }

    /// [`Self::fetch`] in `order` first, then in key order; a page in another order than the
    /// key's has no `next_cursor`, since a cursor holds a key.
    async fn fetch_ordered<R>(
        &self,
        mut query: QueryBuilder<Postgres>,
        order: Option<Order>,
        db: impl PgExecutor<'_>,
    ) -> sqlx::Result<Page<R>>
    where
        R: Keyed + for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        if let Start::After(key) = self.start {
            query
                .push(" AND (created_at, id) > (")
                .push_bind(key.created_at)
                .push(", ")
                .push_bind(key.id)
                .push(")");
        }
        query.push(" ORDER BY ");
        if let Some(Order { column, descending }) = order {
            let direction = if descending {
                "DESC NULLS LAST"
            } else {
                "ASC NULLS FIRST"
            };
            query.push(format!("{column} {direction}, "));
        }
        // One row more than asked for says whether there is a next page.
        query
            .push("created_at, id LIMIT ")
            .push_bind(self.limit + 1);
        if let Start::Offset(offset) = self.start {
            query.push(" OFFSET ").push_bind(offset);
        }
        let mut items: Vec<R> = query.build_query_as().fetch_all(db).await?;
        let more = items.len() > usize::try_from(self.limit).unwrap_or(usize::MAX);
        items.truncate(items.len() - usize::from(more));
        let next_cursor = (more && order.is_none())
            .then(|| items.last().map(|item| encode_cursor(item.key())))
            .flatten();
        Ok(Page {
            items,
            limit: self.limit,
            offset: match self.start {
                Start::Offset(offset) => Some(offset),
                Start::After(_) => None,
            },
            next_cursor,
        })
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The rows, oldest first.
    pub items: Vec<T>,
    /// The page size asked for (or the default).
    pub limit: i64,
    /// The offset asked for; absent when the page was asked for by cursor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Pass as `?cursor=` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

/// The cursor after `key`: opaque to clients, hex of the timestamp in microseconds (what
/// Postgres stores) and of the id.
fn encode_cursor(key: Key) -> String {
    let micros = key.created_at.unix_timestamp_nanos() / 1000;
    let micros = i64::try_from(micros).expect("a Postgres timestamp fits in i64 microseconds");
    format!("{:016x}{}", micros.cast_unsigned(), key.id.simple())
}

/// The earliest `timestamptz` PostgreSQL stores, 4714-11-24 BC, in microseconds since the
/// Unix epoch. A cursor before it would fail the query with a 500 (`timestamp out of range`);
/// the latest one is past year 9999, the last that `time` reads, so that bound comes free.
const POSTGRES_MIN_MICROS: i64 = -210_866_803_200_000_000;

fn decode_cursor(cursor: &str) -> Option<Key> {
    let (micros, id) = cursor.split_at_checked(16)?;
    let micros = u64::from_str_radix(micros, 16).ok()?.cast_signed();
    if micros < POSTGRES_MIN_MICROS {
        return None;
    }
    let created_at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).ok()?;
    let id = Uuid::try_parse(id).ok().filter(|_| id.len() == 32)?;
    Some(Key { created_at, id })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn params(limit: Option<i64>, offset: Option<i64>, cursor: Option<&str>) -> PageParams {
        PageParams {
            limit,
            offset,
            cursor: cursor.map(str::to_owned),
        }
    }

    #[test]
    fn a_cursor_round_trips_to_the_same_key() {
        let key = Key {
            created_at: OffsetDateTime::from_unix_timestamp_nanos(1_735_689_600_123_456_000)
                .unwrap(),
            id: Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        };

        assert_eq!(decode_cursor(&encode_cursor(key)), Some(key));
    }

    #[test]
    fn a_made_up_cursor_is_refused() {
        for cursor in ["", "abc", "zz", &"0".repeat(47), &"g".repeat(48)] {
            assert_eq!(decode_cursor(cursor), None, "{cursor:?}");
        }
    }

    #[test]
    fn a_cursor_before_the_earliest_postgres_timestamp_is_refused() {
        // The cursor of issue 20: a year near -9000, which `time` reads but PostgreSQL cannot.
        assert_eq!(
            decode_cursor("fb32c2d54bb7000000000000000000000000000000000000"),
            None
        );
        let earliest = format!(
            "{:016x}{}",
            POSTGRES_MIN_MICROS.cast_unsigned(),
            Uuid::nil().simple()
        );
        assert!(decode_cursor(&earliest).is_some());
    }

    #[test]
    fn no_parameters_mean_the_first_page_of_the_default_size() {
        let page = PageRequest::try_from(PageParams::default()).unwrap();

        assert_eq!(page.limit, DEFAULT_LIMIT);
        assert_eq!(page.start, Start::Offset(0));
    }

    #[test]
    fn the_limit_must_be_between_1_and_the_maximum() {
        for limit in [1, MAX_LIMIT] {
            assert!(PageRequest::try_from(params(Some(limit), None, None)).is_ok());
        }
        for limit in [0, -1, MAX_LIMIT + 1] {
            assert!(PageRequest::try_from(params(Some(limit), None, None)).is_err());
        }
    }

    #[test]
    fn the_documented_limits_are_the_checked_ones() {
        let parameters = serde_json::to_value(PageParams::into_params(|| None)).unwrap();
        let limit = parameters
            .as_array()
            .unwrap()
            .iter()
            .find(|parameter| parameter["name"] == "limit")
            .unwrap();

        assert_eq!(limit["schema"]["minimum"], Value::from(1));
        assert_eq!(limit["schema"]["maximum"], Value::from(MAX_LIMIT));
    }

    #[test]
    fn the_checked_page_parameters_are_the_documented_ones() {
        let documented: Vec<String> = PageParams::into_params(|| None)
            .into_iter()
            .map(|parameter| parameter.name)
            .collect();

        assert_eq!(documented, PageParams::PARAMETERS);
    }

    #[test]
    fn an_offset_and_a_cursor_together_are_refused() {
        let cursor = encode_cursor(Key {
            created_at: OffsetDateTime::UNIX_EPOCH,
            id: Uuid::nil(),
        });

        assert!(PageRequest::try_from(params(None, Some(0), Some(&cursor))).is_err());
        assert!(PageRequest::try_from(params(None, None, Some(&cursor))).is_ok());
    }
}
