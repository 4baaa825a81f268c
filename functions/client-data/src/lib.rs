//! client-data: answers ElevenLabs' conversation-initiation webhook while an
//! inbound call rings, with the caller's memory as dynamic variables and,
//! for a returning caller, a personalised first message.
//!
//! A wrong or late answer fails the call, so every valid request gets a
//! well-formed `200`: the memory lookup runs under a hard deadline and any
//! store problem degrades to the new-caller answer.

use std::time::Duration;

use lambda_http::{Body, Request, Response};
use shared::config::{ClientDataConfig, Env};
use shared::edge::{self, Auth, Edge, Failure, Reply};
use shared::memory::profile::{self, CallerProfile};
use shared::memory::{DynMemoryStore, Who};
use shared::models::{ClientDataRequest, ClientDataResponse, DynamicVariables};
use shared::{untrusted, Error};

/// The function's name, in routes and logs.
pub const NAME: &str = "client-data";

/// Largest accepted body: the real one is a few hundred bytes.
const MAX_BODY: usize = 64 * 1024;

/// Bound on `last_call_summary`: ElevenLabs' summaries can run to a page, and
/// the variable lands in the agent's prompt on every turn.
pub const LAST_CALL_SUMMARY_MAX_CHARS: usize = 600;
/// Bound on `user_profile_summary`, for the same reason.
pub const PROFILE_SUMMARY_MAX_CHARS: usize = 600;

/// Everything built once per cold start.
pub struct App {
    pub config: ClientDataConfig,
    pub store: DynMemoryStore,
}

impl App {
    /// Reads the configuration and connects the memory store.
    pub async fn from_env(env: &Env) -> Result<Self, Error> {
        let config = ClientDataConfig::from_env(env)?;
        let store = shared::backends::memory_store(&config.common.memory).await?;
        Ok(Self { config, store })
    }
}

/// The handler: the edge's pipeline around [`answer`].
pub async fn handle(app: &App, req: Request) -> Response<Body> {
    let edge = Edge {
        name: NAME,
        max_body: MAX_BODY,
        auth: Auth::Secret(app.config.secret.as_ref()),
    };
    edge::serve(&edge, &req, |body, _| answer(app, body)).await
}

/// The caller's memory as the initiation answer. Never fails: a store
/// problem or a missed deadline is the new-caller answer.
pub async fn answer(
    app: &App,
    body: ClientDataRequest,
) -> Result<Reply<ClientDataResponse>, Failure> {
    let caller_id = body.caller_id.as_deref().unwrap_or("");
    let (id, user) =
        match app
            .config
            .common
            .identity
            .of_live_call(caller_id, None, body.agent_id.as_deref())
        {
            Who::Caller { id, user } => (id, user),
            Who::Nobody(why) => {
                return Ok(Reply::new(new_caller(&app.config), why.label()).caller(why.masked()))
            }
        };
    let lookup = tokio::time::timeout(
        app.config.deadline,
        profile::load(app.store.as_ref(), &user),
    );
    let (mut answer, outcome) = match lookup.await {
        Ok(Ok(Some(profile))) => (returning_caller(&app.config, &profile), "returning_caller"),
        Ok(Ok(None)) => (new_caller(&app.config), "new_caller"),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "memory lookup failed; greeting as a new caller");
            (new_caller(&app.config), "memory_error")
        }
        Err(_) => {
            tracing::warn!(
                deadline_ms = millis(app.config.deadline),
                "memory lookup missed its deadline; greeting as a new caller"
            );
            (new_caller(&app.config), "memory_timeout")
        }
    };
    // ElevenLabs groups the caller's conversations under this id.
    answer.user_id = app.config.user_id.of(&id);
    Ok(Reply::new(answer, outcome).caller(Some(id.masked())))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Every variable, with the configured defaults, and no override.
pub fn new_caller(config: &ClientDataConfig) -> ClientDataResponse {
    ClientDataResponse::new(
        DynamicVariables {
            user_name: config.default_user_name.clone(),
            user_profile_summary: config.default_profile_summary.clone(),
            last_call_summary: config.default_last_call_summary.clone(),
            caller_language: String::new(),
        },
        None,
    )
}

/// The caller's memory as variables, and the first message from the template.
pub fn returning_caller(config: &ClientDataConfig, profile: &CallerProfile) -> ClientDataResponse {
    // Caller-derived values are data: names must look like names, and no
    // value carries braces, control characters or unbounded length.
    let safe = |v: Option<&str>, max: usize| {
        v.map(|s| untrusted::prompt_text(s, max))
            .filter(|s| !s.is_empty())
    };
    let vars = DynamicVariables {
        user_name: profile
            .user_name
            .as_deref()
            .and_then(untrusted::person_name)
            .unwrap_or_else(|| config.default_user_name.clone()),
        user_profile_summary: safe(Some(&profile.profile_summary), PROFILE_SUMMARY_MAX_CHARS)
            .unwrap_or_else(|| config.default_profile_summary.clone()),
        last_call_summary: safe(
            profile.last_call_summary.as_deref(),
            LAST_CALL_SUMMARY_MAX_CHARS,
        )
        .unwrap_or_else(|| config.default_last_call_summary.clone()),
        caller_language: profile.language.clone().unwrap_or_default(),
    };
    // In the caller's language, when asked to and the agent allows it.
    let language = profile
        .language
        .as_deref()
        .filter(|_| config.greet_in_caller_language);
    let localized = language.and_then(|l| {
        let (named, unnamed) = config.first_message_templates.get(l)?;
        Some(if vars.user_name.is_empty() {
            unnamed
        } else {
            named
        })
    });
    let template = localized.unwrap_or(if vars.user_name.is_empty() {
        &config.first_message_template_no_name
    } else {
        &config.first_message_template
    });
    let first_message = render(template, &vars, profile);
    let mut answer = ClientDataResponse::new(
        vars,
        (!first_message.trim().is_empty()).then_some(first_message),
    );
    if let Some(language) = language {
        let agent = answer
            .conversation_config_override
            .get_or_insert_with(Default::default)
            .agent
            .get_or_insert_with(Default::default);
        agent.language = Some(language.to_owned());
    }
    answer
}

/// Fills `{user_name}`, `{last_call_summary}`, `{last_call_date}` and
/// `{previous_calls}` in a single pass (a value containing `{…}` is not
/// expanded again).
pub fn render(template: &str, vars: &DynamicVariables, profile: &CallerProfile) -> String {
    let date = profile
        .last_call_time
        .map(shared::dates::date_of)
        .unwrap_or_default();
    let calls = profile.previous_calls.to_string();
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        match &after[1..end] {
            "user_name" => out.push_str(&vars.user_name),
            "last_call_summary" => out.push_str(&vars.last_call_summary),
            "last_call_date" => out.push_str(&date),
            "previous_calls" => out.push_str(&calls),
            _ => out.push_str(&after[..=end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ClientDataConfig {
        ClientDataConfig::from_env(&Env::default()).unwrap()
    }

    fn profile(name: Option<&str>, summary: &str) -> CallerProfile {
        CallerProfile {
            user_name: name.map(str::to_owned),
            profile_summary: "name: Ann".into(),
            last_call_summary: Some(summary.to_owned()),
            previous_calls: 3,
            last_call_time: Some(1_739_537_297),
            ..CallerProfile::default()
        }
    }

    /// The answer against ElevenLabs' own model of it, as the Python SDK
    /// defines it (`ConversationInitiationClientDataRequestInput`,
    /// `AgentConfigOverrideInput` in `src/elevenlabs/types/`): no key it
    /// does not know, every value of the type it expects.
    fn assert_matches_sdk_model(answer: &serde_json::Value) {
        let top = answer.as_object().unwrap();
        for (key, value) in top {
            match key.as_str() {
                "type" => assert_eq!(value, "conversation_initiation_client_data"),
                "user_id" => assert!(value.is_string(), "user_id: {value}"),
                "dynamic_variables" => {
                    for (name, v) in value.as_object().unwrap() {
                        assert!(
                            v.is_string() || v.is_number() || v.is_boolean() || v.is_null(),
                            "{name}: {v}"
                        );
                    }
                }
                "conversation_config_override" => {
                    for (part, v) in value.as_object().unwrap() {
                        assert!(
                            ["agent", "tts", "conversation"].contains(&part.as_str()),
                            "{part}"
                        );
                        if part == "agent" {
                            for (field, f) in v.as_object().unwrap() {
                                assert!(
                                    ["first_message", "language"].contains(&field.as_str()),
                                    "{field}"
                                );
                                assert!(f.is_string(), "{field}: {f}");
                            }
                        }
                    }
                }
                other => panic!("the SDK's model has no {other:?}"),
            }
        }
    }

    #[test]
    fn every_answer_matches_the_sdks_model() {
        let mut c = config();
        c.greet_in_caller_language = true;
        let mut p = profile(Some("Ann"), "Booked a cleaning.");
        p.language = Some("es".into());
        let mut returning = returning_caller(&c, &p);
        returning.user_id = Some("+15550001111".into());
        for answer in [new_caller(&c), returning] {
            assert_matches_sdk_model(&serde_json::to_value(answer).unwrap());
        }
    }

    #[test]
    fn a_new_caller_gets_every_variable_and_no_override() {
        let answer = serde_json::to_value(new_caller(&config())).unwrap();
        assert_eq!(answer["type"], "conversation_initiation_client_data");
        assert_eq!(answer["dynamic_variables"].as_object().unwrap().len(), 4);
        assert!(answer.get("conversation_config_override").is_none());
    }

    #[test]
    fn a_returning_caller_is_greeted_by_name_or_without_one() {
        let named = returning_caller(&config(), &profile(Some("Ann"), "Booked a cleaning."));
        assert_eq!(
            named
                .conversation_config_override
                .unwrap()
                .agent
                .unwrap()
                .first_message
                .as_deref(),
            Some("Welcome back, Ann! How can I help you today?")
        );
        let nameless = returning_caller(&config(), &profile(None, "Booked a cleaning."));
        assert_eq!(nameless.dynamic_variables.user_name, "");
        assert_eq!(
            nameless
                .conversation_config_override
                .unwrap()
                .agent
                .unwrap()
                .first_message
                .as_deref(),
            Some("Welcome back! How can I help you today?")
        );
    }

    #[test]
    fn an_empty_template_sends_no_override() {
        let mut c = config();
        c.first_message_template = String::new();
        assert!(returning_caller(&c, &profile(Some("Ann"), "x"))
            .conversation_config_override
            .is_none());
    }

    #[test]
    fn the_last_call_summary_is_bounded() {
        let long = "word ".repeat(1_000);
        let answer = returning_caller(&config(), &profile(Some("Ann"), &long));
        assert!(
            answer.dynamic_variables.last_call_summary.chars().count()
                <= LAST_CALL_SUMMARY_MAX_CHARS
        );
        assert!(!answer.dynamic_variables.last_call_summary.is_empty());
    }

    #[test]
    fn templates_fill_known_placeholders_once() {
        let vars = DynamicVariables {
            user_name: "{user_name}".into(),
            user_profile_summary: String::new(),
            last_call_summary: "S".into(),
            caller_language: String::new(),
        };
        let p = profile(Some("x"), "S");
        assert_eq!(
            render("Hi {user_name}, {previous_calls} calls, last {last_call_date}: {last_call_summary} {unknown} {", &vars, &p),
            "Hi {user_name}, 3 calls, last 2025-02-14: S {unknown} {"
        );
    }
}
