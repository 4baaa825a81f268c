//! Logging: JSON lines inside Lambda, readable lines locally.
//!
//! What goes into logs is decided at the call sites: phone numbers only
//! masked, never transcripts, audio or secrets (a test captures the logs of
//! a whole journey and checks).

use std::io::Write;
use std::sync::OnceLock;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

type Sink = Box<dyn Fn(&[u8]) + Send + Sync>;

/// In JSON mode, where whole lines go: the subscriber's own writer. Lines
/// that must be JSON objects at the top level (EMF's `_aws` block, which
/// `tracing` fields cannot carry) are written here directly.
static JSON_SINK: OnceLock<Sink> = OnceLock::new();

/// Writes `line` as one JSON line when logging is JSON (inside Lambda);
/// answers whether it did.
pub fn write_json_line(line: &serde_json::Value) -> bool {
    let Some(sink) = JSON_SINK.get() else {
        return false;
    };
    let mut bytes = line.to_string().into_bytes();
    bytes.push(b'\n');
    sink(&bytes);
    true
}

/// Installs the global subscriber once, writing to stdout; later calls do nothing.
pub fn init() {
    let in_lambda = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
        && std::env::var_os("LAMBDA_TASK_ROOT").is_some();
    init_with(std::io::stdout, in_lambda);
}

/// Installs the global subscriber writing to `writer`, as JSON lines or
/// compact text; does nothing if one is installed already.
pub fn init_with<W>(writer: W, json: bool)
where
    W: for<'w> MakeWriter<'w> + Clone + Send + Sync + 'static,
{
    if json {
        let raw = writer.clone();
        let _ = JSON_SINK.set(Box::new(move |line: &[u8]| {
            // One write per line, so lines from concurrent requests never interleave.
            let _ = raw.make_writer().write_all(line);
        }));
    }
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| {
        EnvFilter::new("info,aws_config=warn,aws_smithy_runtime=warn,hyper=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer);
    let _ = if json {
        // CloudWatch adds its own timestamp; the request id comes from the runtime's span.
        builder.json().flatten_event(true).without_time().try_init()
    } else {
        builder.compact().try_init()
    };
}
