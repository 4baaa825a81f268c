//! The search-data Lambda: builds its clients once per cold start, then serves.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let env = shared::config::Env::load();
    let app = search_data::App::from_env(&env)
        .await
        .inspect_err(|e| tracing::error!(error = %e, "search-data cannot start"))?;
    shared::edge::run(Arc::new(app), |app, req| async move {
        search_data::handle(&app, req).await
    })
    .await
}
