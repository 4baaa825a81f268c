//! A profile from a listing without a current snapshot: newer calls' facts folded in.

#[allow(unused_imports)]
use super::*;

/// Adds to `base` what memories of calls newer than its last call say:
/// their facts, their summary and their count. With an empty `base`, that
/// is every memory.
pub(super) fn fold_newer_memories(mut base: Snapshot, memories: &[Memory]) -> Snapshot {
    struct Call<'a> {
        time: Option<i64>,
        summary_parts: Vec<(u64, &'a str)>,
    }
    let mut calls: BTreeMap<&str, Call> = BTreeMap::new();
    for memory in memories {
        if memory.kind == MemoryKind::Snapshot {
            continue;
        }
        let conversation = memory.conversation_id.as_deref().unwrap_or("");
        if !is_newer(
            memory.call_time,
            conversation,
            base.last_call_time,
            base.last_conversation_id.as_deref(),
        ) {
            continue;
        }
        let call = calls.entry(conversation).or_insert(Call {
            time: memory.call_time,
            summary_parts: Vec::new(),
        });
        call.time = call.time.max(memory.call_time);
        match memory.kind {
            MemoryKind::Fact => {
                if let Some((field, value)) = fact_of(memory) {
                    base.merge_fact(field, value, memory.call_time, conversation);
                }
            }
            MemoryKind::Summary => call
                .summary_parts
                .push((part_of(memory), memory.content.as_str())),
            MemoryKind::Utterance | MemoryKind::Snapshot => {}
        }
    }
    // Oldest call first, so each one moves the last call forward.
    let mut ordered: Vec<(&str, Call)> = calls.into_iter().collect();
    ordered.sort_by_key(|(conversation, call)| (call.time, *conversation));
    for (conversation, mut call) in ordered {
        call.summary_parts.sort_by_key(|(part, _)| *part);
        let joined = call
            .summary_parts
            .iter()
            .map(|(_, text)| *text)
            .collect::<Vec<_>>()
            .join(" ");
        let summary = Some(strip_date_prefix(&joined).to_owned()).filter(|s| !s.is_empty());
        base.record_call(conversation, call.time, summary);
    }
    base
}

/// A fact memory's field and value: the raw value ingestion keeps in
/// metadata, or else the text after `field: `.
pub(super) fn fact_of(memory: &Memory) -> Option<(&str, Value)> {
    let field = memory.field.as_deref()?;
    if let Some(value) = memory.metadata.get("value").filter(|v| !v.is_null()) {
        return Some((field, value.clone()));
    }
    let text = memory
        .content
        .strip_prefix(field)?
        .strip_prefix(':')?
        .trim();
    let text = text.strip_suffix('.').unwrap_or(text);
    (!text.is_empty()).then(|| (field, Value::String(text.to_owned())))
}
