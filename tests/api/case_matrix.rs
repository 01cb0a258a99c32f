//! The permission matrix of the case endpoints (issue 3): every case endpoint × every user (all
//! demo users, an officer of another province, anonymous callers and a bad token) × cases in every
//! relation to them: own filing, own office, shared `read`, shared `contribute`, a revoked share,
//! referred to the office, routed out of triage, foreign, another province, and a case that does
//! not exist.
//!
//! The expected answers come from the hand-written tables below, derived from the rules in
//! ARCHITECTURE.md (Actors) and API.md (401 without credentials, 404 for what one may not see —
//! exactly as for a case that does not exist —, 403 for what one sees but may not do), not from the
//! policy code. Every write is sent with an invalid body or a stale version, so a caller the policy
//! lets through gets 409/422 and nothing changes; the test checks that nothing did.
//!
//! The list of each user is compared with the table (which checks the SQL twin
//! `store::cases::visible`) and with an independent SQL query over the stored facts; the case
//! endpoints go through the pure policy (`domain::policy::case_access`).

use crate::fixtures::Api;
use crate::helpers::TestApp;
use futures::StreamExt;
use reqwest::Method;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, Statement};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The signed-in users, in the column order of [`CASES`], with whether they may file complaints
/// (`POST /complaints`: enterprise filers) and enter leads (`POST /cases`: office officers,
/// supervisors and triagers; not administrators, not enterprises).
const USERS: [(&str, &str, bool, bool); 8] = [
    // username, who, files complaints, enters leads
    ("demo-admin", "admin @ 江苏省知识产权局", false, false),
    ("demo-triager", "triager @ 南通保护中心", false, true),
    ("demo-officer", "officer @ 南通市知识产权局", false, true),
    (
        "demo-supervisor",
        "supervisor @ 南通市知识产权局",
        false,
        true,
    ),
    ("demo-industry", "officer @ 南通市工信局", false, true),
    ("demo-enterprise", "filer @ 南通华信", true, false),
    ("demo-enterprise2", "filer @ 江苏海晟", true, false),
    (BJ_OFFICER, "officer @ 北京市知识产权局", false, true),
];

/// Callers without a (valid) credential.
const ANONYMOUS: [&str; 2] = ["anonymous", "bad-token"];

/// The officer of the other-province office the fixture creates.
const BJ_OFFICER: &str = "bj-officer";

/// One case of the fixture and what each user (columns in [`USERS`] order) may do with it.
///
/// A cell is `-` (not visible: 404 everywhere), or the access the case page reports — `F` filer,
/// `R` read, `C` contribute, `O` owner — optionally followed by `:` and what the user may do:
/// `t` triage (passes the triage permission; `GET /triage` says `allowed` only while the case is
/// awaiting triage), `s` share and revoke shares, `a` answer a referral made to their office,
/// `w` work the case's queue (officers and supervisors of an office that owns it or may
/// contribute; while the case is still in triage there is nothing to work yet: 409).
struct CaseRow {
    key: &'static str,
    what: &'static str,
    /// In queue `triage`, state `new`.
    awaiting: bool,
    /// Cases of the same group are duplicates of each other (same respondent and right).
    group: char,
    /// The share `DELETE /shares/{org}` names: an organisation the case is shared with (the owner
    /// then gets 409 for the stale version), or else one it is not shared with (404).
    revoke: RevokeOrg,
    cells: [&'static str; 8],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RevokeOrg {
    /// 南通市知识产权局, with which the case is shared.
    SharedIpOffice,
    /// 南通市知识产权局, whose share of the case was revoked.
    RevokedIpOffice,
    /// 江苏省工业和信息化厅, with which the case is not shared.
    Unshared,
}

// The administrator sits at 江苏省知识产权局, above 南通市知识产权局: heads of office and
// administrators read the cases of the offices below theirs (decision D21), so the city office's
// cases (a, e, f) are "R" for them.
const CASES: [CaseRow; 10] = [
    //                                   admin  triager officer supervisor industry ent  ent2  bj
    CaseRow {
        key: "a",
        what: "complaint of 华信, owned by 南通市知识产权局, awaiting triage in 320612",
        awaiting: true,
        group: 'C',
        revoke: RevokeOrg::Unshared,
        cells: ["R", "C:t", "O:tsw", "O:tsw", "-", "F", "-", "-"],
    },
    // An industry office owns its leads but does not triage them: it shares them, and the
    // assistance centre (or an IP office owning a lead) decides (ARCHITECTURE.md, Actors).
    CaseRow {
        key: "b",
        what: "lead of 工信局 shared read with 南通市知识产权局, awaiting triage in 320612",
        awaiting: true,
        group: 'L',
        revoke: RevokeOrg::SharedIpOffice,
        cells: ["-", "C:t", "R", "R", "O:sw", "-", "-", "-"],
    },
    CaseRow {
        key: "c",
        what: "lead of 工信局 shared contribute with 南通市知识产权局, awaiting triage in 320612",
        awaiting: true,
        group: 'L',
        revoke: RevokeOrg::SharedIpOffice,
        cells: ["-", "C:t", "C:w", "C:w", "O:sw", "-", "-", "-"],
    },
    CaseRow {
        key: "d",
        what: "lead of 工信局, not shared, awaiting triage in 320100 (outside the centre's region)",
        awaiting: true,
        group: 'L',
        revoke: RevokeOrg::Unshared,
        cells: ["-", "-", "-", "-", "O:sw", "-", "-", "-"],
    },
    CaseRow {
        // The owner passes the triage permission; the decision itself is then an illegal
        // transition (409, or 422 first for an invalid body), not a 403.
        key: "e",
        what: "complaint of 海晟 referred by the triager to 南通市工信局",
        awaiting: false,
        group: 'C',
        revoke: RevokeOrg::Unshared,
        // The centre keeps reading the leads it decided (decision D30).
        cells: ["R", "R", "O:tsw", "O:tsw", "R:a", "-", "F", "-"],
    },
    CaseRow {
        key: "f",
        what: "complaint of 华信 routed to administrative_ruling",
        awaiting: false,
        group: 'C',
        revoke: RevokeOrg::Unshared,
        cells: ["R", "R", "O:tsw", "O:tsw", "-", "F", "-", "-"],
    },
    CaseRow {
        key: "g",
        what: "lead of 北京市知识产权局 in 110105",
        awaiting: true,
        group: 'L',
        revoke: RevokeOrg::Unshared,
        cells: ["-", "-", "-", "-", "-", "-", "-", "O:tsw"],
    },
    CaseRow {
        // Administrators read their office's cases but do not work them.
        key: "h",
        what: "complaint of 海晟 in 320100, owned by 江苏省知识产权局 (the admin's office), awaiting triage",
        awaiting: true,
        group: 'C',
        revoke: RevokeOrg::Unshared,
        cells: ["R", "-", "-", "-", "-", "-", "F", "-"],
    },
    CaseRow {
        key: "i",
        what: "lead of 工信局 once shared read with 南通市知识产权局, share revoked; awaiting triage in 320612",
        awaiting: true,
        group: 'L',
        revoke: RevokeOrg::RevokedIpOffice,
        cells: ["-", "C:t", "-", "-", "O:sw", "-", "-", "-"],
    },
    CaseRow {
        key: "z",
        what: "no such case",
        awaiting: false,
        group: 'Z',
        revoke: RevokeOrg::Unshared,
        cells: ["-", "-", "-", "-", "-", "-", "-", "-"],
    },
];

/// The case endpoints.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Endpoint {
    Show,
    Events,
    Deadlines,
    TriageOptions,
    Duplicates,
    TriageDecide,
    Referral,
    Share,
    Revoke,
    Actions,
    Act,
}

const ENDPOINTS: [Endpoint; 11] = [
    Endpoint::Show,
    Endpoint::Events,
    Endpoint::Deadlines,
    Endpoint::TriageOptions,
    Endpoint::Duplicates,
    Endpoint::TriageDecide,
    Endpoint::Referral,
    Endpoint::Share,
    Endpoint::Revoke,
    Endpoint::Actions,
    Endpoint::Act,
];

impl Endpoint {
    fn label(self) -> &'static str {
        match self {
            Endpoint::Show => "GET /cases/{id}",
            Endpoint::Events => "GET /cases/{id}/events",
            Endpoint::Deadlines => "GET /cases/{id}/deadlines",
            Endpoint::TriageOptions => "GET /cases/{id}/triage",
            Endpoint::Duplicates => "GET /cases/{id}/duplicates",
            Endpoint::TriageDecide => "POST /cases/{id}/triage",
            Endpoint::Referral => "POST /cases/{id}/referral",
            Endpoint::Share => "POST /cases/{id}/shares",
            Endpoint::Revoke => "DELETE /cases/{id}/shares/{org}",
            Endpoint::Actions => "GET /cases/{id}/actions",
            Endpoint::Act => "POST /cases/{id}/actions",
        }
    }
}

/// The access a cell grants (as `GET /cases/{id}` reports it) and its action flags.
fn parse_cell(cell: &'static str) -> Option<(&'static str, &'static str)> {
    let (level, flags) = cell.split_once(':').unwrap_or((cell, ""));
    let access = match level {
        "-" => return None,
        "F" => "filer",
        "R" => "read",
        "C" => "contribute",
        "O" => "owner",
        other => panic!("bad cell {other:?}"),
    };
    Some((access, flags))
}

fn cell(user: usize, case: &CaseRow) -> Option<(&'static str, &'static str)> {
    parse_cell(case.cells[user])
}

/// What the fixture built.
struct Fixture {
    ids: HashMap<&'static str, i64>,
    ip_office: i64,
    unrelated_office: i64,
}

impl Fixture {
    fn key_of(&self, id: i64) -> String {
        self.ids
            .iter()
            .find(|(_, v)| **v == id)
            .map(|(k, _)| k.to_string())
            .unwrap_or_else(|| format!("#{id}"))
    }

    fn keys_of(&self, items: &Value) -> String {
        let mut keys: Vec<String> = items
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["id"].as_i64())
            .map(|id| self.key_of(id))
            .collect();
        keys.sort();
        format!("[{}]", keys.join(","))
    }
}

/// Builds the cases of [`CASES`] through the API (the other-province office and officer exist).
async fn build(app: &TestApp, users: &HashMap<&'static str, Api>) -> Fixture {
    let ip_office = users["demo-officer"].org_id().await;
    let industry_office = users["demo-industry"].org_id().await;
    let unrelated_office = app.org_id("江苏省工业和信息化厅").await;
    let mut ids = HashMap::new();

    // (a) A complaint of 华信 in 320612: owned by 南通市知识产权局, awaiting triage.
    ids.insert("a", app.complaint().file().await.id);

    // (b), (c) Leads of the industry office shared with the 南通 IP office.
    for (key, access) in [("b", "read"), ("c", "contribute")] {
        let lead = app
            .lead("demo-industry", "shared")
            .shared_with(ip_office, access);
        ids.insert(key, lead.file().await.id);
    }

    // (d) A lead of the industry office in 南京 (320100), shared with nobody.
    let d = app.lead("demo-industry", "shared").region("320100");
    ids.insert("d", d.file().await.id);

    // (e) A complaint of 海晟 referred by the triager to the industry office.
    let e = app
        .complaint()
        .by("demo-enterprise2")
        .referred(industry_office, "涉及工业产品，属工信部门职责")
        .file()
        .await;
    assert_eq!(e.last["state"], "referred", "fixture (e): {}", e.last);
    ids.insert("e", e.id);

    // (f) A complaint of 华信 routed to administrative ruling.
    let f = app.complaint().routed("administrative_ruling").file().await;
    assert_eq!(
        f.last["queue"], "administrative_ruling",
        "fixture (f): {}",
        f.last
    );
    ids.insert("f", f.id);

    // (g) A lead of the Beijing office in 110105.
    let g = app.lead(BJ_OFFICER, "officer").region("110105");
    ids.insert("g", g.file().await.id);

    // (h) A complaint of 海晟 about 南京 (320100): served by the provincial office.
    let h = app.complaint().by("demo-enterprise2").region("320100");
    ids.insert("h", h.file().await.id);

    // (i) A lead of the industry office whose share with the 南通 IP office was revoked.
    let i = app
        .lead("demo-industry", "shared")
        .shared_with(ip_office, "read")
        .file()
        .await;
    let revoke = format!(
        "{}?expected_version={}",
        i.path(&format!("/shares/{ip_office}")),
        i.version
    );
    let (status, _) = users["demo-industry"].delete(&revoke).await;
    assert_eq!(status, 200, "fixture (i): revoke");
    ids.insert("i", i.id);

    // (z) An id no case has.
    let max = ids.values().copied().max().unwrap();
    ids.insert("z", max + 1000);

    // The fixture is what the table says it is.
    let stored = entity::cases::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap();
    assert_eq!(stored.len(), 9, "the demo data has no cases of its own");
    let js_ipo = app.org_id("江苏省知识产权局").await;
    for row in CASES.iter().filter(|r| r.key != "z") {
        let c = stored.iter().find(|c| c.id == ids[row.key]).unwrap();
        assert_eq!(
            c.queue == "triage" && c.state == "new",
            row.awaiting,
            "fixture ({}) {}: {}/{}",
            row.key,
            row.what,
            c.queue,
            c.state
        );
    }
    let owner = |k: &str| stored.iter().find(|c| c.id == ids[k]).unwrap().owner_org_id;
    assert_eq!(owner("a"), ip_office);
    assert_eq!(owner("h"), js_ipo);
    Fixture {
        ids,
        ip_office,
        unrelated_office,
    }
}

/// The other-province office and its officer, as an operator creates them.
async fn other_province_officer(app: &TestApp) {
    let beijing = weiquan::service::admin::OrgInput {
        name: "北京市知识产权局".into(),
        kind: "ip_office".into(),
        region_code: "110000".into(),
        ..Default::default()
    };
    app.operator_adds(beijing, BJ_OFFICER, "周京（北京执法人员）", "officer")
        .await;
}

/// Everything about the cases that a write would change.
async fn snapshot(app: &TestApp) -> BTreeMap<String, String> {
    let conn = app.db.conn();
    let mut s = BTreeMap::new();
    for c in entity::cases::Entity::find().all(conn).await.unwrap() {
        s.insert(
            format!("case {}", c.id),
            format!(
                "version {} {}/{} owner {} referred_to {:?} merged_into {:?} assignee {:?} closed {:?} updated {}",
                c.version,
                c.queue,
                c.state,
                c.owner_org_id,
                c.referred_to_org_id,
                c.merged_into_case_id,
                c.assignee_user_id,
                c.closed_at,
                c.updated_at
            ),
        );
    }
    for sh in entity::case_shares::Entity::find().all(conn).await.unwrap() {
        s.insert(
            format!("share {}", sh.id),
            format!(
                "case {} org {} {} revoked {:?}",
                sh.case_id, sh.org_id, sh.access, sh.revoked_at
            ),
        );
    }
    let events = entity::case_events::Entity::find()
        .count(conn)
        .await
        .unwrap();
    s.insert("case events".into(), events.to_string());
    let clocks = entity::case_clocks::Entity::find()
        .count(conn)
        .await
        .unwrap();
    s.insert("case clocks".into(), clocks.to_string());
    s
}

/// The ids `username` may see, by an SQL query written from the rules (ARCHITECTURE.md, Actors)
/// independently of `store::cases::visible`: an enterprise filer sees its own filings; an office
/// sees what it owns, what is shared with it and what is referred to it; an assistance centre also
/// sees what waits for triage in its region (province, prefecture or county) and what its staff are
/// assigned; heads of office and administrators also read what the offices up to three levels
/// below theirs own (province → city → district).
async fn visible_by_sql(app: &TestApp, username: &str) -> BTreeSet<i64> {
    const SQL: &str = "
        SELECT c.id FROM cases c
        JOIN users u ON u.username = $1
        JOIN organizations o ON o.id = u.org_id
        WHERE (o.kind = 'enterprise' AND u.role = 'enterprise_filer' AND c.filer_org_id = o.id)
           OR (o.kind <> 'enterprise' AND (
                  c.owner_org_id = o.id
               OR c.referred_to_org_id = o.id
               OR EXISTS (SELECT 1 FROM case_shares s
                          WHERE s.case_id = c.id AND s.org_id = o.id AND s.revoked_at IS NULL)
               OR (u.role IN ('supervisor', 'admin') AND EXISTS (
                      SELECT 1 FROM organizations p1 WHERE p1.id = c.owner_org_id AND (
                          p1.parent_id = o.id
                       OR EXISTS (SELECT 1 FROM organizations p2
                                  WHERE p2.id = p1.parent_id AND (
                                      p2.parent_id = o.id
                                   OR EXISTS (SELECT 1 FROM organizations p3
                                              WHERE p3.id = p2.parent_id
                                                AND p3.parent_id = o.id))))))
               OR (o.kind = 'assistance_center' AND (
                      (c.queue = 'triage' AND c.state = 'new' AND (
                           (o.region_code LIKE '__0000'
                            AND substr(c.region_code, 1, 2) = substr(o.region_code, 1, 2))
                        OR (o.region_code LIKE '____00' AND o.region_code NOT LIKE '__0000'
                            AND substr(c.region_code, 1, 4) = substr(o.region_code, 1, 4))
                        OR (o.region_code NOT LIKE '____00' AND c.region_code = o.region_code)))
                   OR EXISTS (SELECT 1 FROM users a
                              WHERE a.id = c.assignee_user_id AND a.org_id = o.id)))))
        ORDER BY c.id";
    let backend = app.db.backend();
    let sql = match backend {
        DbBackend::Postgres => SQL.to_string(),
        _ => SQL.replace("$1", "?"),
    };
    let rows = app
        .db
        .conn()
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [username.into()],
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index::<i64>(0).unwrap())
        .collect()
}

/// Every page of `GET /cases?limit=200`.
async fn listed(caller: &Api) -> Result<BTreeSet<i64>, u16> {
    let mut ids = BTreeSet::new();
    let mut path = "/api/v1/cases?limit=200".to_string();
    loop {
        let (status, page) = caller.get(&path).await;
        if status != 200 {
            return Err(status);
        }
        ids.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/cases?limit=200&cursor={c}"),
            None => return Ok(ids),
        }
    }
}

/// Every page of `GET /cases?limit={limit}`, in the order given.
async fn listed_in_order(caller: &Api, limit: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut path = format!("/api/v1/cases?limit={limit}");
    loop {
        let (status, page) = caller.get(&path).await;
        assert_eq!(status, 200, "{path}: {page}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit as usize);
        ids.extend(items.iter().map(|c| c["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/cases?limit={limit}&cursor={c}"),
            None => return ids,
        }
    }
}

/// `ids` in the list's documented order, sorted by the database in one query.
async fn ordered_by_sql(app: &TestApp, ids: &BTreeSet<i64>) -> Vec<i64> {
    if ids.is_empty() {
        return Vec::new();
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT id FROM cases WHERE id IN ({list}) \
         ORDER BY CASE WHEN next_due_at IS NULL THEN 1 ELSE 0 END, next_due_at, srdi_rank DESC, id"
    );
    let rows = app
        .db
        .conn()
        .query_all_raw(Statement::from_string(app.db.backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index::<i64>(0).unwrap())
        .collect()
}

/// One request of the matrix.
struct Cell {
    caller: usize,
    case: usize,
    endpoint: Endpoint,
}

fn request(cell: &Cell, fx: &Fixture) -> (Method, String, Option<Value>) {
    let row = &CASES[cell.case];
    let id = fx.ids[row.key];
    let base = format!("/api/v1/cases/{id}");
    match cell.endpoint {
        Endpoint::Show => (Method::GET, base, None),
        Endpoint::Events => (Method::GET, format!("{base}/events"), None),
        Endpoint::Deadlines => (Method::GET, format!("{base}/deadlines"), None),
        Endpoint::TriageOptions => (Method::GET, format!("{base}/triage"), None),
        Endpoint::Duplicates => (Method::GET, format!("{base}/duplicates"), None),
        // A rejection without its reason code at a stale version: 422 once past the permission.
        Endpoint::TriageDecide => (
            Method::POST,
            format!("{base}/triage"),
            Some(json!({"action": "reject", "expected_version": 999})),
        ),
        // An answer that is neither `acknowledge` nor `return`: 422 once past the permission.
        Endpoint::Referral => (
            Method::POST,
            format!("{base}/referral"),
            Some(json!({"action": "nonsense", "expected_version": 999})),
        ),
        // An access that is neither `read` nor `contribute`: 422 once past the permission.
        Endpoint::Share => (
            Method::POST,
            format!("{base}/shares"),
            Some(
                json!({"org_id": fx.unrelated_office, "access": "everything", "expected_version": 999}),
            ),
        ),
        Endpoint::Actions => (Method::GET, format!("{base}/actions"), None),
        // Docketing without its panel and claims at a stale version: 422 once past the
        // permission for a case in its queue, 409 for one still in triage.
        Endpoint::Act => (
            Method::POST,
            format!("{base}/actions"),
            Some(json!({"action": "docket", "expected_version": 999})),
        ),
        // A stale version: 409 for an existing share, 404 for none, once past the permission.
        Endpoint::Revoke => {
            let org = match row.revoke {
                RevokeOrg::SharedIpOffice | RevokeOrg::RevokedIpOffice => fx.ip_office,
                RevokeOrg::Unshared => fx.unrelated_office,
            };
            (
                Method::DELETE,
                format!("{base}/shares/{org}?expected_version=999"),
                None,
            )
        }
    }
}

/// The duplicates `user` should be offered for `case`: the other cases of its group they can see
/// (the filing enterprise is offered none).
fn expected_duplicates(user: usize, case: &CaseRow) -> String {
    if matches!(cell(user, case), Some(("filer", _)) | None) {
        return "[]".into();
    }
    let keys: Vec<&str> = CASES
        .iter()
        .filter(|r| r.group == case.group && r.key != case.key && cell(user, r).is_some())
        .map(|r| r.key)
        .collect();
    format!("[{}]", keys.join(","))
}

/// The answer the tables call for.
fn expected(cell: &Cell) -> String {
    let row = &CASES[cell.case];
    if cell.caller >= USERS.len() {
        return "401".into();
    }
    let Some((access, flags)) = self::cell(cell.caller, row) else {
        return "404".into();
    };
    let may = |f: char| flags.contains(f);
    let gate = |f: char, ok: &str| if may(f) { ok.to_string() } else { "403".into() };
    match cell.endpoint {
        Endpoint::Show => format!("200 access={access}"),
        Endpoint::Events | Endpoint::Deadlines => "200".into(),
        Endpoint::TriageOptions => {
            let now = may('t') && row.awaiting;
            let dups = if now {
                expected_duplicates(cell.caller, row)
            } else {
                "[]".into()
            };
            format!("200 allowed={now} duplicates={dups}")
        }
        Endpoint::Duplicates => {
            format!("200 duplicates={}", expected_duplicates(cell.caller, row))
        }
        Endpoint::TriageDecide => gate('t', "422"),
        Endpoint::Referral => gate('a', "422"),
        Endpoint::Share => gate('s', "422"),
        Endpoint::Actions => format!(
            "200 actions={}",
            may('w') && !row.awaiting && row.key == "f"
        ),
        Endpoint::Act => gate('w', if row.key == "f" { "422" } else { "409" }),
        Endpoint::Revoke => gate(
            's',
            if row.revoke == RevokeOrg::SharedIpOffice {
                "409"
            } else {
                "404"
            },
        ),
    }
}

/// What came back, in the terms of [`expected`], with any leak of hidden details spelled out.
fn actual(cell: &Cell, status: u16, body: &Value, fx: &Fixture, filer: bool) -> String {
    if status != 200 {
        return status.to_string();
    }
    match cell.endpoint {
        Endpoint::Show => {
            let mut s = format!("200 access={}", body["access"].as_str().unwrap_or("?"));
            if filer
                && (body.get("owner_org_id").is_some()
                    || body["shares"].as_array().is_some_and(|a| !a.is_empty()))
            {
                s.push_str(" LEAK: owner/shares shown to the filer");
            }
            s
        }
        Endpoint::Events => {
            let internal = body["items"]
                .as_array()
                .is_some_and(|a| a.iter().any(|e| e["public"] != true));
            if filer && internal {
                "200 LEAK: internal events shown to the filer".into()
            } else {
                "200".into()
            }
        }
        Endpoint::Deadlines => "200".into(),
        Endpoint::TriageOptions => format!(
            "200 allowed={} duplicates={}",
            body["allowed"],
            fx.keys_of(&body["duplicates"])
        ),
        Endpoint::Duplicates => format!("200 duplicates={}", fx.keys_of(&body["items"])),
        Endpoint::Actions => format!(
            "200 actions={}",
            body["actions"].as_array().is_some_and(|a| !a.is_empty())
        ),
        _ => "200".into(),
    }
}

/// The problem fields that must not tell a hidden case from a missing one.
fn problem(body: &Value) -> Value {
    json!([
        body["type"],
        body["title"],
        body["status"],
        body["detail"],
        body["errors"]
    ])
}

#[tokio::test]
async fn every_case_endpoint_answers_every_user_as_the_permission_table_says() {
    let app = TestApp::spawn().await;
    other_province_officer(&app).await;
    let mut users: HashMap<&'static str, Api> = HashMap::new();
    for (u, ..) in USERS {
        users.insert(u, app.api_as(u).await);
    }
    let fx = build(&app, &users).await;
    let before = snapshot(&app).await;

    let callers: Vec<(&str, &str, Api)> = USERS
        .iter()
        .map(|(u, who, ..)| (*u, *who, users[u].clone()))
        .chain([
            ("anonymous", "no credentials", app.api()),
            (
                "bad-token",
                "unknown bearer token",
                app.api_with_token("wq_not-a-real-token-0000000000000000"),
            ),
        ])
        .collect();
    assert_eq!(callers.len(), USERS.len() + ANONYMOUS.len());
    let mut mismatches: Vec<String> = Vec::new();
    let mut report = |caller: usize, case: &str, endpoint: &str, exp: &str, got: &str| {
        let (name, who, _) = &callers[caller];
        mismatches.push(format!(
            "{name} ({who}) | case {case} | {endpoint} | expected {exp} | actual {got}"
        ));
    };

    // 1. Every case endpoint × every caller × every case.
    let cells: Vec<Cell> = (0..callers.len())
        .flat_map(|caller| {
            (0..CASES.len()).flat_map(move |case| {
                ENDPOINTS.iter().map(move |&endpoint| Cell {
                    caller,
                    case,
                    endpoint,
                })
            })
        })
        .collect();
    let results: Vec<(u16, Value)> = futures::stream::iter(cells.iter())
        .map(|c| {
            let (method, path, body) = request(c, &fx);
            let caller = &callers[c.caller].2;
            async move { caller.call(method, &path, body.as_ref()).await }
        })
        .buffered(8)
        .collect()
        .await;
    let missing = CASES.iter().position(|r| r.key == "z").unwrap();
    let mut checked = 0;
    for (c, (status, body)) in cells.iter().zip(&results) {
        let row = &CASES[c.case];
        let filer = c.caller < USERS.len() && matches!(cell(c.caller, row), Some(("filer", _)));
        let exp = expected(c);
        let mut got = actual(c, *status, body, &fx, filer);
        // A hidden case answers exactly as a missing one.
        if *status == 404 && c.case != missing {
            let i = cells
                .iter()
                .position(|m| m.caller == c.caller && m.case == missing && m.endpoint == c.endpoint)
                .unwrap();
            let (ms, mb) = &results[i];
            if *ms == 404 && problem(mb) != problem(body) {
                got.push_str(&format!(
                    " (differs from a missing case: {} vs {})",
                    problem(body),
                    problem(mb)
                ));
            }
        }
        checked += 1;
        if exp != got {
            report(c.caller, row.key, c.endpoint.label(), &exp, &got);
        }
    }

    // 2. Creating cases, with bodies that fail validation once past the permission.
    for (caller, (_, _, api)) in callers.iter().enumerate() {
        for (path, col) in [("/api/v1/complaints", 0), ("/api/v1/cases", 1)] {
            let exp = match USERS.get(caller) {
                None => "401",
                Some((_, _, complaints, leads)) => {
                    if if col == 0 { *complaints } else { *leads } {
                        "422"
                    } else {
                        "403"
                    }
                }
            };
            let (status, _) = api.post(path, &json!({})).await;
            checked += 1;
            if status.to_string() != exp {
                report(
                    caller,
                    "-",
                    &format!("POST {path}"),
                    exp,
                    &status.to_string(),
                );
            }
        }
    }

    // 3. Lists: the table, the SQL twin behind the list, and an independent query agree.
    for (caller, (name, _, api)) in callers.iter().enumerate() {
        let got = listed(api).await;
        checked += 1;
        if caller >= USERS.len() {
            if got != Err(401) {
                report(caller, "*", "GET /cases", "401", &format!("{got:?}"));
            }
            continue;
        }
        let table: BTreeSet<i64> = CASES
            .iter()
            .filter(|r| r.key != "z" && cell(caller, r).is_some())
            .map(|r| fx.ids[r.key])
            .collect();
        let keys = |s: &BTreeSet<i64>| {
            let mut k: Vec<String> = s.iter().map(|id| fx.key_of(*id)).collect();
            k.sort();
            format!("[{}]", k.join(","))
        };
        let got = match got {
            Ok(ids) => keys(&ids),
            Err(status) => status.to_string(),
        };
        if got != keys(&table) {
            report(caller, "*", "GET /cases?limit=200", &keys(&table), &got);
        }
        let by_sql = visible_by_sql(&app, name).await;
        checked += 1;
        if by_sql != table {
            report(
                caller,
                "*",
                "independent SQL over the stored facts",
                &keys(&table),
                &keys(&by_sql),
            );
        }
        // Page by page (two a page, so that each page is cut from the union of what the user
        // sees through different relations), in the list's order: most urgent first, SRDI
        // first among equally urgent, then oldest.
        let in_pages = listed_in_order(api, 2).await;
        let in_order = ordered_by_sql(&app, &by_sql).await;
        checked += 1;
        if in_pages != in_order {
            let names = |v: &[i64]| {
                v.iter()
                    .map(|id| fx.key_of(*id))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            report(
                caller,
                "*",
                "GET /cases?limit=2, every page, in order",
                &names(&in_order),
                &names(&in_pages),
            );
        }
    }

    // 4. Reads and refused writes changed nothing.
    let after = snapshot(&app).await;
    for (k, v) in &before {
        if after.get(k) != Some(v) {
            mismatches.push(format!(
                "changed by the matrix: {k}: before {v} | after {:?}",
                after.get(k)
            ));
        }
    }
    for (k, v) in &after {
        if !before.contains_key(k) {
            mismatches.push(format!("created by the matrix: {k}: {v}"));
        }
    }

    eprintln!(
        "case permission matrix: {checked} cells checked ({} callers × {} cases × {} endpoints, \
         case creation, lists), {} mismatches",
        callers.len(),
        CASES.len(),
        ENDPOINTS.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches in the case permission matrix (caller | case | endpoint | expected | actual):\n{}\n\ncases:\n{}",
        mismatches.len(),
        mismatches.join("\n"),
        CASES
            .iter()
            .map(|r| format!("  {} = #{}: {}", r.key, fx.ids[r.key], r.what))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
