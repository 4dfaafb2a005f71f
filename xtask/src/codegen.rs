//! Client generation with progenitor's library API, and the per-operation
//! facts the hand-written runtime needs (`generated_operations.rs`).
//!
//! Each builder's `send()` is split where progenitor would call its hooks:
//! the statements that build the `reqwest::Request` become the builder's
//! `into_request`, and `send()` goes through the one exchange
//! (`Client::exchange` in `paynet-api/src/exchange.rs`) that `paynet-ext`'s
//! `.call()` uses too, before progenitor's own decoding of the answer.
//!
//! Everything Rust-side is built as tokens (`quote!`) and formatted once
//! with prettyplease. Type and builder names are read from progenitor's own
//! output, never re-derived: each builder's `send()` names its answer and
//! error types and its operation id.

use std::collections::BTreeSet;

use anyhow::{Context, Result, bail};
use proc_macro2::{Span, TokenStream, TokenTree};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{
    Fields, GenericArgument, ImplItem, Item, ItemMod, ItemStruct, PathArguments, ReturnType, Type,
};

/// Named schemas of `spec/openapi/base.json` that Paynet sends in more than
/// one form, and the hand-written types (`paynet-api/src/wire.rs`) that
/// decode every form. Progenitor matches them by component name.
pub const REPLACEMENTS: [(&str, &str, &[TypeImpl]); 7] = [
    (
        "Amount",
        "crate::wire::Amount",
        &[TypeImpl::Display, TypeImpl::FromStr],
    ),
    (
        "ResultCode",
        "crate::wire::ResultCode",
        &[TypeImpl::Display],
    ),
    ("Flag", "crate::wire::Flag", &[]),
    ("Code", "crate::wire::Code", &[TypeImpl::Display]),
    ("Text", "crate::wire::Text", &[TypeImpl::Display]),
    ("SecretText", "crate::wire::SecretText", &[]),
    (
        "LocalDateTime",
        "crate::wire::LocalDateTime",
        &[TypeImpl::Display],
    ),
];

/// The settings the client is generated with. The client carries a
/// `crate::runtime::ClientState` (credentials, body limit). Progenitor's
/// hooks are left at their empty defaults: no generated `send()` calls them
/// once `split_send` has rewritten it, and credentials are attached by the
/// one exchange in `paynet-api/src/exchange.rs`.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(crate::runtime::ClientState))
        .with_hooks(HooksMode::Optional)
        .with_derive("schemars::JsonSchema");
    for (schema, path, impls) in REPLACEMENTS {
        settings.with_replacement(schema, path, impls.iter().cloned());
    }
    settings
}

/// The two generated sources.
#[derive(Debug)]
pub struct Sources {
    /// `generated.rs`: progenitor's client, its builders' `Debug` redacted
    /// and their `send()` split around the one exchange.
    pub client: String,
    /// `generated_operations.rs`: the operations table, the spec's names as
    /// constants, `PaynetRequest` for every builder, `Verdict` for every
    /// answer type.
    pub operations: String,
}

/// One request builder, as progenitor wrote it.
struct Builder {
    name: syn::Ident,
    operation_id: String,
    response: Type,
    error: Type,
}

/// Generates both sources for the merged document `doc`, formatted.
pub fn sources(doc: &Value) -> Result<Sources> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(without_one_of_groups(doc))
        .context("the merged document is not an OpenAPI 3.0 document openapiv3 can read")?;
    let mut generator = Generator::new(&settings());
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| anyhow::anyhow!("progenitor refused the merged document: {e}"))?;
    let mut file: syn::File = syn::parse2(tokens).context("progenitor's output does not parse")?;
    let builders = redact_builders(&mut file)?;
    document(&mut file, doc, &builders)?;
    let client = prettyplease::unparse(&file);
    let operations = operations_tokens(doc, &builders)?;
    let operations: syn::File =
        syn::parse2(operations).context("the operations table does not parse")?;
    Ok(Sources {
        client,
        operations: prettyplease::unparse(&operations),
    })
}

/// `doc` without its at-least-one-of groups (an object schema's `anyOf`
/// whose alternatives each only require one property), for progenitor.
/// typify turns such an `anyOf` into an untagged enum with one variant per
/// field, which cannot carry two of them and has no `body_map`; without it
/// the body is a struct of optional fields, and the hooks refuse a body
/// that has none of a group, from the operations table
/// (`Operation::at_least_one_of`), before anything is sent.
fn without_one_of_groups(doc: &Value) -> Value {
    let mut doc = doc.clone();
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            if !paynet_spec::at_least_one_of(schema).is_empty()
                && let Some(object) = schema.as_object_mut()
            {
                object.remove("anyOf");
            }
        }
    }
    doc
}

/// The generated client source alone.
pub fn client_source(doc: &Value) -> Result<String> {
    Ok(sources(doc)?.client)
}

/// The operations table source alone.
pub fn operations_source(doc: &Value) -> Result<String> {
    Ok(sources(doc)?.operations)
}

/// Finds progenitor's `mod builder`, reads each builder's `send()`
/// signature, splits it ([`split_send`]), and replaces each builder's derived `Debug` with one that
/// prints the body and redacts every other argument (header parameters
/// such as `Session-Key` are credentials).
fn redact_builders(file: &mut syn::File) -> Result<Vec<Builder>> {
    let module: &mut ItemMod = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "builder" => Some(m),
            _ => None,
        })
        .context("progenitor wrote no `mod builder`; is the interface style Builder?")?;
    let items = &mut module
        .content
        .as_mut()
        .context("`mod builder` has no body")?
        .1;
    let mut builders = Vec::new();
    let mut debug_impls = Vec::new();
    for item in items.iter_mut() {
        match item {
            Item::Struct(strukt) => debug_impls.push(redact_debug(strukt)?),
            Item::Impl(imp) if imp.trait_.is_none() => {
                if let Some(builder) = read_send(imp)? {
                    split_send(imp, &builder.name)?;
                    builders.push(builder);
                }
            }
            _ => {}
        }
    }
    for tokens in debug_impls {
        items.push(syn::parse2(tokens).context("a builder's Debug impl does not parse")?);
    }
    Ok(builders)
}

/// The text of an item's `///` lines, joined by newlines.
fn doc_text(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Replaces an item's doc with `text`.
fn set_doc(attrs: &mut Vec<syn::Attribute>, text: &str) {
    attrs.retain(|a| !a.path().is_ident("doc"));
    attrs.insert(0, syn::parse_quote!(#[doc = #text]));
}

/// A module of `file` (or of `types`) by name.
fn module_items<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Gives every generated item a user meets an English doc that says what
/// it is for: the builders of the types (typify leaves them without one,
/// and `X::builder()` otherwise reads as returning `X` itself), their
/// setters (the field's own doc), progenitor's operation builders'
/// methods, and the client's operation methods, whose example becomes the
/// mapped call, `.call()`, instead of progenitor's raw `.body(..).send()`.
fn document(file: &mut syn::File, doc: &Value, builders: &[Builder]) -> Result<()> {
    let types =
        module_items(&mut file.items, "types").context("progenitor wrote no `mod types`")?;
    // Each type's fields' docs, to give its builder's setters.
    let mut field_docs: std::collections::BTreeMap<String, Vec<(String, String)>> =
        Default::default();
    for item in types.iter_mut() {
        match item {
            Item::Struct(strukt) => {
                if let Fields::Named(named) = &strukt.fields {
                    let docs = named
                        .named
                        .iter()
                        .filter_map(|f| Some((f.ident.as_ref()?.to_string(), doc_text(&f.attrs)?)))
                        .collect();
                    field_docs.insert(strukt.ident.to_string(), docs);
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let Type::Path(path) = imp.self_ty.as_ref() else {
                    continue;
                };
                let name = quote!(#path).to_string();
                for member in &mut imp.items {
                    if let ImplItem::Fn(f) = member
                        && f.sig.ident == "builder"
                    {
                        let text = format!(
                            " A builder of [`{name}`], field by field: [`builder::{name}`], a type of the same name in the `builder` module. A request's builder is what `body_map` hands its closure (`.body_map(|b| b.xact_id(..))`); a required field left unset is an error when the request is sent."
                        );
                        set_doc(&mut f.attrs, &text);
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(type_builders) = module_items(types, "builder") {
        for item in type_builders.iter_mut() {
            match item {
                Item::Struct(strukt) => {
                    let name = strukt.ident.to_string();
                    let text = format!(
                        " Builds a [`{name}`](super::{name}) field by field: each setter takes its field's value (anything that converts into it), and the conversion to [`{name}`](super::{name}) checks that every required field was given. Made by [`{name}::builder()`](super::{name}::builder), or handed to the closure of an operation's `body_map`."
                    );
                    set_doc(&mut strukt.attrs, &text);
                }
                Item::Impl(imp) if imp.trait_.is_none() => {
                    let Type::Path(path) = imp.self_ty.as_ref() else {
                        continue;
                    };
                    let name = quote!(#path).to_string();
                    let docs = field_docs.get(&name);
                    for member in &mut imp.items {
                        if let ImplItem::Fn(f) = member {
                            let field = f.sig.ident.to_string();
                            let own = docs
                                .and_then(|d| d.iter().find(|(n, _)| *n == field))
                                .map(|(_, text)| text.trim().to_string())
                                .unwrap_or_else(|| format!("The `{field}` field."));
                            set_doc(&mut f.attrs, &format!(" Sets `{field}`: {own}"));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let operations =
        module_items(&mut file.items, "builder").context("progenitor wrote no `mod builder`")?;
    for item in operations.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let Type::Path(path) = imp.self_ty.as_ref() else {
            continue;
        };
        let Some(name) = path.path.segments.last().map(|s| s.ident.clone()) else {
            continue;
        };
        let Some(builder) = builders.iter().find(|b| b.name == name) else {
            continue;
        };
        let op =
            paynet_spec::operations(doc).find(|op| op.id() == Some(builder.operation_id.as_str()));
        let headers: Vec<(String, String)> = match &op {
            Some(op) => op
                .parameters()?
                .into_iter()
                .filter_map(|p| {
                    let p = paynet_spec::resolve(doc, p).ok()?;
                    let name = squash(p.get("name")?.as_str()?);
                    let text = p
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    Some((name, text))
                })
                .collect(),
            None => Vec::new(),
        };
        let id = &builder.operation_id;
        for member in &mut imp.items {
            let ImplItem::Fn(f) = member else { continue };
            let method = f.sig.ident.to_string();
            let text = match method.as_str() {
                "new" => format!(" The `{id}` request on `client`; `client.{id}()` makes the same."),
                "body" => " The whole request body: the body type, or its builder (checked when the request is sent).".to_string(),
                "body_map" => " Sets the body's fields through its builder: `.body_map(|b| b.xact_id(id))`, starting from an empty body.".to_string(),
                "send" => format!(" Sends the `{id}` request as progenitor's raw path: it fails closed (an answer that is not a success is an `Err`), but keeps neither the raw body nor the reasons. Prefer `.call()` (`paynet_ext::CallExt`), which maps the answer."),
                header => match headers.iter().find(|(n, _)| *n == squash(header)) {
                    Some((_, text)) if !text.is_empty() => format!(" The `{header}` header: {text}"),
                    _ => format!(" The `{header}` argument."),
                },
            };
            set_doc(&mut f.attrs, &text);
        }
    }
    // The client's operation methods: the mapped call as the example.
    for item in file.items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Type::Path(path) = imp.self_ty.as_ref() else {
            continue;
        };
        if imp.trait_.is_some() || !path.path.is_ident("Client") {
            continue;
        }
        for member in &mut imp.items {
            let ImplItem::Fn(f) = member else { continue };
            let id = f.sig.ident.to_string();
            let Some(op) = paynet_spec::operations(doc).find(|op| op.id() == Some(id.as_str()))
            else {
                continue;
            };
            let Some(text) = doc_text(&f.attrs) else {
                continue;
            };
            let Some(start) = text.find("```ignore") else {
                continue;
            };
            let fields = example_fields(doc, &op)?;
            let mut example = format!("```ignore\nlet reply = client.{id}()\n");
            for line in text[start..].lines() {
                let line = line.trim();
                if line.starts_with('.')
                    && !line.starts_with(".body(")
                    && !line.starts_with(".send(")
                    && !line.starts_with(".await")
                {
                    example.push_str(&format!("    {line}\n"));
                }
            }
            if !fields.is_empty() {
                let setters: String = fields.iter().map(|f| format!(".{f}({f})")).collect();
                example.push_str(&format!("    .body_map(|b| b{setters})\n"));
            }
            example.push_str("    .call()\n    .await?;\n```\n`.call()` (`paynet_ext::CallExt`) sends it once and maps the answer: a `paynet_ext::Reply` that derefs to the answer, or one `paynet_ext::Error`. progenitor's `.send()` is the raw path.");
            let text = format!("{}{example}", &text[..start]);
            set_doc(&mut f.attrs, &text);
        }
    }
    Ok(())
}

/// A parameter's name as progenitor's method for it and the spec can both
/// be compared: lower case, without `-` or `_` (`PaynetMobile`,
/// `paynet_mobile` → `paynetmobile`).
fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The body fields an operation's example sets: the required ones, or else
/// the first of each at-least-one-of group.
fn example_fields(doc: &Value, op: &paynet_spec::Operation<'_>) -> Result<Vec<String>> {
    let Some(schema) = op.request_body_schema()? else {
        return Ok(Vec::new());
    };
    let schema = paynet_spec::resolve_schema(doc, schema)?;
    let required: Vec<String> = paynet_spec::required_properties(schema)
        .into_iter()
        .map(str::to_string)
        .collect();
    if !required.is_empty() {
        return Ok(required);
    }
    Ok(paynet_spec::at_least_one_of(schema)
        .into_iter()
        .filter_map(|group| group.first().map(|f| f.to_string()))
        .collect())
}

/// Drops `Debug` from a builder's derives and returns its replacement.
fn redact_debug(strukt: &mut ItemStruct) -> Result<TokenStream> {
    let mut had_debug = false;
    for attr in &mut strukt.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let paths: syn::punctuated::Punctuated<syn::Path, syn::Token![,]> = attr
            .parse_args_with(syn::punctuated::Punctuated::parse_terminated)
            .context("a derive list that does not parse")?;
        let kept: Vec<&syn::Path> = paths.iter().filter(|p| !p.is_ident("Debug")).collect();
        had_debug |= kept.len() != paths.len();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    if !had_debug {
        bail!(
            "progenitor no longer derives Debug on builder {}; check the redaction in xtask/src/codegen.rs",
            strukt.ident
        );
    }
    let name = &strukt.ident;
    let label = name.to_string();
    let Fields::Named(named) = &strukt.fields else {
        bail!("builder {name} has no named fields");
    };
    let fields = named
        .named
        .iter()
        .filter_map(|f| f.ident.as_ref())
        .filter(|f| *f != "client")
        .map(|field| {
            let text = field.to_string();
            if field == "body" {
                quote!(.field(#text, &self.body))
            } else {
                quote!(.field(#text, &"[redacted]"))
            }
        });
    Ok(quote! {
        impl ::std::fmt::Debug for #name<'_> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #(#fields)* .finish_non_exhaustive()
            }
        }
    })
}

/// Reads a builder's `send()`: its answer and error types, and the
/// operation id it reports to the hooks.
fn read_send(imp: &syn::ItemImpl) -> Result<Option<Builder>> {
    let Type::Path(self_ty) = imp.self_ty.as_ref() else {
        return Ok(None);
    };
    let name = self_ty
        .path
        .segments
        .last()
        .context("a builder impl without a type name")?
        .ident
        .clone();
    let Some(send) = imp.items.iter().find_map(|item| match item {
        ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
        _ => None,
    }) else {
        return Ok(None);
    };
    let ReturnType::Type(_, output) = &send.sig.output else {
        bail!("{name}::send returns nothing");
    };
    let [ok, err] = type_arguments(output, "Result")?;
    let [response] = type_arguments(&ok, "ResponseValue")?;
    let [error] = type_arguments(&err, "Error")?;
    let operation_id = operation_id_in(
        send.block
            .stmts
            .iter()
            .map(quote::ToTokens::to_token_stream),
    )
    .with_context(|| format!("{name}::send names no operation_id"))?;
    Ok(Some(Builder {
        name,
        operation_id,
        response: qualify(response),
        error: qualify(error),
    }))
}

/// Splits a builder's `send()` where progenitor calls its hooks
/// (`let info = OperationInfo { .. }; pre; exec; post; let response =
/// result?;`): the statements before become `into_request`, which returns
/// the request (or why it could not be built) with the client; `send()`
/// becomes the one exchange and the success rule (`exchange::checked`),
/// which decodes a documented 2xx answer once and returns it, then
/// progenitor's own decoding by status, unchanged, for every other answer.
fn split_send(imp: &mut syn::ItemImpl, name: &syn::Ident) -> Result<()> {
    let send = imp
        .items
        .iter_mut()
        .find_map(|item| match item {
            ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
            _ => None,
        })
        .context("a builder without send()")?;
    let ReturnType::Type(_, output) = &send.sig.output else {
        bail!("{name}::send returns nothing");
    };
    let [_, error] = type_arguments(output, "Result")?;
    let stmts = &send.block.stmts;
    let hooks_at = stmts
        .iter()
        .position(|stmt| match stmt {
            syn::Stmt::Local(local) => {
                quote::ToTokens::to_token_stream(&local.pat).to_string() == "info"
            }
            _ => false,
        })
        .with_context(|| format!("{name}::send no longer builds an OperationInfo; check split_send in xtask/src/codegen.rs"))?;
    // `let info`, pre, exec, post, `let response = result?;`, then the match.
    if stmts.len() != hooks_at + 6 {
        bail!(
            "{name}::send has an unexpected shape after its request is built; check split_send in xtask/src/codegen.rs"
        );
    }
    let build = &stmts[..hooks_at];
    let decode = &stmts[hooks_at + 5];
    let into_request: ImplItem = syn::parse2(quote! {
        /// The request this builder describes, or why it cannot be built,
        /// with the client to send it through: the first step of a call.
        pub(crate) fn into_request(self) -> (&'a super::Client, Result<reqwest::Request, #error>) {
            (self.client, self.request())
        }
    })
    .context("into_request does not parse")?;
    let request: ImplItem = syn::parse2(quote! {
        fn request(self) -> Result<reqwest::Request, #error> {
            #(#build)*
            Ok(request)
        }
    })
    .context("request does not parse")?;
    send.block = syn::parse2(quote! {{
        let exchange = crate::runtime::PaynetRequest::send_raw(self).await;
        let response = match crate::exchange::checked::<Self>(exchange)? {
            crate::exchange::Checked::Success(value) => return Ok(value),
            crate::exchange::Checked::Other(response) => response,
        };
        #decode
    }})
    .context("the new send() does not parse")?;
    imp.items.push(into_request);
    imp.items.push(request);
    Ok(())
}

/// The type arguments of `Outer<A, B, ...>`.
fn type_arguments<const N: usize>(ty: &Type, outer: &str) -> Result<[Type; N]> {
    let Type::Path(path) = ty else {
        bail!("expected {outer}<..>");
    };
    let last = path.path.segments.last().context("an empty type path")?;
    if last.ident != outer {
        bail!("expected {outer}<..>, found {}", last.ident);
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        bail!("{outer} without type arguments");
    };
    let types: Vec<Type> = args
        .args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    types
        .try_into()
        .map_err(|_| anyhow::anyhow!("{outer} with an unexpected number of type arguments"))
}

/// `types::X` as progenitor writes it inside `mod builder`, made absolute.
fn qualify(ty: Type) -> Type {
    let text = quote!(#ty).to_string().replace(' ', "");
    match text.strip_prefix("types::") {
        Some(rest) => syn::parse_str(&format!("crate::types::{rest}")).unwrap_or(ty),
        None => ty,
    }
}

/// The string literal after `operation_id:` in a token stream.
fn operation_id_in(streams: impl Iterator<Item = TokenStream>) -> Option<String> {
    fn walk(stream: TokenStream) -> Option<String> {
        let mut tokens = stream.into_iter().peekable();
        while let Some(token) = tokens.next() {
            match token {
                TokenTree::Ident(ident) if ident == "operation_id" => {
                    if let Some(TokenTree::Punct(p)) = tokens.next()
                        && p.as_char() == ':'
                        && let Some(TokenTree::Literal(lit)) = tokens.next()
                    {
                        let text = lit.to_string();
                        return Some(text.trim_matches('"').to_string());
                    }
                }
                TokenTree::Group(group) => {
                    if let Some(found) = walk(group.stream()) {
                        return Some(found);
                    }
                }
                _ => {}
            }
        }
        None
    }
    streams.into_iter().find_map(walk)
}

/// A Rust constant name for a spec name: `secret_key` → `SECRET_KEY`,
/// `Session-Key` → `SESSION_KEY`.
fn const_name(name: &str) -> syn::Ident {
    let mut text: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        text.insert(0, '_');
    }
    syn::Ident::new(&text, Span::call_site())
}

/// The operations table (`generated_operations.rs`).
fn operations_tokens(doc: &Value, builders: &[Builder]) -> Result<TokenStream> {
    let mut schemes = Vec::new();
    let mut scheme_consts = Vec::new();
    for paynet_spec::SecurityScheme { name, header } in paynet_spec::security_schemes(doc)? {
        let ident = const_name(&name);
        let doc_line =
            format!(" The `{name}` security scheme; its credential travels in `{header}`.");
        schemes.push(quote!(SecurityScheme { name: #name, header: #header }));
        scheme_consts.push(quote!(#[doc = #doc_line] pub const #ident: &str = #name;));
    }
    let mut rows = Vec::new();
    let mut row_names = Vec::new();
    let mut header_consts = BTreeSet::new();
    let mut requests = Vec::new();
    let mut verdicts = Vec::new();
    let mut seen_answers = BTreeSet::new();
    let mut visits = Vec::new();
    for op in paynet_spec::operations(doc) {
        let (path, method) = (op.path(), op.method());
        let id = op
            .id()
            .with_context(|| format!("{method} {path} has no operationId"))?;
        let alternatives = op
            .security()
            .into_iter()
            .map(|names| quote!(&[#(#names),*]));
        let headers: Vec<String> = op
            .header_parameters()?
            .into_iter()
            .map(|header| header.name)
            .collect();
        header_consts.extend(headers.iter().cloned());
        let method_upper = method.to_uppercase();
        let mut success_statuses = Vec::new();
        let mut answer = None;
        for response in op.responses() {
            if let Some(code) = response
                .status
                .parse::<u16>()
                .ok()
                .filter(|s| (200..300).contains(s))
            {
                success_statuses.push(code);
                if answer.is_none()
                    && let Some(schema) = response.schema()?
                {
                    answer = Some(paynet_spec::resolve(doc, schema)?);
                }
            }
        }
        let idempotent_by = match op.idempotent_by() {
            Some(field) => quote!(Some(#field)),
            None => quote!(None),
        };
        let groups: Vec<TokenStream> = match op.request_body_schema()? {
            Some(schema) => paynet_spec::at_least_one_of(paynet_spec::resolve_schema(doc, schema)?)
                .into_iter()
                .map(|group| quote!(&[#(#group),*]))
                .collect(),
            None => Vec::new(),
        };
        let row = const_name(id);
        let row_doc = format!(" The `{id}` row of [`OPERATIONS`].");
        rows.push(quote! {
            #[doc = #row_doc]
            const #row: Operation = Operation {
                id: #id,
                method: #method_upper,
                path: #path,
                security: &[#(#alternatives),*],
                header_parameters: &[#(#headers),*],
                success_statuses: &[#(#success_statuses),*],
                idempotent_by: #idempotent_by,
                at_least_one_of: &[#(#groups),*],
            };
        });
        row_names.push(row.clone());
        let builder = builders
            .iter()
            .find(|b| b.operation_id == id)
            .with_context(|| format!("progenitor wrote no builder for {id}"))?;
        let Builder {
            name,
            response,
            error,
            ..
        } = builder;
        requests.push(quote! {
            impl PaynetRequest for crate::builder::#name<'_> {
                type Response = #response;
                type ErrorBody = #error;
                fn operation() -> &'static Operation {
                    // A constant's reference: promoted to a `'static`, no lookup.
                    &#row
                }
                fn span() -> tracing::Span {
                    tracing::info_span!(#id, status = Empty, result_code = Empty, outcome = Empty)
                }
                fn send_raw(self) -> impl ::std::future::Future<Output = RawExchange> + Send {
                    async move {
                        let (client, request) = self.into_request();
                        client.exchange(Self::operation(), request).await
                    }
                }
            }
        });
        if let Some(field) = op.idempotent_by() {
            requests.push(quote! {
                impl KeyedByTransaction for crate::builder::#name<'_> {
                    const KEYED_BY: &'static str = #field;
                }
            });
        }
        visits.push(quote!(visitor.visit::<#response>(#id);));
        if seen_answers.insert(quote!(#response).to_string()) {
            verdicts.push(verdict_impl(response, answer)?);
        }
    }
    let header_consts = header_consts.iter().map(|header| {
        let ident = const_name(header);
        let doc_line = format!(" The `{header}` header parameter (lower case).");
        quote!(#[doc = #doc_line] pub const #ident: &str = #header;)
    });
    Ok(quote! {
        use tracing::field::Empty;

        use crate::runtime::{
            AnswerVisitor, KeyedByTransaction, Operation, PaynetRequest, RawExchange,
            SecurityScheme, Verdict,
        };

        /// Every operation of `spec/paynet.json`.
        pub static OPERATIONS: &[Operation] = &[#(#row_names),*];

        #(#rows)*

        /// Every security scheme of `spec/paynet.json`, with the header it travels in.
        pub static SECURITY_SCHEMES: &[SecurityScheme] = &[#(#schemes),*];

        /// The names of the spec's security schemes, as its `securitySchemes` spell them.
        pub mod schemes {
            #(#scheme_consts)*
        }

        /// The header parameters the spec's operations take, lower case.
        pub mod headers {
            #(#header_consts)*
        }

        #(#requests)*

        #(#verdicts)*

        /// Calls `visitor` once per operation with the operation's 2xx
        /// answer type, so that code generic over answers (tests that
        /// generate bodies from the spec) covers every operation.
        pub fn visit_answers(visitor: &mut impl AnswerVisitor) {
            #(#visits)*
        }
    })
}

/// `Verdict` for one 2xx answer type: how the generic result mapping reads
/// `code` and `is_succeed` from a decoded answer, with no second pass over
/// the body and no code per endpoint.
fn verdict_impl(response: &Type, schema: Option<&Value>) -> Result<TokenStream> {
    let schema = schema.unwrap_or(&Value::Null);
    let code = verdict_field(schema, "code", Field::Code)?;
    let declares_code = code.is_some();
    let code = code.unwrap_or_else(|| quote!(None));
    let flag = verdict_field(schema, "is_succeed", Field::Flag)?;
    let declared = flag.is_some();
    let flag = flag.unwrap_or_else(|| quote!(None));
    Ok(quote! {
        impl Verdict for #response {
            fn result_code(&self) -> Option<i64> { #code }
            fn is_succeed(&self) -> Option<bool> { #flag }
            fn declares_is_succeed() -> bool { #declared }
            fn declares_code() -> bool { #declares_code }
        }
    })
}

#[derive(Clone, Copy)]
enum Field {
    Code,
    Flag,
}

/// How to read one verdict field of an answer type, from the field's schema.
fn verdict_field(schema: &Value, field: &str, wanted: Field) -> Result<Option<TokenStream>> {
    let Some(property) = schema.pointer(&format!("/properties/{field}")) else {
        return Ok(None);
    };
    let ident = format_ident!("{}", field);
    let reference = paynet_spec::component_name(property);
    let convert = match (
        reference,
        property.get("type").and_then(Value::as_str),
        wanted,
    ) {
        (Some("ResultCode"), _, Field::Code) => quote!(v.code()),
        (Some("Code"), _, Field::Code) => quote!(v.0),
        (Some("Flag"), _, Field::Flag) => quote!(v.get()),
        (None, Some("integer"), Field::Code) => quote!(*v),
        (None, Some("boolean"), Field::Flag) => quote!(*v),
        (None, Some("string"), Field::Code) => {
            return Ok(Some(
                quote!(self.#ident.as_deref().and_then(|v| v.trim().parse().ok())),
            ));
        }
        (None, Some("string"), Field::Flag) => {
            return Ok(Some(
                quote!(self.#ident.as_deref().and_then(|v| v.trim().to_ascii_lowercase().parse().ok())),
            ));
        }
        (reference, kind, _) => bail!(
            "the result mapping cannot read `{field}` of schema {reference:?} / type {kind:?}; extend xtask/src/codegen.rs"
        ),
    };
    Ok(Some(
        if paynet_spec::required_properties(schema).contains(field) {
            quote!(Some({ let v = &self.#ident; #convert }))
        } else {
            quote!(self.#ident.as_ref().map(|v| #convert))
        },
    ))
}
