//! `dm-fake`: run the fake DM API. Prints the base URL as the first line, then serves until stopped.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use dm_fake::{FakeServer, FaultConfig, FaultKind, OAuth1Config, OAuth2Config, RateLimitConfig};

/// A sandbox server that behaves like the X API v2 Direct Messages endpoints.
#[derive(Debug, Parser)]
#[command(name = "dm-fake", version)]
struct Args {
    /// Listen address.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Dataset seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of generated events.
    #[arg(long, default_value_t = 200)]
    events: usize,
    /// Load the dataset from this JSON file instead of generating one.
    #[arg(long)]
    dataset: Option<std::path::PathBuf>,
    /// The user-context bearer token to accept.
    #[arg(long, env = "DM_FAKE_TOKEN", default_value = "dm-fake-user-token")]
    token: String,
    /// Requests per rate-limit window per endpoint family.
    #[arg(long)]
    rate_limit: Option<u32>,
    /// Rate-limit window in milliseconds.
    #[arg(long, default_value_t = 900_000)]
    rate_window_ms: u64,
    /// Answer every DM request with a usage-capped 429.
    #[arg(long)]
    usage_capped: bool,
    /// Percentage of DM requests that get a random fault.
    #[arg(long, default_value_t = 0)]
    fault_rate: u8,
    /// Fault kinds to draw from: latency, 5xx, 429-storm, reset, truncate, slow, repeat-token,
    /// expired-token, malformed-json, drop-after-body (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "5xx,reset,truncate")]
    fault_kinds: Vec<String>,
    /// Latency added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// The app-only bearer token to recognise (and refuse with 403 on DM endpoints).
    #[arg(long, default_value = "dm-fake-app-only-token")]
    app_only_token: String,
    /// Pre-render every page of this lookup (path and query), e.g. `/2/dm_events?max_results=100`.
    #[arg(long)]
    prerender: Vec<String>,
    /// OAuth 1.0a consumer key (with the three flags below; defaults are printed by `--help`).
    #[arg(long, default_value = "dm-fake-consumer-key")]
    consumer_key: String,
    /// OAuth 1.0a consumer secret.
    #[arg(
        long,
        env = "DM_FAKE_CONSUMER_SECRET",
        default_value = "dm-fake-consumer-secret",
        hide_default_value = true
    )]
    consumer_secret: String,
    /// OAuth 1.0a access token.
    #[arg(long, default_value = "dm-fake-access-token")]
    access_token: String,
    /// OAuth 1.0a access token secret.
    #[arg(
        long,
        env = "DM_FAKE_ACCESS_TOKEN_SECRET",
        default_value = "dm-fake-token-secret",
        hide_default_value = true
    )]
    access_token_secret: String,
    /// OAuth 2.0 client id of the fake authorization server.
    #[arg(long, default_value = "dm-fake-client")]
    client_id: String,
    /// OAuth 2.0 client secret (makes the client confidential: token/revoke need Basic auth).
    #[arg(long, env = "DM_FAKE_CLIENT_SECRET")]
    client_secret: Option<String>,
    /// Lifetime of issued OAuth 2.0 access tokens, in seconds.
    #[arg(long, default_value_t = 7200)]
    access_token_lifetime_secs: u64,
    /// Do not send a `next_token` on the page holding the last results.
    #[arg(long)]
    no_trailing_empty_page: bool,
}

fn kind(name: &str) -> Result<FaultKind, String> {
    Ok(match name {
        "latency" => FaultKind::Latency(Duration::from_millis(500)),
        "5xx" => FaultKind::ServerError(503),
        "429-storm" => FaultKind::RateLimitStorm(3),
        "reset" => FaultKind::ResetMidBody,
        "truncate" => FaultKind::TruncatedBody,
        "slow" => FaultKind::SlowBody(Duration::from_millis(100)),
        "repeat-token" => FaultKind::RepeatNextToken,
        "expired-token" => FaultKind::ExpiredToken,
        "malformed-json" => FaultKind::MalformedJson,
        "drop-after-body" => FaultKind::DropAfterRequestBody,
        other => return Err(format!("unknown fault kind `{other}`")),
    })
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let kinds = args
        .fault_kinds
        .iter()
        .map(|k| kind(k))
        .collect::<Result<Vec<_>, _>>()?;
    let rate = match args.rate_limit {
        Some(limit) => {
            RateLimitConfig::new(limit, Duration::from_millis(args.rate_window_ms.max(1)))
        }
        None => RateLimitConfig::unlimited(),
    }
    .usage_capped(args.usage_capped);
    let mut builder = FakeServer::builder()
        .addr(args.addr)
        .seed(args.seed)
        .events(args.events)
        .token(args.token)
        .app_only_token(args.app_only_token)
        .oauth1(Some(OAuth1Config::new(
            args.consumer_key,
            args.consumer_secret,
            args.access_token,
            args.access_token_secret,
        )))
        .oauth2(
            match args.client_secret {
                Some(secret) => OAuth2Config::confidential(args.client_id, secret),
                None => OAuth2Config::public(args.client_id),
            }
            .access_token_lifetime(Duration::from_secs(args.access_token_lifetime_secs)),
        )
        .rate_limit(rate)
        .faults(
            FaultConfig::random(args.fault_rate, kinds)
                .with_base_latency(Duration::from_millis(args.latency_ms)),
        )
        .trailing_empty_page(!args.no_trailing_empty_page);
    for p in args.prerender {
        builder = builder.prerender(p);
    }
    if let Some(path) = &args.dataset {
        builder = builder.dataset_file(path)?;
    }
    let server = builder.start().await?;
    println!("{}", server.base_url());
    eprintln!(
        "dm-fake: serving {} events for user {} (Ctrl-C to stop)",
        server.dataset().len(),
        server.me()
    );
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
