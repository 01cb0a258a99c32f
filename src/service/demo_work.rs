//! Demo cases worked through their queues, so that every queue and most stages have a case to
//! look at: a ruling case in its answer period, one decided and published, one suspended; an
//! exhibition complaint waiting for the exhibitor's statement at an open exhibition; an overseas
//! request with an expert assigned. Worked through the same services as real work.

use super::intake::Filed;
use super::workflow::{ActionRequest, act};
use super::{Ctx, Identity, documents, triage};
use crate::domain::workflow::Document;
use crate::error::Result;
use crate::store;
use serde_json::{Value, json};

/// The demo users who work the cases.
pub struct Workers<'a> {
    pub triager: &'a Identity,
    pub officer: &'a Identity,
    pub supervisor: &'a Identity,
    pub panel: [i64; 3],
}

/// Takes the `steps` on case `id` in order.
async fn steps(cx: &Ctx, who: &Identity, id: i64, steps: &[(&str, Value)]) -> Result<i64> {
    let mut version = store::cases::find(cx.db.conn(), id)
        .await?
        .map(|c| c.version)
        .unwrap_or(0);
    for (action, fields) in steps {
        let req = ActionRequest {
            action: action.to_string(),
            at: None,
            expected_version: Some(version),
            fields: fields.as_object().cloned().unwrap_or_default(),
        };
        // Each step a moment after the one before, as an officer would take them.
        version = act(&cx.renewed(), who, id, req).await?.version;
    }
    Ok(version)
}

/// Routes a demo case waiting for triage into `queue`.
pub async fn route(cx: &Ctx, w: &Workers<'_>, f: &Filed, queue: &str) -> Result<()> {
    let version = store::cases::find(cx.db.conn(), f.id)
        .await?
        .map(|c| c.version)
        .unwrap_or(f.version);
    triage::decide(
        &cx.renewed(),
        w.triager,
        f.id,
        triage::TriageRequest {
            action: "route".into(),
            queue: Some(queue.into()),
            expected_version: Some(version),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

async fn issue(cx: &Ctx, who: &Identity, id: i64, kind: Document) -> Result<()> {
    let version = store::cases::find(cx.db.conn(), id)
        .await?
        .map(|c| c.version);
    documents::issue(&cx.renewed(), who, id, kind, version).await?;
    Ok(())
}

/// A ruling case docketed with its panel, served and in its answer period.
pub async fn in_answer_period(cx: &Ctx, w: &Workers<'_>, id: i64) -> Result<()> {
    steps(
        cx,
        w.officer,
        id,
        &[
            (
                "docket",
                json!({"panel_user_ids": w.panel, "asserted_claims": "权利要求1-3"}),
            ),
            ("serve_respondent", json!({"method": "post"})),
            ("record_receipt", json!({})),
        ],
    )
    .await?;
    issue(cx, w.officer, id, Document::Acceptance).await?;
    issue(cx, w.officer, id, Document::AnswerNotice).await?;
    // The office asks the requester for material on the 沟通 card, by a date a week ahead.
    let due = (crate::domain::time::in_beijing(cx.now).date_naive() + chrono::Days::new(7))
        .format("%Y-%m-%d")
        .to_string();
    super::messages::post(
        &cx.renewed(),
        w.officer,
        id,
        super::messages::NewMessage {
            body: "请补充涉案专利的年费缴纳凭证和最新的专利登记簿副本，以便核实专利权有效。".into(),
            material_due: Some(due),
            evidence_ids: Vec::new(),
        },
    )
    .await?;
    Ok(())
}

/// A ruling case taken to its published ruling.
pub async fn published(cx: &Ctx, w: &Workers<'_>, id: i64) -> Result<()> {
    steps(
        cx,
        w.officer, id, &[
        ("docket", json!({"panel_user_ids": w.panel, "asserted_claims": "权利要求1、2"})),
        ("serve_respondent", json!({"method": "direct"})),
        ("record_receipt", json!({})),
        ("receive_answer", json!({"summary": "被请求人认为其产品采用不同的技术方案，不落入保护范围。"})),
        ("forward_answer", json!({})),
        ("written_review", json!({"reason": "事实清楚，双方同意书面审理。"})),
        ("record_deliberation", json!({"votes_for": 3, "votes_against": 0,
            "opinion": "被控产品包含权利要求1的全部技术特征，侵权成立。"})),
        ("decide", json!({"outcome": "infringement",
            "findings": "经比对，被控侵权产品包含涉案专利权利要求1、2记载的全部技术特征，落入专利权的保护范围。",
            "order": "被请求人立即停止制造、销售、许诺销售被控侵权产品，并销毁专用模具。"})),
        ("publish", json!({"where": "南通市知识产权局网站 行政裁决公开栏"})),
    ])
    .await?;
    issue(cx, w.officer, id, Document::Ruling).await
}

/// A ruling case suspended because the utility model's invalidation was accepted.
pub async fn suspended(cx: &Ctx, w: &Workers<'_>, id: i64) -> Result<()> {
    steps(
        cx,
        w.officer,
        id,
        &[
            (
                "docket",
                json!({"panel_user_ids": w.panel, "asserted_claims": "权利要求1"}),
            ),
            (
                "serve_respondent",
                json!({"method": "electronic", "consent_recorded": true}),
            ),
            (
                "suspend",
                json!({"ground": "invalidation_accepted",
            "reason": "被请求人提交了国家知识产权局受理涉案实用新型专利无效宣告请求的通知书。"}),
            ),
        ],
    )
    .await?;
    issue(cx, w.officer, id, Document::Suspension).await?;
    // A month more for the ruling, asked of the department head: it waits in the approvals inbox.
    let version = store::cases::find(cx.db.conn(), id)
        .await?
        .map(|c| c.version);
    super::deadlines::extension(
        &cx.renewed(),
        w.officer,
        id,
        "ar.closing",
        super::deadlines::ExtensionRequest {
            action: "request".into(),
            tier: Some("department_head".into()),
            amount: Some(1),
            reason: Some("无效宣告审查结论作出后需重新进行技术比对。".into()),
            expected_version: version,
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// An exhibition complaint at the station, transferred, the exhibitor notified.
pub async fn at_the_fair(cx: &Ctx, w: &Workers<'_>, id: i64) -> Result<()> {
    steps(
        cx,
        w.officer,
        id,
        &[
            ("transfer", json!({"note": "投诉材料齐全，移交本局处理。"})),
            ("notify_respondent", json!({})),
        ],
    )
    .await
    .map(|_| ())
}

/// An overseas request accepted, eligible for the mutual-aid fund, an expert assigned.
pub async fn overseas(cx: &Ctx, w: &Workers<'_>, id: i64) -> Result<()> {
    let expert = store::workflow::experts(cx.db.conn())
        .await?
        .into_iter()
        .find(|e| e.fields.contains("跨境"))
        .map(|e| e.id)
        .unwrap_or(1);
    steps(
        cx,
        w.officer,
        id,
        &[
            (
                "record_eligibility",
                json!({"eligible": ["mutual_aid_fund", "expert_consultation"]}),
            ),
            ("accept", json!({})),
            ("assign_expert", json!({"expert_id": expert})),
        ],
    )
    .await?;
    steps(
        cx,
        w.supervisor, id, &[
        ("approve_evidence_export", json!({
            "checks": ["state_secrets", "data_security", "personal_information", "technology_export", "judicial_assistance"],
            "destination": "美国", "note": "仅限公证购买记录和平台页面截图"})),
    ])
    .await
    .map(|_| ())
}
