//! `/api/v1/uploads`: presigned upload URLs, confirmation, listing, download URLs, deletion.
//!
//! Files never pass through the server. A client asks for an upload URL, sends the file to
//! the bucket with it, then confirms; the server checks the object and marks the upload
//! completed. Another user's upload answers 404, as if it did not exist.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::client::PresignedRequest;
use super::uploads::{self, NewUpload, Upload};
use crate::auth::{self, CurrentUser};
use crate::crud::{Page, PageParams, PageRequest};
use crate::error::{AppError, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Longest filename accepted, in characters.
const MAX_FILENAME_CHARS: usize = 255;
/// Longest filename kept in an object key, in bytes (keys may have 1024).
const MAX_KEY_FILENAME_BYTES: usize = 100;

/// Routes for any signed-in user.
pub fn app_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show, delete))
        .routes(routes!(complete))
        .routes(routes!(download))
}

/// The body of `POST /uploads`: the file the client is about to send.
#[derive(Deserialize, ToSchema)]
struct CreateUpload {
    /// The file's name, 1 to 255 characters, without control characters.
    #[schema(
        example = "report.pdf",
        pattern = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f]",
        max_length = 255
    )]
    filename: String,
    /// One of `UPLOAD_ALLOWED_CONTENT_TYPES`.
    #[schema(example = "application/pdf")]
    content_type: String,
    /// The exact size, at most `UPLOAD_MAX_BYTES`; the bucket refuses any other.
    #[schema(minimum = 1)]
    size_bytes: u64,
}

/// A new upload and the request that sends its file to the bucket.
#[derive(Serialize, ToSchema)]
struct CreatedUpload {
    id: Uuid,
    #[serde(flatten)]
    request: PresignedRequest,
}

/// Hands out a presigned `PUT` for a file of an allowed type and size.
#[utoipa::path(
    post,
    path = "/uploads",
    operation_id = "create_upload",
    tag = "uploads",
    request_body = CreateUpload,
    responses((status = 201, description = "The upload and its presigned request", body = CreatedUpload))
)]
async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(body): Json<CreateUpload>,
) -> Result<(StatusCode, Json<CreatedUpload>), AppError> {
    let settings = &state.config.uploads;
    let filename = body.filename.trim();
    if filename.is_empty() || filename.chars().count() > MAX_FILENAME_CHARS {
        return Err(AppError::Validation(format!(
            "filename must have 1 to {MAX_FILENAME_CHARS} characters"
        )));
    }
    if filename.chars().any(char::is_control) {
        return Err(AppError::Validation(
            "filename must not contain control characters".into(),
        ));
    }
    let Some(content_type) = settings
        .allowed_content_types
        .find(body.content_type.trim())
    else {
        return Err(AppError::Validation(format!(
            "content_type must be one of {}",
            settings.allowed_content_types.as_slice().join(", ")
        )));
    };
    if !(1..=settings.max_bytes).contains(&body.size_bytes) {
        return Err(AppError::Validation(format!(
            "size_bytes must be between 1 and {}",
            settings.max_bytes
        )));
    }
    let size_bytes = i64::try_from(body.size_bytes)
        .map_err(|_| AppError::Validation("size_bytes is too large".into()))?;

    let id = Uuid::new_v4();
    let db = &state.db;
    let upload = auth::write_as(&state, &user, |owner_id| async move {
        let object_key = format!("users/{owner_id}/{id}/{}", sanitise(filename));
        let upload = NewUpload {
            id,
            owner_id,
            object_key: &object_key,
            filename,
            content_type,
            size_bytes,
        };
        uploads::insert(db, &upload).await
    })
    .await?;
    let request = state.storage.presign_upload(
        &upload.object_key,
        content_type,
        body.size_bytes,
        settings.url_expiry,
        OffsetDateTime::now_utc(),
    );
    Ok((StatusCode::CREATED, Json(CreatedUpload { id, request })))
}

/// Confirms an upload once its object is in the bucket with the announced size and type.
///
/// An object that does not match is deleted, so that nothing unchecked stays in the bucket.
#[utoipa::path(
    post,
    path = "/uploads/{id}/complete",
    operation_id = "complete_upload",
    tag = "uploads",
    params(("id" = Uuid, Path, description = "The upload's id")),
    responses(
        (status = 200, description = "The completed upload", body = Upload),
        (status = 404, description = "No such upload of the caller's", body = ErrorEnvelope),
        (status = 409, description = "The file is not in the bucket yet", body = ErrorEnvelope),
    )
)]
async fn complete(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Upload>, AppError> {
    let upload = owned(&state, &user, id).await?;
    if upload.completed_at.is_some() {
        return Ok(Json(upload));
    }
    let Some(object) = state.storage.head(&upload.object_key).await? else {
        return Err(AppError::Conflict(
            "the file has not been uploaded yet".into(),
        ));
    };
    let size_matches = i64::try_from(object.size).is_ok_and(|size| size == upload.size_bytes);
    let type_matches = object
        .content_type
        .as_deref()
        .is_some_and(|stored| stored.eq_ignore_ascii_case(&upload.content_type));
    if !size_matches || !type_matches {
        state.storage.delete(&upload.object_key).await?;
        return Err(AppError::Validation(format!(
            "the uploaded file does not match the upload: expected {} bytes of {}",
            upload.size_bytes, upload.content_type
        )));
    }
    uploads::complete(&state.db, user.id, id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("upload"))
}

/// The caller's completed uploads, oldest first, a page at a time (`?limit=50&offset=0` or
/// `?cursor=...`).
#[utoipa::path(
    get,
    path = "/uploads",
    operation_id = "list_uploads",
    tag = "uploads",
    params(PageParams),
    responses((status = 200, description = "A page of completed uploads", body = Page<Upload>))
)]
async fn list(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(page): Query<PageParams>,
) -> Result<Json<Page<Upload>>, AppError> {
    let page = PageRequest::try_from(page)?;
    Ok(Json(
        uploads::list_completed(&state.db, user.id, &page).await?,
    ))
}

/// One of the caller's uploads, pending or completed.
#[utoipa::path(
    get,
    path = "/uploads/{id}",
    operation_id = "get_upload",
    tag = "uploads",
    params(("id" = Uuid, Path, description = "The upload's id")),
    responses(
        (status = 200, description = "The upload", body = Upload),
        (status = 404, description = "No such upload of the caller's", body = ErrorEnvelope),
    )
)]
async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Upload>, AppError> {
    Ok(Json(owned(&state, &user, id).await?))
}

/// A presigned `GET` of a completed upload's file.
#[utoipa::path(
    get,
    path = "/uploads/{id}/download",
    operation_id = "download_upload",
    tag = "uploads",
    params(("id" = Uuid, Path, description = "The upload's id")),
    responses(
        (status = 200, description = "The presigned download request", body = PresignedRequest),
        (status = 404, description = "No such upload of the caller's", body = ErrorEnvelope),
        (status = 409, description = "The upload is not completed", body = ErrorEnvelope),
    )
)]
async fn download(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<PresignedRequest>, AppError> {
    let upload = owned(&state, &user, id).await?;
    if upload.completed_at.is_none() {
        return Err(AppError::Conflict(
            "the file has not been uploaded yet".into(),
        ));
    }
    Ok(Json(state.storage.presign_download(
        &upload.object_key,
        state.config.uploads.url_expiry,
        OffsetDateTime::now_utc(),
    )))
}

/// Deletes the file, then its row: if the bucket fails, the upload is still listed and the
/// client can retry.
#[utoipa::path(
    delete,
    path = "/uploads/{id}",
    operation_id = "delete_upload",
    tag = "uploads",
    params(("id" = Uuid, Path, description = "The upload's id")),
    responses(
        (status = 204, description = "The file and its upload are gone"),
        (status = 404, description = "No such upload of the caller's", body = ErrorEnvelope),
    )
)]
async fn delete(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    let upload = owned(&state, &user, id).await?;
    state.storage.delete(&upload.object_key).await?;
    uploads::delete(&state.db, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The upload `id` if the caller owns it; 404 otherwise, whoever owns it.
async fn owned(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Upload, AppError> {
    uploads::find(&state.db, user.id, id)
        .await?
        .ok_or(AppError::NotFound("upload"))
}

/// The last component of `filename`, reduced to characters that are safe in an object key
/// and a URL (ASCII letters, digits, `.`, `-`, `_`), without leading dots.
fn sanitise(filename: &str) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or_default();
    let safe: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    // Only ASCII is left, so any byte index is a character boundary.
    let safe = &safe[..safe.len().min(MAX_KEY_FILENAME_BYTES)];
    if safe.is_empty() {
        "file".to_owned()
    } else {
        safe.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use utoipa::PartialSchema;

    use super::{CreateUpload, MAX_FILENAME_CHARS, MAX_KEY_FILENAME_BYTES, sanitise};

    #[test]
    fn the_documented_filename_length_is_the_checked_one() {
        let schema = serde_json::to_value(CreateUpload::schema()).unwrap();

        assert_eq!(
            schema["properties"]["filename"]["maxLength"],
            Value::from(MAX_FILENAME_CHARS)
        );
    }

    #[test]
    fn filenames_are_reduced_to_safe_key_segments() {
        let cases = [
            ("cat.png", "cat.png"),
            ("my holiday (1).JPG", "my_holiday__1_.JPG"),
            ("../../etc/passwd", "passwd"),
            ("C:\\Users\\ada\\report.pdf", "report.pdf"),
            (".env", "env"),
            ("résumé.pdf", "r_sum_.pdf"),
            ("..", "file"),
            ("dir/", "file"),
        ];
        for (filename, expected) in cases {
            assert_eq!(sanitise(filename), expected, "{filename}");
        }
    }

    #[test]
    fn long_filenames_are_cut_to_the_longest_key_segment() {
        assert_eq!(
            sanitise(&"a".repeat(3 * MAX_KEY_FILENAME_BYTES)).len(),
            MAX_KEY_FILENAME_BYTES
        );
    }
}
