//! Who may see a case, as an index query: the rules of `domain::policy::case_access` (and of
//! its SQL twin `store::cases::visible`) over the visibility terms each document carries.
//! A property test below compares the three on random cases.

use super::schema::Fields;
use crate::domain::identity::{OrgKind, Role};
use crate::domain::policy::Actor;
use tantivy::Term;
use tantivy::query::{BooleanQuery, EmptyQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

/// Whether `actor` may search officer notes and the evidence other people uploaded: everyone
/// who sees a case as more than its filer (the filing enterprise sees public text only).
pub fn reads_internal(actor: &Actor) -> bool {
    actor.org_kind != OrgKind::Enterprise
}

fn term(field: tantivy::schema::Field, v: i64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_u64(field, v as u64),
        IndexRecordOption::Basic,
    ))
}

/// The cases `actor` may see.
pub fn visible(actor: &Actor, f: &Fields) -> Box<dyn Query> {
    if actor.org_kind == OrgKind::Enterprise {
        return if actor.role == Role::EnterpriseFiler {
            term(f.filer, actor.org_id)
        } else {
            Box::new(EmptyQuery)
        };
    }
    let mut any: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Should, term(f.owner, actor.org_id)),
        (Occur::Should, term(f.share, actor.org_id)),
        (Occur::Should, term(f.referred, actor.org_id)),
    ];
    for org in &actor.oversees {
        any.push((Occur::Should, term(f.owner, *org)));
    }
    if actor.org_kind == OrgKind::AssistanceCenter {
        any.push((Occur::Should, term(f.assignee_org, actor.org_id)));
        if let Some(prefix) = crate::domain::region::covered_prefix(&actor.region_code) {
            any.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.triage_region, prefix),
                    IndexRecordOption::Basic,
                )),
            ));
        }
    }
    Box::new(BooleanQuery::new(any))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::{CaseAccess, CaseFacts, case_access};
    use crate::search::doc::CaseDoc;
    use crate::search::index::in_ram;
    use proptest::prelude::*;
    use tantivy::collector::DocSetCollector;

    const KINDS: [OrgKind; 5] = [
        OrgKind::Enterprise,
        OrgKind::IpOffice,
        OrgKind::IndustryOffice,
        OrgKind::AssistanceCenter,
        OrgKind::OtherAgency,
    ];
    const ROLES: [Role; 5] = Role::ALL;
    const REGIONS: [&str; 5] = ["320000", "320600", "320602", "110000", "320700"];

    fn org() -> impl Strategy<Value = i64> {
        1i64..5
    }

    fn facts() -> impl Strategy<Value = CaseFacts> {
        (
            org(),
            proptest::option::of(org()),
            any::<bool>(),
            0usize..REGIONS.len(),
            proptest::option::of(org()),
            proptest::option::of(org()),
            proptest::collection::vec((org(), any::<bool>()), 0..3),
        )
            .prop_map(
                |(owner, filer, triage, r, assignee, referred, shares)| CaseFacts {
                    owner_org_id: owner,
                    filer_org_id: filer,
                    awaiting_triage: triage,
                    region_code: REGIONS[r].to_string(),
                    assignee_org_id: assignee,
                    referred_to_org_id: referred,
                    shares,
                },
            )
    }

    fn actor() -> impl Strategy<Value = Actor> {
        (
            org(),
            0usize..KINDS.len(),
            0usize..ROLES.len(),
            0usize..REGIONS.len(),
            proptest::collection::vec(org(), 0..3),
        )
            .prop_map(|(org, k, r, reg, below)| Actor {
                user_id: 1,
                org_id: org,
                org_kind: KINDS[k],
                role: ROLES[r],
                region_code: REGIONS[reg].to_string(),
                oversees: if crate::domain::policy::oversees(KINDS[k], ROLES[r]) {
                    below.into_iter().filter(|o| *o != org).collect()
                } else {
                    Vec::new()
                },
            })
    }

    fn doc_of(id: i64, c: &CaseFacts) -> CaseDoc {
        CaseDoc {
            id,
            number: format!("WQ-2026-{id:06}"),
            owner_org_id: c.owner_org_id,
            filer_org_id: c.filer_org_id,
            awaiting_triage: c.awaiting_triage,
            region_code: c.region_code.clone(),
            assignee_org_id: c.assignee_org_id,
            referred_to_org_id: c.referred_to_org_id,
            share_org_ids: c.shares.iter().map(|s| s.0).collect(),
            ..Default::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// For random cases and users, the index filter finds exactly the cases the policy
        /// lets the user see.
        #[test]
        fn index_filter_matches_the_policy(
            cases in proptest::collection::vec(facts(), 1..12),
            actors in proptest::collection::vec(actor(), 1..6),
        ) {
            let (index, fields) = in_ram();
            let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for (i, c) in cases.iter().enumerate() {
                w.add_document(doc_of(i as i64, c).to_document(&fields)).unwrap();
            }
            w.commit().unwrap();
            let searcher = index.reader().unwrap().searcher();
            for a in &actors {
                let found = searcher.search(&*visible(a, &fields), &DocSetCollector).unwrap();
                let mut got: Vec<i64> = found
                    .into_iter()
                    .map(|addr| {
                        let d: tantivy::TantivyDocument = searcher.doc(addr).unwrap();
                        use tantivy::schema::Value;
                        d.get_first(fields.id).and_then(|v| v.as_u64()).unwrap() as i64
                    })
                    .collect();
                got.sort();
                let want: Vec<i64> = cases
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| case_access(a, c) > CaseAccess::None)
                    .map(|(i, _)| i as i64)
                    .collect();
                prop_assert_eq!(got, want, "actor {:?}", a);
            }
        }
    }
}
