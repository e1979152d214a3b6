//! HTTPS over a real socket: a loopback TLS server with a self-signed certificate that
//! offers HTTP/2 and HTTP/1.1 by ALPN. The transport trusts it through `tls_config`.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use dm_transport::{HyperTransport, Transport};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// What the server saw: for each request, the connection it came on and its HTTP version.
type Seen = Arc<Mutex<Vec<(usize, http::Version)>>>;

/// Serves every connection on `listener` over TLS, answering `{"ok":true}`.
fn serve(listener: tokio::net::TcpListener, acceptor: tokio_rustls::TlsAcceptor, seen: Seen) {
    tokio::spawn(async move {
        let mut connection = 0;
        while let Ok((tcp, _)) = listener.accept().await {
            connection += 1;
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    seen.lock().unwrap().push((connection, req.version()));
                    async {
                        Ok::<_, Infallible>(
                            http::Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(Bytes::from_static(br#"{"ok":true}"#)))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
}

/// A TLS server for `localhost` offering `alpn`; returns its port, the certificate to
/// trust and what it saw.
async fn tls_server(alpn: &[&[u8]]) -> (u16, CertificateDer<'static>, Seen) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let der = cert.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], key)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Seen::default();
    serve(
        listener,
        tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        seen.clone(),
    );
    (port, der, seen)
}

/// A transport that trusts exactly `cert`.
fn trusting(cert: CertificateDer<'static>) -> HyperTransport {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    HyperTransport::builder().tls_config(tls).build().unwrap()
}

fn get(port: u16) -> http::Request<Bytes> {
    http::Request::get(format!("https://localhost:{port}/2/dm_events"))
        .body(Bytes::new())
        .unwrap()
}

#[tokio::test]
async fn http2_is_negotiated_by_alpn_and_one_connection_carries_concurrent_requests() {
    let (port, cert, seen) = tls_server(&[b"h2", b"http/1.1"]).await;
    let t = trusting(cert);
    let first = t.send(get(port)).await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.body().as_ref(), br#"{"ok":true}"#);
    let (a, b) = tokio::join!(t.send(get(port)), t.send(get(port)));
    assert_eq!(a.unwrap().body().as_ref(), br#"{"ok":true}"#);
    assert_eq!(b.unwrap().body().as_ref(), br#"{"ok":true}"#);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![(1, http::Version::HTTP_2); 3],
        "every request went over h2, multiplexed on one connection"
    );
}

#[tokio::test]
async fn http1_is_used_when_the_server_offers_only_http1() {
    let (port, cert, seen) = tls_server(&[b"http/1.1"]).await;
    let t = trusting(cert);
    let response = t.send(get(port)).await.unwrap();
    assert_eq!(response.body().as_ref(), br#"{"ok":true}"#);
    assert_eq!(
        seen.lock().unwrap().clone(),
        vec![(1, http::Version::HTTP_11)]
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_before_anything_is_sent() {
    let (port, _cert, seen) = tls_server(&[b"h2", b"http/1.1"]).await;
    let (_, other, _) = tls_server(&[b"h2"]).await;
    let t = trusting(other);
    let err = t.send(get(port)).await.unwrap_err();
    assert!(!err.may_have_been_sent(), "{err}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "no request reached the server"
    );
}
