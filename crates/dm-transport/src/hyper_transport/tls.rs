//! The rustls `ClientConfig`: one crypto provider chosen explicitly, roots from features.

use std::sync::Arc;

use rustls::ClientConfig;

use crate::Error;

/// The crypto provider compiled in: ring when enabled (also when both are on), else aws-lc-rs.
fn provider() -> Option<rustls::crypto::CryptoProvider> {
    #[cfg(feature = "ring")]
    {
        Some(rustls::crypto::ring::default_provider())
    }
    #[cfg(all(feature = "aws-lc-rs", not(feature = "ring")))]
    {
        Some(rustls::crypto::aws_lc_rs::default_provider())
    }
    #[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
    {
        None
    }
}

/// Builds the default TLS configuration: the compiled-in provider (never the process
/// default), TLS 1.2 and 1.3, native roots when the `native-roots` feature is on (falling
/// back to webpki roots when both are on and the OS store is empty), else webpki roots.
pub(crate) fn default_client_config() -> Result<ClientConfig, Error> {
    let Some(provider) = provider() else {
        return Err(Error::build(
            "no rustls crypto provider compiled in: enable the `ring` or `aws-lc-rs` feature, or pass a ClientConfig with `tls_config`",
        ));
    };
    let builder = ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::build(format!("TLS configuration: {e}")))?;
    with_roots(builder).map(|b| b.with_no_client_auth())
}

type WantsVerifier = rustls::ConfigBuilder<ClientConfig, rustls::WantsVerifier>;
type WantsClientCert = rustls::ConfigBuilder<ClientConfig, rustls::client::WantsClientCert>;

#[cfg(feature = "native-roots")]
fn with_roots(builder: WantsVerifier) -> Result<WantsClientCert, Error> {
    use hyper_rustls::ConfigBuilderExt as _;
    match builder.clone().with_native_roots() {
        Ok(b) => Ok(b),
        #[cfg(feature = "webpki-roots")]
        Err(_) => Ok(builder.with_webpki_roots()),
        #[cfg(not(feature = "webpki-roots"))]
        Err(e) => Err(Error::build(format!(
            "loading the OS root certificates: {e}"
        ))),
    }
}

#[cfg(all(feature = "webpki-roots", not(feature = "native-roots")))]
fn with_roots(builder: WantsVerifier) -> Result<WantsClientCert, Error> {
    use hyper_rustls::ConfigBuilderExt as _;
    Ok(builder.with_webpki_roots())
}

#[cfg(not(any(feature = "webpki-roots", feature = "native-roots")))]
fn with_roots(_builder: WantsVerifier) -> Result<WantsClientCert, Error> {
    Err(Error::build(
        "no TLS roots compiled in: enable `webpki-roots` or `native-roots`, or pass a ClientConfig with `tls_config`",
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_config_builds_without_a_process_default_provider() {
        let config = super::default_client_config().unwrap();
        assert!(
            config.alpn_protocols.is_empty(),
            "ALPN is set by the connector"
        );
    }
}
