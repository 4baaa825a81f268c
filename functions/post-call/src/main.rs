//! The post-call Lambda: builds its clients once per cold start, then serves.

use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let env = shared::config::Env::load();
    let app = post_call::App::from_env(&env)
        .await
        .inspect_err(|e| tracing::error!(error = %e, "post-call cannot start"))?;
    shared::edge::run(Arc::new(app), |app, req| async move {
        post_call::handle(&app, req).await
    })
    .await
}
