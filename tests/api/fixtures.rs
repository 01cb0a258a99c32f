//! The fixtures of the integration tests: who talks to the server, and the cases they start from.
//!
//! - [`Api`]: a JSON API client holding the bearer token of a demo user (`app.api_as(user)`), a
//!   given token (`app.api_with_token(t)`) or none (`app.api()`); its calls answer
//!   `(status, json)`.
//! - [`Browser`]: a browser-like client that keeps its cookies, follows no redirect and posts
//!   forms with the CSRF token taken from a page (`app.browser()`, or signed in through the web
//!   form with `app.browser_as(user)`).
//! - [`NewCase`]: a complaint filed by an enterprise (`app.complaint()`) or a lead entered by an
//!   office (`app.lead(user, source)`), with overrides of its facts, optionally shared, triaged
//!   (routed with the facts the queue needs, or referred) and worked through workflow steps;
//!   [`NewCase::file`] does all that through the API and answers a [`Case`].
//! - Readings of the answers ([`clock`], [`kinds`], [`last_day`]) and look-ups of ids.
//!
//! A fixture asserts whatever it needs to succeed (a token is issued, a sign-in redirects, a
//! filing is accepted, a routing or step answers 200 in the state named), so the tests can rely
//! on what they are given.

use crate::helpers::TestApp;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use reqwest::{Client, Method, RequestBuilder, Response, redirect::Policy};
use serde_json::{Value, json};
use weiquan::domain::time::beijing;

/// The password of every demo user.
pub const PASSWORD: &str = "demo12345";

/// The status and the JSON body of an answer (`Null` when it has none).
async fn answer(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A JSON API client. Its bearer token is its only credential: it keeps no cookies and follows no
/// redirect.
#[derive(Clone)]
pub struct Api {
    base: String,
    client: Client,
    /// The bearer token sent with every request; `None` for an anonymous caller.
    token: Option<String>,
}

impl Api {
    fn new(base: &str, token: Option<String>) -> Self {
        let client = Client::builder().redirect(Policy::none()).build().unwrap();
        Self {
            base: base.to_string(),
            client,
            token,
        }
    }

    /// The number of items a list holds across its pages: `list` is its path with a query
    /// (`/api/v1/cases?overdue=true`), read 200 at a time.
    pub async fn list_len(&self, list: &str) -> u64 {
        let (mut n, mut cursor) = (0, String::new());
        loop {
            let (s, page) = self.get(&format!("{list}&limit=200{cursor}")).await;
            assert_eq!(s, 200, "{list}: {page}");
            n += page["items"].as_array().unwrap().len() as u64;
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => return n,
            }
        }
    }

    /// The same caller talking to another server (a second node on the same database).
    pub fn at(&self, base: &str) -> Self {
        Self {
            base: base.to_string(),
            ..self.clone()
        }
    }

    /// The bearer token (for a request written by hand).
    pub fn token(&self) -> &str {
        self.token.as_deref().expect("an API client with a token")
    }

    /// A request to `path`, with the bearer token if there is one.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self.client.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    /// Sends `body` (if any) as JSON; answers the status and the JSON body.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self.request(method, path);
        if let Some(b) = body {
            req = req.json(b);
        }
        answer(req.send().await.unwrap()).await
    }

    /// GET `path`: the status and the JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    /// POST `body` as JSON to `path`: the status and the JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// DELETE `path`: the status and the JSON body.
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// GET `path`, the whole response (headers, bytes).
    pub async fn get_response(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.unwrap()
    }

    /// POST `body` as JSON to `path`, the whole response.
    pub async fn post_response(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// `GET /api/v1/me`.
    pub async fn me(&self) -> Value {
        let (status, me) = self.get("/api/v1/me").await;
        assert_eq!(status, 200, "{me}");
        me
    }

    /// The id of the caller's organisation.
    pub async fn org_id(&self) -> i64 {
        let me = self.me().await;
        me["organization"]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no organisation in {me}"))
    }

    /// `GET /api/v1/cases/{id}` as this caller sees it (whatever the status).
    pub async fn case(&self, id: i64) -> Value {
        self.get(&format!("/api/v1/cases/{id}")).await.1
    }

    /// The `n`-th working day after `from` on the official calendar.
    pub async fn working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let (_, b) = self
            .get(&format!(
                "/api/v1/calendar/add?from={from}&working_days={n}"
            ))
            .await;
        b["date"].as_str().unwrap().parse().unwrap()
    }

    /// `d` itself when it is a working day, else the next working day.
    pub async fn rolled(&self, d: NaiveDate) -> NaiveDate {
        let (_, b) = self.get(&format!("/api/v1/calendar/{d}")).await;
        if b["working_day"] == true {
            d
        } else {
            self.working_days(d, 1).await
        }
    }
}

/// A browser: keeps its cookies, follows no redirect, and posts forms with the CSRF token of the
/// page they are on.
pub struct Browser {
    base: String,
    pub client: Client,
}

impl Browser {
    fn new(base: &str) -> Self {
        let client = Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Self {
            base: base.to_string(),
            client,
        }
    }

    /// The address of `path` on the server (for a request written by hand with `client`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// GET `path`, the whole response.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// The status of a page and its text.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// The text of a page, whatever its status.
    pub async fn html(&self, path: &str) -> String {
        self.page(path).await.1
    }

    /// The CSRF token of the forms on a page.
    pub async fn csrf(&self, path: &str) -> String {
        let html = self.html(path).await;
        csrf_in(&html).unwrap_or_else(|| panic!("no CSRF token on {path}:\n{html}"))
    }

    /// Posts `fields` as they are (no token added).
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form to `path` with the CSRF token of `token_page` added, as a user who opened
    /// `token_page` and submitted its form.
    pub async fn post_form(
        &self,
        token_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let token = self.csrf(token_page).await;
        let mut form = fields.to_vec();
        form.push(("_csrf", &token));
        self.form(path, &form).await
    }

    /// Signs in through the web form.
    pub async fn sign_in(&self, username: &str, password: &str) -> Response {
        self.post_form(
            "/login",
            "/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    /// The status of an answer and the page it leads to: the page behind the redirect after a
    /// 303, else its own text.
    pub async fn follow(&self, res: Response) -> (u16, String) {
        let status = res.status().as_u16();
        if status == 303 {
            return (status, self.html(&location(&res)).await);
        }
        (status, res.text().await.unwrap())
    }

    /// The page of case `id` as it is now, with the CSRF token and the version its forms carry.
    async fn case_page(&self, id: i64) -> (String, String, String) {
        let page = self.html(&format!("/cases/{id}")).await;
        let csrf = csrf_in(&page).unwrap_or_else(|| panic!("no CSRF token on case {id}"));
        let version = version_in(&page);
        (page, csrf, version)
    }

    /// Submits the form of `action` on the page of case `id` as it is now (its CSRF token and
    /// version) with `fields`; answers the status and the page (after the redirect on success).
    pub async fn submit(&self, id: i64, action: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let (page, csrf, version) = self.case_page(id).await;
        assert!(
            page.contains(&format!("data-action=\"{action}\"")),
            "{action} is not offered"
        );
        let mut form = vec![
            ("_csrf", csrf.as_str()),
            ("action", action),
            ("expected_version", version.as_str()),
        ];
        form.extend_from_slice(fields);
        let res = self.form(&format!("/cases/{id}/actions"), &form).await;
        self.follow(res).await
    }

    /// Issues a document of `kind` from the page of case `id`; answers the printable page.
    pub async fn issue(&self, id: i64, kind: &str) -> String {
        let (page, csrf, version) = self.case_page(id).await;
        assert!(
            page.contains(&format!("/documents/{kind}\"")),
            "{kind} offered"
        );
        let form = [("_csrf", csrf.as_str()), ("expected_version", &version)];
        let res = self
            .form(&format!("/cases/{id}/documents/{kind}"), &form)
            .await;
        assert_eq!(res.status(), 303);
        self.html(&location(&res)).await
    }
}

/// The value of the first `_csrf` hidden field in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

/// Whether the text of a page (not its tags and attributes) shows `code` on its own, not as
/// part of a longer run of letters and digits such as a credit code.
pub fn shows_bare(html: &str, code: &str) -> bool {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.match_indices(code).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The version the case page's forms carry.
pub fn version_in(html: &str) -> String {
    let marker = "name=\"expected_version\" value=\"";
    let at = html.find(marker).expect("a form with the version");
    let rest = &html[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Where a redirect points.
pub fn location(res: &Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// The `Set-Cookie` header for `name`, if any.
pub fn set_cookie<'a>(res: &'a Response, name: &str) -> Option<&'a str> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
}

/// The cookie value from a `Set-Cookie` header.
pub fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

/// The clock of `rule` among a case's `deadlines`.
pub fn clock<'a>(deadlines: &'a Value, rule: &str) -> &'a Value {
    deadlines
        .as_array()
        .unwrap_or_else(|| panic!("no clocks in {deadlines}"))
        .iter()
        .find(|c| c["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no clock {rule} in {deadlines}"))
}

/// The kinds of the events in a list of events (`{"items": [...]}`), in order.
pub fn kinds(events: &Value) -> Vec<&str> {
    events["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no events in {events}"))
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect()
}

/// The last day of a day clock: its due instant (24:00 Beijing time) less a second.
pub fn last_day(due_at: &Value) -> NaiveDate {
    let due = DateTime::parse_from_rfc3339(due_at.as_str().unwrap()).unwrap();
    (due.with_timezone(&beijing()) - TimeDelta::seconds(1)).date_naive()
}

/// An instant as a form or a complaint gives it: Beijing time to the minute.
pub fn local_minute(t: DateTime<Utc>) -> String {
    t.with_timezone(&beijing())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The clients and look-ups of a test app.
impl TestApp {
    /// An API client without credentials.
    pub fn api(&self) -> Api {
        Api::new(&self.base, None)
    }

    /// An API client presenting `token`, whatever it is.
    pub fn api_with_token(&self, token: &str) -> Api {
        Api::new(&self.base, Some(token.to_string()))
    }

    /// An API client with a new bearer token of `username` (who has the demo password).
    pub async fn api_as(&self, username: &str) -> Api {
        let anonymous = self.api();
        let body = json!({"username": username, "password": PASSWORD});
        let (status, reply) = anonymous.post("/api/v1/auth/token", &body).await;
        assert_eq!(status, 201, "token of {username}: {reply}");
        let token = reply["token"].as_str().unwrap().to_string();
        Api {
            token: Some(token),
            ..anonymous
        }
    }

    /// A fresh browser, signed out.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A fresh browser signed in as `username` (who has the demo password) through the web form.
    pub async fn browser_as(&self, username: &str) -> Browser {
        let browser = self.browser();
        let res = browser.sign_in(username, PASSWORD).await;
        assert_eq!(res.status(), 303, "sign-in of {username} should redirect");
        browser
    }

    /// The status of GET `path` from a fresh client that presents only this session cookie.
    pub async fn status_with_session(&self, path: &str, session: &str) -> u16 {
        self.api()
            .request(Method::GET, path)
            .header("cookie", format!("wq_session={session}"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// An organisation and one user of it with `role` and the demo password, as an operator
    /// creates them from the command line; the organisation's id.
    pub async fn operator_adds(
        &self,
        org: weiquan::service::admin::OrgInput,
        username: &str,
        display_name: &str,
        role: &str,
    ) -> i64 {
        use weiquan::service::admin::{Caller, UserInput, create_org, create_user};
        let meta = weiquan::service::RequestMeta::cli("test");
        let cx = weiquan::service::Ctx::new(self.db.clone(), self.time.clone(), meta);
        let org = create_org(&cx, Caller::Operator, org).await.unwrap();
        create_user(
            &cx,
            Caller::Operator,
            UserInput {
                username: username.into(),
                display_name: display_name.into(),
                org_id: org.id.to_string(),
                role: role.into(),
                password: Some(PASSWORD.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        org.id
    }

    /// The stored user `username`.
    pub async fn user(&self, username: &str) -> entity::users::Model {
        weiquan::store::users::by_username(self.db.conn(), username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no user {username}"))
    }

    /// The id of user `username`.
    pub async fn user_id(&self, username: &str) -> i64 {
        self.user(username).await.id
    }

    /// The ids of `usernames`, in order.
    pub async fn user_ids(&self, usernames: &[&str]) -> Vec<i64> {
        let mut ids = Vec::new();
        for u in usernames {
            ids.push(self.user_id(u).await);
        }
        ids
    }

    /// A new exhibition of 南通市知识产权局, entered by its officer through the form: it opened a
    /// day ago and closes at `closes`. Its id.
    pub async fn new_exhibition(&self, name: &str, closes: DateTime<Utc>) -> i64 {
        let officer = self.browser_as("demo-officer").await;
        let opens = local_minute(Utc::now() - TimeDelta::days(1));
        let closes = local_minute(closes);
        let fields = [
            ("name", name),
            ("venue", "南通国际会展中心"),
            ("organiser", "南通市贸促会"),
            ("station", "1号馆服务台"),
            ("opens_at", &opens),
            ("closes_at", &closes),
        ];
        let res = officer
            .post_form("/exhibitions", "/exhibitions", &fields)
            .await;
        assert_eq!(res.status(), 303, "the exhibition form refused {name}");
        self.exhibition_id(name).await
    }

    /// The id of the exhibition named `name`.
    pub async fn exhibition_id(&self, name: &str) -> i64 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::exhibitions::Entity::find()
            .filter(entity::exhibitions::Column::Name.eq(name))
            .one(self.db.conn())
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no exhibition {name}"))
            .id
    }

    /// The id of the organisation named `name`.
    pub async fn org_id(&self, name: &str) -> i64 {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::organizations::Entity::find()
            .filter(entity::organizations::Column::Name.eq(name))
            .one(self.db.conn())
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no organisation {name}"))
            .id
    }

    /// A complaint as the demo enterprise 南通华信 files it: a lithium-battery separator sold
    /// online in 320612 against a valid invention patent. Its owner is 南通市知识产权局.
    pub fn complaint(&self) -> NewCase<'_> {
        NewCase {
            app: self,
            filer: "demo-enterprise".into(),
            path: "/api/v1/complaints",
            body: json!({
                "description": "被请求人未经许可，在其网店许诺销售与涉案专利相同的锂电池隔膜。",
                "channel": "e_commerce",
                "region_code": "320612",
                "complainant_standing": "patentee",
                "rights": [{"kind": "invention_patent", "number": "ZL202310123456.6", "title": "一种锂电池隔膜"}],
                "respondents": [{"name": "某某科技有限公司", "address": "江苏省南通市通州区", "listing_url": "https://shop.example.com/item/1"}]
            }),
            moves: Vec::new(),
        }
    }

    /// A lead as an office enters it (`username` is one of its users) from `source`: the
    /// complaint's facts with another complainant, respondent and right (a trademark).
    pub fn lead(&self, username: &str, source: &str) -> NewCase<'_> {
        let mut case = self.complaint().by(username);
        case.path = "/api/v1/cases";
        let body = case.body.as_object_mut().unwrap();
        body.remove("complainant_standing");
        body.insert("source".into(), json!(source));
        body.insert(
            "complainant".into(),
            json!({"name": "南通启明电子科技有限公司"}),
        );
        case.respondents(json!([{"name": "另一家贸易有限公司"}]))
            .rights(json!([{"kind": "trademark", "number": "第12345678号", "title": "启明"}]))
    }
}

/// Who triages the cases the fixture files: the assistance centre of 南通.
const TRIAGER: &str = "demo-triager";

/// Who takes the workflow steps of the cases the fixture files: an officer of their owner,
/// 南通市知识产权局.
const WORKER: &str = "demo-officer";

/// What the fixture does with a case once it is filed, in order.
enum Move {
    /// A triage decision (`POST /triage`) by the triager.
    Triage(Value),
    /// A share (`POST /shares`) by the filer.
    Share(Value),
    /// A workflow step (`POST /actions`) by the worker, and the state it leads to.
    Step(String, Value, String),
}

/// A case to file through the API: the body, who files it and what happens to it next.
pub struct NewCase<'a> {
    app: &'a TestApp,
    filer: String,
    path: &'static str,
    body: Value,
    moves: Vec<Move>,
}

impl NewCase<'_> {
    /// Filed (and shared) by `username` instead.
    pub fn by(mut self, username: &str) -> Self {
        self.filer = username.to_string();
        self
    }

    /// Sets any field of the body.
    pub fn set(mut self, field: &str, value: Value) -> Self {
        self.body[field] = value;
        self
    }

    /// The title (without one, the server makes one of the respondent and the right).
    pub fn title(self, title: &str) -> Self {
        self.set("title", json!(title))
    }

    /// What happened, in the filer's words.
    pub fn description(self, description: &str) -> Self {
        self.set("description", json!(description))
    }

    /// Where the infringement was seen (`e_commerce`, `exhibition`, `overseas`, `offline` …).
    pub fn channel(self, channel: &str) -> Self {
        self.set("channel", json!(channel))
    }

    /// The region of the infringement, which decides the owning office.
    pub fn region(self, region_code: &str) -> Self {
        self.set("region_code", json!(region_code))
    }

    /// The rights asserted, as a JSON array.
    pub fn rights(self, rights: Value) -> Self {
        self.set("rights", rights)
    }

    /// One right instead of the default ones.
    pub fn right(self, kind: &str, number: &str, title: &str) -> Self {
        self.rights(json!([{"kind": kind, "number": number, "title": title}]))
    }

    /// A design patent instead of the invention patent: a machine-tool guard.
    pub fn design_patent(self) -> Self {
        self.right("design_patent", "ZL202330123456.7", "数控机床防护罩")
    }

    /// The respondents, as a JSON array.
    pub fn respondents(self, respondents: Value) -> Self {
        self.set("respondents", respondents)
    }

    /// One respondent, known by name only.
    pub fn respondent(self, name: &str) -> Self {
        self.respondents(json!([{"name": name}]))
    }

    /// Seen at an exhibition: the channel, the exhibition's facts (as the complaint gives them)
    /// and its region, 320600.
    pub fn exhibition(self, exhibition: Value) -> Self {
        self.channel("exhibition")
            .region("320600")
            .set("exhibition", exhibition)
    }

    /// Seen at the 2026 Nantong industry fair, which opened a day ago and closes at `closes`.
    pub fn at_fair_closing(self, closes: DateTime<Utc>) -> Self {
        self.exhibition(json!({
            "name": "2026南通国际工业博览会",
            "venue": "南通国际会展中心",
            "booth": "B7",
            "opens_at": local_minute(Utc::now() - TimeDelta::days(1)),
            "closes_at": local_minute(closes),
        }))
    }

    /// Seen at the 2026 Nantong industry fair, which opened a day ago and closes in two days.
    pub fn at_fair(self) -> Self {
        self.at_fair_closing(Utc::now() + TimeDelta::days(2))
    }

    /// Made at the complaint station of exhibition `id` (2006 Measures Art. 11), at booth B7.
    pub fn at_station(self, id: i64) -> Self {
        self.channel("exhibition")
            .region("320600")
            .set("exhibition_id", json!(id))
            .set("exhibition", json!({"booth": "B7"}))
    }

    /// A request for help abroad: the channel and the overseas facts.
    pub fn overseas(self, overseas: Value) -> Self {
        self.channel("overseas").set("overseas", overseas)
    }

    /// The body as it will be sent.
    pub fn body(&self) -> Value {
        self.body.clone()
    }

    /// A triage decision (`action` and its fields) by the triager.
    pub fn triage(mut self, decision: Value) -> Self {
        self.moves.push(Move::Triage(decision));
        self
    }

    /// Routed to `queue` by the triager.
    pub fn routed(self, queue: &str) -> Self {
        self.routed_with(queue, json!({}))
    }

    /// Routed to `queue` by the triager with the facts the queue needs (e.g. `overseas`).
    pub fn routed_with(self, queue: &str, facts: Value) -> Self {
        let mut decision = facts;
        decision["action"] = json!("route");
        decision["queue"] = json!(queue);
        self.triage(decision)
    }

    /// Referred by the triager to the office `org_id`.
    pub fn referred(self, org_id: i64, reason: &str) -> Self {
        self.triage(json!({"action": "refer", "to_org_id": org_id, "reason": reason}))
    }

    /// Shared by the filer with the office `org_id` (`read` or `contribute`).
    pub fn shared_with(mut self, org_id: i64, access: &str) -> Self {
        self.moves
            .push(Move::Share(json!({"org_id": org_id, "access": access})));
        self
    }

    /// A workflow step the worker takes: it must succeed and lead to `state`.
    pub fn step(mut self, action: &str, fields: Value, state: &str) -> Self {
        self.moves
            .push(Move::Step(action.to_string(), fields, state.to_string()));
        self
    }

    /// Sends the filing only, whatever comes back: the status and the answer.
    pub async fn submit(self) -> (u16, Value) {
        let filer = self.app.api_as(&self.filer).await;
        filer.post(self.path, &self.body).await
    }

    /// Files the case (it must be accepted), then makes each of its moves (each must succeed).
    pub async fn file(self) -> Case {
        let filer = self.app.api_as(&self.filer).await;
        let (status, filed) = filer.post(self.path, &self.body).await;
        assert_eq!(status, 201, "filing by {}: {filed}", self.filer);
        let mut case = Case {
            id: filed["id"].as_i64().unwrap(),
            number: filed["number"].as_str().unwrap().to_string(),
            version: filed["version"].as_i64().unwrap(),
            last: filed.clone(),
            filed,
        };
        let (mut triager, mut worker) = (None, None);
        for m in self.moves {
            // Who sends what where, the status that must come back and the state it leads to.
            let (by, path, mut body, expect, state) = match m {
                Move::Triage(decision) => {
                    if triager.is_none() {
                        triager = Some(self.app.api_as(TRIAGER).await);
                    }
                    let by = triager.as_ref().unwrap();
                    (by, case.path("/triage"), decision, 200, None)
                }
                Move::Share(share) => (&filer, case.path("/shares"), share, 201, None),
                Move::Step(action, fields, state) => {
                    if worker.is_none() {
                        worker = Some(self.app.api_as(WORKER).await);
                    }
                    let mut body = fields;
                    body["action"] = json!(action);
                    let by = worker.as_ref().unwrap();
                    (by, case.path("/actions"), body, 200, Some(state))
                }
            };
            body["expected_version"] = json!(case.version);
            let (status, reply) = by.post(&path, &body).await;
            assert_eq!(status, expect, "POST {path} {body}: {reply}");
            if let Some(state) = state {
                assert_eq!(reply["state"], state, "POST {path} {body}: {reply}");
            }
            if let Some(v) = reply["version"].as_i64() {
                case.version = v;
            }
            case.last = reply;
        }
        case
    }
}

/// A filed case, and a worker on it that acts with the version it last saw.
pub struct Case {
    pub id: i64,
    /// The case number, `WQ-<year>-<serial>`.
    pub number: String,
    /// The version of the case after the last answer seen here.
    pub version: i64,
    /// The answer to the filing (the receipt).
    pub filed: Value,
    /// The last answer seen here: the filing's, or that of the last move or action.
    pub last: Value,
}

impl Case {
    /// The API path of the case, with `tail` (`""`, `"/events"` …).
    pub fn path(&self, tail: &str) -> String {
        format!("/api/v1/cases/{}{tail}", self.id)
    }

    /// The case page.
    pub fn page(&self) -> String {
        format!("/cases/{}", self.id)
    }

    /// Reads the case as `by` sees it and takes its version (after changes made elsewhere).
    pub async fn refresh(&mut self, by: &Api) {
        let case = by.case(self.id).await;
        self.version = case["version"]
            .as_i64()
            .unwrap_or_else(|| panic!("no version in {case}"));
    }

    /// Takes a workflow action with the version last seen; answers the status and the answer.
    pub async fn act(&mut self, by: &Api, action: &str, fields: Value) -> (u16, Value) {
        let mut body = fields;
        body["action"] = json!(action);
        body["expected_version"] = json!(self.version);
        let (status, reply) = by.post(&self.path("/actions"), &body).await;
        if status == 200 {
            self.version = reply["version"].as_i64().unwrap();
            self.last = reply.clone();
        }
        (status, reply)
    }

    /// Takes an action that must succeed and lead to `state`; answers the case's clocks after it.
    pub async fn step(&mut self, by: &Api, action: &str, fields: Value, state: &str) -> Value {
        let (status, reply) = self.act(by, action, fields).await;
        assert_eq!(status, 200, "{action}: {reply}");
        assert_eq!(reply["state"], state, "{action}: {reply}");
        reply["deadlines"].clone()
    }

    /// The names of the actions `by` may take now.
    pub async fn actions(&self, by: &Api) -> Vec<String> {
        let (status, reply) = by.get(&self.path("/actions")).await;
        assert_eq!(status, 200, "{reply}");
        reply["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    }

    /// The case's clocks as `by` sees them.
    pub async fn clocks(&self, by: &Api) -> Value {
        by.case(self.id).await["deadlines"].clone()
    }
}

/// A listener that speaks enough SMTP to take messages, refusing the first `fail` of them.
pub async fn smtp_listener(fail: usize) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let received = Arc::new(Mutex::new(Vec::new()));
    let fail = Arc::new(Mutex::new(fail));
    let got = received.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let got = got.clone();
            let fail = fail.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 test ESMTP\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            let msg = data.take().unwrap_or_default();
                            let refuse = {
                                let mut f = fail.lock().unwrap();
                                let refuse = *f > 0;
                                *f = f.saturating_sub(1);
                                refuse
                            };
                            if refuse {
                                let _ = w.write_all(b"451 4.3.0 try again later\r\n").await;
                            } else {
                                got.lock().unwrap().push(msg);
                                let _ = w.write_all(b"250 2.0.0 queued\r\n").await;
                            }
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 test\r\n"
                    } else if cmd.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (port, received)
}
