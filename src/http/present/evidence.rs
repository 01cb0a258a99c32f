//! Evidence as the API answers it and as the pages and the printable list (证据清单) show it.

use super::{key, local, ts};
use crate::http::api::model;
use crate::service::evidence::EvidenceView;
use serde_json::{Value, json};

/// One item with its hashes and custody steps.
pub fn item_json(e: &EvidenceView) -> model::Evidence {
    model::Evidence {
        id: e.id,
        no: e.no,
        label: e.label.clone(),
        kind: e.kind.as_str().to_string(),
        kind_key: key("evidence_kind", e.kind.as_str()),
        description: e.description.clone(),
        obtained_at: e.obtained_at.map(|d| d.to_string()),
        original_name: e.original_name.clone(),
        sha256: e.sha256.clone(),
        sm3: e.sm3.clone(),
        sm3_at: e.sm3_at.map(ts),
        size: e.size,
        media_type: e.media_type.clone(),
        previewable: e.previewable(),
        uploader: model::Uploader {
            user_id: e.uploader_user_id,
            name: e.uploader.clone(),
            org_id: e.uploader_org_id,
        },
        uploaded_at: ts(e.uploaded_at),
        withdrawn: e.withdrawn.as_ref().map(|w| model::Withdrawal {
            at: ts(w.at),
            by_user_id: w.by_user_id,
            reason: w.reason.clone(),
        }),
        custody: e
            .custody
            .iter()
            .map(|c| model::CustodyStep {
                event: c.kind.to_string(),
                event_key: c.kind.key(),
                at: ts(c.at),
                actor: c.actor.clone(),
            })
            .collect(),
    }
}

/// One item on a page: [`item_json`] with local times.
pub fn item_row(e: &EvidenceView) -> Value {
    let mut j = super::value(item_json(e));
    j["uploaded_local"] = json!(local(e.uploaded_at));
    // The table shows the start of each hash; the whole value is one click away.
    j["sha256_short"] = json!(short_hash(&e.sha256));
    j["sm3_short"] = json!(e.sm3.as_deref().map(short_hash));
    for (c, step) in j["custody"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .zip(&e.custody)
    {
        c["at_local"] = json!(local(step.at));
    }
    j
}

/// The first 12 characters of a hex digest, for a table cell too narrow for all 64.
fn short_hash(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

/// The data of the printable evidence list (证据清单), for the page and the zip.
pub fn list_data(case_number: &str, title: &str, items: &[EvidenceView]) -> Value {
    json!({
        "case_number": case_number, "case_title": title,
        "items": items.iter().map(item_json).collect::<Vec<_>>(),
    })
}
