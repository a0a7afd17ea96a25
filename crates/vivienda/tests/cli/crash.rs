//! `kill -9` in the middle of an import: the database must be exactly as before the file, and
//! the same file must then import whole. On SQLite always; on PostgreSQL when
//! `VIVIENDA_TEST_POSTGRES_URL` is set. In the middle of a queued batch: the job is taken
//! over once its lease runs out and the batch posts exactly once. And `vivienda serve` killed
//! while it applies a credit conversion, or approves or completes a pensioner's refund: applied
//! whole or not at all, once when the client sends it again, ledger and audit chain intact.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};

use store::Store;

use crate::{scratch, text, vivienda};

const ROWS: u64 = 200_000;

fn with_database(cmd: &mut Command, url: Option<&str>, schema: &str) {
    if let Some(url) = url {
        cmd.env("VIVIENDA_DATABASE_URL", url)
            .env("VIVIENDA_POSTGRES_SCHEMA", schema);
    }
}

async fn open(dir: &Path, url: Option<&str>, schema: &str) -> Box<dyn Store> {
    match url {
        Some(url) => Box::new(
            store_postgres::PgStore::connect_with_schema(url, schema)
                .await
                .unwrap(),
        ),
        None => Box::new(store_sqlite::SqliteStore::open(&dir.join("data/vivienda.db")).unwrap()),
    }
}

fn killed_import_leaves_nothing(name: &str, url: Option<&str>) {
    let dir = scratch(name);
    let schema = format!("vivienda_cli_{name}_{}", std::process::id());
    let files = dir.join("files");
    let out = vivienda(&dir)
        .args([
            "bench",
            "import",
            "--rows",
            &ROWS.to_string(),
            "--write-only",
        ])
        .arg(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    for kind in ["members", "employers"] {
        let mut cmd = vivienda(&dir);
        with_database(&mut cmd, url, &schema);
        let out = cmd
            .args(["import", kind])
            .arg(files.join(format!("{kind}.csv")))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out).1);
    }

    let mut cmd = vivienda(&dir);
    with_database(&mut cmd, url, &schema);
    let mut child = cmd
        .env("VIVIENDA_LOG", "app::import=debug")
        .args(["import", "contributions"])
        .arg(files.join("contributions.csv"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill as soon as the first chunk is written: the rest of the file is still to come.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines() {
        if line.unwrap().contains("import chunk written") {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the import ended before it was killed: {status}"
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = open(&dir, url, &schema).await;
        // PostgreSQL rolls the transaction back once it sees the client gone.
        let mut counts = store.counts().await.unwrap();
        for _ in 0..50 {
            if counts.movements == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            counts = store.counts().await.unwrap();
        }
        assert_eq!(counts.movements, 0, "a killed import left rows behind");
        assert_eq!(
            store.imports().await.unwrap().len(),
            2,
            "only members and employers"
        );
        assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
    });

    let mut cmd = vivienda(&dir);
    with_database(&mut cmd, url, &schema);
    let out = cmd
        .args(["import", "contributions"])
        .arg(files.join("contributions.csv"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("{ROWS} accepted")), "{stdout}");
    rt.block_on(async {
        let store = open(&dir, url, &schema).await;
        assert_eq!(store.counts().await.unwrap().movements, ROWS);
        assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
    });
    if let Some(url) = url {
        rt.block_on(async {
            let pg = store_postgres::PgStore::connect_with_schema(url, &schema)
                .await
                .unwrap();
            pg.drop_own_schema().await.unwrap();
        });
    }
}

#[test]
fn a_killed_sqlite_import_leaves_the_database_as_before_the_file() {
    killed_import_leaves_nothing("crash-sqlite", None);
}

#[test]
fn a_killed_postgres_import_leaves_the_database_as_before_the_file() {
    match std::env::var("VIVIENDA_TEST_POSTGRES_URL") {
        Ok(url) => killed_import_leaves_nothing("crash_pg", Some(&url)),
        Err(_) => eprintln!("PostgreSQL crash test skipped: VIVIENDA_TEST_POSTGRES_URL is not set"),
    }
}

/// Movements in the database, and whether the ledger and the audit log check out.
fn settled(rt: &tokio::runtime::Runtime, dir: &Path) -> u64 {
    rt.block_on(async {
        let store = open(dir, None, "").await;
        assert!(store.check_ledger().await.unwrap().mismatches.is_empty());
        assert!(matches!(
            store.verify_audit().await.unwrap(),
            store::AuditVerdict::Intact(_)
        ));
        store.counts().await.unwrap().movements
    })
}

#[test]
fn a_killed_queued_batch_is_taken_over_and_posts_exactly_once() {
    let dir = scratch("crash-job");
    let db = ["--database-url", "data/vivienda.db"];
    let out = vivienda(&dir)
        .args(["demo", "--members", "3000", "--no-serve"])
        .args(db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let before = settled(&rt, &dir);
    let job = rt.block_on(async {
        let store = open(&dir, None, "").await;
        let new = store::NewJob {
            kind: "yield".into(),
            args: r#"{"year":2025}"#.into(),
            dedupe: "yield:2025".into(),
            created_by: "operator:test".into(),
            created_at: time::OffsetDateTime::now_utc(),
            files: Vec::new(),
        };
        store.enqueue_job(&new, &[]).await.unwrap().job_id
    });

    // The worker is killed once it has claimed the job and started the batch.
    let mut child = vivienda(&dir)
        .env("VIVIENDA_LOG", "app::jobs=info")
        .args(["batch", "queued"])
        .args(db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines() {
        if line.unwrap().contains("job claimed") {
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    let yield_again_posts_nothing = |after: u64| {
        let out = vivienda(&dir)
            .args(["batch", "yield", "--year", "2025"])
            .args(db)
            .output()
            .unwrap();
        assert!(
            text(&out).0.contains("already posted as batch"),
            "{:?}",
            text(&out)
        );
        assert_eq!(settled(&rt, &dir), after, "posted twice");
    };
    if status.signal() != Some(9) {
        // On a loaded machine the worker can finish the short batch before the kill lands:
        // then it must have posted it whole, once.
        assert!(status.success(), "the worker failed: {status}");
        let after = settled(&rt, &dir);
        assert!(after > before, "the yield posted nothing");
        eprintln!(
            "the worker finished before the kill; the batch posted {}",
            after - before
        );
        yield_again_posts_nothing(after);
        return;
    }
    let after_kill = settled(&rt, &dir);

    // Nothing picks the job up while its lease holds.
    let out = vivienda(&dir)
        .args(["batch", "queued"])
        .args(db)
        .output()
        .unwrap();
    assert!(
        text(&out).0.contains("0 queued batches run"),
        "{:?}",
        text(&out)
    );
    // The lease runs out (an hour passes, as far as the job knows)...
    let conn = rusqlite::Connection::open(dir.join("data/vivienda.db")).unwrap();
    assert_eq!(
        conn.execute(
            "UPDATE jobs SET lease_until = '2000-01-01T00:00:00Z' WHERE job_id = ?1 AND state = 'running'",
            [job],
        )
        .unwrap(),
        1,
        "the killed job is left running"
    );
    drop(conn);
    // ...and the next worker takes it over and finishes it.
    let out = vivienda(&dir)
        .args(["batch", "queued"])
        .args(db)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains(&format!("job {job} (yield): done")),
        "{stdout}"
    );
    let after = settled(&rt, &dir);
    assert!(after > before, "the yield posted nothing");
    // The killed run left nothing or everything, never a part.
    assert!(
        after_kill == before || after_kill == after,
        "half a batch: {before} movements before, {after_kill} after the kill, {after} at the end"
    );
    eprintln!(
        "killed worker left {} movements; the batch posted {}",
        after_kill - before,
        after - before
    );
    yield_again_posts_nothing(after);
}

// ----- kill -9 while the server applies a conversion or a refund decision ----------------

/// Juan's VSM credit (from the documented examples) with a history; he owes 370,000.00.
const JUAN_VSM_CREDIT: &str = "0812345678";
const JUAN_MOVEMENTS: &str = "credit_number,reference,kind,booked_on,amount
0812345678,D,disbursement,2008-05-20,350000.00
0812345678,R2012,reindexation,2012-01-01,50000.00
0812345678,R2018,reindexation,2018-01-01,70000.00
0812345678,P2025,payroll_payment,2025-12-31,-100000.00
";
/// Antonio (Ley 73, pensioned in 2021): his employer, job and savings.
const ANTONIO_NSS: &str = "12016543212";
const ANTONIO_FILES: &[(&str, &str, &str)] = &[
    (
        "employers",
        "antonio-employers.csv",
        "nrp,name,state,sector\nY0000000009,TEXTILES DE JALISCO SA DE CV,14,manufactura\n",
    ),
    (
        "relations",
        "antonio-relations.csv",
        "nss,nrp,start_date,end_date,wage_from,daily_wage\n12016543212,Y0000000009,1990-01-01,2020-12-31,1990-01-01,150.00\n",
    ),
    (
        "contributions",
        "antonio-contributions.csv",
        "nss,nrp,bimester,amount,booked_on\n\
12016543212,Y0000000009,1991-3,842.37,1991-07-17\n\
12016543212,Y0000000009,1995-2,1590.08,1995-05-17\n\
12016543212,Y0000000009,2010-4,21277.55,2010-09-17\n",
    ),
];
const PASSWORD: &str = "una casa con jardín y dos árboles";
const EFIRMA_PASSWORD: &str = "Contraseña de mi e.firma 2026";
/// Kills per action after the clean run; the delays come from this seed.
const KILLS: usize = 10;
const SEED: u64 = 20_261_126;

/// A running `vivienda serve` on the data directory of `dir`.
struct Server {
    child: std::process::Child,
    url: String,
}

impl Drop for Server {
    /// A test that fails leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = vivienda(dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .trim()
            .rsplit(' ')
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_owned();
        assert!(url.starts_with("http://"), "{first}");
        // Answering: its SIGTERM handler is in place by then.
        let ready = format!("{url}/readyz");
        let answered = crate::block_on(async {
            for _ in 0..100 {
                if reqwest::get(&ready).await.is_ok_and(|r| r.status() == 200) {
                    return true;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            false
        });
        assert!(answered, "the server at {url} never answered");
        Server { child, url }
    }

    fn kill(mut self) -> std::process::ExitStatus {
        self.child.kill().unwrap();
        self.child.wait().unwrap()
    }

    fn stop(mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let status = crate::wait(&mut self.child, std::time::Duration::from_secs(10));
        assert!(status.success(), "the server stopped with {status}");
    }
}

/// A browser's cookies kept by hand (they are `Secure`; the test server is plain HTTP).
#[derive(Clone, Default)]
struct Cookies(std::collections::BTreeMap<String, String>);

impl Cookies {
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for value in r.headers().get_all(reqwest::header::SET_COOKIE) {
            let (pair, _) = value.to_str().unwrap().split_once(';').unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.0.insert(name.to_owned(), value.to_owned());
        }
    }

    fn csrf(&self) -> String {
        self.0.get("__Host-csrf").cloned().unwrap_or_default()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get_page(url: &str, cookies: &mut Cookies) -> reqwest::Response {
    let r = client()
        .get(url)
        .header(reqwest::header::COOKIE, cookies.header())
        .send()
        .await
        .unwrap();
    cookies.keep(&r);
    r
}

async fn post_form(url: &str, cookies: &mut Cookies, form: &[(&str, &str)]) -> reqwest::Response {
    let csrf = cookies.csrf();
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    let r = client()
        .post(url)
        .header(reqwest::header::COOKIE, cookies.header())
        .form(&fields)
        .send()
        .await
        .unwrap();
    cookies.keep(&r);
    r
}

/// Signs a member up through the pages, activates with the code from the outbox, and returns
/// a bearer token.
async fn member_token(dir: &Path, url: &str, fields: &[(&str, &str)]) -> String {
    let mut cookies = Cookies::default();
    get_page(&format!("{url}/registro"), &mut cookies).await;
    let mut form = fields.to_vec();
    form.extend([("password", PASSWORD), ("accept_terms", "true")]);
    let r = post_form(&format!("{url}/registro"), &mut cookies, &form).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let store = open(dir, None, "").await;
    let message = store.recent_messages(1).await.unwrap().remove(0);
    let at = message.body.find("código es ").unwrap() + "código es ".len();
    let code = message.body[at..at + 6].to_owned();
    let r = post_form(&format!("{url}/activar"), &mut cookies, &[("code", &code)]).await;
    assert_eq!(r.status(), 303);
    let r = client()
        .post(format!("{url}/api/v1/sessions"))
        .json(&serde_json::json!({ "identifier": fields[0].1, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----viviendaCrashBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let disposition = match file {
            Some(file) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Every table's row count, and the columns that say whether an action happened.
fn database_state(dir: &Path, folio: &str) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(dir.join("data/vivienda.db")).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut state: Vec<(String, i64)> = tables
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |row| {
                    row.get(0)
                })
                .unwrap();
            (t, n)
        })
        .collect();
    let denomination: String = conn
        .query_row(
            "SELECT denomination FROM credits WHERE credit_number = ?1",
            [JUAN_VSM_CREDIT],
            |row| row.get(0),
        )
        .unwrap();
    state.push((format!("credit {JUAN_VSM_CREDIT} in {denomination}"), 1));
    let stage: String = conn
        .query_row(
            "SELECT stage FROM requests WHERE folio = ?1",
            [folio],
            |row| row.get(0),
        )
        .unwrap();
    state.push((format!("request {folio} {stage}"), 1));
    state
}

/// `vivienda audit ledger` and `vivienda audit verify` both pass.
fn checks_pass(dir: &Path) {
    for what in ["ledger", "verify"] {
        let out = vivienda(dir).args(["audit", what]).output().unwrap();
        assert!(out.status.success(), "audit {what}: {:?}", text(&out));
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The action a killed server was in the middle of, sent again exactly as before.
#[derive(Clone)]
enum Action {
    Convert {
        token: String,
    },
    Decide {
        cookies: Cookies,
        folio: String,
        action: &'static str,
    },
}

impl Action {
    fn name(&self) -> String {
        match self {
            Action::Convert { .. } => "conversion".into(),
            Action::Decide { action, .. } => format!("refund {action}"),
        }
    }

    /// Sends it; the status, or `None` when the connection died first.
    async fn send(&self, url: &str) -> Option<u16> {
        let r = match self {
            Action::Convert { token } => {
                client()
                    .post(format!(
                        "{url}/api/v1/me/credits/{JUAN_VSM_CREDIT}/conversion"
                    ))
                    .bearer_auth(token)
                    .send()
                    .await
            }
            Action::Decide {
                cookies,
                folio,
                action,
            } => {
                let csrf = cookies.csrf();
                client()
                    .post(format!("{url}/operacion/solicitudes/{folio}/decision"))
                    .header(reqwest::header::COOKIE, cookies.header())
                    .form(&[("csrf", csrf.as_str()), ("action", action), ("reason", "")])
                    .send()
                    .await
            }
        };
        r.ok().map(|r| {
            let to_sign_in = r
                .headers()
                .get(reqwest::header::LOCATION)
                .is_some_and(|l| l.as_bytes().starts_with(b"/operacion/entrar"));
            // Sent back to sign in is not a decision made.
            if to_sign_in { 401 } else { r.status().as_u16() }
        })
    }

    /// Done by this request, or done already (sent again after it applied).
    fn applied(&self, status: u16) -> bool {
        match self {
            Action::Convert { .. } => status == 200,
            Action::Decide { .. } => status == 303,
        }
    }

    fn already(&self, status: u16) -> bool {
        match self {
            // already_converted
            Action::Convert { .. } => status == 409,
            // The request is no longer where the decision expects it.
            Action::Decide { .. } => status == 409 || status == 422,
        }
    }
}

/// A small deterministic generator for the kill delays.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// What the kills of one action found.
#[derive(Default, Debug)]
struct Tally {
    kills: usize,
    applied_at_kill: usize,
    not_applied_at_kill: usize,
    inconsistent: usize,
}

/// Runs `action` once cleanly on a copy of `template`, then kills the server `KILLS` times at
/// seeded moments within that run's duration, each on a fresh copy: after each kill the
/// database is as before or as after the clean run, never in between; after a restart the
/// client sends the same request again and the end state is the clean run's, once; the ledger
/// and the audit chain check out.
fn kill_during(
    template: &Path,
    work: &Path,
    folio: &str,
    action: &Action,
    seed: &mut u64,
) -> Tally {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // As the database is once a server has started and stopped on it, with nothing asked.
    copy_dir(template, work);
    Server::start(work).stop();
    let before = database_state(work, folio);
    copy_dir(template, work);
    let server = Server::start(work);
    let started = std::time::Instant::now();
    let status = rt.block_on(action.send(&server.url)).unwrap();
    let took = started.elapsed();
    assert!(action.applied(status), "{}: {status}", action.name());
    server.stop();
    let after = database_state(work, folio);
    assert_ne!(before, after, "{} changed nothing", action.name());
    checks_pass(work);
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, a)| format!("{} {} → {} {}", b.0, b.1, a.0, a.1))
        .collect();
    eprintln!(
        "{}: the clean run took {took:?} and changed {changed:?}",
        action.name()
    );

    let mut tally = Tally::default();
    // From before the request arrives to well after the clean run had answered.
    let window = u64::try_from(took.as_micros()).unwrap().max(1_000) * 2;
    for _ in 0..KILLS {
        let delay = std::time::Duration::from_micros(next(seed) % window);
        copy_dir(template, work);
        let server = Server::start(work);
        let url = server.url.clone();
        let sent = action.clone();
        let in_flight = rt.spawn(async move { sent.send(&url).await });
        std::thread::sleep(delay);
        let status = server.kill();
        assert_eq!(status.signal(), Some(9));
        let answered = rt.block_on(in_flight).unwrap();
        tally.kills += 1;
        let at_kill = database_state(work, folio);
        if at_kill == before {
            tally.not_applied_at_kill += 1;
        } else if at_kill == after {
            tally.applied_at_kill += 1;
        } else {
            tally.inconsistent += 1;
            eprintln!(
                "{} killed after {delay:?}: half applied: {at_kill:?}",
                action.name()
            );
        }
        // An answer that said "done" must be true after the crash.
        if answered.is_some_and(|s| action.applied(s)) {
            assert_eq!(
                at_kill,
                after,
                "{}: answered done, then lost",
                action.name()
            );
        }
        checks_pass(work);
        // The client did not get (or did not trust) an answer: it sends the same again.
        let server = Server::start(work);
        let again = rt.block_on(action.send(&server.url)).unwrap();
        if at_kill == before {
            assert!(
                action.applied(again),
                "{} after a kill: {again}",
                action.name()
            );
        } else {
            assert!(
                action.already(again),
                "{} sent twice: {again}",
                action.name()
            );
        }
        server.stop();
        assert_eq!(
            database_state(work, folio),
            after,
            "{} killed after {delay:?}, then sent again: not the clean run's end",
            action.name()
        );
        checks_pass(work);
        eprintln!(
            "{} killed after {delay:?}: {} at the kill; answered {answered:?}; sent again: {again}",
            action.name(),
            if at_kill == before {
                "not applied"
            } else {
                "applied"
            }
        );
    }
    tally
}

#[test]
fn a_server_killed_during_a_conversion_or_a_refund_decision_applies_it_once_or_not_at_all() {
    let dir = scratch("crash-http");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    // The SAT authority the server trusts, and Antonio's e.firma from it.
    let mut keys = efirma::testing::TestKey::generate_many(2);
    let antonio_key = keys.pop().unwrap();
    let sat = efirma::testing::Authority::sat(&keys.pop().unwrap());
    std::fs::create_dir_all(dir.join("data/sat-ca")).unwrap();
    std::fs::write(dir.join("data/sat-ca/sat.cer"), &sat.der).unwrap();
    let now = time::OffsetDateTime::now_utc();
    let cer = efirma::testing::Holder::new(
        "ANTONIO MARTINEZ SANCHEZ",
        "MASA600115QP2",
        "MASA600115HJCRNN08",
        now - time::Duration::days(365),
        now + time::Duration::days(3 * 365),
    )
    .issue(&antonio_key, &sat);
    let key = antonio_key.sat_key(EFIRMA_PASSWORD);

    let mut files: Vec<(&str, std::path::PathBuf)> = Vec::new();
    for (kind, file) in [
        ("members", "members.csv"),
        ("employers", "employers.csv"),
        ("relations", "relations.csv"),
        ("contributions", "contributions.csv"),
        ("credits", "credits.csv"),
        ("credit-discounts", "credit-discounts.csv"),
        ("pensions", "pensions.csv"),
    ] {
        std::fs::copy(examples.join(file), dir.join(file)).unwrap();
        files.push((kind, dir.join(file)));
    }
    std::fs::write(dir.join("juan-moves.csv"), JUAN_MOVEMENTS).unwrap();
    files.push(("credit-movements", dir.join("juan-moves.csv")));
    for (kind, name, text) in ANTONIO_FILES {
        std::fs::write(dir.join(name), text).unwrap();
        files.push((kind, dir.join(name)));
    }
    for (kind, file) in &files {
        let out = vivienda(&dir)
            .args(["import", kind])
            .arg(file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{kind}: {:?}", text(&out));
    }
    let out = vivienda(&dir)
        .args([
            "create-operator",
            "--username",
            "supervisora",
            "--name",
            "Supervisora",
            "--role",
            "supervisor",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap()
            .trim()
            .to_owned()
    };
    let (operator_password, totp) = (field("password:"), field("authenticator:"));

    // Juan and Antonio sign up; Antonio files his refund; the supervisor starts its review.
    let server = Server::start(&dir);
    let url = server.url.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (juan, folio, operator) = rt.block_on(async {
        let juan = member_token(
            &dir,
            &url,
            &[
                ("nss", "38957812340"),
                ("curp", "LOPJ780704HNLPRN07"),
                ("rfc", "LOPJ780704TT2"),
                ("email", "juan@example.mx"),
                ("mobile", "8112345678"),
            ],
        )
        .await;
        let antonio = member_token(
            &dir,
            &url,
            &[
                ("nss", ANTONIO_NSS),
                ("curp", "MASA600115HJCRNN08"),
                ("rfc", "MASA600115QP2"),
                ("email", "antonio@example.mx"),
                ("mobile", "3312345678"),
            ],
        )
        .await;
        let r = client()
            .put(format!("{url}/api/v1/me/refund/account"))
            .bearer_auth(&antonio)
            .json(&serde_json::json!({ "clabe": "002010077777777771", "holder_declared": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let (content_type, body) = multipart(&[
            ("option", None, b"afore_pays_scv"),
            ("cer", Some("a.cer"), &cer),
            ("key", Some("a.key"), &key),
            ("password", None, EFIRMA_PASSWORD.as_bytes()),
        ]);
        let r = client()
            .post(format!("{url}/api/v1/me/refund"))
            .bearer_auth(&antonio)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let folio = r.json::<serde_json::Value>().await.unwrap()["folio"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut operator = Cookies::default();
        get_page(&format!("{url}/operacion/entrar"), &mut operator).await;
        let secret = domain::auth::totp::decode_base32(&totp).unwrap();
        let step = domain::auth::totp::step_of(time::OffsetDateTime::now_utc().unix_timestamp());
        let code = format!("{:06}", domain::auth::totp::code_at_step(&secret, step));
        let r = post_form(
            &format!("{url}/operacion/entrar"),
            &mut operator,
            &[
                ("username", "supervisora"),
                ("password", &operator_password),
                ("code", &code),
            ],
        )
        .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        let r = post_form(
            &format!("{url}/operacion/solicitudes/{folio}/decision"),
            &mut operator,
            &[("action", "start_review"), ("reason", "")],
        )
        .await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
        (juan, folio, operator)
    });
    server.stop();
    checks_pass(&dir);

    let mut seed = SEED;
    let work = dir.with_extension("work");
    let mut report = Vec::new();
    // The conversion window is closed on days 1 to 8 (Mexico City): the server has no clock
    // but the system's, so the conversion is left out on those days.
    let today = (time::OffsetDateTime::now_utc() - time::Duration::hours(6)).day();
    if today > 8 {
        let convert = Action::Convert { token: juan };
        report.push((
            convert.name(),
            kill_during(&dir, &work, &folio, &convert, &mut seed),
        ));
    } else {
        eprintln!("conversion left out: its window is closed on day {today} of the month");
    }
    let approve = Action::Decide {
        cookies: operator.clone(),
        folio: folio.clone(),
        action: "approve",
    };
    report.push((
        approve.name(),
        kill_during(&dir, &work, &folio, &approve, &mut seed),
    ));
    // The approved request, then its completion: the deposit's withdrawal is posted.
    let approved = dir.with_extension("approved");
    copy_dir(&dir, &approved);
    let server = Server::start(&approved);
    assert_eq!(rt.block_on(approve.send(&server.url)), Some(303));
    server.stop();
    let complete = Action::Decide {
        cookies: operator,
        folio: folio.clone(),
        action: "complete",
    };
    report.push((
        complete.name(),
        kill_during(&approved, &work, &folio, &complete, &mut seed),
    ));
    for (name, tally) in &report {
        eprintln!("{name}: {tally:?}");
        assert_eq!(tally.inconsistent, 0, "{name}: {tally:?}");
    }
    for d in [&dir, &work, &approved] {
        let _ = std::fs::remove_dir_all(d);
    }
}
