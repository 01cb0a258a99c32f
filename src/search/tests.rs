//! Chinese queries against a small index of realistic cases.

use super::doc::{CaseDoc, Party, Right};
use super::index::{Live, in_ram};
use super::*;
use crate::domain::identity::{OrgKind, Role};

const OFFICE: i64 = 10;
const FILER: i64 = 20;

fn office() -> Actor {
    Actor {
        user_id: 1,
        org_id: OFFICE,
        org_kind: OrgKind::IpOffice,
        role: Role::Officer,
        region_code: "320600".into(),
        oversees: Vec::new(),
    }
}

fn filer() -> Actor {
    Actor {
        user_id: 2,
        org_id: FILER,
        org_kind: OrgKind::Enterprise,
        role: Role::EnterpriseFiler,
        region_code: "320600".into(),
        oversees: Vec::new(),
    }
}

fn case(id: i64, title: &str, description: &str) -> CaseDoc {
    CaseDoc {
        id,
        number: format!("WQ-2026-{id:06}"),
        title: title.into(),
        description: description.into(),
        queue: "administrative_ruling".into(),
        state: "docketed".into(),
        channel: "offline_market".into(),
        region_code: "320602".into(),
        owner_org_id: OFFICE,
        open: true,
        ..Default::default()
    }
}

fn corpus() -> Vec<CaseDoc> {
    let mut a = case(
        1,
        "锂电池隔膜专利侵权纠纷",
        "被请求人未经许可，在展会上许诺销售使用涉案发明专利的锂电池隔膜产品。",
    );
    a.parties = vec![Party {
        name: "南通华信精密机械有限公司".into(),
        uscc: Some("91320600MA1XXXXXXX".into()),
        ..Default::default()
    }];
    a.rights = vec![Right {
        kind: "invention_patent".into(),
        number: Some("ZL202310123456.6".into()),
        title: "一种锂电池隔膜".into(),
        holder: None,
    }];
    a.filer_org_id = Some(FILER);
    a.srdi_rank = 2;
    a.notes = vec!["被请求人曾于2025年被处理过，属重复侵权".into()];
    a.evidence = vec![
        ("公证购买的隔膜样品照片".into(), true),
        ("执法人员现场检查笔录".into(), false),
    ];
    a.next_due_at = Some(chrono::Utc::now() - chrono::Duration::days(1));
    let mut b = case(
        2,
        "跨境电商平台销售仿冒外观设计产品",
        "某公司在Amazon美国站销售与涉案外观设计相同的蓝牙耳机 Bluetooth earphones。",
    );
    b.channel = "cross_border_e_commerce".into();
    b.queue = "overseas_assistance".into();
    b.state = "intake".into();
    b.facts = vec!["美国".into()];
    b.rights = vec![Right {
        kind: "design_patent".into(),
        number: Some("ZL202230456790.X".into()),
        title: "蓝牙耳机".into(),
        holder: None,
    }];
    let c = case(
        3,
        "展会现场侵权投诉",
        "在第十届中国国际工业博览会上发现展商展出侵权的数控机床。",
    );
    let mut hidden = case(
        4,
        "锂电池隔膜专利侵权纠纷（他局）",
        "另一个局的锂电池隔膜案件，展会上许诺销售。",
    );
    hidden.owner_org_id = 99;
    vec![a, b, c, hidden]
}

fn live() -> Live {
    let (index, fields) = in_ram();
    let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
    for d in corpus() {
        w.add_document(d.to_document(&fields)).unwrap();
    }
    w.commit().unwrap();
    Live::new("test".into(), index, fields, None).unwrap()
}

fn search(live: &Live, actor: &Actor, q: &str) -> Results {
    let req = Request {
        words: query::parse(q).unwrap(),
        limit: 20,
        ..Default::default()
    };
    run(live, actor, &req, chrono::Utc::now()).unwrap()
}

fn ids(r: &Results) -> Vec<i64> {
    let mut v: Vec<i64> = r.hits.iter().map(|h| h.id).collect();
    v.sort();
    v
}

#[test]
fn two_character_words_match() {
    let l = live();
    assert_eq!(ids(&search(&l, &office(), "展会")), vec![1, 3]);
    assert_eq!(ids(&search(&l, &office(), "侵权")), vec![1, 3]);
    assert_eq!(ids(&search(&l, &office(), "美国")), vec![2]);
}

#[test]
fn company_and_product_names_match() {
    let l = live();
    assert_eq!(
        ids(&search(&l, &office(), "南通华信精密机械有限公司")),
        vec![1]
    );
    // A part of the name jieba does not cut there: found through the bigram field.
    assert_eq!(ids(&search(&l, &office(), "华信精密")), vec![1]);
    assert_eq!(ids(&search(&l, &office(), "锂电池隔膜")), vec![1]);
    assert_eq!(ids(&search(&l, &office(), "数控机床")), vec![3]);
    assert_eq!(ids(&search(&l, &office(), "蓝牙耳机")), vec![2]);
}

#[test]
fn patent_numbers_in_every_notation() {
    let l = live();
    for q in [
        "ZL202310123456.6",
        "202310123456.6",
        "2023101234566",
        "zl202310123456.6",
    ] {
        assert_eq!(ids(&search(&l, &office(), q)), vec![1], "{q}");
    }
    for q in ["ZL202230456790.X", "202230456790X", "202230456790.x"] {
        assert_eq!(ids(&search(&l, &office(), q)), vec![2], "{q}");
    }
    assert!(search(&l, &office(), "202310123456.7").hits.is_empty());
    assert_eq!(ids(&search(&l, &office(), "WQ-2026-000003")), vec![3]);
    assert_eq!(ids(&search(&l, &office(), "91320600MA1XXXXXXX")), vec![1]);
}

#[test]
fn mixed_chinese_and_english() {
    let l = live();
    assert_eq!(ids(&search(&l, &office(), "amazon 耳机")), vec![2]);
    assert_eq!(ids(&search(&l, &office(), "Bluetooth")), vec![2]);
    assert_eq!(
        ids(&search(&l, &office(), "\"bluetooth earphones\"")),
        vec![2]
    );
}

#[test]
fn every_word_must_match_and_phrases_keep_their_order() {
    let l = live();
    assert_eq!(ids(&search(&l, &office(), "展会 锂电池")), vec![1]);
    assert!(search(&l, &office(), "展会 蓝牙耳机").hits.is_empty());
    assert_eq!(ids(&search(&l, &office(), "\"许诺销售\"")), vec![1]);
    assert!(search(&l, &office(), "\"隔膜锂电池\"").hits.is_empty());
}

#[test]
fn other_offices_cases_never_count() {
    let l = live();
    let r = search(&l, &office(), "锂电池");
    assert_eq!(ids(&r), vec![1]);
    assert_eq!(r.total, 1);
    assert_eq!(
        r.facets["queue"],
        vec![("administrative_ruling".to_string(), 1)]
    );
    assert_eq!(r.overdue, 1);
}

#[test]
fn notes_and_office_evidence_are_for_offices_only() {
    let l = live();
    assert_eq!(ids(&search(&l, &office(), "重复侵权")), vec![1]);
    assert!(search(&l, &filer(), "重复侵权").hits.is_empty());
    assert!(search(&l, &filer(), "检查笔录").hits.is_empty());
    assert_eq!(ids(&search(&l, &office(), "检查笔录")), vec![1]);
    // The filer's own evidence is its to search.
    assert_eq!(ids(&search(&l, &filer(), "样品照片")), vec![1]);
    // A filer's snippet never shows notes.
    let r = search(&l, &filer(), "侵权");
    assert!(
        r.hits.iter().all(|h| !h.snippet.contains("重复")),
        "{:?}",
        r.hits
    );
}

#[test]
fn snippets_mark_matches_and_escape_text() {
    let l = live();
    let r = search(&l, &office(), "许诺销售");
    assert!(
        r.hits[0].snippet.contains("<mark>许诺销售</mark>"),
        "{}",
        r.hits[0].snippet
    );
    assert_eq!(
        highlight("a<b>侵权", std::slice::from_ref(&(4..10))),
        "a&lt;b&gt;<mark>侵权</mark>"
    );
}

#[test]
fn facets_filters_and_urgency_sort() {
    let l = live();
    let mut req = Request {
        words: query::parse("侵权").unwrap(),
        limit: 20,
        ..Default::default()
    };
    let r = run(&l, &office(), &req, chrono::Utc::now()).unwrap();
    assert_eq!(r.total, 2);
    req.srdi = true;
    let r = run(&l, &office(), &req, chrono::Utc::now()).unwrap();
    assert_eq!(ids(&r), vec![1]);
    req.srdi = false;
    req.queue = Some("overseas_assistance".into());
    assert!(
        run(&l, &office(), &req, chrono::Utc::now())
            .unwrap()
            .hits
            .is_empty()
    );
    req.queue = None;
    req.sort = Sort::Urgency;
    let r = run(&l, &office(), &req, chrono::Utc::now()).unwrap();
    assert_eq!(r.hits[0].id, 1, "the overdue case comes first");
}
