//! What every command shares: the table row `cargo xtask generate` writes
//! per operation, the clap command made from it, credentials, the
//! environment, the confirmation against production, and the output.
//!
//! Nothing here names an operation: the generated `send` builds each
//! request, and this module checks, confirms, sends through paynet-ext's
//! mapped call and prints.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{Arg, ArgMatches, Command};
use paynet_ext::{
    Client, ClientBuilder, ConfigError, Environment, Error, Reply, ResendPolicy, SecretKey,
    SessionKey,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::exit;

/// One operation of the spec, as the command line sees it.
#[derive(Debug)]
pub struct Operation {
    /// The `operationId` (`capture_reversal`); the command is its kebab
    /// case (`capture-reversal`), and the id itself is an alias.
    pub id: &'static str,
    /// The spec's summary: Paynet's page name, in Turkish.
    pub summary: &'static str,
    /// The spec's description.
    pub description: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path.
    pub path: &'static str,
    /// The request body's fields, one flag each.
    pub fields: &'static [Field],
    /// Header parameters that are not credentials, one flag each.
    pub headers: &'static [Header],
    /// Whether the operation needs the merchant secret key.
    pub secret_key: bool,
    /// Whether the operation takes the mobile session key.
    pub session_key: bool,
    /// The field that keys the operation by its transaction, when the spec
    /// marks one: only then may the request be re-sent (`--resend-until`).
    pub keyed_by: Option<&'static str>,
    /// Whether the operation asks for confirmation against production.
    pub moves_money: bool,
}

/// A field of a request body, as a flag.
#[derive(Debug)]
pub struct Field {
    /// Its name in the body (`xact_id`).
    pub name: &'static str,
    /// Its flag (`xact-id`).
    pub flag: &'static str,
    /// Its description.
    pub help: &'static str,
    /// Whether the body requires it (then it is required unless
    /// `--json-body` is given).
    pub required: bool,
    /// How the flag's text becomes JSON.
    pub kind: Kind,
}

/// A header parameter that is not a credential, as a flag.
#[derive(Debug)]
pub struct Header {
    /// The header's name as the spec spells it.
    pub name: &'static str,
    /// Its flag.
    pub flag: &'static str,
    /// Its description.
    pub help: &'static str,
    /// Whether the spec requires it.
    pub required: bool,
    /// The spec's example, used when the flag is not given.
    pub default: Option<&'static str>,
}

/// How a flag's text becomes a field's JSON value, from the field's schema.
/// (Today's spec has text fields only; the others are there for the next
/// operation that has a number, a flag or an object in its body.)
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)]
pub enum Kind {
    /// A string, as typed (an amount too: as a string it stays exact).
    Text,
    /// A whole number.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Any other JSON value, typed as JSON.
    Json,
}

impl Kind {
    fn value(self, flag: &str, text: &str) -> Result<Value, Usage> {
        let wrong = |what: &str| Usage(format!("--{flag} takes {what}, not {text:?}"));
        Ok(match self {
            Kind::Text => Value::String(text.to_string()),
            Kind::Integer => Value::from(
                text.trim()
                    .parse::<i64>()
                    .map_err(|_| wrong("a whole number"))?,
            ),
            Kind::Number => Value::Number(
                serde_json::from_str::<serde_json::Number>(text.trim())
                    .map_err(|_| wrong("a number"))?,
            ),
            Kind::Boolean => match text.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(wrong("true or false")),
            },
            Kind::Json => serde_json::from_str(text).map_err(|_| wrong("JSON"))?,
        })
    }
}

/// A usage or configuration error: nothing was sent. Its text is one
/// sentence.
#[derive(Debug)]
pub struct Usage(pub String);

/// The options every command takes, as given.
#[derive(Debug)]
pub struct Settings {
    /// `--env` / `PAYNET_ENV`, and where it came from.
    pub env: Option<(String, ValueSource)>,
    /// `--base-url` / `PAYNET_BASE_URL`, and where it came from.
    pub base_url: Option<(String, ValueSource)>,
    /// `--secret-key-file`.
    pub secret_key_file: Option<PathBuf>,
    /// `--session-key-file`.
    pub session_key_file: Option<PathBuf>,
    /// `--output`.
    pub output: Output,
    /// `--yes`.
    pub yes: bool,
    /// `--verbose`.
    pub verbose: bool,
    /// The answer fields that hold a credential (the spec's `SecretText`:
    /// the generated `SECRET_FIELDS`), printed as `[redacted]`.
    pub secret_fields: &'static [&'static str],
}

/// How answers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// One JSON object (for `jq` and scripts).
    Json,
    /// Two columns, field and value, for people.
    Table,
}

/// The production host: a `--base-url` naming it is production too.
const PRODUCTION_HOST: &str = "api.paynet.com.tr";

impl Settings {
    /// The environment: `--base-url` or `--env`, whichever was typed; of
    /// two from the environment, `PAYNET_BASE_URL` (as paynet-ext reads
    /// them). Nothing set is an error: nothing picks production on its own.
    pub fn environment(&self) -> Result<Environment, Usage> {
        let typed = |v: &Option<(String, ValueSource)>| {
            v.as_ref()
                .is_some_and(|(_, source)| *source == ValueSource::CommandLine)
        };
        if typed(&self.env) && typed(&self.base_url) {
            return Err(Usage("give --env or --base-url, not both".to_string()));
        }
        let use_env = typed(&self.env) || self.base_url.is_none();
        let config = |e: ConfigError| Usage(e.to_string());
        match (&self.env, &self.base_url) {
            (Some((env, _)), _) if use_env => env.parse().map_err(|_| {
                Usage(format!(
                    "the environment {env:?} is not production or sandbox"
                ))
            }),
            (_, Some((url, _))) => Environment::custom(url.trim()).map_err(config),
            _ => Err(Usage(
                "no environment: set PAYNET_ENV (or --env) to production or sandbox, or --base-url to a Paynet-compatible server such as the simulator".to_string(),
            )),
        }
    }

    /// The merchant secret key: `--secret-key-file`, else `PAYNET_SECRET_KEY`.
    pub fn secret_key(&self) -> Result<SecretKey, Usage> {
        match &self.secret_key_file {
            Some(path) => {
                SecretKey::new(read_key_file(path, "secret key")?).map_err(|e| Usage(e.to_string()))
            }
            None => SecretKey::from_env().map_err(|e| match e {
                ConfigError::MissingVariable(_) => Usage(
                    "no secret key: set PAYNET_SECRET_KEY or pass --secret-key-file PATH"
                        .to_string(),
                ),
                other => Usage(other.to_string()),
            }),
        }
    }

    /// The mobile session key: `--session-key-file`, else `PAYNET_SESSION_KEY`.
    pub fn session_key(&self) -> Result<SessionKey, Usage> {
        match &self.session_key_file {
            Some(path) => SessionKey::new(read_key_file(path, "session key")?)
                .map_err(|e| Usage(e.to_string())),
            None => SessionKey::from_env().map_err(|e| match e {
                ConfigError::MissingVariable(_) => Usage(
                    "no session key: set PAYNET_SESSION_KEY, pass --session-key-file PATH, or save one with paynet session-key"
                        .to_string(),
                ),
                other => Usage(other.to_string()),
            }),
        }
    }

    /// A client for the environment, with the secret key when `secret_key`.
    pub fn client(&self, secret_key: bool) -> Result<Client, Usage> {
        let mut builder = ClientBuilder::new(self.environment()?);
        if secret_key {
            builder = builder.secret_key(self.secret_key()?);
        }
        builder.build().map_err(|e| Usage(e.to_string()))
    }

    /// Asks before a command that moves money is sent to production:
    /// on a terminal, showing what will be sent; `--yes` skips the question;
    /// without a terminal and without `--yes`, refuses. `shown` lists the
    /// request's fields (never a credential).
    pub fn confirm(
        &self,
        operation: &str,
        summary: &str,
        shown: &[(String, String)],
    ) -> Result<(), Usage> {
        let environment = self.environment()?;
        if self.yes || !is_production(&environment) {
            return Ok(());
        }
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Usage(format!(
                "{operation} moves money in production: run it on a terminal to confirm, or pass --yes; nothing was sent"
            )));
        }
        let mut text = format!(
            "About to send {operation} ({summary})\n  environment: production ({})\n",
            environment.base_url()
        );
        let find = |name: &str| {
            shown
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        text.push_str(&format!(
            "  transaction: {}\n  amount:      {}\n",
            find("xact_id").unwrap_or_else(|| "-".to_string()),
            find("amount").unwrap_or_else(|| "the whole transaction".to_string()),
        ));
        for (name, value) in shown
            .iter()
            .filter(|(k, _)| k != "xact_id" && k != "amount")
        {
            text.push_str(&format!("  {name}: {value}\n"));
        }
        text.push_str("Type yes to send it: ");
        let mut stderr = std::io::stderr();
        let _ = stderr.write_all(text.as_bytes());
        let _ = stderr.flush();
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| Usage(format!("could not read the answer: {e}; nothing was sent")))?;
        if answer.trim().eq_ignore_ascii_case("yes") {
            Ok(())
        } else {
            Err(Usage("not confirmed; nothing was sent".to_string()))
        }
    }

    /// Prints a successful answer and returns exit code 0.
    pub fn success<T: Serialize>(&self, reply: &Reply<T>) -> u8 {
        if self.verbose && reply.attempts() > 1 {
            eprintln!("answered on attempt {}", reply.attempts());
        }
        match serde_json::to_value(&**reply) {
            Ok(mut value) => {
                self.redact(&mut value);
                self.print(&value);
                exit::SUCCESS
            }
            Err(e) => {
                eprintln!("error: the answer could not be printed: {e}");
                exit::UNKNOWN
            }
        }
    }

    /// Prints an error: one sentence on stderr (the library's `Display`),
    /// and a JSON object on stdout with its kind, what it means, its status
    /// and result code, and the decoded answer when there was one. Returns
    /// the exit code the error's verdict gives.
    pub fn failure(&self, error: &Error, response: Option<Value>) -> u8 {
        let (code, value) = self.failure_value(error, response);
        self.print(&value);
        code
    }

    /// [`Settings::failure`], as one line of NDJSON (the last of a list).
    pub fn failure_row(&self, error: &Error) -> u8 {
        let (code, value) = self.failure_value(error, None);
        self.print_row(&value);
        code
    }

    /// Replaces the value of every credential field (the spec's
    /// `SecretText`) with `[redacted]`, at any depth.
    pub fn redact(&self, value: &mut Value) {
        redact(value, self.secret_fields);
    }

    fn failure_value(&self, error: &Error, response: Option<Value>) -> (u8, Value) {
        let code = exit::of(error);
        eprintln!("error: {error}");
        let mut object = json!({
            "kind": error.kind(),
            "outcome": exit::outcome(code),
            "message": error.to_string(),
            "status": error.status(),
            "result_code": error.result_code().map(|c| c.code()),
        });
        if let Some(mut response) = response {
            self.redact(&mut response);
            object["response"] = response;
        }
        (code, json!({ "error": object }))
    }

    /// The exit code of a call, its answer or error printed.
    pub fn finish<T: Serialize + 'static>(&self, result: Result<Reply<T>, Error>) -> u8 {
        match result {
            Ok(reply) => self.success(&reply),
            Err(error) => {
                let response = error
                    .response::<T>()
                    .and_then(|r| serde_json::to_value(r).ok());
                self.failure(&error, response)
            }
        }
    }

    /// Prints one value as one line of JSON (a row of NDJSON), or as a
    /// table followed by a blank line.
    pub fn print_row(&self, value: &Value) {
        let text = match self.output {
            Output::Json => serde_json::to_string(value).unwrap_or_default() + "\n",
            Output::Table => table(value) + "\n",
        };
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    /// Prints one value in the chosen format.
    pub fn print(&self, value: &Value) {
        let text = match self.output {
            Output::Json => serde_json::to_string_pretty(value).unwrap_or_default() + "\n",
            Output::Table => table(value),
        };
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }
}

/// Whether `environment` is Paynet's production, by name or by its host.
pub fn is_production(environment: &Environment) -> bool {
    match environment {
        Environment::Production => true,
        Environment::Custom(url) => url.host_str().is_some_and(|h| {
            h.trim_end_matches('.')
                .eq_ignore_ascii_case(PRODUCTION_HOST)
        }),
        _ => false,
    }
}

fn read_key_file(path: &std::path::Path, what: &str) -> Result<String, Usage> {
    std::fs::read_to_string(path).map_err(|e| {
        Usage(format!(
            "cannot read the {what} file {}: {e}",
            path.display()
        ))
    })
}

/// Replaces the value of every field named in `secret_fields` with
/// `[redacted]`, at any depth.
fn redact(value: &mut Value, secret_fields: &[&str]) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if secret_fields.contains(&key.as_str()) && !field.is_null() {
                    *field = Value::String("[redacted]".to_string());
                } else {
                    redact(field, secret_fields);
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| redact(item, secret_fields)),
        _ => {}
    }
}

/// A JSON value as two columns: the path of each scalar, and its value.
fn table(value: &Value) -> String {
    let mut rows = Vec::new();
    flatten("", value, &mut rows);
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(key, value)| format!("{key:width$}  {value}\n"))
        .collect()
}

fn flatten(prefix: &str, value: &Value, rows: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, field) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, field, rows);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, rows);
            }
        }
        Value::String(text) => rows.push((prefix.to_string(), text.clone())),
        Value::Null => rows.push((prefix.to_string(), "-".to_string())),
        other => rows.push((prefix.to_string(), other.to_string())),
    }
}

/// The id of a body field's argument (kept apart from the global options).
fn field_id(name: &str) -> String {
    format!("body.{name}")
}

/// The id of a header parameter's argument.
fn header_id(name: &str) -> String {
    format!("header.{name}")
}

/// The clap command of an operation.
pub fn command(operation: &'static Operation) -> Command {
    let name = operation.id.replace('_', "-");
    let credential = match (operation.secret_key, operation.session_key) {
        (true, true) => "the merchant secret key and the mobile session key",
        (true, false) => "the merchant secret key (PAYNET_SECRET_KEY or --secret-key-file)",
        (false, true) => "the mobile session key (PAYNET_SESSION_KEY or --session-key-file)",
        (false, false) => "no credential",
    };
    let mut long = format!("{}\n\n", operation.summary);
    if !operation.description.is_empty() {
        long.push_str(operation.description);
        long.push_str("\n\n");
    }
    long.push_str(&format!(
        "Operation {} ({} {}); it needs {credential}.",
        operation.id, operation.method, operation.path
    ));
    if let Some(key) = operation.keyed_by {
        long.push_str(&format!(
            " Keyed by its transaction ({key}): sent once, or again while its outcome is unknown with --resend-until."
        ));
    } else {
        long.push_str(" Never sent twice.");
    }
    if operation.moves_money {
        long.push_str(
            " Against production it asks for confirmation on a terminal (--yes skips it).",
        );
    }
    let mut command = Command::new(name.clone())
        .about(operation.summary)
        .long_about(long);
    if name != operation.id {
        command = command.alias(operation.id);
    }
    for field in operation.fields {
        let mut arg = Arg::new(field_id(field.name))
            .long(field.flag)
            .value_name(field.flag.to_uppercase().replace('-', "_"))
            .help(field.help);
        if field.required {
            arg = arg.required_unless_present("json-body");
        }
        command = command.arg(arg);
    }
    if !operation.fields.is_empty() {
        command = command.arg(
            Arg::new("json-body")
                .long("json-body")
                .value_name("FILE")
                .help("The whole request body as JSON, from FILE or - for standard input; flags given beside it set their fields on top"),
        );
    }
    for header in operation.headers {
        let mut arg = Arg::new(header_id(header.name))
            .long(header.flag)
            .value_name("VALUE")
            .help(format!("The {} header. {}", header.name, header.help));
        match header.default {
            Some(default) => arg = arg.default_value(default),
            None => arg = arg.required(header.required),
        }
        command = command.arg(arg);
    }
    if let Some(key) = operation.keyed_by {
        command = command.arg(
            Arg::new("resend-until")
                .long("resend-until")
                .value_name("DURATION")
                .value_parser(humantime::parse_duration)
                .help(format!(
                    "While the outcome is unknown, send the same request again (it is keyed by {key}, so it cannot act twice) until DURATION after the first attempt, e.g. 60s"
                )),
        );
    }
    command
}

/// One operation's command line, for the generated `send`.
#[derive(Debug)]
pub struct Run<'a> {
    /// The global options.
    pub settings: &'a Settings,
    /// The subcommand's matches.
    pub matches: &'a ArgMatches,
}

impl Run<'_> {
    /// The request body from `--json-body` and the field flags, as the
    /// operation's body type, and its fields as text for the confirmation.
    pub fn body<T: DeserializeOwned>(
        &self,
        operation: &Operation,
    ) -> Result<(T, Vec<(String, String)>), Usage> {
        let mut object = match self.matches.get_one::<String>("json-body") {
            Some(source) => read_json_body(source)?,
            None => Map::new(),
        };
        for field in operation.fields {
            if let Some(text) = self.matches.get_one::<String>(&field_id(field.name)) {
                object.insert(field.name.to_string(), field.kind.value(field.flag, text)?);
            }
        }
        let shown = object
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), text)
            })
            .collect();
        let body = serde_json::from_value(Value::Object(object)).map_err(|e| {
            Usage(format!(
                "the request body of {} is not valid: {e}",
                operation.id
            ))
        })?;
        Ok((body, shown))
    }

    /// A client for the operation's environment and credential.
    pub fn client(&self, operation: &Operation) -> Result<Client, Usage> {
        self.settings.client(operation.secret_key)
    }

    /// The mobile session key, for a `Session-Key` header.
    pub fn session_key(&self) -> Result<SessionKey, Usage> {
        self.settings.session_key()
    }

    /// The value of a header parameter's flag.
    pub fn header(&self, name: &str) -> Result<String, Usage> {
        self.matches
            .get_one::<String>(&header_id(name))
            .cloned()
            .ok_or_else(|| Usage(format!("the {name} header has no value")))
    }

    /// `--resend-until`, when given.
    pub fn resend_policy(&self) -> Result<Option<ResendPolicy>, Usage> {
        Ok(self
            .matches
            .get_one::<Duration>("resend-until")
            .map(|d| ResendPolicy::until(*d)))
    }

    /// Asks for confirmation when the operation moves money in production.
    pub fn confirm(&self, operation: &Operation, shown: &[(String, String)]) -> Result<(), Usage> {
        if !operation.moves_money {
            return Ok(());
        }
        // A generated command sends its fields as the spec defines them (an
        // `amount` may be kuruş, not lira): say so rather than guess a unit.
        let shown: Vec<(String, String)> = shown
            .iter()
            .map(|(k, v)| match k.as_str() {
                "amount" => (k.clone(), format!("{v} (as sent: see --help for its unit)")),
                _ => (k.clone(), v.clone()),
            })
            .collect();
        self.settings
            .confirm(operation.id, operation.summary, &shown)
    }

    /// Prints the answer and returns the exit code.
    pub fn finish<T: Serialize + 'static>(&self, result: Result<Reply<T>, Error>) -> u8 {
        self.settings.finish(result)
    }
}

fn read_json_body(source: &str) -> Result<Map<String, Value>, Usage> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Usage(format!("cannot read the body from standard input: {e}")))?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| Usage(format!("cannot read the body file {source}: {e}")))?
    };
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Usage(format!("the body in {source} is not a JSON object"))),
        Err(e) => Err(Usage(format!("the body in {source} is not JSON: {e}"))),
    }
}
