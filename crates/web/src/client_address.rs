//! The member's own address when Vivienda runs behind load balancers or proxies. Only a
//! request that arrives from a trusted proxy has its `X-Forwarded-For` read, from the right:
//! the first address that is not itself a trusted proxy is the client. Anything a client
//! writes into the header to its left is ignored, so no one can pick the address their
//! failures are counted under.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

pub(crate) async fn behind_proxies(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if state.trusted_proxies.is_empty() {
        return next.run(req).await;
    }
    let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() else {
        return next.run(req).await;
    };
    let forwarded: Vec<String> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    if let Some(client) = client(&state.trusted_proxies, peer.ip(), &forwarded) {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(client, peer.port())));
    }
    next.run(req).await
}

/// The client behind a chain of trusted proxies, or `None` to keep the peer address.
fn client(trusted: &[IpAddr], peer: IpAddr, forwarded: &[String]) -> Option<IpAddr> {
    if !trusted.contains(&peer) {
        return None;
    }
    let hops: Vec<&str> = forwarded
        .iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        let ip: IpAddr = hop.parse().ok()?;
        if !trusted.contains(&ip) {
            return Some(ip);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn only_trusted_proxies_are_believed_and_only_from_the_right() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        let header = |s: &str| vec![s.to_owned()];
        assert_eq!(
            client(&trusted, ip("10.0.0.1"), &header("203.0.113.7")),
            Some(ip("203.0.113.7"))
        );
        assert_eq!(
            client(
                &trusted,
                ip("10.0.0.1"),
                &header("1.2.3.4, 203.0.113.7, 10.0.0.2")
            ),
            Some(ip("203.0.113.7")),
            "what the client wrote on the left is ignored"
        );
        assert_eq!(
            client(&trusted, ip("198.51.100.9"), &header("203.0.113.7")),
            None,
            "a direct client cannot claim another address"
        );
        assert_eq!(client(&trusted, ip("10.0.0.1"), &header("basura")), None);
        assert_eq!(client(&trusted, ip("10.0.0.1"), &[]), None);
        assert_eq!(
            client(
                &trusted,
                ip("10.0.0.1"),
                &["198.51.100.1".into(), "2001:db8::1".into()]
            ),
            Some(ip("2001:db8::1"))
        );
    }
}
