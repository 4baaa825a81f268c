//! The ingestion Lambda: builds the ingestor once per cold start, then
//! handles the bucket's object-created events and the scheduled sweep.

use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let env = shared::config::Env::load();
    let app = post_call::App::from_env(&env)
        .await
        .inspect_err(|e| tracing::error!(error = %e, "post-call-ingest cannot start"))?;
    let ingestor = &app.ingestor;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        post_call::ingest::handle(ingestor, &event.payload)
            .await
            .map_err(lambda_runtime::Error::from)
    }))
    .await
}
