//! Overseas mutual-aid funds (海外维权互助基金): a supervisor sets a fund up; the enterprise applies
//! from its overseas case with its invoices; the supervisor decides and pays; payouts never pass
//! the decision or the year's budget, also two at once; a panel decides large claims; who sees
//! what; refused input.

use crate::evidence::upload_pdf;
use crate::fixtures::{Api, kinds};
use crate::helpers::TestApp;
use chrono::{Datelike, FixedOffset, Utc};
use serde_json::{Value, json};

fn this_year() -> i32 {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .year()
}

fn today() -> String {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
        .to_string()
}

/// A fund of 南通市知识产权局 (demo-supervisor reviews) with `budget` fen this year.
async fn new_fund(app: &TestApp, budget: i64, share: i32, threshold: i64) -> (Api, i64) {
    let sup = app.api_as("demo-supervisor").await;
    let (status, fund) = sup
        .post(
            "/api/v1/funds",
            &json!({
                "name": "南通市海外知识产权维权互助基金",
                "categories": ["us_337", "cross_border_platform_takedown"],
                "max_per_case_fen": 50_000_000,
                "self_share_percent": share,
                "panel_threshold_fen": threshold,
                "rules": "会员企业遭遇海外知识产权纠纷的应对费用，按比例资助。",
                "year": this_year(),
                "budget_fen": budget,
            }),
        )
        .await;
    assert_eq!(status, 201, "{fund}");
    assert_eq!(fund["can_review"], true);
    (sup, fund["id"].as_i64().unwrap())
}

/// An overseas (US 337) complaint of demo-enterprise, routed, with an invoice it uploaded: the
/// case's id and the invoice's.
async fn overseas_case(app: &TestApp, ent: &Api) -> (i64, i64) {
    let overseas = json!({"overseas": {"country": "US", "category": "us_337"}});
    let case = app
        .complaint()
        .routed_with("overseas_assistance", overseas)
        .file()
        .await;
    let invoice = upload_pdf(ent, case.id, "invoice", "律师费发票.pdf").await;
    (case.id, invoice)
}

async fn apply(ent: &Api, fund: i64, case: i64, claimed: i64, evidence: &[i64]) -> (u16, Value) {
    ent.post(
        &format!("/api/v1/funds/{fund}/applications"),
        &json!({"case_id": case, "claimed_fen": claimed,
                "costs": "美国337调查应诉律师费、翻译费", "evidence_ids": evidence}),
    )
    .await
}

async fn decide(by: &Api, id: i64, body: Value) -> (u16, Value) {
    by.post(&format!("/api/v1/fund-applications/{id}/decision"), &body)
        .await
}

async fn pay(by: &Api, id: i64, amount: i64, reference: &str) -> (u16, Value) {
    by.post(
        &format!("/api/v1/fund-applications/{id}/payouts"),
        &json!({"amount_fen": amount, "paid_on": today(), "reference": reference}),
    )
    .await
}

fn field(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_application_from_an_overseas_case_is_decided_and_paid_within_its_grant() {
    let app = TestApp::spawn().await;
    let (sup, fund) = new_fund(&app, 20_000_000, 30, 20_000_000).await;
    let ent = app.api_as("demo-enterprise").await;
    let (case, invoice) = overseas_case(&app, &ent).await;

    // The enterprise sees the fund's rules, not its books.
    let (_, seen) = ent.get(&format!("/api/v1/funds/{fund}")).await;
    assert_eq!(seen["fund"]["self_share_percent"], 30);
    assert!(seen["fund"].get("budget").is_none(), "{seen}");
    assert_eq!(seen["ledger"], json!([]));

    // 120,000 yuan claimed, 30 % its own share: at most 84,000 granted, by one supervisor.
    let (status, a) = apply(&ent, fund, case, 12_000_000, &[invoice]).await;
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["state"], "submitted");
    assert_eq!(a["cap_fen"], 8_400_000);
    assert_eq!(a["panel"], false);
    assert_eq!(a["evidence_ids"], json!([invoice]));
    // One waiting application per case and fund, also when the form is sent twice at once.
    let (status, twice) = apply(&ent, fund, case, 100, &[invoice]).await;
    assert_eq!(status, 409, "{twice}");
    let (other_case, other_invoice) = overseas_case(&app, &ent).await;
    let proof = [other_invoice];
    let (x, y) = tokio::join!(
        apply(&ent, fund, other_case, 100, &proof),
        apply(&ent, fund, other_case, 100, &proof),
    );
    let mut both = [x.0, y.0];
    both.sort_unstable();
    assert_eq!(both, [201, 409], "{x:?} {y:?}");

    // The supervisor of the managing office hears of it and reads the case (shared for reading).
    let (_, notes) = sup.get("/api/v1/notifications").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["case_id"] == case && n["text"].as_str().unwrap().contains("互助基金")),
        "{notes}"
    );
    assert_eq!(sup.get(&format!("/api/v1/cases/{case}")).await.0, 200);
    // An officer of the office does not decide an ordinary claim; another enterprise sees nothing.
    let officer = app.api_as("demo-officer").await;
    let approve = |amount: i64| json!({"outcome": "approve", "amount_fen": amount, "reasons": "符合基金资助条件"});
    assert_eq!(decide(&officer, id, approve(100)).await.0, 403);
    let other = app.api_as("demo-enterprise2").await;
    assert_eq!(
        other
            .get(&format!("/api/v1/fund-applications/{id}"))
            .await
            .0,
        404
    );
    let (_, theirs) = other
        .get(&format!("/api/v1/funds/{fund}/applications"))
        .await;
    assert_eq!(theirs["items"], json!([]));

    // Above the cap is refused; within it, approved once.
    let (status, over) = decide(&sup, id, approve(8_400_001)).await;
    assert_eq!(status, 422, "{over}");
    assert_eq!(field(&over), ["amount_fen"]);
    let (status, decided) = decide(&sup, id, approve(8_000_000)).await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["state"], "approved");
    assert_eq!(decided["approved_fen"], 8_000_000);
    assert_eq!(decide(&sup, id, approve(100)).await.0, 409);

    // Paid in two parts; a third that would pass the grant is refused and changes nothing.
    let (status, paid) = pay(&sup, id, 5_000_000, "记账凭证 2026-118").await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["paid_fen"], 5_000_000);
    assert_eq!(
        ent.post(
            &format!("/api/v1/fund-applications/{id}/payouts"),
            &json!({"amount_fen": 1, "paid_on": today(), "reference": "x"})
        )
        .await
        .0,
        403
    );
    let (status, over) = pay(&sup, id, 3_000_001, "记账凭证 2026-119").await;
    assert_eq!(status, 422, "{over}");
    assert_eq!(field(&over), ["amount_fen"]);
    let (status, rest) = pay(&sup, id, 3_000_000, "记账凭证 2026-120").await;
    assert_eq!(status, 201, "{rest}");
    assert_eq!(rest["paid_fen"], 8_000_000);
    assert_eq!(rest["can_pay"], false);

    // The maximum is per case: a second application from it may be granted what is left.
    let (status, again) = apply(&ent, fund, case, 100_000_000, &[invoice]).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["cap_fen"], 50_000_000 - 8_000_000);

    // The enterprise reads the decision and the payouts, and heard of both.
    let (_, mine) = ent.get(&format!("/api/v1/fund-applications/{id}")).await;
    assert_eq!(mine["reasons"], "符合基金资助条件");
    assert_eq!(mine["votes"], json!([]), "the votes are the reviewers'");
    assert_eq!(mine["payouts"].as_array().unwrap().len(), 2);
    let (_, events) = ent.get(&format!("/api/v1/cases/{case}/events")).await;
    let k = kinds(&events);
    for kind in ["fund_applied", "fund_decided", "fund_paid"] {
        assert!(k.contains(&kind), "{kind} in {k:?}");
    }
    let (_, notes) = ent.get("/api/v1/notifications").await;
    let texts: Vec<&str> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["text"].as_str())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("已决定") && t.contains("80,000.00")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("已拨付") && t.contains("30,000.00"))
    );

    // The fund's books: the budget less what was paid, the ledger with its balances, figures.
    let (_, books) = sup.get(&format!("/api/v1/funds/{fund}")).await;
    assert_eq!(books["fund"]["budget"]["remaining_fen"], 12_000_000);
    let ledger = books["ledger"].as_array().unwrap();
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[0]["amount_fen"], 3_000_000);
    assert_eq!(ledger[0]["balance_fen"], 12_000_000);
    assert_eq!(ledger[1]["balance_fen"], 15_000_000);
    let year = &books["figures"][0];
    assert_eq!(year["year"], this_year());
    // This application, the one sent twice at once, and the second from the first case.
    assert_eq!(year["applications"], 3);
    assert_eq!(year["open"], 2);
    assert_eq!(year["approved"], 1);
    assert_eq!(year["claimed_fen"], 12_000_000 + 100 + 100_000_000);
    assert_eq!(year["approved_fen"], 8_000_000);
    assert_eq!(year["paid_fen"], 8_000_000);
}

#[tokio::test]
async fn two_payouts_that_together_pass_the_budget_or_the_grant_one_is_refused() {
    let app = TestApp::spawn().await;
    let (sup, fund) = new_fund(&app, 10_000_000, 0, 40_000_000).await;
    let ent = app.api_as("demo-enterprise").await;
    let mut ids = Vec::new();
    for (claimed, grant) in [(6_000_000, 6_000_000), (4_000_000, 4_000_000)] {
        let (case, invoice) = overseas_case(&app, &ent).await;
        let (status, a) = apply(&ent, fund, case, claimed, &[invoice]).await;
        assert_eq!(status, 201, "{a}");
        let id = a["id"].as_i64().unwrap();
        let (status, d) = decide(
            &sup,
            id,
            json!({"outcome": "approve", "amount_fen": grant, "reasons": "同意"}),
        )
        .await;
        assert_eq!(status, 200, "{d}");
        ids.push(id);
    }
    // A third grant would pass what the year has left to give.
    let (case, invoice) = overseas_case(&app, &ent).await;
    let (_, third) = apply(&ent, fund, case, 100, &[invoice]).await;
    let (status, refused) = decide(
        &sup,
        third["id"].as_i64().unwrap(),
        json!({"outcome": "approve", "amount_fen": 100, "reasons": "同意"}),
    )
    .await;
    assert_eq!(status, 422, "{refused}");

    // The budget is cut to 8,000,000 (nothing paid yet): both grants stand, both cannot be paid.
    let (status, cut) = sup
        .post(
            &format!("/api/v1/funds/{fund}/budgets"),
            &json!({"year": this_year(), "amount_fen": 8_000_000}),
        )
        .await;
    assert_eq!(status, 200, "{cut}");
    // The page's books say that 2,000,000 of the grants cannot be paid.
    assert_eq!(cut["budgets"][0]["unpaid_grants_fen"], 10_000_000);
    assert_eq!(cut["budgets"][0]["remaining_fen"], 8_000_000);
    let sup2 = app.api_as("demo-supervisor").await;
    let (a, b) = tokio::join!(
        pay(&sup, ids[0], 6_000_000, "凭证 A"),
        pay(&sup2, ids[1], 4_000_000, "凭证 B"),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{a:?} {b:?}");
    let (_, books) = sup.get(&format!("/api/v1/funds/{fund}")).await;
    let paid = books["fund"]["budget"]["paid_fen"].as_i64().unwrap();
    assert!(paid == 6_000_000 || paid == 4_000_000, "{books}");
    assert_eq!(books["ledger"].as_array().unwrap().len(), 1);
    // The budget cannot be cut below what was paid.
    let (status, below) = sup
        .post(
            &format!("/api/v1/funds/{fund}/budgets"),
            &json!({"year": this_year(), "amount_fen": paid - 1}),
        )
        .await;
    assert_eq!(status, 422, "{below}");

    // Two payouts on one grant that together pass it (the budget raised again): one is refused.
    let (status, _) = sup
        .post(
            &format!("/api/v1/funds/{fund}/budgets"),
            &json!({"year": this_year(), "amount_fen": 100_000_000}),
        )
        .await;
    assert_eq!(status, 200);
    let open = if paid == 6_000_000 { ids[1] } else { ids[0] };
    let left = if paid == 6_000_000 {
        4_000_000
    } else {
        6_000_000
    };
    let half = left / 2 + 1;
    let (a, b) = tokio::join!(
        pay(&sup, open, half, "凭证 C"),
        pay(&sup2, open, half, "凭证 D"),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{a:?} {b:?}");
    let (_, app_now) = sup.get(&format!("/api/v1/fund-applications/{open}")).await;
    assert_eq!(app_now["paid_fen"], half);
}

#[tokio::test]
async fn a_panel_decides_a_large_claim_with_its_last_vote_a_supervisors() {
    let app = TestApp::spawn().await;
    let (sup, fund) = new_fund(&app, 100_000_000, 30, 1_000_000).await;
    let ent = app.api_as("demo-enterprise").await;
    let (case, invoice) = overseas_case(&app, &ent).await;
    let (_, a) = apply(&ent, fund, case, 12_000_000, &[invoice]).await;
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["state"], "panel");
    assert_eq!(a["panel"], true);
    let vote = |outcome: &str, amount: Option<i64>, why: &str| json!({"outcome": outcome, "amount_fen": amount, "reasons": why});
    let o1 = app.api_as("demo-officer").await;
    let o2 = app.api_as("demo-officer2").await;
    let o3 = app.api_as("demo-officer3").await;
    let (status, one) = decide(&o1, id, vote("approve", Some(5_000_000), "费用真实")).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["state"], "panel");
    assert_eq!(one["votes"].as_array().unwrap().len(), 1);
    assert_eq!(decide(&o1, id, vote("decline", None, "改票")).await.0, 409);
    let (status, _) = decide(&o2, id, vote("approve", Some(4_000_000), "同意，酌减")).await;
    assert_eq!(status, 200);
    // The last seat is a supervisor's when none has voted.
    let (status, refused) = decide(&o3, id, vote("approve", Some(4_000_000), "同意")).await;
    assert_eq!(status, 409, "{refused}");
    let (status, done) = decide(&sup, id, vote("decline", None, "证据不足")).await;
    assert_eq!(status, 200, "{done}");
    // Two of three approve: the smaller amount they approved.
    assert_eq!(done["state"], "approved");
    assert_eq!(done["approved_fen"], 4_000_000);
    assert_eq!(done["reasons"], "费用真实\n同意，酌减");
    let (_, events) = sup.get(&format!("/api/v1/cases/{case}/events")).await;
    assert_eq!(
        kinds(&events)
            .iter()
            .filter(|k| **k == "fund_voted")
            .count(),
        2
    );
    // The case's readers learn that votes were cast, not how each member voted.
    let voted: Vec<&Value> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "fund_voted")
        .collect();
    assert!(
        voted
            .iter()
            .all(|e| e["payload"].get("amount_fen").is_none()),
        "{voted:?}"
    );
    // The enterprise does not see the panel's internal votes.
    let (_, public) = ent.get(&format!("/api/v1/cases/{case}/events")).await;
    assert!(!kinds(&public).contains(&"fund_voted"));
}

#[tokio::test]
async fn funds_refuse_what_they_do_not_cover_and_who_may_not() {
    let app = TestApp::spawn().await;
    let ent = app.api_as("demo-enterprise").await;
    // Only a supervisor of an IP office or centre sets a fund up; bad fields come back named.
    for who in ["demo-enterprise", "demo-officer", "demo-industry"] {
        let by = app.api_as(who).await;
        let (status, _) = by.post("/api/v1/funds", &json!({"name": "x"})).await;
        assert_eq!(status, 403, "{who}");
    }
    let sup = app.api_as("demo-supervisor").await;
    let (status, bad) = sup
        .post(
            "/api/v1/funds",
            &json!({"name": "基", "categories": ["moon"], "max_per_case_fen": 0,
                    "self_share_percent": 95, "panel_threshold_fen": -1, "rules": "",
                    "year": 1900, "budget_fen": i64::MAX}),
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(
        field(&bad),
        [
            "name",
            "categories",
            "max_per_case_fen",
            "self_share_percent",
            "panel_threshold_fen",
            "year",
            "budget_fen"
        ]
    );
    let (_, funds) = sup.get("/api/v1/funds").await;
    assert_eq!(funds["items"], json!([]), "nothing half-written");

    let (_, fund) = new_fund(&app, 10_000_000, 30, 40_000_000).await;
    // Not an overseas case: refused.
    let plain = app.complaint().routed("administrative_ruling").file().await;
    let receipt = upload_pdf(&ent, plain.id, "invoice", "发票.pdf").await;
    let (status, not) = apply(&ent, fund, plain.id, 100, &[receipt]).await;
    assert_eq!(status, 409, "{not}");
    // Evidence of another case, or none, is refused; so is a case the enterprise did not file.
    let (case, _) = overseas_case(&app, &ent).await;
    let (status, wrong) = apply(&ent, fund, case, 100, &[receipt]).await;
    assert_eq!(status, 422, "{wrong}");
    assert_eq!(field(&wrong), ["evidence_ids"]);
    let (status, none) = apply(&ent, fund, case, 0, &[]).await;
    assert_eq!(status, 422);
    assert_eq!(field(&none), ["claimed_fen", "evidence_ids"]);
    let other = app.api_as("demo-enterprise2").await;
    let (status, theirs) = apply(&other, fund, case, 100, &[1]).await;
    assert_eq!(status, 422, "{theirs}");
    assert_eq!(field(&theirs), ["case_id"]);
    // An office that neither manages nor oversees the fund does not list its applications.
    let industry = app.api_as("demo-industry").await;
    assert_eq!(
        industry
            .get(&format!("/api/v1/funds/{fund}/applications"))
            .await
            .0,
        403
    );
    assert_eq!(ent.get("/api/v1/funds/999999").await.0, 404);
}
