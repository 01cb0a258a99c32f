//! The complaint and lead forms: flat form fields (`right0_number`, `resp1_name`, `ex_opens_at`)
//! to and from the API's nested [`CaseInput`], and the template data that refills them.

use crate::domain::case::intake::{
    CaseInput, ExhibitionInput, OverseasInput, PartyInput, RightInput,
};
use crate::domain::case::{Channel, OverseasCategory, RightKind, Source, Standing};
use crate::error::FieldError;
use crate::i18n::Lang;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Rows offered for rights and respondents on the form.
pub const ROWS: usize = 3;

/// The submitted form, as sent.
pub type Flat = HashMap<String, String>;

fn get(f: &Flat, k: &str) -> String {
    f.get(k).map(|v| v.trim().to_string()).unwrap_or_default()
}

fn opt(f: &Flat, k: &str) -> Option<String> {
    Some(get(f, k)).filter(|v| !v.is_empty())
}

/// The form as the API's input; empty rows are dropped.
pub fn to_input(f: &Flat) -> CaseInput {
    let rights = (0..ROWS)
        .map(|i| RightInput {
            kind: get(f, &format!("right{i}_kind")),
            number: opt(f, &format!("right{i}_number")),
            title: get(f, &format!("right{i}_title")),
            holder: opt(f, &format!("right{i}_holder")),
        })
        .filter(|r| r.number.is_some() || !r.title.is_empty() || r.holder.is_some())
        .collect();
    let respondents = (0..ROWS)
        .map(|i| PartyInput {
            name: get(f, &format!("resp{i}_name")),
            uscc: opt(f, &format!("resp{i}_uscc")),
            address: opt(f, &format!("resp{i}_address")),
            listing_url: opt(f, &format!("resp{i}_listing_url")),
            ..Default::default()
        })
        .filter(|p| {
            !p.name.is_empty() || p.uscc.is_some() || p.address.is_some() || p.listing_url.is_some()
        })
        .collect();
    let channel = get(f, "channel");
    let exhibition = (channel == "exhibition").then(|| ExhibitionInput {
        name: get(f, "ex_name"),
        venue: get(f, "ex_venue"),
        booth: opt(f, "ex_booth"),
        organiser: opt(f, "ex_organiser"),
        opens_at: get(f, "ex_opens_at"),
        closes_at: get(f, "ex_closes_at"),
    });
    // The station of an exhibition the form offers (its facts then come from its record).
    let exhibition_id = (channel == "exhibition")
        .then(|| opt(f, "ex_id").and_then(|id| id.parse().ok()))
        .flatten();
    let overseas =
        matches!(channel.as_str(), "overseas" | "cross_border_e_commerce").then(|| OverseasInput {
            country: get(f, "os_country"),
            category: get(f, "os_category"),
            foreign_deadline: opt(f, "os_foreign_deadline"),
            time_zone: opt(f, "os_time_zone"),
        });
    let complainant = opt(f, "complainant_name").map(|name| PartyInput {
        name,
        uscc: opt(f, "complainant_uscc"),
        contact_phone: opt(f, "complainant_phone"),
        ..Default::default()
    });
    CaseInput {
        title: opt(f, "title"),
        description: get(f, "description"),
        channel,
        region_code: get(f, "region_code"),
        complainant_standing: opt(f, "complainant_standing"),
        complainant,
        rights,
        respondents,
        exhibition,
        exhibition_id,
        overseas,
        source: opt(f, "source"),
        received_at: opt(f, "received_at"),
    }
}

/// The flat form of an input (to refill the form from a draft).
pub fn from_input(c: &CaseInput) -> Flat {
    let mut f = Flat::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            f.insert(k.to_string(), v.to_string());
        }
    };
    put("title", c.title.as_deref());
    put("description", Some(&c.description));
    put("channel", Some(&c.channel));
    put("region_code", Some(&c.region_code));
    put("complainant_standing", c.complainant_standing.as_deref());
    put("source", c.source.as_deref());
    put("received_at", c.received_at.as_deref());
    if let Some(p) = &c.complainant {
        put("complainant_name", Some(&p.name));
        put("complainant_uscc", p.uscc.as_deref());
        put("complainant_phone", p.contact_phone.as_deref());
    }
    for (i, r) in c.rights.iter().take(ROWS).enumerate() {
        put(&format!("right{i}_kind"), Some(&r.kind));
        put(&format!("right{i}_number"), r.number.as_deref());
        put(&format!("right{i}_title"), Some(&r.title));
        put(&format!("right{i}_holder"), r.holder.as_deref());
    }
    for (i, p) in c.respondents.iter().take(ROWS).enumerate() {
        put(&format!("resp{i}_name"), Some(&p.name));
        put(&format!("resp{i}_uscc"), p.uscc.as_deref());
        put(&format!("resp{i}_address"), p.address.as_deref());
        put(&format!("resp{i}_listing_url"), p.listing_url.as_deref());
    }
    if let Some(id) = c.exhibition_id {
        put("ex_id", Some(&id.to_string()));
    }
    if let Some(e) = &c.exhibition {
        put("ex_name", Some(&e.name));
        put("ex_venue", Some(&e.venue));
        put("ex_booth", e.booth.as_deref());
        put("ex_organiser", e.organiser.as_deref());
        put("ex_opens_at", Some(&e.opens_at));
        put("ex_closes_at", Some(&e.closes_at));
    }
    if let Some(o) = &c.overseas {
        put("os_country", Some(&o.country));
        put("os_category", Some(&o.category));
        put("os_foreign_deadline", o.foreign_deadline.as_deref());
        put("os_time_zone", o.time_zone.as_deref());
    }
    f
}

/// The flat field an API field error belongs to: `rights[1].number` → `right1_number`,
/// `exhibition.opens_at` → `ex_opens_at`. Errors on dropped rows keep their row index because
/// empty rows are only dropped at the end, so the first filled row is index 0.
pub fn flat_field(api_field: &str, rights_rows: &[usize], resp_rows: &[usize]) -> String {
    let row = |s: &str, rows: &[usize]| -> Option<(usize, String)> {
        let (idx, rest) = s.split_once("].")?;
        let i: usize = idx.parse().ok()?;
        Some((rows.get(i).copied().unwrap_or(i), rest.to_string()))
    };
    if let Some(s) = api_field.strip_prefix("rights[")
        && let Some((i, f)) = row(s, rights_rows)
    {
        return format!("right{i}_{f}");
    }
    if let Some(s) = api_field.strip_prefix("respondents[")
        && let Some((i, f)) = row(s, resp_rows)
    {
        return format!("resp{i}_{f}");
    }
    if let Some(f) = api_field.strip_prefix("exhibition.") {
        return format!("ex_{f}");
    }
    if let Some(f) = api_field.strip_prefix("overseas.") {
        return format!("os_{f}");
    }
    if let Some(f) = api_field.strip_prefix("complainant.") {
        return format!(
            "complainant_{}",
            if f == "contact_phone" { "phone" } else { f }
        );
    }
    match api_field {
        "rights" => "right0_title".into(),
        "respondents" => "resp0_name".into(),
        "exhibition_id" => "ex_id".into(),
        other => other.to_string(),
    }
}

/// Which form rows were filled in (the API index → form row).
fn filled_rows(f: &Flat, prefix: &str, fields: &[&str]) -> Vec<usize> {
    (0..ROWS)
        .filter(|i| {
            fields
                .iter()
                .any(|k| !get(f, &format!("{prefix}{i}_{k}")).is_empty())
        })
        .collect()
}

/// The single-line and text fields of the complaint and lead forms (the rows of rights and
/// respondents are listed separately).
const TEXT_FIELDS: [&str; 16] = [
    "title",
    "description",
    "region_code",
    "received_at",
    "complainant_name",
    "complainant_phone",
    "complainant_uscc",
    "ex_name",
    "ex_venue",
    "ex_booth",
    "ex_organiser",
    "ex_opens_at",
    "ex_closes_at",
    "os_country",
    "os_foreign_deadline",
    "os_time_zone",
];

/// `{flat_field: message}` for the template.
pub fn errors_json(f: &Flat, errors: &[FieldError], lang: Lang) -> Value {
    let rights = filled_rows(f, "right", &["number", "title", "holder"]);
    let resps = filled_rows(f, "resp", &["name", "uscc", "address", "listing_url"]);
    let mut map = Map::new();
    for e in errors {
        map.entry(flat_field(&e.field, &rights, &resps))
            .or_insert_with(|| json!(e.message.render(lang)));
    }
    Value::Object(map)
}

fn options(all: Vec<(&'static str, String)>, selected: &str) -> Vec<Value> {
    all.into_iter()
        .map(|(v, key)| json!({"value": v, "key": key, "selected": v == selected}))
        .collect()
}

/// Everything the form template needs: values, rows, options and errors.
pub fn form_json(f: &Flat, errors: Value) -> Value {
    let err = |k: &str| errors.get(k).cloned().unwrap_or(Value::Null);
    let rights: Vec<Value> = (0..ROWS)
        .map(|i| {
            let k = |n: &str| format!("right{i}_{n}");
            json!({
                "i": i, "n": i + 1, "first": i == 0,
                "kind_options": options(
                    RightKind::ALL.iter().map(|r| (r.as_str(), format!("right_kind.{r}"))).collect(),
                    &get(f, &k("kind")),
                ),
                "number": get(f, &k("number")), "right_title": get(f, &k("title")), "holder": get(f, &k("holder")),
                "err_kind": err(&k("kind")), "err_number": err(&k("number")),
                "err_title": err(&k("title")), "err_holder": err(&k("holder")),
            })
        })
        .collect();
    let respondents: Vec<Value> = (0..ROWS)
        .map(|i| {
            let k = |n: &str| format!("resp{i}_{n}");
            json!({
                "i": i, "n": i + 1, "first": i == 0,
                "name": get(f, &k("name")), "uscc": get(f, &k("uscc")),
                "address": get(f, &k("address")), "listing_url": get(f, &k("listing_url")),
                "err_name": err(&k("name")), "err_uscc": err(&k("uscc")),
                "err_address": err(&k("address")), "err_listing_url": err(&k("listing_url")),
            })
        })
        .collect();
    // Every field the templates show, empty until typed.
    let mut values: Map<String, Value> = TEXT_FIELDS
        .iter()
        .map(|k| (k.to_string(), json!("")))
        .collect();
    for (k, v) in f {
        values.insert(k.clone(), json!(v));
    }
    json!({
        "v": values,
        "errors": errors,
        "has_errors": errors.as_object().is_some_and(|m| !m.is_empty()),
        "rights": rights,
        "respondents": respondents,
        "channel_options": options(
            Channel::ALL.iter().map(|c| (c.as_str(), format!("channel.{c}"))).collect(),
            &get(f, "channel"),
        ),
        "standing_options": options(
            Standing::ALL.iter().map(|s| (s.as_str(), format!("standing.{s}"))).collect(),
            &get(f, "complainant_standing"),
        ),
        "category_options": options(
            OverseasCategory::ALL.iter().map(|c| (c.as_str(), format!("overseas_category.{c}"))).collect(),
            &get(f, "os_category"),
        ),
        "source_options": options(
            Source::ALL.iter().filter(|s| **s != Source::Complaint).map(|s| (s.as_str(), format!("source.{s}"))).collect(),
            &get(f, "source"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_fields_map_to_form_fields() {
        assert_eq!(
            flat_field("rights[0].number", &[0, 2], &[]),
            "right0_number"
        );
        assert_eq!(
            flat_field("rights[1].number", &[0, 2], &[]),
            "right2_number"
        );
        assert_eq!(flat_field("respondents[0].uscc", &[], &[1]), "resp1_uscc");
        assert_eq!(flat_field("exhibition.opens_at", &[], &[]), "ex_opens_at");
        assert_eq!(flat_field("overseas.time_zone", &[], &[]), "os_time_zone");
        assert_eq!(flat_field("description", &[], &[]), "description");
        assert_eq!(flat_field("rights", &[], &[]), "right0_title");
    }

    #[test]
    fn a_form_survives_the_round_trip_through_the_input() {
        let mut f = Flat::new();
        for (k, v) in [
            ("description", "在展会上许诺销售侵权产品"),
            ("channel", "exhibition"),
            ("region_code", "320600"),
            ("right0_kind", "invention_patent"),
            ("right0_number", "ZL202310123456.6"),
            ("right0_title", "锂电池隔膜"),
            ("resp1_name", "某某公司"),
            ("ex_name", "工博会"),
            ("ex_venue", "国家会展中心"),
            ("ex_opens_at", "2026-09-22T09:00"),
            ("ex_closes_at", "2026-09-26T17:00"),
        ] {
            f.insert(k.into(), v.into());
        }
        let input = to_input(&f);
        assert_eq!(input.rights.len(), 1);
        assert_eq!(input.respondents.len(), 1);
        assert_eq!(input.respondents[0].name, "某某公司");
        let back = from_input(&input);
        assert_eq!(back.get("right0_number").unwrap(), "ZL202310123456.6");
        // The respondent moved up to the first row.
        assert_eq!(back.get("resp0_name").unwrap(), "某某公司");
        assert_eq!(back.get("ex_closes_at").unwrap(), "2026-09-26T17:00");
    }
}
