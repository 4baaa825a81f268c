//! The client-data Lambda: builds its clients once per cold start, then serves.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let env = shared::config::Env::load();
    let app = client_data::App::from_env(&env)
        .await
        .inspect_err(|e| tracing::error!(error = %e, "client-data cannot start"))?;
    shared::edge::run(Arc::new(app), |app, req| async move {
        client_data::handle(&app, req).await
    })
    .await
}
