//! One member's session, as `load/session.lua` plays it, over a pooled HTTP/1.1 client.

use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client as Pool;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use crate::stats::{Kind, Stats};

/// The demo's sample members (`vivienda demo` prints them): a saver, a borrower in VSM, one
/// in pesos, one who paid off and a pensioner.
const MEMBERS: [&str; 5] = [
    "01926700004",
    "01119300083",
    "01007900119",
    "01028200283",
    "01896500012",
];
const PASSWORD: &str = "casa propia en la colonia";

/// The consultations and their weights, the published mix (docs/statistics.md).
const MIX: [(u32, Step); 7] = [
    (30, Step::Conversion),
    (24, Step::Get("/api/v1/me/prequalification")),
    (18, Step::Get("/api/v1/me/credits")),
    (11, Step::Get("/api/v1/me/notices")),
    (9, Step::Get("/api/v1/me/savings")),
    (5, Step::Get("/api/v1/me/movements")),
    (3, Step::Get("/api/v1/me/employment")),
];

#[derive(Clone, Copy, Debug)]
enum Step {
    SignIn,
    Get(&'static str),
    /// The conversion offer of the member's first credit (the credits are asked first).
    Conversion,
    Pdf,
    SignOut,
}

/// What one session will do, drawn before it starts.
pub struct Plan {
    member: &'static str,
    forwarded: String,
    steps: Vec<Step>,
    thinks: Vec<Duration>,
}

impl Plan {
    pub fn draw(rng: &mut ChaCha8Rng, index: u64, requests: usize, think_ms: u64) -> Plan {
        let total: u32 = MIX.iter().map(|(w, _)| w).sum();
        let mut steps = vec![Step::SignIn];
        for _ in 0..requests {
            let mut r = rng.random_range(0..total);
            let drawn = MIX.iter().find(|(w, _)| {
                let hit = r < *w;
                r = r.saturating_sub(*w);
                hit
            });
            steps.push(drawn.map_or(Step::Get("/api/v1/me/savings"), |(_, s)| *s));
        }
        steps.extend([
            Step::Pdf,
            Step::Get("/api/v1/me/appointments"),
            Step::SignOut,
        ]);
        let thinks = steps
            .iter()
            .map(|_| Duration::from_millis(rng.random_range(0..=2 * think_ms)))
            .collect();
        Plan {
            member: MEMBERS[rng.random_range(0..MEMBERS.len())],
            // Each session from an address of its own, so no per-address limit is shared.
            forwarded: format!(
                "10.{}.{}.{}",
                (index >> 16) & 0xff,
                (index >> 8) & 0xff,
                index & 0xff
            ),
            steps,
            thinks,
        }
    }
}

/// Plays `plan`, recording each answer's time. A failed sign-in ends the session.
pub async fn run(client: &Client, plan: Plan, stats: &Mutex<Stats>) {
    let forwarded = Some(plan.forwarded.as_str());
    let mut token: Option<String> = None;
    let mut credit: Option<String> = None;
    for (i, step) in plan.steps.iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(plan.thinks[i]).await;
        }
        let bearer = token.as_deref().map_or(Session::None, Session::Bearer);
        let sent = Instant::now();
        let (kind, label, answer, expected): (Kind, &str, _, &[u16]) = match *step {
            Step::SignIn => {
                let body = format!(
                    "{{\"identifier\":\"{}\",\"password\":\"{PASSWORD}\"}}",
                    plan.member
                );
                let answer = client
                    .send(
                        Method::POST,
                        "/api/v1/sessions",
                        Session::None,
                        forwarded,
                        Some(body),
                    )
                    .await;
                (Kind::SignIn, "sign-in", answer, &[201])
            }
            Step::Get(path) => {
                let answer = client
                    .send(Method::GET, path, bearer, forwarded, None)
                    .await;
                (Kind::Consult, path, answer, &[200])
            }
            Step::Conversion => match &credit {
                None => {
                    let path = "/api/v1/me/credits";
                    let answer = client
                        .send(Method::GET, path, bearer, forwarded, None)
                        .await;
                    if let Ok(a) = &answer {
                        credit = Some(
                            string_field(&a.body, "credit_number")
                                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                                .unwrap_or_else(|| "none".into()),
                        );
                    }
                    (Kind::Consult, path, answer, &[200])
                }
                Some(number) => {
                    let path = format!("/api/v1/me/credits/{number}/conversion");
                    let answer = client
                        .send(Method::GET, &path, bearer, forwarded, None)
                        .await;
                    // A member without a VSM credit has no conversion offer: expected too.
                    let label = "/api/v1/me/credits/{n}/conversion";
                    (Kind::Consult, label, answer, &[200, 404, 409, 422])
                }
            },
            Step::Pdf => {
                let path = "/ahorro/estado-de-cuenta.pdf?desde=2025-01-01&hasta=2025-12-31";
                let cookie = token.as_deref().map_or(Session::None, Session::Cookie);
                let answer = client
                    .send(Method::GET, path, cookie, forwarded, None)
                    .await;
                (Kind::Pdf, "statement PDF", answer, &[200])
            }
            Step::SignOut => {
                let path = "/api/v1/sessions/current";
                let answer = client
                    .send(Method::DELETE, path, bearer, forwarded, None)
                    .await;
                (Kind::SignOut, "sign-out", answer, &[200, 204])
            }
        };
        let took = sent.elapsed();
        let status = answer.as_ref().map_or(0, |a| a.status);
        let ok = expected.contains(&status);
        super::lock(stats).record(kind, took, ok, label, status);
        if let (Step::SignIn, Ok(a)) = (step, &answer) {
            token = string_field(&a.body, "token");
        }
        if matches!(step, Step::SignIn) && token.is_none() {
            return;
        }
    }
    super::lock(stats).finished();
}

/// The value of `"key": "…"` in a JSON body, without parsing the whole of it.
fn string_field(body: &[u8], key: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let at = text.find(&format!("\"{key}\""))? + key.len() + 2;
    let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
    let value = rest.strip_prefix('"')?;
    Some(value[..value.find('"')?].to_owned())
}

/// How a request carries the member's session: the API's bearer token or the pages' cookie.
#[derive(Clone, Copy)]
pub enum Session<'a> {
    None,
    Bearer(&'a str),
    Cookie(&'a str),
}

pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

/// A pooled HTTP/1.1 client for one server; connections are kept and shared by the sessions.
#[derive(Clone)]
pub struct Client {
    pool: Pool<HttpConnector, Full<Bytes>>,
    base: String,
}

impl Client {
    pub fn new(base: &str) -> anyhow::Result<Client> {
        anyhow::ensure!(
            base.starts_with("http://"),
            "the server must be an http:// address on loopback"
        );
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let pool = Pool::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Client {
            pool,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// One request and its whole answer; a connection that fails is an `Err`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        session: Session<'_>,
        forwarded: Option<&str>,
        json: Option<String>,
    ) -> Result<Answer, String> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        match session {
            Session::None => {}
            Session::Bearer(token) => {
                request = request.header("Authorization", format!("Bearer {token}"));
            }
            Session::Cookie(token) => {
                request = request.header("Cookie", format!("__Host-sesion={token}"));
            }
        }
        if let Some(address) = forwarded {
            request = request.header("X-Forwarded-For", address);
        }
        let body = match json {
            Some(json) => {
                request = request.header("Content-Type", "application/json");
                Full::new(Bytes::from(json))
            }
            None => Full::new(Bytes::new()),
        };
        let request = request.body(body).map_err(|e| e.to_string())?;
        let response = self
            .pool
            .request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok(Answer { status, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_json_string_field_is_read_with_or_without_spaces() {
        assert_eq!(
            string_field(br#"{"token": "abc", "x":1}"#, "token").as_deref(),
            Some("abc")
        );
        assert_eq!(
            string_field(br#"[{"credit_number":"1234"}]"#, "credit_number").as_deref(),
            Some("1234")
        );
        assert_eq!(string_field(br#"{"token":12}"#, "token"), None);
        assert_eq!(string_field(b"not json", "token"), None);
    }

    #[test]
    fn a_plan_signs_in_first_and_ends_with_the_pdf_the_status_and_the_sign_out() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let plan = Plan::draw(&mut rng, 258, 36, 500);
        assert_eq!(plan.steps.len(), 40);
        assert!(matches!(plan.steps[0], Step::SignIn));
        assert!(matches!(plan.steps[37], Step::Pdf));
        assert!(matches!(plan.steps[39], Step::SignOut));
        assert!(
            plan.thinks
                .iter()
                .all(|t| *t <= Duration::from_millis(1000))
        );
        assert_eq!(plan.forwarded, "10.0.1.2");
    }

    #[test]
    fn the_drawn_consultations_follow_the_published_shares() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let plan = Plan::draw(&mut rng, 1, 20_000, 0);
        let share = |wanted: &str| {
            let n = plan.steps[1..20_001]
                .iter()
                .filter(|s| match s {
                    Step::Get(p) => *p == wanted,
                    Step::Conversion => wanted == "conversion",
                    _ => false,
                })
                .count();
            n as f64 / 20_000.0
        };
        assert!((share("conversion") - 0.30).abs() < 0.015);
        assert!((share("/api/v1/me/prequalification") - 0.24).abs() < 0.015);
        assert!((share("/api/v1/me/employment") - 0.03).abs() < 0.01);
    }
}
