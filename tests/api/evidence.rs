//! Evidence (issue 6): upload, safe serving, custody, permissions, bad input, interrupted uploads,
//! `weiquan evidence verify`, export, withdrawal, the clamd scan and the case-page panel.

use crate::fixtures::{Api, Case, csrf_in};
use crate::helpers::TestApp;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Digest;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BOUNDARY: &str = "wqBoundary7MA4YWxkTrZu0gW";

fn pdf() -> Vec<u8> {
    let mut v = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    v.extend(std::iter::repeat_n(b'x', 200_000));
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    v.extend(std::iter::repeat_n(0u8, 1000));
    v
}

/// One part of a hand-built multipart body (so that names can hold any bytes).
struct Part<'a> {
    name: &'a str,
    file_name: Option<&'a [u8]>,
    content_type: Option<&'a str>,
    data: &'a [u8],
}

fn field<'a>(name: &'a str, value: &'a str) -> Part<'a> {
    Part {
        name,
        file_name: None,
        content_type: None,
        data: value.as_bytes(),
    }
}

fn file<'a>(name: &'a [u8], content_type: Option<&'a str>, data: &'a [u8]) -> Part<'a> {
    Part {
        name: "file",
        file_name: Some(name),
        content_type,
        data,
    }
}

fn body(parts: &[Part], close: bool) -> Vec<u8> {
    let mut b = Vec::new();
    for p in parts {
        b.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        b.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{}\"", p.name).as_bytes(),
        );
        if let Some(f) = p.file_name {
            b.extend_from_slice(b"; filename=\"");
            b.extend_from_slice(f);
            b.extend_from_slice(b"\"");
        }
        b.extend_from_slice(b"\r\n");
        if let Some(ct) = p.content_type {
            b.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        b.extend_from_slice(b"\r\n");
        b.extend_from_slice(p.data);
        b.extend_from_slice(b"\r\n");
    }
    if close {
        b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    }
    b
}

async fn post_body(by: &Api, case_id: i64, body: Vec<u8>) -> (u16, Value) {
    let res = by
        .request(Method::POST, &format!("/api/v1/cases/{case_id}/evidence"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn upload(by: &Api, case_id: i64, name: &str, ct: Option<&str>, data: &[u8]) -> (u16, Value) {
    let parts = [
        field("kind", "notarized_purchase"),
        field("description", "公证购买的侵权产品照片"),
        field("obtained_at", "2026-11-20"),
        file(name.as_bytes(), ct, data),
    ];
    post_body(by, case_id, body(&parts, true)).await
}

/// The events of an evidence item's chain of custody, in order.
fn custody(item: &Value) -> Vec<&str> {
    item["custody"]
        .as_array()
        .unwrap_or_else(|| panic!("no custody in {item}"))
        .iter()
        .map(|c| c["event"].as_str().unwrap())
        .collect()
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

fn sm3_hex(b: &[u8]) -> String {
    hex::encode(sm3::Sm3::digest(b))
}

/// How long the sealer may take to record the SM3 of a small upload under CI's parallel load.
const SEAL_BOUND: std::time::Duration = std::time::Duration::from_secs(30);

/// Waits until item `eid` of case `case_id` has its SM3 (as `by` sees it) and returns it.
async fn sealed(by: &Api, case_id: i64, eid: i64) -> String {
    let start = std::time::Instant::now();
    loop {
        let (s, list) = by.get(&format!("/api/v1/cases/{case_id}/evidence")).await;
        assert_eq!(s, 200, "{list}");
        let item = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == eid)
            .unwrap_or_else(|| panic!("item {eid} listed: {list}"))
            .clone();
        if let Some(sm3) = item["sm3"].as_str() {
            assert!(item["sm3_at"].is_string(), "{item}");
            return sm3.to_string();
        }
        assert!(item["sm3_at"].is_null(), "{item}");
        assert!(
            start.elapsed() < SEAL_BOUND,
            "item {eid} not sealed after {SEAL_BOUND:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn storage(app: &TestApp) -> PathBuf {
    app.dir.path().join("evidence")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The upload temp files under the evidence folder (the node folders' lock files aside).
fn temp_files(app: &TestApp) -> Vec<PathBuf> {
    files_under(&storage(app).join("tmp"))
        .into_iter()
        .filter(|p| p.file_name() != Some(".lock".as_ref()))
        .collect()
}

async fn evidence_rows(app: &TestApp) -> Vec<entity::evidence::Model> {
    use sea_orm::EntityTrait;
    entity::evidence::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_enterprise_uploads_to_its_complaint_and_the_office_downloads_it_safely() {
    let app = TestApp::spawn().await;
    let Case { id, number, .. } = app.complaint().file().await;
    let ent = app.api_as("demo-enterprise").await;
    let officer = app.api_as("demo-officer").await;
    let bytes = pdf();
    let (s, up) = upload(&ent, id, "公证书.pdf", Some("application/pdf"), &bytes).await;
    assert_eq!(s, 201, "{up}");
    assert_eq!(up["sha256"], sha256_hex(&bytes));
    let eid = up["id"].as_i64().unwrap();
    assert_eq!(sealed(&officer, id, eid).await, sm3_hex(&bytes));
    assert_eq!(up["size"], bytes.len());
    assert_eq!(up["media_type"], "application/pdf");

    let res = officer
        .get_response(&format!("/api/v1/evidence/{eid}/content"))
        .await;
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    let disposition = h["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with(&format!("attachment; filename=\"{number}-E1.pdf\"")),
        "{disposition}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("sandbox")
    );
    assert_eq!(
        h["etag"].to_str().unwrap(),
        format!("\"{}\"", sha256_hex(&bytes))
    );
    assert_eq!(h["cache-control"], "private, no-store");
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    // HEAD hands nothing out and is not a download.
    let res = officer
        .request(Method::HEAD, &format!("/api/v1/evidence/{eid}/content"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], h["etag"]);

    // Identical bytes are stored once; the second upload is a second record.
    let (s, again) = upload(&officer, id, "copy.pdf", None, &bytes).await;
    assert_eq!(s, 201, "{again}");
    assert_eq!(again["no"], 2);
    let objects = files_under(&storage(&app).join("objects"));
    assert_eq!(objects.len(), 1, "{objects:?}");

    // Custody: the office sees everything; the enterprise its own upload and its public events.
    let (_, list) = officer.get(&format!("/api/v1/cases/{id}/evidence")).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let events = custody(&items[0]);
    assert_eq!(events, ["evidence_uploaded", "evidence_downloaded"]);
    let (_, mine) = ent.get(&format!("/api/v1/cases/{id}/evidence")).await;
    let mine = mine["items"].as_array().unwrap();
    assert_eq!(mine.len(), 1, "the enterprise sees only its own upload");
    assert_eq!(mine[0]["custody"].as_array().unwrap().len(), 2);
    assert_eq!(
        ent.get_response(&format!("/api/v1/evidence/{}/content", again["id"]))
            .await
            .status(),
        404
    );
    // Each step is in the audit trail, and each bumped the case version.
    let audit = weiquan::store::audit::page_after(app.db.conn(), 0, 1000)
        .await
        .unwrap();
    for action in ["evidence.upload", "evidence.download"] {
        assert!(audit.iter().any(|a| a.action == action), "{action}");
    }
    let (_, case) = officer.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["version"], 4, "{case}");
}

#[tokio::test]
async fn foreign_offices_and_other_enterprises_get_404_and_a_read_share_403() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let ent2 = app.api_as("demo-enterprise2").await;
    let industry = app.api_as("demo-industry").await;
    let officer = app.api_as("demo-officer").await;
    let (s, up) = upload(&officer, id, "a.png", Some("image/png"), &png()).await;
    assert_eq!(s, 201, "{up}");
    let eid = up["id"].as_i64().unwrap();
    for t in [&ent2, &industry] {
        assert_eq!(upload(t, id, "a.png", None, &png()).await.0, 404);
        assert_eq!(t.get(&format!("/api/v1/cases/{id}/evidence")).await.0, 404);
        assert_eq!(
            t.get_response(&format!("/api/v1/evidence/{eid}/content"))
                .await
                .status(),
            404
        );
        assert_eq!(
            t.get_response(&format!("/api/v1/cases/{id}/evidence/export"))
                .await
                .status(),
            404
        );
    }
    let industry_org = industry.get("/api/v1/me").await.1["organization"]["id"].clone();
    let (s, shared) = officer
        .post(
            &format!("/api/v1/cases/{id}/shares"),
            &json!({"org_id": industry_org, "access": "read"}),
        )
        .await;
    assert_eq!(s, 201, "{shared}");
    let (s, body) = upload(&industry, id, "a.png", None, &png()).await;
    assert_eq!(s, 403, "{body}");
    assert_eq!(
        industry
            .get_response(&format!("/api/v1/evidence/{eid}/content"))
            .await
            .status(),
        200
    );
    assert_eq!(evidence_rows(&app).await.len(), 1);
}

#[tokio::test]
async fn bad_input_gets_clear_answers_and_leaves_nothing_half_written() {
    let app = TestApp::spawn_with(
        |c| {
            c.evidence_max_file_bytes = 300_000;
            c.evidence_max_case_bytes = 500_000;
        },
        true,
    )
    .await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let mut accepted = 0;
    // Names: paths and control characters are stripped; the stored name is the server's.
    for (raw, want) in [
        (&b"../../etc/passwd.txt"[..], "passwd.txt"),
        (b"..\\..\\win.ini.txt", "win.ini.txt"),
        (b"\xE2\x80\xAEgpj.txt", "gpj.txt"),
        (b"tab\there.txt", "tabhere.txt"),
    ] {
        let parts = [
            field("kind", "other"),
            file(raw, Some("text/plain"), b"plain evidence text"),
        ];
        let (s, up) = post_body(&t, id, body(&parts, true)).await;
        assert_eq!(s, 201, "{raw:?}: {up}");
        assert_eq!(up["original_name"], want);
        accepted += 1;
    }
    // A NUL or CR/LF inside the part header is refused by the parser or stripped: never a 5xx.
    for raw in [&b"a.pdf\0.html"[..], b"a\r\nSet-Cookie: x=1.txt"] {
        let parts = [
            field("kind", "other"),
            file(raw, None, b"plain evidence text"),
        ];
        let (s, up) = post_body(&t, id, body(&parts, true)).await;
        assert!(s < 500, "{raw:?}: {s} {up}");
        if s == 201 {
            let name = up["original_name"].as_str().unwrap_or("");
            assert!(!name.contains(['\0', '\r', '\n', '/']), "{name:?}");
            accepted += 1;
        }
    }
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "empty file",
            body(&[field("kind", "other"), file(b"e.txt", None, b"")], true),
            422,
        ),
        ("no file", body(&[field("kind", "other")], true), 422),
        (
            "bad kind",
            body(
                &[field("kind", "selfie"), file(b"a.txt", None, b"words")],
                true,
            ),
            422,
        ),
        (
            "over the file limit",
            body(
                &[
                    field("kind", "other"),
                    file(b"big.txt", None, &vec![b'a'; 400_000]),
                ],
                true,
            ),
            413,
        ),
        (
            "PNG claimed as PDF",
            body(
                &[
                    field("kind", "other"),
                    file(b"x.pdf", Some("application/pdf"), &png()),
                ],
                true,
            ),
            415,
        ),
        (
            "PDF named .jpg",
            body(
                &[field("kind", "other"), file(b"x.jpg", None, &pdf()[..1000])],
                true,
            ),
            415,
        ),
        (
            "HTML with script",
            body(
                &[
                    field("kind", "other"),
                    file(
                        b"x.txt",
                        Some("text/plain"),
                        b"<!doctype html><script>window.__pwned=1</script>",
                    ),
                ],
                true,
            ),
            415,
        ),
        (
            "SVG with script",
            body(
                &[
                    field("kind", "other"),
                    file(
                        b"x.svg",
                        Some("image/svg+xml"),
                        b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
                    ),
                ],
                true,
            ),
            415,
        ),
        (
            "image named .html",
            body(
                &[field("kind", "other"), file(b"x.png.html", None, &png())],
                true,
            ),
            415,
        ),
        (
            "executable",
            body(
                &[
                    field("kind", "other"),
                    file(b"x.bin", None, b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0"),
                ],
                true,
            ),
            415,
        ),
        (
            "truncated multipart",
            body(
                &[field("kind", "other"), file(b"a.txt", None, b"words")],
                false,
            ),
            400,
        ),
    ];
    for (what, b, want) in cases {
        let (s, res) = post_body(&t, id, b).await;
        assert_eq!(s, want, "{what}: {res}");
        if s != 413 || res.is_object() {
            assert!(
                res["status"].is_number(),
                "{what}: problem+json expected, got {res}"
            );
        }
    }
    // Not multipart at all.
    let (s, _) = t
        .post(
            &format!("/api/v1/cases/{id}/evidence"),
            &json!({"kind": "other"}),
        )
        .await;
    assert_eq!(s, 415);
    // Script in the middle of a text file: stored inert as text/plain, served only as attachment.
    let (s, up) = upload(
        &t,
        id,
        "notes.txt",
        None,
        b"seen on the page: <script>alert(1)</script>",
    )
    .await;
    assert_eq!(s, 201, "{up}");
    accepted += 1;
    assert_eq!(up["media_type"], "text/plain");
    let res = t
        .get_response(&format!("/api/v1/evidence/{}/preview", up["id"]))
        .await;
    assert_eq!(res.status(), 415, "text is never shown inline");
    let res = t
        .get_response(&format!("/api/v1/evidence/{}/content", up["id"]))
        .await;
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.headers()["content-type"], "text/plain");
    // The case limit: 500 000 bytes in all.
    let (s, _) = upload(&t, id, "a.pdf", None, &pdf()).await;
    assert_eq!(s, 201);
    accepted += 1;
    let (s, _) = upload(&t, id, "b.pdf", None, &[pdf(), b"1".to_vec()].concat()).await;
    assert_eq!(s, 201);
    accepted += 1;
    let (s, res) = upload(&t, id, "c.pdf", None, &[pdf(), b"2".to_vec()].concat()).await;
    assert_eq!(s, 413, "{res}");

    assert_eq!(evidence_rows(&app).await.len(), accepted);
    assert!(temp_files(&app).is_empty());
    // Nothing outside the storage root but the database files, the search index and the audit
    // checkpoints the server writes.
    for f in files_under(app.dir.path()) {
        let rel = f
            .strip_prefix(app.dir.path())
            .unwrap()
            .to_string_lossy()
            .to_string();
        assert!(
            rel.starts_with("evidence/objects/")
                || rel.starts_with("weiquan.db")
                || rel.starts_with("index/")
                || rel == "audit-checkpoints"
                || (rel.starts_with("evidence/tmp/n-") && rel.ends_with("/.lock")),
            "{rel}"
        );
    }
}

#[tokio::test]
async fn a_client_that_goes_away_halfway_leaves_no_record_and_no_object() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let full = body(
        &[
            field("kind", "other"),
            file(b"half.pdf", None, &[pdf(), vec![b'y'; 3_000_000]].concat()),
        ],
        true,
    );
    let mut conn = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/cases/{id}/evidence HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        t.token(),
        full.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&full[..full.len() / 2]).await.unwrap();
    conn.flush().await.unwrap();
    // Wait until the server has the temp file, then vanish.
    for _ in 0..100 {
        if !temp_files(&app).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    drop(conn);
    let mut clean = false;
    for _ in 0..250 {
        if temp_files(&app).is_empty() {
            clean = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(clean, "temp file left: {:?}", temp_files(&app));
    assert!(evidence_rows(&app).await.is_empty());
    assert!(files_under(&storage(&app).join("objects")).is_empty());
    // The server is fine afterwards.
    assert_eq!(upload(&t, id, "ok.pdf", None, &pdf()).await.0, 201);
}

/// `weiquan evidence verify` on the app's folder, run beside its server (awaited, so that the
/// server, which shares the test's runtime, goes on serving).
async fn verify(app: &TestApp) -> std::process::Output {
    verify_with(app, &[]).await
}

async fn verify_with(app: &TestApp, extra: &[&str]) -> std::process::Output {
    let dir = app.dir.path().display().to_string();
    let mut args = vec!["evidence", "verify"];
    args.extend_from_slice(extra);
    app.cli_with(&args, &[("WEIQUAN_DATA_DIR", &dir)]).await
}

#[tokio::test]
async fn evidence_verify_reports_tampered_and_missing_objects() {
    let app = TestApp::spawn().await;
    let Case { id, number, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    assert_eq!(upload(&t, id, "a.pdf", None, &pdf()).await.0, 201);
    assert_eq!(upload(&t, id, "b.png", None, &png()).await.0, 201);
    let out = verify(&app).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let rows = evidence_rows(&app).await;
    let a = storage(&app).join(&rows[0].object_key);
    let mut perms = std::fs::metadata(&a).unwrap().permissions();
    assert!(perms.readonly(), "stored objects are read-only");
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&a, perms).unwrap();
    let mut bytes = std::fs::read(&a).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&a, bytes).unwrap();
    std::fs::remove_file(storage(&app).join(&rows[1].object_key)).unwrap();
    let out = verify(&app).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains(&format!("MISMATCH {number}-E1")),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("MISSING {number}-E2")), "{stdout}");
    // The export refuses to package bytes that do not match their record.
    let res = t
        .get_response(&format!("/api/v1/cases/{id}/evidence/export"))
        .await;
    assert_eq!(res.status(), 409);
}

/// Makes a stored object writable and flips one of its bytes.
fn tamper(path: &Path) {
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(path, perms).unwrap();
    let mut bytes = std::fs::read(path).unwrap();
    bytes[100] ^= 1;
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn the_sm3_is_computed_from_the_stored_bytes_right_after_the_upload() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn().await;
    let Case { id, number, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let (a, b, c) = (pdf(), png(), b"plain text evidence".to_vec());
    let (s, up_a) = upload(&t, id, "a.pdf", None, &a).await;
    assert_eq!(s, 201, "{up_a}");
    let (s, up_b) = upload(&t, id, "b.png", None, &b).await;
    assert_eq!(s, 201, "{up_b}");
    let (ea, eb) = (up_a["id"].as_i64().unwrap(), up_b["id"].as_i64().unwrap());
    assert_eq!(sealed(&t, id, ea).await, sm3_hex(&a));
    assert_eq!(sealed(&t, id, eb).await, sm3_hex(&b));
    let seals = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("evidence.seal"))
        .all(app.db.conn())
        .await
        .unwrap();
    let targets: Vec<_> = seals.iter().map(|e| e.target_id.as_str()).collect();
    assert_eq!(
        targets,
        [format!("{number}-E1"), format!("{number}-E2")],
        "one audit entry per seal"
    );

    // E1's bytes are changed, and then, as if a node had stopped before sealing them, neither
    // item has its SM3. (The second upload's wake-up may have left the sealing worker one more
    // pass, which would seal them again: it finds nothing to do once both are sealed, and is let
    // end before they are unsealed.)
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let rows = evidence_rows(&app).await;
    tamper(&storage(&app).join(&rows[0].object_key));
    entity::evidence::Entity::update_many()
        .col_expr(
            entity::evidence::Column::Sm3,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            entity::evidence::Column::Sm3At,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(entity::evidence::Column::CaseId.eq(id))
        .exec(app.db.conn())
        .await
        .unwrap();
    let data_dir = app.dir.path().to_str().unwrap();
    let out = app
        .cli_with(&["evidence", "verify"], &[("WEIQUAN_DATA_DIR", data_dir)])
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains(&format!("MISMATCH {number}-E1")),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 record(s) still wait for their SM3"),
        "{stdout}"
    );

    // The next upload wakes the sealer: E2 and E3 are sealed, E1 is not (its bytes changed).
    let (s, up_c) = upload(&t, id, "c.txt", None, &c).await;
    assert_eq!(s, 201, "{up_c}");
    assert!(up_c["sm3"].is_null(), "{up_c}");
    assert_eq!(
        sealed(&t, id, up_c["id"].as_i64().unwrap()).await,
        sm3_hex(&c)
    );
    assert_eq!(sealed(&t, id, eb).await, sm3_hex(&b));
    let (_, list) = t.get(&format!("/api/v1/cases/{id}/evidence")).await;
    let first = &list["items"][0];
    assert_eq!(first["id"], ea);
    assert!(
        first["sm3"].is_null(),
        "changed bytes are never sealed: {first}"
    );
    // The page says the SM3 is not there yet rather than showing an empty hash.
    let officer = app.browser_as("demo-officer").await;
    let page = officer.html(&format!("/cases/{id}")).await;
    assert!(
        page.contains("SM3 <span class=\"muted\">正在计算"),
        "{page}"
    );
}

#[tokio::test]
async fn the_export_manifest_matches_the_files_in_the_zip() {
    let app = TestApp::spawn().await;
    let Case { id, number, .. } = app.complaint().file().await;
    let ent = app.api_as("demo-enterprise").await;
    let officer = app.api_as("demo-officer").await;
    assert_eq!(upload(&ent, id, "合同.pdf", None, &pdf()).await.0, 201);
    assert_eq!(upload(&officer, id, "照片.png", None, &png()).await.0, 201);
    let (s, gone) = upload(&officer, id, "wrong.txt", None, b"uploaded by mistake").await;
    assert_eq!(s, 201);
    let (s, w) = officer
        .post(
            &format!("/api/v1/evidence/{}/withdraw", gone["id"]),
            &json!({"reason": "误传"}),
        )
        .await;
    assert_eq!(s, 200, "{w}");
    assert_eq!(
        ent.get_response(&format!("/api/v1/cases/{id}/evidence/export"))
            .await
            .status(),
        403
    );
    let res = officer
        .get_response(&format!("/api/v1/cases/{id}/evidence/export"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let zip_bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes.to_vec())).unwrap();
    let mut read = |name: &str| {
        let mut f = zip
            .by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the zip"));
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut v).unwrap();
        v
    };
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(
        files.len(),
        2,
        "withdrawn evidence is not exported: {manifest}"
    );
    for f in files {
        let bytes = read(f["path"].as_str().unwrap());
        assert_eq!(f["sha256"].as_str().unwrap(), sha256_hex(&bytes));
        // The export seals what the background sealer has not reached yet.
        assert_eq!(f["sm3"].as_str().unwrap(), sm3_hex(&bytes), "{f}");
        assert_eq!(f["size"].as_u64().unwrap(), bytes.len() as u64);
        assert!(!f["custody"].as_array().unwrap().is_empty());
    }
    assert_eq!(files[0]["path"], format!("evidence/{number}-E1.pdf"));
    let list = String::from_utf8(read("证据清单.html")).unwrap();
    assert!(
        list.contains("证据清单") && list.contains(&format!("{number}-E1")),
        "{list}"
    );
    let (_, after) = officer.get(&format!("/api/v1/cases/{id}/evidence")).await;
    let last = after["items"][0]["custody"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["event"], "evidence_exported");
    assert!(temp_files(&app).is_empty(), "the export temp file is gone");
}

#[tokio::test]
async fn withdrawn_evidence_stays_stored_and_marked() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let ent = app.api_as("demo-enterprise").await;
    let ent2 = app.api_as("demo-enterprise2").await;
    let (_, up) = upload(&ent, id, "a.pdf", None, &pdf()).await;
    let eid = up["id"].as_i64().unwrap();
    let path = format!("/api/v1/evidence/{eid}/withdraw");
    assert_eq!(ent2.post(&path, &json!({"reason": "x"})).await.0, 404);
    let (s, body) = ent.post(&path, &json!({})).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "reason");
    let (s, body) = ent.post(&path, &json!({"reason": "上传错了文件"})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(ent.post(&path, &json!({"reason": "again"})).await.0, 409);
    let (_, list) = ent.get(&format!("/api/v1/cases/{id}/evidence")).await;
    assert_eq!(list["items"][0]["withdrawn"]["reason"], "上传错了文件");
    let res = ent
        .get_response(&format!("/api/v1/evidence/{eid}/content"))
        .await;
    assert_eq!(res.status(), 200, "a withdrawn file is kept");
    assert_eq!(files_under(&storage(&app).join("objects")).len(), 1);
    // Only overseas cases need approval for sending abroad.
    let sup = app.api_as("demo-supervisor").await;
    assert_eq!(
        sup.post(
            &format!("/api/v1/evidence/{eid}/approve-abroad"),
            &json!({})
        )
        .await
        .0,
        409
    );
    let officer = app.api_as("demo-officer").await;
    assert_eq!(
        officer
            .post(
                &format!("/api/v1/evidence/{eid}/approve-abroad"),
                &json!({})
            )
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn previews_are_inline_only_for_images_and_pdf() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let (_, up) = upload(&t, id, "a.png", None, &png()).await;
    let res = t
        .get_response(&format!("/api/v1/evidence/{}/preview", up["id"]))
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("sandbox")
    );
    let (_, list) = t.get(&format!("/api/v1/cases/{id}/evidence")).await;
    let events = custody(&list["items"][0]);
    assert_eq!(events, ["evidence_uploaded", "evidence_viewed"]);
}

#[tokio::test]
async fn concurrent_uploads_to_one_case_get_distinct_numbers() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let a = [pdf(), b"a".to_vec()].concat();
    let b = [pdf(), b"b".to_vec()].concat();
    let c = [pdf(), b"c".to_vec()].concat();
    let (ra, rb, rc) = tokio::join!(
        upload(&t, id, "a.pdf", None, &a),
        upload(&t, id, "b.pdf", None, &b),
        upload(&t, id, "c.pdf", None, &c)
    );
    let mut nos: Vec<i64> = [ra, rb, rc]
        .iter()
        .map(|(s, v)| {
            assert_eq!(*s, 201, "{v}");
            v["no"].as_i64().unwrap()
        })
        .collect();
    nos.sort_unstable();
    assert_eq!(nos, [1, 2, 3]);
}

/// A tiny clamd peer speaking INSTREAM: refuses anything containing the EICAR marker.
async fn fake_clamd() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut cmd = [0u8; 10];
                if s.read_exact(&mut cmd).await.is_err() || &cmd != b"zINSTREAM\0" {
                    return;
                }
                let mut data = Vec::new();
                loop {
                    let mut len = [0u8; 4];
                    if s.read_exact(&mut len).await.is_err() {
                        return;
                    }
                    let n = u32::from_be_bytes(len) as usize;
                    if n == 0 {
                        break;
                    }
                    let mut chunk = vec![0u8; n];
                    if s.read_exact(&mut chunk).await.is_err() {
                        return;
                    }
                    data.extend(chunk);
                }
                let found = data.windows(5).any(|w| w == b"EICAR");
                let reply: &[u8] = if found {
                    b"stream: Eicar-Test-Signature FOUND\0"
                } else {
                    b"stream: OK\0"
                };
                let _ = s.write_all(reply).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_clamd_finding_quarantines_the_upload_instead_of_losing_it() {
    let clamd = fake_clamd().await;
    let app = TestApp::spawn_with(move |c| c.clamd = clamd.to_string(), true).await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    assert_eq!(
        upload(&t, id, "clean.txt", None, b"clean words").await.0,
        201
    );
    let eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    let (s, body) = upload(&t, id, "eicar.txt", None, eicar).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "file");
    assert_eq!(evidence_rows(&app).await.len(), 1);
    let q = weiquan::store::evidence::quarantined(app.db.conn(), id)
        .await
        .unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].finding, "Eicar-Test-Signature");
    assert_eq!(
        std::fs::read(storage(&app).join(&q[0].object_key)).unwrap(),
        eicar
    );
    let officer = app.browser_as("demo-officer").await;
    let page = officer.html(&format!("/cases/{id}")).await;
    assert!(
        page.contains("已隔离的上传") && page.contains("Eicar-Test-Signature"),
        "{page}"
    );
}

#[tokio::test]
async fn large_files_stream_past_the_json_body_limit() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let big = [pdf(), vec![b'z'; 5 * 1024 * 1024]].concat();
    let (s, up) = upload(&t, id, "big.pdf", None, &big).await;
    assert_eq!(s, 201, "{up}");
    assert_eq!(up["sha256"], sha256_hex(&big));
    // A wrong type is refused from the first bytes, before the rest is received.
    let fake = [png(), vec![0u8; 5 * 1024 * 1024]].concat();
    let (s, res) = upload(&t, id, "fake.pdf", Some("application/pdf"), &fake).await;
    assert_eq!(s, 415, "{res}");
    assert!(temp_files(&app).is_empty());
}

#[tokio::test]
async fn the_case_page_has_the_evidence_panel_and_its_form_uploads() {
    let app = TestApp::spawn().await;
    let Case { id, number, .. } = app.complaint().file().await;
    let web = app.browser_as("demo-enterprise").await;
    let html = web.html(&format!("/cases/{id}")).await;
    assert!(
        html.contains("id=\"evidence\"") && html.contains("上传证据"),
        "{html}"
    );
    assert!(html.contains("/static/evidence.js"));
    let csrf = csrf_in(&html).unwrap();
    let send = |b: Vec<u8>| {
        web.client
            .post(web.url(&format!("/cases/{id}/evidence")))
            .header("x-csrf-token", csrf.clone())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(b)
            .send()
    };
    let res = send(body(
        &[
            field("kind", "contract"),
            field("description", "合同"),
            file(b"c.pdf", None, &pdf()),
        ],
        true,
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 303);
    let page = web.html(&format!("/cases/{id}")).await;
    assert!(page.contains(&format!("{number}-E1")), "{page}");
    let res = send(body(
        &[field("kind", "contract"), file(b"e.pdf", None, b"")],
        true,
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("文件是空的"), "{page}");
    let (_, list) = app
        .api_as("demo-enterprise")
        .await
        .get(&format!("/api/v1/cases/{id}/evidence"))
        .await;
    let eid = list["items"][0]["id"].as_i64().unwrap();
    let res = web.get(&format!("/evidence/{eid}/download")).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(
        web.get(&format!("/cases/{id}/evidence/list"))
            .await
            .status(),
        200
    );
    assert_eq!(web.get("/static/evidence.js").await.status(), 200);
    // Without the script: a plain form post, the token as its first field, streamed past the
    // 1 MiB form limit.
    let plain = |b: Vec<u8>| {
        web.client
            .post(web.url(&format!("/cases/{id}/evidence")))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(b)
            .send()
    };
    let big = [pdf(), vec![b'q'; 3 * 1024 * 1024]].concat();
    let res = plain(body(
        &[
            field("_csrf", &csrf),
            field("kind", "other"),
            file(b"big.pdf", None, &big),
        ],
        true,
    ))
    .await
    .unwrap();
    assert_eq!(res.status(), 303);
    for parts in [
        vec![field("kind", "other"), file(b"x.pdf", None, &pdf())],
        vec![
            field("_csrf", "wrong-token-wrong-token-wrong-token"),
            field("kind", "other"),
            file(b"x.pdf", None, &pdf()),
        ],
        vec![
            field("kind", "other"),
            field("_csrf", &csrf),
            file(b"x.pdf", None, &pdf()),
        ],
    ] {
        assert_eq!(plain(body(&parts, true)).await.unwrap().status(), 403);
    }
    let res = web
        .client
        .post(web.url(&format!("/cases/{id}/evidence")))
        .header("origin", "http://evil.example")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body(
            &[
                field("_csrf", &csrf),
                field("kind", "other"),
                file(b"x.pdf", None, &pdf()),
            ],
            true,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(evidence_rows(&app).await.len(), 2);
    // Withdrawal from the page asks for a confirmation.
    let page = format!("/cases/{id}");
    let path = format!("/evidence/{eid}/withdraw");
    let res = web.post_form(&page, &path, &[("reason", "传错了")]).await;
    assert_eq!(res.status(), 422);
    let res = web
        .post_form(&page, &path, &[("reason", "传错了"), ("confirm", "yes")])
        .await;
    assert_eq!(res.status(), 303);
    let html = web.html(&page).await;
    assert!(html.contains("已撤回") && html.contains("传错了"), "{html}");
}

#[tokio::test]
async fn the_openapi_document_lists_the_evidence_endpoints() {
    let app = TestApp::spawn_empty().await;
    let doc: Value = app.api().get("/api/openapi.json").await.1;
    for (path, method) in [
        ("/cases/{id}/evidence", "post"),
        ("/cases/{id}/evidence", "get"),
        ("/cases/{id}/evidence/export", "get"),
        ("/evidence/{id}/content", "get"),
        ("/evidence/{id}/preview", "get"),
        ("/evidence/{id}/withdraw", "post"),
        ("/evidence/{id}/approve-abroad", "post"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    assert!(doc["components"]["schemas"]["Evidence"].is_object());
}

#[tokio::test]
async fn the_owning_supervisor_approves_overseas_evidence_for_sending_abroad() {
    let app = TestApp::spawn().await;
    let overseas =
        json!({"overseas": {"country": "US", "category": "cross_border_platform_takedown"}});
    let mut case = app
        .complaint()
        .routed_with("overseas_assistance", overseas)
        .file()
        .await;
    let id = case.id;
    let ent = app.api_as("demo-enterprise").await;
    let (s, up) = upload(&ent, id, "合同.pdf", None, &pdf()).await;
    assert_eq!(s, 201, "{up}");
    let path = format!("/api/v1/evidence/{}/approve-abroad", up["id"]);
    let officer = app.api_as("demo-officer").await;
    assert_eq!(officer.post(&path, &json!({})).await.0, 403);
    let sup = app.api_as("demo-supervisor").await;
    // Not before the case has passed the export-compliance gate (Order 801 Arts. 12–13).
    let (s, b) = sup.post(&path, &json!({})).await;
    assert_eq!(s, 409, "{b}");
    case.refresh(&sup).await;
    let (s, accepted) = case.act(&officer, "accept", json!({})).await;
    assert_eq!(s, 200, "{accepted}");
    let gate = json!({"checks": ["state_secrets", "data_security", "personal_information", "technology_export", "judicial_assistance"],
        "destination": "US"});
    let (s, b) = case.act(&sup, "approve_evidence_export", gate).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(sup.post(&path, &json!({})).await.0, 204);
    let (_, list) = ent.get(&format!("/api/v1/cases/{id}/evidence")).await;
    let events = custody(&list["items"][0]);
    assert_eq!(events, ["evidence_uploaded", "evidence_approved_abroad"]);
}

#[tokio::test]
async fn reading_evidence_does_not_make_an_open_form_stale_but_a_new_upload_does() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let ent = app.api_as("demo-enterprise").await;
    let (s, up) = upload(&ent, id, "公证书.pdf", None, &pdf()).await;
    assert_eq!(s, 201, "{up}");
    let triager = app.api_as("demo-triager").await;
    let version = |v: &Value| v["version"].as_i64().unwrap();
    let case_path = format!("/api/v1/cases/{id}");
    let triage_path = format!("/api/v1/cases/{id}/triage");
    let route = |v: i64| json!({"action": "route", "queue": "administrative_ruling", "expected_version": v});

    // A new upload is a change of the case: a form opened before it is stale.
    let opened_at = version(&triager.get(&case_path).await.1);
    let (s, _) = upload(&ent, id, "补充.png", None, &png()).await;
    assert_eq!(s, 201);
    let (s, b) = triager.post(&triage_path, &route(opened_at)).await;
    assert_eq!(s, 409, "{b}");
    assert!(b.to_string().contains("案件已被他人更新"), "{b}");

    // Downloads and views while the form is open are custody events (three more versions) but
    // change nothing the form shows.
    let opened_at = version(&triager.get(&case_path).await.1);
    let content = format!("/api/v1/evidence/{}/content", up["id"]);
    for _ in 0..2 {
        assert_eq!(ent.get_response(&content).await.status(), 200);
    }
    let officer = app.api_as("demo-officer").await;
    assert_eq!(officer.get_response(&content).await.status(), 200);
    let now = version(&triager.get(&case_path).await.1);
    assert_eq!(now, opened_at + 3);
    let (s, moved) = triager.post(&triage_path, &route(opened_at)).await;
    assert_eq!(s, 200, "reads of evidence leave the form current: {moved}");
    assert_eq!(moved["queue"], "administrative_ruling", "{moved}");
    assert!(version(&moved) > now, "{moved}");
}

#[tokio::test]
async fn the_sm3_migration_keeps_every_hash_and_goes_back_only_when_all_are_sealed() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let bytes = pdf();
    let (s, up) = upload(&t, id, "a.pdf", None, &bytes).await;
    assert_eq!(s, 201, "{up}");
    let eid = up["id"].as_i64().unwrap();
    let sm3 = sealed(&t, id, eid).await;
    let conn = app.db.conn();
    let set_sm3 = |v: Option<String>| {
        entity::evidence::Entity::update_many()
            .col_expr(entity::evidence::Column::Sm3, Expr::value(v))
            .filter(entity::evidence::Column::Id.eq(eid))
            .to_owned()
    };
    // The migrations after it go back first.
    let all = Migrator::migrations();
    let at = all
        .iter()
        .position(|m| m.name() == "m20261201_000011_evidence_sm3_sealed_later")
        .unwrap();
    let later = u32::try_from(all.len() - at - 1).unwrap();
    if later > 0 {
        Migrator::down(conn, Some(later)).await.unwrap();
    }
    // Unsealed only now: the running server's sealing worker would seal it again while the
    // later migrations go back (it polls), and the refusal would not come.
    set_sm3(None).exec(conn).await.unwrap();
    let refused = Migrator::down(conn, Some(1)).await.unwrap_err();
    assert!(
        refused.to_string().contains("still wait for their SM3"),
        "{refused}"
    );
    set_sm3(Some(sm3.clone())).exec(conn).await.unwrap();
    Migrator::down(conn, Some(1)).await.unwrap();
    let row = conn
        .query_one_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT sm3 FROM evidence",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "sm3").unwrap(), sm3);
    Migrator::up(conn, None).await.unwrap();
    let e = entity::evidence::Entity::find_by_id(eid)
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.sm3.as_deref(), Some(sm3.as_str()));
    assert_eq!(e.sm3_at, Some(e.uploaded_at), "sealed before: at upload");
}

/// The evidence folder is gone (a lost mount): readiness says so, uploads and downloads answer
/// 503 with Retry-After and a message, nothing is half-written, and the rest of the service
/// works; when the folder is back, so is everything.
#[tokio::test]
async fn a_broken_storage_is_named_by_readiness_and_answers_503_while_the_rest_goes_on() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let ent = app.api_as("demo-enterprise").await;
    let (status, item) = upload(&ent, id, "a.pdf", None, &pdf()).await;
    assert_eq!(status, 201, "{item}");
    let eid = item["id"].as_i64().unwrap();
    let officer = app.api_as("demo-officer").await;
    let web = app.browser();
    assert_eq!(web.get("/readyz").await.status(), 200);

    let (live, away) = (storage(&app), app.dir.path().join("evidence-away"));
    std::fs::rename(&live, &away).unwrap();
    std::fs::write(&live, b"not a folder").unwrap();

    let res = web.get("/readyz").await;
    assert_eq!(res.status(), 503);
    let ready: Value = res.json().await.unwrap();
    assert_eq!(ready["failed"], json!(["storage"]), "{ready}");
    assert!(
        ready["storage_error"]
            .as_str()
            .unwrap()
            .contains("temp folder"),
        "{ready}"
    );
    assert_eq!(ready["database"], true);

    let bytes = pdf();
    let parts = [
        field("kind", "contract"),
        field("description", "合同"),
        file(b"b.pdf", None, &bytes),
    ];
    let res = ent
        .request(Method::POST, &format!("/api/v1/cases/{id}/evidence"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body(&parts, true))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("retry-after"));
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("证据存储暂时不可用"),
        "{problem}"
    );
    let res = officer
        .get_response(&format!("/api/v1/evidence/{eid}/content"))
        .await;
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("retry-after"));

    // Filing, reading cases and the case page go on.
    let Case { id: other, .. } = app.complaint().file().await;
    assert_eq!(officer.get(&format!("/api/v1/cases/{other}")).await.0, 200);
    let page = app.browser_as("demo-enterprise").await;
    let html = page.html(&format!("/cases/{id}")).await;
    assert!(html.contains("id=\"evidence\""));
    assert_eq!(evidence_rows(&app).await.len(), 1, "nothing half-written");

    std::fs::remove_file(&live).unwrap();
    std::fs::rename(&away, &live).unwrap();
    assert_eq!(web.get("/readyz").await.status(), 200);
    let res = officer
        .get_response(&format!("/api/v1/evidence/{eid}/content"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf().as_slice());
    let (status, _) = upload(&ent, id, "b.pdf", None, &pdf()).await;
    assert_eq!(status, 201);
}

/// A local objects folder that vanished (an unmounted disk) is the storage failing, not evidence
/// lost: 503, not 500.
#[tokio::test]
async fn a_vanished_objects_folder_answers_503_not_500() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let ent = app.api_as("demo-enterprise").await;
    let (_, item) = upload(&ent, id, "a.pdf", None, &pdf()).await;
    let objects = storage(&app).join("objects");
    let away = app.dir.path().join("objects-away");
    std::fs::rename(&objects, &away).unwrap();
    let res = ent
        .get_response(&format!("/api/v1/evidence/{}/content", item["id"]))
        .await;
    assert_eq!(res.status(), 503);
    let ready: Value = app.browser().get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["failed"], json!(["storage"]), "{ready}");
    std::fs::rename(&away, &objects).unwrap();
}

/// Two nodes share the evidence folder; one is killed (SIGKILL) mid-upload. Its partial file
/// stays in its own temp folder until a node starts again, which removes it; the other node's
/// folder (in use) is never touched.
#[tokio::test]
async fn a_node_killed_mid_upload_leaves_nothing_after_the_next_start() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let shared = storage(&app).display().to_string();
    let mut node = app.node(&[("WEIQUAN_STORAGE", &shared)]).await;
    let addr = node.base.trim_start_matches("http://").to_string();
    let full = body(
        &[
            field("kind", "other"),
            file(b"half.pdf", None, &[pdf(), vec![b'y'; 3_000_000]].concat()),
        ],
        true,
    );
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/cases/{id}/evidence HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        t.token(),
        full.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&full[..full.len() / 2]).await.unwrap();
    conn.flush().await.unwrap();
    let mut part = None;
    for _ in 0..250 {
        part = temp_files(&app)
            .into_iter()
            .find(|p| p.extension() == Some("part".as_ref()));
        if part.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let part = part.expect("the node is receiving the upload");
    node.child.kill().await.unwrap();
    drop(conn);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(part.exists(), "a killed node cleans nothing up");
    let locks = |app: &TestApp| {
        files_under(&storage(app).join("tmp"))
            .into_iter()
            .filter(|p| p.file_name() == Some(".lock".as_ref()))
            .count()
    };
    assert_eq!(locks(&app), 2, "one folder per node");

    let _again = app.node(&[("WEIQUAN_STORAGE", &shared)]).await;
    assert!(
        !part.exists() && !part.parent().unwrap().exists(),
        "the dead node's folder is gone"
    );
    assert_eq!(
        locks(&app),
        2,
        "the live server's folder and the new node's"
    );
    // The server that stayed up still takes uploads.
    let (status, _) = upload(&t, id, "after.pdf", None, &pdf()).await;
    assert_eq!(status, 201);
}

/// A crash between storing an object and committing its row leaves an object nothing names:
/// verify lists it, and `--clean` removes it once older than the grace period (never a named
/// object, never a recent one), with an audit entry.
#[tokio::test]
async fn objects_without_a_record_are_listed_and_cleaned_after_the_grace_period() {
    let app = TestApp::spawn().await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    assert_eq!(upload(&t, id, "a.pdf", None, &pdf()).await.0, 201);
    let named = storage(&app).join(&evidence_rows(&app).await[0].object_key);
    let put = |key: &str, age_hours: u64| {
        let path = storage(&app).join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, vec![7u8; 1000]).unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(
            std::time::SystemTime::now() - std::time::Duration::from_secs(age_hours * 3600),
        )
        .unwrap();
        path
    };
    let old = put(&format!("objects/ee/{}", "e".repeat(64)), 48);
    let recent = put(&format!("objects/ff/{}", "f".repeat(64)), 1);
    let old_quarantine = put("quarantine/0000-dead", 30);
    // A named object, however old, is never touched.
    std::fs::File::open(&named)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(90 * 3600))
        .unwrap();

    let out = verify(&app).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout.matches("NO RECORD").count(), 3, "{stdout}");
    assert!(
        stdout.contains("(recent: spared)")
            && stdout.contains("2 object(s) without a record older than 24 h"),
        "{stdout}"
    );
    assert!(old.exists(), "listing removes nothing");

    let out = verify_with(&app, &["--clean"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("2 object(s) without a record removed (2000 bytes)"),
        "{stdout}"
    );
    assert!(!old.exists() && !old_quarantine.exists());
    assert!(recent.exists() && named.exists());
    let officer_download = t
        .get_response(&format!(
            "/api/v1/evidence/{}/content",
            evidence_rows(&app).await[0].id
        ))
        .await;
    assert_eq!(officer_download.status(), 200);
    let admin = app.browser_as("demo-admin").await;
    let html = admin
        .html("/admin/audit?action=storage.orphans_removed")
        .await;
    assert!(
        html.contains("清除无记录的证据文件") && html.contains("operator"),
        "{html}"
    );
    let out = app.cli(&["audit", "verify"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Starts an upload of case `id` as `by` on `addr` over a raw connection and sends the headers
/// and `first` bytes of a 3 MB body; the connection is returned for the test to hold or drop.
async fn begin_upload(addr: &str, by: &Api, id: i64, first: usize) -> tokio::net::TcpStream {
    let full = body(
        &[
            field("kind", "other"),
            file(b"slow.pdf", None, &[pdf(), vec![b'z'; 3_000_000]].concat()),
        ],
        true,
    );
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v1/cases/{id}/evidence HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\n\r\n",
        by.token(),
        full.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&full[..first]).await.unwrap();
    conn.flush().await.unwrap();
    conn
}

/// An upload that trickles below the minimum rate is cut off with 408 (it does not hold the
/// connection for the hour an upload may take), and leaves nothing behind; a normal one passes.
#[tokio::test]
async fn an_upload_slower_than_the_minimum_rate_is_cut_off() {
    let app = TestApp::spawn_with(
        |c| {
            c.evidence_upload_min_bytes_per_sec = 50_000;
            c.evidence_upload_rate_window_secs = 1;
        },
        true,
    )
    .await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    assert_eq!(upload(&t, id, "fast.pdf", None, &pdf()).await.0, 201);
    let started = std::time::Instant::now();
    let mut conn = begin_upload(&app.addr.to_string(), &t, id, 4096).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        let mut buf = [0u8; 4096];
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "cut off well within the upload timeout");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(evidence_rows(&app).await.len(), 1);
    for _ in 0..100 {
        if temp_files(&app).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(temp_files(&app).is_empty(), "{:?}", temp_files(&app));
}

/// A user may have only so many uploads in flight on a node: the next answers 429 with
/// Retry-After until one ends; other users are not held up.
#[tokio::test]
async fn a_user_has_a_cap_on_uploads_in_flight() {
    let app = TestApp::spawn_with(
        |c| {
            c.evidence_uploads_per_user = 1;
            c.evidence_upload_min_bytes_per_sec = 0;
        },
        true,
    )
    .await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let conn = begin_upload(&app.addr.to_string(), &t, id, 100_000).await;
    for _ in 0..250 {
        if !temp_files(&app).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(
        !temp_files(&app).is_empty(),
        "the first upload is in flight"
    );
    let parts = [
        field("kind", "other"),
        file(b"second.pdf", None, b"%PDF-1.7 second"),
    ];
    let res = t
        .request(Method::POST, &format!("/api/v1/cases/{id}/evidence"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body(&parts, true))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("正在上传"),
        "{problem}"
    );
    let ent = app.api_as("demo-enterprise").await;
    assert_eq!(
        upload(&ent, id, "other-user.pdf", None, &pdf()).await.0,
        201
    );
    drop(conn);
    let mut status = 0;
    for _ in 0..100 {
        status = upload(&t, id, "after.pdf", None, &pdf()).await.0;
        if status == 201 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, 201, "the slot is free once the first upload ended");
}

/// `weiquan backup DIR` beside a running server: the copy verifies (audit chain to the
/// checkpoint of its snapshot, every evidence object) and a server started on it serves the
/// cases and their evidence. PostgreSQL installations are refused with the way to do it.
#[tokio::test]
async fn a_backup_taken_while_serving_verifies_and_serves() {
    let app = TestApp::spawn().await;
    let Case { id, number, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let bytes = pdf();
    let (status, item) = upload(&t, id, "a.pdf", None, &bytes).await;
    assert_eq!(status, 201, "{item}");
    let copy = app.dir.path().join("backup-1");
    let copy_s = copy.display().to_string();
    let live = app.dir.path().display().to_string();
    let on_live = [("WEIQUAN_DATA_DIR", live.as_str())];
    let out = app.cli_with(&["backup", &copy_s], &on_live).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if app.database_url.starts_with("postgres") {
        assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
        assert!(stderr.contains("pg_dump"), "{stderr}");
        return;
    }
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("1 evidence object(s)"), "{stdout}");
    // Writes after the snapshot do not reach the copy.
    let Case { id: later, .. } = app.complaint().file().await;
    // A second backup into the same folder is refused.
    let out = app.cli_with(&["backup", &copy_s], &on_live).await;
    assert_eq!(out.status.code(), Some(1));

    let run = |args: &'static [&'static str]| {
        let copy_url = format!("sqlite://{}/weiquan.db", copy.display());
        let dir = copy_s.clone();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_weiquan"))
                .args(args)
                .env("DATABASE_URL", copy_url)
                .env("WEIQUAN_DATA_DIR", dir)
                .env("WEIQUAN_LOG", "off")
                .output()
                .await
                .unwrap()
        }
    };
    let out = run(&["audit", "verify"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("checked") && stdout.contains("checkpoint"),
        "{stdout}"
    );
    let out = run(&["evidence", "verify"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("1 evidence records checked, 0 problem(s)"),
        "{stdout}"
    );

    // A server on the copy: the officer's token was copied with the sessions.
    let copy_url = format!("sqlite://{}/weiquan.db", copy.display());
    let node = app
        .node(&[("DATABASE_URL", &copy_url), ("WEIQUAN_DATA_DIR", &copy_s)])
        .await;
    let there = t.at(&node.base);
    let (status, case) = there.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["number"], number);
    assert_eq!(there.get(&format!("/api/v1/cases/{later}")).await.0, 404);
    let res = there
        .get_response(&format!("/api/v1/evidence/{}/content", item["id"]))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

// --- Evidence on an S3-compatible server (issue 18, item 7) ---------------------------------
//
// `.ci/run` starts moto's server and runs these with `WEIQUAN_TEST_S3_ENDPOINT` and the `AWS_*`
// variables the server's S3 client reads (`AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, `AWS_REGION`,
// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). Without them they say so and pass.

/// The S3 endpoint of this run, and a new bucket on it; `None` (with a loud note) when unset.
async fn s3_bucket() -> Option<(String, String)> {
    let Ok(endpoint) = std::env::var("WEIQUAN_TEST_S3_ENDPOINT") else {
        eprintln!(
            "SKIPPED: WEIQUAN_TEST_S3_ENDPOINT is not set; the S3 evidence tests did not run"
        );
        return None;
    };
    let bucket = format!("wq-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let res = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success(),
        "creating bucket {bucket}: {}",
        res.status()
    );
    Some((endpoint, bucket))
}

async fn s3_app(bucket: &str) -> TestApp {
    let storage = format!("s3://{bucket}/evidence");
    TestApp::spawn_with(move |c| c.storage = storage, true).await
}

/// The status of GET `key` in the bucket, straight from the S3 server.
async fn s3_get(endpoint: &str, bucket: &str, key: &str) -> (u16, Vec<u8>) {
    let res = reqwest::get(format!("{endpoint}/{bucket}/evidence/{key}"))
        .await
        .unwrap();
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn s3_evidence_is_stored_served_verified_and_cleaned() {
    let Some((endpoint, bucket)) = s3_bucket().await else {
        return;
    };
    let app = s3_app(&bucket).await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let bytes = pdf();
    let (status, item) = upload(&t, id, "a.pdf", None, &bytes).await;
    assert_eq!(status, 201, "{item}");
    let key = evidence_rows(&app).await[0].object_key.clone();
    assert_eq!(s3_get(&endpoint, &bucket, &key).await, (200, bytes.clone()));
    let res = t
        .get_response(&format!("/api/v1/evidence/{}/content", item["id"]))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
    assert_eq!(app.browser().get("/readyz").await.status(), 200);
    assert_eq!(
        sealed(&t, id, item["id"].as_i64().unwrap()).await,
        sm3_hex(&bytes)
    );

    // An object without a row (a crash between the put and the commit).
    let orphan = format!("objects/ee/{}", "e".repeat(64));
    let put = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}/evidence/{orphan}"))
        .body(vec![1u8; 500])
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    let storage = format!("s3://{bucket}/evidence");
    let dir = app.dir.path().display().to_string();
    let env = [
        ("WEIQUAN_STORAGE", storage.as_str()),
        ("WEIQUAN_DATA_DIR", dir.as_str()),
    ];
    let out = app.cli_with(&["evidence", "verify"], &env).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 evidence records checked, 0 problem(s)"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("NO RECORD {orphan}")), "{stdout}");
    let out = app
        .cli_with(
            &["evidence", "verify", "--clean", "--grace-hours", "0"],
            &env,
        )
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("1 object(s) without a record removed (500 bytes)"),
        "{stdout}"
    );
    assert_eq!(s3_get(&endpoint, &bucket, &orphan).await.0, 404);
    assert_eq!(
        s3_get(&endpoint, &bucket, &key).await.0,
        200,
        "the named object stays"
    );
}

#[tokio::test]
async fn s3_a_bucket_that_is_gone_is_named_by_readiness_and_uploads_answer_503() {
    let Some((_, bucket)) = s3_bucket().await else {
        return;
    };
    let app = s3_app(&format!("{bucket}-missing")).await;
    let res = app.browser().get("/readyz").await;
    assert_eq!(res.status(), 503);
    let ready: Value = res.json().await.unwrap();
    assert_eq!(ready["failed"], json!(["storage"]), "{ready}");
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let (status, problem) = upload(&t, id, "a.pdf", None, &pdf()).await;
    assert_eq!(status, 503, "{problem}");
    assert!(evidence_rows(&app).await.is_empty());
}

/// A node killed (SIGKILL) while it puts a large object into S3 in parts: no row, no object;
/// the next start removes its temp file; the upload goes through when sent again. (The
/// unfinished multipart upload is listed by `evidence verify` and aborted by `--clean`.)
#[tokio::test]
async fn s3_a_node_killed_during_a_multipart_put_leaves_no_record() {
    let Some((endpoint, bucket)) = s3_bucket().await else {
        return;
    };
    let app = s3_app(&bucket).await;
    let Case { id, .. } = app.complaint().file().await;
    let t = app.api_as("demo-officer").await;
    let storage = format!("s3://{bucket}/evidence");
    let node_dir = app.dir.path().join("node2");
    let big = [pdf(), vec![b'q'; 48 * 1024 * 1024]].concat();
    let mut caught = false;
    for _ in 0..3 {
        let mut node = app.node(&[("WEIQUAN_STORAGE", &storage)]).await;
        let upload_to = t.at(&node.base);
        let data = big.clone();
        let sending =
            tokio::spawn(async move { upload(&upload_to, id, "big.pdf", None, &data).await });
        let mut in_parts = false;
        for _ in 0..500 {
            let list = reqwest::get(format!("{endpoint}/{bucket}?uploads"))
                .await
                .unwrap();
            if list.text().await.unwrap().contains("<UploadId>") {
                in_parts = true;
                break;
            }
            if sending.is_finished() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        node.child.kill().await.unwrap();
        let _ = sending.await;
        if in_parts && evidence_rows(&app).await.is_empty() {
            caught = true;
            break;
        }
    }
    assert!(caught, "the kill landed during a multipart put");
    assert!(evidence_rows(&app).await.is_empty());
    // `evidence verify` names the parts the killed node left; `--clean` aborts them.
    let dir = app.dir.path().display().to_string();
    let env = [
        ("WEIQUAN_STORAGE", storage.as_str()),
        ("WEIQUAN_DATA_DIR", dir.as_str()),
    ];
    let out = app.cli_with(&["evidence", "verify"], &env).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("UNFINISHED UPLOAD evidence/"),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // (moto dates every upload 2010-11-10, so the grace period cannot be seen here.)
    let out = app
        .cli_with(
            &["evidence", "verify", "--clean", "--grace-hours", "0"],
            &env,
        )
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("unfinished upload(s) aborted"), "{stdout}");
    let listing = reqwest::get(format!("{endpoint}/{bucket}?uploads"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listing.contains("<UploadId>"), "{listing}");
    let audit = app.cli_with(&["audit", "verify"], &env).await;
    assert_eq!(audit.status.code(), Some(0));
    let sha = sha256_hex(&big);
    assert_eq!(
        s3_get(&endpoint, &bucket, &format!("objects/{}/{sha}", &sha[..2]))
            .await
            .0,
        404
    );
    let leftovers = |d: &Path| {
        files_under(&d.join("evidence-tmp"))
            .into_iter()
            .filter(|p| p.file_name() != Some(".lock".as_ref()))
            .count()
    };
    assert!(
        leftovers(&node_dir) > 0,
        "the killed node's partial file is still there"
    );
    let node = app.node(&[("WEIQUAN_STORAGE", &storage)]).await;
    assert_eq!(leftovers(&node_dir), 0, "removed at the next start");
    let (status, _) = upload(&t.at(&node.base), id, "big.pdf", None, &big).await;
    assert_eq!(status, 201);
    assert_eq!(
        s3_get(&endpoint, &bucket, &format!("objects/{}/{sha}", &sha[..2]))
            .await
            .0,
        200
    );
}

/// An item of `kind` (a PDF named `name`) uploaded by `by` to case `case_id`: its id.
pub async fn upload_pdf(by: &Api, case_id: i64, kind: &str, name: &str) -> i64 {
    let data = pdf();
    let parts = [
        field("kind", kind),
        field("description", "费用凭证"),
        file(name.as_bytes(), Some("application/pdf"), &data),
    ];
    let (status, item) = post_body(by, case_id, body(&parts, true)).await;
    assert_eq!(status, 201, "{item}");
    item["id"].as_i64().unwrap()
}
