//! The access policy: one pure function decides what an actor may do. Handlers and services ask it;
//! nothing else decides access. Later features add actions here and rows to the matrix test.

use super::identity::{OrgKind, Role};

/// Who is asking: the signed-in user with their role and organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub org_id: i64,
    pub org_kind: OrgKind,
    pub role: Role,
    /// The organisation's region (行政区划代码); an assistance centre triages leads from it.
    pub region_code: String,
    /// The offices below the actor's own (its subordinate offices, at any depth) whose cases a
    /// supervisor or administrator reads: a city office's head reads its districts' cases, a
    /// provincial office's the province's. Empty for everyone else (see [`oversees`]).
    pub oversees: Vec<i64>,
}

/// Whether an actor of `role` at an organisation of `kind` reads the cases of the offices below
/// theirs (上级对下级的监督): heads of office and administrators, never enterprises.
pub fn oversees(kind: OrgKind, role: Role) -> bool {
    kind != OrgKind::Enterprise && matches!(role, Role::Supervisor | Role::Admin)
}

/// What they want to do, with the resource it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See one's own dashboard and profile.
    ViewDashboard,
    /// Change one's own password, create and revoke one's own API tokens.
    ManageOwnAccount,
    /// Browse organisations.
    ListOrganizations,
    /// Create an organisation.
    CreateOrganization,
    /// Edit an organisation.
    EditOrganization { org_id: i64 },
    /// Browse user accounts.
    ListUsers,
    /// Create a user account.
    CreateUser,
    /// Edit a user's profile, role or password.
    EditUser { user_id: i64 },
    /// Disable (or re-enable) a user's account, ending their sessions and tokens.
    DisableUser { user_id: i64 },
    /// See and lift sign-in locks.
    ManageSignInLocks,
    /// Browse and filter the audit trail.
    ViewAuditLog,
    /// Load a year of the official working-day calendar.
    ManageCalendar,
    /// Add, import and withdraw entries of the 专精特新 registry (industry offices' officers and
    /// supervisors, who publish the lists, and administrators).
    ManageSrdiRegistry,
    /// Browse the 专精特新 registry (any office user; not enterprises).
    ViewSrdiRegistry,
    /// Open the case lists (what each sees in them is [`case_access`]).
    ViewCases,
    /// File a complaint for one's own enterprise.
    FileComplaint,
    /// Enter a lead for one's office.
    EnterLead,
    /// Use the triage workbench.
    TriageWorkbench,
    /// Import leads from a CSV file.
    ImportLeads,
    /// Use the queue boards and the exhibitions pages (officers and supervisors of offices).
    WorkQueues,
    /// Browse the experts directory of overseas assistance (any office user; not enterprises).
    ViewExperts,
    /// The approvals inbox (待我处理): triagers, officers and supervisors of an office or centre.
    ViewApprovals,
    /// The list of self-registered enterprises waiting to be confirmed (which of them one may
    /// confirm is [`may_verify_enterprise`]).
    VerifyEnterprises,
    /// The statistics (统计): everyone, over the cases they may see (an enterprise its own).
    ViewReports,
    /// The annual 考核 sheet: heads of office and administrators.
    ViewAssessment,
    /// The consultations list (咨询): enterprises (their own questions), staff of the
    /// organisations that answer them, and heads of office over those below them.
    ViewConsultations,
    /// Ask a question online in one's enterprise's name.
    AskConsultation,
    /// Record a question taken by phone, at a visit or by e-mail, for one's organisation.
    RecordConsultation,
    /// The IP health checks (知识产权体检): an enterprise its own requests, staff of the
    /// serving organisations, heads of office over them (as for consultations).
    ViewHealthChecks,
    /// Ask for an IP health check in one's enterprise's name.
    RequestHealthCheck,
    /// Record an enterprise's protection needs (保护需求) with it: staff of industry offices, IP
    /// offices, centres and workstations, and administrators.
    RecordProtectionNeeds,
    /// The workstations page (维权援助工作站) with their figures: staff of an assistance centre
    /// (its own workstations), heads of office over them, administrators.
    ViewWorkstations,
    /// The overseas mutual-aid funds (互助基金): everyone signed in (an enterprise to apply).
    ViewFunds,
    /// Set up a fund managed by one's office: supervisors of an IP office or assistance centre.
    CreateFund,
    /// The special campaigns (专项行动) one's office leads or takes part in: staff of offices
    /// (not workstations), administrators.
    ViewCampaigns,
    /// Start a campaign led by one's office: its supervisors.
    CreateCampaign,
}

/// The answer when the policy says no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied;

/// A refusal of the policy answers 403 wherever it surfaces.
impl From<Denied> for crate::error::AppError {
    fn from(_: Denied) -> Self {
        Self::forbidden()
    }
}

/// Decides whether `actor` may perform `action`.
pub fn can(actor: &Actor, action: Action) -> bool {
    use Action::*;
    let admin = actor.role == Role::Admin;
    match action {
        ViewDashboard | ManageOwnAccount => true,
        ListOrganizations | CreateOrganization | EditOrganization { .. } => admin,
        ListUsers | CreateUser | EditUser { .. } => admin,
        // An administrator may not lock themselves out.
        DisableUser { user_id } => admin && user_id != actor.user_id,
        ViewAuditLog | ManageCalendar | ManageSignInLocks => admin,
        ManageSrdiRegistry => {
            admin
                || (actor.org_kind == OrgKind::IndustryOffice
                    && matches!(actor.role, Role::Officer | Role::Supervisor))
        }
        ViewSrdiRegistry | ViewExperts => {
            actor.org_kind.is_office() && actor.role != Role::EnterpriseFiler
        }
        ViewCases => true,
        FileComplaint => can_file_complaint(actor),
        EnterLead => can_enter_lead(actor),
        TriageWorkbench => {
            actor.role == Role::Triager
                || (actor.org_kind == OrgKind::IpOffice
                    && matches!(actor.role, Role::Officer | Role::Supervisor))
        }
        ImportLeads => can_import_leads(actor),
        // A workstation takes things in for its centre; it works no queue and decides nothing.
        WorkQueues => {
            actor.org_kind.is_office()
                && actor.org_kind != OrgKind::Workstation
                && matches!(actor.role, Role::Officer | Role::Supervisor)
        }
        ViewApprovals => {
            !matches!(actor.org_kind, OrgKind::Enterprise | OrgKind::Workstation)
                && matches!(actor.role, Role::Triager | Role::Officer | Role::Supervisor)
        }
        VerifyEnterprises => admin || verifies(actor),
        ViewReports => true,
        ViewAssessment => oversees(actor.org_kind, actor.role),
        ViewConsultations => {
            can_file_complaint(actor)
                || actor.org_kind.answers_consultations()
                || oversees(actor.org_kind, actor.role)
        }
        AskConsultation | RequestHealthCheck => can_file_complaint(actor),
        ViewHealthChecks => can(actor, ViewConsultations),
        RecordConsultation => answers_consultations(actor),
        RecordProtectionNeeds => {
            admin
                || (actor.org_kind != OrgKind::Enterprise
                    && matches!(
                        actor.org_kind,
                        OrgKind::IndustryOffice
                            | OrgKind::IpOffice
                            | OrgKind::AssistanceCenter
                            | OrgKind::Workstation
                    )
                    && matches!(actor.role, Role::Triager | Role::Officer | Role::Supervisor))
        }
        ViewWorkstations => {
            admin
                || (actor.org_kind == OrgKind::AssistanceCenter
                    && matches!(actor.role, Role::Triager | Role::Officer | Role::Supervisor))
                || oversees(actor.org_kind, actor.role)
        }
        ViewFunds => true,
        ViewCampaigns => {
            admin
                || (actor.org_kind.is_office()
                    && actor.org_kind != OrgKind::Workstation
                    && matches!(actor.role, Role::Triager | Role::Officer | Role::Supervisor))
        }
        CreateCampaign => {
            actor.role == Role::Supervisor
                && actor.org_kind.is_office()
                && actor.org_kind != OrgKind::Workstation
        }
        CreateFund => {
            actor.role == Role::Supervisor
                && matches!(
                    actor.org_kind,
                    OrgKind::IpOffice | OrgKind::AssistanceCenter
                )
        }
    }
}

/// How much of a campaign an actor may see and do, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CampaignAccess {
    /// Not visible: answer 404.
    None,
    /// Read it: an administrator, a head of office over the lead office.
    Read,
    /// Staff of a participating body: read it, acknowledge the referrals made to their body.
    Member,
    /// Staff of the lead office: link cases, record inspections, refer cases.
    Lead,
}

/// The access `actor` has to a campaign led by `lead_org_id` with the bodies `members`.
pub fn campaign_access(actor: &Actor, lead_org_id: i64, members: &[i64]) -> CampaignAccess {
    if !can(actor, Action::ViewCampaigns) {
        return CampaignAccess::None;
    }
    let staff = matches!(actor.role, Role::Triager | Role::Officer | Role::Supervisor);
    if staff && actor.org_id == lead_org_id {
        CampaignAccess::Lead
    } else if staff && members.contains(&actor.org_id) {
        CampaignAccess::Member
    } else if actor.role == Role::Admin || actor.oversees.contains(&lead_org_id) {
        CampaignAccess::Read
    } else {
        CampaignAccess::None
    }
}

/// How much of a fund an actor may see and do, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FundAccess {
    /// Its rules only (any office that does not manage it).
    Public,
    /// An enterprise: its rules, and its own applications.
    Applicant,
    /// Read everything: an administrator, a head of office over the managing one.
    Read,
    /// An officer of the managing office: reads everything and sits on panels.
    Panel,
    /// A supervisor of the managing office: decides, sits on panels, records payouts, sets
    /// budgets.
    Reviewer,
}

/// The access `actor` has to a fund managed by `fund_org_id`.
pub fn fund_access(actor: &Actor, fund_org_id: i64) -> FundAccess {
    if actor.org_kind == OrgKind::Enterprise {
        return FundAccess::Applicant;
    }
    let ours = actor.org_id == fund_org_id;
    match actor.role {
        Role::Supervisor if ours => FundAccess::Reviewer,
        Role::Officer if ours => FundAccess::Panel,
        Role::Admin | Role::Triager if ours => FundAccess::Read,
        _ if actor.oversees.contains(&fund_org_id) => FundAccess::Read,
        _ => FundAccess::Public,
    }
}

/// Whether `actor`, with `access` to a case, may apply to a fund from it: the filing
/// enterprise's filers (the case must be an overseas one: the service's check).
pub fn may_apply_to_fund(actor: &Actor, access: CaseAccess) -> bool {
    access == CaseAccess::Filer && can_file_complaint(actor)
}

/// Whether `actor` sees an application of `applicant_org_id` to a fund it has `access` to.
pub fn sees_fund_application(actor: &Actor, access: FundAccess, applicant_org_id: i64) -> bool {
    match access {
        FundAccess::Applicant => {
            actor.org_id == applicant_org_id && actor.role == Role::EnterpriseFiler
        }
        FundAccess::Public => false,
        FundAccess::Read | FundAccess::Panel | FundAccess::Reviewer => true,
    }
}

/// Triagers, officers and supervisors of an organisation that answers consultations.
fn answers_consultations(actor: &Actor) -> bool {
    actor.org_kind.answers_consultations()
        && matches!(actor.role, Role::Triager | Role::Officer | Role::Supervisor)
}

/// Whether `actor` reads and records the protection needs of an enterprise of
/// `enterprise_region` (the region in its credit code): an administrator, or staff who record
/// needs at an office whose region covers the enterprise's.
pub fn may_record_needs(actor: &Actor, enterprise_region: &str) -> bool {
    can(actor, Action::RecordProtectionNeeds)
        && (actor.role == Role::Admin
            || super::region::covers(&actor.region_code, enterprise_region))
}

/// What the policy needs to know about one consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsultationFacts {
    /// The organisation that answers it.
    pub org_id: i64,
    /// The enterprise that asked, if it is one kept here.
    pub enterprise_org_id: Option<i64>,
    /// The centre above the answering organisation when that is one of its workstations.
    pub centre_org_id: Option<i64>,
}

/// How much of a consultation an actor may see and do, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConsultationAccess {
    /// Not visible: answer 404.
    None,
    /// Read only: a head of office over the answering one, or an administrator of it.
    Read,
    /// The enterprise that asked: reads it and may turn it into a complaint.
    Asker,
    /// Staff of the answering organisation: answer it, turn it into a lead.
    Answer,
}

/// The access `actor` has to a consultation (and to an IP health check, which follows the same
/// rules: the asking enterprise, the serving organisation and its centre, heads of office over
/// it). `store::consultations::visible` filters lists by
/// the same rules.
pub fn consultation_access(actor: &Actor, c: &ConsultationFacts) -> ConsultationAccess {
    if actor.org_kind == OrgKind::Enterprise {
        return if actor.role == Role::EnterpriseFiler && c.enterprise_org_id == Some(actor.org_id) {
            ConsultationAccess::Asker
        } else {
            ConsultationAccess::None
        };
    }
    let ours = c.org_id == actor.org_id || c.centre_org_id == Some(actor.org_id);
    if ours && answers_consultations(actor) {
        // A centre answers, too, what its workstations took in.
        ConsultationAccess::Answer
    } else if c.org_id == actor.org_id || actor.oversees.contains(&c.org_id) {
        ConsultationAccess::Read
    } else {
        ConsultationAccess::None
    }
}

/// Whether one with `access` may turn the consultation into a case: the asking enterprise files
/// it as its complaint, the answering staff enter it as a lead.
pub fn may_convert_consultation(actor: &Actor, access: ConsultationAccess) -> bool {
    match access {
        ConsultationAccess::Asker => can_file_complaint(actor),
        ConsultationAccess::Answer => can_enter_lead(actor),
        ConsultationAccess::Read | ConsultationAccess::None => false,
    }
}

/// Triagers, officers and supervisors of an assistance centre or an IP office: who confirms
/// enterprises of their region.
fn verifies(actor: &Actor) -> bool {
    matches!(
        actor.org_kind,
        OrgKind::AssistanceCenter | OrgKind::IpOffice
    ) && matches!(actor.role, Role::Triager | Role::Officer | Role::Supervisor)
}

/// Whether `actor` may see the proof of, and confirm, a self-registered enterprise of
/// `enterprise_region`: an administrator, or a triager, officer or supervisor of an assistance
/// centre or IP office whose region covers the enterprise's.
pub fn may_verify_enterprise(actor: &Actor, enterprise_region: &str) -> bool {
    actor.role == Role::Admin
        || (verifies(actor) && super::region::covers(&actor.region_code, enterprise_region))
}

/// [`can`] as a `Result`, for `?` in services.
pub fn authorize(actor: &Actor, action: Action) -> Result<(), Denied> {
    if can(actor, action) {
        Ok(())
    } else {
        Err(Denied)
    }
}

/// What the policy needs to know about one case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseFacts {
    pub owner_org_id: i64,
    pub filer_org_id: Option<i64>,
    /// Waiting for triage (queue `triage`, state `new`).
    pub awaiting_triage: bool,
    pub region_code: String,
    /// The organisation of the assigned user, if any.
    pub assignee_org_id: Option<i64>,
    /// The office a referral is waiting on (state `referred`).
    pub referred_to_org_id: Option<i64>,
    /// Active shares: organisation and whether it may contribute.
    pub shares: Vec<(i64, bool)>,
}

/// How much of a case an actor may see and do, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CaseAccess {
    /// Not visible: answer 404.
    None,
    /// The filing enterprise: its own filing, public events only.
    Filer,
    /// Read everything, including internal events.
    Read,
    /// Read and add (notes, evidence, workflow steps of a shared case).
    Contribute,
    /// The owning office.
    Owner,
}

/// The access `actor` has to a case. The SQL filter of visible cases (`store::cases::visible`)
/// implements the same rules; a test compares the two.
pub fn case_access(actor: &Actor, case: &CaseFacts) -> CaseAccess {
    if actor.org_kind == OrgKind::Enterprise {
        return if actor.role == Role::EnterpriseFiler && case.filer_org_id == Some(actor.org_id) {
            CaseAccess::Filer
        } else {
            CaseAccess::None
        };
    }
    let mut access = CaseAccess::None;
    if case.owner_org_id == actor.org_id {
        access = CaseAccess::Owner;
    }
    for (org, contribute) in &case.shares {
        if *org == actor.org_id {
            let a = if *contribute {
                CaseAccess::Contribute
            } else {
                CaseAccess::Read
            };
            access = access.max(a);
        }
    }
    if case.referred_to_org_id == Some(actor.org_id) || actor.oversees.contains(&case.owner_org_id)
    {
        access = access.max(CaseAccess::Read);
    }
    if actor.org_kind == OrgKind::AssistanceCenter
        && ((case.awaiting_triage && super::region::covers(&actor.region_code, &case.region_code))
            || case.assignee_org_id == Some(actor.org_id))
    {
        access = access.max(CaseAccess::Contribute);
    }
    // Administrators keep the system running; they read their office's cases but do not work them.
    if actor.role == Role::Admin {
        access = access.min(CaseAccess::Read);
    }
    access
}

/// What an actor wants to do with a case they can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAction {
    View,
    /// Route, refer, reject or merge a case waiting for triage.
    Triage,
    /// Share with another office or revoke a share.
    Share,
    /// Acknowledge or return a referral made to one's office.
    AnswerReferral,
    /// Take a workflow step of the case's queue (docket, serve, decide …).
    Work,
    /// Act in the owning office's name: vote and rule on the panel, approve, issue documents.
    Decide,
    /// Ask for more time on one of the case's clocks (who decides is [`may_decide_extension`]).
    Extend,
    /// Write on the case's 沟通 card: the filing enterprise's filers, and who works the case in
    /// the owning office (or a centre or office helping with it), triagers included.
    Message,
    /// Take note of a case shared with one's office (the approvals inbox).
    AcknowledgeShare,
}

/// Whether `actor` may enter leads (`POST /api/v1/cases`).
pub fn can_enter_lead(actor: &Actor) -> bool {
    actor.org_kind.is_office()
        && matches!(actor.role, Role::Officer | Role::Supervisor | Role::Triager)
}

/// Whether `actor` may file complaints (`POST /api/v1/complaints`).
pub fn can_file_complaint(actor: &Actor) -> bool {
    actor.org_kind == OrgKind::Enterprise && actor.role == Role::EnterpriseFiler
}

/// Whether `actor` may import leads from a file.
pub fn can_import_leads(actor: &Actor) -> bool {
    actor.role == Role::Admin
        || (actor.org_kind.is_office()
            && actor.org_kind != OrgKind::Workstation
            && actor.role == Role::Supervisor)
}

/// Whether `actor`, who has `access` to a case, may do `action` with it.
pub fn can_on_case(
    actor: &Actor,
    access: CaseAccess,
    case: &CaseFacts,
    action: CaseAction,
) -> bool {
    let worker = matches!(actor.role, Role::Officer | Role::Supervisor | Role::Triager);
    match action {
        CaseAction::View => access > CaseAccess::None,
        // Centres triage; an IP office or centre may also decide the leads it owns. Industry
        // offices share their leads instead of deciding them.
        CaseAction::Triage => {
            let triaging_office = matches!(
                actor.org_kind,
                OrgKind::IpOffice | OrgKind::AssistanceCenter
            );
            worker
                && case.awaiting_triage
                && triaging_office
                && (access == CaseAccess::Owner
                    || (actor.role == Role::Triager && access >= CaseAccess::Contribute))
        }
        CaseAction::Share => worker && access == CaseAccess::Owner,
        CaseAction::AnswerReferral => worker && case.referred_to_org_id == Some(actor.org_id),
        // Officers and supervisors of the owning office or of an office it shares the case
        // with for contribution work the queues; triagers, enterprises and administrators do not.
        CaseAction::Work => {
            matches!(actor.role, Role::Officer | Role::Supervisor)
                && actor.org_kind.is_office()
                && !case.awaiting_triage
                && access >= CaseAccess::Contribute
        }
        // Only the owning office rules, approves and issues documents; an office the case is
        // shared with helps with the work but does not speak for the owner.
        CaseAction::Decide => {
            can_on_case(actor, access, case, CaseAction::Work) && access == CaseAccess::Owner
        }
        // Officers, supervisors and triagers of an office that may contribute.
        CaseAction::Extend => worker && access >= CaseAccess::Contribute,
        CaseAction::Message => {
            (access == CaseAccess::Filer && actor.role == Role::EnterpriseFiler)
                || (worker && access >= CaseAccess::Contribute)
        }
        CaseAction::AcknowledgeShare => {
            worker && case.shares.iter().any(|(org, _)| *org == actor.org_id)
        }
    }
}

/// Whether `actor` designates the office for a jurisdiction dispute taken to `superior_org_id`
/// (Order 81 Art. 8): a supervisor of that common superior.
pub fn may_designate(actor: &Actor, superior_org_id: Option<i64>) -> bool {
    actor.role == Role::Supervisor && superior_org_id == Some(actor.org_id)
}

/// Whether `actor` decides an extension of a tier whose approver role is `approver` and whose
/// decider is `decider`: the owning office's supervisors (or, for a tier an officer approves, its
/// officers and supervisors), or for the next-higher department's tier, the supervisors of the
/// owning office's parent.
pub fn may_decide_extension(
    actor: &Actor,
    owner_org_id: i64,
    owner_parent_id: Option<i64>,
    decider: super::deadline::extension::Decider,
    approver: Option<&str>,
) -> bool {
    use super::deadline::extension::Decider;
    match (decider, approver) {
        (Decider::Own, Some("supervisor")) => {
            actor.role == Role::Supervisor && actor.org_id == owner_org_id
        }
        (Decider::Own, Some(_)) => {
            matches!(actor.role, Role::Officer | Role::Supervisor) && actor.org_id == owner_org_id
        }
        (Decider::Parent, _) => {
            actor.role == Role::Supervisor && owner_parent_id == Some(actor.org_id)
        }
        (Decider::Own, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    fn actor(role: Role, kind: OrgKind) -> Actor {
        Actor {
            user_id: 1,
            org_id: 10,
            org_kind: kind,
            role,
            region_code: "320600".into(),
            oversees: Vec::new(),
        }
    }

    /// Every role against every action; `Y` means allowed. Columns follow `ACTIONS`.
    #[test]
    fn access_matrix() {
        const ACTIONS: [Action; 19] = [
            ViewDashboard,
            ManageOwnAccount,
            ListOrganizations,
            CreateOrganization,
            EditOrganization { org_id: 10 },
            ListUsers,
            CreateUser,
            EditUser { user_id: 2 },
            DisableUser { user_id: 2 },
            ManageSignInLocks,
            ViewAuditLog,
            ManageCalendar,
            ManageSrdiRegistry,
            ViewSrdiRegistry,
            ViewCases,
            FileComplaint,
            EnterLead,
            TriageWorkbench,
            ImportLeads,
        ];
        let matrix = [
            (
                Role::EnterpriseFiler,
                OrgKind::Enterprise,
                "YY............YY...",
            ),
            (
                Role::Triager,
                OrgKind::AssistanceCenter,
                "YY...........YY.YY.",
            ),
            (Role::Officer, OrgKind::IpOffice, "YY...........YY.YY."),
            (
                Role::Officer,
                OrgKind::IndustryOffice,
                "YY..........YYY.Y..",
            ),
            (Role::Officer, OrgKind::OtherAgency, "YY...........YY.Y.."),
            (
                Role::Officer,
                OrgKind::MarketRegulator,
                "YY...........YY.Y..",
            ),
            (Role::Supervisor, OrgKind::IpOffice, "YY...........YY.YYY"),
            (
                Role::Supervisor,
                OrgKind::IndustryOffice,
                "YY..........YYY.Y.Y",
            ),
            (Role::Admin, OrgKind::IpOffice, "YYYYYYYYYYYYYYY...Y"),
        ];
        for (role, kind, row) in matrix {
            let a = actor(role, kind);
            for (action, expected) in ACTIONS.iter().zip(row.chars()) {
                assert_eq!(
                    can(&a, *action),
                    expected == 'Y',
                    "{role:?} at {kind:?} doing {action:?}"
                );
            }
        }
    }

    #[test]
    fn an_admin_cannot_disable_themselves() {
        let a = actor(Role::Admin, OrgKind::IpOffice);
        assert!(!can(&a, DisableUser { user_id: a.user_id }));
        assert_eq!(authorize(&a, DisableUser { user_id: 1 }), Err(Denied));
        assert_eq!(authorize(&a, DisableUser { user_id: 7 }), Ok(()));
    }
}

#[cfg(test)]
mod verify_tests {
    use super::*;

    fn actor(role: Role, kind: OrgKind, region: &str) -> Actor {
        Actor {
            user_id: 1,
            org_id: 10,
            org_kind: kind,
            role,
            region_code: region.into(),
            oversees: Vec::new(),
        }
    }

    #[test]
    fn centres_and_ip_offices_of_the_region_and_admins_confirm_enterprises() {
        let city = "320600";
        let county = "320612";
        for (role, kind, region, page, confirms) in [
            (Role::Triager, OrgKind::AssistanceCenter, city, true, true),
            (Role::Officer, OrgKind::IpOffice, city, true, true),
            (Role::Supervisor, OrgKind::IpOffice, "320000", true, true),
            (Role::Officer, OrgKind::IpOffice, "320681", true, false),
            (
                Role::Triager,
                OrgKind::AssistanceCenter,
                "310000",
                true,
                false,
            ),
            (Role::Officer, OrgKind::IndustryOffice, city, false, false),
            (Role::Officer, OrgKind::MarketRegulator, city, false, false),
            (
                Role::EnterpriseFiler,
                OrgKind::Enterprise,
                county,
                false,
                false,
            ),
            (Role::Admin, OrgKind::IpOffice, "310000", true, true),
        ] {
            let a = actor(role, kind, region);
            assert_eq!(
                can(&a, Action::VerifyEnterprises),
                page,
                "{role:?} {kind:?}"
            );
            assert_eq!(
                may_verify_enterprise(&a, county),
                confirms,
                "{role:?} {kind:?} {region}"
            );
        }
    }
}

#[cfg(test)]
mod case_tests {
    use super::*;

    const ENTERPRISE: i64 = 1;
    const OWNER: i64 = 2;
    const CENTRE: i64 = 3;
    const SHARED_READ: i64 = 4;
    const SHARED_CONTRIBUTE: i64 = 5;
    const OTHER: i64 = 6;
    const REFERRED_TO: i64 = 7;

    fn actor(org_id: i64, kind: OrgKind, role: Role, region: &str) -> Actor {
        Actor {
            user_id: 100 + org_id,
            org_id,
            org_kind: kind,
            role,
            region_code: region.into(),
            oversees: Vec::new(),
        }
    }

    fn case(awaiting: bool) -> CaseFacts {
        CaseFacts {
            owner_org_id: OWNER,
            filer_org_id: Some(ENTERPRISE),
            awaiting_triage: awaiting,
            region_code: "320612".into(),
            assignee_org_id: None,
            referred_to_org_id: Some(REFERRED_TO),
            shares: vec![(SHARED_READ, false), (SHARED_CONTRIBUTE, true)],
        }
    }

    #[test]
    fn a_head_of_office_reads_the_cases_of_the_offices_below_and_works_none_of_them() {
        const PROVINCE: i64 = 20;
        let head = |role| Actor {
            oversees: vec![OWNER, 21],
            ..actor(PROVINCE, OrgKind::IpOffice, role, "320000")
        };
        assert_eq!(
            case_access(&head(Role::Supervisor), &case(false)),
            CaseAccess::Read
        );
        assert_eq!(
            case_access(&head(Role::Admin), &case(false)),
            CaseAccess::Read
        );
        let elsewhere = Actor {
            oversees: vec![21],
            ..actor(PROVINCE, OrgKind::IpOffice, Role::Supervisor, "320000")
        };
        assert_eq!(case_access(&elsewhere, &case(false)), CaseAccess::None);
        assert!(oversees(OrgKind::IpOffice, Role::Supervisor));
        assert!(oversees(OrgKind::AssistanceCenter, Role::Admin));
        assert!(!oversees(OrgKind::IpOffice, Role::Officer));
        assert!(!oversees(OrgKind::AssistanceCenter, Role::Triager));
        assert!(!oversees(OrgKind::Enterprise, Role::Admin));
    }

    #[test]
    fn who_sees_a_case() {
        use CaseAccess as A;
        let rows = [
            (
                actor(
                    ENTERPRISE,
                    OrgKind::Enterprise,
                    Role::EnterpriseFiler,
                    "320600",
                ),
                A::Filer,
                A::Filer,
            ),
            (
                actor(9, OrgKind::Enterprise, Role::EnterpriseFiler, "320600"),
                A::None,
                A::None,
            ),
            (
                actor(OWNER, OrgKind::IpOffice, Role::Officer, "320600"),
                A::Owner,
                A::Owner,
            ),
            (
                actor(OWNER, OrgKind::IpOffice, Role::Admin, "320600"),
                A::Read,
                A::Read,
            ),
            (
                actor(CENTRE, OrgKind::AssistanceCenter, Role::Triager, "320600"),
                A::Contribute,
                A::None,
            ),
            (
                actor(CENTRE, OrgKind::AssistanceCenter, Role::Triager, "320000"),
                A::Contribute,
                A::None,
            ),
            (
                actor(CENTRE, OrgKind::AssistanceCenter, Role::Triager, "320500"),
                A::None,
                A::None,
            ),
            (
                actor(CENTRE, OrgKind::AssistanceCenter, Role::Triager, "320611"),
                A::None,
                A::None,
            ),
            (
                actor(
                    SHARED_READ,
                    OrgKind::IndustryOffice,
                    Role::Officer,
                    "320600",
                ),
                A::Read,
                A::Read,
            ),
            (
                actor(
                    SHARED_CONTRIBUTE,
                    OrgKind::IpOffice,
                    Role::Officer,
                    "320600",
                ),
                A::Contribute,
                A::Contribute,
            ),
            (
                actor(REFERRED_TO, OrgKind::OtherAgency, Role::Officer, "320600"),
                A::Read,
                A::Read,
            ),
            (
                actor(OTHER, OrgKind::IpOffice, Role::Supervisor, "320600"),
                A::None,
                A::None,
            ),
            (
                actor(OTHER, OrgKind::IpOffice, Role::Admin, "320600"),
                A::None,
                A::None,
            ),
        ];
        for (a, awaiting, later) in rows {
            assert_eq!(
                case_access(&a, &case(true)),
                awaiting,
                "{a:?} awaiting triage"
            );
            assert_eq!(case_access(&a, &case(false)), later, "{a:?} after triage");
        }
    }

    #[test]
    fn an_assigned_centre_keeps_seeing_the_case() {
        let a = actor(CENTRE, OrgKind::AssistanceCenter, Role::Triager, "110000");
        let mut c = case(false);
        assert_eq!(case_access(&a, &c), CaseAccess::None);
        c.assignee_org_id = Some(CENTRE);
        assert_eq!(case_access(&a, &c), CaseAccess::Contribute);
    }

    #[test]
    fn who_may_triage_share_and_answer() {
        let c = case(true);
        let check = |a: &Actor, action| can_on_case(a, case_access(a, &c), &c, action);
        let triager = actor(CENTRE, OrgKind::AssistanceCenter, Role::Triager, "320600");
        let owner_officer = actor(OWNER, OrgKind::IpOffice, Role::Officer, "320600");
        let owner_admin = actor(OWNER, OrgKind::IpOffice, Role::Admin, "320600");
        let contributor = actor(
            SHARED_CONTRIBUTE,
            OrgKind::IpOffice,
            Role::Officer,
            "320600",
        );
        let filer = actor(
            ENTERPRISE,
            OrgKind::Enterprise,
            Role::EnterpriseFiler,
            "320600",
        );
        let receiver = actor(REFERRED_TO, OrgKind::OtherAgency, Role::Officer, "320600");
        assert!(check(&triager, CaseAction::Triage));
        assert!(check(&owner_officer, CaseAction::Triage));
        assert!(!check(&owner_admin, CaseAction::Triage));
        assert!(!check(&contributor, CaseAction::Triage));
        assert!(!check(&filer, CaseAction::Triage));
        assert!(check(&owner_officer, CaseAction::Share));
        assert!(!check(&triager, CaseAction::Share));
        assert!(!check(&contributor, CaseAction::Share));
        assert!(!check(&owner_admin, CaseAction::Share));
        assert!(check(&receiver, CaseAction::AnswerReferral));
        let industry_owner = Actor {
            org_kind: OrgKind::IndustryOffice,
            ..owner_officer.clone()
        };
        assert!(!check(&industry_owner, CaseAction::Triage));
        assert!(check(&industry_owner, CaseAction::Share));
        assert!(!check(&owner_officer, CaseAction::AnswerReferral));
        let done = case(false);
        assert!(!can_on_case(
            &triager,
            CaseAccess::Contribute,
            &done,
            CaseAction::Triage
        ));
        assert!(can_file_complaint(&filer) && !can_enter_lead(&filer));
        assert!(can_enter_lead(&triager) && !can_file_complaint(&triager));
        assert!(!can_enter_lead(&owner_admin) && can_import_leads(&owner_admin));
    }

    /// The 沟通 card is the filer's and the working offices'; a share is acknowledged by the
    /// office it was given to.
    #[test]
    fn who_writes_messages_and_acknowledges_shares() {
        let c = case(false);
        let check = |a: &Actor, action| can_on_case(a, case_access(a, &c), &c, action);
        let filer = actor(
            ENTERPRISE,
            OrgKind::Enterprise,
            Role::EnterpriseFiler,
            "320600",
        );
        let other_filer = actor(999, OrgKind::Enterprise, Role::EnterpriseFiler, "320600");
        let owner = |role| actor(OWNER, OrgKind::IpOffice, role, "320600");
        let shared = |org, role| actor(org, OrgKind::IpOffice, role, "320600");
        assert!(check(&filer, CaseAction::Message));
        assert!(!check(&other_filer, CaseAction::Message));
        assert!(check(&owner(Role::Officer), CaseAction::Message));
        assert!(check(&owner(Role::Triager), CaseAction::Message));
        assert!(!check(&owner(Role::Admin), CaseAction::Message));
        assert!(check(
            &shared(SHARED_CONTRIBUTE, Role::Officer),
            CaseAction::Message
        ));
        assert!(!check(
            &shared(SHARED_READ, Role::Officer),
            CaseAction::Message
        ));
        assert!(check(
            &shared(SHARED_READ, Role::Officer),
            CaseAction::AcknowledgeShare
        ));
        assert!(!check(
            &shared(SHARED_READ, Role::Admin),
            CaseAction::AcknowledgeShare
        ));
        assert!(!check(&owner(Role::Officer), CaseAction::AcknowledgeShare));
        assert!(!check(&filer, CaseAction::AcknowledgeShare));
    }

    /// Asking for more time on a clock is for officers, supervisors and triagers of an office
    /// that may contribute; who decides depends on the tier (its approver, and for the
    /// next-higher department the owning office's parent).
    #[test]
    fn who_asks_for_and_who_decides_an_extension() {
        use crate::domain::deadline::extension::Decider;
        let c = case(false);
        let extend = |a: &Actor| can_on_case(a, case_access(a, &c), &c, CaseAction::Extend);
        let owner = |role| actor(OWNER, OrgKind::IpOffice, role, "320600");
        let shared = |org, role| actor(org, OrgKind::IpOffice, role, "320600");
        for (who, may) in [
            (owner(Role::Officer), true),
            (owner(Role::Supervisor), true),
            (owner(Role::Admin), false),
            (shared(SHARED_CONTRIBUTE, Role::Officer), true),
            (shared(SHARED_READ, Role::Officer), false),
            (
                actor(CENTRE, OrgKind::AssistanceCenter, Role::Triager, "320600"),
                false,
            ),
            (
                actor(
                    ENTERPRISE,
                    OrgKind::Enterprise,
                    Role::EnterpriseFiler,
                    "320600",
                ),
                false,
            ),
            (shared(OTHER, Role::Supervisor), false),
        ] {
            assert_eq!(extend(&who), may, "{who:?}");
        }
        const PARENT: i64 = 42;
        let decides = |a: &Actor, decider, approver| {
            may_decide_extension(a, OWNER, Some(PARENT), decider, approver)
        };
        // The owning office's supervisor approves a supervisor's tier; its officers do not.
        assert!(decides(
            &owner(Role::Supervisor),
            Decider::Own,
            Some("supervisor")
        ));
        assert!(!decides(
            &owner(Role::Officer),
            Decider::Own,
            Some("supervisor")
        ));
        // A tier an officer approves: the owning office's officers and supervisors.
        assert!(decides(
            &owner(Role::Officer),
            Decider::Own,
            Some("officer")
        ));
        assert!(!decides(
            &shared(SHARED_CONTRIBUTE, Role::Supervisor),
            Decider::Own,
            Some("officer")
        ));
        // The next-higher department's tier: only the parent's supervisors.
        let parent = |role| actor(PARENT, OrgKind::IpOffice, role, "320000");
        assert!(decides(
            &parent(Role::Supervisor),
            Decider::Parent,
            Some("supervisor")
        ));
        assert!(!decides(
            &parent(Role::Officer),
            Decider::Parent,
            Some("supervisor")
        ));
        assert!(!decides(
            &owner(Role::Supervisor),
            Decider::Parent,
            Some("supervisor")
        ));
        // A tier the rule does not have is decided by no one.
        assert!(!decides(&owner(Role::Supervisor), Decider::Own, None));
    }

    #[test]
    fn queue_work_is_for_officers_and_supervisors_of_contributing_offices() {
        let c = case(false);
        let check = |a: &Actor| can_on_case(a, case_access(a, &c), &c, CaseAction::Work);
        let owner = |role| actor(OWNER, OrgKind::IpOffice, role, "320600");
        assert!(check(&owner(Role::Officer)));
        assert!(check(&owner(Role::Supervisor)));
        assert!(!check(&owner(Role::Admin)));
        assert!(check(&actor(
            SHARED_CONTRIBUTE,
            OrgKind::IpOffice,
            Role::Officer,
            "320600"
        )));
        assert!(!check(&actor(
            SHARED_READ,
            OrgKind::IpOffice,
            Role::Officer,
            "320600"
        )));
        assert!(!check(&actor(
            REFERRED_TO,
            OrgKind::OtherAgency,
            Role::Officer,
            "320600"
        )));
        assert!(!check(&actor(
            CENTRE,
            OrgKind::AssistanceCenter,
            Role::Triager,
            "320600"
        )));
        assert!(!check(&actor(
            ENTERPRISE,
            OrgKind::Enterprise,
            Role::EnterpriseFiler,
            "320600"
        )));
        assert!(!check(&actor(
            OTHER,
            OrgKind::IpOffice,
            Role::Officer,
            "320600"
        )));
        // Deciding is for the owning office only.
        let decide = |a: &Actor| can_on_case(a, case_access(a, &c), &c, CaseAction::Decide);
        assert!(decide(&owner(Role::Officer)) && decide(&owner(Role::Supervisor)));
        assert!(!decide(&actor(
            SHARED_CONTRIBUTE,
            OrgKind::IpOffice,
            Role::Supervisor,
            "320600"
        )));
        // A case still waiting for triage is triaged, not worked.
        let waiting = case(true);
        let officer = owner(Role::Officer);
        assert!(!can_on_case(
            &officer,
            case_access(&officer, &waiting),
            &waiting,
            CaseAction::Work
        ));
    }
}

// --- issue 6: evidence ---

/// What an actor wants to do with the evidence of a case they can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceAction {
    /// See, preview or download one item uploaded by `uploader_org_id`.
    View { uploader_org_id: i64 },
    /// Upload evidence to the case.
    Upload,
    /// Withdraw an item uploaded by `uploader_org_id` (it stays stored, marked withdrawn).
    Withdraw { uploader_org_id: i64 },
    /// Export the case's evidence as a zip with its manifest.
    Export,
    /// Approve the evidence for sending abroad (overseas assistance).
    ApproveAbroad,
}

/// Whether `actor`, who has `access` to a case, may do `action` with its evidence. The filing
/// enterprise uploads to its own complaint and sees only what it uploaded itself.
pub fn can_on_evidence(actor: &Actor, access: CaseAccess, action: EvidenceAction) -> bool {
    let worker = matches!(actor.role, Role::Officer | Role::Supervisor | Role::Triager);
    let filer = access == CaseAccess::Filer;
    match action {
        EvidenceAction::View { uploader_org_id } => {
            access > CaseAccess::Filer || (filer && uploader_org_id == actor.org_id)
        }
        EvidenceAction::Upload => filer || (worker && access >= CaseAccess::Contribute),
        EvidenceAction::Withdraw { uploader_org_id } => {
            (filer && uploader_org_id == actor.org_id)
                || (worker
                    && (access == CaseAccess::Owner
                        || (access >= CaseAccess::Contribute && uploader_org_id == actor.org_id)))
        }
        EvidenceAction::Export => {
            matches!(actor.role, Role::Officer | Role::Supervisor) && access >= CaseAccess::Read
        }
        EvidenceAction::ApproveAbroad => {
            actor.role == Role::Supervisor && access == CaseAccess::Owner
        }
    }
}

#[cfg(test)]
mod evidence_tests {
    use super::*;

    fn actor(role: Role, kind: OrgKind) -> Actor {
        Actor {
            user_id: 1,
            org_id: 10,
            org_kind: kind,
            role,
            region_code: "320600".into(),
            oversees: Vec::new(),
        }
    }

    #[test]
    fn who_may_do_what_with_evidence() {
        use CaseAccess as A;
        use EvidenceAction as E;
        let filer = actor(Role::EnterpriseFiler, OrgKind::Enterprise);
        let officer = actor(Role::Officer, OrgKind::IpOffice);
        let supervisor = actor(Role::Supervisor, OrgKind::IpOffice);
        let admin = actor(Role::Admin, OrgKind::IpOffice);
        let own = 10;
        let other = 99;
        // The enterprise: uploads to its complaint, sees and withdraws only its own uploads.
        assert!(can_on_evidence(&filer, A::Filer, E::Upload));
        assert!(can_on_evidence(
            &filer,
            A::Filer,
            E::View {
                uploader_org_id: own
            }
        ));
        assert!(!can_on_evidence(
            &filer,
            A::Filer,
            E::View {
                uploader_org_id: other
            }
        ));
        assert!(can_on_evidence(
            &filer,
            A::Filer,
            E::Withdraw {
                uploader_org_id: own
            }
        ));
        assert!(!can_on_evidence(
            &filer,
            A::Filer,
            E::Withdraw {
                uploader_org_id: other
            }
        ));
        assert!(!can_on_evidence(&filer, A::Filer, E::Export));
        // A read-only share reads and exports but does not add.
        assert!(!can_on_evidence(&officer, A::Read, E::Upload));
        assert!(can_on_evidence(
            &officer,
            A::Read,
            E::View {
                uploader_org_id: other
            }
        ));
        assert!(can_on_evidence(&officer, A::Read, E::Export));
        assert!(!can_on_evidence(
            &officer,
            A::Read,
            E::Withdraw {
                uploader_org_id: own
            }
        ));
        // A contributing share withdraws only its own uploads; the owner any.
        assert!(can_on_evidence(&officer, A::Contribute, E::Upload));
        assert!(can_on_evidence(
            &officer,
            A::Contribute,
            E::Withdraw {
                uploader_org_id: own
            }
        ));
        assert!(!can_on_evidence(
            &officer,
            A::Contribute,
            E::Withdraw {
                uploader_org_id: other
            }
        ));
        assert!(can_on_evidence(
            &officer,
            A::Owner,
            E::Withdraw {
                uploader_org_id: other
            }
        ));
        // Approval for sending abroad is the owning office's supervisor's.
        assert!(!can_on_evidence(&officer, A::Owner, E::ApproveAbroad));
        assert!(can_on_evidence(&supervisor, A::Owner, E::ApproveAbroad));
        assert!(!can_on_evidence(
            &supervisor,
            A::Contribute,
            E::ApproveAbroad
        ));
        // Administrators read (their access is capped at Read) but neither add nor export.
        assert!(!can_on_evidence(&admin, A::Read, E::Upload));
        assert!(!can_on_evidence(&admin, A::Read, E::Export));
        assert!(!can_on_evidence(
            &officer,
            A::None,
            E::View {
                uploader_org_id: own
            }
        ));
    }
}
// --- end issue 6 ---

#[cfg(test)]
mod consultation_tests {
    use super::*;
    use ConsultationAccess as A;

    fn actor(role: Role, kind: OrgKind, org_id: i64) -> Actor {
        Actor {
            user_id: 1,
            org_id,
            org_kind: kind,
            role,
            region_code: "320600".into(),
            oversees: Vec::new(),
        }
    }

    /// A question asked of organisation 20 by enterprise 50.
    const ASKED: ConsultationFacts = ConsultationFacts {
        org_id: 20,
        enterprise_org_id: Some(50),
        centre_org_id: None,
    };

    #[test]
    fn who_sees_answers_and_converts_a_consultation() {
        let mut head = actor(Role::Supervisor, OrgKind::IpOffice, 10);
        head.oversees = vec![20];
        for (who, access, page, records, converts) in [
            // The asking enterprise: its own question; files it as its complaint.
            (
                actor(Role::EnterpriseFiler, OrgKind::Enterprise, 50),
                A::Asker,
                true,
                false,
                true,
            ),
            // Another enterprise sees nothing.
            (
                actor(Role::EnterpriseFiler, OrgKind::Enterprise, 51),
                A::None,
                true,
                false,
                false,
            ),
            // Staff of the answering centre answer it and enter it as a lead.
            (
                actor(Role::Triager, OrgKind::AssistanceCenter, 20),
                A::Answer,
                true,
                true,
                true,
            ),
            (
                actor(Role::Officer, OrgKind::AssistanceCenter, 20),
                A::Answer,
                true,
                true,
                true,
            ),
            // Another centre does not see it.
            (
                actor(Role::Triager, OrgKind::AssistanceCenter, 21),
                A::None,
                true,
                true,
                false,
            ),
            // The head of the office above reads it.
            (head, A::Read, true, true, false),
            // An administrator of the centre reads it but does not answer.
            (
                actor(Role::Admin, OrgKind::AssistanceCenter, 20),
                A::Read,
                true,
                false,
                false,
            ),
            // An industry office neither answers nor sees consultations.
            (
                actor(Role::Officer, OrgKind::IndustryOffice, 30),
                A::None,
                false,
                false,
                false,
            ),
        ] {
            assert_eq!(consultation_access(&who, &ASKED), access, "{who:?}");
            assert_eq!(can(&who, Action::ViewConsultations), page, "{who:?}");
            assert_eq!(can(&who, Action::RecordConsultation), records, "{who:?}");
            assert_eq!(may_convert_consultation(&who, access), converts, "{who:?}");
        }
    }

    #[test]
    fn a_workstation_and_its_centre_answer_what_the_workstation_took_in() {
        let at_station = ConsultationFacts {
            org_id: 40,
            enterprise_org_id: None,
            centre_org_id: Some(20),
        };
        for (who, access) in [
            (actor(Role::Officer, OrgKind::Workstation, 40), A::Answer),
            (
                actor(Role::Triager, OrgKind::AssistanceCenter, 20),
                A::Answer,
            ),
            (actor(Role::Officer, OrgKind::Workstation, 41), A::None),
            (actor(Role::Triager, OrgKind::AssistanceCenter, 21), A::None),
        ] {
            assert_eq!(consultation_access(&who, &at_station), access, "{who:?}");
        }
        // A workstation's staff record questions and may enter leads, but work no queue,
        // import nothing and have no approvals inbox.
        let staff = actor(Role::Officer, OrgKind::Workstation, 40);
        assert!(can(&staff, Action::RecordConsultation));
        assert!(can(&staff, Action::EnterLead));
        assert!(!can(&staff, Action::WorkQueues));
        assert!(!can(&staff, Action::ViewApprovals));
        assert!(!can(&staff, Action::TriageWorkbench));
        assert!(!can(&staff, Action::ViewWorkstations));
        assert!(!can(
            &actor(Role::Supervisor, OrgKind::Workstation, 40),
            Action::ImportLeads
        ));
        assert!(can(
            &actor(Role::Triager, OrgKind::AssistanceCenter, 20),
            Action::ViewWorkstations
        ));
    }

    #[test]
    fn protection_needs_are_recorded_by_offices_of_the_enterprises_region() {
        let city_industry = actor(Role::Officer, OrgKind::IndustryOffice, 30);
        assert!(may_record_needs(&city_industry, "320612"));
        let mut elsewhere = actor(Role::Officer, OrgKind::IndustryOffice, 31);
        elsewhere.region_code = "320500".into();
        assert!(!may_record_needs(&elsewhere, "320612"));
        assert!(!may_record_needs(
            &actor(Role::EnterpriseFiler, OrgKind::Enterprise, 50),
            "320600"
        ));
        let mut admin = actor(Role::Admin, OrgKind::IpOffice, 1);
        admin.region_code = "110000".into();
        assert!(may_record_needs(&admin, "320612"));
    }

    #[test]
    fn only_enterprises_ask_online() {
        assert!(can(
            &actor(Role::EnterpriseFiler, OrgKind::Enterprise, 50),
            Action::AskConsultation
        ));
        assert!(!can(
            &actor(Role::Triager, OrgKind::AssistanceCenter, 20),
            Action::AskConsultation
        ));
    }

    #[test]
    fn a_campaigns_lead_office_works_it_and_its_members_read_it() {
        let lead = 20;
        let members = [30, 31];
        let officer = actor(Role::Officer, OrgKind::IpOffice, lead);
        assert_eq!(
            campaign_access(&officer, lead, &members),
            CampaignAccess::Lead
        );
        let customs = actor(Role::Officer, OrgKind::Customs, 30);
        assert_eq!(
            campaign_access(&customs, lead, &members),
            CampaignAccess::Member
        );
        let outsider = actor(Role::Supervisor, OrgKind::IpOffice, 40);
        assert_eq!(
            campaign_access(&outsider, lead, &members),
            CampaignAccess::None
        );
        let mut head = actor(Role::Supervisor, OrgKind::IpOffice, 1);
        head.oversees = vec![lead];
        assert_eq!(campaign_access(&head, lead, &members), CampaignAccess::Read);
        let ent = actor(Role::EnterpriseFiler, OrgKind::Enterprise, 30);
        assert_eq!(campaign_access(&ent, lead, &[30]), CampaignAccess::None);
        let station = actor(Role::Officer, OrgKind::Workstation, 30);
        assert_eq!(campaign_access(&station, lead, &[30]), CampaignAccess::None);
        assert!(can(
            &actor(Role::Supervisor, OrgKind::MarketRegulator, 5),
            Action::CreateCampaign
        ));
        assert!(!can(&officer, Action::CreateCampaign));
    }

    #[test]
    fn the_managing_offices_supervisors_review_a_fund_and_its_officers_sit_on_panels() {
        let fund_org = 20;
        let sup = actor(Role::Supervisor, OrgKind::AssistanceCenter, fund_org);
        assert_eq!(fund_access(&sup, fund_org), FundAccess::Reviewer);
        assert!(can(&sup, Action::CreateFund));
        let officer = actor(Role::Officer, OrgKind::AssistanceCenter, fund_org);
        assert_eq!(fund_access(&officer, fund_org), FundAccess::Panel);
        assert!(!can(&officer, Action::CreateFund));
        let other = actor(Role::Supervisor, OrgKind::IpOffice, 21);
        assert_eq!(fund_access(&other, fund_org), FundAccess::Public);
        let mut head = actor(Role::Supervisor, OrgKind::IpOffice, 1);
        head.oversees = vec![fund_org];
        assert_eq!(fund_access(&head, fund_org), FundAccess::Read);
        assert!(!can(
            &actor(Role::Supervisor, OrgKind::IndustryOffice, 30),
            Action::CreateFund
        ));

        // An enterprise sees its own applications only, and applies from its own filing.
        let ent = actor(Role::EnterpriseFiler, OrgKind::Enterprise, 50);
        let access = fund_access(&ent, fund_org);
        assert_eq!(access, FundAccess::Applicant);
        assert!(sees_fund_application(&ent, access, 50));
        assert!(!sees_fund_application(&ent, access, 51));
        assert!(!sees_fund_application(&other, FundAccess::Public, 50));
        assert!(sees_fund_application(&officer, FundAccess::Panel, 50));
        assert!(may_apply_to_fund(&ent, CaseAccess::Filer));
        assert!(!may_apply_to_fund(&sup, CaseAccess::Owner));
    }
}
