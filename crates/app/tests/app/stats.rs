//! Usage statistics over a real SQLite store: calibrated usage generated at scale 0.01 gives
//! the fund's published figures scaled; the report as of a date ignores everything after it;
//! generation is the same for the same seed; the `stats` job brings the summaries up to date.

use std::sync::Arc;

use app::stats::{Report, UsageConfig, build_report, generate};
use domain::reference::ReferenceTables;
use store::Store;
use time::Date;
use time::macros::date;

use crate::scratch;

fn tables() -> ReferenceTables {
    ReferenceTables::embedded().unwrap()
}

async fn generated(scale: f64, until: Date, seed: u64) -> Arc<dyn Store> {
    let (_dir, store) = scratch();
    let store: Arc<dyn Store> = Arc::new(store);
    let config = UsageConfig { scale, until, seed };
    generate(store.as_ref(), &tables(), config, &mut |_, _| {})
        .await
        .unwrap();
    store
}

async fn report(store: &Arc<dyn Store>, as_of: Date) -> Report {
    build_report(store.as_ref(), &tables(), as_of, 30)
        .await
        .unwrap()
}

fn within(actual: f64, expected: f64, tolerance: f64, what: &str) {
    let off = (actual - expected).abs() / expected;
    assert!(
        off <= tolerance,
        "{what}: {actual} is {:.3}% away from {expected}",
        off * 100.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_scale_one_hundredth_the_report_gives_the_published_figures() {
    let scale = 0.01;
    let store = generated(scale, date!(2024 - 08 - 31), 42).await;

    let r = report(&store, date!(2020 - 06 - 30)).await;
    let a = &r.accounts;
    within(
        a.registered as f64,
        9_116_784.0 * scale,
        0.005,
        "accounts 2020",
    );
    within(
        a.new_year_to_date as f64,
        863_460.0 * scale,
        0.005,
        "new in 2020 H1",
    );
    within(a.growth_percent.unwrap(), 10.46, 0.02, "growth over 2019");
    within(
        a.by_quarter[1].share_percent.unwrap(),
        52.0,
        0.02,
        "share of April–June",
    );
    let top: Vec<u8> = r.states.iter().take(5).map(|s| s.state).collect();
    assert_eq!(
        top,
        [9, 19, 15, 14, 8],
        "CDMX, NL, Edomex, Jalisco, Chihuahua"
    );
    assert_eq!(r.states[0].name, "Ciudad de México");
    within(
        r.activity.mean_daily_users,
        138_000.0 * scale,
        0.02,
        "daily users",
    );
    within(
        r.activity.mean_session_seconds.unwrap(),
        414.0,
        0.02,
        "mean session (6 min 54 s)",
    );
    let ranking: Vec<&str> = r
        .procedures
        .iter()
        .take(4)
        .map(|p| p.code.as_str())
        .collect();
    assert_eq!(
        ranking,
        [
            "responsabilidad_compartida",
            "prequalification",
            "balances_movements",
            "discount_notices"
        ]
    );

    let r = report(&store, date!(2024 - 08 - 31)).await;
    within(
        r.accounts.registered as f64,
        16_341_676.0 * scale,
        0.005,
        "accounts 2024",
    );
    within(
        r.accounts.mean_new_per_month.unwrap(),
        200_000.0 * scale,
        0.02,
        "new a month",
    );
    let actives = r.activity.monthly_actives.clone().unwrap();
    assert_eq!(actives.month, "2024-08-01");
    within(
        actives.count as f64,
        3_700_000.0 * scale,
        0.005,
        "monthly actives",
    );
    within(
        r.activity.mean_session_seconds.unwrap(),
        600.0,
        0.02,
        "sessions of about 10 minutes",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_as_of_a_date_ignores_everything_after_it() {
    let scale = 0.001;
    let then = date!(2020 - 06 - 30);
    let only_then = generated(scale, then, 5).await;
    let and_later = generated(scale, date!(2024 - 08 - 31), 5).await;
    let before = report(&only_then, then).await;
    let after = report(&and_later, then).await;
    assert_eq!(
        serde_json::to_value(&before).unwrap(),
        serde_json::to_value(&after).unwrap()
    );
    assert_eq!(
        before.accounts.registered,
        (9_116_784.0 * scale).round() as i64
    );
    // The later data is there, and counted as of its own date.
    let later = report(&and_later, date!(2024 - 08 - 31)).await;
    assert!(later.accounts.registered > before.accounts.registered * 17 / 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generation_is_the_same_for_the_same_seed() {
    let scale = 0.0005;
    let until = date!(2020 - 06 - 30);
    let one = report(&generated(scale, until, 9).await, until).await;
    let two = report(&generated(scale, until, 9).await, until).await;
    let other = report(&generated(scale, until, 10).await, until).await;
    let json = |r: &Report| serde_json::to_value(r).unwrap();
    assert_eq!(json(&one), json(&two));
    assert_ne!(
        json(&one),
        json(&other),
        "another seed draws other sessions"
    );
    // The calibrated counts do not depend on the seed.
    assert_eq!(one.accounts, other.accounts);

    let config = UsageConfig {
        scale,
        until,
        seed: 9,
    };
    let a = synth::usage::accounts(&config, &tables());
    let b = synth::usage::accounts(&config, &tables());
    assert_eq!(a.len(), b.len());
    assert!(a.iter().zip(&b).all(|(x, y)| x.person == y.person
        && x.created_at == y.created_at
        && x.activated_at == y.activated_at));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stats_job_brings_the_summaries_up_to_today() {
    let (_dir, store) = scratch();
    let store: Arc<dyn Store> = Arc::new(store);
    let until = date!(2020 - 06 - 30);
    let config = UsageConfig {
        scale: 0.0002,
        until,
        seed: 1,
    };
    generate(store.as_ref(), &tables(), config, &mut |_, _| {})
        .await
        .unwrap();
    // Generated twice, the same usage is refused.
    assert!(matches!(
        generate(store.as_ref(), &tables(), config, &mut |_, _| {}).await,
        Err(app::stats::GenerateError::AlreadyGenerated)
    ));
    assert_eq!(store.stats_refreshed_until().await.unwrap(), Some(until));

    // A report read through the cache is kept: consultations counted since are not in it...
    let reports = Arc::new(app::stats::ReportCache::default());
    let kept = |reports: Arc<app::stats::ReportCache>| {
        let store = store.clone();
        async move {
            reports
                .report(store.as_ref(), &tables(), until, 30)
                .await
                .unwrap()
        }
    };
    let (first, first_until) = kept(reports.clone()).await;
    assert_eq!(first_until, Some(until));
    let uses = |r: &Report| {
        r.procedures
            .iter()
            .find(|p| p.code == "interest_certificate")
            .map_or(0, |p| p.uses)
    };
    store
        .load_usage(
            &[],
            &[],
            &[store::LoadUse {
                day: until,
                procedure: "interest_certificate".into(),
                channel: domain::audit::Channel::Web,
                uses: 1_000,
            }],
        )
        .await
        .unwrap();
    let (again, _) = kept(reports.clone()).await;
    assert!(Arc::ptr_eq(&first, &again), "the kept report is read again");
    assert_eq!(uses(&again), uses(&first));
    // ... and one that has grown old is built again with them.
    let short = Arc::new(app::stats::ReportCache::new(std::time::Duration::ZERO));
    assert_eq!(uses(&kept(short).await.0), uses(&first) + 1_000);

    // The schedule queues the job once however many instances ask.
    let now = time::macros::datetime!(2020-07-03 15:00 UTC);
    assert!(app::jobs::queue_stats(store.as_ref(), now).await.unwrap());
    assert!(!app::jobs::queue_stats(store.as_ref(), now).await.unwrap());
    let clock: Arc<dyn app::clock::Clock> = Arc::new(app::clock::TestClock::at(now));
    let runner = app::jobs::JobRunner::new(store.clone(), Arc::new(tables()), None, clock)
        .with_report_cache(reports.clone());
    let done = runner.run_next().await.unwrap().unwrap();
    assert_eq!(done.created_by, "system:schedule");
    assert_eq!(done.state, store::JobState::Done, "{:?}", done.error);
    let summary: serde_json::Value =
        serde_json::from_str(done.summary.as_deref().unwrap()).unwrap();
    assert_eq!(summary["until"], "2020-07-03");
    // From two days before the last summarised day through today.
    assert_eq!(summary["refresh"]["days"], 6);
    assert_eq!(
        store.stats_refreshed_until().await.unwrap(),
        Some(date!(2020 - 07 - 03))
    );
    // The run emptied the cache: the report read next is new.
    let (after, after_until) = kept(reports).await;
    assert!(!Arc::ptr_eq(&first, &after));
    assert_eq!(after_until, Some(date!(2020 - 07 - 03)));
    assert_eq!(uses(&after), uses(&first) + 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holders_whose_nss_or_curp_is_registered_already_are_left_out() {
    let (_dir, store) = scratch();
    let store: Arc<dyn Store> = Arc::new(store);
    let config = UsageConfig {
        scale: 0.0002,
        until: date!(2020 - 06 - 30),
        seed: 3,
    };
    let holders = synth::usage::accounts(&config, &tables());
    // A member registered before with the first holder's NSS and CURP, and one with the
    // third holder's CURP under another NSS (as a demo population might hold them).
    let first = holders[0].person.clone();
    let mut third = holders[2].person.clone();
    third.nss = domain::ids::generate::nss(99, 1990, 1970, 9_999);
    let mut batch = store
        .begin_import(&store::FileIdentity {
            kind: store::ImportKind::Synthetic,
            sha256: "00".repeat(32),
            file_name: "registered before".into(),
        })
        .await
        .unwrap();
    batch.insert_members(&[first, third]).await.unwrap();
    batch.commit(store::ImportTotals::default()).await.unwrap();

    let done = generate(store.as_ref(), &tables(), config, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(done.already_registered, 2);
    assert_eq!(done.accounts, holders.len() - 2);
    // The two registered before are as they were, with no generated account.
    let owner = store
        .member_by_nss(&holders[0].person.nss)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.person, holders[0].person);
    assert!(
        store
            .account_by_member(owner.member_id)
            .await
            .unwrap()
            .is_none()
    );
    let r = report(&store, config.until).await;
    assert_eq!(r.accounts.registered as usize, holders.len() - 2);
}
