//! English for the words Paynet's pages give only in Turkish.
//!
//! The vendor pages in `spec/vendor/` stay verbatim, and the SoftPOS family
//! documents its fields in Turkish only ("Sonuç kodu."). The normaliser
//! gives each such text its English from this table, keeping the Turkish
//! term beside it, so that every generated type, field and builder reads in
//! English and a user who searches for Paynet's word still finds it. A text
//! of a page that is not here stays as the page wrote it, and `cargo xtask
//! check-docs` names it: add its row here.
//!
//! Keys are the page's text with surrounding whitespace trimmed; values are
//! the English, written for this project.

use serde_json::Value;

/// (the page's text, its English).
pub const GLOSSARY: &[(&str, &str)] = &[
    // Operations (summary and description).
    (
        "Oturum Anahtarı – get_auth_key",
        "SoftPOS session key (Oturum Anahtarı – get_auth_key)",
    ),
    (
        "Mobil servisler için oturum anahtarı (session_key) verir.\nYalnızca IP adresi Paynet'e bildirilmiş sunucular çağırabilir.",
        "Issues a mobile session key (oturum anahtarı, `session_key`) for the SoftPOS services, which take it in their `Session-Key` header. Only servers whose IP address is registered with Paynet may call it (yalnızca IP adresi Paynet'e bildirilmiş sunucular).",
    ),
    (
        "İptal / İade Başlatma",
        "SoftPOS reversal start: cancel or refund (İptal / İade Başlatma)",
    ),
    // Responses.
    ("Başarılı", "Success (başarılı)."),
    // Header parameters.
    (
        "Mobil oturum anahtarı.",
        "The mobile session key (mobil oturum anahtarı), obtained by the merchant's server with `get_auth_key`.",
    ),
    (
        "Mobil istek olduğunu bildirir.",
        "Says that the request is a mobile (SoftPOS) one (mobil istek olduğunu bildirir); the page's example value is `2`.",
    ),
    // Fields.
    ("Bayi kodu.", "The dealer's code (bayi kodu)."),
    (
        "Kullanıcı kodu.",
        "The user's code (kullanıcı kodu), for example a cashier's.",
    ),
    (
        "Anahtarın geçerlilik sonu.",
        "When the key stops being valid (anahtarın geçerlilik sonu), as Paynet sends it: Turkish local time, usually without an offset.",
    ),
    (
        "Ana firma kodu.",
        "The main company's code (ana firma kodu).",
    ),
    (
        "Kullanıcının tekil kodu.",
        "The user's unique code (kullanıcının tekil kodu).",
    ),
    (
        "ÖKC muafiyet sorgusunun sonucu.",
        "The result of the inquiry whether the dealer is exempt from a fiscal cash register (ÖKC muafiyet sorgusunun sonucu).",
    ),
    ("Nesne adı.", "The answer's object name (nesne adı)."),
    ("Obje türü.", "The answer's object type (obje türü)."),
    (
        "Sonuç kodu.",
        "Paynet's result code (sonuç kodu): 0 is success; see `ResultCode`.",
    ),
    ("Sonuç mesajı.", "Paynet's message (sonuç mesajı)."),
    (
        "Hata kodu.",
        "Paynet's result code for the error (hata kodu); see `ResultCode`.",
    ),
    ("Hata mesajı.", "The error message (hata mesajı)."),
    (
        "İşlemin Id'sinin şifrelenmiş hali.",
        "The transaction's id in its encrypted form (işlemin Id'sinin şifrelenmiş hali). The page does not say where a service gets it; the transaction check page calls the `xk_...` `xact_id` the encrypted transaction number (işlem numarası, şifreli), beside the plain number `id`.",
    ),
    (
        "Referans numarası.",
        "The merchant's reference number (referans numarası).",
    ),
    (
        "Deeplink ile mobil uygulamaya geri dönülecek adres.",
        "The address the PayPOS app returns to the merchant's mobile app by deep link (deeplink ile mobil uygulamaya geri dönülecek adres).",
    ),
    (
        "Payment Session Id.",
        "The payment session's id (Payment Session Id).",
    ),
    (
        "Deeplink adresi.",
        "The deep link that opens the PayPOS app to finish the reversal (deeplink adresi).",
    ),
    (
        "Şifreleme anahtarı.",
        "The key the PayPOS app uses for the payment session (şifreleme anahtarı).",
    ),
];

/// The English for a page's text, if the glossary has it.
pub fn english(text: &str) -> Option<&'static str> {
    let text = text.trim();
    GLOSSARY
        .iter()
        .find(|(page, _)| *page == text)
        .map(|(_, english)| *english)
}

/// Keys whose value is data, not a definition: never looked into.
const DATA: [&str; 5] = ["example", "examples", "enum", "default", "const"];

/// Keys whose object value maps names (of properties, parameters, ...) to
/// definitions: a name there is not a keyword, so a property called
/// `description` is not a description.
const NAME_MAPS: [&str; 9] = [
    "properties",
    "paths",
    "schemas",
    "parameters",
    "responses",
    "content",
    "headers",
    "securitySchemes",
    "requestBodies",
];

/// Every `description` and `summary` text of `doc`, as (a JSON pointer to
/// it, the text), mutable.
fn texts_mut(doc: &mut Value) -> Vec<(String, &mut String)> {
    fn walk<'a>(
        value: &'a mut Value,
        at: String,
        names: bool,
        out: &mut Vec<(String, &'a mut String)>,
    ) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    let here = format!("{at}/{}", paynet_spec::escape(key));
                    if names {
                        walk(child, here, false, out);
                        continue;
                    }
                    if DATA.contains(&key.as_str()) || key.starts_with("x-") {
                        continue;
                    }
                    let names = NAME_MAPS.contains(&key.as_str()) && child.is_object();
                    if (key == "description" || key == "summary") && child.is_string() {
                        if let Value::String(text) = child {
                            out.push((here, text));
                        }
                    } else {
                        walk(child, here, names, out);
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter_mut().enumerate() {
                    walk(item, format!("{at}/{index}"), false, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, String::new(), false, &mut out);
    out
}

/// Gives every text of `doc` that the glossary knows its English; returns
/// how many it changed.
pub fn translate(doc: &mut Value) -> usize {
    let mut changed = 0;
    for (_, text) in texts_mut(doc) {
        if let Some(english) = english(text) {
            *text = english.to_string();
            changed += 1;
        }
    }
    changed
}

/// The texts of a vendor page's document that are neither a text the
/// glossary knows nor its English, as (a JSON pointer to it, the text):
/// what would read in Turkish only. A page's `info` and `servers` are left
/// out: the merged document takes them from `spec/openapi/base.json`.
pub fn untranslated(doc: &Value) -> Vec<(String, String)> {
    let mut doc = doc.clone();
    texts_mut(&mut doc)
        .into_iter()
        .filter(|(at, _)| !at.starts_with("/info/") && !at.starts_with("/servers/"))
        .filter(|(_, text)| {
            english(text).is_none() && !GLOSSARY.iter().any(|(_, english)| english == text)
        })
        .map(|(at, text)| (at, text.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn translates_descriptions_and_summaries_but_not_names_or_data() {
        let mut doc = json!({
            "paths": {"/x": {"post": {"summary": "İptal / İade Başlatma", "responses": {
                "200": {"description": " Başarılı "}}}}},
            "components": {"schemas": {"A": {"type": "object", "properties": {
                "description": {"type": "string", "description": "Bayi kodu."},
                "code": {"type": "integer", "description": "Sonuç kodu.", "example": {"description": "Bayi kodu."}},
                "other": {"type": "string", "description": "Bilinmeyen."}
            }}}}
        });
        assert_eq!(translate(&mut doc), 4);
        assert_eq!(
            doc["paths"]["/x"]["post"]["summary"],
            "SoftPOS reversal start: cancel or refund (İptal / İade Başlatma)"
        );
        assert_eq!(
            doc["paths"]["/x"]["post"]["responses"]["200"]["description"],
            "Success (başarılı)."
        );
        let a = &doc["components"]["schemas"]["A"]["properties"];
        assert_eq!(
            a["description"]["description"],
            "The dealer's code (bayi kodu)."
        );
        assert_eq!(a["code"]["example"], json!({"description": "Bayi kodu."}));
        assert_eq!(
            untranslated(&doc),
            [(
                "/components/schemas/A/properties/other/description".to_string(),
                "Bilinmeyen.".to_string()
            )]
        );
    }

    #[test]
    fn every_english_keeps_a_turkish_term_or_is_the_page_s_own_english() {
        for (page, english) in GLOSSARY {
            assert!(english.contains('('), "{page}: no term beside the English");
        }
    }
}
