//! The `paynet` command line's operations (`paynet-cli/src/generated.rs`):
//! one subcommand per operation of the merged spec, each sent through
//! paynet-ext's mapped `.call()` (or `.call_resending(..)` for the
//! operations the spec keys by their transaction).
//!
//! progenitor has a CLI generator of its own (`Generator::cli`), which
//! oxide.rs uses. It is not used here: its commands end in the generated
//! `send()`, which keeps neither the reasons nor the three verdicts that
//! the exit codes follow, it turns every header parameter into a flag (the
//! `Session-Key` would be typed on the command line), and its `--json-body`
//! reads no standard input. What this module writes is data (one table row
//! per operation: flags from the body's fields, header parameters, which
//! credential it needs, whether it moves money) and one dispatch `match`
//! whose arms name the generated builder and its body type, read from
//! progenitor's own output as `codegen` does. The hand-written part of
//! `paynet-cli` builds the clap commands from the table.

use std::collections::BTreeSet;

use anyhow::{Context, Result, bail};
use heck::{ToKebabCase, ToSnakeCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{ImplItem, Item, ReturnType, Type, TypeParamBound, WherePredicate};

/// Where the generated commands go, relative to the workspace root.
pub const CLI: &str = "paynet-cli/src/generated.rs";

/// Operations known not to move money: queries and the session key. Every
/// other operation, one added to the spec later included, asks for
/// confirmation against production: a list of safe ones fails safe, where a
/// list of dangerous ones would let a new refund through unasked.
pub const READ_ONLY: [&str; 3] = ["transaction_check", "get_auth_key", "reversal_list"];

/// Header parameters that carry a credential: read from the environment or
/// a file (`PAYNET_SESSION_KEY`, `--session-key-file`), never a flag.
pub const CREDENTIAL_HEADERS: [&str; 1] = ["session-key"];

/// Flags the command line gives every operation itself; a body field or
/// header with one of these names would shadow it.
const RESERVED_FLAGS: [&str; 11] = [
    "env",
    "base-url",
    "secret-key-file",
    "session-key-file",
    "output",
    "yes",
    "verbose",
    "json-body",
    "resend-until",
    "help",
    "version",
];

/// The security scheme of the merchant secret key.
const SECRET_KEY_SCHEME: &str = "secret_key";

/// The component schema whose values are credentials in an answer: the
/// command line redacts fields of this schema in everything it prints.
const SECRET_SCHEMA: &str = "SecretText";

/// The `paynet-cli` source for the merged document `doc` and the generated
/// client `client` (the text of `generated.rs`, without its header),
/// formatted.
pub fn source(doc: &Value, client: &str) -> Result<String> {
    let client: syn::File =
        syn::parse_str(client).context("the generated client does not parse")?;
    let methods = client_methods(&client)?;
    let mut rows = Vec::new();
    let mut arms = Vec::new();
    for (index, op) in paynet_spec::operations(doc).enumerate() {
        let id = op
            .id()
            .with_context(|| format!("{} {} has no operationId", op.method(), op.path()))?;
        let method_name = id.to_snake_case();
        let builder_name = methods
            .iter()
            .find(|(name, _)| *name == method_name)
            .map(|(_, builder)| builder.clone())
            .with_context(|| format!("progenitor wrote no Client::{method_name} for {id}"))?;
        let builder = builder_impl(&client, &builder_name)?;
        let summary = op
            .object()
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or(id);
        let description = text(op.object().get("description"));
        let (method, path) = (op.method().to_uppercase(), op.path());

        let mut fields = Vec::new();
        let body_type = match op.request_body_schema()? {
            Some(schema) => {
                let resolved = paynet_spec::resolve_schema(doc, schema)?;
                let required = paynet_spec::required_properties(resolved);
                for (name, property) in resolved
                    .get("properties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let flag = flag_for(id, name)?;
                    let help = field_help(doc, property)?;
                    let required = required.contains(name.as_str());
                    let kind = format_ident!("{}", kind(doc, property)?);
                    fields.push(quote!(Field {
                        name: #name, flag: #flag, help: #help, required: #required, kind: Kind::#kind
                    }));
                }
                Some(body_type(&builder).with_context(|| format!("{builder_name}::body"))?)
            }
            None => None,
        };

        let mut headers = Vec::new();
        let mut setters = Vec::new();
        let mut session_key = false;
        for parameter in op.parameters()? {
            if parameter.get("in").and_then(Value::as_str) != Some("header") {
                continue;
            }
            let name = parameter
                .get("name")
                .and_then(Value::as_str)
                .context("a header parameter without a name")?;
            let setter = format_ident!("{}", name.to_snake_case());
            if !has_method(&builder, &setter) {
                bail!("progenitor wrote no {builder_name}::{setter} for the header {name}");
            }
            if CREDENTIAL_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                session_key = true;
                setters.push(quote!(.#setter(run.session_key()?.expose_secret())));
                continue;
            }
            let flag = flag_for(id, name)?;
            let help = text(parameter.get("description"));
            let required = parameter.get("required") == Some(&Value::Bool(true));
            let default = match parameter.get("example").and_then(Value::as_str) {
                Some(example) => quote!(Some(#example)),
                None => quote!(None),
            };
            headers.push(quote!(Header {
                name: #name, flag: #flag, help: #help, required: #required, default: #default
            }));
            setters.push(quote!(.#setter(run.header(#name)?)));
        }

        let secret_key = op
            .security()
            .iter()
            .any(|alternative| alternative.contains(&SECRET_KEY_SCHEME));
        let keyed_by = match op.idempotent_by() {
            Some(field) => quote!(Some(#field)),
            None => quote!(None),
        };
        let moves_money = !READ_ONLY.contains(&id);
        rows.push(quote! {
            Operation {
                id: #id,
                summary: #summary,
                description: #description,
                method: #method,
                path: #path,
                fields: &[#(#fields),*],
                headers: &[#(#headers),*],
                secret_key: #secret_key,
                session_key: #session_key,
                keyed_by: #keyed_by,
                moves_money: #moves_money,
            }
        });

        let client_method = format_ident!("{}", method_name);
        let (body, with_body) = match body_type {
            Some(ty) => (
                quote!(let (body, shown) = run.body::<#ty>(operation)?;),
                quote!(.body(body)),
            ),
            None => (
                quote!(let shown: Vec<(String, String)> = Vec::new();),
                quote!(),
            ),
        };
        let send = if op.idempotent_by().is_some() {
            quote! {
                match run.resend_policy()? {
                    Some(policy) => run.finish(request.call_resending(policy).await),
                    None => run.finish(request.call().await),
                }
            }
        } else {
            quote!(run.finish(request.call().await))
        };
        arms.push(quote! {
            #id => {
                let operation = &OPERATIONS[#index];
                #body
                let client = run.client(operation)?;
                let request = client.#client_method() #(#setters)* #with_body;
                run.confirm(operation, &shown)?;
                Ok(#send)
            }
        });
    }
    let secret_fields = secret_fields(doc);
    let any_keyed = paynet_spec::operations(doc).any(|op| op.idempotent_by().is_some());
    let resend_import = any_keyed.then(|| {
        quote!(
            use paynet_ext::ResendExt;
        )
    });
    let tokens = quote! {
        use paynet_ext::CallExt;
        #resend_import

        use crate::operation::{Field, Header, Kind, Operation, Run, Usage};

        /// Every operation of `spec/paynet.json`, one subcommand each.
        pub static OPERATIONS: &[Operation] = &[#(#rows),*];

        /// Answer fields that hold a credential (the spec's `SecretText`):
        /// printed as `[redacted]` wherever they appear.
        pub static SECRET_FIELDS: &[&str] = &[#(#secret_fields),*];

        /// Sends the operation `id` as the command line gave it, and prints
        /// its answer: the exit code, or why nothing was sent.
        pub async fn send(id: &str, run: &Run<'_>) -> Result<u8, Usage> {
            match id {
                #(#arms)*
                other => Err(Usage(format!("no operation {other}"))),
            }
        }
    };
    let file: syn::File = syn::parse2(tokens).context("the generated commands do not parse")?;
    Ok(prettyplease::unparse(&file))
}

/// The flag of a body field or header parameter: its name in kebab case,
/// refused when the command line already uses it.
fn flag_for(id: &str, name: &str) -> Result<String> {
    let flag = name.to_kebab_case();
    if RESERVED_FLAGS.contains(&flag.as_str()) {
        bail!(
            "{id}: the field or header {name} would be the flag --{flag}, which every paynet command already has; rename the flag in xtask/src/cli.rs"
        );
    }
    Ok(flag)
}

/// A description as one line of help: white space collapsed.
fn text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// A body field's help: its own description, or else its schema's.
fn field_help(doc: &Value, property: &Value) -> Result<String> {
    let own = text(property.get("description"));
    if !own.is_empty() {
        return Ok(own);
    }
    let target = match paynet_spec::component_name(property) {
        Some(_) => {
            paynet_spec::resolve_schema(doc, property.pointer("/allOf/0").unwrap_or(property))?
        }
        None => property,
    };
    Ok(text(target.get("description")))
}

/// How a flag's text becomes the field's JSON value (the variant name of
/// `paynet_cli::operation::Kind`).
fn kind(doc: &Value, schema: &Value) -> Result<&'static str> {
    let schema = match schema.pointer("/allOf/0") {
        Some(first) if schema["allOf"].as_array().is_some_and(|a| a.len() == 1) => first,
        _ => schema,
    };
    let schema = paynet_spec::resolve_schema(doc, schema)?;
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        return Ok(match kind {
            "string" => "Text",
            "integer" => "Integer",
            "number" => "Number",
            "boolean" => "Boolean",
            _ => "Json",
        });
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema.get(key).and_then(Value::as_array) {
            // An amount is a number or a string; as a string it stays exact.
            for alternative in alternatives {
                if kind(doc, alternative)? == "Text" {
                    return Ok("Text");
                }
            }
            return Ok("Json");
        }
    }
    Ok("Json")
}

/// Every property name whose schema is the credential schema, in any
/// component: the command line redacts these in every answer.
fn secret_fields(doc: &Value) -> Vec<String> {
    let mut names = BTreeSet::new();
    for schema in doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(_, schema)| schema)
    {
        for (name, property) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if paynet_spec::component_name(property) == Some(SECRET_SCHEMA) {
                names.insert(name.clone());
            }
        }
    }
    names.into_iter().collect()
}

/// `impl Client`'s methods that return a builder: (method name, builder name).
fn client_methods(file: &syn::File) -> Result<Vec<(String, syn::Ident)>> {
    let mut methods = Vec::new();
    for item in &file.items {
        let Item::Impl(imp) = item else { continue };
        let Type::Path(self_ty) = imp.self_ty.as_ref() else {
            continue;
        };
        if imp.trait_.is_some() || !self_ty.path.is_ident("Client") {
            continue;
        }
        for item in &imp.items {
            let ImplItem::Fn(f) = item else { continue };
            let ReturnType::Type(_, output) = &f.sig.output else {
                continue;
            };
            let Type::Path(path) = output.as_ref() else {
                continue;
            };
            let segments: Vec<_> = path.path.segments.iter().collect();
            if let [module, builder] = segments.as_slice()
                && module.ident == "builder"
            {
                methods.push((f.sig.ident.to_string(), builder.ident.clone()));
            }
        }
    }
    if methods.is_empty() {
        bail!(
            "no method of the generated Client returns a builder; is the interface style Builder?"
        );
    }
    Ok(methods)
}

/// The inherent impl of the builder `name` in progenitor's `mod builder`.
fn builder_impl(file: &syn::File, name: &syn::Ident) -> Result<syn::ItemImpl> {
    let module = file
        .items
        .iter()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
            _ => None,
        })
        .context("progenitor wrote no `mod builder`")?;
    module
        .1
        .iter()
        .find_map(|item| match item {
            Item::Impl(imp) if imp.trait_.is_none() => match imp.self_ty.as_ref() {
                Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == *name) => {
                    Some(imp.clone())
                }
                _ => None,
            },
            _ => None,
        })
        .with_context(|| format!("progenitor wrote no impl of builder {name}"))
}

fn has_method(imp: &syn::ItemImpl, name: &syn::Ident) -> bool {
    imp.items
        .iter()
        .any(|item| matches!(item, ImplItem::Fn(f) if f.sig.ident == *name))
}

/// The body type of a builder: `T` in its `body<V>(..) where V: TryInto<T>`,
/// made a path through `paynet_ext::types`.
fn body_type(imp: &syn::ItemImpl) -> Result<TokenStream> {
    let body = imp
        .items
        .iter()
        .find_map(|item| match item {
            ImplItem::Fn(f) if f.sig.ident == "body" => Some(f),
            _ => None,
        })
        .context("no body method")?;
    let predicates = body
        .sig
        .generics
        .where_clause
        .as_ref()
        .context("body has no where clause")?;
    for predicate in &predicates.predicates {
        let WherePredicate::Type(predicate) = predicate else {
            continue;
        };
        for bound in &predicate.bounds {
            let TypeParamBound::Trait(bound) = bound else {
                continue;
            };
            let Some(last) = bound.path.segments.last() else {
                continue;
            };
            if last.ident != "TryInto" {
                continue;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                continue;
            };
            if let Some(syn::GenericArgument::Type(Type::Path(target))) = args.args.first() {
                let segments: Vec<_> = target.path.segments.iter().map(|s| &s.ident).collect();
                return match segments.as_slice() {
                    [types, name] if *types == "types" => Ok(quote!(paynet_ext::types::#name)),
                    _ => bail!("body type {} is not in `types`", quote!(#target)),
                };
            }
        }
    }
    bail!("no `V: TryInto<T>` bound on body")
}
