//! `GET /health` answered by axum with no middleware: the ceiling the generated app is
//! compared to. The handler is the generated one, byte for byte in its response.

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .map_or(Ok(18081), |port| port.parse())
        .expect("PORT is a port number");
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let app = Router::new().route("/health", get(liveness));
    axum::serve(listener, app).await
}

async fn liveness() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
