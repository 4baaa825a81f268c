//! client-data: answers ElevenLabs' conversation-initiation webhook while an
//! inbound call rings, with the caller's memory as dynamic variables and,
//! for a returning caller, a personalised first message.
//!
//! A wrong or late answer fails the call, so every valid request gets a
//! well-formed `200`: the memory lookup runs under a hard deadline and any
//! store problem degrades to the new-caller answer.

use std::time::Duration;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use shared::caller::Caller;
use shared::config::{ClientDataConfig, Env};
use shared::http::{self as edge, RequestLog, Route};
use shared::memory::profile::{self, CallerProfile};
use shared::memory::{DynMemoryStore, MemoryUser};
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

/// How a request ended, for the request's log line.
struct Outcome {
    status: StatusCode,
    label: &'static str,
    caller: Option<String>,
}

/// The handler: one request in, one response out, one log line.
pub async fn handle(app: &App, req: Request) -> Response<Body> {
    let log = RequestLog::start(NAME);
    let (response, outcome) = match edge::route(&req, NAME) {
        Ok(Route::Health) => (
            edge::health(NAME),
            Outcome {
                status: StatusCode::OK,
                label: "health",
                caller: None,
            },
        ),
        Ok(Route::Webhook) => match webhook(app, &req).await {
            Ok((answer, outcome)) => (edge::json(StatusCode::OK, &answer), outcome),
            Err(err) => (
                edge::error_response(&err),
                Outcome {
                    status: edge::status_of(&err),
                    label: "rejected",
                    caller: None,
                },
            ),
        },
        Err(err) => (
            edge::error_response(&err),
            Outcome {
                status: edge::status_of(&err),
                label: "no_route",
                caller: None,
            },
        ),
    };
    log.finish(outcome.status, outcome.label, outcome.caller.as_deref());
    response
}

async fn webhook(app: &App, req: &Request) -> Result<(ClientDataResponse, Outcome), Error> {
    edge::check_secret(req.headers(), app.config.secret.as_ref())?;
    edge::require_json(req.headers())?;
    let body: ClientDataRequest = edge::parse_json(edge::body_bytes(req, MAX_BODY)?)?;
    let caller = Caller::of_tool_call(
        body.caller_id.as_deref().unwrap_or(""),
        None,
        &app.config.common,
    );
    let Some(id) = caller.known() else {
        return Ok((new_caller(&app.config), outcome("unknown_caller", None)));
    };
    let masked = Some(id.masked());
    let Some(user) = MemoryUser::scoped(id, app.config.common.scope, body.agent_id.as_deref())
    else {
        return Ok((
            new_caller(&app.config),
            outcome("no_agent_for_scope", masked),
        ));
    };
    let lookup = tokio::time::timeout(
        app.config.deadline,
        profile::load(app.store.as_ref(), &user),
    );
    let (mut answer, outcome) = match lookup.await {
        Ok(Ok(Some(profile))) => (
            returning_caller(&app.config, &profile),
            outcome("returning_caller", masked),
        ),
        Ok(Ok(None)) => (new_caller(&app.config), outcome("new_caller", masked)),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "memory lookup failed; greeting as a new caller");
            (new_caller(&app.config), outcome("memory_error", masked))
        }
        Err(_) => {
            tracing::warn!(
                deadline_ms = millis(app.config.deadline),
                "memory lookup missed its deadline; greeting as a new caller"
            );
            (new_caller(&app.config), outcome("memory_timeout", masked))
        }
    };
    // ElevenLabs groups the caller's conversations under this id.
    answer.user_id = app.config.user_id.of(id);
    Ok((answer, outcome))
}

fn outcome(label: &'static str, caller: Option<String>) -> Outcome {
    Outcome {
        status: StatusCode::OK,
        label,
        caller,
    }
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
