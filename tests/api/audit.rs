//! The audit trail: every change is recorded; verification catches every kind of tampering.

use crate::fixtures::Browser;
use crate::helpers::TestApp;
use sea_orm::{ConnectionTrait, Statement};
use weiquan::domain::audit::Break;
use weiquan::service::audit::verify;

async fn sql(app: &TestApp, query: &str) {
    app.db
        .conn()
        .execute_raw(Statement::from_string(app.db.backend(), query))
        .await
        .unwrap();
}

/// An app whose chain has a few entries: demo load, sign-ins, a user change; and the browser of
/// the administrator who made the change.
async fn app_with_history() -> (TestApp, Browser) {
    let app = TestApp::spawn().await;
    let admin = app.browser_as("demo-admin").await;
    app.browser().sign_in("demo-officer", "wrong-one").await;
    let id = app.user_id("demo-officer").await;
    admin
        .post_form(
            &format!("/admin/users/{id}/edit"),
            &format!("/admin/users/{id}/status"),
            &[("disabled", "true"), ("confirm", "yes")],
        )
        .await;
    (app, admin)
}

#[tokio::test]
async fn state_changes_are_recorded_with_actor_address_and_request_id() {
    let (app, _) = app_with_history().await;
    let (rows, total) = weiquan::store::audit::browse(app.db.conn(), &Default::default(), None, 50)
        .await
        .unwrap();
    assert!(total >= 4, "{total}");
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    for a in [
        "system.demo_load",
        "auth.login",
        "auth.login_failed",
        "user.disable",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let disable = rows.iter().find(|r| r.action == "user.disable").unwrap();
    assert_eq!(disable.actor, "demo-admin");
    assert_eq!(disable.client_addr, "127.0.0.1");
    assert_eq!(disable.request_id.len(), 32);
    assert_eq!(disable.payload_digest.len(), 64);
    let report = verify(&app.db, weiquan::service::admin::Caller::Operator, None)
        .await
        .unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.entries as u64, total);
}

#[tokio::test]
async fn an_edited_entry_is_caught() {
    let (app, _) = app_with_history().await;
    sql(
        &app,
        "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2",
    )
    .await;
    assert_eq!(
        verify(&app.db, weiquan::service::admin::Caller::Operator, None)
            .await
            .unwrap()
            .broken,
        Some(Break::Edited { seq: 2 })
    );
}

#[tokio::test]
async fn a_deleted_entry_is_caught() {
    let (app, _) = app_with_history().await;
    sql(&app, "DELETE FROM audit_log WHERE seq = 2").await;
    assert_eq!(
        verify(&app.db, weiquan::service::admin::Caller::Operator, None)
            .await
            .unwrap()
            .broken,
        Some(Break::Missing {
            expected_seq: 2,
            found_seq: 3
        })
    );
}

#[tokio::test]
async fn reordered_entries_are_caught() {
    let (app, _) = app_with_history().await;
    sql(&app, "UPDATE audit_log SET seq = -2 WHERE seq = 2").await;
    sql(&app, "UPDATE audit_log SET seq = 2 WHERE seq = 3").await;
    sql(&app, "UPDATE audit_log SET seq = 3 WHERE seq = -2").await;
    assert!(
        verify(&app.db, weiquan::service::admin::Caller::Operator, None)
            .await
            .unwrap()
            .broken
            .is_some()
    );
}

#[tokio::test]
async fn an_inserted_entry_is_caught() {
    let (app, _) = app_with_history().await;
    // Make room after entry 1 and copy entry 1's link into a forged entry.
    let (rows, _) = weiquan::store::audit::browse(app.db.conn(), &Default::default(), None, 100)
        .await
        .unwrap();
    let max = rows.iter().map(|r| r.seq).max().unwrap();
    for seq in (2..=max).rev() {
        sql(
            &app,
            &format!("UPDATE audit_log SET seq = {} WHERE seq = {seq}", seq + 1),
        )
        .await;
    }
    sql(&app, "INSERT INTO audit_log (seq, at, actor_user_id, actor, action, target_type, target_id, client_addr, request_id, payload_digest, prev_hash, hash) \
               SELECT 2, at, actor_user_id, 'forger', 'user.create', target_type, target_id, client_addr, request_id, payload_digest, hash, hash FROM audit_log WHERE seq = 1").await;
    let broken = verify(&app.db, weiquan::service::admin::Caller::Operator, None)
        .await
        .unwrap()
        .broken;
    assert!(
        matches!(broken, Some(Break::Edited { seq: 2 })),
        "{broken:?}"
    );
}

#[tokio::test]
async fn a_checkpoint_proves_the_chain_still_extends_it_and_catches_truncation() {
    let (app, _) = app_with_history().await;
    let head = verify(&app.db, weiquan::service::admin::Caller::Operator, None)
        .await
        .unwrap()
        .head
        .unwrap();
    app.browser().sign_in("demo-triager", "wrong-again").await;
    let r = verify(
        &app.db,
        weiquan::service::admin::Caller::Operator,
        Some(head.clone()),
    )
    .await
    .unwrap();
    assert_eq!(r.broken, None);
    assert_eq!(r.extends_checkpoint, Some(true));
    sql(
        &app,
        &format!("DELETE FROM audit_log WHERE seq >= {}", head.seq),
    )
    .await;
    let r = verify(
        &app.db,
        weiquan::service::admin::Caller::Operator,
        Some(head.clone()),
    )
    .await
    .unwrap();
    assert!(
        matches!(r.broken, Some(Break::Truncated { .. })),
        "{:?}",
        r.broken
    );
}

#[tokio::test]
async fn the_cli_verifies_prints_a_checkpoint_and_fails_on_tampering() {
    let (app, _) = app_with_history().await;
    let run = |checkpoint: Option<String>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_weiquan"));
        cmd.args(["audit", "verify"])
            .env("DATABASE_URL", &app.database_url)
            .env("WEIQUAN_LOG", "off")
            .current_dir(app.dir.path());
        if let Some(c) = checkpoint {
            cmd.args(["--checkpoint", &c]);
        }
        cmd.output().unwrap()
    };
    let out = run(None);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("chain intact"));
    let checkpoint = stdout
        .lines()
        .find_map(|l| l.strip_prefix("checkpoint: "))
        .unwrap()
        .to_string();
    let out = run(Some(checkpoint.clone()));
    assert!(String::from_utf8_lossy(&out.stdout).contains("extends the given checkpoint"));
    sql(
        &app,
        "UPDATE audit_log SET action = 'auth.logout' WHERE seq = 3",
    )
    .await;
    let out = run(Some(checkpoint));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("BROKEN: entry 3 was altered"));
}

#[tokio::test]
async fn admins_browse_and_filter_the_audit_log_and_verify_it_on_a_page() {
    let (_app, admin) = app_with_history().await;
    let html = admin.html("/admin/audit?action=user.").await;
    assert!(html.contains("user.disable"));
    assert!(!html.contains("auth.login_failed"));
    let html = admin.html("/admin/audit?actor=demo-admin").await;
    assert!(html.contains("auth.login") && !html.contains("system.demo_load"));
    let html = admin.html("/admin/audit/verify").await;
    assert!(html.contains("审计链完整"), "{html}");
}

#[tokio::test]
async fn concurrent_writers_keep_one_unbroken_chain() {
    let app = TestApp::spawn().await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let url = app.url("/api/v1/auth/token");
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(url)
                .json(
                    &serde_json::json!({"username": format!("ghost-{i}"), "password": "nope-nope"}),
                )
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 401);
    }
    let r = verify(&app.db, weiquan::service::admin::Caller::Operator, None)
        .await
        .unwrap();
    assert_eq!(r.broken, None);
    assert_eq!(r.entries, 13);
}

/// `weiquan audit verify` in `dir` with `env`: exit code, stdout and stderr.
fn verify_cli(dir: &std::path::Path, env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_weiquan"))
        .args(["audit", "verify"])
        .env_remove("DATABASE_URL")
        .env("WEIQUAN_LOG", "off")
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[tokio::test]
async fn audit_verify_cannot_be_fooled_by_a_missing_database_an_emptied_log_or_a_cut_tail() {
    // No database in the folder: refused, and none is made.
    let empty = tempfile::tempdir().unwrap();
    let data = empty.path().join("data");
    let (code, out, err) = verify_cli(
        empty.path(),
        &[("WEIQUAN_DATA_DIR", data.to_str().unwrap())],
    );
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(err.contains("no database"), "{err}");
    assert!(!out.contains("chain intact"));
    assert!(!data.join("weiquan.db").exists());

    let (app, _) = app_with_history().await;
    app.complaint().file().await;
    // The running server wrote the head it started with to its checkpoint file.
    let file = app.dir.path().join("audit-checkpoints");
    for _ in 0..100 {
        if file.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(file.exists(), "the server writes a checkpoint at start");
    // And the head as it is now (as every day and at shutdown).
    let cp = weiquan::service::audit::write_checkpoint(&app.db, &file, chrono::Utc::now())
        .await
        .unwrap()
        .unwrap();
    let env = [
        ("DATABASE_URL", app.database_url.as_str()),
        ("WEIQUAN_DATA_DIR", app.dir.path().to_str().unwrap()),
    ];
    let (code, out, err) = verify_cli(app.dir.path(), &env);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains(&format!(
            "checked {} entries; the last is #{}",
            cp.seq, cp.seq
        )),
        "{out}"
    );
    assert!(out.contains("the chain extends the checkpoint of"), "{out}");

    // The last two entries removed: only the checkpoint can tell, and it does.
    sql(
        &app,
        &format!("DELETE FROM audit_log WHERE seq > {}", cp.seq - 2),
    )
    .await;
    let (code, out, _) = verify_cli(app.dir.path(), &env);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(&format!("before the checkpoint at entry {}", cp.seq)),
        "{out}"
    );

    // The whole log emptied, with cases filed: broken even without a checkpoint.
    sql(&app, "DELETE FROM audit_log").await;
    let elsewhere = app.dir.path().join("no-checkpoints-here");
    let (code, out, _) = verify_cli(
        app.dir.path(),
        &[
            ("DATABASE_URL", app.database_url.as_str()),
            ("WEIQUAN_AUDIT_CHECKPOINT_FILE", elsewhere.to_str().unwrap()),
        ],
    );
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("BROKEN: the log is empty"), "{out}");
    assert!(out.contains("no checkpoint in"), "{out}");
}
