//! Logging: JSON lines inside Lambda, readable lines locally.
//!
//! What goes into logs is decided at the call sites: phone numbers only
//! masked, never transcripts, audio or secrets.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls do nothing.
pub fn init() {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| {
        EnvFilter::new("info,aws_config=warn,aws_smithy_runtime=warn,hyper=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
        && std::env::var_os("LAMBDA_TASK_ROOT").is_some();
    let result = if in_lambda {
        // CloudWatch adds its own timestamp; Lambda's request id comes from the runtime span.
        builder.json().flatten_event(true).without_time().try_init()
    } else {
        builder.compact().try_init()
    };
    let _ = result;
}
