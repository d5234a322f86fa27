//! `/api/v1/reports`: a signed-in user asks for a report of their projects, follows its
//! status, and downloads it once the worker has written it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::delivery;
use super::model::{self, Report, ReportStatus};
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorEnvelope};
use crate::extract::Json;
use crate::jobs::GenerateProjectsReport;
use crate::state::AppState;

/// Routes for any signed-in user, on their own reports.
pub fn app_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
        .merge(delivery::routes())
}

/// Queues a report of the caller's live projects: 202 with the report, still queued.
#[utoipa::path(
    post,
    path = "/reports",
    operation_id = "create_report",
    tag = "reports",
    responses((status = 202, description = "The report, queued", body = Report))
)]
async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<(StatusCode, Json<Report>), AppError> {
    let report = model::insert(&state.db, user.id).await?;
    let job = GenerateProjectsReport {
        report_id: report.id,
    };
    if let Err(error) = state.jobs.enqueue(&job).await {
        // No worker will ever take it, so it must not stay queued.
        model::fail(&state.db, report.id, &format!("{error:#}")).await?;
        return Err(error.into());
    }
    Ok((StatusCode::ACCEPTED, Json(report)))
}

/// One of the caller's reports, to follow its status.
#[utoipa::path(
    get,
    path = "/reports/{id}",
    operation_id = "get_report",
    tag = "reports",
    params(("id" = Uuid, Path, description = "The report's id")),
    responses(
        (status = 200, description = "The report", body = Report),
        (status = 404, description = "No such report of the caller's", body = ErrorEnvelope),
    )
)]
async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Report>, AppError> {
    model::find(&state.db, user.id, id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("report"))
}

/// What the download of a done report needs, from what its lookup found: 404 without a
/// report (another user's included), 409 while it is not done.
pub(super) fn downloadable(
    found: Option<(ReportStatus, Option<String>)>,
) -> Result<String, AppError> {
    match found {
        None => Err(AppError::NotFound("report")),
        Some((_, Some(value))) => Ok(value),
        Some((ReportStatus::Failed, None)) => Err(AppError::Conflict(
            "the report failed; ask for a new one".to_owned(),
        )),
        Some((_, None)) => Err(AppError::Conflict("the report is not done yet".to_owned())),
    }
}
