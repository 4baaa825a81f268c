//! The AWS events that drive ingestion, read into work: which stored
//! transcriptions to ingest, or a sweep of everything still pending.
//!
//! Pure: no I/O, so every shape is unit-tested. Accepted shapes:
//! - an S3 event notification (`Records[].s3.object.key`, URL-encoded);
//! - an EventBridge "Object Created" event from S3 (`detail.object.key`),
//!   as `template.yaml` routes them;
//! - an EventBridge schedule ("Scheduled Event"): sweep the pending list.
//!
//! Keys other than a transcription's are skipped: the bucket holds audio,
//! markers and claims too, and a notification for one of them is not work.

use serde_json::Value;

use crate::storage::{keys, ConversationId};

/// What one event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    /// Ingest these conversations (a notification may carry several).
    Conversations(Vec<ConversationId>),
    /// Ingest every pending conversation.
    Sweep,
}

/// An event that is none of the accepted shapes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an S3 notification, an S3 EventBridge event or a schedule: {0}")]
pub struct UnknownEvent(&'static str);

/// Reads an event.
pub fn read(event: &Value) -> Result<Work, UnknownEvent> {
    if let Some(records) = event.get("Records").and_then(Value::as_array) {
        let mut convs = Vec::new();
        for record in records {
            if record.get("eventSource").and_then(Value::as_str) != Some("aws:s3") {
                return Err(UnknownEvent("a record is not from S3"));
            }
            let key = record
                .pointer("/s3/object/key")
                .and_then(Value::as_str)
                .ok_or(UnknownEvent("an S3 record has no object key"))?;
            // S3 notifications form-encode keys: `+` is a space.
            let key = key.replace('+', " ");
            let key = percent_encoding::percent_decode_str(&key).decode_utf8_lossy();
            push_transcription(&mut convs, &key);
        }
        return Ok(Work::Conversations(convs));
    }
    let source = event.get("source").and_then(Value::as_str);
    let detail_type = event.get("detail-type").and_then(Value::as_str);
    match (source, detail_type) {
        (Some("aws.s3"), Some("Object Created")) => {
            let key = event
                .pointer("/detail/object/key")
                .and_then(Value::as_str)
                .ok_or(UnknownEvent("an S3 EventBridge event has no object key"))?;
            let mut convs = Vec::new();
            push_transcription(&mut convs, key);
            Ok(Work::Conversations(convs))
        }
        (Some("aws.events" | "aws.scheduler"), Some("Scheduled Event")) => Ok(Work::Sweep),
        _ => Err(UnknownEvent("unrecognised source and detail-type")),
    }
}

/// Adds the conversation of `key` when it is a transcription's key.
fn push_transcription(convs: &mut Vec<ConversationId>, key: &str) {
    let Some(conv) = keys::conversation_of(key) else {
        return;
    };
    if key == keys::transcription(&conv) && !convs.contains(&conv) {
        convs.push(conv);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn conv(id: &str) -> ConversationId {
        ConversationId::parse(id).unwrap()
    }

    #[test]
    fn an_s3_notification_names_its_transcriptions_only() {
        let event = json!({"Records": [
            {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
             "s3": {"bucket": {"name": "b"}, "object": {"key": "conv_1/conv_1_transcription.json", "size": 10}}},
            {"eventSource": "aws:s3", "s3": {"object": {"key": "conv_1/conv_1_audio.mp3"}}},
            {"eventSource": "aws:s3", "s3": {"object": {"key": "conv_2/claims/0000000001.json"}}},
            {"eventSource": "aws:s3", "s3": {"object": {"key": "conv%5F3/conv_3_transcription.json"}}},
            {"eventSource": "aws:s3", "s3": {"object": {"key": "conv_1/conv_1_transcription.json"}}},
        ]});
        assert_eq!(
            read(&event),
            Ok(Work::Conversations(vec![conv("conv_1"), conv("conv_3")]))
        );
    }

    #[test]
    fn a_key_naming_another_conversations_file_is_not_work() {
        // Only `<c>/<c>_transcription.json`: a crafted key cannot make one
        // conversation's event ingest another.
        let event = json!({"Records": [
            {"eventSource": "aws:s3", "s3": {"object": {"key": "conv_a/conv_b_transcription.json"}}},
            {"eventSource": "aws:s3", "s3": {"object": {"key": "pending.calls/conv_a"}}},
        ]});
        assert_eq!(read(&event), Ok(Work::Conversations(vec![])));
    }

    #[test]
    fn eventbridge_object_created_and_schedules_are_read() {
        let created = json!({
            "version": "0", "source": "aws.s3", "detail-type": "Object Created",
            "detail": {"bucket": {"name": "b"}, "object": {"key": "c9/c9_transcription.json", "size": 5}, "reason": "PutObject"}
        });
        assert_eq!(read(&created), Ok(Work::Conversations(vec![conv("c9")])));
        let schedule = json!({"version": "0", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}});
        assert_eq!(read(&schedule), Ok(Work::Sweep));
    }

    #[test]
    fn anything_else_is_an_error_not_silence() {
        for event in [
            json!({}),
            json!({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]}),
            json!({"Records": [{"eventSource": "aws:s3", "s3": {}}]}),
            json!({"source": "aws.s3", "detail-type": "Object Deleted", "detail": {}}),
            json!({"source": "aws.s3", "detail-type": "Object Created", "detail": {}}),
            json!("sweep"),
        ] {
            assert!(read(&event).is_err(), "{event}");
        }
    }
}
