//! The JSON API's answers as types: each handler returns one of these, and the OpenAPI document
//! (`GET /api/openapi.json`) is generated from them, so the document cannot say one thing while
//! the handler answers another. Instants are RFC 3339 text in Beijing time (`present::ts`).

use crate::http::present::ts;
use crate::service::case::Moved as MovedCase;
use crate::service::case::view::{CaseSummary as SummaryView, ClockView, EventView};
use crate::service::intake::Filed as FiledCase;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// An RFC 3339 instant in Beijing time (`2026-03-02T09:30:00+08:00`).
pub type Instant = String;

/// An error (RFC 9457 `application/problem+json`), with the refused fields of a 422. A 429 or
/// 503 also carries `Retry-After`.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's title in the request's language.
    pub title: String,
    pub status: u16,
    /// What went wrong, in the request's language.
    pub detail: String,
    /// The request path.
    pub instance: String,
    /// Refused fields (422).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
}

/// One refused field of a 422.
#[derive(Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field's name as the request gave it (`respondents[0].name`).
    pub field: String,
    /// The catalogue key of the message (`error.required`).
    pub code: String,
    pub message: String,
}

/// `POST /auth/token` → a bearer token.
#[derive(Serialize, ToSchema)]
pub struct Token {
    pub token: String,
    /// Always `Bearer`.
    pub token_type: String,
    pub expires_at: Instant,
}

/// An organisation as the caller's identity names it.
#[derive(Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub name: String,
    #[schema(schema_with = org_kinds)]
    pub kind: String,
    pub region_code: String,
    pub uscc: Option<String>,
}

fn org_kinds() -> utoipa::openapi::schema::Object {
    use crate::domain::identity::OrgKind;
    let names: Vec<&str> = OrgKind::ALL.iter().map(|k| k.as_str()).collect();
    crate::domain::names::names_schema(&names, false)
}

fn roles() -> utoipa::openapi::schema::Object {
    use crate::domain::identity::Role;
    let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    crate::domain::names::names_schema(&names, false)
}

/// `GET /me`.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(schema_with = roles)]
    pub role: String,
    pub organization: Organization,
}

/// `GET /calendar/{date}`.
#[derive(Serialize, ToSchema)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub working_day: bool,
    /// The official holiday the day belongs to (国庆节 …).
    pub holiday: Option<String>,
    /// A weekend day made a working day (调休).
    pub makeup_workday: bool,
    /// Whether the State Council has published that year's schedule.
    pub published: bool,
}

/// `GET /calendar/add`.
#[derive(Serialize, ToSchema)]
pub struct CalendarAdd {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The answer crosses a year without a published schedule.
    pub provisional: bool,
}

/// `POST /enterprises/register` → 201.
#[derive(Serialize, ToSchema)]
pub struct Registered {
    pub organization_id: i64,
    pub user_id: i64,
    pub username: String,
}

/// A sign-in lock an administrator may lift.
#[derive(Serialize, ToSchema)]
pub struct SignInLock {
    /// `account_at_address`, `account`, `address`.
    pub reason: String,
    pub username: Option<String>,
    pub client_addr: Option<String>,
    pub failures: u64,
    pub last_failure: Instant,
    pub until: Instant,
}

/// `GET /admin/sign-in-locks`.
#[derive(Serialize, ToSchema)]
pub struct SignInLocks {
    pub locks: Vec<SignInLock>,
}

/// `POST /admin/sign-in-locks/lift`.
#[derive(Serialize, ToSchema)]
pub struct Lifted {
    pub failures_forgotten: u64,
}

/// The receipt of a filing: `POST /complaints`, `POST /cases` → 201.
#[derive(Serialize, ToSchema)]
pub struct Filed {
    pub id: i64,
    /// `WQ-2026-000123`.
    pub number: String,
    pub version: i64,
    #[schema(value_type = crate::domain::case::Queue)]
    pub queue: String,
    #[schema(value_type = crate::domain::case::CaseState)]
    pub state: String,
    pub received_at: Instant,
    /// When triage must have answered (24:00 Beijing time of its last working day).
    pub triage_due: Option<Instant>,
    /// When an exhibition station must have transferred the complaint (24 hours).
    pub transfer_due: Option<Instant>,
    /// The due day depends on a year without a published schedule.
    pub triage_due_provisional: bool,
}

impl From<&FiledCase> for Filed {
    fn from(f: &FiledCase) -> Self {
        Self {
            id: f.id,
            number: f.number.clone(),
            version: f.version,
            queue: f.queue.to_string(),
            state: f.state.to_string(),
            received_at: ts(f.received_at),
            triage_due: f.triage_due.map(ts),
            transfer_due: f.transfer_due.map(ts),
            triage_due_provisional: f.provisional,
        }
    }
}

/// One case in a list. The filing enterprise does not see which office or officer has it.
#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: i64,
    pub number: String,
    pub title: String,
    #[schema(value_type = crate::domain::case::Queue)]
    pub queue: String,
    #[schema(value_type = crate::domain::case::CaseState)]
    pub state: String,
    #[schema(value_type = crate::domain::case::Channel)]
    pub channel: String,
    pub region_code: String,
    #[schema(value_type = crate::domain::case::Source)]
    pub source: String,
    /// `none`, `provincial_srdi` (省级专精特新中小企业), `national_little_giant` (小巨人).
    pub srdi: String,
    /// On the 专精特新 fast track (快速通道): the complainant is a 专精特新 enterprise.
    pub fast_track: bool,
    pub received_at: Instant,
    /// The earliest due instant of a clock that makes the case urgent.
    pub next_due_at: Option<Instant>,
    pub closed_at: Option<Instant>,
    pub version: i64,
    /// Not shown to the filing enterprise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_org_id: Option<i64>,
    /// Not shown to the filing enterprise; `null` while nobody is assigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub assignee_user_id: Option<Option<i64>>,
}

impl CaseSummary {
    pub fn of(c: &SummaryView, filer_view: bool) -> Self {
        Self {
            id: c.id,
            number: c.number.clone(),
            title: c.title.clone(),
            queue: c.queue.to_string(),
            state: c.state.to_string(),
            channel: c.channel.to_string(),
            region_code: c.region_code.clone(),
            source: c.source.to_string(),
            srdi: c.srdi.map_or("none", |l| l.as_str()).to_string(),
            fast_track: c.srdi.is_some(),
            received_at: ts(c.received_at),
            next_due_at: c.next_due_at.map(ts),
            closed_at: c.closed_at.map(ts),
            version: c.version,
            owner_org_id: (!filer_view).then_some(c.owner_org_id),
            assignee_user_id: (!filer_view).then_some(c.assignee_user_id),
        }
    }
}

/// A page of cases.
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseSummary>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// Cases without paging (duplicates).
#[derive(Serialize, ToSchema)]
pub struct CaseItems {
    pub items: Vec<CaseSummary>,
}

/// A stretch of time a clock did not run.
#[derive(Serialize, ToSchema)]
pub struct Pause {
    pub from: Instant,
    /// `null` while the pause lasts.
    pub until: Option<Instant>,
}

/// An extension granted to a clock.
#[derive(Serialize, ToSchema)]
pub struct Extension {
    /// `department_head`, `higher_department`, `panel`, …
    pub tier: String,
    pub amount: u32,
}

/// A deadline clock (法定期限 or the office's service standard).
#[derive(Serialize, ToSchema)]
pub struct Clock {
    pub name: String,
    /// The rule (`ar.closing`).
    pub rule_id: String,
    /// The legal source (article).
    pub source: String,
    /// `law` or `service_standard` (服务承诺).
    pub basis: String,
    #[schema(value_type = crate::domain::deadline::Unit)]
    pub unit: String,
    pub start_at: Instant,
    /// 24:00 Beijing time of the last day, as the next midnight.
    pub due_at: Instant,
    #[schema(value_type = crate::domain::deadline::State)]
    pub state: String,
    pub paused_segments: Vec<Pause>,
    pub extensions: Vec<Extension>,
    /// The due day depends on a year without a published schedule.
    pub provisional: bool,
    /// How the due day was reckoned, in Chinese.
    pub explanation: String,
}

impl From<&ClockView> for Clock {
    fn from(c: &ClockView) -> Self {
        Self {
            name: c.name.clone(),
            rule_id: c.rule_id.clone(),
            source: c.source.clone(),
            basis: if c.service_standard {
                "service_standard"
            } else {
                "law"
            }
            .to_string(),
            unit: c.unit.to_string(),
            start_at: ts(c.start_at),
            due_at: ts(c.due_at),
            state: c.state.to_string(),
            paused_segments: c
                .paused
                .iter()
                .map(|(from, until)| Pause {
                    from: from.to_rfc3339(),
                    until: until.map(|u| u.to_rfc3339()),
                })
                .collect(),
            extensions: c
                .extensions
                .iter()
                .map(|(tier, amount)| Extension {
                    tier: tier.clone(),
                    amount: *amount,
                })
                .collect(),
            provisional: c.provisional,
            explanation: c.explanation.clone(),
        }
    }
}

/// A case's clocks.
#[derive(Serialize, ToSchema)]
pub struct Clocks {
    pub items: Vec<Clock>,
}

/// A case after a write.
#[derive(Serialize, ToSchema)]
pub struct Moved {
    pub id: i64,
    pub version: i64,
    #[schema(value_type = crate::domain::case::Queue)]
    pub queue: String,
    #[schema(value_type = crate::domain::case::CaseState)]
    pub state: String,
}

impl From<&MovedCase> for Moved {
    fn from(m: &MovedCase) -> Self {
        Self {
            id: m.id,
            version: m.version,
            queue: m.queue.to_string(),
            state: m.state.to_string(),
        }
    }
}

/// A case after a step, with its clocks as they now stand.
#[derive(Serialize, ToSchema)]
pub struct Stepped {
    pub id: i64,
    pub version: i64,
    #[schema(value_type = crate::domain::case::Queue)]
    pub queue: String,
    #[schema(value_type = crate::domain::case::CaseState)]
    pub state: String,
    pub deadlines: Vec<Clock>,
}

impl Stepped {
    /// The case after a write, with its clocks as they now stand.
    pub fn after(m: &MovedCase, deadlines: Vec<Clock>) -> Self {
        Self {
            id: m.id,
            version: m.version,
            queue: m.queue.to_string(),
            state: m.state.to_string(),
            deadlines,
        }
    }
}

/// An organisation named on a case.
#[derive(Serialize, ToSchema)]
pub struct OrgName {
    pub id: i64,
    pub name: String,
}

/// A case named by another.
#[derive(Serialize, ToSchema)]
pub struct CaseNumber {
    pub id: i64,
    pub number: String,
}

/// A party (complainant, respondent, third party …).
#[derive(Serialize, ToSchema)]
pub struct Party {
    #[schema(value_type = crate::domain::case::PartyRole)]
    pub role: String,
    pub name: String,
    pub uscc: Option<String>,
    pub address: Option<String>,
    pub listing_url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

/// A right the case is about.
#[derive(Serialize, ToSchema)]
pub struct Right {
    #[schema(value_type = crate::domain::case::RightKind)]
    pub kind: String,
    pub number: Option<String>,
    pub title: String,
    pub holder: Option<String>,
}

/// An office the case is shared with.
#[derive(Serialize, ToSchema)]
pub struct Share {
    pub org_id: i64,
    pub org: Option<String>,
    #[schema(value_type = crate::domain::case::ShareAccess)]
    pub access: String,
    /// Why it is shared: `granted` by an office, or made by a procedure (`handover`,
    /// `triaged`, `procedure`).
    #[schema(value_type = crate::domain::case::ShareOrigin)]
    pub origin: String,
    pub granted_at: Instant,
}

/// A case with parties, rights, shares and clocks, as its reader may see it.
#[derive(Serialize, ToSchema)]
pub struct Case {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub description: String,
    #[schema(value_type = Option<crate::domain::case::Standing>)]
    pub complainant_standing: Option<String>,
    /// The exhibition's facts (name, venue, dates, booth) for exhibition cases.
    #[schema(value_type = Option<Object>)]
    pub exhibition: Value,
    /// The overseas dispute's facts (country, forum, foreign deadline …) for overseas cases.
    #[schema(value_type = Option<Object>)]
    pub overseas: Value,
    pub owner: Option<OrgName>,
    pub referred_to: Option<OrgName>,
    pub merged_into: Option<CaseNumber>,
    pub parties: Vec<Party>,
    pub rights: Vec<Right>,
    /// Empty for the filing enterprise.
    pub shares: Vec<Share>,
    /// For the filing enterprise, the public clocks only.
    pub deadlines: Vec<Clock>,
    /// `filer`, `read`, `contribute`, `owner`.
    pub access: String,
}

/// An event of the case's timeline.
#[derive(Serialize, ToSchema)]
pub struct Event {
    pub seq: i64,
    #[schema(value_type = crate::domain::case::EventKind)]
    pub kind: String,
    /// When it happened.
    pub at: Instant,
    /// When it was recorded.
    pub recorded_at: Instant,
    pub actor_user_id: Option<i64>,
    /// Shown to the parties.
    pub public: bool,
    /// The event's own facts.
    #[schema(value_type = Object)]
    pub payload: Value,
}

impl From<&EventView> for Event {
    fn from(e: &EventView) -> Self {
        Self {
            seq: e.seq,
            kind: e.kind.to_string(),
            at: ts(e.at),
            recorded_at: ts(e.recorded_at),
            actor_user_id: e.actor_user_id,
            public: e.public,
            payload: e.payload.clone(),
        }
    }
}

/// A case's timeline.
#[derive(Serialize, ToSchema)]
pub struct Events {
    pub items: Vec<Event>,
    /// Always `null`: the whole timeline is answered.
    pub next_cursor: Option<String>,
}

/// `GET /cases/{id}/triage`.
#[derive(Serialize, ToSchema)]
pub struct TriageOptions {
    pub id: i64,
    pub version: i64,
    #[schema(value_type = crate::domain::case::Queue)]
    pub queue: String,
    #[schema(value_type = crate::domain::case::CaseState)]
    pub state: String,
    /// Whether the caller may triage the case now.
    pub allowed: bool,
    /// `route`, `refer`, `reject`, `merge` when allowed.
    pub actions: Vec<String>,
    /// The queues a lead may be routed to.
    #[schema(value_type = Vec<crate::domain::case::Queue>)]
    pub queues: Vec<String>,
    /// The reasons a lead may be rejected for.
    pub reject_reasons: Vec<String>,
    pub duplicates: Vec<CaseSummary>,
}

/// A choice of a workflow field.
#[derive(Serialize, ToSchema)]
pub struct Choice {
    pub value: ChoiceValue,
    pub label: String,
}

/// The value sent for a choice: an id for users, offices and experts; a name otherwise.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ChoiceValue {
    Id(i64),
    Name(String),
}

/// A field a workflow action needs.
#[derive(Serialize, ToSchema)]
pub struct ActionField {
    pub name: String,
    pub label: String,
    /// `line`, `text`, `int`, `bool`, `date`, `instant`, `choice`, `choices`, `users`,
    /// `office`, `id`.
    pub kind: String,
    pub required: bool,
    pub options: Vec<Choice>,
    /// For text: the longest answer, in characters.
    pub max_chars: Option<usize>,
    /// For numbers: `[least, most]`.
    pub range: Option<Vec<i64>>,
}

/// A workflow action the caller may take now.
#[derive(Serialize, ToSchema)]
pub struct WorkflowAction {
    pub name: String,
    pub label: String,
    /// Asks for a confirmation: it cannot be undone.
    pub irreversible: bool,
    /// The document (文书) it issues.
    pub document: Option<String>,
    pub fields: Vec<ActionField>,
}

/// `GET /cases/{id}/actions`.
#[derive(Serialize, ToSchema)]
pub struct Actions {
    pub id: i64,
    pub version: i64,
    #[schema(value_type = crate::domain::case::Queue)]
    pub queue: String,
    #[schema(value_type = crate::domain::case::CaseState)]
    pub state: String,
    pub actions: Vec<WorkflowAction>,
}

/// A document issued on a case.
#[derive(Serialize, ToSchema)]
pub struct IssuedDocument {
    pub seq: i64,
    pub kind: String,
    pub issued_at: Instant,
    /// Its printable page.
    pub url: String,
}

/// `GET /cases/{id}/documents`.
#[derive(Serialize, ToSchema)]
pub struct Documents {
    /// The kinds the caller may issue now.
    pub can_issue: Vec<String>,
    pub issued: Vec<IssuedDocument>,
}

/// `POST /cases/{id}/documents` → 201.
#[derive(Serialize, ToSchema)]
pub struct DocumentIssued {
    pub seq: i64,
    pub kind: String,
    /// The case's version after issuing.
    pub version: i64,
    pub url: String,
    /// The facts the document states.
    #[schema(value_type = Object)]
    pub data: Value,
}

/// `POST /cases/{id}/evidence` → 201.
#[derive(Serialize, ToSchema)]
pub struct EvidenceStored {
    pub id: i64,
    /// Its number within the case (`E3` is 3).
    pub no: i64,
    pub sha256: String,
    /// Sealed a moment after the upload; `null` until then.
    pub sm3: Option<String>,
    pub size: i64,
    pub media_type: String,
    pub original_name: Option<String>,
}

/// Who uploaded an item.
#[derive(Serialize, ToSchema)]
pub struct Uploader {
    pub user_id: i64,
    pub name: Option<String>,
    pub org_id: i64,
}

/// A withdrawn item.
#[derive(Serialize, ToSchema)]
pub struct Withdrawal {
    pub at: Instant,
    pub by_user_id: Option<i64>,
    pub reason: Option<String>,
}

/// A step of an item's chain of custody.
#[derive(Serialize, ToSchema)]
pub struct CustodyStep {
    /// `evidence_added`, `evidence_viewed`, `evidence_downloaded`, `evidence_sealed`, …
    pub event: String,
    /// Its catalogue key.
    pub event_key: String,
    pub at: Instant,
    pub actor: Option<String>,
}

/// An evidence item with its hashes and chain of custody.
#[derive(Serialize, ToSchema)]
pub struct Evidence {
    pub id: i64,
    pub no: i64,
    /// `WQ-2026-000123-E3`.
    pub label: String,
    #[schema(value_type = crate::domain::evidence::Kind)]
    pub kind: String,
    pub kind_key: String,
    pub description: String,
    /// `YYYY-MM-DD`.
    pub obtained_at: Option<String>,
    pub original_name: Option<String>,
    pub sha256: String,
    pub sm3: Option<String>,
    pub sm3_at: Option<Instant>,
    pub size: i64,
    pub media_type: String,
    /// Images and PDF can be previewed.
    pub previewable: bool,
    pub uploader: Uploader,
    pub uploaded_at: Instant,
    pub withdrawn: Option<Withdrawal>,
    pub custody: Vec<CustodyStep>,
}

/// `GET /cases/{id}/evidence`.
#[derive(Serialize, ToSchema)]
pub struct EvidenceList {
    pub items: Vec<Evidence>,
}

/// `POST /evidence/{id}/withdraw`.
#[derive(Serialize, ToSchema)]
pub struct Withdrawn {
    pub id: i64,
    pub withdrawn_at: Option<Instant>,
    pub reason: Option<String>,
}

/// A search hit.
#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    pub id: i64,
    pub number: String,
    pub title: String,
    #[schema(value_type = crate::domain::case::Queue)]
    pub queue: String,
    #[schema(value_type = crate::domain::case::CaseState)]
    pub state: String,
    /// Escaped HTML with the matched words in `<mark>`.
    pub snippet: String,
    /// A 专精特新 enterprise's case, on the fast track (快速通道).
    pub fast_track: bool,
}

/// `GET /search`.
#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    pub total: usize,
    /// Of the matches, how many are overdue.
    pub overdue: u64,
    pub items: Vec<SearchHit>,
    /// Counts per value, per facet (`queue`, `state`, `kind`, `channel`, `region`, `srdi`).
    #[schema(value_type = Object)]
    pub facets: Value,
    pub next_cursor: Option<String>,
}

/// A notice to the caller; `title` and `text` in the request's language.
#[derive(Serialize, ToSchema)]
pub struct Notice {
    pub id: i64,
    pub kind: String,
    /// The topic its channels are chosen by.
    pub topic: crate::domain::notice::event::Topic,
    /// The case event it announces (`shared`, `docketed` …).
    #[schema(value_type = Option<String>)]
    pub event: Value,
    /// The approval it asks for (`extension`, `share` …).
    #[schema(value_type = Option<String>)]
    pub approval: Value,
    pub case_id: i64,
    #[schema(value_type = Option<String>)]
    pub case_number: Value,
    #[schema(value_type = Option<String>)]
    pub case_title: Value,
    /// The clock it is about (empty when none).
    pub rule_id: String,
    #[schema(value_type = Option<String>)]
    pub clock: Value,
    pub due_at: Instant,
    pub created_at: Instant,
    pub read_at: Option<Instant>,
    pub title: String,
    pub text: String,
}

/// `GET /notifications`.
#[derive(Serialize, ToSchema)]
pub struct Notices {
    pub items: Vec<Notice>,
    pub unread: u64,
    /// Pass as `before` for older notices; `null` on the last page.
    pub next_before: Option<i64>,
}

/// `POST /notifications/{id}/read`.
#[derive(Serialize, ToSchema)]
pub struct NoticeRead {
    pub id: i64,
    pub read: bool,
    /// Unread notices left.
    pub unread: u64,
}

/// The clock an approval waits on.
#[derive(Serialize, ToSchema)]
pub struct ApprovalClock {
    pub rule_id: String,
    pub name: Option<String>,
    pub due_at: Option<Instant>,
}

/// Something waiting for the caller's decision.
#[derive(Serialize, ToSchema)]
pub struct Approval {
    pub id: i64,
    pub kind: crate::domain::approval::ApprovalKind,
    pub label: String,
    pub case_id: i64,
    pub case_number: String,
    pub case_title: String,
    pub case_version: i64,
    /// 专精特新 cases first: 2 for 小巨人, 1 for SRDI SMEs.
    pub srdi_rank: i16,
    /// The event that asked.
    pub opened_seq: i64,
    pub opened_at: Instant,
    pub clock: Option<ApprovalClock>,
    #[schema(value_type = Object)]
    pub data: Value,
}

/// `GET /approvals`.
#[derive(Serialize, ToSchema)]
pub struct Approvals {
    pub count: usize,
    pub items: Vec<Approval>,
}

/// A message on a case (沟通).
#[derive(Serialize, ToSchema)]
pub struct Message {
    pub seq: i64,
    pub at: Instant,
    /// `office` or `filer`.
    pub from: String,
    pub author: String,
    pub org: String,
    pub body: String,
    /// A request for material: the day it is due (`YYYY-MM-DD`).
    pub material_due: Option<String>,
    /// The request this message answers.
    pub answers: Option<i64>,
    /// Evidence items it hands in.
    pub evidence: Vec<AttachedEvidence>,
}

/// An evidence item handed in with a message.
#[derive(Serialize, ToSchema)]
pub struct AttachedEvidence {
    pub id: i64,
    /// `E3`.
    pub label: String,
    pub name: Option<String>,
}

/// `GET /cases/{id}/messages`.
#[derive(Serialize, ToSchema)]
pub struct Messages {
    pub items: Vec<Message>,
    /// The open request for material, if any.
    pub open_request: Option<i64>,
}

/// `POST /cases/{id}/messages` → 201.
#[derive(Serialize, ToSchema)]
pub struct MessagePosted {
    pub case: Moved,
    pub message: Message,
}

/// The channels of one notice topic.
#[derive(Serialize, ToSchema)]
pub struct TopicChannels {
    pub topic: crate::domain::notice::event::Topic,
    pub label: String,
    pub email: bool,
    pub sms: bool,
}

/// `GET /account/notices`.
#[derive(Serialize, ToSchema)]
pub struct NoticePreferences {
    pub topics: Vec<TopicChannels>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Whether the server sends e-mail at all.
    pub mail_enabled: bool,
    /// Whether the server sends text messages at all.
    pub sms_enabled: bool,
}

/// A figure of the statistics.
#[derive(Serialize, ToSchema)]
pub struct ReportFigure {
    pub key: String,
    pub label: String,
    /// `count`, `percent`, `days`.
    pub unit: String,
    /// Whole numbers for counts and days, one decimal for per cents; `null` when nothing counts.
    #[schema(value_type = Option<f64>)]
    pub value: Value,
    /// Whether the figure lists cases.
    pub applicable: bool,
    /// The API list of the cases it counts.
    pub list: Option<String>,
    /// The page of the cases it counts.
    pub page: Option<String>,
    /// The value in words (`92.5%`).
    pub shown: String,
    pub days: bool,
}

/// An organisation in a report.
#[derive(Serialize, ToSchema)]
pub struct ReportOrg {
    pub id: i64,
    pub name: String,
}

/// A section of the statistics.
#[derive(Serialize, ToSchema)]
pub struct ReportSection {
    pub key: String,
    pub label: String,
    pub figures: Vec<ReportFigure>,
    /// Breakdowns of the section's figures (overseas requests by category and by country).
    pub tables: Vec<ReportTable>,
}

/// A breakdown under a section: a row per value of `group_by`, a cell per column.
#[derive(Serialize, ToSchema)]
pub struct ReportTable {
    pub key: String,
    pub label: String,
    pub group_by: String,
    pub columns: Vec<ReportColumn>,
    pub rows: Vec<ReportGroup>,
}

/// A column of the breakdown.
#[derive(Serialize, ToSchema)]
pub struct ReportColumn {
    pub key: String,
    pub label: String,
}

/// A row of the breakdown.
#[derive(Serialize, ToSchema)]
pub struct ReportGroup {
    pub value: String,
    pub label: String,
    pub figures: Vec<ReportFigure>,
}

/// A month of the trend.
#[derive(Serialize, ToSchema)]
pub struct ReportMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub received: u64,
    /// Leads received per queue.
    #[schema(value_type = Object)]
    pub by_queue: Value,
    pub ar_on_time_rate: Option<f64>,
}

/// `GET /reports/summary`.
#[derive(Serialize, ToSchema)]
pub struct ReportSummary {
    pub org: ReportOrg,
    /// `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// The filters applied.
    #[schema(value_type = Object)]
    pub filters: Value,
    pub sections: Vec<ReportSection>,
    pub group_by: Option<String>,
    pub group_columns: Vec<ReportColumn>,
    pub groups: Vec<ReportGroup>,
    pub months: Vec<ReportMonth>,
}

/// Where the cases behind an assessment item are listed.
#[derive(Serialize, ToSchema)]
pub struct CaseLists {
    pub list: String,
    pub page: String,
}

/// An item of the 考核 sheet.
#[derive(Serialize, ToSchema)]
pub struct AssessmentItem {
    pub key: String,
    pub label: String,
    pub unit: String,
    #[schema(value_type = Option<f64>)]
    pub value: Value,
    /// The year before.
    #[schema(value_type = Option<f64>)]
    pub previous: Value,
    /// Growth over the year before, per cent.
    pub growth: Option<f64>,
    pub score: Option<f64>,
    pub weight: f64,
    pub cases: Option<String>,
    pub lists: Vec<CaseLists>,
    pub shown: String,
    pub previous_shown: String,
    pub growth_shown: Option<String>,
    pub score_shown: String,
}

/// `GET /reports/assessment`.
#[derive(Serialize, ToSchema)]
pub struct AssessmentSheet {
    pub org: ReportOrg,
    pub year: i32,
    pub items: Vec<AssessmentItem>,
    pub total: f64,
    pub weight: f64,
}

/// One consultation (咨询).
#[derive(Serialize, ToSchema)]
pub struct Consultation {
    pub id: i64,
    pub topic: crate::domain::consultation::ConsultTopic,
    pub channel: crate::domain::consultation::ConsultChannel,
    /// `open` (waiting for an answer), `answered` or `converted` (it became a case).
    #[schema(schema_with = consultation_statuses)]
    pub status: String,
    pub question: String,
    pub answer: Option<String>,
    pub minutes_spent: Option<i32>,
    pub asker_name: String,
    pub asker_contact: Option<String>,
    /// The enterprise that asked, when it is one kept here (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_id: Option<i64>,
    /// The organisation that answers it.
    pub org_id: i64,
    pub org_name: String,
    pub region_code: String,
    pub asked_at: Instant,
    pub answered_at: Option<Instant>,
    /// The case it became (absent until it becomes one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    /// What the caller may do with it now.
    pub can_answer: bool,
    pub can_convert: bool,
}

fn consultation_statuses() -> utoipa::openapi::schema::Object {
    crate::domain::names::names_schema(&["open", "answered", "converted"], false)
}

/// Per topic: the consultations matching the filters, by status, and the minutes recorded.
#[derive(Serialize, ToSchema)]
pub struct ConsultationFigures {
    pub topic: crate::domain::consultation::ConsultTopic,
    pub open: i64,
    pub answered: i64,
    pub converted: i64,
    pub minutes_spent: i64,
}

/// `GET /consultations`.
#[derive(Serialize, ToSchema)]
pub struct Consultations {
    pub items: Vec<Consultation>,
    /// How many match the filters in all.
    pub total: u64,
    /// Pass as `before` for older consultations; `null` on the last page.
    pub next_before: Option<i64>,
    pub figures: Vec<ConsultationFigures>,
}

impl Consultation {
    pub fn of(
        me: &crate::service::Identity,
        c: &crate::service::consultations::ConsultationView,
    ) -> Self {
        use crate::domain::consultation::ConsultChannel;
        use crate::domain::policy::{ConsultationAccess, may_convert_consultation};
        let r = &c.row;
        Self {
            id: r.id,
            topic: c.topic(),
            channel: ConsultChannel::parse(&r.channel).unwrap_or(ConsultChannel::Online),
            status: c.status.as_str().to_string(),
            question: r.question.clone(),
            answer: r.answer.clone(),
            minutes_spent: r.minutes_spent,
            asker_name: r.asker_name.clone(),
            asker_contact: r.asker_contact.clone(),
            enterprise_id: r.enterprise_org_id,
            org_id: r.org_id,
            org_name: c.org_name.clone(),
            region_code: r.region_code.clone(),
            asked_at: ts(r.asked_at),
            answered_at: r.answered_at.map(ts),
            case_id: r.case_id,
            case_number: c.case_number.clone(),
            can_answer: c.access == ConsultationAccess::Answer && r.answered_at.is_none(),
            can_convert: r.case_id.is_none() && may_convert_consultation(&me.actor, c.access),
        }
    }
}

/// An overseas mutual-aid fund (海外维权互助基金). Amounts are in fen (分).
#[derive(Serialize, ToSchema)]
pub struct Fund {
    pub id: i64,
    pub name: String,
    /// The managing office, whose supervisors decide applications.
    pub org_id: i64,
    pub org_name: String,
    /// The overseas dispute categories it pays for.
    #[schema(value_type = Vec<String>)]
    pub categories: Vec<&'static str>,
    pub max_per_case_fen: i64,
    /// The share of the costs the enterprise pays itself, in percent.
    pub self_share_percent: i32,
    /// Grants that may exceed this are decided by a panel of `panel_size`.
    pub panel_threshold_fen: i64,
    pub panel_size: i32,
    pub rules: String,
    /// This year's budget and what is left of it (absent when none is set; for those who read
    /// the fund's books: its managing office and the offices above it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<FundBudget>,
    /// The caller reviews its applications (a supervisor of the managing office).
    pub can_review: bool,
}

/// A fund's budget for one year.
#[derive(Serialize, ToSchema)]
pub struct FundBudget {
    pub year: i32,
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub remaining_fen: i64,
    /// Granted and not paid yet (in a fund's detail); above `remaining_fen` after a budget cut,
    /// when some grants cannot be paid in full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpaid_grants_fen: Option<i64>,
}

impl FundBudget {
    fn of(year: i32, amount_fen: i64, paid_fen: i64) -> Self {
        Self {
            year,
            amount_fen,
            paid_fen,
            remaining_fen: amount_fen - paid_fen,
            unpaid_grants_fen: None,
        }
    }
}

impl Fund {
    pub fn of(f: &crate::service::funds::FundView) -> Self {
        use crate::domain::policy::FundAccess;
        let r = &f.row;
        Self {
            id: r.id,
            name: r.name.clone(),
            org_id: r.org_id,
            org_name: f.org_name.clone(),
            categories: f.categories.iter().map(|c| c.as_str()).collect(),
            max_per_case_fen: r.max_per_case_fen,
            self_share_percent: r.self_share_percent,
            panel_threshold_fen: r.panel_threshold_fen,
            panel_size: r.panel_size,
            rules: r.rules.clone(),
            budget: f
                .this_year
                .as_ref()
                .filter(|_| f.access >= FundAccess::Read)
                .map(|b| FundBudget::of(b.year, b.amount_fen, b.paid_fen)),
            can_review: f.access == FundAccess::Reviewer,
        }
    }
}

/// `GET /funds`.
#[derive(Serialize, ToSchema)]
pub struct Funds {
    pub items: Vec<Fund>,
}

/// One year's figures of a fund's applications.
#[derive(Serialize, ToSchema)]
pub struct FundFigures {
    pub year: i32,
    pub applications: i64,
    pub open: i64,
    pub approved: i64,
    pub declined: i64,
    pub claimed_fen: i64,
    pub approved_fen: i64,
    pub paid_fen: i64,
}

/// One payout in a fund's ledger.
#[derive(Serialize, ToSchema)]
pub struct LedgerLine {
    pub payout_id: i64,
    pub application_id: i64,
    pub case_number: String,
    pub applicant: String,
    pub year: i32,
    pub amount_fen: i64,
    /// `YYYY-MM-DD`.
    pub paid_on: String,
    pub reference: String,
    /// What was left of the year's budget after it.
    pub balance_fen: i64,
    pub recorded_at: Instant,
}

/// `GET /funds/{id}`: the fund, and for those who read its books its budgets per year, figures
/// per year and its ledger (the latest 50 payouts).
#[derive(Serialize, ToSchema)]
pub struct FundDetail {
    pub fund: Fund,
    pub budgets: Vec<FundBudget>,
    pub figures: Vec<FundFigures>,
    pub ledger: Vec<LedgerLine>,
}

impl FundDetail {
    pub fn of(d: &crate::service::funds::FundDetail) -> Self {
        Self {
            fund: Fund::of(&d.fund),
            budgets: d
                .budgets
                .iter()
                .map(|b| FundBudget {
                    unpaid_grants_fen: d.unpaid.get(&b.year).copied(),
                    ..FundBudget::of(b.year, b.amount_fen, b.paid_fen)
                })
                .collect(),
            figures: d
                .figures
                .iter()
                .map(|f| FundFigures {
                    year: f.year,
                    applications: f.applications,
                    open: f.open,
                    approved: f.approved,
                    declined: f.declined,
                    claimed_fen: f.claimed_fen,
                    approved_fen: f.approved_fen,
                    paid_fen: f.paid_fen,
                })
                .collect(),
            ledger: d
                .ledger
                .iter()
                .map(|l| LedgerLine {
                    payout_id: l.payout.id,
                    application_id: l.payout.application_id,
                    case_number: l.case_number.clone(),
                    applicant: l.applicant.clone(),
                    year: l.payout.year,
                    amount_fen: l.payout.amount_fen,
                    paid_on: l.payout.paid_on.to_string(),
                    reference: l.payout.reference.clone(),
                    balance_fen: l.balance_fen,
                    recorded_at: ts(l.payout.created_at),
                })
                .collect(),
        }
    }
}

/// A reviewer's vote on an application.
#[derive(Serialize, ToSchema)]
pub struct FundVote {
    pub reviewer: String,
    pub approve: bool,
    pub amount_fen: Option<i64>,
    pub reasons: String,
    pub at: Instant,
}

/// A payout on an application.
#[derive(Serialize, ToSchema)]
pub struct FundPayout {
    pub id: i64,
    pub amount_fen: i64,
    pub paid_on: String,
    pub reference: String,
}

/// An application to a fund from an overseas case.
#[derive(Serialize, ToSchema)]
pub struct FundApplication {
    pub id: i64,
    pub fund_id: i64,
    pub fund_name: String,
    pub case_id: i64,
    pub case_number: String,
    pub applicant_org_id: i64,
    pub applicant: String,
    /// The budget year it is paid from.
    pub year: i32,
    pub state: crate::domain::fund::FundState,
    pub claimed_fen: i64,
    /// The most the fund may grant on the claim.
    pub cap_fen: i64,
    /// Decided by a panel (the claim's cap is above the fund's threshold).
    pub panel: bool,
    pub costs: String,
    pub evidence_ids: Vec<i64>,
    pub approved_fen: Option<i64>,
    pub paid_fen: i64,
    pub reasons: Option<String>,
    pub decided_at: Option<Instant>,
    pub filed_at: Instant,
    /// The votes (the fund's reviewers and panel only).
    pub votes: Vec<FundVote>,
    pub payouts: Vec<FundPayout>,
    /// What the caller may do now.
    pub can_vote: bool,
    pub can_pay: bool,
}

impl FundApplication {
    pub fn of(a: &crate::service::funds::ApplicationView) -> Self {
        let r = &a.row;
        Self {
            id: r.id,
            fund_id: r.fund_id,
            fund_name: a.fund_name.clone(),
            case_id: r.case_id,
            case_number: a.case_number.clone(),
            applicant_org_id: r.applicant_org_id,
            applicant: a.applicant.clone(),
            year: r.year,
            state: a.state,
            claimed_fen: r.claimed_fen,
            cap_fen: a.cap_fen,
            panel: a.panel,
            costs: r.costs.clone(),
            evidence_ids: a.evidence_ids.clone(),
            approved_fen: r.approved_fen,
            paid_fen: r.paid_fen,
            reasons: r.reasons.clone(),
            decided_at: r.decided_at.map(ts),
            filed_at: ts(r.created_at),
            votes: a
                .votes
                .iter()
                .map(|(v, name)| FundVote {
                    reviewer: name.clone(),
                    approve: v.approve,
                    amount_fen: v.amount_fen,
                    reasons: v.reasons.clone(),
                    at: ts(v.created_at),
                })
                .collect(),
            payouts: a
                .payouts
                .iter()
                .map(|p| FundPayout {
                    id: p.id,
                    amount_fen: p.amount_fen,
                    paid_on: p.paid_on.to_string(),
                    reference: p.reference.clone(),
                })
                .collect(),
            can_vote: a.can_vote,
            can_pay: a.can_pay,
        }
    }
}

/// `GET /funds/{id}/applications`.
#[derive(Serialize, ToSchema)]
pub struct FundApplications {
    pub items: Vec<FundApplication>,
    /// Pass as `before` for older applications; `null` on the last page.
    pub next_before: Option<i64>,
}

/// An organisation taking part in a campaign.
#[derive(Serialize, ToSchema)]
pub struct CampaignBody {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

impl CampaignBody {
    fn of(b: &crate::service::campaigns::Body) -> Self {
        Self {
            id: b.id,
            name: b.name.clone(),
            kind: b.kind.clone(),
        }
    }
}

/// A special campaign (专项行动).
#[derive(Serialize, ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub lead: CampaignBody,
    pub members: Vec<CampaignBody>,
    pub starts_on: String,
    pub ends_on: String,
    pub description: String,
    /// The caller's office leads it (links cases, records inspections, refers).
    pub can_work: bool,
}

impl Campaign {
    pub fn of(c: &crate::service::campaigns::CampaignView) -> Self {
        Self {
            id: c.row.id,
            name: c.row.name.clone(),
            lead: CampaignBody::of(&c.lead),
            members: c.members.iter().map(CampaignBody::of).collect(),
            starts_on: c.row.starts_on.to_string(),
            ends_on: c.row.ends_on.to_string(),
            description: c.row.description.clone(),
            can_work: c.access == crate::domain::policy::CampaignAccess::Lead,
        }
    }
}

/// `GET /campaigns`.
#[derive(Serialize, ToSchema)]
pub struct Campaigns {
    pub items: Vec<Campaign>,
}

/// A case linked to a campaign (its title only for a caller who may open it).
#[derive(Serialize, ToSchema)]
pub struct CampaignCase {
    pub case_id: i64,
    pub number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub state: crate::domain::case::CaseState,
    pub linked_at: Instant,
}

/// A joint inspection.
#[derive(Serialize, ToSchema)]
pub struct Inspection {
    pub id: i64,
    pub held_on: String,
    pub place: String,
    pub bodies: Vec<String>,
    pub findings: String,
    pub evidence: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<i64>,
}

/// A referral of a campaign's case to a participating body.
#[derive(Serialize, ToSchema)]
pub struct CampaignReferral {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub to_org_id: i64,
    pub to_org: String,
    pub note: String,
    pub referred_at: Instant,
    pub acknowledged_at: Option<Instant>,
    pub ack_note: Option<String>,
    /// The caller's body may acknowledge it now.
    pub can_acknowledge: bool,
}

/// `GET /campaigns/{id}`: the campaign and its report.
#[derive(Serialize, ToSchema)]
pub struct CampaignReport {
    pub campaign: Campaign,
    pub figures: crate::domain::campaign::Figures,
    pub cases: Vec<CampaignCase>,
    pub inspections: Vec<Inspection>,
    pub referrals: Vec<CampaignReferral>,
}

impl CampaignReport {
    pub fn of(r: &crate::service::campaigns::Report) -> Self {
        Self {
            campaign: Campaign::of(&r.campaign),
            figures: r.figures.clone(),
            cases: r
                .cases
                .iter()
                .map(|c| CampaignCase {
                    case_id: c.id,
                    number: c.number.clone(),
                    title: c.title.clone(),
                    state: c.state,
                    linked_at: ts(c.linked_at),
                })
                .collect(),
            inspections: r
                .inspections
                .iter()
                .map(|(i, bodies)| Inspection {
                    id: i.id,
                    held_on: i.held_on.to_string(),
                    place: i.place.clone(),
                    bodies: bodies.clone(),
                    findings: i.findings.clone(),
                    evidence: i.evidence.clone(),
                    case_id: i.case_id,
                })
                .collect(),
            referrals: r
                .referrals
                .iter()
                .map(|(x, number, to, may)| CampaignReferral {
                    id: x.id,
                    case_id: x.case_id,
                    case_number: number.clone(),
                    to_org_id: x.to_org_id,
                    to_org: to.clone(),
                    note: x.note.clone(),
                    referred_at: ts(x.referred_at),
                    acknowledged_at: x.acknowledged_at.map(ts),
                    ack_note: x.ack_note.clone(),
                    can_acknowledge: *may,
                })
                .collect(),
        }
    }
}

/// An IP health check (知识产权体检) an enterprise asked for.
#[derive(Serialize, ToSchema)]
pub struct HealthCheck {
    pub id: i64,
    pub status: crate::domain::health_check::CheckStatus,
    pub areas: Vec<crate::domain::health_check::CheckArea>,
    pub products: String,
    pub note: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    /// The serving organisation.
    pub org_id: i64,
    pub org_name: String,
    pub requested_at: Instant,
    pub accepted_at: Option<Instant>,
    /// Who of the serving organisation does it (once accepted).
    pub assignee_name: Option<String>,
    pub closed_at: Option<Instant>,
    /// The completion's summary, or the reasons it was declined.
    pub summary: Option<String>,
    /// The result report, once completed.
    pub report: Option<HealthCheckReport>,
    /// What the caller may do now.
    pub can_accept: bool,
    pub can_decline: bool,
    pub can_complete: bool,
}

/// The result report of a health check: `GET /health-checks/{id}/report` downloads it.
#[derive(Serialize, ToSchema)]
pub struct HealthCheckReport {
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub file_name: String,
}

/// How many of the caller's health checks are in one status.
#[derive(Serialize, ToSchema)]
pub struct HealthCheckCount {
    pub status: crate::domain::health_check::CheckStatus,
    pub count: i64,
}

/// `GET /health-checks`.
#[derive(Serialize, ToSchema)]
pub struct HealthChecks {
    pub items: Vec<HealthCheck>,
    /// How many match the status filter in all.
    pub total: u64,
    /// Pass as `before` for older checks; `null` on the last page.
    pub next_before: Option<i64>,
    /// Every status with its count over all the caller sees.
    pub counts: Vec<HealthCheckCount>,
}

impl HealthCheck {
    pub fn of(c: &crate::service::health_checks::CheckView) -> Self {
        use crate::domain::health_check::{self, Step};
        let r = &c.row;
        let report = match (&r.report_sha256, r.report_size, &r.report_media_type) {
            (Some(sha256), Some(size), Some(media_type)) => Some(HealthCheckReport {
                sha256: sha256.clone(),
                size,
                media_type: media_type.clone(),
                file_name: health_check::report_name(
                    c.enterprise_uscc.as_deref(),
                    r.id,
                    media_type,
                ),
            }),
            _ => None,
        };
        Self {
            id: r.id,
            status: c.status,
            areas: c.areas.clone(),
            products: r.products.clone(),
            note: r.note.clone(),
            contact_name: r.contact_name.clone(),
            contact_phone: r.contact_phone.clone(),
            enterprise_id: r.enterprise_org_id,
            enterprise_name: c.enterprise_name.clone(),
            org_id: r.org_id,
            org_name: c.org_name.clone(),
            requested_at: ts(r.requested_at),
            accepted_at: r.accepted_at.map(ts),
            assignee_name: c.assignee_name.clone(),
            closed_at: r.closed_at.map(ts),
            summary: r.summary.clone(),
            report,
            can_accept: c.may(Step::Accept),
            can_decline: c.may(Step::Decline),
            can_complete: c.may(Step::Complete),
        }
    }
}
