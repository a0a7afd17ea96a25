//! A supervisor unifies a second NSS of María into her record and changes her NSS, over real
//! HTTP: every centavo follows, the ledger still sums, both chains are audited, and María signs
//! in with any of her NSS. An agent cannot do either, and two different people are refused.

use domain::ids::generate::{self, NameParts};
use domain::money::Money;
use domain::operators::Role;
use domain::registry::{Movement, MovementKind, Person};
use reqwest::StatusCode;
use store::{FileIdentity, ImportKind, ImportTotals, MovementFilter};

use crate::accounts::{Browser, NSS, PASSWORD, location};
use crate::backoffice::{create, sign_in};
use crate::savings::signed_in_maria;
use crate::{Engine, TestApp, spawn_app_on};

fn twin_of(p: &Person) -> Person {
    let name = NameParts {
        first_surname: &p.first_surname,
        second_surname: &p.second_surname,
        given_names: &p.given_names,
    };
    let mut twin = p.clone();
    twin.nss = generate::nss(2, 2001, p.birth_date.year(), 4321);
    twin.curp = generate::curp(&name, p.birth_date, p.sex, "DF", 9);
    twin
}

async fn import(app: &TestApp, tag: &str, kind: ImportKind) -> Box<dyn store::ImportBatch> {
    app.store
        .begin_import(&FileIdentity {
            kind,
            sha256: format!("{tag:0>64}"),
            file_name: format!("{tag}.csv"),
        })
        .await
        .unwrap()
}

async fn total(app: &TestApp, member: domain::registry::MemberId) -> Money {
    app.store
        .balances(member)
        .await
        .unwrap()
        .iter()
        .map(|b| b.balance)
        .sum()
}

async fn sign_in_with(app: &TestApp, nss: &str) -> reqwest::Response {
    let mut browser = Browser::new(app);
    browser.get("/entrar").await;
    browser
        .post("/entrar", &[("identifier", nss), ("password", PASSWORD)])
        .await
}

async fn a_supervisor_unifies_two_nss_and_changes_one(engine: Engine) {
    let app = spawn_app_on(engine).await;
    let _maria_browser = signed_in_maria(&app).await;
    let maria = app
        .store
        .member_by_nss(&domain::ids::Nss::parse(NSS).unwrap())
        .await
        .unwrap()
        .unwrap();
    let id = maria.member_id;

    // A second record of María under another NSS, with a payment of her own and one whose key
    // her record already has (the same employer and bimester).
    let twin = twin_of(&maria.person);
    let mut batch = import(&app, "twin", ImportKind::Members).await;
    let twin_id = batch
        .insert_members(std::slice::from_ref(&twin))
        .await
        .unwrap()[0];
    batch.commit(ImportTotals::default()).await.unwrap();
    let existing = app
        .store
        .movements(id, &MovementFilter::default())
        .await
        .unwrap();
    let same_key = existing
        .iter()
        .find(|m| m.kind == MovementKind::Contribution)
        .unwrap()
        .clone();
    let mut batch = import(&app, "twinpay", ImportKind::Contributions).await;
    batch
        .insert_movements(&[
            Movement {
                member_id: twin_id,
                amount: Money::from_centavos(10_000),
                ..same_key.clone()
            },
            Movement {
                member_id: twin_id,
                period: 20032,
                source: 77,
                amount: Money::from_centavos(5_055),
                ..same_key.clone()
            },
        ])
        .await
        .unwrap();
    batch.commit(ImportTotals::default()).await.unwrap();
    let before = total(&app, id).await + total(&app, twin_id).await;

    let agent = create(&app, "agente", Role::Agent).await;
    let supervisor = create(&app, "supervisora", Role::Supervisor).await;
    let member_path = format!("/operacion/miembros/{}", id.0);

    // An agent sees the member unmasked but not the identity forms, and is refused if it posts.
    let mut desk = sign_in(&app, &agent).await;
    desk.get(&member_path).await;
    let page = desk
        .post(&member_path, &[("reason", "data_correction")])
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Cambiar o unificar el NSS"), "{page}");
    let r = desk
        .post(
            &format!("{member_path}/unificar"),
            &[
                ("otro", twin.nss.as_str()),
                ("nota", "oficio"),
                ("confirmar", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app.store.member(twin_id).await.unwrap().is_some());

    app.advance(time::Duration::seconds(30));
    let mut boss = sign_in(&app, &supervisor).await;
    boss.get(&member_path).await;
    let page = boss
        .post(&member_path, &[("reason", "data_correction")])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Cambiar o unificar el NSS"), "{page}");

    // A note is required; then both records are shown, masked, before anything happens.
    let unify = format!("{member_path}/unificar");
    let r = boss
        .post(&unify, &[("otro", twin.nss.as_str()), ("nota", " ")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("oficio del IMSS"));
    let r = boss
        .post(
            &unify,
            &[
                ("otro", twin.nss.as_str()),
                ("nota", "Oficio IMSS 123/2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let confirm = r.text().await.unwrap();
    assert!(confirm.contains("Registro que desaparece"), "{confirm}");
    // The cards are masked; the NSS the supervisor typed travels on only in the form.
    assert!(
        confirm.contains(&format!("•••••••{}", &twin.nss.as_str()[7..])),
        "{confirm}"
    );
    assert_eq!(confirm.matches(twin.nss.as_str()).count(), 1, "{confirm}");
    assert!(app.store.member(twin_id).await.unwrap().is_some());

    // Juan is another person: refused, with the reason, and nothing moves.
    let r = boss
        .post(
            &unify,
            &[
                ("otro", "38957812340"),
                ("nota", "Oficio IMSS 124/2026"),
                ("confirmar", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("podrían ser dos personas"));

    let r = boss
        .post(
            &unify,
            &[
                ("otro", twin.nss.as_str()),
                ("nota", "Oficio IMSS 123/2026"),
                ("confirmar", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let done = r.text().await.unwrap();
    assert!(done.contains("Registros unificados"), "{done}");
    assert!(
        done.contains("Movimientos de la Subcuenta de Vivienda"),
        "{done}"
    );

    // Every centavo is on María's record and the ledger sums; the twin record is gone.
    assert_eq!(total(&app, id).await, before);
    assert!(app.store.member(twin_id).await.unwrap().is_none());
    let folded = app
        .store
        .movements(id, &MovementFilter::default())
        .await
        .unwrap()
        .into_iter()
        .find(|m| {
            (m.bucket, m.kind, m.period, m.source)
                == (
                    same_key.bucket,
                    same_key.kind,
                    same_key.period,
                    same_key.source,
                )
        })
        .unwrap();
    assert_eq!(
        folded.amount,
        same_key.amount + Money::from_centavos(10_000)
    );
    let check = app.store.check_ledger().await.unwrap();
    assert!(check.mismatches.is_empty(), "{:?}", check.mismatches);
    let actions: Vec<(String, Option<i64>)> = app
        .store
        .recent_audit_all(500)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.entry.action, e.entry.member_id))
        .collect();
    assert!(actions.contains(&("member_unified".into(), Some(id.0))));
    assert!(actions.contains(&("member_unified_away".into(), Some(twin_id.0))));
    assert!(actions.contains(&("operator_access_denied".into(), None)));

    // Twice: the other record no longer exists.
    let r = boss
        .post(
            &unify,
            &[
                ("otro", twin.nss.as_str()),
                ("nota", "Oficio IMSS 123/2026"),
                ("confirmar", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(total(&app, id).await, before);

    // María signs in with the unified NSS and lands in her own account.
    assert_eq!(
        location(&sign_in_with(&app, twin.nss.as_str()).await),
        "/cuenta"
    );

    // Her NSS is changed; the new one and both former ones all lead to her.
    let new_nss = generate::nss(3, 2010, 1985, 555);
    let r = boss
        .post(
            &format!("{member_path}/nss"),
            &[
                ("actual", NSS),
                ("nuevo", new_nss.as_str()),
                ("nota", "Oficio IMSS 125/2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("NSS cambiado"));
    // The NSS on screen is stale now: a second change from it is refused.
    let r = boss
        .post(
            &format!("{member_path}/nss"),
            &[
                ("actual", NSS),
                ("nuevo", "38957812340"),
                ("nota", "Oficio"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for nss in [new_nss.as_str(), NSS, twin.nss.as_str()] {
        let found = app
            .store
            .member_by_nss(&domain::ids::Nss::parse(nss).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.member_id, found.person.nss), (id, new_nss));
    }
    app.advance(time::Duration::minutes(20));
    assert_eq!(
        location(&sign_in_with(&app, new_nss.as_str()).await),
        "/cuenta"
    );
}

crate::on_both_engines!(a_supervisor_unifies_two_nss_and_changes_one);
